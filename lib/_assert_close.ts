/**
 * The tests' one numeric comparison: numpy.isclose's rule, element by element.
 * @module
 */

import assert from "node:assert/strict";

/** Options of {@linkcode assertClose}. */
export interface AssertCloseOptions {
  /** Absolute tolerance. @default 1e-6 */
  atol?: number;
  /** Tolerance relative to the expected value. @default 0 */
  rtol?: number;
  /** What is compared, for the failure message. @default "value" */
  name?: string;
}

/**
 * Asserts `|actual[i] − expected[i]| ≤ atol + rtol·|expected[i]|` for every i, and equal lengths.
 * @example
 * ```ts
 * assertClose(metrics.macroF1, 0.6587301587301587, { name: "macro-F1" });
 * ```
 */
export function assertClose(
  actual: number | ArrayLike<number>,
  expected: number | ArrayLike<number>,
  options: AssertCloseOptions = {},
): void {
  const atol = options.atol ?? 1e-6;
  const rtol = options.rtol ?? 0;
  const name = options.name ?? "value";
  const a = typeof actual === "number" ? [actual] : Array.from(actual);
  const e = typeof expected === "number" ? [expected] : Array.from(expected);
  assert.equal(a.length, e.length, `${name}: ${a.length} values, expected ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const ok = Math.abs(a[i]! - e[i]!) <= atol + rtol * Math.abs(e[i]!);
    assert.ok(ok, `${name}${a.length > 1 ? `[${i}]` : ""}: ${a[i]} vs ${e[i]}`);
  }
}
