import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createPrng } from "../data/random.ts";
import { BuiltinEmbedder } from "../features/builtin.ts";
import { initBackend } from "./backend.ts";
import { createSparsePredictor, extractMlpWeights, predictMatrix, SparseMlp } from "./sparse.ts";

const TEXTS = [
  "how do I join two dataframes in pandas?",
  "use pd.merge(left, right, on='id') — works for me",
  "lol same",
  "",
  "Anyone here done the Google data analytics cert??? worth it",
  "https://example.com check #resources and ping @mod 42 times",
  "ok",
];

/** A Dense(relu) → Dense(softmax) model with seeded random weights (biases too). */
function randomModel(inputs: number, hidden: number, seed: number): tf.LayersModel {
  const prng = createPrng(seed);
  const fill = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => (prng() * 2 - 1) * scale);
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [inputs], units: hidden, activation: "relu" }),
      tf.layers.dense({ units: 3, activation: "softmax" }),
    ],
  });
  const values = [
    tf.tensor2d(fill(inputs * hidden, 0.5), [inputs, hidden]),
    tf.tensor1d(fill(hidden, 0.1)),
    tf.tensor2d(fill(hidden * 3, 0.5), [hidden, 3]),
    tf.tensor1d(fill(3, 0.1)),
  ];
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

/** Seeded chat-like texts: short ones, and long ones with hundreds of active features. */
function manyTexts(n: number, seed: number): string[] {
  const prng = createPrng(seed);
  const word = () => Math.floor(prng() * 36 ** 4).toString(36);
  return Array.from({ length: n }, (_, i) => {
    const words = i % 10 === 0 ? 150 + Math.floor(prng() * 100) : 1 + Math.floor(prng() * 12);
    return Array.from({ length: words }, word).join(" ") + (i % 4 === 0 ? "?" : "");
  });
}

/** Asserts that every probability is within 1e-5 of the tfjs model's. */
async function assertMatchesTfjs(
  model: tf.LayersModel,
  embedder: BuiltinEmbedder,
  texts: string[],
  sparse: Float32Array,
) {
  const x = tf.tensor2d(await embedder.embed(texts), [texts.length, embedder.dimension]);
  const y = model.predict(x) as tf.Tensor;
  const dense = y.dataSync() as Float32Array;
  tf.dispose([x, y]);
  assert.equal(sparse.length, dense.length);
  for (let i = 0; i < dense.length; i++) {
    assert.ok(
      Math.abs(sparse[i]! - dense[i]!) < 1e-5,
      `row ${Math.floor(i / 3)}: ${sparse[i]} vs ${dense[i]}`,
    );
  }
  for (let r = 0; r < texts.length; r++) {
    assert.ok(Math.abs(sparse[r * 3]! + sparse[r * 3 + 1]! + sparse[r * 3 + 2]! - 1) < 1e-6);
  }
}

for (const kernel of ["auto", "js"] as const) {
  Deno.test(`createSparsePredictor({ kernel: "${kernel}" }) gives the tfjs model's probabilities within 1e-5`, async () => {
    await initBackend();
    // 40 hidden units: not a whole number of the wasm kernel's 32-unit panels
    for (const [dimension, hidden] of [[256, 40], [1024, 1024]] as const) {
      const embedder = new BuiltinEmbedder({ dimension });
      const model = randomModel(dimension, hidden, dimension);
      const predict = createSparsePredictor({ model, embedder }, { kernel });
      assert.ok(predict);
      await assertMatchesTfjs(model, embedder, TEXTS, predict(TEXTS));
      model.dispose();
    }
  });
}

Deno.test("the wasm kernel matches tfjs across batches of many long and short messages", async () => {
  await initBackend();
  // feature version 1 hashes character n-grams of every word: long texts get 400+ features
  const embedder = new BuiltinEmbedder({ dimension: 1024, version: 1 });
  const model = randomModel(1024, 96, 7);
  const mlp = new SparseMlp(extractMlpWeights(model));
  assert.equal(mlp.kernel, "wasm");
  // 8200 messages: two kernel calls (8192 + 8); the long ones overflow the initial feature
  // buffer, so it grows
  const texts = manyTexts(8200, 3);
  const features = texts.map((t) => embedder.featurize(t));
  assert.ok(features.some((f) => f.indices.length > 400));
  const wasm = mlp.predict(features);
  await assertMatchesTfjs(model, embedder, texts, wasm);
  const js = new SparseMlp(mlp.weights!, { kernel: "js" });
  assert.equal(js.kernel, "js");
  const reference = js.predict(features);
  for (let i = 0; i < wasm.length; i++) assert.ok(Math.abs(wasm[i]! - reference[i]!) < 1e-6);
  // predictEach at an offset gives the same rows
  const shifted = new Float32Array(3 + 30);
  mlp.predictEach(10, (i) => features[i]!, shifted, 3);
  assert.deepEqual(shifted.subarray(3), wasm.subarray(0, 30));
  // rows staged here and computed by another instance on the shared weights (as a worker
  // does): the same numbers, over two kernel calls and a grown feature area, at an offset
  const other = new SparseMlp(mlp.share()!);
  const staged = mlp.stage(texts.length, (i) => features[i]!);
  assert.equal(staged.count, texts.length);
  const fromStaged = new Float32Array(3 + wasm.length);
  // taken once, by whichever instance asks first; computed, whoever computed them
  assert.equal(mlp.stagedState(staged), "staged");
  assert.equal(other.takeStaged(staged), true);
  assert.equal(mlp.takeStaged(staged), false);
  assert.equal(other.takeStaged(staged), false);
  assert.equal(mlp.stagedState(staged), "taken");
  other.runStaged(staged, fromStaged, 3);
  assert.equal(mlp.stagedState(staged), "computed");
  assert.equal(mlp.takeStaged(staged), false);
  assert.deepEqual(fromStaged.subarray(3), wasm);
  // a released area is reused for the next batch; rows named nowhere are refused
  mlp.release(staged);
  const again = mlp.stage(5, (i) => features[i]!);
  assert.equal(again.rowsAt, staged.rowsAt);
  assert.equal(other.stagedState(again), "staged");
  assert.deepEqual(other.predict(features.slice(0, 5)), wasm.subarray(0, 15));
  const beyond = { rowsAt: mlp.share()!.memory.buffer.byteLength, count: 1, stateAt: 0 };
  for (
    const use of [() => other.runStaged(beyond, new Float32Array(3)), () => mlp.takeStaged(beyond)]
  ) {
    assert.throws(use, {
      name: "RangeError",
      message: `Cannot predict: no staged rows at ${beyond.rowsAt} (1 rows)`,
    });
  }
  assert.throws(() => js.stage(1, (i) => features[i]!), { name: "RangeError" });
  model.dispose();
});

Deno.test("createSparsePredictor() returns undefined for an embedder without featurize()", async () => {
  await initBackend();
  const model = randomModel(8, 4, 1);
  const embedder = {
    id: "dense-only",
    dimension: 8,
    config: { kind: "openai" as const },
    embed: () => Promise.resolve(new Float32Array(8)),
  };
  assert.equal(createSparsePredictor({ model, embedder }), undefined);
  model.dispose();
});

Deno.test("extractMlpWeights() rejects a model that is not Dense(relu) → Dense(softmax)", async () => {
  await initBackend();
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 3, activation: "softmax" }),
    ],
  });
  assert.throws(() => extractMlpWeights(model), {
    name: "TypeError",
    message:
      "Cannot extract weights: expected Dense(relu) → Dense(softmax) with biases, got Dense(softmax)",
  });
  model.dispose();
});

for (const kernel of ["auto", "js"] as const) {
  Deno.test(`SparseMlp({ kernel: "${kernel}" }).predict() matches a hand computation and rejects out-of-range indices`, () => {
    // 2 inputs → 2 hidden → 3 classes; x = [0, 2]: h = relu([0.5, -1] + 2·[1, 1]) = [2.5, 1]
    const mlp = new SparseMlp({
      inputs: 2,
      hidden: 2,
      classes: 3,
      w1: Float32Array.of(9, 9, 1, 1),
      b1: Float32Array.of(0.5, -1),
      w2: Float32Array.of(1, 0, 0, 0, 1, 0),
      b2: Float32Array.of(0, 0, 0),
    }, { kernel });
    assert.equal(mlp.kernel, kernel === "auto" ? "wasm" : "js");
    const p = mlp.predict([{ indices: Int32Array.of(1), values: Float32Array.of(2) }]);
    const z = [Math.exp(2.5), Math.exp(1), 1];
    const sum = z[0]! + z[1]! + z[2]!;
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(p[c]! - z[c]! / sum) < 1e-6);
    for (const index of [2, -1]) {
      assert.throws(
        () => mlp.predict([{ indices: Int32Array.of(index), values: Float32Array.of(1) }]),
        { name: "RangeError", message: `Cannot predict: feature index ${index} is outside 0..1` },
      );
    }
  });
}

Deno.test("predictMatrix() on sparse rows, their dense form, and a bundle matches tfjs", async () => {
  const embedder = new BuiltinEmbedder({ dimension: 256 });
  const model = randomModel(256, 40, 9); // hidden not a multiple of the kernel's 32-unit blocks
  const texts = manyTexts(300, 10);
  const sparse = embedder.featurizeMany(texts);
  const dense = await embedder.embed(texts);
  const reference = tf.tidy(() =>
    (model.predict(tf.tensor2d(dense, [texts.length, 256])) as tf.Tensor).dataSync()
  );
  const weights = extractMlpWeights(model);
  const results = [
    predictMatrix(weights, sparse),
    predictMatrix(new SparseMlp(weights), {
      kind: "dense",
      rows: 300,
      dimension: 256,
      data: dense,
    }),
    predictMatrix({ model, embedder }, sparse),
  ];
  for (const result of results) {
    assert.equal(result.length, 900);
    result.forEach((p, i) => assert.ok(Math.abs(p - reference[i]!) < 1e-5, `${i}: ${p}`));
  }
  assert.throws(() => predictMatrix(weights, { ...sparse, dimension: 128 }), {
    name: "TypeError",
    message: "Cannot predict: the matrix has dimension 128, the model takes 256 inputs",
  });
  model.dispose();
});
