import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createPrng } from "../data/random.ts";
import { LABELS } from "../data/types.ts";
import { BuiltinEmbedder } from "../features/builtin.ts";
import type { Embedder } from "../features/embedder.ts";
import { initBackend } from "./backend.ts";
import type { ModelBundle, ModelMetadata } from "../model/bundle.ts";
import { classify, predictProbabilities, predictVectors } from "./predict.ts";
import { createClassifierModel } from "../model/train.ts";

await initBackend();

/** Two features: "?" present, and a constant 1. */
const fakeEmbedder: Embedder = {
  id: "fake",
  dimension: 2,
  config: { kind: "builtin" },
  embed: (texts) =>
    Promise.resolve(Float32Array.from(texts.flatMap((t) => [t.includes("?") ? 1 : 0, 1]))),
};

/** Hidden unit 0 copies "?", unit 1 the constant; "?" → question, else answer, never comment. */
function questionModel(): tf.LayersModel {
  const model = createClassifierModel(2, 2);
  model.setWeights([
    tf.tensor2d([[1, 0], [0, 1]]),
    tf.zeros([2]),
    tf.tensor2d([[0, -2, 4], [1, -2, 0]]),
    tf.zeros([3]),
  ]);
  return model;
}

function bundleOf(model: tf.LayersModel): ModelBundle {
  return { model, embedder: fakeEmbedder, labels: LABELS, metadata: {} as ModelMetadata };
}

Deno.test("predictVectors() returns n × 3 probabilities that sum to 1", () => {
  const model = questionModel();
  const x = Float32Array.from({ length: 2 * 2500 }, (_, i) => (i % 2 === 1 ? 1 : (i % 6) / 4));
  const p = predictVectors(model, x, 2, { batchSize: 1000 }); // three batches, the last partial
  assert.equal(p.length, 2500 * 3);
  for (let i = 0; i < 2500; i++) {
    assert.ok(Math.abs(p[3 * i]! + p[3 * i + 1]! + p[3 * i + 2]! - 1) < 1e-6);
  }
  assert.deepEqual(predictVectors(model, new Float32Array(0), 2), new Float32Array(0));
  model.dispose();
});

Deno.test("classify() labels texts with their probabilities in LABELS order", async () => {
  const bundle = bundleOf(questionModel());
  const [question, statement] = await classify(bundle, ["is this a question?", "it is not"]);
  assert.equal(question!.label, "question");
  assert.equal(statement!.label, "answer");
  assert.deepEqual(Object.keys(question!.probabilities), [...LABELS]);
  const p = question!.probabilities;
  // hidden (1, 1) → logits (1, -4, 4) for "?" rows: softmax by hand
  const z = Math.exp(1) + Math.exp(-4) + Math.exp(4);
  assert.ok(Math.abs(p.question - Math.exp(4) / z) < 1e-6);
  assert.ok(Math.abs(p.comment - Math.exp(-4) / z) < 1e-6);
  assert.deepEqual(await classify(bundle, []), []);
  bundle.model.dispose();
});

Deno.test("predictProbabilities() and predictVectors() leave no tensors behind", async () => {
  const bundle = bundleOf(questionModel());
  await predictProbabilities(bundle, ["warm up?"]);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) {
    await predictProbabilities(bundle, ["a?", "b", "c"]);
    predictVectors(bundle.model, new Float32Array(2 * 40), 2, { batchSize: 16 });
  }
  assert.equal(tf.memory().numTensors, before);
  bundle.model.dispose();
});

Deno.test("predictVectors() rejects vectors the model does not take", () => {
  const model = questionModel();
  assert.throws(() => predictVectors(model, new Float32Array(6), 3), {
    name: "TypeError",
    message: "Cannot predict with model: vectors have dimension 3, the model expects 2",
  });
  assert.throws(() => predictVectors(model, new Float32Array(5), 2), {
    name: "TypeError",
    message: "Cannot predict with model: 5 values are not whole rows of dimension 2",
  });
  model.dispose();
});

Deno.test("predictProbabilities() takes the sparse path for builtin features: tfjs's numbers, new weights seen", async () => {
  const embedder = new BuiltinEmbedder({ dimension: 64 });
  const model = createClassifierModel(64, 16);
  const prng = createPrng(5);
  const setRandomWeights = () => {
    const values = model.getWeights().map((w) =>
      tf.tensor(Float32Array.from({ length: w.size }, () => prng() * 2 - 1), w.shape)
    );
    model.setWeights(values);
    tf.dispose(values);
  };
  setRandomWeights();
  const bundle: ModelBundle = { model, embedder, labels: LABELS, metadata: {} as ModelMetadata };
  const texts = ["how do I start?", "use pandas", "lol", "", "thanks!! that worked"];
  const assertSame = (a: Float32Array, b: Float32Array) => {
    assert.equal(a.length, b.length);
    for (let i = 0; i < a.length; i++) {
      assert.ok(Math.abs(a[i]! - b[i]!) < 1e-5, `${a[i]} vs ${b[i]}`);
    }
  };
  const before = tf.memory().numTensors;
  const fast = await predictProbabilities(bundle, texts);
  assertSame(fast, await predictProbabilities(bundle, texts, { route: "tfjs" }));
  assert.equal(tf.memory().numTensors, before);
  // new weights (as after training) must not be answered from the copy of the old ones
  setRandomWeights();
  const changed = await predictProbabilities(bundle, texts);
  assert.ok(changed.some((p, i) => Math.abs(p - fast[i]!) > 1e-3));
  assertSame(changed, await predictProbabilities(bundle, texts, { route: "tfjs" }));
  model.dispose();
});
