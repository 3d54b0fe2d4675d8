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
import { WASM } from "./_train_kernel_wasm.ts";

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

interface Kernels {
  axpy(dst: number, src: number, n: number, a: number): void;
  head_forward(z: number, w2t: number, n: number, classes: number, partial: number): void;
  head_backward(
    z: number,
    w2t: number,
    gw2t: number,
    dz: number,
    gb1: number,
    n: number,
    classes: number,
    dl: number,
  ): void;
  adam(
    w: number,
    m: number,
    v: number,
    g: number,
    n: number,
    scale: number,
    unbias: number,
    b1: number,
    c1: number,
    b2: number,
    c2: number,
    eps: number,
  ): void;
  adam_sparse(
    w: number,
    m: number,
    v: number,
    n: number,
    begin: number,
    end: number,
    scale: number,
    unbias: number,
    b1: number,
    c1: number,
    b2: number,
    c2: number,
    eps: number,
  ): void;
  replay(
    w: number,
    m: number,
    v: number,
    n: number,
    tables: number,
    first: number,
    count: number,
    b1: number,
    rb2: number,
    eps: number,
    decay1: number,
    decay2: number,
  ): void;
}

let compiled: WebAssembly.Module | undefined;

/**
 * The kernel module, compiled once.
 * @throws {Error} when this runtime lacks WebAssembly SIMD: training has no slow fallback
 */
function kernelModule(): WebAssembly.Module {
  try {
    return compiled ??= new WebAssembly.Module(WASM);
  } catch (error) {
    throw new Error(
      `Cannot train classifier: this runtime cannot compile the WebAssembly SIMD kernel (${
        (error as Error).message
      })`,
    );
  }
}

const PAGE = 65536;

/** The fixed regions of the trainer's memory, in order. */
const REGIONS = [
  "w1",
  "m1",
  "v1",
  "starts",
  "b1",
  "mb1",
  "vb1",
  "gb1",
  "w2t",
  "m2",
  "v2",
  "gw2t",
  "dz",
  "partial",
  "dl",
] as const;

/**
 * Holds the parameters and their Adam moments and runs batch steps. W1, its moments, the
 * gradient rows and the batch's hidden layer live in one WebAssembly memory of its own, rows
 * padded to a multiple of 8 floats: `(W1 | M1 | V1 | G)` each `inputs × stride`, then `dz`,
 * then the batch's `z` rows and the per-step tables, which grow. W1's rows are caught up
 * lazily: `#current[i]` is the step row i's `(w, m, v)` reflect.
 */
export class MlpTrainer {
  readonly inputs: number;
  readonly hidden: number;
  readonly classes: number;
  /** Steps taken so far. */
  step = 0;
  readonly #adam: AdamConfig;
  readonly #stride: number;
  readonly #memory: WebAssembly.Memory;
  readonly #kernels: Kernels;
  #f32: Float32Array;
  readonly #at: Record<(typeof REGIONS)[number], number>;
  #zAt = 0;
  #zRows = 0;
  #tablesAt = 0;
  #tableSteps = 0;
  #pairsAt = 0;
  #pairCapacity = 0;
  #i32: Int32Array;
  /** Per touched row: its batch uses so far while the pair lists are built. */
  readonly #counts: Int32Array;
  readonly #current: Int32Array;
  /** 1 once a row's moments are non-zero (rows never active need no replay). */
  readonly #active: Uint8Array;
  readonly #b2: { w: Float32Array; m: Float32Array; v: Float32Array };
  /** Where the fixed regions end. */
  readonly #end: number;
  // batch scratch
  readonly #slot: Int32Array;
  readonly #touched: Int32Array;
  readonly #gb2: Float32Array;

  /**
   * Starts from `initial` (copied) with zero moments.
   * @throws {Error} when WebAssembly SIMD is unavailable or the model does not fit in 4 GiB
   */
  constructor(initial: MlpWeights, adam: AdamConfig) {
    const { inputs, hidden, classes } = initial;
    this.inputs = inputs;
    this.hidden = hidden;
    this.classes = classes;
    this.#adam = adam;
    const stride = this.#stride = Math.ceil(hidden / 8) * 8;
    const sizes: Record<(typeof REGIONS)[number], number> = {
      w1: inputs * stride,
      m1: inputs * stride,
      v1: inputs * stride,
      starts: Math.ceil((inputs + 1) / 4) * 4,
      b1: stride,
      mb1: stride,
      vb1: stride,
      gb1: stride,
      w2t: classes * stride,
      m2: classes * stride,
      v2: classes * stride,
      gw2t: classes * stride,
      dz: stride,
      partial: classes * 4,
      dl: Math.ceil(classes / 4) * 4,
    };
    const at = {} as Record<(typeof REGIONS)[number], number>;
    let bytes = 0;
    for (const region of REGIONS) {
      at[region] = bytes;
      bytes += sizes[region] * 4;
    }
    this.#at = at;
    this.#zAt = this.#end = bytes;
    try {
      this.#memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE) + 1 });
    } catch (error) {
      throw new RangeError(
        `Cannot train classifier: ${inputs} × ${hidden} weights with their Adam moments need ${
          Math.ceil(bytes / 2 ** 20)
        } MiB, more than WebAssembly memory allows (${(error as Error).message})`,
      );
    }
    this.#kernels = new WebAssembly.Instance(kernelModule(), { env: { memory: this.#memory } })
      .exports as unknown as Kernels;
    this.#f32 = new Float32Array(this.#memory.buffer);
    this.#i32 = new Int32Array(this.#memory.buffer);
    this.#counts = new Int32Array(inputs);
    for (let i = 0; i < inputs; i++) {
      this.#f32.set(initial.w1.subarray(i * hidden, (i + 1) * hidden), i * stride);
    }
    this.#f32.set(initial.b1, at.b1 / 4);
    for (let h = 0; h < hidden; h++) {
      for (let c = 0; c < classes; c++) {
        this.#f32[at.w2t / 4 + c * stride + h] = initial.w2[h * classes + c]!;
      }
    }
    this.#current = new Int32Array(inputs);
    this.#active = new Uint8Array(inputs);
    this.#b2 = {
      w: Float32Array.from(initial.b2),
      m: new Float32Array(classes),
      v: new Float32Array(classes),
    };
    this.#slot = new Int32Array(inputs).fill(-1);
    this.#touched = new Int32Array(inputs);
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
    const C = this.classes;
    const n = rows.length;
    const t = ++this.step;
    let uses = 0;
    for (let i = 0; i < n; i++) {
      const [from, to] = rowBounds(x, rows[i]!);
      uses += to - from;
    }
    this.#reserve(n, t, uses);
    const f32 = this.#f32;
    const i32 = this.#i32;
    const stride = this.#stride;
    const rowBytes = stride * 4;
    const at = this.#at;
    const { axpy } = this.#kernels;
    const indices = x.kind === "sparse" ? x.indices : undefined;
    const values = x.kind === "sparse" ? x.values : x.data;
    // 1. the W1 rows this batch reads, caught up to step t − 1
    const slot = this.#slot;
    const touched = this.#touched;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const [from, to] = rowBounds(x, rows[i]!);
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
    f32.fill(0, at.gb1 / 4, at.gb1 / 4 + stride);
    f32.fill(0, at.gw2t / 4, at.gw2t / 4 + C * stride);
    const b1 = f32.subarray(at.b1 / 4, at.b1 / 4 + stride);
    const b2 = this.#b2.w;
    const gb2 = this.#gb2.fill(0);
    const { head_forward: headForward, head_backward: headBackward } = this.#kernels;
    const partial = at.partial / 4;
    const dl = at.dl / 4;
    const logits = new Float64Array(C);
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const label = y[row]!;
      // 2. forward: z = b1 + Σ value · W1[index], logits = b2 + relu(z) · W2
      const zAt = this.#zAt + i * rowBytes;
      f32.set(b1, zAt / 4);
      const [from, to] = rowBounds(x, row);
      for (let k = from; k < to; k++) {
        const value = values[k]!;
        if (value === 0) continue;
        axpy(zAt, at.w1 + (indices ? indices[k]! : k - from) * rowBytes, stride, value);
      }
      headForward(zAt, at.w2t, stride, C, at.partial);
      let best = 0;
      for (let c = 0; c < C; c++) {
        const q = partial + 4 * c;
        logits[c] = b2[c]! + f32[q]! + f32[q + 1]! + f32[q + 2]! + f32[q + 3]!;
        if (logits[c]! > logits[best]!) best = c;
      }
      if (best === label) correct++;
      const max = logits[best]!;
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(logits[c]! - max);
      const logSum = Math.log(sum) + max;
      const weight = classWeights[label]!;
      loss += weight * (logSum - logits[label]!);
      // 3. backward: d loss / d logits = (p − onehot) · weight / n
      const scale = weight / n;
      for (let c = 0; c < C; c++) {
        const d = (Math.exp(logits[c]! - logSum) - (c === label ? 1 : 0)) * scale;
        f32[dl + c] = d;
        gb2[c] = gb2[c]! + d;
      }
      // dz overwrites z in place: the row's own slot holds its first-layer gradient signal
      headBackward(zAt, at.w2t, at.gw2t, zAt, at.gb1, stride, C, at.dl);
    }
    // each touched W1 row's uses in the batch, as (dz row, value) pairs in batch order
    const counts = this.#counts;
    for (let i = 0; i < n; i++) {
      const [from, to] = rowBounds(x, rows[i]!);
      for (let k = from; k < to; k++) {
        if (values[k] !== 0) counts[slot[indices ? indices[k]! : k - from]!]!++;
      }
    }
    const starts = at.starts / 4;
    let cursor = this.#pairsAt;
    for (let s = 0; s < count; s++) {
      i32[starts + s] = cursor;
      cursor += 8 * counts[s]!;
      counts[s] = i32[starts + s]!; // from here on: where the slot's next pair goes
    }
    i32[starts + count] = cursor;
    for (let i = 0; i < n; i++) {
      const zAt = this.#zAt + i * rowBytes;
      const [from, to] = rowBounds(x, rows[i]!);
      for (let k = from; k < to; k++) {
        const value = values[k]!;
        if (value === 0) continue;
        const s = slot[indices ? indices[k]! : k - from]!;
        const pair = counts[s]! / 4;
        i32[pair] = zAt;
        f32[pair + 1] = value;
        counts[s] = counts[s]! + 8;
      }
    }
    // 4. Adam step t: the touched W1 rows with their gradients, then the dense parameters
    const { beta1, beta2, epsilon } = this.#adam;
    const scaleT = f32[this.#tablesAt / 4 + 2 * t]!;
    const unbiasT = f32[this.#tablesAt / 4 + 2 * t + 1]!;
    const { adam, adam_sparse: adamSparse } = this.#kernels;
    for (let s = 0; s < count; s++) {
      const index = touched[s]!;
      slot[index] = -1;
      counts[s] = 0;
      const offset = index * rowBytes;
      adamSparse(
        at.w1 + offset,
        at.m1 + offset,
        at.v1 + offset,
        stride,
        i32[starts + s]!,
        i32[starts + s + 1]!,
        scaleT,
        unbiasT,
        beta1,
        1 - beta1,
        beta2,
        1 - beta2,
        epsilon,
      );
      this.#current[index] = t;
      this.#active[index] = 1;
    }
    const constants = [scaleT, unbiasT, beta1, 1 - beta1, beta2, 1 - beta2, epsilon] as const;
    adam(at.b1, at.mb1, at.vb1, at.gb1, stride, ...constants);
    adam(at.w2t, at.m2, at.v2, at.gw2t, C * stride, ...constants);
    adamUpdate(this.#b2, gb2, this.#adam, scaleT, unbiasT);
    return { loss: loss / n, correct };
  }

  /**
   * Log-probabilities (`rows × classes`) of `x` under the current weights, computed with the
   * training kernels (syncs every row first).
   */
  logProbabilities(x: FeatureMatrix): Float32Array {
    this.sync();
    this.#reserve(1, this.step + 1, 0);
    const C = this.classes;
    const f32 = this.#f32;
    const stride = this.#stride;
    const rowBytes = stride * 4;
    const at = this.#at;
    const { axpy, head_forward: headForward } = this.#kernels;
    const indices = x.kind === "sparse" ? x.indices : undefined;
    const values = x.kind === "sparse" ? x.values : x.data;
    const b1 = f32.subarray(at.b1 / 4, at.b1 / 4 + stride);
    const b2 = this.#b2.w;
    const partial = at.partial / 4;
    const logits = new Float64Array(C);
    const out = new Float32Array(x.rows * C);
    const zAt = this.#zAt;
    for (let row = 0; row < x.rows; row++) {
      f32.set(b1, zAt / 4);
      const [from, to] = rowBounds(x, row);
      for (let k = from; k < to; k++) {
        const value = values[k]!;
        if (value === 0) continue;
        axpy(zAt, at.w1 + (indices ? indices[k]! : k - from) * rowBytes, stride, value);
      }
      headForward(zAt, at.w2t, stride, C, at.partial);
      let max = -Infinity;
      for (let c = 0; c < C; c++) {
        const q = partial + 4 * c;
        logits[c] = b2[c]! + f32[q]! + f32[q + 1]! + f32[q + 2]! + f32[q + 3]!;
        max = Math.max(max, logits[c]!);
      }
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(logits[c]! - max);
      const logSum = Math.log(sum) + max;
      for (let c = 0; c < C; c++) out[row * C + c] = logits[c]! - logSum;
    }
    return out;
  }

  /** Brings every W1 row up to the current step (before evaluating or exporting). */
  sync(): void {
    for (let i = 0; i < this.inputs; i++) this.#catchUp(i, this.step);
  }

  /** The current weights, synced and copied out. */
  weights(): MlpWeights {
    this.sync();
    const { inputs, hidden } = this;
    const w1 = new Float32Array(inputs * hidden);
    for (let i = 0; i < inputs; i++) {
      w1.set(this.#f32.subarray(i * this.#stride, i * this.#stride + hidden), i * hidden);
    }
    const { classes } = this;
    const at = this.#at;
    const b1 = this.#f32.slice(at.b1 / 4, at.b1 / 4 + hidden);
    const w2 = new Float32Array(hidden * classes);
    for (let h = 0; h < hidden; h++) {
      for (let c = 0; c < classes; c++) {
        w2[h * classes + c] = this.#f32[at.w2t / 4 + c * this.#stride + h]!;
      }
    }
    return { inputs, hidden, classes, w1, b1, w2, b2: this.#b2.w.slice() };
  }

  /**
   * Room for `rows` hidden rows, the tables up to step `t` and `pairs` (row, value) pairs; when
   * one is short, all three move to the end of a grown memory.
   */
  #reserve(rows: number, t: number, pairs: number): void {
    if (rows <= this.#zRows && t < this.#tableSteps && pairs <= this.#pairCapacity) return;
    const zRows = Math.max(rows, this.#zRows);
    const tableSteps = t < this.#tableSteps ? this.#tableSteps : Math.max(1024, 2 * t);
    const pairCapacity = Math.max(pairs, this.#pairCapacity);
    const zAt = this.#end;
    const tablesAt = zAt + zRows * this.#stride * 4;
    const pairsAt = tablesAt + tableSteps * 8;
    const bytes = pairsAt + pairCapacity * 8;
    if (bytes > this.#memory.buffer.byteLength) {
      this.#memory.grow(Math.ceil((bytes - this.#memory.buffer.byteLength) / PAGE));
      this.#f32 = new Float32Array(this.#memory.buffer);
      this.#i32 = new Int32Array(this.#memory.buffer);
    }
    this.#zAt = zAt;
    this.#zRows = zRows;
    this.#tablesAt = tablesAt;
    this.#tableSteps = tableSteps;
    this.#pairsAt = pairsAt;
    this.#pairCapacity = pairCapacity;
    // tfjs keeps β^t as a float32 running product; so does this table.
    const { learningRate, beta1, beta2 } = this.#adam;
    let acc1 = Math.fround(1);
    let acc2 = Math.fround(1);
    const table = tablesAt / 4;
    for (let s = 1; s < tableSteps; s++) {
      acc1 = Math.fround(acc1 * beta1);
      acc2 = Math.fround(acc2 * beta2);
      this.#f32[table + 2 * s] = learningRate / (1 - acc1);
      this.#f32[table + 2 * s + 1] = 1 / Math.sqrt(1 - acc2);
    }
  }

  /**
   * Applies the zero-gradient steps `current + 1 … target` to W1 row `index` (see
   * {@linkcode MAX_REPLAYED_STEPS} for why at most that many move the weights).
   */
  #catchUp(index: number, target: number): void {
    const from = this.#current[index]!;
    const k = target - from;
    if (k <= 0) return;
    this.#current[index] = target;
    if (this.#active[index] === 0) return; // zero moments: nothing moves
    const { beta1, beta2, epsilon } = this.#adam;
    const offset = index * this.#stride * 4;
    const at = this.#at;
    this.#kernels.replay(
      at.w1 + offset,
      at.m1 + offset,
      at.v1 + offset,
      this.#stride,
      this.#tablesAt,
      from + 1,
      Math.min(k, MAX_REPLAYED_STEPS),
      beta1,
      Math.sqrt(beta2),
      epsilon,
      beta1 ** k,
      beta2 ** k,
    );
  }
}

/** One eager Adam step of a dense parameter (b1, W2, b2: a few thousand values). */
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
