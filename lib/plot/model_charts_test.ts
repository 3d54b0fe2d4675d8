import assert from "node:assert/strict";
import { HISTORY, METRICS } from "./_fixtures.ts";
import { assertPngBeside, assertSvgSnapshot } from "./_testing.ts";
import {
  confusionMatrixChart,
  perClassChart,
  rocChart,
  trainingCurveChart,
} from "./model_charts.ts";

Deno.test("trainingCurveChart() draws loss and accuracy, train vs validation", async () => {
  const chart = trainingCurveChart(HISTORY, { bestEpoch: 3 });
  assert.match(chart.svg, />Training \(4 epochs, best 3\)</);
  assert.match(chart.svg, />↑ loss</);
  assert.match(chart.svg, />↑ accuracy</);
  assert.match(chart.svg, />validation</);
  await assertSvgSnapshot("training", chart.svg);
  assertPngBeside(chart);
});

Deno.test("trainingCurveChart() keeps the x axis fixed to `epochs` while training runs", () => {
  const early = trainingCurveChart(HISTORY.slice(0, 1), { epochs: 20 });
  assert.match(early.svg, />20</);
  assert.match(early.svg, />Training \(1 epochs\)</);
});

Deno.test("confusionMatrixChart() writes each count and its share of the true class", async () => {
  const chart = confusionMatrixChart(METRICS);
  // answer row: 3 of 4 right (75%), comment row 2 of 3 (66.7%)
  assert.match(chart.svg, />3<\/tspan><tspan[^>]*>75\.0%</);
  assert.match(chart.svg, />2<\/tspan><tspan[^>]*>66\.7%</);
  await assertSvgSnapshot("confusion", chart.svg);
  assertPngBeside(chart);
});

Deno.test("rocChart() draws one curve per class with its AUC", async () => {
  const chart = rocChart(METRICS);
  assert.match(chart.svg, />answer \(AUC 0\.896\)</);
  assert.match(chart.svg, />question \(AUC 0\.952\)</);
  await assertSvgSnapshot("roc", chart.svg);
  assertPngBeside(chart);
});

Deno.test("rocChart() explains that metrics without probabilities have no ROC", () => {
  assert.throws(() => rocChart({ roc: undefined }), {
    name: "TypeError",
    message: "Cannot draw ROC curves: metrics have no roc (compute them from probabilities)",
  });
});

Deno.test("perClassChart() draws precision, recall and F1 for each class", async () => {
  const chart = perClassChart(METRICS);
  assert.match(chart.svg, />answer \(n=4\)</);
  assert.match(chart.svg, />0\.57</);
  await assertSvgSnapshot("per_class", chart.svg);
  assertPngBeside(chart);
});
