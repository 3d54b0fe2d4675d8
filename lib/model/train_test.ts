import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createPrng } from "../data/random.ts";
import {
  computeClassWeights,
  type LabeledVectors,
  resolveTrainOptions,
  trainClassifier,
} from "./train.ts";

const DIM = 16;

/**
 * Rows around three class centres (`spread` is the noise scale); `counts[c]` rows of class c.
 * With spread 0.3 the classes are separable; with 1.5 they overlap.
 */
function clusters(counts: readonly number[], seed: number, spread = 0.3): LabeledVectors {
  const prng = createPrng(seed);
  const n = counts.reduce((sum, count) => sum + count, 0);
  const x = new Float32Array(n * DIM);
  const y = new Int32Array(n);
  let row = 0;
  counts.forEach((count, label) => {
    for (let k = 0; k < count; k++, row++) {
      y[row] = label;
      for (let j = 0; j < DIM; j++) {
        const centre = j % 3 === label ? 1 : 0;
        x[row * DIM + j] = centre + spread * (2 * prng() - 1);
      }
    }
  });
  return { x, y, dimension: DIM };
}

async function weightsOf(model: tf.LayersModel): Promise<number[][]> {
  return await Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));
}

Deno.test("resolveTrainOptions() fills the original's defaults", () => {
  assert.deepEqual(resolveTrainOptions(1024), {
    hiddenUnits: 1024,
    epochs: 40,
    batchSize: 32,
    learningRate: 1e-3,
    patience: 3,
    monitor: "val_loss",
    classWeights: "balanced",
    seed: 42,
  });
  assert.throws(() => resolveTrainOptions(8, { batchSize: 0 }), {
    name: "RangeError",
    message: "Cannot train classifier: batchSize must be a positive integer, got 0",
  });
});

Deno.test("computeClassWeights() matches scikit-learn's balanced weights n / (k · n_c)", () => {
  // sklearn.utils.class_weight.compute_class_weight("balanced", classes=[0,1,2], y=[0,0,0,1,2,2])
  // → [0.66666667, 2., 1.]
  const weights = computeClassWeights(Int32Array.from([0, 0, 0, 1, 2, 2]), "balanced");
  assert.deepEqual(weights.map((w) => Number(w.toFixed(8))), [0.66666667, 2, 1]);
  assert.deepEqual(computeClassWeights(Int32Array.from([0, 2]), "balanced"), [1, 0, 1]);
  assert.deepEqual(computeClassWeights(Int32Array.from([0, 0, 1]), "none"), [1, 1, 1]);
});

Deno.test("trainClassifier() learns a tiny separable set and its loss goes down", async () => {
  const logs: number[] = [];
  const result = await trainClassifier(clusters([40, 40, 40], 1), clusters([15, 15, 15], 2), {
    epochs: 15,
    patience: 15,
    learningRate: 0.01,
    onEpochEnd: (log) => logs.push(log.epoch),
  });
  const { history, model } = result;
  assert.deepEqual(logs, Array.from({ length: 15 }, (_, i) => i + 1));
  assert.ok(history.at(-1)!.loss < history[0]!.loss / 2, "training loss halves");
  assert.ok(history.at(-1)!.valLoss < history[0]!.valLoss, "validation loss goes down");
  assert.ok(history.at(-1)!.valAccuracy >= 0.95, `accuracy ${history.at(-1)!.valAccuracy}`);
  assert.ok(history.every((log) => log.samplesPerSecond > 0 && log.seconds > 0));
  assert.deepEqual(model.inputs[0]!.shape, [null, DIM]);
  assert.deepEqual(model.outputs[0]!.shape, [null, 3]);
  assert.deepEqual(result.classWeights, [1, 1, 1]);
  model.dispose();
});

Deno.test("trainClassifier() with the same seed gives identical weights", async () => {
  const train = clusters([20, 20, 20], 3);
  const validation = clusters([5, 5, 5], 4);
  const options = { epochs: 2, seed: 7 };
  const a = await trainClassifier(train, validation, options);
  const b = await trainClassifier(train, validation, options);
  const c = await trainClassifier(train, validation, { ...options, seed: 8 });
  assert.deepEqual(await weightsOf(a.model), await weightsOf(b.model));
  assert.deepEqual(a.history.map((log) => log.loss), b.history.map((log) => log.loss));
  assert.notDeepEqual(await weightsOf(a.model), await weightsOf(c.model));
  for (const result of [a, b, c]) result.model.dispose();
});

Deno.test("trainClassifier() balanced class weights make the rare class predicted more", async () => {
  // Overlapping classes, class 1 rare: unweighted training mostly ignores it.
  const train = clusters([120, 12, 120], 5, 1.5);
  const validation = clusters([30, 30, 30], 6, 1.5);
  const predictedRare = async (classWeights: "balanced" | "none") => {
    const result = await trainClassifier(train, validation, {
      epochs: 8,
      patience: 8,
      classWeights,
    });
    const probabilities = result.model.predict(tf.tensor2d(validation.x, [90, DIM])) as tf.Tensor;
    const predicted = Array.from(await tf.argMax(probabilities, 1).data());
    probabilities.dispose();
    result.model.dispose();
    return { count: predicted.filter((label) => label === 1).length, weights: result.classWeights };
  };
  const balanced = await predictedRare("balanced");
  const none = await predictedRare("none");
  assert.deepEqual(balanced.weights.map((w) => Number(w.toFixed(4))), [0.7, 7, 0.7]);
  assert.ok(balanced.count > none.count + 5, `rare predicted ${balanced.count} vs ${none.count}`);
});

Deno.test("trainClassifier() stops early and restores the best epoch's weights", async () => {
  // A third of the validation labels are rotated: validation loss falls while the model gains
  // confidence, is lowest near p = 2/3 for the right class, then rises.
  const train = clusters([20, 20, 20], 7);
  const validation = clusters([10, 10, 10], 8);
  validation.y = validation.y.map((label, i) => (i % 3 === 0 ? (label + 1) % 3 : label));
  const result = await trainClassifier(train, validation, {
    epochs: 40,
    patience: 2,
    learningRate: 0.005,
  });
  const losses = result.history.map((log) => log.valLoss);
  assert.equal(result.stoppedEarly, true);
  assert.equal(result.bestEpoch, losses.indexOf(Math.min(...losses)) + 1);
  assert.ok(result.bestEpoch > 1, "validation loss fell first");
  assert.equal(result.history.length, result.bestEpoch + 2);
  // The returned model scores the best epoch's validation loss, not the last one's.
  const probabilities = tf.tidy(() =>
    (result.model.predict(tf.tensor2d(validation.x, [30, DIM])) as tf.Tensor).arraySync()
  ) as number[][];
  const loss = -probabilities.reduce((sum, row, i) => sum + Math.log(row[validation.y[i]!]!), 0) /
    30;
  assert.ok(Math.abs(loss - losses[result.bestEpoch - 1]!) < 1e-4, `${loss} vs ${losses}`);
  result.model.dispose();
});

Deno.test("trainClassifier() monitoring val_accuracy keeps the first most accurate epoch", async () => {
  const train = clusters([20, 20, 20], 7, 1.2);
  const validation = clusters([10, 10, 10], 8, 1.2);
  const result = await trainClassifier(train, validation, {
    epochs: 12,
    patience: 2,
    learningRate: 0.01,
    monitor: "val_accuracy",
  });
  const accuracies = result.history.map((log) => log.valAccuracy);
  const best = Math.max(...accuracies);
  assert.equal(result.bestEpoch, accuracies.indexOf(best) + 1);
  assert.ok(result.bestEpoch > 1, "accuracy climbs first");
  if (result.stoppedEarly) assert.equal(result.history.length, result.bestEpoch + 2);
  result.model.dispose();
});

Deno.test("trainClassifier() counts a tie as no improvement", async () => {
  // A learning rate this small leaves every prediction as it was: each epoch ties the first.
  const result = await trainClassifier(clusters([20, 20, 20], 7), clusters([10, 10, 10], 8), {
    epochs: 12,
    patience: 2,
    learningRate: 1e-12,
    monitor: "val_accuracy",
  });
  const accuracies = result.history.map((log) => log.valAccuracy);
  assert.equal(new Set(accuracies).size, 1, `accuracies ${accuracies}`);
  assert.equal(result.bestEpoch, 1);
  assert.equal(result.stoppedEarly, true);
  assert.equal(result.history.length, 3);
  result.model.dispose();
});

Deno.test("trainClassifier() gives the same weights for sparse rows as for their dense form", async () => {
  const dense = clusters([15, 15, 15], 16);
  // zero out most inputs so the sparse form really is sparse
  dense.x = dense.x.map((value, i) => (i % 4 === 0 ? value : 0));
  const validation = clusters([5, 5, 5], 17);
  const rows = dense.y.length;
  const offsets = new Int32Array(rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < DIM; j++) {
      const value = dense.x[r * DIM + j]!;
      if (value !== 0) {
        indices.push(j);
        values.push(value);
      }
    }
    offsets[r + 1] = indices.length;
  }
  const sparse = {
    x: {
      kind: "sparse" as const,
      rows,
      dimension: DIM,
      offsets,
      indices: Int32Array.from(indices),
      values: Float32Array.from(values),
    },
    y: dense.y,
  };
  const options = { epochs: 3, hiddenUnits: 5 };
  const a = await trainClassifier(dense, validation, options);
  const b = await trainClassifier(sparse, validation, options);
  assert.deepEqual(a.weights, b.weights);
  assert.equal(a.weights.hidden, 5);
  assert.deepEqual(a.model.outputs[0]!.shape, [null, 3]);
  a.model.dispose();
  b.model.dispose();
});

Deno.test("trainClassifier() leaves no tensors behind", async () => {
  const train = clusters([10, 10, 10], 9);
  const validation = clusters([3, 3, 3], 10);
  (await trainClassifier(train, validation, { epochs: 1 })).model.dispose();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    (await trainClassifier(train, validation, { epochs: 2 })).model.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("trainClassifier() rejects inconsistent vectors with clear messages", async () => {
  const good = clusters([2, 2, 2], 11);
  await assert.rejects(trainClassifier({ ...good, x: good.x.subarray(1) }, good), {
    name: "TypeError",
    message: "Cannot train classifier: training set has 95 values, expected 6 rows × 16 = 96",
  });
  await assert.rejects(
    trainClassifier(good, { ...good, y: new Int32Array(0), x: new Float32Array(0) }),
    {
      name: "RangeError",
      message: "Cannot train classifier: validation set is empty",
    },
  );
  await assert.rejects(trainClassifier({ ...good, y: good.y.map(() => 3) }, good), {
    name: "RangeError",
    message:
      "Cannot train classifier: training set row 0 has label 3, expected 0..2 (answer, comment, question)",
  });
  await assert.rejects(trainClassifier(good, { ...good, dimension: 8 }), {
    name: "TypeError",
    message: "Cannot train classifier: validation set has dimension 8, expected 16",
  });
});

Deno.test("trainClassifier() stops when its signal aborts", async () => {
  const controller = new AbortController();
  const training = trainClassifier(clusters([10, 10, 10], 12), clusters([3, 3, 3], 13), {
    epochs: 40,
    patience: 40,
    signal: controller.signal,
    onEpochEnd: (log) => {
      if (log.epoch === 2) controller.abort(new Error("enough"));
    },
  });
  await assert.rejects(training, { message: "enough" });
});

Deno.test("trainClassifier() gives the same weights on one thread and on two", async () => {
  const train = clusters([30, 30, 30], 11, 1);
  const validation = clusters([10, 10, 10], 12, 1);
  const options = { hiddenUnits: 12, epochs: 3, patience: 0, seed: 5 };
  const one = await trainClassifier(train, validation, { ...options, threads: 1 });
  const two = await trainClassifier(train, validation, { ...options, threads: 2 });
  assert.deepEqual(two.weights, one.weights);
  assert.deepEqual(two.history.map((e) => e.loss), one.history.map((e) => e.loss));
  one.model.dispose();
  two.model.dispose();
});
