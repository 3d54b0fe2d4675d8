/**
 * `deno task classify --model models/latest --in FILE [--out FILE]`: labels every message of a
 * CSV (`text` or `message` column), JSONL (`text` field) or text file (one message a line),
 * streaming in constant memory, and writes the input's fields plus `predicted`, `p_question`,
 * `p_answer`, `p_comment` in input order (stdout when `--out` is absent). A DiscordChatExporter
 * export (a .json, a CSV with its header, or a folder) goes to tasks/_classify_export.ts instead.
 * @module
 */

import { extname } from "node:path";
import { classifyFile, createBatchPredictor } from "../lib/infer/classify_file.ts";
import { loadWeightsBundle } from "../lib/model/bundle_files.ts";
import {
  detectFormat,
  openCsvStream,
  STREAM_FORMATS,
  type StreamFormat,
} from "../lib/data/stream.ts";
import { detectConversationColumns, hasConversations } from "../lib/data/conversation.ts";
import { detectExport } from "../lib/data/discord/detect.ts";
import { progressBar } from "./_progress.ts";
import {
  exists,
  type FlagSpec,
  loadModel,
  numberFlag,
  parseFlags,
  runMain,
  WORKERS_RANGE,
} from "./_cli.ts";
import { embedderRuntimeFromEnv } from "./_env.ts";
import {
  COLUMN_FLAGS,
  contextFlag,
  CONVERSATION_FLAGS,
  conversationColumnFlags,
} from "./_conversation_flags.ts";
import { createRowsPredictor } from "../lib/infer/context.ts";
import type { StreamRow } from "../lib/data/stream.ts";
import { isLabel, LABELS } from "../lib/data/types.ts";
import { computeMetrics } from "../lib/eval/metrics.ts";

const FLAGS: FlagSpec = {
  model: { type: "string", placeholder: "DIR", default: "models/latest", help: "model folder" },
  in: {
    type: "string",
    placeholder: "FILE|EXPORT|-",
    help: "input file: .csv, .jsonl/.ndjson, or text (one message a line); - reads stdin as text " +
      "unless --format says otherwise; or a DiscordChatExporter export (a channel's .json or " +
      ".csv, or a folder of them), read as deno task report reads it",
  },
  out: {
    type: "string",
    placeholder: "FILE|-",
    help: "output file, .csv or .jsonl; - or absent: stdout",
  },
  format: {
    type: "string",
    placeholder: "csv|jsonl|text",
    help: `input format, overriding the extension: ${STREAM_FORMATS.join(", ")}`,
  },
  "text-column": {
    type: "string",
    placeholder: "COLUMN",
    help: 'field holding the message (default: "text" or "message")',
  },
  "batch-size": {
    type: "string",
    placeholder: "N",
    help: "messages per prediction batch (default 8192; an export's: 4096, the report's)",
  },
  workers: {
    type: "string",
    placeholder: "N",
    help: "worker threads besides this one for builtin models (default: cores - 1 for inputs " +
      "of 1 MB or more, else 0; for an export, as deno task report)",
  },
  ...CONVERSATION_FLAGS,
  quiet: { type: "boolean", help: "no progress bar" },
};

await runMain(async () => {
  const flags = parseFlags(
    Deno.args,
    FLAGS,
    "Usage: deno task classify --model models/latest --in FILE|EXPORT [--out FILE]\n\n" +
      "Classifies every message of a file as question, answer or comment.\n" +
      "A DiscordChatExporter export (JSON, its CSV flavour, or a folder of them, threads " +
      "included) is read\nas deno task report reads it: bots, system and attachment-only " +
      "messages left out and counted, each\nmessage classified in its channel with the " +
      "report's labels; one row per message, in export order:\n" +
      "message_id, channel, author, timestamp, reply_to, text, predicted, p_question, p_answer, " +
      "p_comment.",
  );
  if (typeof flags.in !== "string") throw new TypeError("Cannot classify: --in FILE is required");
  const fromStdin = flags.in === "-";
  const input = fromStdin ? "stdin" : flags.in;
  const format = flags.format as string | undefined;
  if (format !== undefined && !(STREAM_FORMATS as readonly string[]).includes(format)) {
    throw new RangeError(
      `Cannot read --format: "${format}" is not one of ${STREAM_FORMATS.join(", ")}`,
    );
  }
  // the writers pick CSV or JSON Lines from the name and fall back to CSV: "x.parquet" or
  // "x.tsv" would get CSV under a name that says otherwise
  const outExt = typeof flags.out === "string" && flags.out !== "-" ? extname(flags.out) : "";
  if (outExt !== "" && !/^\.(csv|jsonl|ndjson)$/i.test(outExt)) {
    throw new TypeError(
      `Cannot write "${flags.out}": classify writes CSV or JSON Lines; name the output .csv, ` +
        ".jsonl or .ndjson",
    );
  }
  // checked before anything is read: a bad count would fail deep inside, naming other things
  numberFlag(flags, "workers", WORKERS_RANGE);
  numberFlag(flags, "batch-size", { min: 1, integer: true });
  if (!fromStdin && !(await exists(input))) {
    throw new Deno.errors.NotFound(`Cannot classify "${input}": no such file or folder`);
  }
  // A named pipe (mkfifo) can be read once: it is streamed as stdin is, in the format of its
  // name, never peeked at first (a peek took its data, and the read after it waited forever).
  const pipe = !fromStdin && (await Deno.stat(input)).isFifo === true;
  if (pipe && format === undefined && /\.json$/i.test(input)) {
    throw new TypeError(
      `Cannot classify "${input}": it is a pipe, and an export's .json is read from a file; ` +
        "save it to a file first, or pipe CSV, JSONL or text with --format",
    );
  }
  const streamed = fromStdin || pipe;
  // A chat export is read as the report reads it — unless a DCE CSV comes with column flags,
  // which ask for its columns as they are (e.g. `--text-column Content`).
  const exportKind = streamed || format !== undefined ? null : await detectExport(input);
  const columnFlags = COLUMN_FLAGS.some((name) => flags[name] !== undefined);
  if (exportKind !== null && !(exportKind === "discord-csv" && columnFlags)) {
    const { classifyExportCli } = await import("./_classify_export.ts");
    return await classifyExportCli(flags, input, exportKind);
  }
  const started = performance.now();
  const bundle = await loadModel(
    String(flags.model),
    (dir) => loadWeightsBundle(dir, embedderRuntimeFromEnv()),
  );
  const loadSeconds = (performance.now() - started) / 1000;
  const toFile = typeof flags.out === "string" && flags.out !== "-";
  const out = toFile ? String(flags.out) : Deno.stdout.writable;
  const bar = flags.quiet ? undefined : progressBar("classify (bytes)", 0);
  // Workers pay off on big files only: each starts in ~0.1 s.
  const inputBytes = streamed ? 0 : (await Deno.stat(input).catch(() => undefined))?.size ?? 0;
  const workers = numberFlag(flags, "workers") ??
    (inputBytes >= 1 << 20 ? navigator.hardwareConcurrency - 1 : 0);
  // This thread reads, featurizes and writes; the workers run the kernel on the features it
  // leaves in their shared memory (`stage`: the featurizer warms up in one thread only).
  const queue = 2;
  const predict = createBatchPredictor(bundle, { workers, queue, stage: true });
  // Batches of 8192: each kernel call brings the rows it reads into cache once per 32 hidden
  // units, so bigger calls cost less a message. On 100k messages, 5 alternating runs at load
  // 3.3-3.7: 1.22-2.74 s of wall time (2.11-3.34 s of CPU) against 1.54-3.35 s (2.50-3.41 s) in
  // batches of 2048, faster in 4 rounds of 5; peak RSS 234-261 MiB against 217-235 MiB.
  const batchSize = numberFlag(flags, "batch-size") ?? 8192;
  // Ctrl-C: stop between batches, remove the temp output, exit 130 (no partial file)
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort(new Error("interrupted"));
  Deno.addSignalListener("SIGINT", onSignal);
  // A context model reads the whole file (a message's context may be any earlier row); a
  // labelled file is then scored on its labelled rows for free.
  let mode = "alone" as "context" | "alone";
  let score = "";
  // Only input that can hold conversation columns is read whole; the rest streams in constant
  // memory through the batch predictor (a context model then reads each text alone).
  const inputFormat = (format ?? (fromStdin ? "text" : detectFormat(input))) as StreamFormat;
  const rowsPredictor = bundle.metadata.context && contextFlag(flags.context) === "auto" &&
      await mayHaveConversations(inputFormat, input, streamed, flags)
    ? createRowsPredictor(bundle, {
      context: contextFlag(flags.context),
      columns: conversationColumnFlags(flags),
      onMode: (m) => (mode = m),
    })
    : undefined;
  const predictRows = rowsPredictor &&
    (async (rows: readonly StreamRow[], texts: readonly string[]) => {
      const p = await rowsPredictor(rows, texts);
      score = scoreLabelledRows(rows, p);
      return p;
    });
  const summary = await classifyFile(predict, input, out, {
    signal: interrupt.signal,
    inputFormat: (format ?? (fromStdin ? "text" : undefined)) as StreamFormat | undefined,
    source: fromStdin ? Deno.stdin.readable : pipe ? (await Deno.open(input)).readable : undefined,
    textColumn: flags["text-column"] as string | undefined,
    batchSize,
    // + 16k rows: this thread reads and computes up to 16k rows ahead instead of waiting for
    // the oldest batch, which a worker may still hold (output stays in input order). On the
    // bench's 100k messages in batches of 2048, with one batch per worker and + 1 batch, this
    // thread idled 104-236 ms and the worker 139-246 ms (CPU profiles); queue 2 and + 3: 123-159
    // and 35-47 ms; + 8 against + 3, alternating runs at load 1.2-1.6: 2.29-2.56 s against
    // 2.59-2.91 s.
    concurrency: workers * queue + Math.ceil(16384 / batchSize),
    predictRows,
    onProgress: bar ? (bytes, total) => bar(bytes, total) : undefined,
    onProblem: (p) => console.error(`skipped line ${p.line}: ${p.reason}`),
  }).catch((error) => {
    if (!interrupt.signal.aborted) throw error;
    console.error("classify: interrupted; no output written");
    Deno.exit(130);
  }).finally(() => {
    Deno.removeSignalListener("SIGINT", onSignal);
    predict.close();
  });
  const mix = Object.entries(summary.predicted).map(([l, n]) => `${l} ${n}`).join(", ");
  console.error(
    `classified ${summary.rows} messages in ${summary.seconds.toFixed(2)}s (${
      Math.round(summary.rows / Math.max(summary.seconds, 1e-9))
    } msgs/s; model ${bundle.metadata.runId} loaded in ${loadSeconds.toFixed(2)}s; route ${
      // a context model's rows go through predictRows, not the batch predictor
      rowsPredictor
        ? (mode === "context"
          ? "context model, in their conversations"
          : "context model, each alone")
        : predict.route})${
      summary.problems > 0 ? `, ${summary.problems} unreadable rows skipped` : ""
    }: ${mix}${toFile ? ` → ${flags.out}` : ""}`,
  );
  if (score) console.error(score);
});

/**
 * Whether the input may place messages in conversations: text never does; a CSV file's header
 * says; JSONL and stdin cannot be peeked and are read whole to find out.
 */
async function mayHaveConversations(
  format: StreamFormat,
  input: string,
  streamed: boolean,
  flags: Record<string, unknown>,
): Promise<boolean> {
  if (format === "text") return false;
  if (format !== "csv" || streamed) return true;
  // the header only: the read that classifies warns of bad bytes, this peek must not repeat it
  const stream = await openCsvStream(input, { onWarning: () => {} });
  await stream.rows.return(undefined); // closes the file
  return hasConversations(detectConversationColumns(stream.header, conversationColumnFlags(flags)));
}

/** "labelled rows: macro-F1 …" when the rows carry a `label` or `message_type`, else "". */
function scoreLabelledRows(rows: readonly StreamRow[], p: Float32Array): string {
  const column = rows.length === 0
    ? undefined
    : ["label", "message_type"].find((c) => c in rows[0]!.values);
  if (!column) return "";
  const picked: number[] = [];
  const y: number[] = [];
  rows.forEach((row, i) => {
    const label = String(row.values[column] ?? "").trim().toLowerCase();
    if (isLabel(label)) {
      picked.push(i);
      y.push(LABELS.indexOf(label));
    }
  });
  if (picked.length === 0) return "";
  const k = LABELS.length;
  const probabilities = new Float32Array(picked.length * k);
  picked.forEach((i, j) => probabilities.set(p.subarray(i * k, (i + 1) * k), j * k));
  const m = computeMetrics(Int32Array.from(y), probabilities);
  return `labelled rows (${picked.length}, "${column}" column; unlabelled rows were context only): macro-F1 ${
    m.macroF1.toFixed(3)
  }, accuracy ${m.accuracy.toFixed(3)}; F1 ${
    LABELS.map((l) => `${l} ${m.perClass[l].f1.toFixed(3)}`).join(", ")
  }`;
}
