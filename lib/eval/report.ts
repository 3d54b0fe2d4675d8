/**
 * Text reports of metrics: aligned tables for the terminal and Markdown for RESULTS.md.
 * @module
 */

import { LABELS } from "../data/types.ts";
import type { Metrics } from "./metrics.ts";

/** One row of {@linkcode formatMetricsTable}: a named system scored on some rows. */
export interface MetricsRow {
  /** Label of the row (the system's name). */
  name: string;
  /** Its scores. */
  metrics: Metrics;
}

/** Options of {@linkcode formatMetricsTable}. */
export interface TableOptions {
  /** Emit a GitHub Markdown table instead of space-aligned text. @default false */
  markdown?: boolean;
  /** Decimals of every score. @default 3 */
  digits?: number;
}

/**
 * Formats systems side by side: n, accuracy, macro-F1, weighted-F1 and the F1 of each class.
 *
 * @example
 * ```ts
 * console.log(formatMetricsTable([{ name: "model", metrics }, { name: '"?" rule', metrics: rule }]));
 * ```
 */
export function formatMetricsTable(
  rows: readonly MetricsRow[],
  options: TableOptions = {},
): string {
  const digits = options.digits ?? 3;
  const header = ["", "n", "accuracy", "macro-F1", "weighted-F1", ...LABELS.map((l) => `F1 ${l}`)];
  const body = rows.map(({ name, metrics: m }) => [
    name,
    String(m.n),
    m.accuracy.toFixed(digits),
    m.macroF1.toFixed(digits),
    m.weightedF1.toFixed(digits),
    ...LABELS.map((l) => m.perClass[l].f1.toFixed(digits)),
  ]);
  return options.markdown ? markdownTable(header, body) : alignedTable(header, body);
}

/** Formats per-class precision, recall, F1 and support of one system. */
export function formatPerClassTable(metrics: Metrics, options: TableOptions = {}): string {
  const digits = options.digits ?? 3;
  const header = ["class", "precision", "recall", "F1", "support"];
  const body = LABELS.map((l) => {
    const c = metrics.perClass[l];
    return [
      l,
      c.precision.toFixed(digits),
      c.recall.toFixed(digits),
      c.f1.toFixed(digits),
      String(c.support),
    ];
  });
  return options.markdown ? markdownTable(header, body) : alignedTable(header, body);
}

/** Formats the confusion matrix with true classes as rows and predicted classes as columns. */
export function formatConfusion(metrics: Metrics, options: TableOptions = {}): string {
  const header = ["true \\ predicted", ...LABELS];
  const body = LABELS.map((l, i) => [l, ...(metrics.confusion[i] ?? []).map(String)]);
  return options.markdown ? markdownTable(header, body) : alignedTable(header, body);
}

/** Right-aligns every column but the first, two spaces apart. */
function alignedTable(header: readonly string[], body: readonly string[][]): string {
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? "").length)));
  return all
    .map((r) =>
      r.map((cell, c) => c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)).join("  ")
        .trimEnd()
    )
    .join("\n");
}

/** GitHub Markdown table, numeric columns right-aligned. */
function markdownTable(header: readonly string[], body: readonly string[][]): string {
  const escape = (s: string) => s.replaceAll("|", "\\|");
  const lines = [
    `| ${header.map(escape).join(" | ")} |`,
    `|${header.map((_, c) => c === 0 ? "---" : "---:").join("|")}|`,
    ...body.map((r) => `| ${r.map(escape).join(" | ")} |`),
  ];
  return lines.join("\n");
}

/** What {@linkcode formatEvalResult} prints; structurally an `EvalResult` of evaluate.ts. */
export interface EvalSummary {
  source: string;
  n: number;
  metrics: Metrics;
  baselines: {
    questionMark: Metrics;
    majority: Metrics;
    majorityLabel: string;
    majorityFrom: string;
  };
  skipped: {
    total: number;
    malformed: number;
    unknownLabels: Record<string, number>;
    emptyText: number;
    contextOnly?: number;
    examples: { line: number; reason: string }[];
  };
  /** How messages were read, when known. */
  mode?: "context" | "alone";
}

/**
 * The CLI report of one evaluation: model vs the "?" rule vs the majority class, the model's
 * per-class scores, its confusion matrix, ROC AUCs, and which rows were skipped and why.
 */
export function formatEvalResult(result: EvalSummary, options: TableOptions = {}): string {
  const { metrics, baselines, skipped } = result;
  const lines = [
    `${result.source}: ${result.n} rows scored` +
    (result.mode === "context" ? " (each read in its conversation)" : "") +
    (skipped.contextOnly ? `, ${skipped.contextOnly} unlabelled rows used as context only` : "") +
    (skipped.total > 0 ? `, ${skipped.total} skipped` : ""),
    "",
    formatMetricsTable([
      { name: "model", metrics },
      { name: '"?" rule', metrics: baselines.questionMark },
      {
        name: `majority (${baselines.majorityLabel}, of ${baselines.majorityFrom} labels)`,
        metrics: baselines.majority,
      },
    ], options),
    "",
    formatPerClassTable(metrics, options),
    "",
    formatConfusion(metrics, options),
  ];
  if (metrics.roc) {
    lines.push(
      "",
      `ROC AUC (one vs rest): ${
        LABELS.map((l) => {
          // a class with no rows (or only its rows) has no ROC curve: its 0 is no score
          const support = metrics.perClass[l].support;
          return support === 0 || support === metrics.n
            ? `${l} n/a (${support === 0 ? "no" : "only"} ${l} rows)`
            : `${l} ${metrics.roc![l].auc.toFixed(3)}`;
        }).join(", ")
      }`,
    );
  }
  if (skipped.total > 0) {
    const unknown = Object.entries(skipped.unknownLabels)
      .map(([label, count]) => `${JSON.stringify(label)}×${count}`).join(", ");
    const parts = [
      skipped.malformed > 0 ? `${skipped.malformed} malformed` : "",
      unknown ? `unknown labels ${unknown}` : "",
      skipped.emptyText > 0 ? `${skipped.emptyText} with empty text` : "",
    ].filter((p) => p !== "");
    lines.push("", `skipped ${skipped.total} rows: ${parts.join("; ")}`);
    for (const { line, reason } of skipped.examples.slice(0, 5)) {
      lines.push(`  line ${line}: ${reason}`);
    }
    if (skipped.total > 5) lines.push(`  … (first ${skipped.examples.length} in metrics.json)`);
  }
  return lines.join("\n");
}
