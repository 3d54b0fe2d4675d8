/**
 * Charts that describe a dataset before any model sees it: how many messages of each class,
 * in which channels, and how long they are.
 * @module
 */

import * as Plot from "@observablehq/plot";
import { LABELS } from "../data/types.ts";
import { type Chart, CLASS_SCALE, createChart, legendSvg, renderPlot, stackSvgs } from "./chart.ts";

/** Options shared by the dataset charts. */
export interface DataChartOptions {
  /** Heading above the chart. */
  title?: string;
  /** Width in pixels. @default 560 */
  width?: number;
}

/** Labels in {@linkcode LABELS} order first, then any unexpected ones alphabetically. */
function labelOrder(labels: Iterable<string>): string[] {
  const seen = new Set(labels);
  const known = LABELS.filter((label) => seen.has(label));
  const other = [...seen].filter((label) => !(LABELS as readonly string[]).includes(label)).sort();
  return [...known, ...other];
}

function requireSameLength(what: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) {
    throw new RangeError(`Cannot draw ${what}: ${a.length} values but ${b.length} labels`);
  }
}

/**
 * Bars of how many messages carry each label, with counts and shares written on them.
 * @example
 * ```ts
 * classMixChart(messages.map((m) => m.messageType));
 * ```
 */
export function classMixChart(labels: readonly string[], options: DataChartOptions = {}): Chart {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  const rows = labelOrder(counts.keys()).map((label) => ({
    label,
    count: counts.get(label)!,
    share: counts.get(label)! / labels.length,
  }));
  const title = options.title ?? `Class mix (${labels.length} messages)`;
  const width = options.width ?? 560;
  const svg = renderPlot({
    width,
    height: 40 + 36 * Math.max(1, rows.length),
    marginLeft: 70,
    marginRight: 90,
    x: { label: "messages", grid: true },
    y: { label: null, domain: rows.map((r) => r.label) },
    color: CLASS_SCALE,
    marks: [
      Plot.barX(rows, { y: "label", x: "count", fill: "label" }),
      Plot.text(rows, {
        y: "label",
        x: "count",
        text: (r: typeof rows[number]) => `${r.count} (${(100 * r.share).toFixed(1)}%)`,
        textAnchor: "start",
        dx: 4,
      }),
      Plot.ruleX([0]),
    ],
  });
  return createChart(stackSvgs([svg], { title }));
}

/**
 * Stacked bars per channel, split by label: where the questions are asked and answered.
 * @param channels channel of each message
 * @param labels label of each message, same order
 */
export function channelMixChart(
  channels: readonly string[],
  labels: readonly string[],
  options: DataChartOptions = {},
): Chart {
  requireSameLength("channel mix", channels, labels);
  const counts = new Map<string, number>();
  for (let i = 0; i < channels.length; i++) {
    const key = `${channels[i]}\u0000${labels[i]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const rows = [...counts].map(([key, count]) => {
    const [channel, label] = key.split("\u0000") as [string, string];
    return { channel, label, count };
  });
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.channel, (totals.get(r.channel) ?? 0) + r.count);
  const channelOrder = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(
    ([c]) => c,
  );
  const classes = labelOrder(labels);
  const rank = new Map(classes.map((label, i) => [label, i]));
  rows.sort((a, b) => rank.get(a.label)! - rank.get(b.label)!);
  const title = options.title ?? `Messages per channel (${channels.length} messages)`;
  const width = options.width ?? 560;
  const longest = Math.max(0, ...channelOrder.map((c) => c.length));
  const svg = renderPlot({
    width,
    height: 40 + 26 * Math.max(1, channelOrder.length),
    marginLeft: Math.min(200, 16 + 6 * longest),
    x: { label: "messages", grid: true },
    y: { label: null, domain: channelOrder },
    color: CLASS_SCALE,
    marks: [
      Plot.barX(rows, Plot.stackX({ y: "channel", x: "count", fill: "label", order: null })),
      Plot.ruleX([0]),
    ],
  });
  return createChart(stackSvgs([legendSvg(classes), svg], { title, direction: "column" }));
}

/** Options of {@linkcode lengthChart}. */
export interface LengthChartOptions extends DataChartOptions {
  /** Longer messages are counted in the last bin. @default 60 */
  maxWords?: number;
}

/** Number of whitespace-separated words in `text`. */
export function wordCount(text: string): number {
  const trimmed = text.trim();
  return trimmed === "" ? 0 : trimmed.split(/\s+/).length;
}

/**
 * Histogram of message length in words, one panel per label: questions and answers are
 * usually longer than comments, which is part of what a classifier can pick up.
 */
export function lengthChart(
  texts: readonly string[],
  labels: readonly string[],
  options: LengthChartOptions = {},
): Chart {
  requireSameLength("message lengths", texts, labels);
  const maxWords = options.maxWords ?? 60;
  const binSize = Math.max(1, Math.ceil(maxWords / 30));
  const classes = labelOrder(labels);
  const counts = new Map<string, number>();
  const medians: Record<string, number> = {};
  const byClass = new Map<string, number[]>(classes.map((c) => [c, []]));
  for (let i = 0; i < texts.length; i++) {
    const words = wordCount(texts[i]!);
    byClass.get(labels[i]!)!.push(words);
    const bin = Math.min(Math.floor(words / binSize) * binSize, maxWords);
    const key = `${labels[i]}\u0000${bin}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [label, lengths] of byClass) medians[label] = median(lengths);
  const rows = [...counts].map(([key, count]) => {
    const [label, bin] = key.split("\u0000") as [string, string];
    return { label, x1: Number(bin), x2: Number(bin) + binSize, count };
  }).sort((a, b) => a.x1 - b.x1 || (a.label < b.label ? -1 : 1));
  const title = options.title ?? "Message length by class (words)";
  const width = options.width ?? 560;
  const svg = renderPlot({
    width,
    height: 30 + 90 * Math.max(1, classes.length),
    marginLeft: 50,
    marginRight: 70,
    x: { label: `words (last bin: ${maxWords}+)`, domain: [0, maxWords + binSize] },
    y: { label: "messages", grid: true, ticks: 3 },
    fy: { label: null, domain: classes, padding: 0.12 },
    color: CLASS_SCALE,
    marks: [
      Plot.rectY(rows, { x1: "x1", x2: "x2", y: "count", fy: "label", fill: "label", inset: 0.5 }),
      Plot.ruleX(classes, {
        x: (c: string) => medians[c],
        fy: (c: string) => c,
        strokeDasharray: "3,2",
      }),
      Plot.text(classes, {
        x: (c: string) => medians[c],
        fy: (c: string) => c,
        frameAnchor: "top",
        text: (c: string) => `median ${medians[c]}`,
        textAnchor: "start",
        dx: 3,
        dy: 4,
      }),
      Plot.ruleY([0]),
    ],
  });
  return createChart(stackSvgs([svg], { title }));
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
