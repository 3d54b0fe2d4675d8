/**
 * A conditional logit: each example offers a few options (feature vectors) plus "none" (score
 * 0), and the model picks option `i` with probability `softmax(w · xᵢ)`. Fit by full-batch
 * gradient descent (Adam) with an L2 penalty; used to fit the linker's evidence weights.
 * @module
 */

/** One choice: its options and which one is right (-1 for "none"). */
export interface ChoiceExample {
  /** Feature vectors of the options, all the same length. */
  options: ArrayLike<number>[];
  /** Index of the right option, or -1 when "none" is right. */
  target: number;
}

/** Options of {@linkcode fitConditionalLogit}. */
export interface FitLogitOptions {
  /** L2 penalty on the weights (the mean loss plus `l2/2 · |w|²`). @default 0.01 */
  l2?: number;
  /** Gradient steps. @default 3000 */
  steps?: number;
  /** Adam step size. @default 0.05 */
  learningRate?: number;
}

/**
 * Fits the weights; returns them with the final mean loss (without the penalty) and the share
 * of examples whose best-scoring option (or "none", when all score below 0) is the right one.
 * @throws {RangeError} when there are no examples or their lengths differ
 */
export function fitConditionalLogit(
  examples: readonly ChoiceExample[],
  options: FitLogitOptions = {},
): { weights: Float64Array; loss: number; accuracy: number } {
  const dims = examples.find((e) => e.options.length > 0)?.options[0]?.length;
  if (dims === undefined) throw new RangeError("Cannot fit a logit: no example has an option");
  for (const e of examples) {
    for (const x of e.options) {
      if (x.length !== dims) {
        throw new RangeError(`Cannot fit a logit: options of ${x.length} and ${dims} features`);
      }
    }
  }
  const l2 = options.l2 ?? 0.01;
  const steps = options.steps ?? 3000;
  const lr = options.learningRate ?? 0.05;
  const w = new Float64Array(dims);
  const m = new Float64Array(dims), v = new Float64Array(dims);
  const grad = new Float64Array(dims);
  let loss = 0;
  for (let step = 1; step <= steps; step++) {
    grad.fill(0);
    loss = 0;
    for (const e of examples) {
      const scores = e.options.map((x) => dot(w, x));
      const top = Math.max(0, ...scores);
      const exps = scores.map((s) => Math.exp(s - top));
      const z = exps.reduce((a, b) => a + b, Math.exp(-top));
      loss -= (e.target === -1 ? -top : scores[e.target]! - top) - Math.log(z);
      e.options.forEach((x, i) => {
        const p = exps[i]! / z - (i === e.target ? 1 : 0);
        for (let d = 0; d < dims; d++) grad[d]! += p * x[d]!;
      });
    }
    for (let d = 0; d < dims; d++) {
      const g = grad[d]! / examples.length + l2 * w[d]!;
      m[d] = 0.9 * m[d]! + 0.1 * g;
      v[d] = 0.999 * v[d]! + 0.001 * g * g;
      const mh = m[d]! / (1 - 0.9 ** step), vh = v[d]! / (1 - 0.999 ** step);
      w[d]! -= lr * mh / (Math.sqrt(vh) + 1e-8);
    }
  }
  let right = 0;
  for (const e of examples) {
    let best = -1, bestScore = 0;
    e.options.forEach((x, i) => {
      const s = dot(w, x);
      if (s > bestScore) [best, bestScore] = [i, s];
    });
    if (best === e.target) right++;
  }
  return { weights: w, loss: loss / examples.length, accuracy: right / examples.length };
}

function dot(w: Float64Array, x: ArrayLike<number>): number {
  let s = 0;
  for (let d = 0; d < w.length; d++) s += w[d]! * x[d]!;
  return s;
}
