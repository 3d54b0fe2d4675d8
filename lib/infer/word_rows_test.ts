import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createPrng } from "../data/random.ts";
import { BuiltinEmbedder } from "../features/builtin.ts";
import {
  aloneContexts,
  CONTEXT_CUES,
  contextInputWidth,
  DEFAULT_CONTEXT_RECIPE,
} from "../features/context.ts";
import type { WeightsBundle } from "../model/bundle_files.ts";
import { randomContextBundle, randomModel } from "./_testing.ts";
import { initBackend } from "./backend.ts";
import { aloneRows, predictAlone } from "./context.ts";
import { bundleMlp, createSparsePredictor, extractMlpWeights, SparseMlp } from "./sparse.ts";
import { createSparsePool } from "./sparse_pool.ts";
import { classifyFile, createBatchPredictor } from "./classify_file.ts";
import { WORD_ROWS_MIN_TEXTS, wordRowsFeaturizer } from "./word_rows.ts";

await initBackend();

/**
 * A batch big enough to pick word rows from: words repeat across texts (they get rows), within
 * texts ("haha haha": not factored there) and share n-grams ("data", "database").
 */
const TEXTS = (() => {
  const prng = createPrng(11);
  const words = ("how do i join two data database tables in pandas the then them sql haha lol " +
    "thanks anyone worth it course python").split(" ");
  return Array.from({ length: WORD_ROWS_MIN_TEXTS + 100 }, (_, i) => {
    const n = 1 + Math.floor(prng() * 12);
    const text = Array.from({ length: n }, () => words[Math.floor(prng() * words.length)]).join(
      " ",
    );
    return text + (i % 3 === 0 ? "?" : "") + (i % 5 === 0 ? " haha haha" : "");
  });
})();

/** The tfjs model's probabilities of texts read alone (`message ⊕ empty context ⊕ cues`). */
async function tfjsAlone(model: tf.LayersModel, embedder: BuiltinEmbedder, context: boolean) {
  const d = embedder.dimension;
  const message = await embedder.embed(TEXTS);
  const width = context ? contextInputWidth(d) : d;
  const x = new Float32Array(TEXTS.length * width);
  const { cues } = aloneContexts(TEXTS.map((text) => ({ text })));
  const k = CONTEXT_CUES.length;
  for (let i = 0; i < TEXTS.length; i++) {
    x.set(message.subarray(i * d, (i + 1) * d), i * width);
    if (context) x.set(cues.subarray(i * k, (i + 1) * k), i * width + 2 * d);
  }
  const input = tf.tensor2d(x, [TEXTS.length, width]);
  const y = model.predict(input) as tf.Tensor;
  const p = y.dataSync() as Float32Array;
  tf.dispose([input, y]);
  return p;
}

function assertClose(got: Float32Array, expected: Float32Array, tolerance = 1e-5) {
  assert.equal(got.length, expected.length);
  for (let i = 0; i < got.length; i++) {
    assert.ok(Math.abs(got[i]! - expected[i]!) < tolerance, `${i}: ${got[i]} vs ${expected[i]}`);
  }
}

Deno.test("word rows: a context model's texts read alone match tfjs within 1e-5, here and on a worker", async () => {
  for (const dimension of [256, 64]) { // 64 buckets: words often share one with other features
    const embedder = new BuiltinEmbedder({ dimension });
    const bundle = randomContextBundle(embedder, 64, { seed: dimension });
    const { model } = bundle;
    const expected = await tfjsAlone(model, embedder, true);
    assertClose(await predictAlone(bundle, TEXTS), expected);
    // the rows the kernel got named word rows (inputs past the model's own)
    const mlp = bundleMlp(bundle);
    const rows = aloneRows(embedder, TEXTS, mlp)!;
    const named = TEXTS.filter((_, i) => rows(i).indices.some((index) => index >= mlp.inputs));
    assert.ok(
      named.length > (dimension === 64 ? 20 : TEXTS.length / 2),
      `${named.length} texts named word rows`,
    );
    using pool = createSparsePool(bundle, { workers: 1, context: DEFAULT_CONTEXT_RECIPE })!;
    assertClose(await pool.predict(TEXTS), expected);
    model.dispose();
  }
});

Deno.test("word rows: a message-only model's sparse predictor matches tfjs within 1e-5, here and on a worker", async () => {
  for (const version of [2, 1] as const) {
    const embedder = new BuiltinEmbedder({ dimension: 128, version });
    const model = randomModel(128, 40, { seed: version });
    const bundle = { model, embedder };
    const expected = await tfjsAlone(model, embedder, false);
    assertClose(createSparsePredictor(bundle)!(TEXTS), expected);
    using pool = createSparsePool(bundle, { workers: 1 })!;
    assertClose(await pool.predict(TEXTS), expected);
    model.dispose();
  }
});

Deno.test("word rows come from the first batch of WORD_ROWS_MIN_TEXTS texts only, and not on the js kernel", () => {
  const embedder = new BuiltinEmbedder({ dimension: 64 });
  const weights = {
    inputs: 64,
    hidden: 8,
    classes: 3,
    w1: new Float32Array(64 * 8).fill(0.1),
    b1: new Float32Array(8),
    w2: new Float32Array(8 * 3),
    b2: new Float32Array(3),
  };
  const mlp = new SparseMlp(weights);
  assert.equal(wordRowsFeaturizer(embedder, mlp, TEXTS.slice(0, 10)), undefined);
  const wordRow = (featurize: (text: string) => { indices: Int32Array }, text: string) =>
    featurize(text).indices.some((index) => index >= mlp.inputs);
  const named = (featurize: (text: string) => { indices: Int32Array }) =>
    TEXTS.filter((text) => wordRow(featurize, text)).length;
  assert.ok(named(wordRowsFeaturizer(embedder, mlp, TEXTS)!) > 20);
  // built once: later batches, small or big, reuse those words and add none
  assert.ok(wordRowsFeaturizer(embedder, mlp, TEXTS.slice(0, 10)));
  const zebras = TEXTS.map((text, i) => (i % 2 ? `${text} zebra` : text));
  const featurize = wordRowsFeaturizer(embedder, mlp, zebras)!;
  assert.equal(wordRow(featurize, "zebra"), false); // a word said once is read through its row
  assert.equal(wordRow(featurize, "pandas"), true);
  assert.ok(named(featurize) > 20);
  const js = new SparseMlp(weights, { kernel: "js" });
  assert.equal(wordRowsFeaturizer(embedder, js, TEXTS), undefined);
});

Deno.test("word rows: any first batch of 2048 texts or more gives the same numbers", () => {
  const prng = createPrng(8);
  const words = madeUpWords(prng, 3000);
  // the words after the 2048th text are new: a list picked from more texts would hold them
  const texts = Array.from(
    { length: 3000 },
    (_, i) =>
      Array.from({ length: 3 }, () => words[Math.floor(prng() * (i < 2048 ? 1500 : 3000))]).join(
        " ",
      ),
  );
  const embedder = new BuiltinEmbedder({ dimension: 256 });
  const model = randomModel(256, 32, { seed: 4 });
  const predictor = () => createSparsePredictor({ embedder, weights: extractMlpWeights(model) })!;
  const whole = predictor()(texts);
  const split = predictor();
  assert.deepEqual(
    Float32Array.from([...split(texts.slice(0, 2048)), ...split(texts.slice(2048))]),
    whole,
  );
  model.dispose();
});

/** `n` distinct made-up words of five letters. */
function madeUpWords(prng: () => number, n: number): string[] {
  const words = new Set<string>();
  while (words.size < n) {
    words.add(
      Array.from({ length: 5 }, () => "abcdefghijklmnopqrstuvwxyz"[Math.floor(prng() * 26)])
        .join(""),
    );
  }
  return [...words];
}

Deno.test("word rows: every thread reads the first big batch's words, so a text's numbers do not depend on the thread that computes it", async () => {
  const prng = createPrng(3);
  const [first, later] = [madeUpWords(prng, 400).slice(0, 200), madeUpWords(prng, 400).slice(200)];
  const pick = (words: string[]) => words[Math.floor(prng() * words.length)]!;
  // the first batch's words each come ~6 times; later batches name each of them once at most
  // beside words of their own (a list a thread picked from its own first batch would differ)
  const batches = [
    Array.from({ length: 300 }, () => Array.from({ length: 4 }, () => pick(first)).join(" ")),
    ...[0, 1].map((b) =>
      Array.from(
        { length: 300 },
        (_, i) =>
          [...(i < 200 ? [first[(i + b * 7) % 200]!] : []), pick(later), pick(later)].join(" ") +
          (i % 3 ? "" : "?"),
      )
    ),
  ];
  const embedder = new BuiltinEmbedder({ dimension: 256 });
  for (const context of [false, true]) {
    const bundle = context
      ? randomContextBundle(embedder, 64, { seed: 9 })
      : { model: randomModel(256, 64, { seed: 9 }), embedder };
    // each predictor on its own copy of the weights: its own kernel memory and word rows
    const asWeights = () => {
      const { model, ...rest } = bundle;
      return { ...rest, weights: extractMlpWeights(model) };
    };
    // this thread alone, batch after batch
    const alone = asWeights();
    const expected = [];
    for (const batch of batches) {
      expected.push(
        context
          ? await predictAlone(alone as WeightsBundle, batch)
          : createSparsePredictor(alone)!(batch),
      );
    }
    // two workers at once: the second one's first batch is batches[1]
    using pool = createSparsePool(asWeights(), {
      workers: 2,
      ...(context ? { context: DEFAULT_CONTEXT_RECIPE } : {}),
    })!;
    assert.deepEqual(await Promise.all(batches.map((batch) => pool.predict(batch))), expected);
    // one worker, the batches in another order (the first one still first)
    using one = createSparsePool(asWeights(), {
      workers: 1,
      ...(context ? { context: DEFAULT_CONTEXT_RECIPE } : {}),
    })!;
    const order = [0, 2, 1];
    const got = await Promise.all(order.map((b) => one.predict(batches[b]!)));
    assert.deepEqual(batches.map((_, b) => got[order.indexOf(b)]), expected);
    // featurized on this thread and computed on the workers (`stage`): the same numbers
    using staged = createSparsePool(asWeights(), {
      workers: 2,
      stage: true,
      ...(context ? { context: DEFAULT_CONTEXT_RECIPE } : {}),
    })!;
    assert.equal(staged.staged, true);
    assert.deepEqual(await Promise.all(batches.map((batch) => staged.predict(batch))), expected);
    bundle.model.dispose();
  }
});

Deno.test("classifyFile() with a staged worker (deno task classify's route) writes the bytes one thread writes", async () => {
  const embedder = new BuiltinEmbedder({ dimension: 256 });
  const { model, ...bundle } = randomContextBundle(embedder, 64, { seed: 21 });
  const asWeights = () => ({ ...bundle, weights: extractMlpWeights(model) });
  const input = await Deno.makeTempFile({ suffix: ".txt" });
  await Deno.writeTextFile(input, [...TEXTS, ...TEXTS.slice(0, 150).reverse()].join("\n") + "\n");
  const outputs: string[] = [];
  for (const options of [{}, { workers: 1, queue: 2, stage: true }]) {
    const predict = createBatchPredictor(asWeights(), options);
    assert.equal(
      predict.route,
      options.stage
        ? "sparse wasm + 1 worker (context model, each text alone)"
        : "sparse wasm (context model, each text alone)",
    );
    const out = `${input}.${outputs.length}.csv`;
    try {
      // the first batch is big enough to pick word rows; later ones are in flight together
      await classifyFile(predict, input, out, { batchSize: 300, concurrency: 3 });
    } finally {
      predict.close();
    }
    outputs.push(await Deno.readTextFile(out));
    await Deno.remove(out);
  }
  assert.equal(outputs[1], outputs[0]);
  assert.equal(outputs[0]!.split("\n").length, TEXTS.length + 150 + 2);
  await Deno.remove(input);
  model.dispose();
});

Deno.test("SparseMlp.defineRows() makes a claimed row the weighted sum of real rows; unclaimed rows are refused", () => {
  // 2 inputs → 2 hidden → 3 classes
  const mlp = new SparseMlp({
    inputs: 2,
    hidden: 2,
    classes: 3,
    w1: Float32Array.of(1, -2, 3, 1),
    b1: Float32Array.of(0.5, 0),
    w2: Float32Array.of(1, 0, 0, 0, 1, 0),
    b2: Float32Array.of(0, 0, 0),
  });
  const { first, count } = mlp.claimRows(2);
  assert.equal(count, 2);
  assert.ok(first >= 2);
  mlp.defineRows(
    first,
    2,
    (i) =>
      i === 0
        ? { indices: Int32Array.of(0, 1), values: Float32Array.of(2, 0.5) } // [3.5, -3.5]
        : { indices: Int32Array.of(1), values: Float32Array.of(1) },
  );
  // 0.5 · row `first` = 0.5 · (2 · w1[0] + 0.5 · w1[1]) = the same input named feature by feature
  const viaRow = mlp.predict([{ indices: Int32Array.of(first), values: Float32Array.of(0.5) }]);
  const direct = mlp.predict([{ indices: Int32Array.of(0, 1), values: Float32Array.of(1, 0.25) }]);
  assertClose(viaRow, direct, 1e-6);
  assert.notDeepEqual(
    viaRow,
    mlp.predict([{ indices: Int32Array.of(0), values: Float32Array.of(1) }]),
  );
  for (const index of [first + 2, first + 1000]) {
    assert.throws(
      () => mlp.predict([{ indices: Int32Array.of(index), values: Float32Array.of(1) }]),
      { name: "RangeError", message: `Cannot predict: feature index ${index} is outside 0..1` },
    );
  }
  assert.throws(
    () =>
      mlp.defineRows(
        first + 1,
        2,
        () => ({ indices: Int32Array.of(0), values: Float32Array.of(1) }),
      ),
    {
      name: "RangeError",
      message: `Cannot define rows ${first + 1}..${first + 2}: this thread claimed ${first}..${
        first + 1
      }`,
    },
  );
  // a second thread on the same weights may read the first one's rows, not write them
  const reader = new SparseMlp(mlp.share()!);
  assert.throws(() => reader.adoptRows(first, 3), {
    name: "RangeError",
    message: `Cannot adopt rows ${first}..${first + 2}: rows 2..${first + 1} are claimed`,
  });
  reader.adoptRows(first, 2);
  assert.deepEqual(
    reader.predict([{ indices: Int32Array.of(first), values: Float32Array.of(0.5) }]),
    viaRow,
  );
  assert.throws(
    () =>
      reader.defineRows(
        first,
        1,
        () => ({ indices: Int32Array.of(0), values: Float32Array.of(1) }),
      ),
    {
      name: "RangeError",
      message: `Cannot define rows ${first}..${first}: this thread claimed none`,
    },
  );
  // or get rows of its own, until none are left
  const other = new SparseMlp(mlp.share()!);
  const rest = other.claimRows(1e9);
  assert.equal(rest.first, first + 2);
  assert.equal(other.claimRows(1).count, 0);
});
