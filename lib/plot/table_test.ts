import assert from "node:assert/strict";
import type { Metrics } from "../eval/metrics.ts";
import { METRICS } from "./_fixtures.ts";
import { metricsTableView } from "./table.ts";

const RULE: Metrics = {
  ...METRICS,
  accuracy: 0.5,
  macroF1: 0.75,
  perClass: { ...METRICS.perClass, question: { precision: 1, recall: 1, f1: 1, support: 3 } },
};

Deno.test("metricsTableView() puts systems side by side and bolds the best of each column", () => {
  const view = metricsTableView([{ name: "model", metrics: METRICS }, {
    name: '"?" rule',
    metrics: RULE,
  }], {
    caption: "nps_chat",
  });
  assert.match(view.html, /<caption[^>]*>nps_chat<\/caption>/);
  assert.match(view.html, />&#34;\?&#34; rule</);
  assert.match(view.html, /<b>0\.700<\/b>/, "model has the best accuracy");
  assert.match(view.html, /<b>0\.750<\/b>/, "rule has the best macro F1");
  assert.match(view.html, /<b>1\.000<\/b>/, "rule has the best question F1");
  const lines = view.text.split("\n");
  assert.equal(lines[0], "nps_chat");
  assert.match(lines[1]!, /^system {5}n {2}accuracy {2}macro F1/);
  assert.match(lines[2]!, /^model {5}10 {5}0\.700 {5}0\.700/);
});

Deno.test("metricsTableView() bolds nothing when there is a single row", () => {
  const view = metricsTableView([{ name: "model", metrics: METRICS }], { digits: 2 });
  assert.doesNotMatch(view.html, /<b>/);
  assert.match(view.html, />0\.70</);
});
