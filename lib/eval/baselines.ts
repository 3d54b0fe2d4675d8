/**
 * Trivial baselines a model must beat on the same rows: the "?" rule and the majority class.
 * @module
 */

import { LABELS } from "../data/types.ts";

const QUESTION = LABELS.indexOf("question");
const COMMENT = LABELS.indexOf("comment");

/**
 * Predicts "question" for every text that contains a "?" and "comment" for all others — the
 * rule anyone would try first, and a strong one on real chat.
 * @returns class ids in {@linkcode LABELS} order
 */
export function questionMarkRule(texts: readonly string[]): Int32Array {
  const out = new Int32Array(texts.length);
  for (let i = 0; i < texts.length; i++) out[i] = texts[i]!.includes("?") ? QUESTION : COMMENT;
  return out;
}

/**
 * The most frequent class id in `y` (ties go to the first in {@linkcode LABELS} order).
 * @throws {RangeError} when `y` is empty or holds an id outside {@linkcode LABELS}
 */
export function majorityClass(y: ArrayLike<number>): number {
  if (y.length === 0) throw new RangeError("Cannot find the majority class: no labels given");
  const counts = new Array<number>(LABELS.length).fill(0);
  for (let i = 0; i < y.length; i++) {
    const id = y[i]!;
    if (!Number.isInteger(id) || id < 0 || id >= LABELS.length) {
      throw new RangeError(
        `Cannot find the majority class: label id ${id} at ${i} is not in 0..${LABELS.length - 1}`,
      );
    }
    counts[id]!++;
  }
  let best = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c]! > counts[best]!) best = c;
  return best;
}

/** Predicts the majority class of `trainY` for each of `n` rows. */
export function majorityBaseline(trainY: ArrayLike<number>, n: number): Int32Array {
  return new Int32Array(n).fill(majorityClass(trainY));
}
