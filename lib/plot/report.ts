/**
 * Writes a trained model's charts as SVG files into its report folder.
 * @module
 */

import { join } from "node:path";
import { writeFileAtomic } from "../data/atomic.ts";
import type { Metrics } from "../eval/metrics.ts";
import type { EpochLog } from "../model/train.ts";
import {
  confusionMatrixChart,
  perClassChart,
  rocChart,
  trainingCurveChart,
} from "./model_charts.ts";

/** What {@linkcode writeReportCharts} draws. */
export interface ReportChartsInput {
  /** Metrics on the test set (ROC curves need them computed from probabilities). */
  metrics: Metrics;
  /** Per-epoch log of training. */
  history: readonly EpochLog[];
  /** Epoch whose weights were kept, marked on the training curves. */
  bestEpoch?: number;
  /** Name of the evaluated set, used in the chart titles. @default "test" */
  setName?: string;
}

/**
 * Writes `confusion.svg`, `roc.svg` (when the metrics have ROC curves), `training.svg` and
 * `per_class.svg` into `dir` atomically, creating it if needed.
 * @returns the paths written, in that order
 */
export async function writeReportCharts(dir: string, input: ReportChartsInput): Promise<string[]> {
  const set = input.setName ?? "test";
  const charts: [string, string][] = [
    [
      "confusion.svg",
      confusionMatrixChart(input.metrics, {
        title: `Confusion matrix on ${set} (n=${input.metrics.n})`,
      })
        .svg,
    ],
  ];
  if (input.metrics.roc) {
    charts.push(["roc.svg", rocChart(input.metrics, { title: `ROC curves on ${set}` }).svg]);
  }
  charts.push([
    "training.svg",
    trainingCurveChart(input.history, { bestEpoch: input.bestEpoch }).svg,
  ]);
  charts.push([
    "per_class.svg",
    perClassChart(input.metrics, { title: `Precision, recall and F1 on ${set}` }).svg,
  ]);
  const paths: string[] = [];
  for (const [name, svg] of charts) {
    const path = join(dir, name);
    await writeFileAtomic(path, svg);
    paths.push(path);
  }
  return paths;
}
