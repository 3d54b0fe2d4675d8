import assert from "node:assert/strict";
import { toDense } from "./matrix.ts";

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
