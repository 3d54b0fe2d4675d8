/**
 * Charts of the community report: how long questions wait for a first answer, and when
 * questions are asked (weekday × hour).
 * @module
 */

import * as Plot from "@observablehq/plot";
import { type Chart, createChart, renderPlot } from "./chart.ts";

/** Bins of time to first answer, upper edges in seconds (the last is open-ended). */
const WAIT_BINS: readonly { label: string; upTo: number }[] = [
  { label: "< 1 min", upTo: 60 },
  { label: "1–5 min", upTo: 300 },
  { label: "5–15 min", upTo: 900 },
  { label: "15–60 min", upTo: 3600 },
  { label: "1–6 h", upTo: 6 * 3600 },
  { label: "6–24 h", upTo: 86_400 },
  { label: "> 1 day", upTo: Infinity },
];

/** Options of the community charts. */
export interface CommunityChartOptions {
  /** @default 560 */
  width?: number;
  title?: string;
}

/**
 * Bars of answered questions by time to first answer, plus one bar of unanswered questions.
 * @param waits seconds to first answer of each answered question
 */
export function timeToAnswerChart(
  waits: readonly number[],
  unanswered: number,
  options: CommunityChartOptions = {},
): Chart {
  const rows = WAIT_BINS.map((b) => ({ bin: b.label, count: 0, kind: "answered" }));
  for (const w of waits) {
    const i = WAIT_BINS.findIndex((b) => w < b.upTo);
    rows[i === -1 ? rows.length - 1 : i]!.count++;
  }
  rows.push({ bin: "unanswered", count: unanswered, kind: "unanswered" });
  const title = options.title ?? "Time to first answer";
  const width = options.width ?? 560;
  const svg = renderPlot({
    width,
    height: 260,
    marginBottom: 40,
    title,
    x: { label: null, domain: rows.map((r) => r.bin) },
    y: { label: "questions", grid: true },
    color: { domain: ["answered", "unanswered"], range: ["#4e79a7", "#e15759"] },
    marks: [
      Plot.barY(rows, { x: "bin", y: "count", fill: "kind" }),
      Plot.text(rows, { x: "bin", y: "count", text: (r) => String(r.count), dy: -6 }),
      Plot.ruleY([0]),
    ],
  });
  return createChart(svg);
}

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/**
 * A weekday × hour heat map of questions asked (UTC).
 * @param counts `[weekday 0 = Monday][hour]`
 */
export function weekdayHourChart(
  counts: readonly (readonly number[])[],
  options: CommunityChartOptions = {},
): Chart {
  const rows = counts.flatMap((hours, d) =>
    hours.map((count, hour) => ({ day: WEEKDAYS[d]!, hour, count }))
  );
  const title = options.title ?? "Questions by weekday and hour (UTC)";
  const width = options.width ?? 560;
  const svg = renderPlot({
    width,
    height: 230,
    marginLeft: 40,
    title,
    padding: 0.05,
    x: { label: "hour (UTC)", domain: Array.from({ length: 24 }, (_, h) => h) },
    y: { label: null, domain: WEEKDAYS },
    color: { scheme: "blues", type: "linear", zero: true },
    marks: [Plot.cell(rows, { x: "hour", y: "day", fill: "count", title: "count" })],
  });
  return createChart(svg);
}
