import assert from "node:assert/strict";
import { createMicroBatcher, toResult, toResultJson } from "./classifier.ts";

Deno.test("toResult() reads one row by label and repeats it in LABELS order", () => {
  // Two rows in LABELS order (answer, comment, question).
  const p = new Float32Array([0.1, 0.2, 0.7, 0.6, 0.3, 0.1]);
  assert.deepEqual(toResult(p, 1, ["answer", "comment", "question"]), {
    label: "answer",
    probabilities: { question: 0.1, answer: 0.6, comment: 0.3 },
    result: [0.6, 0.3, 0.1],
  });
  assert.equal(toResult(p, 0, ["answer", "comment", "question"], 0.7).label, "question");
  assert.equal(toResult(p, 0, ["answer", "comment", "question"], 0.71).label, "unsure");
});

Deno.test("toResult() follows the model's label order when it differs from LABELS", () => {
  const p = new Float32Array([0.7, 0.2, 0.1]);
  const r = toResult(p, 0, ["question", "answer", "comment"]);
  assert.equal(r.label, "question");
  assert.deepEqual(r.result, [0.2, 0.1, 0.7]);
});

Deno.test("createMicroBatcher() merges same-tick calls and splits the rows back", async () => {
  const calls: string[][] = [];
  const predict = createMicroBatcher((texts) => {
    calls.push([...texts]);
    return Promise.resolve(Float32Array.from(texts.flatMap((t) => [t.length, 0, 0])));
  }, 3);
  const [a, b] = await Promise.all([predict(["x", "yy"]), predict(["zzz"])]);
  assert.deepEqual(calls, [["x", "yy", "zzz"]]);
  assert.deepEqual([...a], [1, 0, 0, 2, 0, 0]);
  assert.deepEqual([...b], [3, 0, 0]);
});

Deno.test("createMicroBatcher() caps a batch at maxTexts and rejects every caller on failure", async () => {
  const sizes: number[] = [];
  const predict = createMicroBatcher(
    (texts) => {
      sizes.push(texts.length);
      return Promise.resolve(new Float32Array(texts.length * 3));
    },
    3,
    { maxTexts: 4 },
  );
  await Promise.all([predict(["a", "b", "c"]), predict(["d", "e"]), predict(["f"])]);
  assert.deepEqual(sizes, [3, 3]);
  const failing = createMicroBatcher(() => Promise.reject(new RangeError("nope")), 3);
  const results = await Promise.allSettled([failing(["a"]), failing(["b"])]);
  assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"]);
});

Deno.test("createMicroBatcher() with maxInFlight merges the calls made while a batch runs into the next", async () => {
  const calls: string[][] = [];
  let release = () => {};
  const predict = createMicroBatcher(
    (texts) => {
      calls.push([...texts]);
      return new Promise((resolve) => {
        release = () => resolve(Float32Array.from(texts.flatMap((t) => [t.length, 0, 0])));
      });
    },
    3,
    { maxInFlight: 1 },
  );
  const first = predict(["a"]);
  await new Promise((resolve) => setTimeout(resolve, 5)); // the first batch is running
  const later = [predict(["bb"]), predict(["ccc"])];
  await new Promise((resolve) => setTimeout(resolve, 5)); // …and still alone
  assert.deepEqual(calls, [["a"]]);
  release();
  assert.deepEqual([...await first], [1, 0, 0]);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(calls, [["a"], ["bb", "ccc"]]);
  release();
  const [b, c] = await Promise.all(later);
  assert.deepEqual([...b!], [2, 0, 0]);
  assert.deepEqual([...c!], [3, 0, 0]);
});

Deno.test("toResultJson() writes exactly JSON.stringify(toResult()) for any row, order and threshold", () => {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const orders = [
    ["answer", "comment", "question"],
    ["question", "answer", "comment"],
    ["comment", "question", "answer"],
  ] as const;
  for (let i = 0; i < 2000; i++) {
    const a = rand(), b = rand() * (1 - a);
    const row = i % 7 === 0 ? [1, 0, 0] : i % 11 === 0 ? [1 / 3, 1 / 3, 1 / 3] : [a, b, 1 - a - b];
    const p = new Float32Array([0.5, 0.25, 0.25, ...row]);
    const labels = orders[i % 3]!;
    const threshold = [0, 0.5, 0.7, 1, rand()][i % 5]!;
    assert.equal(
      toResultJson(p, 1, labels, threshold),
      JSON.stringify(toResult(p, 1, labels, threshold)),
    );
  }
});

Deno.test("createMicroBatcher() starts a batch once the turn's microtasks have run, before any timer", async () => {
  const calls: string[][] = [];
  const predict = createMicroBatcher((texts) => {
    calls.push([...texts]);
    return Promise.resolve(new Float32Array(texts.length * 3));
  }, 3);
  let timerFired = false;
  const timer = setTimeout(() => timerFired = true, 0);
  // requests whose reads completed in the same turn reach the batcher a few promise hops apart
  const after = async (text: string, hops: number) => {
    for (let i = 0; i < hops; i++) await null;
    return predict([text]);
  };
  await Promise.all([after("a", 0), after("b", 2), after("c", 3)]);
  assert.equal(timerFired, false);
  assert.deepEqual(calls, [["a", "b", "c"]]);
  clearTimeout(timer);
});
