/**
 * Charts of a model: how training went, and how its predictions compare with the truth
 * (confusion matrix, ROC curves, precision / recall / F1 per class).
 * @module
 */

import * as Plot from "@observablehq/plot";
import { LABELS } from "../data/types.ts";
import type { Metrics } from "../eval/metrics.ts";
import type { EpochLog } from "../model/train.ts";
import {
  type Chart,
  CLASS_COLORS,
  CLASS_SCALE,
  createChart,
  legendSvg,
  renderPlot,
  stackSvgs,
} from "./chart.ts";

/** Options shared by the model charts. */
export interface ModelChartOptions {
  /** Heading above the chart. */
  title?: string;
}

const SERIES_COLORS = { train: "#4e79a7", validation: "#e15759" };

/** Options of {@linkcode trainingCurveChart}. */
export interface TrainingCurveOptions extends ModelChartOptions {
  /** Fix the x axis to this many epochs, so a live chart does not rescale every epoch. */
  epochs?: number;
  /** Epoch to mark as the one whose weights were kept. */
  bestEpoch?: number;
}

/**
 * Loss and accuracy per epoch, training vs validation, side by side. Validation loss rising
 * while training loss falls is overfitting; early stopping keeps the best epoch.
 */
export function trainingCurveChart(
  history: readonly EpochLog[],
  options: TrainingCurveOptions = {},
): Chart {
  const rows = history.flatMap((log) => [
    { epoch: log.epoch, metric: "loss", series: "train", value: log.loss },
    { epoch: log.epoch, metric: "loss", series: "validation", value: log.valLoss },
    { epoch: log.epoch, metric: "accuracy", series: "train", value: log.accuracy },
    { epoch: log.epoch, metric: "accuracy", series: "validation", value: log.valAccuracy },
  ]);
  const lastEpoch = Math.max(1, options.epochs ?? 0, ...history.map((log) => log.epoch));
  const panel = (metric: "loss" | "accuracy") => {
    const data = rows.filter((r) => r.metric === metric);
    const best = options.bestEpoch === undefined ? [] : [options.bestEpoch];
    return renderPlot({
      width: 300,
      height: 220,
      marginLeft: 45,
      x: { label: "epoch", domain: [1, lastEpoch], grid: true },
      y: {
        label: metric,
        grid: true,
        ...(metric === "accuracy"
          ? { domain: [Math.min(0.5, ...data.map((r) => r.value)), 1] }
          : {}),
        tickFormat: (v: number) => v.toFixed(2),
      },
      color: { domain: ["train", "validation"], range: Object.values(SERIES_COLORS) },
      marks: [
        Plot.ruleX(best, { stroke: "#999", strokeDasharray: "4,3" }),
        Plot.line(data, { x: "epoch", y: "value", stroke: "series", z: "series" }),
        Plot.dot(data, { x: "epoch", y: "value", fill: "series", r: 2 }),
      ],
    });
  };
  const title = options.title ?? `Training (${history.length} epochs` +
      (options.bestEpoch === undefined ? ")" : `, best ${options.bestEpoch})`);
  const svg = stackSvgs([
    legendSvg(["train", "validation"], { colors: SERIES_COLORS, swatch: "line" }),
    stackSvgs([panel("loss"), panel("accuracy")]),
  ], { title, direction: "column" });
  return createChart(svg);
}

/**
 * Heatmap of the confusion matrix: rows are the true class, columns the predicted one; each cell
 * shows its count and the share of its row (the recall on the diagonal).
 */
export function confusionMatrixChart(
  metrics: Pick<Metrics, "confusion">,
  options: ModelChartOptions = {},
): Chart {
  const cells = metrics.confusion.flatMap((row, t) => {
    const total = row.reduce((sum, count) => sum + count, 0);
    return row.map((count, p) => ({
      actual: LABELS[t] ?? `class ${t}`,
      predicted: LABELS[p] ?? `class ${p}`,
      count,
      share: total > 0 ? count / total : 0,
    }));
  });
  const classes = [...new Set(cells.map((c) => c.actual))];
  const title = options.title ?? "Confusion matrix (share of each true class)";
  const svg = renderPlot({
    width: 420,
    height: 360,
    marginLeft: 90,
    marginBottom: 50,
    x: { label: "predicted →", domain: classes, axis: "bottom", labelAnchor: "center" },
    y: { label: "↑ true", domain: classes, labelAnchor: "center" },
    color: { type: "linear", domain: [0, 1], range: ["#f7fbff", "#08306b"] },
    marks: [
      Plot.cell(cells, { x: "predicted", y: "actual", fill: "share", inset: 1 }),
      Plot.text(cells, {
        x: "predicted",
        y: "actual",
        text: (c: typeof cells[number]) => `${c.count}\n${(100 * c.share).toFixed(1)}%`,
        fill: (c: typeof cells[number]) => (c.share > 0.5 ? "white" : "black"),
        fontSize: 12,
      }),
    ],
  });
  return createChart(stackSvgs([svg], { title }));
}

/**
 * One-vs-rest ROC curve per class with its AUC in the legend; the dashed diagonal is chance.
 * @throws {TypeError} when `metrics.roc` is absent (metrics computed without probabilities).
 */
export function rocChart(metrics: Pick<Metrics, "roc">, options: ModelChartOptions = {}): Chart {
  const roc = metrics.roc;
  if (!roc) {
    throw new TypeError(
      "Cannot draw ROC curves: metrics have no roc (compute them from probabilities)",
    );
  }
  const classes = LABELS.filter((label) => roc[label]);
  const names = Object.fromEntries(
    classes.map((label) => [label, `${label} (AUC ${roc[label].auc.toFixed(3)})`]),
  );
  const points = classes.flatMap((label) =>
    roc[label].fpr.map((fpr, i) => ({ label, name: names[label]!, fpr, tpr: roc[label].tpr[i]! }))
  );
  const colors = Object.fromEntries(classes.map((label) => [names[label]!, CLASS_COLORS[label]!]));
  const title = options.title ?? "ROC curves, one class vs the rest";
  const svg = renderPlot({
    width: 400,
    height: 400,
    x: { label: "false positive rate →", domain: [0, 1], grid: true },
    y: { label: "↑ true positive rate", domain: [0, 1], grid: true },
    color: CLASS_SCALE,
    marks: [
      Plot.line([[0, 0], [1, 1]], { stroke: "#999", strokeDasharray: "4,3" }),
      Plot.line(points, { x: "fpr", y: "tpr", stroke: "label", strokeWidth: 2 }),
    ],
  });
  const legend = legendSvg(classes.map((label) => names[label]!), { colors, swatch: "line" });
  return createChart(stackSvgs([legend, svg], { title, direction: "column" }));
}

const SCORE_COLORS = { precision: "#76b7b2", recall: "#edc948", f1: "#b07aa1" };

/** Grouped bars of precision, recall and F1 for each class, with the support in the axis label. */
export function perClassChart(
  metrics: Pick<Metrics, "perClass">,
  options: ModelChartOptions = {},
): Chart {
  const classes = LABELS.filter((label) => metrics.perClass[label]);
  const scores = ["precision", "recall", "f1"] as const;
  const rows = classes.flatMap((label) =>
    scores.map((score) => ({
      label: `${label} (n=${metrics.perClass[label].support})`,
      score,
      value: metrics.perClass[label][score],
    }))
  );
  const groups = [...new Set(rows.map((r) => r.label))];
  const title = options.title ?? "Precision, recall and F1 per class";
  const svg = renderPlot({
    width: 520,
    height: 300,
    marginBottom: 40,
    fx: { label: null, domain: groups, padding: 0.15 },
    x: { axis: null, domain: [...scores] },
    y: { label: "score", domain: [0, 1], grid: true },
    color: { domain: [...scores], range: Object.values(SCORE_COLORS) },
    marks: [
      Plot.barY(rows, { fx: "label", x: "score", y: "value", fill: "score" }),
      Plot.text(rows, {
        fx: "label",
        x: "score",
        y: "value",
        text: (r: typeof rows[number]) => r.value.toFixed(2),
        dy: -6,
        fontSize: 9,
      }),
      Plot.ruleY([0]),
    ],
  });
  const legend = legendSvg([...scores], { colors: SCORE_COLORS });
  return createChart(stackSvgs([legend, svg], { title, direction: "column" }));
}
