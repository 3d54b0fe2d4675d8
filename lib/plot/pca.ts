/**
 * Principal component analysis by power iteration: enough to project embedding vectors to 2-D
 * for a picture, without a linear-algebra dependency.
 * @module
 */

import { createPrng } from "../data/random.ts";

/** Options of {@linkcode pca}. */
export interface PcaOptions {
  /** Number of components to keep. @default 2 */
  components?: number;
  /** Power-iteration steps per component. @default 100 */
  iterations?: number;
  /** Seed of the random start vectors. @default 42 */
  seed?: number;
}

/** Result of {@linkcode pca}. */
export interface PcaResult {
  /** Row-major n × components coordinates of each row on the principal axes. */
  points: Float32Array;
  components: number;
  /** Share of the total variance each component explains, in [0, 1]. */
  explained: number[];
}

/**
 * Projects the rows of a row-major n × `dimension` matrix onto its leading principal axes.
 * Each axis's sign is fixed so that its largest-magnitude loading is positive, so the picture
 * does not flip between runs.
 * @throws {RangeError} when `x.length` is not a multiple of `dimension`.
 */
export function pca(x: Float32Array, dimension: number, options: PcaOptions = {}): PcaResult {
  const k = options.components ?? 2;
  const iterations = options.iterations ?? 100;
  if (!Number.isInteger(dimension) || dimension < 1 || x.length % dimension !== 0) {
    throw new RangeError(
      `Cannot run PCA: ${x.length} values do not form rows of dimension ${dimension}`,
    );
  }
  const n = x.length / dimension;
  const d = dimension;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]! / n;
  const centered = new Float64Array(n * d);
  let totalVariance = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j]! - mean[j]!;
      centered[i * d + j] = v;
      totalVariance += v * v;
    }
  }
  const prng = createPrng(options.seed ?? 42);
  const axes: Float64Array[] = [];
  const eigenvalues: number[] = [];
  const projected = new Float64Array(n);
  for (let c = 0; c < k; c++) {
    let v = new Float64Array(d).map(() => prng() - 0.5);
    let eigenvalue = 0;
    for (let step = 0; step < iterations; step++) {
      // w = Xᵀ(X v), with earlier axes projected out (deflation).
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += centered[i * d + j]! * v[j]!;
        projected[i] = s;
      }
      const w = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        const s = projected[i]!;
        if (s === 0) continue;
        for (let j = 0; j < d; j++) w[j]! += centered[i * d + j]! * s;
      }
      for (const axis of axes) {
        const dot = axis.reduce((sum, a, j) => sum + a * w[j]!, 0);
        for (let j = 0; j < d; j++) w[j]! -= dot * axis[j]!;
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += w[j]! * w[j]!;
      norm = Math.sqrt(norm);
      if (norm === 0) break; // no variance left in this direction
      eigenvalue = norm;
      const next = w.map((value) => value / norm);
      let change = 0;
      for (let j = 0; j < d; j++) change = Math.max(change, Math.abs(next[j]! - v[j]!));
      v = next;
      if (change < 1e-10) break;
    }
    let largest = 0;
    for (let j = 0; j < d; j++) if (Math.abs(v[j]!) > Math.abs(v[largest]!)) largest = j;
    if (v[largest]! < 0) v = v.map((value) => -value);
    axes.push(v);
    eigenvalues.push(eigenvalue);
  }
  const points = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const axis = axes[c]!;
      let s = 0;
      for (let j = 0; j < d; j++) s += centered[i * d + j]! * axis[j]!;
      points[i * k + c] = s;
    }
  }
  const explained = eigenvalues.map((e) => (totalVariance > 0 ? e / totalVariance : 0));
  return { points, components: k, explained };
}
