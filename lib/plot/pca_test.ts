import assert from "node:assert/strict";
import { pca } from "./pca.ts";

Deno.test("pca() finds the axis of a stretched cloud and its variance share", () => {
  // Points along (1, 1, 0) with small noise on (1, -1, 0): first axis ≈ (1, 1, 0)/√2.
  const rows: number[][] = [];
  for (let i = -5; i <= 5; i++) rows.push([i + 0.1 * (i % 2), i - 0.1 * (i % 2), 0]);
  const { points, explained, components } = pca(new Float32Array(rows.flat()), 3);
  assert.equal(components, 2);
  assert.equal(points.length, rows.length * 2);
  // Row i = 5 (value 0) projects to 0; row i = 10 (value 5) to 5·√2 on the first axis.
  assert.ok(Math.abs(points[5 * 2]!) < 1e-5);
  assert.ok(Math.abs(points[10 * 2]! - 5 * Math.SQRT2) < 0.01);
  assert.ok(explained[0]! > 0.99, `first share ${explained[0]}`);
  assert.ok(Math.abs(explained[0]! + explained[1]! - 1) < 1e-6);
});

Deno.test("pca() is deterministic and fixes the sign of each axis", () => {
  const x = new Float32Array([3, 0, -3, 0, 1, 1, -1, -1]);
  const a = pca(x, 2);
  const b = pca(x, 2, { seed: 7 });
  for (let i = 0; i < a.points.length; i++) {
    assert.ok(Math.abs(a.points[i]! - b.points[i]!) < 1e-5);
  }
  // Largest loading of the first axis is positive: the point (3, 0) lands on the positive side.
  assert.ok(a.points[0]! > 0);
});

Deno.test("pca() rejects a matrix whose length is not a multiple of the dimension", () => {
  assert.throws(() => pca(new Float32Array(5), 2), {
    name: "RangeError",
    message: "Cannot run PCA: 5 values do not form rows of dimension 2",
  });
});
