import assert from "node:assert/strict";
import { computeMetrics } from "./metrics.ts";
import { type EvalSummary, formatEvalResult } from "./report.ts";

function summary(y: number[], p: number[]): EvalSummary {
  const metrics = computeMetrics(Int32Array.from(y), Float32Array.from(p));
  return {
    source: "x.csv",
    n: y.length,
    metrics,
    baselines: {
      questionMark: metrics,
      majority: metrics,
      majorityLabel: "comment",
      majorityFrom: "the evaluated rows'",
    },
    skipped: { total: 0, malformed: 0, unknownLabels: {}, emptyText: 0, examples: [] },
  };
}

Deno.test("formatEvalResult() prints n/a, not 0.000, for the ROC AUC of a class with no rows or only its rows", () => {
  // one question row: answer and comment have no positives, question no negatives (each AUC
  // used to print as 0.000, which reads as "always wrong")
  const one = formatEvalResult(summary([2], [0.1, 0.2, 0.7]));
  assert.match(
    one,
    /^ROC AUC \(one vs rest\): answer n\/a \(no answer rows\), comment n\/a \(no comment rows\), question n\/a \(only question rows\)$/m,
  );
  const two = formatEvalResult(summary([2, 1], [0.1, 0.2, 0.7, 0.1, 0.8, 0.1]));
  assert.match(
    two,
    /^ROC AUC \(one vs rest\): answer n\/a \(no answer rows\), comment 1\.000, question 1\.000$/m,
  );
});
