import assert from "node:assert/strict";
import { majorityBaseline, majorityClass, questionMarkRule } from "./baselines.ts";

Deno.test("questionMarkRule() marks texts with a ? as question (2), others as comment (1)", () => {
  const y = questionMarkRule(["how?", "fine", "is it ? really", "", "¿qué"]);
  assert.deepEqual([...y], [2, 1, 2, 1, 1]);
});

Deno.test("majorityClass() picks the most frequent id, ties to the lower id", () => {
  assert.equal(majorityClass([1, 1, 2, 0, 1]), 1);
  assert.equal(majorityClass([2, 0, 2, 0]), 0);
});

Deno.test("majorityClass() rejects empty and out-of-range labels", () => {
  assert.throws(() => majorityClass([]), {
    name: "RangeError",
    message: "Cannot find the majority class: no labels given",
  });
  assert.throws(() => majorityClass([0, 3]), {
    name: "RangeError",
    message: "Cannot find the majority class: label id 3 at 1 is not in 0..2",
  });
});

Deno.test("majorityBaseline() repeats the training majority n times", () => {
  assert.deepEqual([...majorityBaseline([2, 2, 1], 4)], [2, 2, 2, 2]);
});
