import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createPrng } from "../data/random.ts";
import { LABELS } from "../data/types.ts";
import { BuiltinEmbedder } from "../features/builtin.ts";
import { contextInputWidth, DEFAULT_CONTEXT_RECIPE } from "../features/context.ts";
import { initBackend } from "../infer/backend.ts";
import { predictProbabilities } from "../infer/predict.ts";
import type { ModelBundle } from "../model/bundle.ts";
import { tinyBundle, tinyMetadata } from "./_testing.ts";
import { startPredictThreads } from "./predict_thread.ts";

await initBackend();

/** A builtin-featurizer bundle with seeded random weights; a context model when `context`. */
function randomBundle(context: boolean): ModelBundle {
  const embedder = new BuiltinEmbedder({ dimension: 128 });
  const inputs = context ? contextInputWidth(128) : 128;
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [inputs], units: 32, activation: "relu" }),
      tf.layers.dense({ units: 3, activation: "softmax" }),
    ],
  });
  const prng = createPrng(7);
  const values = model.getWeights().map((w) =>
    tf.tensor(Float32Array.from({ length: w.size }, () => prng() - 0.5), w.shape)
  );
  model.setWeights(values);
  tf.dispose(values);
  const metadata = { ...tinyMetadata(), embedder: embedder.config, dimension: 128 };
  return {
    model,
    embedder,
    labels: LABELS,
    metadata: context ? { ...metadata, context: { recipe: DEFAULT_CONTEXT_RECIPE } } : metadata,
  };
}

const TEXTS = Array.from(
  { length: 40 },
  (_, i) => ["how do I start?", "use pandas", "lol same", "anyone here??"][i % 4] + ` ${i}`,
);

for (const context of [false, true]) {
  Deno.test(`startPredictThreads() gives predictProbabilities()'s numbers${context ? " (context model, texts alone)" : ""}`, async () => {
    const bundle = randomBundle(context);
    const expected = await predictProbabilities(bundle, TEXTS);
    using threads = startPredictThreads(bundle, 2)!;
    const parts = await Promise.all([
      threads.predict(TEXTS.slice(0, 10)),
      threads.predict(TEXTS.slice(10, 11)),
      threads.predict(TEXTS.slice(11)),
    ]);
    const joined = new Float32Array(expected.length);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    for (let i = 0; i < expected.length; i++) {
      assert.ok(Math.abs(joined[i]! - expected[i]!) < 1e-6, `value ${i}`);
    }
  });
}

Deno.test("startPredictThreads() declines a model with no sparse form and rejects after close()", async () => {
  assert.equal(startPredictThreads(tinyBundle(), 1), undefined); // keyword embedder: dense
  assert.throws(() => startPredictThreads(randomBundle(false), 0), RangeError);
  const threads = startPredictThreads(randomBundle(false), 1)!;
  await threads.predict(["warm"]);
  threads.close();
  await assert.rejects(threads.predict(["x"]), /prediction threads are closed/);
});
