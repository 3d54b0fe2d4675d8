/**
 * Fast inference from sparse features, the way fastText does it: a message has only tens of
 * active hashed features, so the first layer `relu(b1 + x·W1)` is the sum of the weight rows of
 * those features — ~100 × hidden multiply-adds instead of dimension × hidden — then the tiny
 * second layer and a softmax. Same numbers as the tfjs model (within float rounding).
 *
 * The sums run in a WebAssembly SIMD kernel (source `_sparse_kernel.wat`, assembled by
 * `deno task wasm`) over batches of messages, with the weights copied once into the kernel's
 * own memory. Where that kernel cannot run, building a predictor fails with a clear error; the
 * plain-JS loops (`kernel: "js"`) are the tests' reference, never a silent fallback.
 * @module
 */

import type { Embedder } from "../features/embedder.ts";
import type { FeatureMatrix } from "../features/matrix.ts";
import { WASM as SPARSE_MLP_WASM } from "./_sparse_kernel_wasm.ts";
import { extractMlpWeights, type LayersModel, type MlpWeights } from "../model/weights.ts";
import { wordRowsFeaturizer } from "./word_rows.ts";

export { extractMlpWeights, type MlpWeights };

/** A sparse vector: sorted unique indices and their values. */
export interface SparseFeatures {
  /** Active inputs, ascending. */
  indices: Int32Array;
  /** Their values. */
  values: Float32Array;
}

/** An embedder that can also give its vectors in sparse form (e.g. `BuiltinEmbedder`). */
export interface SparseEmbedder extends Embedder {
  featurize(text: string): SparseFeatures;
}

/** Whether `embedder` offers {@linkcode SparseEmbedder.featurize}. */
export function isSparseEmbedder(embedder: Embedder): embedder is SparseEmbedder {
  return typeof (embedder as Partial<SparseEmbedder>).featurize === "function";
}

/** Rows {@linkcode SparseMlp.stage} wrote into a kernel memory: where, and how many. */
export interface StagedRows {
  /** Byte address of the rows' starts in the memory. */
  rowsAt: number;
  /** Rows. */
  count: number;
  /** Byte address of their state (an i32 for Atomics): staged, taken by a thread to compute
   * ({@linkcode SparseMlp.takeStaged}), or computed. */
  stateAt: number;
}

/** States of staged rows (at `StagedRows.stateAt`), and their names. */
const STAGED = 0, TAKEN = 1, COMPUTED = 2;
const STAGED_STATES = ["staged", "taken", "computed"] as const;

/** Hidden units per cache block of the kernel (`_sparse_kernel.wat`): eight f32x4 registers. */
const BLOCK_SHIFT = 5;
const BLOCK_UNITS = 1 << BLOCK_SHIFT;

/**
 * How {@linkcode SparseMlp} computes: "auto" = the WebAssembly SIMD kernel (an error where it
 * cannot run: there is no silent slow path); "js" = plain loops, the tests' reference.
 */
export type SparseKernel = "auto" | "js";

/** Options of {@linkcode SparseMlp} and {@linkcode createSparsePredictor}. */
export interface SparseMlpOptions {
  /** "js" forces the plain-JS loops (the tests' reference). @default "auto" */
  kernel?: SparseKernel;
}

/**
 * Messages per kernel call. Each call reads all of W1 (4 MB at 1024 × 1024, 16 MB at 2048 ×
 * 2048) panel by panel, at random rows, so W1 traffic per message falls with the batch: at
 * 2048 × 2048, 256 messages a call ran at ~15k msgs/s and 2048 at ~30-45k; with word rows, 30k
 * messages took 344-401 ms in calls of 1024, 285 in 2048, 272-325 in 4096, 250-253 in 8192
 * (scratch: ~4.4 MB a thread). `deno task classify` sends 8192 at a time (2048 in the last
 * tenth of a file, so the threads finish together), a file read in conversations all at once.
 */
const CHUNK = 8192;

/** Computes class probabilities from sparse inputs with a Dense → Dense model's weights. */
export class SparseMlp {
  /** The weights as given, or `undefined` when built on another thread's shared ones. */
  readonly weights: MlpWeights | undefined;
  /** Input size. */
  readonly inputs: number;
  /** Output classes. */
  readonly classes: number;
  /** The kernel in use: "wasm" (SIMD) or "js". */
  readonly kernel: "wasm" | "js";
  #hidden: Float32Array;
  #logits: Float64Array;
  #wasm: WasmMlp | undefined;
  #shared: SharedMlpWeights | undefined;

  /**
   * Copies `weights` into the kernel's memory — or, given {@linkcode SparseMlp.share}'s shared
   * weights (e.g. in a worker), computes on them without a copy.
   * @throws {TypeError} when the weight sizes do not fit `inputs → hidden → classes`
   */
  constructor(weights: MlpWeights | SharedMlpWeights, options: SparseMlpOptions = {}) {
    const { inputs, hidden, classes } = weights;
    this.inputs = inputs;
    this.classes = classes;
    this.#hidden = new Float32Array(hidden);
    this.#logits = new Float64Array(classes);
    if ("memory" in weights) {
      this.weights = undefined;
      this.#shared = weights;
      this.#wasm = createWasmMlp(weights);
      this.kernel = "wasm";
      return;
    }
    const { w1, b1, w2, b2 } = weights;
    if (
      w1.length !== inputs * hidden || b1.length !== hidden || w2.length !== hidden * classes ||
      b2.length !== classes
    ) {
      throw new TypeError(
        `Cannot build sparse MLP: weight sizes ${w1.length}, ${b1.length}, ${w2.length}, ${b2.length} do not fit ${inputs} → ${hidden} → ${classes}`,
      );
    }
    this.weights = weights;
    if ((options.kernel ?? "auto") === "auto") {
      this.#shared = layoutWeights(weights);
      this.#wasm = createWasmMlp(this.#shared);
    }
    this.kernel = this.#wasm ? "wasm" : "js";
  }

  /**
   * The weights in the kernel's shared memory, to post to a worker and build a `SparseMlp` on
   * there (no copy); `undefined` for the "js" kernel.
   */
  share(): SharedMlpWeights | undefined {
    return this.#shared;
  }

  /**
   * Writes the probabilities of `count` inputs — input i is `row(i)`, asked for once, in order —
   * into `out` from `offset` (row-major, classes values each). Batches the kernel calls; `row`
   * may build each input on demand (e.g. featurize a text), so no batch of them is kept, and may
   * return the same arrays each time: a row is used up before the next is asked for.
   * @throws {RangeError} when an index is outside the input dimension
   */
  predictEach(
    count: number,
    row: (i: number) => SparseFeatures,
    out: Float32Array,
    offset = 0,
  ): void {
    if (this.#wasm) this.#wasm.run(count, row, out, offset);
    else {
      const classes = this.classes;
      for (let i = 0; i < count; i++) this.#predictJs(row(i), out, offset + i * classes);
    }
  }

  /**
   * Takes up to `count` of the extra rows kept after W1's real ones (shared by every thread
   * computing on these weights; each gets rows of its own) for {@linkcode defineRows}; returns
   * the first one's input index and how many it got (0 when none are left, or on the "js"
   * kernel). A second call gives up the rows of the first.
   */
  claimRows(count: number): { first: number; count: number } {
    return this.#wasm?.claim(count) ?? { first: this.inputs, count: 0 };
  }

  /**
   * Lets this instance read extra rows `first … first + count - 1` that another instance on the
   * same shared weights claimed and defined (e.g. the thread that sent them to this worker),
   * instead of rows of its own. Only the rows become readable: their values are the other's.
   * @throws {RangeError} when those rows were never claimed on these weights
   */
  adoptRows(first: number, count: number): void {
    if (!this.#wasm) throw new RangeError("Cannot adopt rows: the js kernel has no extra rows");
    this.#wasm.adopt(first, count);
  }

  /**
   * Makes extra rows `first … first + count - 1` (from {@linkcode claimRows}) the sums
   * `Σ values[k] · W1[indices[k]]` of `row(i)`'s real rows: an input naming row `first + i` with
   * value v then adds v times that sum to the hidden layer — one row read instead of many, for
   * features that often come together (within float rounding of naming them one by one).
   * @throws {RangeError} when the rows were not claimed by this instance
   */
  defineRows(first: number, count: number, row: (i: number) => SparseFeatures): void {
    if (!this.#wasm) throw new RangeError("Cannot define rows: the js kernel has no extra rows");
    this.#wasm.define(first, count, row);
  }

  /**
   * Copies inputs `row(0) … row(count - 1)` into an area of the kernel's shared memory, in the
   * form the kernel reads, for {@linkcode runStaged} on any instance computing on the same shared
   * weights — e.g. a worker's, so this thread builds the inputs (featurizes) and that one
   * computes, with no copy between them. The area is this instance's until
   * {@linkcode release}d, then reused.
   * @throws {RangeError} when an index is outside the input dimension, or on the "js" kernel
   */
  stage(count: number, row: (i: number) => SparseFeatures): StagedRows {
    if (!this.#wasm) throw new RangeError("Cannot stage rows: the js kernel has no shared memory");
    return this.#wasm.stage(count, row);
  }

  /** Gives the area of rows {@linkcode stage}d here back for reuse, once no thread will read
   * them (nor their state) any more. */
  release(staged: StagedRows): void {
    this.#wasm?.release(staged);
  }

  /**
   * Takes staged rows to compute: true for the first of the instances on the same shared weights
   * to ask (whatever thread it is on), false for every later one — so threads that may each
   * compute a batch (a worker it was sent to, the thread that staged it while it would
   * otherwise wait) compute it once.
   * @throws {RangeError} when `staged` names no rows of the memory, or on the "js" kernel
   */
  takeStaged(staged: StagedRows): boolean {
    if (!this.#wasm) throw new RangeError("Cannot take staged rows: the js kernel has none");
    return this.#wasm.take(staged);
  }

  /** Where staged rows are, whatever thread got them: waiting for a thread to
   * {@linkcode takeStaged} them, taken, or computed ({@linkcode runStaged} has finished).
   * @throws {RangeError} when `staged` names no rows of the memory, or on the "js" kernel */
  stagedState(staged: StagedRows): "staged" | "taken" | "computed" {
    if (!this.#wasm) throw new RangeError("Cannot read staged rows: the js kernel has none");
    return STAGED_STATES[this.#wasm.state(staged)]!;
  }

  /**
   * Writes the probabilities of rows another instance on the same shared weights
   * {@linkcode stage}d (in order) into `out` from `offset`: the same numbers as
   * {@linkcode predictEach} of those rows, then marks them computed ({@linkcode stagedState}).
   * @throws {RangeError} when `staged` names no rows of the memory, or on the "js" kernel
   */
  runStaged(staged: StagedRows, out: Float32Array, offset = 0): void {
    if (!this.#wasm) throw new RangeError("Cannot run staged rows: the js kernel has none");
    this.#wasm.runStaged(staged, out, offset);
  }

  /** Probabilities of many sparse inputs, row-major `n × classes`. */
  predict(rows: readonly SparseFeatures[]): Float32Array {
    const out = new Float32Array(rows.length * this.classes);
    this.predictEach(rows.length, (i) => rows[i]!, out);
    return out;
  }

  #predictJs(features: SparseFeatures, out: Float32Array, offset: number): void {
    const { inputs, hidden: units, classes, w1, b1, w2, b2 } = this.weights!; // the js kernel has them
    const h = this.#hidden;
    h.set(b1);
    const { indices, values } = features;
    for (let k = 0; k < indices.length; k++) {
      const index = indices[k]!;
      if (index < 0 || index >= inputs) throw outOfRange(index, inputs);
      axpy(h, w1, index * units, values[k]!, units);
    }
    const logits = this.#logits;
    for (let c = 0; c < classes; c++) logits[c] = b2[c]!;
    for (let j = 0; j < units; j++) {
      const a = h[j]!;
      if (a <= 0) continue; // relu
      const row = j * classes;
      for (let c = 0; c < classes; c++) logits[c]! += a * w2[row + c]!;
    }
    softmaxInto(logits, out, offset);
  }
}

function outOfRange(index: number, inputs: number): RangeError {
  return new RangeError(`Cannot predict: feature index ${index} is outside 0..${inputs - 1}`);
}

/** Writes softmax(`logits`) into `out` at `offset`; `logits` is overwritten. */
function softmaxInto(logits: Float64Array, out: Float32Array, offset: number): void {
  const classes = logits.length;
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, logits[c]!);
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    const e = Math.exp(logits[c]! - max);
    logits[c] = e;
    sum += e;
  }
  for (let c = 0; c < classes; c++) out[offset + c] = logits[c]! / sum;
}

/** `h += v · w[offset .. offset + n)`, unrolled by four (V8 does not vectorise; fewer checks pay). */
function axpy(h: Float32Array, w: Float32Array, offset: number, v: number, n: number): void {
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const o = offset + j;
    h[j] = h[j]! + v * w[o]!;
    h[j + 1] = h[j + 1]! + v * w[o + 1]!;
    h[j + 2] = h[j + 2]! + v * w[o + 2]!;
    h[j + 3] = h[j + 3]! + v * w[o + 3]!;
  }
  for (; j < n; j++) h[j] = h[j]! + v * w[offset + j]!;
}

interface WasmMlp {
  run(count: number, row: (i: number) => SparseFeatures, out: Float32Array, offset: number): void;
  /** Writes rows `first …` of W1's extra rows (see {@linkcode SparseMlp.defineRows}). */
  define(first: number, count: number, row: (i: number) => SparseFeatures): void;
  /** Takes up to `count` unused extra rows for this thread; the first one's input index. */
  claim(count: number): { first: number; count: number };
  /** Makes rows another thread claimed this thread's readable ones. */
  adopt(first: number, count: number): void;
  /** Copies `count` rows into an area of the memory for any thread to compute. */
  stage(count: number, row: (i: number) => SparseFeatures): StagedRows;
  /** Gives an area back for reuse (see {@linkcode SparseMlp.release}). */
  release(staged: StagedRows): void;
  /** Takes staged rows to compute, unless a thread did (see {@linkcode SparseMlp.takeStaged}). */
  take(staged: StagedRows): boolean;
  /** The state of staged rows (see {@linkcode SparseMlp.stagedState}). */
  state(staged: StagedRows): number;
  /** Computes staged rows (see {@linkcode SparseMlp.runStaged}). */
  runStaged(staged: StagedRows, out: Float32Array, offset: number): void;
}

type RowsFn = (
  rows: number,
  n: number,
  dest: number,
  panel: number,
  from: number,
  to: number,
) => void;

type KernelFn = (
  rows: number,
  n: number,
  b1: number,
  w2t: number,
  stride: number,
  classes: number,
  partial: number,
  panel: number,
  from: number,
  to: number,
) => void;

let compiled: WebAssembly.Module | undefined;

/**
 * The compiled kernel.
 * @throws {Error} where WebAssembly SIMD is unavailable
 */
function kernelModule(): WebAssembly.Module {
  try {
    return compiled ??= new WebAssembly.Module(SPARSE_MLP_WASM);
  } catch (error) {
    throw new Error(
      `Cannot predict: this runtime cannot compile the WebAssembly SIMD kernel (${
        (error as Error).message
      }); pass { kernel: "js" } for the slow reference loops`,
    );
  }
}

const PAGE = 65536;
/** Largest size of a kernel memory, in pages (4 GiB, all wasm32 can address). */
const MAX_PAGES = 65536;

/**
 * A model's weights laid out for the kernel in a shared WebAssembly memory: what
 * {@linkcode SparseMlp.share} gives, posted to a worker as is (the memory is shared, not
 * copied) and passed to `new SparseMlp()` there.
 */
export interface SharedMlpWeights {
  /** The shared memory holding W1 (in panels), b1 and W2ᵀ from byte 0. */
  memory: WebAssembly.Memory;
  /** Input size. */
  inputs: number;
  /** Hidden units. */
  hidden: number;
  /** Output classes. */
  classes: number;
  /** Rows of W1 after the `inputs` real ones, free for {@linkcode SparseMlp.defineRows}. */
  extraRows: number;
  /** The output bias (added in JS). */
  b2: Float32Array;
}

/**
 * Rows each kernel memory keeps after W1's real ones for rows a caller defines as sums of real
 * ones ({@linkcode SparseMlp.defineRows}): 8,192 × hidden floats of address space (64 MiB at
 * 2048 hidden units), taken from the system only as rows are written.
 */
const EXTRA_ROWS = 8192;

/** Byte offsets of the weights in a kernel memory (see {@linkcode layoutWeights}). */
function weightsLayout(inputs: number, hidden: number, classes: number, extraRows: number) {
  const padded = Math.ceil(hidden / BLOCK_UNITS) * BLOCK_UNITS;
  const stride = padded * 4; // bytes of b1 and of each W2ᵀ row
  const rowBytes = BLOCK_UNITS * 4; // bytes of one input row within a panel
  const rows = inputs + extraRows;
  const panel = rows * rowBytes;
  const b1At = rows * stride;
  const w2At = b1At + stride;
  const claimedAt = w2At + classes * stride; // extra rows taken so far (an i32 for Atomics)
  return { stride, rowBytes, panel, b1At, w2At, claimedAt, end: claimedAt + 16 };
}

/**
 * Copies the weights into a fresh shared WebAssembly memory laid out for the kernel. Layout
 * (bytes): W1 as panels of BLOCK_UNITS hidden units (hidden padded with zeros to whole panels),
 * each panel holding the `inputs` rows then EXTRA_ROWS free ones | b1 | W2ᵀ (classes rows) | the
 * count of extra rows claimed. Each thread computing with them adds its own scratch after that.
 */
function layoutWeights(weights: MlpWeights): SharedMlpWeights {
  const { inputs, hidden, classes, w1, b1, w2, b2 } = weights;
  const layout = weightsLayout(inputs, hidden, classes, EXTRA_ROWS);
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({
      initial: Math.ceil(layout.end / PAGE),
      maximum: MAX_PAGES,
      shared: true,
    });
  } catch (error) {
    throw new RangeError(
      `Cannot predict: ${inputs} × ${hidden} weights do not fit in WebAssembly memory (${
        (error as Error).message
      })`,
    );
  }
  const f32 = new Float32Array(memory.buffer);
  const panelFloats = layout.panel / 4;
  // row by row, each row's units dealt out to the panels 32 at a time (plain loops: a subarray
  // and a set per 32 values cost 4x more; one index per unit, as before, 1.4-2x more)
  const whole = Math.floor(hidden / BLOCK_UNITS) * BLOCK_UNITS;
  for (let i = 0; i < inputs; i++) {
    let from = i * hidden;
    let to = i * BLOCK_UNITS;
    for (let j = 0; j < whole; j += BLOCK_UNITS, to += panelFloats) {
      for (let k = 0; k < BLOCK_UNITS; k++) f32[to + k] = w1[from++]!;
    }
    for (let k = 0; k < hidden - whole; k++) f32[to + k] = w1[from++]!; // a partial last panel
  }
  f32.set(b1, layout.b1At / 4);
  for (let c = 0; c < classes; c++) {
    const base = (layout.w2At + c * layout.stride) / 4;
    for (let j = 0; j < hidden; j++) f32[base + j] = w2[j * classes + c]!;
  }
  return { memory, inputs, hidden, classes, extraRows: EXTRA_ROWS, b2: b2.slice() };
}

/** Rows of features in the kernel's format somewhere in a kernel memory: their state (i32) at
 * `stateAt`, row starts (`rows + 1` byte addresses, i32) at `rowsAt`, then from `featuresAt` room
 * for `capacity` features (pairs of row offset in a panel and value). */
interface Area {
  stateAt: number;
  rowsAt: number;
  featuresAt: number;
  rows: number;
  capacity: number;
}

/**
 * A batch runner on laid-out weights, with scratch of its own at the end of the memory (taken
 * by growing it, so threads sharing the weights never share scratch): partial sums
 * (CHUNK × classes × f32x4), then an {@linkcode Area} for CHUNK rows. Longer inputs than an area
 * holds get a bigger one. Areas for other threads to compute ({@linkcode WasmMlp.stage}) are
 * taken the same way and kept for reuse once released.
 */
function createWasmMlp(shared: SharedMlpWeights): WasmMlp {
  const module = kernelModule();
  const { memory, inputs, hidden, classes, extraRows, b2 } = shared;
  const { stride, rowBytes, panel, b1At, w2At, claimedAt } = weightsLayout(
    inputs,
    hidden,
    classes,
    extraRows,
  );
  // the extra rows this thread reads (claimed or adopted): its features may name those only
  let ownFirst = inputs, ownEnd = inputs;
  // the ones it claimed, which it may write (adopted ones are another thread's)
  let claimedFirst = inputs, claimedEnd = inputs;
  let f32 = new Float32Array(0);
  let i32 = new Int32Array(0);
  /** `bytes` more of the memory (whole pages); the first one's address. */
  const take = (bytes: number, what: string) => {
    let at: number;
    try {
      at = memory.grow(Math.ceil(bytes / PAGE)) * PAGE;
    } catch (error) {
      throw new RangeError(
        `Cannot predict: no WebAssembly memory left for ${what} (${(error as Error).message})`,
      );
    }
    f32 = new Float32Array(memory.buffer);
    i32 = new Int32Array(memory.buffer);
    return at;
  };
  /** An area for `rows` rows and at least `entries` features (~25 a message with the defaults). */
  const newArea = (rows: number, entries: number): Area => {
    const capacity = Math.max(entries, rows * 64, inputs);
    const starts = Math.ceil((rows + 1) / 4) * 16; // 16-byte aligned
    const at = take(16 + starts + capacity * 8, `${entries} features`);
    return { stateAt: at, rowsAt: at + 16, featuresAt: at + 16 + starts, rows, capacity };
  };
  const partialAt = take(CHUNK * classes * 16, "partial sums");
  let own = newArea(CHUNK, 0);
  /** Areas of staged rows a thread computes (by their `rowsAt`), and released ones. */
  const lent = new Map<number, Area>();
  const spare: Area[] = [];
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const kernel = exports.mlp as KernelFn;
  const rowsKernel = exports.rows as RowsFn;
  const logits = new Float64Array(classes);
  /** The state of staged rows, checked to lie in the memory (see {@linkcode StagedRows}). */
  const stateOf = (staged: StagedRows) => {
    const { rowsAt, count, stateAt } = staged;
    const bytes = memory.buffer.byteLength; // grown by any thread: views may be stale
    if (
      !(Number.isInteger(rowsAt) && Number.isInteger(count) && rowsAt >= 0 && count >= 0 &&
        rowsAt % 4 === 0 && rowsAt + 4 * (count + 1) <= bytes && Number.isInteger(stateAt) &&
        stateAt >= 0 && stateAt % 4 === 0 && stateAt + 4 <= bytes)
    ) {
      throw new RangeError(`Cannot predict: no staged rows at ${rowsAt} (${count} rows)`);
    }
    return new Int32Array(memory.buffer, stateAt, 1);
  };
  /**
   * Copies rows `start … start + n - 1` into `area` in the kernel's format; returns the area
   * holding them (a new, bigger one when they did not fit).
   */
  const copyRows = (
    area: Area,
    start: number,
    n: number,
    row: (i: number) => SparseFeatures,
  ): Area => {
    // each row is copied in as soon as it is built, so `row` may reuse its arrays
    let { rowsAt, featuresAt, capacity } = area;
    let at = featuresAt / 4;
    for (let m = 0; m < n; m++) {
      const { indices, values } = row(start + m);
      const length = indices.length;
      if (at + 2 * length > featuresAt / 4 + 2 * capacity) {
        // a new, bigger area; the rows copied so far move with it
        const used = at - featuresAt / 4;
        const oldRows = i32.slice(rowsAt / 4, rowsAt / 4 + m);
        const oldFeatures = i32.slice(featuresAt / 4, at);
        const oldFeaturesAt = featuresAt;
        area = newArea(area.rows, 2 * (used / 2 + length));
        ({ rowsAt, featuresAt, capacity } = area);
        for (let r = 0; r < m; r++) {
          i32[rowsAt / 4 + r] = oldRows[r]! - oldFeaturesAt + featuresAt;
        }
        i32.set(oldFeatures, featuresAt / 4);
        at = featuresAt / 4 + used;
      }
      i32[rowsAt / 4 + m] = at * 4;
      for (let k = 0; k < length; k++) {
        const index = indices[k]!;
        if (index < 0 || (index >= inputs && (index < ownFirst || index >= ownEnd))) {
          throw outOfRange(index, inputs);
        }
        i32[at] = index * rowBytes;
        f32[at + 1] = values[k]!;
        at += 2;
      }
    }
    i32[rowsAt / 4 + n] = at * 4;
    return area;
  };
  /** Probabilities of the `n` (≤ CHUNK) rows whose starts are at `rowsAt`, into `out`. */
  const compute = (rowsAt: number, n: number, out: Float32Array, offset: number) => {
    f32.fill(0, partialAt / 4, partialAt / 4 + n * classes * 4);
    // a call per panel (see the kernel's notes): the first calls tier up the later ones
    for (let blk = 0; blk < stride; blk += rowBytes) {
      kernel(rowsAt, n, b1At, w2At, stride, classes, partialAt, panel, blk, blk + rowBytes);
    }
    for (let m = 0; m < n; m++) {
      const p = partialAt / 4 + m * classes * 4;
      for (let c = 0; c < classes; c++) {
        const q = p + c * 4;
        logits[c] = b2[c]! + f32[q]! + f32[q + 1]! + f32[q + 2]! + f32[q + 3]!;
      }
      softmaxInto(logits, out, offset + m * classes);
    }
  };
  return {
    claim(count) {
      const claimed = new Int32Array(memory.buffer, claimedAt, 1);
      for (;;) {
        const used = Atomics.load(claimed, 0);
        const take = Math.max(0, Math.min(count, extraRows - used));
        if (take === 0) return { first: inputs + used, count: 0 };
        if (Atomics.compareExchange(claimed, 0, used, used + take) === used) {
          // one range a thread: a second claim replaces the first
          ownFirst = claimedFirst = inputs + used;
          ownEnd = claimedEnd = ownFirst + take;
          return { first: ownFirst, count: take };
        }
      }
    },
    adopt(first, count) {
      const claimed = Atomics.load(new Int32Array(memory.buffer, claimedAt, 1), 0);
      if (!(first >= inputs && count >= 0 && first + count <= inputs + claimed)) {
        throw new RangeError(
          `Cannot adopt rows ${first}..${first + count - 1}: rows ${inputs}..${
            inputs + claimed - 1
          } are claimed`,
        );
      }
      ownFirst = first;
      ownEnd = first + count;
      claimedFirst = claimedEnd = inputs;
    },
    define(first, count, row) {
      if (first < claimedFirst || first + count > claimedEnd) {
        throw new RangeError(
          `Cannot define rows ${first}..${first + count - 1}: this thread claimed ${
            claimedEnd > claimedFirst ? `${claimedFirst}..${claimedEnd - 1}` : "none"
          }`,
        );
      }
      for (let start = 0; start < count; start += CHUNK) {
        const n = Math.min(CHUNK, count - start);
        own = copyRows(own, start, n, row);
        // a call per panel (see the kernel's notes): the first calls tier up the later ones
        for (let blk = 0; blk < stride; blk += rowBytes) {
          rowsKernel(own.rowsAt, n, (first + start) * rowBytes, panel, blk, blk + rowBytes);
        }
      }
    },
    run(count, row, out, offset) {
      for (let start = 0; start < count; start += CHUNK) {
        const n = Math.min(CHUNK, count - start);
        own = copyRows(own, start, n, row);
        compute(own.rowsAt, n, out, offset + start * classes);
      }
    },
    stage(count, row) {
      const i = spare.findIndex((a) => a.rows >= count);
      let area = i >= 0 ? spare.splice(i, 1)[0]! : newArea(Math.max(count, CHUNK), 0);
      try {
        area = copyRows(area, 0, count, row);
      } catch (error) {
        spare.push(area);
        throw error;
      }
      lent.set(area.rowsAt, area);
      const staged = { rowsAt: area.rowsAt, count, stateAt: area.stateAt };
      Atomics.store(stateOf(staged), 0, STAGED);
      return staged;
    },
    release(staged) {
      const area = lent.get(staged.rowsAt);
      if (!area) return;
      lent.delete(staged.rowsAt);
      spare.push(area);
    },
    take(staged) {
      return Atomics.compareExchange(stateOf(staged), 0, STAGED, TAKEN) === STAGED;
    },
    state(staged) {
      return Atomics.load(stateOf(staged), 0);
    },
    runStaged(staged, out, offset) {
      const state = stateOf(staged);
      const { rowsAt, count } = staged;
      for (let start = 0; start < count; start += CHUNK) {
        compute(rowsAt + 4 * start, Math.min(CHUNK, count - start), out, offset + start * classes);
      }
      Atomics.store(state, 0, COMPUTED);
    },
  };
}

/**
 * What {@linkcode createSparsePredictor} needs of a model bundle: its embedder and either the
 * tfjs model (`loadBundle`) or the weights themselves (`loadWeightsBundle`).
 */
export type SparseModel =
  & { embedder: Embedder }
  & ({ model: LayersModel; weights?: undefined } | { weights: MlpWeights; model?: undefined });

const mlps = new WeakMap<MlpWeights, SparseMlp>();

/**
 * The bundle's weights in the inference kernel (wasm). A bundle of weights (`loadWeightsBundle`)
 * gets one, built once: in-process prediction and its worker pools compute on that one copy. A
 * tfjs model's weights may change (training), so each call copies them afresh.
 */
export function bundleMlp(bundle: SparseModel): SparseMlp {
  if (!bundle.weights) return new SparseMlp(weightsOf(bundle));
  let mlp = mlps.get(bundle.weights);
  if (!mlp) {
    mlp = new SparseMlp(bundle.weights);
    mlps.set(bundle.weights, mlp);
  }
  return mlp;
}

/** The bundle's weights, copied out of its tfjs model when it has no typed arrays of its own. */
export function weightsOf(bundle: SparseModel): MlpWeights {
  return bundle.weights ?? extractMlpWeights(bundle.model!);
}

/**
 * Returns `(texts) → probabilities (n × classes)` computed on the sparse fast path, or
 * `undefined` when the bundle's embedder has no sparse form (callers then use tfjs).
 * @throws {TypeError} when the model does not fit the embedder (see {@linkcode extractMlpWeights})
 */
export function createSparsePredictor(
  bundle: SparseModel,
  options: SparseMlpOptions = {},
): ((texts: readonly string[]) => Float32Array) | undefined {
  const { embedder } = bundle;
  if (!isSparseEmbedder(embedder)) return undefined;
  const mlp = (options.kernel ?? "auto") === "auto"
    ? bundleMlp(bundle)
    : new SparseMlp(weightsOf(bundle), options);
  if (mlp.inputs !== embedder.dimension) {
    throw new TypeError(
      `Cannot build sparse predictor: the model takes ${mlp.inputs} inputs, the embedder "${embedder.id}" gives ${embedder.dimension}`,
    );
  }
  const classes = mlp.classes;
  return (texts) => {
    const out = new Float32Array(texts.length * classes);
    const featurize = wordRowsFeaturizer(embedder, mlp, texts) ?? ((t) => embedder.featurize(t));
    mlp.predictEach(texts.length, (i) => featurize(texts[i]!), out);
    return out;
  };
}

/**
 * Class probabilities (`rows × classes`, row-major, in LABELS order) of a feature matrix under a
 * Dense(relu) → Dense(softmax) model: its weights, a prepared {@linkcode SparseMlp} (reuse it
 * across calls: building one copies the weights), or a bundle from `loadBundle` /
 * `loadWeightsBundle`. Sparse rows cost their active inputs only; dense
 * rows go through the same kernel with every input listed.
 * @throws {TypeError} when the matrix's dimension is not the model's input size
 * @example
 * ```ts
 * const probabilities = predictMatrix(weights, embedder.featurizeMany(["how do I start?"]));
 * ```
 */
export function predictMatrix(
  model: MlpWeights | SparseMlp | SparseModel,
  x: FeatureMatrix,
): Float32Array {
  const mlp = model instanceof SparseMlp
    ? model
    : new SparseMlp("embedder" in model ? weightsOf(model) : model);
  const { inputs, classes } = mlp;
  if (x.dimension !== inputs) {
    throw new TypeError(
      `Cannot predict: the matrix has dimension ${x.dimension}, the model takes ${inputs} inputs`,
    );
  }
  const out = new Float32Array(x.rows * classes);
  if (x.kind === "sparse") {
    const { offsets, indices, values } = x;
    mlp.predictEach(x.rows, (i) => ({
      indices: indices.subarray(offsets[i]!, offsets[i + 1]!),
      values: values.subarray(offsets[i]!, offsets[i + 1]!),
    }), out);
  } else {
    const all = Int32Array.from({ length: inputs }, (_, i) => i);
    mlp.predictEach(x.rows, (i) => ({
      indices: all,
      values: x.data.subarray(i * inputs, (i + 1) * inputs),
    }), out);
  }
  return out;
}
