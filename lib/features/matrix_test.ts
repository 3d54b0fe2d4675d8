import assert from "node:assert/strict";
import { sliceRows, toDense } from "./matrix.ts";

Deno.test("toDense() places each sparse value at its row and column", () => {
  const dense = toDense({
    kind: "sparse",
    rows: 2,
    dimension: 3,
    offsets: Int32Array.of(0, 2, 3),
    indices: Int32Array.of(0, 2, 1),
    values: Float32Array.of(0.5, 1, 2),
  });
  assert.deepEqual([...dense.data], [0.5, 0, 1, 0, 2, 0]);
});

Deno.test("sliceRows() keeps the chosen rows of sparse and dense matrices", () => {
  const sparse = {
    kind: "sparse" as const,
    rows: 3,
    dimension: 3,
    offsets: Int32Array.of(0, 2, 3, 5),
    indices: Int32Array.of(0, 2, 1, 0, 1),
    values: Float32Array.of(0.5, 1, 2, 3, 4),
  };
  const tail = sliceRows(sparse, 1, 3);
  assert.deepEqual([...toDense(tail).data], [0, 2, 0, 3, 4, 0]);
  assert.deepEqual([...tail.offsets], [0, 1, 3]);
  const dense = toDense(sparse);
  assert.deepEqual([...sliceRows(dense, 0, 1).data], [0.5, 0, 1]);
  assert.throws(() => sliceRows(dense, 2, 4), {
    name: "RangeError",
    message: "Cannot slice rows 2..4 of a 3-row matrix",
  });
});
