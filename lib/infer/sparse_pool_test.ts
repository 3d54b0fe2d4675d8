import assert from "node:assert/strict";
import { BuiltinEmbedder } from "../features/builtin.ts";
import { DEFAULT_CONTEXT_RECIPE } from "../features/context.ts";
import { randomContextBundle, randomModel } from "./_testing.ts";
import { initBackend } from "./backend.ts";
import { predictProbabilities } from "./predict.ts";
import { createSparsePredictor } from "./sparse.ts";
import { createSparsePool } from "./sparse_pool.ts";

await initBackend();

const TEXTS = Array.from(
  { length: 300 },
  (_, i) => ["how do I start?", "use pandas", "lol same", "anyone here??", ""][i % 5] + ` ${i}`,
);

Deno.test("createSparsePool() gives createSparsePredictor()'s numbers from concurrent calls", async () => {
  const embedder = new BuiltinEmbedder({ dimension: 256 });
  const model = randomModel(256, 64, { seed: 1 });
  // batches as the workers get them (none is big enough to pick word rows from)
  const parts = [TEXTS.slice(0, 100), TEXTS.slice(100, 130), TEXTS.slice(130)];
  const expected = Float32Array.from(
    parts.flatMap((part) => [...createSparsePredictor({ model, embedder })!(part)]),
  );
  using pool = createSparsePool({ model, embedder }, { workers: 2 })!;
  const results = await Promise.all(parts.map((part) => pool.predict(part)));
  const joined = new Float32Array(expected.length);
  let offset = 0;
  for (const r of results) {
    joined.set(r, offset);
    offset += r.length;
  }
  assert.deepEqual(joined, expected);
  assert.deepEqual(await pool.predict([]), new Float32Array(0));
  pool.close();
  await assert.rejects(pool.predict(["hi"]), {
    message: "Cannot predict: the sparse pool is closed",
  });
  model.dispose();
});

Deno.test("a staged pool's help() computes here the newest batches no worker has started, leaving the workers one unless draining", async () => {
  const embedder = new BuiltinEmbedder({ dimension: 256 });
  const model = randomModel(256, 64, { seed: 4 });
  const parts = [
    TEXTS.slice(0, 100),
    TEXTS.slice(100, 130),
    TEXTS.slice(130, 200),
    TEXTS.slice(200),
  ];
  const expected = parts.map((part) => createSparsePredictor({ model, embedder })!(part));
  using pool = createSparsePool({ model, embedder }, { workers: 1, stage: true })!;
  assert.equal(pool.help(), false); // nothing in flight
  // staged at once; the worker is sent them only once it has started, after this code runs
  const results = parts.map((part) => pool.predict(part));
  assert.equal(pool.help(), true);
  assert.equal(pool.help(), true);
  assert.equal(pool.help(), true);
  assert.equal(pool.help(), false); // the oldest is the worker's to go on with
  // the three newest resolve with no turn of the event loop (which the worker's answers need)
  for (const i of [3, 2, 1]) assert.deepEqual(await results[i]!, expected[i]);
  assert.equal(pool.help(true), true); // draining: that one too
  assert.equal(pool.help(true), false);
  assert.deepEqual(await Promise.all(results), expected);
  // the worker skipped them all, and computes the next batch as usual
  assert.deepEqual(await pool.predict(parts[1]!), expected[1]);
  assert.equal(pool.busy, 0);
  assert.equal(pool.help(true), false);
  model.dispose();
});

Deno.test("createSparsePool() is undefined for dense embedders and rejects a bad worker count", () => {
  const model = randomModel(8, 4, { seed: 2 });
  const dense = {
    id: "dense-only",
    dimension: 8,
    config: { kind: "openai" as const },
    embed: () => Promise.resolve(new Float32Array(8)),
  };
  assert.equal(createSparsePool({ model, embedder: dense }), undefined);
  const embedder = new BuiltinEmbedder({ dimension: 16 });
  const small = randomModel(16, 4, { seed: 3 });
  assert.throws(() => createSparsePool({ model: small, embedder }, { workers: 0 }), {
    name: "RangeError",
    message: "Cannot start sparse pool: workers must be a positive integer, got 0",
  });
  model.dispose();
  small.dispose();
});

Deno.test("createSparsePool() refuses a model that does not fit the embedder", () => {
  const embedder = new BuiltinEmbedder({ dimension: 32 });
  const model = randomModel(16, 4, { seed: 5 });
  assert.throws(() => createSparsePool({ model, embedder }, { workers: 2 }), {
    name: "TypeError",
    message:
      'Cannot start sparse pool: the model takes 16 inputs, the embedder "builtin-v2-d32" gives 32',
  });
  model.dispose();
});

Deno.test("a context model's pool reads each text alone, as predictProbabilities() does", async () => {
  const embedder = new BuiltinEmbedder({ dimension: 128 });
  const bundle = randomContextBundle(embedder, 32, { seed: 7 });
  const texts = TEXTS.slice(0, 40);
  const expected = await predictProbabilities(bundle, texts);
  using pool = createSparsePool(bundle, { workers: 2, context: DEFAULT_CONTEXT_RECIPE })!;
  const parts = await Promise.all([
    pool.predict(texts.slice(0, 10)),
    pool.predict(texts.slice(10, 11)),
    pool.predict(texts.slice(11)),
  ]);
  const joined = Float32Array.from(parts.flatMap((part) => [...part]));
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(joined[i]! - expected[i]!) < 1e-6, `value ${i}`);
  }
  bundle.model.dispose();
});
