/**
 * Evaluates a saved model on any labelled CSV (`text,label` or the original's
 * `message,message_type`), beside the two trivial baselines on the same rows, and writes the
 * report (JSON + SVG charts). Rows that cannot be scored are counted with their line numbers.
 * @module
 */

import { join } from "node:path";
import { writeFileAtomic } from "../data/atomic.ts";
import { readCsv, tooLongRow } from "../data/csv.ts";
import { cleanRecords, type CleanReport } from "../data/clean.ts";
import { type CsvRecord, type Label, LABELS } from "../data/types.ts";
import type { ModelBundle } from "../model/bundle.ts";
import {
  type ConversationColumns,
  detectConversationColumns,
  hasConversations,
  rowsToMessages,
} from "../data/conversation.ts";
import { predictInContext } from "../infer/context.ts";
import { type BatchPredictor, createBatchPredictor } from "../infer/classify_file.ts";
import { confusionMatrixChart, perClassChart, rocChart } from "../plot/model_charts.ts";
import { majorityBaseline, questionMarkRule } from "./baselines.ts";
import { computeMetrics, type Metrics, metricsFromPredictions } from "./metrics.ts";

/** Options of {@linkcode loadLabelledCsv}. */
export interface LoadLabelledOptions {
  /** Text column. @default "text" when the header has text+label, else "message" */
  textColumn?: string;
  /** Label column. @default "label" when the header has text+label, else "message_type" */
  labelColumn?: string;
  /** Keeps only the records it returns true for, e.g. `(r) => r.values.seed_split === "test"`. */
  filter?: (record: CsvRecord) => boolean;
}

/** A row left out of an evaluation and why. */
export interface SkippedRow {
  /** 1-based line of the row in the CSV. */
  line: number;
  /** Why it was left out. */
  reason: string;
}

/** How many rows could not be scored, by reason, with the first few lines. */
export interface SkippedSummary {
  /** Rows left out (malformed, unknown label or empty text). */
  total: number;
  /** Rows whose field count differs from the header's. */
  malformed: number;
  /** Labels other than question/answer/comment and how often each occurred. */
  unknownLabels: Record<string, number>;
  /** Rows with a valid label but no text. */
  emptyText: number;
  /**
   * Rows with an empty label: context only (used as the context of scored rows, not scored
   * themselves); not counted in `total`.
   */
  contextOnly?: number;
  /** The first 20 skipped rows with their 1-based line numbers. */
  examples: SkippedRow[];
}

/** Labelled rows ready to score. */
export interface LabelledRows {
  texts: string[];
  /** Class ids in {@linkcode LABELS} order. */
  y: Int32Array;
  lines: number[];
  textColumn: string;
  labelColumn: string;
  /** Rows the filter kept (before skipping bad ones). */
  selected: number;
  skipped: SkippedSummary;
  /** The file's header and every readable row the filter kept, scored or not (context). */
  header: string[];
  records: CsvRecord[];
}

const EXAMPLES = 20;

/**
 * Reads a labelled CSV for evaluation: keeps every row with a known label and non-empty text,
 * duplicates included (evaluation scores the file as it is), and reports the rest by line.
 * @throws {SyntaxError} when the text or label column is missing or the file is not CSV
 */
export async function loadLabelledCsv(
  path: string,
  options: LoadLabelledOptions = {},
): Promise<LabelledRows> {
  const table = await readCsv(path);
  const textColumn = options.textColumn ??
    (table.header.includes("text") ? "text" : "message");
  const labelColumn = options.labelColumn ??
    (table.header.includes("label") ? "label" : "message_type");
  for (const column of [textColumn, labelColumn]) {
    if (!table.header.includes(column)) {
      throw new SyntaxError(
        `Cannot evaluate on "${path}": column "${column}" is missing (header: ${
          table.header.join(",")
        })`,
      );
    }
  }
  const records = options.filter ? table.records.filter(options.filter) : table.records;
  const tooLong = tooLongRow(records, textColumn);
  if (tooLong) throw new RangeError(`Cannot evaluate on "${path}": ${tooLong}`);
  const { items, report } = cleanRecords(records, {
    textColumn,
    labelColumn,
    dropDuplicates: false,
  });
  const examples: SkippedRow[] = table.problems.slice(0, EXAMPLES).map((p) => ({ ...p }));
  const kept = new Set(items.map((i) => i.line));
  for (const { line, values } of records) {
    if (examples.length >= EXAMPLES) break;
    if (kept.has(line)) continue;
    const label = (values[labelColumn] ?? "").trim().toLowerCase();
    if (label === "") continue; // context only
    examples.push({
      line,
      reason: (LABELS as readonly string[]).includes(label)
        ? "empty text"
        : `unknown label ${JSON.stringify(values[labelColumn] ?? "")}`,
    });
  }
  examples.sort((a, b) => a.line - b.line);
  return {
    texts: items.map((i) => i.text),
    y: Int32Array.from(items, (i) => LABELS.indexOf(i.label)),
    lines: items.map((i) => i.line!),
    textColumn,
    labelColumn,
    selected: records.length,
    skipped: summarizeSkipped(report, table.problems.length, examples),
    header: table.header,
    records,
  };
}

function summarizeSkipped(
  report: CleanReport,
  malformed: number,
  examples: SkippedRow[],
): SkippedSummary {
  const { "": contextOnly = 0, ...unknownLabels } = report.unknownLabels;
  const unknown = Object.values(unknownLabels).reduce((a, b) => a + b, 0);
  return {
    total: malformed + unknown + report.emptyText,
    malformed,
    unknownLabels,
    emptyText: report.emptyText,
    ...(contextOnly > 0 ? { contextOnly } : {}),
    examples,
  };
}

/** Options of {@linkcode evaluateLabelledCsv}. */
export interface EvaluateOptions extends LoadLabelledOptions {
  /** Training label counts for the majority baseline. @default the model's metadata
   * (`data.rows.train`); when absent, the evaluated rows' own majority (reported as such) */
  trainLabelCounts?: Partial<Record<Label, number>>;
  /** How probabilities are computed. @default the sparse fast path for builtin features, else tfjs */
  predict?: BatchPredictor;
  /** Rows per prediction batch. @default 2048 */
  batchSize?: number;
  /** Called after each batch. */
  onProgress?: (done: number, total: number) => void;
  /**
   * `"auto"`: a context model reads each message in its conversation when the file has
   * conversation columns (`conversation_id` / `position`, `speaker` or `user_name`, `reply_to`,
   * `timestamp`); `"off"`: every message alone. @default "auto"
   */
  context?: "auto" | "off";
  /** Conversation column names, when detection by name is not enough. */
  conversationColumns?: Partial<ConversationColumns>;
  /** Keep at most this many points per ROC curve (AUC stays exact); results land in model
   * metadata, where full curves of thousands of rows would weigh megabytes. @default 201 */
  rocPoints?: number;
}

/** The two trivial baselines scored on the same rows as the model. */
export interface Baselines {
  /** "contains ? → question, else comment" */
  questionMark: Metrics;
  /** Always the majority class. */
  majority: Metrics;
  /** The class the majority baseline always predicts. */
  majorityLabel: Label;
  /** Whose majority: the model's training labels, or (when unknown) the evaluated rows'. */
  majorityFrom: "training" | "evaluation";
}

/** What {@linkcode evaluateLabelledCsv} returns; JSON-serialisable (stored in model metadata). */
export interface EvalResult {
  /** Path of the CSV evaluated. */
  source: string;
  /** Rows scored. */
  n: number;
  /** Column the texts were read from. */
  textColumn: string;
  /** Column the true labels were read from. */
  labelColumn: string;
  /** True labels of the scored rows, counted. */
  labelCounts: Record<Label, number>;
  /** The model's scores. */
  metrics: Metrics;
  /** The trivial baselines' scores on the same rows. */
  baselines: Baselines;
  /** Rows that could not be scored, by reason. */
  skipped: SkippedSummary;
  /** Model run that was evaluated, when known. */
  runId?: string;
  /** Seconds spent predicting (reading the file excluded). */
  seconds: number;
  /** Scored messages per second (prediction only). */
  messagesPerSecond: number;
  /** How messages were read: in their conversation, or each alone. */
  mode: "context" | "alone";
}

/**
 * Scores `bundle` on a labelled CSV, with the "?" rule and majority baseline on the same rows.
 * @example
 * ```ts
 * const result = await evaluateLabelledCsv(bundle, "../shared/data/real/nps_chat.csv");
 * console.log(formatEvalResult(result));
 * ```
 * @throws {RangeError} when no row is left to score
 */
export async function evaluateLabelledCsv(
  bundle: ModelBundle,
  path: string,
  options: EvaluateOptions = {},
): Promise<EvalResult> {
  const rows = await loadLabelledCsv(path, options);
  if (rows.texts.length === 0) {
    throw new RangeError(
      `Cannot evaluate on "${path}": no scorable rows (${rows.skipped.total} skipped of ${rows.selected})`,
    );
  }
  const n = rows.texts.length;
  let probabilities = new Float32Array(n * LABELS.length);
  const columns = detectConversationColumns(rows.header, options.conversationColumns);
  const mode = bundle.metadata?.context && (options.context ?? "auto") === "auto" &&
      hasConversations(columns)
    ? "context"
    : "alone";
  const started = performance.now();
  if (mode === "context") {
    // every row is a message of its conversation (unlabelled ones are context); score the
    // labelled ones
    const messages = rowsToMessages(rows.records, rows.textColumn, columns);
    const all = await predictInContext(bundle, messages);
    const rowOfLine = new Map(rows.records.map((r, i) => [r.line, i]));
    const k = LABELS.length;
    probabilities = new Float32Array(n * k);
    rows.lines.forEach((line, j) => {
      const i = rowOfLine.get(line)!;
      probabilities.set(all.subarray(i * k, (i + 1) * k), j * k);
    });
    options.onProgress?.(n, n);
  } else {
    const predict = options.predict ?? createBatchPredictor(bundle);
    const batchSize = options.batchSize ?? 2048;
    for (let start = 0; start < n; start += batchSize) {
      const batch = rows.texts.slice(start, start + batchSize);
      probabilities.set(await predict(batch), start * LABELS.length);
      options.onProgress?.(Math.min(n, start + batchSize), n);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const trainCounts = options.trainLabelCounts ?? trainingLabelCounts(bundle.metadata);
  const result: EvalResult = {
    source: path,
    n,
    textColumn: rows.textColumn,
    labelColumn: rows.labelColumn,
    labelCounts: countIds(rows.y),
    metrics: thinRoc(computeMetrics(rows.y, probabilities), options.rocPoints ?? 201),
    baselines: scoreBaselines(rows.texts, rows.y, trainCounts),
    skipped: rows.skipped,
    seconds,
    messagesPerSecond: n / Math.max(seconds, 1e-9),
    mode,
  };
  const runId = (bundle.metadata as { runId?: unknown } | undefined)?.runId;
  if (typeof runId === "string") result.runId = runId;
  return result;
}

/** Alias of {@linkcode evaluateLabelledCsv} under the name CONTRACTS.md uses. */
export const evaluateFile = evaluateLabelledCsv;

/**
 * Scores the "?" rule and the majority class on `texts`/`y`. The majority comes from
 * `trainCounts` when given (the honest baseline: it knows only the training data), else from `y`.
 */
export function scoreBaselines(
  texts: readonly string[],
  y: Int32Array,
  trainCounts?: Partial<Record<Label, number>>,
): Baselines {
  const fromTraining = trainCounts !== undefined &&
    LABELS.some((l) => (trainCounts[l] ?? 0) > 0);
  const counts = fromTraining
    ? LABELS.map((l) => trainCounts![l] ?? 0)
    : LABELS.map((l) => countIds(y)[l]);
  let majority = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c]! > counts[majority]!) majority = c;
  return {
    questionMark: metricsFromPredictions(y, questionMarkRule(texts)),
    majority: metricsFromPredictions(y, majorityBaseline([majority], y.length)),
    majorityLabel: LABELS[majority]!,
    majorityFrom: fromTraining ? "training" : "evaluation",
  };
}

/** The training split's label counts recorded in model metadata (`data.rows.train`), if any. */
export function trainingLabelCounts(
  metadata: { data?: Record<string, unknown> } | undefined,
): Partial<Record<Label, number>> | undefined {
  const rows = metadata?.data?.rows as { train?: Record<string, unknown> } | undefined;
  const train = rows?.train;
  if (typeof train !== "object" || train === null) return undefined;
  const counts: Partial<Record<Label, number>> = {};
  for (const label of LABELS) {
    const value = train[label];
    if (typeof value === "number") counts[label] = value;
  }
  return Object.keys(counts).length > 0 ? counts : undefined;
}

/** Returns `metrics` with each ROC curve reduced to at most `points` evenly spaced points
 * (first and last kept); the AUC is the full curve's. */
export function thinRoc(metrics: Metrics, points: number): Metrics {
  if (!metrics.roc) return metrics;
  const roc = { ...metrics.roc };
  for (const label of LABELS) {
    const curve = roc[label];
    const n = curve.fpr.length;
    if (n <= points || points < 2) continue;
    const keep = Array.from({ length: points }, (_, i) => Math.round(i * (n - 1) / (points - 1)));
    roc[label] = {
      fpr: keep.map((i) => curve.fpr[i]!),
      tpr: keep.map((i) => curve.tpr[i]!),
      thresholds: keep.map((i) => curve.thresholds[i]!),
      auc: curve.auc,
    };
  }
  return { ...metrics, roc };
}

function countIds(y: ArrayLike<number>): Record<Label, number> {
  const counts = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  for (let i = 0; i < y.length; i++) counts[LABELS[y[i]!]!]++;
  return counts;
}

/**
 * Writes `metrics.json` (the whole result) and `confusion.svg`, `roc.svg`, `per_class.svg`
 * into `dir` atomically.
 * @returns the paths written
 */
export async function writeEvalReport(dir: string, result: EvalResult): Promise<string[]> {
  const set = result.source.split("/").pop() ?? result.source;
  const files: [string, string][] = [
    ["metrics.json", JSON.stringify(result, null, 2) + "\n"],
    [
      "confusion.svg",
      confusionMatrixChart(result.metrics, { title: `Confusion matrix on ${set} (n=${result.n})` })
        .svg,
    ],
  ];
  if (result.metrics.roc) {
    files.push(["roc.svg", rocChart(result.metrics, { title: `ROC curves on ${set}` }).svg]);
  }
  files.push([
    "per_class.svg",
    perClassChart(result.metrics, { title: `Precision, recall and F1 on ${set}` }).svg,
  ]);
  const paths: string[] = [];
  for (const [name, content] of files) {
    const path = join(dir, name);
    await writeFileAtomic(path, content);
    paths.push(path);
  }
  return paths;
}
