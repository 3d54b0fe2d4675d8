/**
 * Classification metrics with scikit-learn's semantics: accuracy, per-class and averaged
 * precision / recall / F1, the confusion matrix, and one-vs-rest ROC curves with their AUC.
 *
 * Averages run over all of {@linkcode LABELS} (sklearn's `labels=[0, 1, 2]`), and a ratio whose
 * denominator is zero counts as 0 (sklearn's `zero_division=0`).
 * @module
 */

import { type Label, LABELS } from "../data/types.ts";

/** Precision, recall, F1 and support (number of true rows) of one class. */
export interface ClassReport {
  /** Share of rows predicted as this class that truly are. */
  precision: number;
  /** Share of rows truly of this class that were predicted as it. */
  recall: number;
  /** Harmonic mean of precision and recall. */
  f1: number;
  /** Rows truly of this class. */
  support: number;
}

/** A one-vs-rest ROC curve: points in order of descending `thresholds`, starting at (0, 0). */
export interface RocCurve {
  /** False-positive rate at each threshold. */
  fpr: number[];
  /** True-positive rate at each threshold. */
  tpr: number[];
  /** `thresholds[0]` is the highest score + 1 (as scikit-learn 1.2; newer versions use ∞). */
  thresholds: number[];
  /** Area under the curve by the trapezoid rule. */
  auc: number;
}

/** Everything {@linkcode computeMetrics} measures; classes in {@linkcode LABELS} order. */
export interface Metrics {
  /** Rows scored. */
  n: number;
  /** Share of rows predicted right. */
  accuracy: number;
  /** Unweighted mean of the per-class F1. */
  macroF1: number;
  /** Mean of the per-class F1 weighted by support. */
  weightedF1: number;
  /** Unweighted mean of the per-class precision. */
  macroPrecision: number;
  /** Unweighted mean of the per-class recall. */
  macroRecall: number;
  /** Mean of the per-class precision weighted by support. */
  weightedPrecision: number;
  /** Mean of the per-class recall weighted by support. */
  weightedRecall: number;
  /** Precision, recall, F1 and support of each class. */
  perClass: Record<Label, ClassReport>;
  /** `confusion[true][predicted]` counts. */
  confusion: number[][];
  /** One-vs-rest ROC per class; present when probabilities were given. */
  roc?: Record<Label, RocCurve>;
}

/** Options of {@linkcode computeMetrics}. */
export interface MetricsOptions {
  /**
   * Drop ROC points that lie on a straight line between their neighbours, as sklearn's
   * `roc_curve(drop_intermediate=True)`; the curve and its AUC are unchanged.
   * @default true
   */
  dropIntermediate?: boolean;
}

const CLASSES = LABELS.length;

/**
 * Metrics of class probabilities (`n × 3`, row-major, {@linkcode LABELS} order): the predicted
 * class is each row's argmax (the first on ties), and each class gets a one-vs-rest ROC curve.
 * @throws {TypeError} when the sizes disagree
 * @throws {RangeError} when there are no rows or a label is not a class id
 * @example
 * ```ts
 * const metrics = computeMetrics(Int32Array.from([0, 2]), Float32Array.from([0.8, 0.1, 0.1, 0.2, 0.3, 0.5]));
 * metrics.accuracy; // 1
 * ```
 */
export function computeMetrics(
  yTrue: ArrayLike<number>,
  probabilities: Float32Array,
  options: MetricsOptions = {},
): Metrics {
  if (probabilities.length !== yTrue.length * CLASSES) {
    throw new TypeError(
      `Cannot compute metrics: probabilities has ${probabilities.length} values, expected ${yTrue.length} rows × ${CLASSES} = ${
        yTrue.length * CLASSES
      }`,
    );
  }
  const yPred = new Int32Array(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) {
      if (probabilities[i * CLASSES + c]! > probabilities[i * CLASSES + best]!) best = c;
    }
    yPred[i] = best;
  }
  const metrics = metricsFromPredictions(yTrue, yPred);
  const dropIntermediate = options.dropIntermediate ?? true;
  const roc = {} as Record<Label, RocCurve>;
  LABELS.forEach((label, c) => {
    const scores = Float64Array.from(
      { length: yTrue.length },
      (_, i) => probabilities[i * CLASSES + c]!,
    );
    const positive = Array.from({ length: yTrue.length }, (_, i) => yTrue[i] === c);
    roc[label] = rocCurve(positive, scores, dropIntermediate);
  });
  return { ...metrics, roc };
}

/**
 * Metrics of hard predictions (class ids); no ROC curves.
 * @throws {TypeError} when the lengths disagree
 * @throws {RangeError} when there are no rows or an id is not a class id
 */
export function metricsFromPredictions(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
): Metrics {
  const n = yTrue.length;
  if (yPred.length !== n) {
    throw new TypeError(
      `Cannot compute metrics: ${n} true labels but ${yPred.length} predictions`,
    );
  }
  if (n === 0) throw new RangeError("Cannot compute metrics: there are no rows");
  const confusion = Array.from({ length: CLASSES }, () => new Array<number>(CLASSES).fill(0));
  for (let i = 0; i < n; i++) {
    const truth = checkClass(yTrue[i]!, "true label", i);
    const predicted = checkClass(yPred[i]!, "prediction", i);
    confusion[truth]![predicted]!++;
  }
  const perClass = {} as Record<Label, ClassReport>;
  let correct = 0;
  LABELS.forEach((label, c) => {
    const truePositives = confusion[c]![c]!;
    const support = confusion[c]!.reduce((sum, count) => sum + count, 0);
    const predicted = confusion.reduce((sum, row) => sum + row[c]!, 0);
    const precision = ratio(truePositives, predicted);
    const recall = ratio(truePositives, support);
    perClass[label] = {
      precision,
      recall,
      f1: ratio(2 * precision * recall, precision + recall),
      support,
    };
    correct += truePositives;
  });
  const reports = LABELS.map((label) => perClass[label]);
  const macro = (key: "precision" | "recall" | "f1") =>
    reports.reduce((sum, report) => sum + report[key], 0) / CLASSES;
  const weighted = (key: "precision" | "recall" | "f1") =>
    reports.reduce((sum, report) => sum + report[key] * report.support, 0) / n;
  return {
    n,
    accuracy: correct / n,
    macroF1: macro("f1"),
    weightedF1: weighted("f1"),
    macroPrecision: macro("precision"),
    macroRecall: macro("recall"),
    weightedPrecision: weighted("precision"),
    weightedRecall: weighted("recall"),
    perClass,
    confusion,
  };
}

/**
 * sklearn's `roc_curve`: one point per distinct score (descending), optionally without
 * collinear points, then (0, 0) in front with threshold max + 1. A class with no positive (or no
 * negative) rows gets tpr (or fpr) 0 everywhere instead of sklearn's NaN.
 */
function rocCurve(positive: readonly boolean[], scores: Float64Array, dropIntermediate: boolean) {
  // Stable descending order; ties keep their relative order (sklearn: mergesort, reversed).
  const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]! || b - a);
  let tps: number[] = [];
  let fps: number[] = [];
  let thresholds: number[] = [];
  let tp = 0;
  order.forEach((row, k) => {
    if (positive[row]) tp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[row]) {
      tps.push(tp);
      fps.push(k + 1 - tp);
      thresholds.push(scores[row]!);
    }
  });
  if (dropIntermediate && tps.length > 2) {
    const keep = tps.map((_, k) =>
      k === 0 || k === tps.length - 1 ||
      fps[k - 1]! - 2 * fps[k]! + fps[k + 1]! !== 0 || tps[k - 1]! - 2 * tps[k]! + tps[k + 1]! !== 0
    );
    tps = tps.filter((_, k) => keep[k]);
    fps = fps.filter((_, k) => keep[k]);
    thresholds = thresholds.filter((_, k) => keep[k]);
  }
  const positives = tps.at(-1) ?? 0;
  const negatives = fps.at(-1) ?? 0;
  const fpr = [0, ...fps.map((count) => ratio(count, negatives))];
  const tpr = [0, ...tps.map((count) => ratio(count, positives))];
  let auc = 0;
  for (let k = 1; k < fpr.length; k++) {
    auc += (fpr[k]! - fpr[k - 1]!) * (tpr[k]! + tpr[k - 1]!) / 2;
  }
  return { fpr, tpr, thresholds: [(thresholds[0] ?? 0) + 1, ...thresholds], auc };
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function checkClass(value: number, what: string, row: number): number {
  if (!Number.isInteger(value) || value < 0 || value >= CLASSES) {
    throw new RangeError(
      `Cannot compute metrics: ${what} ${value} at row ${row} is not a class id 0..${
        CLASSES - 1
      } (${LABELS.join(", ")})`,
    );
  }
  return value;
}
