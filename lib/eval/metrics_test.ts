import assert from "node:assert/strict";
import { assertClose } from "../_assert_close.ts";
import { computeMetrics, metricsFromPredictions } from "./metrics.ts";

/*
 * Reference values from scikit-learn 1.2.1 (Debian python3-sklearn), computed once with:
 *
 *   import numpy as np
 *   from sklearn.metrics import *
 *   y = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 1, 0, 2, 1])
 *   p = np.array(PROBABILITIES, dtype=np.float32)   # the rows below
 *   pred = p.argmax(1)
 *   accuracy_score(y, pred)
 *   precision_recall_fscore_support(y, pred, labels=[0, 1, 2], average=avg, zero_division=0)
 *     for avg in (None, "macro", "weighted")
 *   confusion_matrix(y, pred, labels=[0, 1, 2])
 *   roc_curve(y == c, p[:, c], drop_intermediate=drop); auc(fpr, tpr); roc_auc_score(y == c, p[:, c])
 *
 *   y2 = np.array([0, 0, 1, 1, 0]); pred2 = np.array([0, 2, 0, 0, 2])   # zero-division case
 *   precision_recall_fscore_support(y2, pred2, labels=[0, 1, 2], average=avg, zero_division=0)
 */
const Y = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 1, 0, 2, 1];
const PROBABILITIES = Float32Array.from([
  [0.7, 0.2, 0.1],
  [0.5, 0.25, 0.25],
  [0.2, 0.3, 0.5],
  [0.3, 0.5, 0.2],
  [0.5, 0.3, 0.2],
  [0.1, 0.2, 0.7],
  [0.25, 0.25, 0.5],
  [0.2, 0.5, 0.3],
  [0.05, 0.05, 0.9],
  [0.3, 0.2, 0.5],
  [0.2, 0.6, 0.2],
  [0.6, 0.3, 0.1],
  [0.4, 0.1, 0.5],
  [0.1, 0.3, 0.6],
].flat());

Deno.test("computeMetrics() matches scikit-learn's accuracy, P/R/F1 and confusion matrix", () => {
  const m = computeMetrics(Y, PROBABILITIES);
  assert.equal(m.n, 14);
  assertClose([m.accuracy], [0.7142857142857143], { name: "accuracy" });
  assert.deepEqual(m.confusion, [[3, 0, 1], [1, 2, 1], [0, 1, 5]]);
  assertClose(
    [m.perClass.answer.precision, m.perClass.comment.precision, m.perClass.question.precision],
    [0.75, 0.6666666666666666, 0.7142857142857143],
    { name: "precision" },
  );
  assertClose(
    [m.perClass.answer.recall, m.perClass.comment.recall, m.perClass.question.recall],
    [0.75, 0.5, 0.8333333333333334],
    { name: "recall" },
  );
  assertClose(
    [m.perClass.answer.f1, m.perClass.comment.f1, m.perClass.question.f1],
    [0.75, 0.5714285714285715, 0.7692307692307692],
    { name: "f1" },
  );
  assert.deepEqual(
    [m.perClass.answer.support, m.perClass.comment.support, m.perClass.question.support],
    [4, 4, 6],
  );
  assertClose(
    [m.macroPrecision, m.macroRecall, m.macroF1],
    [0.7103174603174603, 0.6944444444444445, 0.696886446886447],
    { name: "macro" },
  );
  assertClose(
    [m.weightedPrecision, m.weightedRecall, m.weightedF1],
    [0.7108843537414966, 0.7142857142857143, 0.707221350078493],
    { name: "weighted" },
  );
});

Deno.test("computeMetrics() ROC curves and AUC match scikit-learn's roc_curve", () => {
  const { roc } = computeMetrics(Y, PROBABILITIES);
  assert.ok(roc);
  assertClose(roc.answer.fpr, [0, 0, 0, 0.1, 0.2, 0.4, 0.5, 0.7, 0.9, 1], { name: "answer fpr" });
  assertClose(roc.answer.tpr, [0, 0.25, 0.5, 0.75, 0.75, 0.75, 0.75, 1, 1, 1], {
    name: "answer tpr",
  });
  assertClose(
    roc.answer.thresholds,
    [1.7, 0.7, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.1, 0.05].map(Math.fround),
    { name: "answer thresholds" },
  );
  assertClose([roc.answer.auc], [0.8375], { name: "answer auc" });
  assertClose(roc.comment.fpr, [0, 0, 0.1, 0.3, 0.5, 0.8, 1], { name: "comment fpr" });
  assertClose(roc.comment.tpr, [0, 0.25, 0.5, 1, 1, 1, 1], { name: "comment tpr" });
  assertClose(
    roc.comment.thresholds,
    [1.6, 0.6, 0.5, 0.3, 0.25, 0.2, 0.05].map(Math.fround),
    { name: "comment thresholds" },
  );
  assertClose([roc.comment.auc], [0.8875], { name: "comment auc" });
  assertClose(roc.question.fpr, [0, 0, 0, 0.125, 0.25, 0.25, 0.375, 0.75, 1], {
    name: "question fpr",
  });
  assertClose(
    roc.question.tpr,
    [0, 1 / 6, 1 / 3, 1 / 3, 0.8333333333333334, 1, 1, 1, 1],
    { name: "question tpr" },
  );
  assertClose([roc.question.auc], [0.8645833333333334], { name: "question auc" });
});

Deno.test("computeMetrics() without dropping intermediate points keeps every distinct score", () => {
  const { roc } = computeMetrics(Y, PROBABILITIES, { dropIntermediate: false });
  // sklearn roc_curve(y == 1, p[:, 1], drop_intermediate=False)
  assertClose(roc!.comment.fpr, [0, 0, 0.1, 0.3, 0.5, 0.8, 0.9, 1], { name: "fpr" });
  assertClose(roc!.comment.tpr, [0, 0.25, 0.5, 1, 1, 1, 1, 1], { name: "tpr" });
  assertClose(
    roc!.comment.thresholds,
    [1.6, 0.6, 0.5, 0.3, 0.25, 0.2, 0.1, 0.05].map(Math.fround),
    { name: "thresholds" },
  );
  assertClose([roc!.comment.auc], [0.8875], { name: "auc" });
});

Deno.test("metricsFromPredictions() counts a zero division as 0, like zero_division=0", () => {
  const m = metricsFromPredictions([0, 0, 1, 1, 0], [0, 2, 0, 0, 2]);
  assert.equal(m.roc, undefined);
  assertClose([m.accuracy], [0.2], { name: "accuracy" });
  assertClose(
    [m.perClass.answer.precision, m.perClass.answer.recall],
    [1 / 3, 1 / 3],
    { name: "answer" },
  );
  assert.deepEqual(m.perClass.comment, { precision: 0, recall: 0, f1: 0, support: 2 });
  assert.deepEqual(m.perClass.question, { precision: 0, recall: 0, f1: 0, support: 0 });
  assertClose([m.macroPrecision, m.macroRecall, m.macroF1], [1 / 9, 1 / 9, 1 / 9], {
    name: "macro",
  });
  assertClose(
    [m.weightedPrecision, m.weightedRecall, m.weightedF1],
    [0.2, 0.2, 0.2],
    { name: "weighted" },
  );
});

Deno.test("computeMetrics() gives a class without positives a flat ROC instead of NaN", () => {
  const { roc } = computeMetrics([0, 1], Float32Array.from([0.6, 0.3, 0.1, 0.2, 0.7, 0.1]));
  assert.deepEqual(roc!.question.tpr, [0, 0]);
  assert.equal(roc!.question.auc, 0);
  assert.equal(roc!.answer.auc, 1);
});

Deno.test("computeMetrics() rejects mismatched sizes and unknown classes", () => {
  assert.throws(() => computeMetrics([0, 1], new Float32Array(5)), {
    name: "TypeError",
    message: "Cannot compute metrics: probabilities has 5 values, expected 2 rows × 3 = 6",
  });
  assert.throws(() => metricsFromPredictions([0, 1], [0]), {
    name: "TypeError",
    message: "Cannot compute metrics: 2 true labels but 1 predictions",
  });
  assert.throws(() => metricsFromPredictions([], []), {
    name: "RangeError",
    message: "Cannot compute metrics: there are no rows",
  });
  assert.throws(() => metricsFromPredictions([0, 3], [0, 1]), {
    name: "RangeError",
    message:
      "Cannot compute metrics: true label 3 at row 1 is not a class id 0..2 (answer, comment, question)",
  });
});
