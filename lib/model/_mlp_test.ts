import assert from "node:assert/strict";
import { assertClose } from "../_assert_close.ts";
import * as tf from "@tensorflow/tfjs";
import { EXTRAS_HINT, findExtra, importExtra } from "../features/extras.ts";
import { createPrng } from "../data/random.ts";
import { initBackend } from "./backend.ts";
import { logProbabilities, lossAndGradients, type MlpBatch, type MlpParams } from "./_mlp.ts";

await initBackend();

const IN = 6;
const HIDDEN = 5;
const ROWS = 9;

function randomProblem(seed: number): { params: MlpParams; batch: MlpBatch } {
  const prng = createPrng(seed);
  const uniform = (n: number) => Float32Array.from({ length: n }, () => 2 * prng() - 1);
  const labels = Int32Array.from({ length: ROWS }, (_, i) => i % 3);
  const x = tf.tensor2d(uniform(ROWS * IN), [ROWS, IN]);
  return {
    params: {
      w1t: tf.tensor2d(uniform(HIDDEN * IN), [HIDDEN, IN]),
      b1: tf.tensor2d(uniform(HIDDEN), [HIDDEN, 1]),
      w2: tf.tensor2d(uniform(HIDDEN * 3), [HIDDEN, 3]),
      b2: tf.tensor1d(uniform(3)),
    },
    batch: {
      x,
      xt: tf.transpose(x),
      y: tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), 3), "float32") as tf.Tensor2D,
      w: tf.tensor1d(Float32Array.from({ length: ROWS }, (_, i) => [0.5, 2, 1.25][i % 3]!)),
    },
  };
}

/** The textbook formulation tfjs autodiff can differentiate: x·W1 + b1 → relu → ·W2 + b2. */
function plainLoss(batch: MlpBatch) {
  return (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) => {
    const hidden = tf.relu(tf.add(tf.matMul(batch.x, w1 as tf.Tensor2D), b1));
    const logits = tf.add(tf.matMul(hidden, w2 as tf.Tensor2D), b2);
    const ce = tf.neg(tf.sum(tf.mul(batch.y, tf.logSoftmax(logits)), 1));
    return tf.div(tf.sum(tf.mul(ce, batch.w)), ROWS) as tf.Scalar;
  };
}

// tfjs autodiff (every op's gradient) comes with the umbrella package, an extra.
const autodiff = findExtra("tfjs") !== undefined;
if (autodiff) await importExtra("tfjs");
else console.log(`skipping the tfjs autodiff reference test: ${EXTRAS_HINT}`);

Deno.test({
  name: "lossAndGradients() equals tfjs autodiff of the plain Dense formulation",
  ignore: !autodiff,
}, () => {
  for (const seed of [1, 2, 3]) {
    const { params, batch } = randomProblem(seed);
    const mine = lossAndGradients(params, batch);
    const reference = tf.tidy(() => {
      const f = plainLoss(batch);
      const inputs = [
        tf.transpose(params.w1t),
        tf.reshape(params.b1, [HIDDEN]),
        params.w2,
        params.b2,
      ];
      const { value, grads } = tf.valueAndGrads(f)(inputs);
      return { value, grads };
    });
    assertClose(mine.loss.dataSync(), reference.value.dataSync(), { atol: 1e-5, name: "loss" });
    assertClose(mine.grads.w1t.dataSync(), (tf.transpose(reference.grads[0]!)).dataSync(), {
      atol: 1e-5,
      name: "w1t",
    });
    assertClose(
      mine.grads.b1.dataSync(),
      (tf.reshape(reference.grads[1]!, [HIDDEN, 1])).dataSync(),
      { atol: 1e-5, name: "b1" },
    );
    assertClose(mine.grads.w2.dataSync(), (reference.grads[2]!).dataSync(), {
      atol: 1e-5,
      name: "w2",
    });
    assertClose(mine.grads.b2.dataSync(), (reference.grads[3]!).dataSync(), {
      atol: 1e-5,
      name: "b2",
    });
    // Some hidden units must be inactive, or relu's gradient went untested.
    const z = tf.tidy(() => tf.add(tf.matMul(params.w1t, batch.xt), params.b1).dataSync());
    assert.ok(z.some((value) => value < 0) && z.some((value) => value > 0));
    tf.dispose([mine.loss, ...Object.values(mine.grads), mine.predicted, reference.value]);
    tf.dispose([...reference.grads, ...Object.values(params), ...Object.values(batch)]);
  }
});

Deno.test("lossAndGradients() weights each row's cross-entropy by its class weight", () => {
  const { params, batch } = randomProblem(4);
  const logp = logProbabilities(params, batch.xt).arraySync();
  const labels = tf.argMax(batch.y, 1).arraySync() as number[];
  const weights = batch.w.arraySync();
  const expected = labels.reduce((sum, label, i) => sum - weights[i]! * logp[i]![label]!, 0) / ROWS;
  const { loss, predicted, grads } = lossAndGradients(params, batch);
  assert.ok(Math.abs(loss.dataSync()[0]! - expected) < 1e-6);
  const argmax = logp.map((row) => row.indexOf(Math.max(...row)));
  assert.deepEqual(Array.from(predicted.dataSync()), argmax);
  tf.dispose([loss, predicted, ...Object.values(grads), ...Object.values(params)]);
  tf.dispose(Object.values(batch));
});

Deno.test("logProbabilities() rows are log-distributions", () => {
  const { params, batch } = randomProblem(5);
  const logp = logProbabilities(params, batch.xt);
  assert.deepEqual(logp.shape, [ROWS, 3]);
  for (const row of logp.arraySync()) {
    assert.ok(Math.abs(row.reduce((sum, value) => sum + Math.exp(value), 0) - 1) < 1e-6);
  }
  tf.dispose([logp, ...Object.values(params), ...Object.values(batch)]);
});
