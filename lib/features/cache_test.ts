import assert from "node:assert/strict";
import { join } from "node:path";
import { decodeSegment, encodeSegment, MAX_SEGMENTS, textKey, withCache } from "./cache.ts";
import type { Embedder, EmbedOptions } from "./embedder.ts";

/** A deterministic embedder that records every text it was asked for. */
class CountingEmbedder implements Embedder {
  readonly dimension = 4;
  readonly config = { kind: "builtin" as const, test: true };
  calls: string[][] = [];
  constructor(readonly id = "counting/v1") {}
  embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array> {
    this.calls.push([...texts]);
    const out = new Float32Array(texts.length * this.dimension);
    texts.forEach((text, row) => {
      out.set([text.length, text.charCodeAt(0) || 0, 1, this.id.length], row * 4);
    });
    options.onProgress?.(texts.length, texts.length);
    return Promise.resolve(out);
  }
}

function expected(texts: string[], id = "counting/v1"): Float32Array {
  return Float32Array.from(texts.flatMap((t) => [t.length, t.charCodeAt(0) || 0, 1, id.length]));
}

Deno.test("withCache() answers a repeated embed without calling the inner embedder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const inner = new CountingEmbedder();
    const cached = withCache(inner, dir);
    const texts = ["how do I learn SQL?", "thanks!", "", "try Kaggle"];
    assert.deepEqual(await cached.embed(texts), expected(texts));
    assert.deepEqual(await cached.embed(texts), expected(texts));
    assert.equal(inner.calls.length, 1);
    assert.deepEqual(cached.stats, { hits: 4, misses: 4, size: 4, segments: 1 });
    assert.equal(cached.id, inner.id);
    assert.equal(cached.dimension, 4);
    assert.deepEqual(cached.config, inner.config);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withCache() reloads vectors from disk in a new instance", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await withCache(new CountingEmbedder(), dir).embed(["a", "bb"]);
    const inner = new CountingEmbedder();
    const cached = withCache(inner, dir);
    assert.deepEqual(await cached.embed(["bb", "a"]), expected(["bb", "a"]));
    assert.equal(inner.calls.length, 0);
    // the folder is named after the id with unsafe characters replaced
    const names = [...Deno.readDirSync(join(dir, "counting_v1"))].map((e) => e.name);
    assert.equal(names.length, 1);
    assert.match(names[0]!, /\.qvec$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withCache() embeds only unseen texts, once each, and keeps row order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const inner = new CountingEmbedder();
    const cached = withCache(inner, dir);
    await cached.embed(["x", "yy"]);
    const texts = ["zzz", "x", "zzz", "wwww", "yy"];
    const progress: number[] = [];
    const out = await cached.embed(texts, { onProgress: (done) => progress.push(done) });
    assert.deepEqual(out, expected(texts));
    assert.deepEqual(inner.calls[1], ["zzz", "wwww"]);
    assert.equal(progress.at(-1), 5);
    assert.equal(progress[0], 2); // the hits are reported first
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withCache() keeps embedders with different ids apart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await withCache(new CountingEmbedder("a-v1"), dir).embed(["same text"]);
    const other = new CountingEmbedder("a-v2");
    assert.deepEqual(
      await withCache(other, dir).embed(["same text"]),
      expected(["same text"], "a-v2"),
    );
    assert.equal(other.calls.length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withCache() merges segments once there are too many, losing nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = withCache(new CountingEmbedder(), dir);
    const texts = Array.from({ length: MAX_SEGMENTS + 3 }, (_, i) => `message ${i}`);
    for (const text of texts) await first.embed([text]);
    assert.ok(first.stats.segments <= MAX_SEGMENTS, `segments: ${first.stats.segments}`);
    const inner = new CountingEmbedder();
    assert.deepEqual(await withCache(inner, dir).embed(texts), expected(texts));
    assert.equal(inner.calls.length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("encodeSegment() and decodeSegment() round-trip; truncation is a SyntaxError", () => {
  const keys = [textKey("a"), textKey("b")];
  const vectors = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const bytes = encodeSegment("builtin-v1-d3", 3, keys, vectors);
  assert.deepEqual(decodeSegment(bytes), { id: "builtin-v1-d3", dimension: 3, keys, vectors });
  assert.equal(
    textKey("a"),
    "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
  );
  assert.throws(() => decodeSegment(bytes.subarray(0, bytes.length - 4)), {
    name: "SyntaxError",
    message: /^Cannot decode cache segment: 2 × 3 needs \d+ bytes, found \d+$/,
  });
  assert.throws(() => encodeSegment("x", 3, keys, new Float32Array(5)), TypeError);
});
