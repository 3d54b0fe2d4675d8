/**
 * `deno task report --in EXPORT --out DIR`: reads a chat export (DiscordChatExporter JSON or CSV,
 * a folder of them, or a conversations CSV/JSONL), classifies every message, links answers to
 * questions and writes `DIR/report.json`, `DIR/unanswered.csv` and `DIR/index.html`, all or
 * nothing. Ctrl-C stops with exit code 130 and writes nothing.
 *
 * The task runs with V8 heap flags (deno.json): `--max-semi-space-size=4` (a young generation
 * of 4 MB instead of up to 16 MB in each of the three isolates) and `--sqrt-allocation-limits`
 * with factor 10 (the old generation grows less past what is alive: the stream of messages
 * leaves a lot of short-lived garbage behind). With the files written in small pieces, on a
 * 1.1M-message export they took peak RSS from 982–1,013 to 564–617 MiB for 14–18% more CPU
 * (bench/RESULTS.md). Without them the report is the same, only bigger in memory.
 * @module
 */

import { resolve, sep } from "node:path";
import { emptyReadStats } from "../lib/data/discord/types.ts";
import { exportFiles, readExport } from "../lib/data/discord/read.ts";
import { loadWeightsBundle } from "../lib/model/bundle_files.ts";
import { buildReport, parseTimeRange } from "../lib/report/build.ts";
import { createMessageClassifier } from "../lib/report/classify.ts";
import { writeReport } from "../lib/report/write.ts";
import {
  type FlagSpec,
  loadModel,
  numberFlag,
  parseFlags,
  runMain,
  WORKERS_RANGE,
} from "./_cli.ts";
import { embedderRuntimeFromEnv } from "./_env.ts";
import { progressBar } from "./_progress.ts";

const FLAGS: FlagSpec = {
  in: { type: "string", help: "export file or folder (.json, .csv, .jsonl)" },
  out: {
    type: "string",
    default: "data/report",
    help: "folder for report.json, unanswered.csv, index.html",
  },
  model: { type: "string", default: "models/latest", help: "model folder" },
  since: {
    type: "string",
    help: "only messages at or after this date (ISO 8601, e.g. 2024-03-01)",
  },
  until: { type: "string", help: "only messages before this date" },
  channel: { type: "string", help: "only these channels (names or ids, comma-separated)" },
  "min-confidence": {
    type: "string",
    default: "0.6",
    help: "questions and answers below this probability count as comments",
  },
  window: {
    type: "string",
    default: "360",
    help: "minutes a question stays open for the mention, name and evidence rules",
  },
  workers: {
    type: "string",
    help:
      "worker threads for classification (default for exports of 1 MB or more: one per core with a context model, cores - 1 with a message-only model)",
  },
  quiet: { type: "boolean", help: "no progress bar" },
};

await runMain(async () => {
  const flags = parseFlags(
    Deno.args,
    FLAGS,
    "Usage: deno task report --in EXPORT [--out DIR] [--since DATE] [--until DATE] " +
      "[--channel NAMES] [--min-confidence P]\n\n" +
      "Writes a community report: answered share, time to first answer, unanswered questions.",
  );
  if (typeof flags.in !== "string") throw new TypeError("Cannot report: --in EXPORT is required");
  const out = String(flags.out);
  // bad dates are caught before the model loads, not after seconds of work
  parseTimeRange(flags.since as string | undefined, flags.until as string | undefined);
  numberFlag(flags, "workers", WORKERS_RANGE);
  numberFlag(flags, "window", { min: 0 });
  const inPath = resolve(flags.in);
  const outPath = resolve(out);
  if (inPath === outPath || inPath.startsWith(outPath + sep)) {
    // the reader leaves --out's files out of the export: it would read nothing
    throw new TypeError(
      `Cannot write the report into "${out}": it ${
        inPath === outPath ? "is" : "holds"
      } the export "${flags.in}"; choose another --out, e.g. "data/report"`,
    );
  }
  if ((await Deno.stat(out).catch(() => undefined))?.isFile) {
    throw new TypeError(
      `Cannot write the report into "${out}": it is a file; --out takes a folder`,
    );
  }
  const controller = new AbortController();
  let writing = false;
  // Until the files are being written there is nothing to clean up: stop at once (a read may be
  // waiting on a slow disk or a pipe). While writing, finish and remove them below.
  const onSignal = () => {
    controller.abort();
    if (!writing) {
      console.error("report: interrupted, nothing written");
      Deno.exit(130);
    }
  };
  Deno.addSignalListener("SIGINT", onSignal);
  const started = performance.now();
  // weights only: no tfjs copy of the model, which the classification never uses
  const bundle = await loadModel(
    String(flags.model),
    (dir) => loadWeightsBundle(dir, embedderRuntimeFromEnv()),
  );
  const inputBytes = await sizeOf(flags.in, [out]);
  // A context model on workers leaves this thread only reading and linking, so it gets a worker
  // per core; a message-only model's pool lets this thread classify too.
  const cores = navigator.hardwareConcurrency;
  const workers = numberFlag(flags, "workers") ??
    (inputBytes < 1 << 20 ? 0 : bundle.metadata.context?.recipe ? cores : cores - 1);
  const classify = createMessageClassifier(bundle, { workers });
  const stats = emptyReadStats();
  const bar = flags.quiet ? undefined : progressBar("report (bytes)", inputBytes);
  let problems = 0;
  try {
    const messages = readExport(flags.in, {
      stats,
      exclude: [out],
      onBytes: bar,
      onProblem: (p) => {
        problems++;
        console.error(`${p.file}${p.line ? `:${p.line}` : ""}: ${p.reason}`);
      },
    });
    const report = await buildReport(messages, classify, {
      stats,
      sourcePath: flags.in,
      model: bundle.metadata.runId,
      since: flags.since as string | undefined,
      until: flags.until as string | undefined,
      channels: typeof flags.channel === "string"
        ? flags.channel.split(",").map((c) => c.trim()).filter(Boolean)
        : undefined,
      minConfidence: numberFlag(flags, "min-confidence"),
      windowSeconds: (numberFlag(flags, "window") ?? 360) * 60,
      signal: controller.signal,
      concurrency: workers + 1,
    });
    controller.signal.throwIfAborted();
    if (stats.files === 0) {
      throw new Error(
        `Cannot report on ${flags.in}: it holds no export file (.json, .csv or .jsonl); ` +
          `nothing written — give a DiscordChatExporter export (JSON or CSV), or a folder of them`,
      );
    }
    if (stats.files > 0 && stats.failedFiles === stats.files) {
      // an empty report would read as "a server with no messages", not as "wrong input"
      throw new Error(
        `Cannot report on ${flags.in}: none of its ${stats.files} file(s) could be read ` +
          `(why above); nothing written — give a DiscordChatExporter export (JSON or CSV)`,
      );
    }
    writing = true;
    // Ctrl-C before the files are renamed into place leaves the folder's old report as it was;
    // once they are, the new report is complete and stays (it used to be deleted, old one gone)
    const files = await writeReport(out, report, { signal: controller.signal });
    const o = report.overall;
    const skipped = Object.entries(stats.skipped).map(([k, v]) => `${k} ${v}`).join(", ");
    const t = classify.threads;
    const route = (classify.mode === "context" ? "context model" : "message-only model") +
      (workers > 0 ? `, ${workers} worker${workers === 1 ? "" : "s"}` : "") +
      (t.firsts > 0 ? `, ${t.withStarter} of ${t.firsts} threads read after their starter` : "");
    console.error(
      `report (${route}): ${o.messages} messages, ${o.questions} questions, ${
        Math.round(o.answeredShare * 100)
      }% answered, ${o.unanswered.length} unanswered; left out: ${skipped || "nothing"}${
        problems ? `; ${problems} problem(s) above` : ""
      } (${((performance.now() - started) / 1000).toFixed(1)}s) → ${files.join(", ")}`,
    );
    if (controller.signal.aborted) {
      console.error("report: interrupted after the report was written in full");
      Deno.exit(130);
    }
  } catch (error) {
    if (controller.signal.aborted) {
      console.error("report: interrupted, nothing written");
      Deno.exit(130);
    }
    throw error;
  } finally {
    classify.close();
    Deno.removeSignalListener("SIGINT", onSignal);
  }
});

/** Bytes of the files the export path stands for (0 when it cannot be listed: reading says why). */
async function sizeOf(path: string, exclude: readonly string[]): Promise<number> {
  const files = await exportFiles(path, exclude).catch(() => []);
  const sizes = await Promise.all(files.map((f) => Deno.stat(f).then((s) => s.size, () => 0)));
  return sizes.reduce((a, b) => a + b, 0);
}
