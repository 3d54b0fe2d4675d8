/**
 * The training step of Dense(hidden, relu) → Dense(3, softmax) on plain typed arrays the
 * project owns, with Adam exactly as tfjs' `tf.train.adam` (the optimiser Keras' `model.fit`
 * uses) computes it: every parameter's moments decay at every step, touched or not.
 *
 * Why it is fast on sparse rows: a row with `a` active inputs costs `a × hidden` in the forward
 * pass and in the first layer's gradient, not `inputs × hidden`. Adam still has to move every
 * weight at every step, but a W1 row whose input was inactive since step `t0` has a zero
 * gradient, so its next `k` updates depend only on its `(w, m, v)` and the step numbers: they
 * are applied lazily, right before the row is next read (forward pass, evaluation, export), in
 * one pass that keeps the row's values in registers (see {@linkcode MlpTrainer}). The arithmetic
 * is the same as the eager update; only rounding differs (the test checks against tfjs).
 *
 * Private to lib/model; `train.ts` drives it.
 * @module
 */

import type { FeatureMatrix } from "../features/matrix.ts";
import type { MlpWeights } from "./weights.ts";

/** Adam's constants; tfjs' and Keras' defaults are 0.9, 0.999, 1e-7. */
export interface AdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/**
 * Skipped steps replayed exactly for an idle W1 row; later ones only decay its moments. Bound:
 * with m and v the moving averages of g and g², Cauchy–Schwarz gives |m| ≤ 7.27·√v (β1 = 0.9,
 * β2 = 0.999) and the bias corrections only shrink m̂/√v̂, so the j-th idle update is at most
 * lr·7.27·(β1/√β2)^j. Past 256 idle steps all remaining updates together move a weight by less
 * than lr·7.27·0.90045^256/(1 − 0.90045) < 2e-10·lr — far below float32 resolution of any weight
 * Adam has moved.
 */
export const MAX_REPLAYED_STEPS = 256;

/** What one batch step reports. */
export interface StepResult {
  /** `Σ w_i · CE_i / batch` (Keras' sample-weighted mean). */
  loss: number;
  /** Rows whose arg-max prediction was their label. */
  correct: number;
}

/** Rows of a feature matrix visited as (index, value) pairs without allocation. */
function rowBounds(x: FeatureMatrix, row: number): [number, number] {
  if (x.kind === "sparse") return [x.offsets[row]!, x.offsets[row + 1]!];
  return [row * x.dimension, (row + 1) * x.dimension];
}

/**
 * Holds the parameters and their Adam moments and runs batch steps. W1's rows are caught up
 * lazily: `#current[i]` is the step row i's `(w, m, v)` reflect.
 */
export class MlpTrainer {
  readonly inputs: number;
  readonly hidden: number;
  readonly classes: number;
  /** Steps taken so far. */
  step = 0;
  readonly #adam: AdamConfig;
  readonly #w1: Float32Array;
  readonly #m1: Float32Array;
  readonly #v1: Float32Array;
  readonly #current: Int32Array;
  readonly #dense: { w: Float32Array; m: Float32Array; v: Float32Array }[];
  // per-step tables: update scale lr / (1 − β1^t) and 1 / √(1 − β2^t), index t
  #scale = new Float64Array(1);
  #unbias = new Float64Array(1);
  // batch scratch
  #slot: Int32Array;
  #touched: Int32Array;
  #grad = new Float32Array(0);
  #z = new Float32Array(0);
  #dz: Float32Array;
  readonly #gb1: Float32Array;
  readonly #gw2: Float32Array;
  readonly #gb2: Float32Array;

  /** Starts from `initial` (copied) with zero moments. */
  constructor(initial: MlpWeights, adam: AdamConfig) {
    const { inputs, hidden, classes } = initial;
    this.inputs = inputs;
    this.hidden = hidden;
    this.classes = classes;
    this.#adam = adam;
    this.#w1 = Float32Array.from(initial.w1);
    this.#m1 = new Float32Array(inputs * hidden);
    this.#v1 = new Float32Array(inputs * hidden);
    this.#current = new Int32Array(inputs);
    this.#dense = [initial.b1, initial.w2, initial.b2].map((w) => ({
      w: Float32Array.from(w),
      m: new Float32Array(w.length),
      v: new Float32Array(w.length),
    }));
    this.#slot = new Int32Array(inputs).fill(-1);
    this.#touched = new Int32Array(inputs);
    this.#dz = new Float32Array(hidden);
    this.#gb1 = new Float32Array(hidden);
    this.#gw2 = new Float32Array(hidden * classes);
    this.#gb2 = new Float32Array(classes);
  }

  /**
   * One Adam step on rows `rows` of `x` with labels `y[row]` and loss weights
   * `classWeights[label]`.
   */
  trainBatch(
    x: FeatureMatrix,
    y: Int32Array,
    rows: ArrayLike<number>,
    classWeights: ArrayLike<number>,
  ): StepResult {
    const { hidden: H, classes: C } = this;
    const n = rows.length;
    const t = ++this.step;
    this.#ensureTables(t);
    // 1. the W1 rows this batch reads, caught up to step t − 1
    const slot = this.#slot;
    const touched = this.#touched;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const [from, to] = rowBounds(x, rows[i]!);
      const indices = x.kind === "sparse" ? x.indices : undefined;
      const values = x.kind === "sparse" ? x.values : x.data;
      for (let k = from; k < to; k++) {
        if (values[k] === 0) continue;
        const index = indices ? indices[k]! : k - from;
        if (slot[index] === -1) {
          slot[index] = count;
          touched[count++] = index;
          this.#catchUp(index, t - 1);
        }
      }
    }
    if (this.#grad.length < count * H) this.#grad = new Float32Array(count * H * 1.5);
    const grad = this.#grad;
    grad.fill(0, 0, count * H);
    if (this.#z.length < n * H) this.#z = new Float32Array(n * H);
    const z = this.#z;
    const w1 = this.#w1;
    const [b1, w2, b2] = this.#dense.map((p) => p.w) as [Float32Array, Float32Array, Float32Array];
    const gb1 = this.#gb1.fill(0);
    const gw2 = this.#gw2.fill(0);
    const gb2 = this.#gb2.fill(0);
    const dz = this.#dz;
    const logits = new Float64Array(C);
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const label = y[row]!;
      // 2. forward: z = b1 + Σ value · W1[index]
      const base = i * H;
      z.set(b1, base);
      const [from, to] = rowBounds(x, row);
      const indices = x.kind === "sparse" ? x.indices : undefined;
      const values = x.kind === "sparse" ? x.values : x.data;
      for (let k = from; k < to; k++) {
        const value = values[k]!;
        if (value === 0) continue;
        const at = (indices ? indices[k]! : k - from) * H;
        for (let h = 0; h < H; h++) z[base + h] = z[base + h]! + value * w1[at + h]!;
      }
      for (let c = 0; c < C; c++) logits[c] = b2[c]!;
      for (let h = 0; h < H; h++) {
        const a = z[base + h]!;
        if (a > 0) { for (let c = 0; c < C; c++) logits[c] = logits[c]! + a * w2[h * C + c]!; }
      }
      let best = 0;
      let max = logits[0]!;
      for (let c = 1; c < C; c++) {
        if (logits[c]! > max) {
          max = logits[c]!;
          best = c;
        }
      }
      if (best === label) correct++;
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(logits[c]! - max);
      const logSum = Math.log(sum) + max;
      const weight = classWeights[label]!;
      loss += weight * (logSum - logits[label]!);
      // 3. backward: d loss / d logits = (p − onehot) · weight / n
      const scale = weight / n;
      for (let c = 0; c < C; c++) {
        logits[c] = (Math.exp(logits[c]! - logSum) - (c === label ? 1 : 0)) * scale;
        gb2[c] = gb2[c]! + logits[c]!;
      }
      for (let h = 0; h < H; h++) {
        const a = z[base + h]!;
        if (a <= 0) {
          dz[h] = 0;
          continue;
        }
        let d = 0;
        for (let c = 0; c < C; c++) {
          gw2[h * C + c] = gw2[h * C + c]! + a * logits[c]!;
          d += logits[c]! * w2[h * C + c]!;
        }
        dz[h] = d;
        gb1[h] = gb1[h]! + d;
      }
      for (let k = from; k < to; k++) {
        const value = values[k]!;
        if (value === 0) continue;
        const at = slot[indices ? indices[k]! : k - from]! * H;
        for (let h = 0; h < H; h++) grad[at + h] = grad[at + h]! + value * dz[h]!;
      }
    }
    // 4. Adam step t: the touched W1 rows with their gradients, the dense parameters
    const scaleT = this.#scale[t]!;
    const unbiasT = this.#unbias[t]!;
    for (let s = 0; s < count; s++) {
      const index = touched[s]!;
      slot[index] = -1;
      this.#adamRow(index * H, grad, s * H, H, scaleT, unbiasT);
      this.#current[index] = t;
    }
    const gradients = [gb1, gw2, gb2];
    this.#dense.forEach((p, i) => adamUpdate(p, gradients[i]!, this.#adam, scaleT, unbiasT));
    return { loss: loss / n, correct };
  }

  /** Brings every W1 row up to the current step (before evaluating or exporting). */
  sync(): void {
    for (let i = 0; i < this.inputs; i++) this.#catchUp(i, this.step);
  }

  /** The current weights (synced; `w1` is a live view until the next step). */
  weights(): MlpWeights {
    this.sync();
    const [b1, w2, b2] = this.#dense.map((p) => p.w) as [Float32Array, Float32Array, Float32Array];
    return {
      inputs: this.inputs,
      hidden: this.hidden,
      classes: this.classes,
      w1: this.#w1,
      b1,
      w2,
      b2,
    };
  }

  #ensureTables(t: number): void {
    if (t < this.#scale.length) return;
    const size = Math.max(t + 1, this.#scale.length * 2);
    const { learningRate, beta1, beta2 } = this.#adam;
    this.#scale = new Float64Array(size);
    this.#unbias = new Float64Array(size);
    // tfjs keeps β^t as a float32 running product; so does this table.
    let acc1 = Math.fround(1);
    let acc2 = Math.fround(1);
    for (let s = 1; s < size; s++) {
      acc1 = Math.fround(acc1 * beta1);
      acc2 = Math.fround(acc2 * beta2);
      this.#scale[s] = learningRate / (1 - acc1);
      this.#unbias[s] = 1 / Math.sqrt(1 - acc2);
    }
  }

  /**
   * Applies the zero-gradient steps `current + 1 … target` to W1 row `index`: m ← β1·m,
   * v ← β2·v, w ← w − lr·m̂/(√v̂ + ε), keeping each value in registers across the steps.
   */
  #catchUp(index: number, target: number): void {
    const from = this.#current[index]!;
    const k = target - from;
    if (k <= 0) return;
    this.#current[index] = target;
    const { beta1, beta2, epsilon } = this.#adam;
    const H = this.hidden;
    const w1 = this.#w1;
    const m1 = this.#m1;
    const v1 = this.#v1;
    const scale = this.#scale;
    const unbias = this.#unbias;
    const replay = Math.min(k, MAX_REPLAYED_STEPS);
    const rootBeta2 = Math.sqrt(beta2);
    const decay1 = beta1 ** k;
    const decay2 = beta2 ** k;
    const base = index * H;
    for (let h = base; h < base + H; h++) {
      const m0 = m1[h]!;
      if (m0 === 0) {
        // m stays 0, so w does not move (v still decays)
        v1[h] = v1[h]! * decay2;
        continue;
      }
      let m = m0;
      let root = Math.sqrt(v1[h]!);
      let w = w1[h]!;
      for (let s = from + 1; s <= from + replay; s++) {
        m *= beta1;
        root *= rootBeta2;
        w -= scale[s]! * m / (root * unbias[s]! + epsilon);
      }
      w1[h] = w;
      m1[h] = m0 * decay1;
      v1[h] = v1[h]! * decay2;
    }
  }

  /** Adam on W1 row at `at` with gradient `grad[from … from + n)`. */
  #adamRow(
    at: number,
    grad: Float32Array,
    from: number,
    n: number,
    scale: number,
    unbias: number,
  ): void {
    const { beta1, beta2, epsilon } = this.#adam;
    const w1 = this.#w1;
    const m1 = this.#m1;
    const v1 = this.#v1;
    for (let j = 0; j < n; j++) {
      const g = grad[from + j]!;
      const h = at + j;
      const m = beta1 * m1[h]! + (1 - beta1) * g;
      const v = beta2 * v1[h]! + (1 - beta2) * g * g;
      m1[h] = m;
      v1[h] = v;
      w1[h] = w1[h]! - scale * m / (Math.sqrt(v) * unbias + epsilon);
    }
  }
}

/** One eager Adam step of a dense parameter. */
function adamUpdate(
  p: { w: Float32Array; m: Float32Array; v: Float32Array },
  grad: Float32Array,
  adam: AdamConfig,
  scale: number,
  unbias: number,
): void {
  const { beta1, beta2, epsilon } = adam;
  const { w, m: ms, v: vs } = p;
  for (let j = 0; j < w.length; j++) {
    const g = grad[j]!;
    const m = beta1 * ms[j]! + (1 - beta1) * g;
    const v = beta2 * vs[j]! + (1 - beta2) * g * g;
    ms[j] = m;
    vs[j] = v;
    w[j] = w[j]! - scale * m / (Math.sqrt(v) * unbias + epsilon);
  }
}

/**
 * Log-probabilities (`rows × classes`) of `x` under `weights`; the forward pass alone, for
 * evaluation during training.
 */
export function logProbabilities(weights: MlpWeights, x: FeatureMatrix): Float32Array {
  const { hidden: H, classes: C, w1, b1, w2, b2 } = weights;
  const out = new Float32Array(x.rows * C);
  const z = new Float32Array(H);
  const logits = new Float64Array(C);
  for (let row = 0; row < x.rows; row++) {
    z.set(b1);
    const [from, to] = rowBounds(x, row);
    const indices = x.kind === "sparse" ? x.indices : undefined;
    const values = x.kind === "sparse" ? x.values : x.data;
    for (let k = from; k < to; k++) {
      const value = values[k]!;
      if (value === 0) continue;
      const at = (indices ? indices[k]! : k - from) * H;
      for (let h = 0; h < H; h++) z[h] = z[h]! + value * w1[at + h]!;
    }
    for (let c = 0; c < C; c++) logits[c] = b2[c]!;
    for (let h = 0; h < H; h++) {
      const a = z[h]!;
      if (a > 0) { for (let c = 0; c < C; c++) logits[c] = logits[c]! + a * w2[h * C + c]!; }
    }
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, logits[c]!);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(logits[c]! - max);
    const logSum = Math.log(sum) + max;
    for (let c = 0; c < C; c++) out[row * C + c] = logits[c]! - logSum;
  }
  return out;
}
