/**
 * `deno task classify --in EXPORT`: the route for chat exports (a DiscordChatExporter JSON or
 * CSV file, or a folder of them), loaded by tasks/classify.ts only when the input is one, so the
 * route for plain message files loads none of it. Private to tasks/.
 * @module
 */

import { exportFiles, readExport } from "../lib/data/discord/read.ts";
import type { ChatExportKind } from "../lib/data/discord/detect.ts";
import { type ChatMessage, emptyReadStats, type ReadStats } from "../lib/data/discord/types.ts";
import { loadWeightsBundle } from "../lib/model/bundle_files.ts";
import { classifyExport, holdsDiscordExport } from "../lib/report/classify_export.ts";
import { createMessageClassifier } from "../lib/report/classify.ts";
import { loadModel, numberFlag } from "./_cli.ts";
import { COLUMN_FLAGS, refuseFileFlags } from "./_conversation_flags.ts";
import { embedderRuntimeFromEnv } from "./_env.ts";
import { handleInterrupt } from "./_interrupt.ts";
import { progressBar } from "./_progress.ts";

/**
 * Classifies every chat message of the export at `input` as the report does and writes one row
 * per message; prints a problem line per unreadable file or row and the summary line.
 * @throws {TypeError} when the export holds no readable chat file (one line, after the lines of
 * the files that failed)
 */
export async function classifyExportCli(
  flags: Record<string, string | boolean | undefined>,
  input: string,
  kind: ChatExportKind,
): Promise<void> {
  refuseFileFlags(
    flags,
    input,
    COLUMN_FLAGS,
    "it names a column of a message file, and this is a chat export (read as deno task report " +
      "reads it)",
  );
  const toFile = typeof flags.out === "string" && flags.out !== "-";
  // the output may be written inside the export folder: never read it back as chat
  const exclude = toFile ? [String(flags.out)] : [];
  const files = await exportFiles(input, exclude);
  if (kind === "folder" && !(await holdsDiscordExport(files))) {
    throw new TypeError(
      `Cannot classify "${input}": the folder holds no DiscordChatExporter export (${
        files.length === 0 ? "no .json, .csv or .jsonl file" : `none of its ${files.length} ` +
          ".json, .csv or .jsonl files is one"
      }); --in takes an export folder, a channel's .json or .csv, or one CSV, JSONL or text ` +
        "file of messages",
    );
  }
  const sizes = await Promise.all(files.map((f) => Deno.stat(f).then((s) => s.size)));
  const inputBytes = sizes.reduce((a, b) => a + b, 0);
  const started = performance.now();
  const bundle = await loadModel(
    String(flags.model),
    (dir) => loadWeightsBundle(dir, embedderRuntimeFromEnv()),
  );
  const loadSeconds = (performance.now() - started) / 1000;
  // as deno task report: a context model on workers leaves this thread reading; a message-only
  // model's pool lets this thread classify too
  const cores = navigator.hardwareConcurrency;
  const workers = numberFlag(flags, "workers") ??
    (inputBytes < 1 << 20 ? 0 : bundle.metadata.context?.recipe ? cores : cores - 1);
  const classify = createMessageClassifier(bundle, { workers });
  const bar = flags.quiet ? undefined : progressBar("classify (bytes)", inputBytes);
  const stats = emptyReadStats();
  // One file: its failure is the one line the run ends with, not a line before it.
  const held: string[] = [];
  const onProblem = (p: { file: string; line?: number; reason: string }) => {
    const line = p.line !== undefined
      ? `${p.file}:${p.line}: ${p.reason}`
      : p.reason.includes(p.file)
      ? p.reason
      : `${p.file}: ${p.reason}`;
    if (files.length === 1 && p.line === undefined) held.push(line);
    else console.error(line);
  };
  using interrupt = handleInterrupt("classify", { cooperative: true });
  let summary;
  try {
    summary = await classifyExport(
      failWhenUnreadable(
        readExport(input, { stats, onProblem, onBytes: bar, exclude }),
        stats,
        () =>
          held.length > 0
            ? held.at(-1)! + (kind === "discord-json" ? JSON_HINT : "")
            : `Cannot classify "${input}": none of its ${files.length} files is a ` +
              "chat export that could be read (see the lines above)",
      ),
      classify,
      toFile ? String(flags.out) : Deno.stdout.writable,
      {
        batchSize: numberFlag(flags, "batch-size"),
        concurrency: workers + 1,
        signal: interrupt.signal,
      },
    );
  } catch (error) {
    if (interrupt.signal.aborted) interrupt.exit();
    throw error;
  } finally {
    classify.close();
  }
  for (const line of held) console.error(line);
  const mix = Object.entries(summary.predicted).map(([l, n]) => `${l} ${n}`).join(", ");
  const skipped = Object.entries(stats.skipped).map(([k, v]) => `${k} ${v}`).join(", ");
  const route = `${kind === "folder" ? "export folder" : kind}, as deno task report reads it: ${
    classify.mode === "context"
      ? "context model, each message in its channel"
      : "message-only model"
  }${workers > 0 ? `, ${workers} worker${workers === 1 ? "" : "s"}` : ""}`;
  console.error(
    `classified ${summary.rows} messages in ${summary.seconds.toFixed(2)}s (${
      Math.round(summary.rows / Math.max(summary.seconds, 1e-9))
    } msgs/s; model ${bundle.metadata.runId} loaded in ${
      loadSeconds.toFixed(2)
    }s; route ${route}): ${mix}${toFile ? ` → ${flags.out}` : ""}; ${stats.files} file${
      stats.files === 1 ? "" : "s"
    } read${
      stats.failedFiles > 0 ? ` (${stats.failedFiles} not to the end: see above)` : ""
    }; left out: ${skipped || "nothing"}`,
  );
}

/** Said after the reader's reason when a lone .json file could not be read. */
const JSON_HINT = "; classify reads a .json file as a DiscordChatExporter export (guild, " +
  "channel, messages) — give other messages as CSV, JSONL or text";

/** `messages`, then a throw of `why()` when reading kept no message and some file failed — so
 * nothing is written for an export none of which could be read. */
async function* failWhenUnreadable(
  messages: AsyncIterable<ChatMessage>,
  stats: ReadStats,
  why: () => string,
): AsyncGenerator<ChatMessage> {
  yield* messages;
  if (stats.messages === 0 && stats.failedFiles > 0) throw new TypeError(why());
}
