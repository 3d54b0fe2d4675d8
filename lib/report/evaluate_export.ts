/**
 * Scores a model on a chat export whose true labels are known — one written by
 * `deno task generate --format discord-json`, with `truth.csv` beside its channel files. Each
 * message is classified in its channel exactly as the community report classifies it
 * ({@linkcode classifyMessages} with the report's classifier); messages the truth labels are
 * scored, the rest are context only. The result is `deno task eval`'s usual
 * {@linkcode EvalResult}, beside the "?" rule and the majority class.
 * @module
 */

import { dirname, join } from "node:path";
import { readExport } from "../data/discord/read.ts";
import { emptyReadStats, type ReadProblem, type ReadStats } from "../data/discord/types.ts";
import { isLabel, LABELS } from "../data/types.ts";
import { type EvalResult, scoreBaselines, thinRoc, trainingLabelCounts } from "../eval/evaluate.ts";
import { computeMetrics } from "../eval/metrics.ts";
import type { ModelBundle } from "../model/bundle.ts";
import type { WeightsBundle } from "../model/bundle_files.ts";
import { classifyMessages } from "./classify_export.ts";
import { createMessageClassifier } from "./classify.ts";
import { readExportTruth } from "./evaluate.ts";

/** The truth file `deno task generate --format discord-json` writes beside its export. */
export const TRUTH_FILE = "truth.csv";

/** Where the truth of an export lies: `truth.csv` in a folder, or beside a file. */
export async function exportTruthPath(path: string): Promise<string> {
  const info = await Deno.stat(path).catch(() => undefined);
  return join(info?.isDirectory ? path : dirname(path), TRUTH_FILE);
}

/** Options of {@linkcode evaluateExport}. */
export interface EvaluateExportOptions {
  /** Worker threads of the classifier (as `deno task report --workers`). @default 0 */
  workers?: number;
  /** Messages per classifier call. @default the report's (4096) */
  batchSize?: number;
  /** Called for every file or row of the export that cannot be read; the rest is read. */
  onProblem?: (problem: ReadProblem) => void;
  /** Called as the export is read, with bytes read and the export's size. */
  onBytes?: (bytesRead: number, totalBytes: number) => void;
  /** Filled in while reading (files, messages, skipped by reason). @default a fresh one */
  stats?: ReadStats;
  /** Keep at most this many points per ROC curve. @default 201 */
  rocPoints?: number;
  /** Stops between batches; the promise then rejects. */
  signal?: AbortSignal;
}

/**
 * Scores `bundle` on the export at `path` (a folder or one file) against its `truth.csv`.
 * @throws {Deno.errors.NotFound} when there is no `truth.csv`: the message says eval needs
 * labels and points to `deno task classify`
 * @throws {RangeError} when no message of the export has a label in the truth
 * @example
 * ```ts
 * const result = await evaluateExport(bundle, "data/discord");
 * console.log(formatEvalResult(result));
 * ```
 */
export async function evaluateExport(
  bundle: ModelBundle | WeightsBundle,
  path: string,
  options: EvaluateExportOptions = {},
): Promise<EvalResult> {
  const truthPath = await exportTruthPath(path);
  const truthInfo = await Deno.stat(truthPath).catch(() => undefined);
  if (!truthInfo?.isFile) {
    throw new Deno.errors.NotFound(
      `Cannot evaluate on "${path}": it is a chat export without true labels (no ${TRUTH_FILE} ` +
        `beside it, as deno task generate --format discord-json writes); eval needs labels — ` +
        `to label its messages instead, run: deno task classify --in "${path}" --out labels.csv`,
    );
  }
  const truth = await readExportTruth(truthPath);
  const stats = options.stats ?? emptyReadStats();
  const classify = createMessageClassifier(bundle, { workers: options.workers ?? 0 });
  const texts: string[] = [];
  const y: number[] = [];
  const scored: Float32Array[] = [];
  let contextOnly = 0;
  const k = LABELS.length;
  const started = performance.now();
  try {
    const messages = readExport(path, {
      stats,
      onProblem: options.onProblem,
      onBytes: options.onBytes,
    });
    for await (
      const { messages: batch, probabilities } of classifyMessages(messages, classify, {
        batchSize: options.batchSize,
        concurrency: (options.workers ?? 0) + 1,
        signal: options.signal,
      })
    ) {
      batch.forEach((m, i) => {
        const label = truth.labels.get(m.messageId) ?? "";
        if (!isLabel(label)) {
          contextOnly++;
          return;
        }
        texts.push(m.text);
        y.push(LABELS.indexOf(label));
        scored.push(probabilities.slice(i * k, (i + 1) * k));
      });
    }
  } finally {
    classify.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const n = texts.length;
  if (n === 0) {
    throw new RangeError(
      `Cannot evaluate on "${path}": none of its ${stats.messages} chat messages has a label in ` +
        `"${truthPath}" (${truth.labels.size} labelled ids there)`,
    );
  }
  const probabilities = new Float32Array(n * k);
  scored.forEach((p, j) => probabilities.set(p, j * k));
  const labels = Int32Array.from(y);
  const labelCounts = Object.fromEntries(LABELS.map((l) => [l, 0])) as EvalResult["labelCounts"];
  for (const c of y) labelCounts[LABELS[c]!]++;
  const result: EvalResult = {
    source: path,
    n,
    textColumn: "text",
    labelColumn: `${TRUTH_FILE} label`,
    labelCounts,
    metrics: thinRoc(computeMetrics(labels, probabilities), options.rocPoints ?? 201),
    baselines: scoreBaselines(texts, labels, trainingLabelCounts(bundle.metadata)),
    skipped: {
      total: 0,
      malformed: 0,
      unknownLabels: {},
      emptyText: 0,
      ...(contextOnly > 0 ? { contextOnly } : {}),
      examples: [],
    },
    seconds,
    messagesPerSecond: (n + contextOnly) / Math.max(seconds, 1e-9),
    mode: bundle.metadata.context?.recipe ? "context" : "alone",
  };
  const runId = (bundle.metadata as { runId?: unknown }).runId;
  if (typeof runId === "string") result.runId = runId;
  return result;
}
