import assert from "node:assert/strict";
import { createMicroBatcher, toResult } from "./classifier.ts";

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
