import assert from "node:assert/strict";
import { createPrng, pick, pickWeighted, shuffle } from "./random.ts";

function draw(seed: number, n: number): number[] {
  const prng = createPrng(seed);
  return Array.from({ length: n }, () => prng());
}

Deno.test("createPrng() gives the same sequence for the same seed", () => {
  assert.deepEqual(draw(42, 100), draw(42, 100));
});

Deno.test("createPrng() gives different sequences for different seeds", () => {
  assert.notDeepEqual(draw(42, 10), draw(43, 10));
});

Deno.test("createPrng() returns floats in [0, 1) with a mean near 0.5", () => {
  const values = draw(7, 20_000);
  assert.ok(values.every((v) => v >= 0 && v < 1));
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
});

Deno.test("shuffle() returns the same array as a permutation of its items", () => {
  const items = Array.from({ length: 100 }, (_, i) => i);
  const result = shuffle(items, createPrng(1));
  assert.equal(result, items);
  assert.deepEqual([...result].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  assert.notDeepEqual(result, Array.from({ length: 100 }, (_, i) => i));
});

Deno.test("shuffle() is deterministic per seed", () => {
  const a = shuffle(Array.from({ length: 50 }, (_, i) => i), createPrng(9));
  const b = shuffle(Array.from({ length: 50 }, (_, i) => i), createPrng(9));
  const c = shuffle(Array.from({ length: 50 }, (_, i) => i), createPrng(10));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

Deno.test("pick() returns an element and throws RangeError for an empty array", () => {
  const prng = createPrng(3);
  const seen = new Set(Array.from({ length: 200 }, () => pick(["a", "b", "c"], prng)));
  assert.deepEqual([...seen].sort(), ["a", "b", "c"]);
  assert.throws(() => pick([], prng), {
    name: "RangeError",
    message: "Cannot pick from an empty array",
  });
});

Deno.test("pickWeighted() picks keys about as often as their weights say", () => {
  const prng = createPrng(5);
  const weights = { question: 0.35, answer: 0.45, comment: 0.2, never: 0 };
  const counts: Record<string, number> = { question: 0, answer: 0, comment: 0, never: 0 };
  const n = 20_000;
  for (let i = 0; i < n; i++) counts[pickWeighted(weights, prng)]!++;
  assert.equal(counts.never, 0);
  for (const key of ["question", "answer", "comment"] as const) {
    assert.ok(Math.abs(counts[key]! / n - weights[key]) < 0.015, `${key}: ${counts[key]}`);
  }
});
