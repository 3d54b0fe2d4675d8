/**
 * Metrics of several systems side by side as an HTML table, e.g. the model beside the "?" rule
 * on real chat, with the best score of each column in bold.
 * @module
 */

import { LABELS } from "../data/types.ts";
import type { Metrics } from "../eval/metrics.ts";
import { createHtmlView, escapeXml, type HtmlView } from "./chart.ts";

/** One row of {@linkcode metricsTableView}: a named system scored on some rows. */
export interface MetricsTableRow {
  name: string;
  metrics: Metrics;
}

/** Options of {@linkcode metricsTableView}. */
export interface MetricsTableOptions {
  /** Caption above the table. */
  caption?: string;
  /** Decimals of every score. @default 3 */
  digits?: number;
}

/** Renders n, accuracy, macro-F1, weighted-F1 and per-class F1 of each row as an HTML table. */
export function metricsTableView(
  rows: readonly MetricsTableRow[],
  options: MetricsTableOptions = {},
): HtmlView {
  const digits = options.digits ?? 3;
  const columns: { name: string; value: (m: Metrics) => number }[] = [
    { name: "accuracy", value: (m) => m.accuracy },
    { name: "macro F1", value: (m) => m.macroF1 },
    { name: "weighted F1", value: (m) => m.weightedF1 },
    ...LABELS.map((label) => ({
      name: `F1 ${label}`,
      value: (m: Metrics) => m.perClass[label].f1,
    })),
  ];
  const best = columns.map((column) => Math.max(...rows.map((r) => column.value(r.metrics))));
  const header = ["system", "n", ...columns.map((c) => c.name)];
  // Each cell: its text, and whether it is the best of its column (bold when comparing rows).
  const body = rows.map((row) => [
    { text: row.name, best: false },
    { text: String(row.metrics.n), best: false },
    ...columns.map((column, i) => {
      const value = column.value(row.metrics);
      return { text: value.toFixed(digits), best: rows.length > 1 && value === best[i] };
    }),
  ]);
  const align = (i: number) => (i === 0 ? "left" : "right");
  const td = (tag: "td" | "th", i: number, content: string) =>
    `<${tag} style="text-align:${align(i)};padding:2px 8px">${content}</${tag}>`;
  const caption = options.caption
    ? `<caption style="text-align:left">${escapeXml(options.caption)}</caption>`
    : "";
  const html = `<table style="border-collapse:collapse;font-family:system-ui,sans-serif;` +
    `font-size:13px">${caption}<thead><tr>` +
    header.map((h, i) => td("th", i, escapeXml(h))).join("") +
    `</tr></thead><tbody>` +
    body.map((cells) =>
      "<tr>" +
      cells.map((c, i) => td("td", i, c.best ? `<b>${c.text}</b>` : escapeXml(c.text))).join("") +
      "</tr>"
    ).join("") +
    `</tbody></table>`;
  const plain = [header, ...body.map((cells) => cells.map((c) => c.text))];
  const widths = header.map((_, i) => Math.max(...plain.map((r) => r[i]!.length)));
  const lines = plain.map((r) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")
  );
  const text = [...(options.caption ? [options.caption] : []), ...lines].join("\n");
  return createHtmlView(html, text);
}
