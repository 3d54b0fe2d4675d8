/**
 * Cleaning: from raw CSV rows to `{ text, label, group }`, saying what was dropped and why.
 * @module
 */

import { type CsvRecord, isLabel, type Label, type LabeledText } from "./types.ts";

/** Options of {@linkcode cleanRecords}. */
export interface CleanOptions {
  /** Column holding the message text. @default "message" (or "text" when the header has it) */
  textColumn?: string;
  /** Column holding the label. @default "message_type" (or "label") */
  labelColumn?: string;
  /** Column grouping rows that must stay on one side of a split; absent → each row alone.
   * @default "conversation_id" */
  groupColumn?: string;
  /** Column copied into `split` (e.g. `seed_split`). @default undefined */
  splitColumn?: string;
  /** Drop rows whose text already appeared, keeping the first row. @default true */
  dropDuplicates?: boolean;
  /**
   * The label a kept text gets when its copies disagree: `"majority"` takes the most frequent
   * label among the copies (ties go to the earliest), so how often a short reply like "yeah" is
   * an answer versus a comment decides its label rather than which copy came first; `"first"`
   * keeps the first row's label.
   * @default "majority"
   */
  conflicts?: "majority" | "first";
}

/** How many rows each rule removed. */
export interface CleanReport {
  /** Rows read. */
  input: number;
  /** Rows in `items`. */
  kept: number;
  /** Rows with a valid label but no text after trimming. */
  emptyText: number;
  /** Unknown labels and how often each occurred, e.g. `{ "response": 3 }`. */
  unknownLabels: Record<string, number>;
  /** Rows dropped because their trimmed text appeared in an earlier row. */
  duplicates: number;
  /** Duplicated texts whose copies disagreed on the label (see `CleanOptions.conflicts`). */
  conflictingDuplicates: number;
  /** Kept rows whose label the majority of their copies overrode. */
  relabelled: number;
}

/** Output of {@linkcode cleanRecords}. */
export interface CleanResult {
  /** The kept rows, in file order. */
  items: LabeledText[];
  /** What each rule removed. */
  report: CleanReport;
}

/** Picks the text and label columns for a header: `text`/`label` if present, else the original's. */
export function detectColumns(
  header: readonly string[],
): { textColumn: string; labelColumn: string } {
  if (header.includes("text") && header.includes("label")) {
    return { textColumn: "text", labelColumn: "label" };
  }
  return { textColumn: "message", labelColumn: "message_type" };
}

/**
 * Selects text + label, lowercases and trims labels, keeps only question/answer/comment, trims
 * texts, drops empty texts and exact duplicate texts.
 *
 * @example
 * ```ts
 * const { items, report } = cleanRecords(table.records);
 * console.log(`${report.kept}/${report.input} rows kept`);
 * ```
 */
export function cleanRecords(
  records: readonly CsvRecord[],
  options: CleanOptions = {},
): CleanResult {
  const textColumn = options.textColumn ?? "message";
  const labelColumn = options.labelColumn ?? "message_type";
  const groupColumn = options.groupColumn ?? "conversation_id";
  const dropDuplicates = options.dropDuplicates ?? true;
  const report: CleanReport = {
    input: records.length,
    kept: 0,
    emptyText: 0,
    unknownLabels: {},
    duplicates: 0,
    conflictingDuplicates: 0,
    relabelled: 0,
  };
  const votes = dropDuplicates && (options.conflicts ?? "majority") === "majority"
    ? countVotes(records, textColumn, labelColumn)
    : undefined;
  const seen = new Map<string, string>();
  const items: LabeledText[] = [];
  for (const { line, values } of records) {
    const text = (values[textColumn] ?? "").trim();
    const label = (values[labelColumn] ?? "").trim().toLowerCase();
    if (!isLabel(label)) {
      report.unknownLabels[label] = (report.unknownLabels[label] ?? 0) + 1;
      continue;
    }
    if (text === "") {
      report.emptyText++;
      continue;
    }
    if (dropDuplicates) {
      const earlier = seen.get(text);
      if (earlier !== undefined) {
        report.duplicates++;
        if (earlier !== label) report.conflictingDuplicates++;
        continue;
      }
      seen.set(text, label);
    }
    const group = values[groupColumn] || `line-${line}`;
    const majority = votes?.get(text)?.winner ?? label;
    if (majority !== label) report.relabelled++;
    const item: LabeledText = { text, label: majority, group, line };
    if (options.splitColumn !== undefined) item.split = (values[options.splitColumn] ?? "").trim();
    items.push(item);
  }
  report.kept = items.length;
  return { items, report };
}

/** Tallies the labels of every valid text; `winner` is the most frequent, earliest on ties. */
function countVotes(
  records: readonly CsvRecord[],
  textColumn: string,
  labelColumn: string,
): Map<string, { counts: Map<Label, number>; winner: Label }> {
  const votes = new Map<string, { counts: Map<Label, number>; winner: Label }>();
  for (const { values } of records) {
    const text = (values[textColumn] ?? "").trim();
    const label = (values[labelColumn] ?? "").trim().toLowerCase();
    if (text === "" || !isLabel(label)) continue;
    let entry = votes.get(text);
    if (!entry) votes.set(text, entry = { counts: new Map(), winner: label });
    const count = (entry.counts.get(label) ?? 0) + 1;
    entry.counts.set(label, count);
    if (count > entry.counts.get(entry.winner)!) entry.winner = label;
  }
  return votes;
}

/** One line summarising a {@linkcode CleanReport}, e.g. for the CLI. */
export function describeCleanReport(r: CleanReport): string {
  const unknown = Object.entries(r.unknownLabels);
  const unknownCount = unknown.reduce((s, [, n]) => s + n, 0);
  const parts = [`kept ${r.kept} of ${r.input} rows`];
  if (unknownCount > 0) {
    const list = unknown.map(([l, n]) => `${JSON.stringify(l)}×${n}`).join(", ");
    parts.push(`${unknownCount} with a label other than question/answer/comment (${list})`);
  }
  if (r.emptyText > 0) parts.push(`${r.emptyText} with empty text`);
  if (r.duplicates > 0) {
    parts.push(
      `${r.duplicates} duplicate texts` +
        (r.conflictingDuplicates > 0 ? ` (${r.conflictingDuplicates} with another label)` : "") +
        (r.relabelled > 0 ? `; ${r.relabelled} kept texts took their copies' majority label` : ""),
    );
  }
  return parts.join("; ");
}
