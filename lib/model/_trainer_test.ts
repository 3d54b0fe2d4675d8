import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createPrng } from "../data/random.ts";
import { type FeatureMatrix, toDense } from "../features/matrix.ts";
import { MlpTrainer } from "./_trainer.ts";
import { buildModel, initialWeights } from "./train.ts";

const ADAM = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

/**
 * Sparse rows over `inputs` features where feature f is active in about 1 row in (f % 7 + 1)·3,
 * so some W1 rows sit idle for tens of steps between uses (what the lazy replay must get right),
 * labels from a fixed rule the model can learn.
 */
function sparseProblem(rows: number, inputs: number, seed: number) {
  const prng = createPrng(seed);
  const offsets = new Int32Array(rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let score = 0;
    for (let f = 0; f < inputs; f++) {
      if (prng() * ((f % 7) + 1) * 3 < 1) {
        const value = 0.2 + prng();
        indices.push(f);
        values.push(value);
        score += (f % 3) * value;
      }
    }
    offsets[r + 1] = indices.length;
    y[r] = Math.floor(score) % 3;
  }
  const x: FeatureMatrix = {
    kind: "sparse",
    rows,
    dimension: inputs,
    offsets,
    indices: Int32Array.from(indices),
    values: Float32Array.from(values),
  };
  return { x, y };
}

function oneHot(y: Int32Array): tf.Tensor2D {
  return tf.cast(tf.oneHot(tf.tensor1d(y, "int32"), 3), "float32") as tf.Tensor2D;
}

function assertClose(
  actual: Float32Array,
  expected: Float32Array,
  tolerance: number,
  name: string,
) {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  }
  assert.ok(worst <= tolerance, `${name}: largest difference ${worst} > ${tolerance}`);
}

Deno.test("MlpTrainer matches tfjs trainOnBatch with tf.train.adam step for step, idle rows included", async () => {
  await tf.setBackend("cpu");
  const inputs = 60;
  const hidden = 12;
  const batch = 8;
  const steps = 120;
  const { x, y } = sparseProblem(batch * steps, inputs, 1);
  const initial = initialWeights(inputs, hidden, createPrng(2));
  const model = buildModel(initial);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "categoricalCrossentropy" });
  const trainer = new MlpTrainer(initial, ADAM);
  const dense = toDense(x);
  const ones = [1, 1, 1];
  for (let step = 0; step < steps; step++) {
    const rows = Int32Array.from({ length: batch }, (_, i) => step * batch + i);
    const ours = trainer.trainBatch(x, y, rows, ones);
    const [xs, ys] = [
      tf.tensor2d(dense.data.subarray(step * batch * inputs, (step + 1) * batch * inputs), [
        batch,
        inputs,
      ]),
      oneHot(y.subarray(step * batch, (step + 1) * batch)),
    ];
    const theirs = await model.trainOnBatch(xs, ys) as number;
    tf.dispose([xs, ys]);
    assert.ok(
      Math.abs(ours.loss - theirs) < 1e-5,
      `step ${step + 1}: loss ${ours.loss} vs ${theirs}`,
    );
  }
  const reference = model.getWeights().map((w) => w.dataSync() as Float32Array);
  const weights = trainer.weights();
  // float32 rounding differs (sum order, the replayed steps); Adam's updates are 1e-3 each
  assertClose(weights.w1, reference[0]!, 2e-6, "W1");
  assertClose(weights.b1, reference[1]!, 2e-6, "b1");
  assertClose(weights.w2, reference[2]!, 2e-6, "W2");
  assertClose(weights.b2, reference[3]!, 2e-6, "b2");
  // and the weights did move: an idle-row bug would not hide behind a model that never trained
  let moved = 0;
  for (let i = 0; i < initial.w1.length; i++) moved += Math.abs(weights.w1[i]! - initial.w1[i]!);
  assert.ok(moved / initial.w1.length > 5e-3, `mean |ΔW1| ${moved / initial.w1.length}`);
  model.dispose();
});

Deno.test("MlpTrainer matches tfjs model.fit with class weights", async () => {
  await tf.setBackend("cpu");
  const inputs = 30;
  const hidden = 10;
  const { x, y } = sparseProblem(200, inputs, 3);
  const classWeights = [0.5, 2, 1.25];
  const initial = initialWeights(inputs, hidden, createPrng(4));
  const model = buildModel(initial);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "categoricalCrossentropy" });
  const xs = tf.tensor2d(toDense(x).data, [200, inputs]);
  const ys = oneHot(y);
  const fit = await model.fit(xs, ys, {
    batchSize: 32,
    epochs: 3,
    shuffle: false,
    classWeight: { 0: classWeights[0]!, 1: classWeights[1]!, 2: classWeights[2]! },
    verbose: 0,
  });
  tf.dispose([xs, ys]);
  const trainer = new MlpTrainer(initial, ADAM);
  const losses: number[] = [];
  for (let epoch = 0; epoch < 3; epoch++) {
    let sum = 0;
    for (let start = 0; start < 200; start += 32) {
      const rows = Int32Array.from({ length: Math.min(32, 200 - start) }, (_, i) => start + i);
      sum += trainer.trainBatch(x, y, rows, classWeights).loss * rows.length;
    }
    losses.push(sum / 200);
  }
  fit.history.loss!.forEach((loss, epoch) => {
    assert.ok(
      Math.abs(losses[epoch]! - (loss as number)) < 1e-5,
      `${losses} vs ${fit.history.loss}`,
    );
  });
  const reference = model.getWeights().map((w) => w.dataSync() as Float32Array);
  const weights = trainer.weights();
  assertClose(weights.w1, reference[0]!, 2e-6, "W1");
  assertClose(weights.w2, reference[2]!, 2e-6, "W2");
  model.dispose();
});

Deno.test("MlpTrainer on two threads gives the single thread's weights bit for bit", async () => {
  // 20 hidden units: padded to 24, so the halves are 16 and 8 units wide
  const inputs = 50;
  const { x, y } = sparseProblem(300, inputs, 5);
  const initial = initialWeights(inputs, 20, createPrng(6));
  const classWeights = [1, 1.5, 0.75];
  // `interrupt`: the weights are read after epoch 1 (the second thread's half copied back) and
  // the second thread stops after epoch 2 (all its half, moments included, copied back), the
  // main thread training on alone
  const run = async (threads: number, interrupt = false) => {
    using trainer = new MlpTrainer(initial, ADAM);
    await trainer.startThreads({ threads });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 4; epoch++) {
      if (interrupt && epoch === 1) trainer.weights();
      if (interrupt && epoch === 2) trainer.close();
      // uneven batches, and rows idle for whole epochs, as shuffled training has them
      for (let start = 0; start < 300; start += 29) {
        const rows = Int32Array.from(
          { length: Math.min(29, 300 - start) },
          (_, i) => (start + i * 7 + epoch * 13) % 300,
        );
        losses.push(trainer.trainBatch(x, y, rows, classWeights).loss);
      }
    }
    return { losses, weights: trainer.weights(), workerParts: trainer.workerParts };
  };
  const one = await run(1);
  assert.equal(one.workerParts, 0);
  // the second thread computes every step's second half (one run a step: the last step's
  // backward pass, then this one's forward pass) in its own memory, so a wrong part shows
  // (reading the weights catches idle rows up early, which rounds differently, so the single
  // thread it is compared with reads them too)
  for (const interrupt of [false, true]) {
    const alone = interrupt ? await run(1, true) : one;
    const two = await run(2, interrupt);
    assert.equal(two.workerParts, interrupt ? one.losses.length / 2 : one.losses.length);
    assert.deepEqual(two.losses, alone.losses, `interrupt ${interrupt}`);
    for (const key of ["w1", "b1", "w2", "b2"] as const) {
      assert.deepEqual(two.weights[key], alone.weights[key], `interrupt ${interrupt}: ${key}`);
    }
  }
  // and training happened: equal weights from a trainer that never moved would prove nothing
  assert.ok(one.losses.at(-1)! < one.losses[0]!, `${one.losses[0]} → ${one.losses.at(-1)}`);
});

Deno.test("MlpTrainer.startThreads() rejects a thread count other than 1 or 2", async () => {
  using trainer = new MlpTrainer(initialWeights(4, 8, createPrng(1)), ADAM);
  await assert.rejects(
    () => trainer.startThreads({ threads: 3 }),
    new RangeError("Cannot train classifier: threads must be 1 or 2, got 3"),
  );
});

Deno.test("MlpTrainer gives the same weights bit for bit whether or not they are read between steps", () => {
  // Reading the weights runs the last batch's pending W1 Adam step by itself; left alone, that
  // step runs in the next batch's forward pass, fused with it on the rows both batches read.
  // Even steps read inputs 0-14, odd steps 15-29, every step 30-39: rows idle for one step at
  // most, so reading the weights replays the same single idle steps the next batch would.
  const inputs = 40;
  const batch = 8;
  const steps = 60;
  const prng = createPrng(7);
  const offsets = new Int32Array(batch * steps + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const y = new Int32Array(batch * steps);
  for (let r = 0; r < batch * steps; r++) {
    const first = Math.floor(r / batch) % 2 === 0 ? 0 : 15;
    let score = 0;
    for (
      const f of [...Array(15).keys()].map((k) => first + k).concat(
        [...Array(10).keys()].map((k) => 30 + k),
      )
    ) {
      const value = prng() < 0.2 ? 0 : 0.2 + prng(); // zeros are skipped, as in a sparse row
      indices.push(f);
      values.push(value);
      score += (f % 3) * value;
    }
    offsets[r + 1] = indices.length;
    y[r] = Math.floor(score) % 3;
  }
  const x: FeatureMatrix = {
    kind: "sparse",
    rows: batch * steps,
    dimension: inputs,
    offsets,
    indices: Int32Array.from(indices),
    values: Float32Array.from(values),
  };
  const initial = initialWeights(inputs, 16, createPrng(8));
  const classWeights = [1, 1.25, 0.8];
  const run = (readEvery: number) => {
    const trainer = new MlpTrainer(initial, ADAM);
    const losses: number[] = [];
    for (let step = 0; step < steps; step++) {
      const rows = Int32Array.from({ length: batch }, (_, i) => step * batch + i);
      losses.push(trainer.trainBatch(x, y, rows, classWeights).loss);
      if (step % readEvery === readEvery - 1) trainer.weights();
    }
    return { losses, weights: trainer.weights() };
  };
  const alone = run(1000);
  for (const readEvery of [1, 2, 3, 7]) {
    const read = run(readEvery);
    assert.deepEqual(read.losses, alone.losses, `read every ${readEvery} steps`);
    for (const key of ["w1", "b1", "w2", "b2"] as const) {
      assert.deepEqual(read.weights[key], alone.weights[key], `${key}, read every ${readEvery}`);
    }
  }
  // and every W1 row trained: equal weights that never moved would prove nothing
  for (let i = 0; i < inputs; i++) {
    const row = (w: Float32Array) => w.subarray(i * 16, (i + 1) * 16);
    assert.notDeepEqual(row(alone.weights.w1), row(initial.w1), `W1 row ${i}`);
  }
});
