import assert from "node:assert/strict";
import { type ChoiceExample, fitConditionalLogit } from "./fit_logit.ts";
import { createPrng } from "../data/random.ts";

Deno.test("fitConditionalLogit() learns which feature marks the right option, and when none is", () => {
  const prng = createPrng(3);
  const examples: ChoiceExample[] = [];
  for (let i = 0; i < 200; i++) {
    // [bias, marker, noise]: the right option carries the marker; a quarter have no right option
    const none = i % 4 === 0;
    const right = none ? -1 : Math.floor(prng() * 3);
    const options = [0, 1, 2].map((k) => [1, k === right ? 1 : 0, prng()]);
    examples.push({ options, target: right });
  }
  const { weights, accuracy, loss } = fitConditionalLogit(examples, { l2: 0.001 });
  assert.ok(weights[1]! > 2, `marker weight ${weights[1]}`);
  assert.ok(weights[0]! < 0, `bias ${weights[0]}: with no marker, "none" must win`);
  assert.ok(Math.abs(weights[2]!) < 1, `noise weight ${weights[2]}`);
  assert.equal(accuracy, 1);
  assert.ok(loss < 0.2, `loss ${loss}`);
});

Deno.test("fitConditionalLogit() refuses examples without options or of mixed lengths", () => {
  assert.throws(() => fitConditionalLogit([{ options: [], target: -1 }]), {
    name: "RangeError",
    message: "Cannot fit a logit: no example has an option",
  });
  assert.throws(
    () => fitConditionalLogit([{ options: [[1, 2], [1]], target: 0 }]),
    { name: "RangeError", message: "Cannot fit a logit: options of 1 and 2 features" },
  );
});
