/**
 * `deno task classify --model models/latest --in FILE [--out FILE]`: labels every message of a
 * CSV (`text` or `message` column), JSONL (`text` field) or text file (one message a line),
 * streaming in constant memory, and writes the input's fields plus `predicted`, `p_question`,
 * `p_answer`, `p_comment` in input order (stdout when `--out` is absent).
 * @module
 */

import { classifyFile, createBatchPredictor } from "../lib/infer/classify_file.ts";
import { loadWeightsBundle } from "../lib/model/bundle_files.ts";
import { STREAM_FORMATS, type StreamFormat } from "../lib/data/stream.ts";
import { progressBar } from "./_progress.ts";
import { type FlagSpec, numberFlag, parseFlags, runMain } from "./_cli.ts";
import { embedderRuntimeFromEnv } from "./_env.ts";

const FLAGS: FlagSpec = {
  model: { type: "string", default: "models/latest", help: "model folder" },
  in: { type: "string", help: "input file: .csv, .jsonl/.ndjson, or text (one message a line)" },
  out: { type: "string", help: "output file, .csv or .jsonl (default: stdout)" },
  format: {
    type: "string",
    help: `input format, overriding the extension: ${STREAM_FORMATS.join(", ")}`,
  },
  "text-column": {
    type: "string",
    help: 'field holding the message (default: "text" or "message")',
  },
  "batch-size": { type: "string", default: "2048", help: "messages per prediction batch" },
  workers: {
    type: "string",
    help: "worker threads besides this one for builtin models (default: cores - 1 for inputs " +
      "of 1 MB or more, else 0)",
  },
  quiet: { type: "boolean", help: "no progress bar" },
};

await runMain(async () => {
  const flags = parseFlags(
    Deno.args,
    FLAGS,
    "Usage: deno task classify --model models/latest --in FILE [--out FILE]\n\n" +
      "Classifies every message of a file as question, answer or comment.",
  );
  if (typeof flags.in !== "string") throw new TypeError("Cannot classify: --in FILE is required");
  const format = flags.format as string | undefined;
  if (format !== undefined && !(STREAM_FORMATS as readonly string[]).includes(format)) {
    throw new RangeError(
      `Cannot read --format: "${format}" is not one of ${STREAM_FORMATS.join(", ")}`,
    );
  }
  const started = performance.now();
  const bundle = await loadWeightsBundle(String(flags.model), embedderRuntimeFromEnv());
  const loadSeconds = (performance.now() - started) / 1000;
  const out = typeof flags.out === "string" ? flags.out : Deno.stdout.writable;
  const bar = flags.quiet ? undefined : progressBar("classify (bytes)", 0);
  // Workers pay off on big files only: each starts in ~0.1 s and copies the weights. A batch
  // goes to an idle worker, else runs here, so every core computes.
  const inputBytes = (await Deno.stat(flags.in).catch(() => undefined))?.size ?? 0;
  const workers = numberFlag(flags, "workers") ??
    (inputBytes >= 1 << 20 ? navigator.hardwareConcurrency - 1 : 0);
  const predict = createBatchPredictor(bundle, { workers });
  // Ctrl-C: stop between batches, remove the temp output, exit 130 (no partial file)
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort(new Error("interrupted"));
  Deno.addSignalListener("SIGINT", onSignal);
  const summary = await classifyFile(predict, flags.in, out, {
    signal: interrupt.signal,
    inputFormat: format as StreamFormat | undefined,
    textColumn: flags["text-column"] as string | undefined,
    batchSize: numberFlag(flags, "batch-size"),
    concurrency: workers + 1,
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
    } msgs/s; model load ${loadSeconds.toFixed(2)}s; route ${predict.route})${
      summary.problems > 0 ? `, ${summary.problems} unreadable rows skipped` : ""
    }: ${mix}${typeof flags.out === "string" ? ` → ${flags.out}` : ""}`,
  );
});
