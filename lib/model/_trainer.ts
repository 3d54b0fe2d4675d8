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

/**
 * 2^-126, the smallest normal float32: the kernels flush Adam moments below it to zero, as
 * flush-to-zero hardware would (see _train_kernel.wat for why).
 */
const SMALLEST_NORMAL = 2 ** -126;
/**
 * Every this many steps the W1 moments of the rows a step updates are flushed below
 * `SMALLEST_NORMAL / β1^FLUSH_EVERY`, so that decay alone never makes a denormal in between
 * (testing at every step cost ~20% of the Adam kernel).
 */
const FLUSH_EVERY = 8;

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

/** The kernel's exports (see _train_kernel.wat for what each computes). */
export interface Kernels {
  axpy(dst: number, src: number, n: number, a: number): void;
  head_forward(
    z: number,
    w2t: number,
    h0: number,
    h1: number,
    row: number,
    classes: number,
    partial: number,
  ): void;
  row_forward(
    w: number,
    m: number,
    v: number,
    h0: number,
    h1: number,
    tables: number,
    first: number,
    count: number,
    b1: number,
    rb2: number,
    eps: number,
    decay1: number,
    decay2: number,
    least: number,
    begin: number,
    end: number,
    keep: number,
  ): void;
  forward(params: number, h0: number, h1: number, part: number): void;
  flush(params: number, h0: number, h1: number): void;
}

let compiled: WebAssembly.Module | undefined;

/**
 * The kernel module, compiled once.
 * @throws {Error} when this runtime lacks WebAssembly SIMD: training has no slow fallback
 */
export function kernelModule(): WebAssembly.Module {
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
/** The operating system's memory page (x86-64, most arm64). */
const PAGE_BYTES = 4096;
/** WebAssembly's 4 GiB: a shared memory must declare its maximum. */
const MAX_PAGES = 65536;

/** The fixed regions of the trainer's memory, in order. */
const REGIONS = [
  "params",
  "w1",
  "slots",
  "leftovers",
  "b1",
  "mb1",
  "vb1",
  "gb1",
  "w2t",
  "m2",
  "v2",
  "gw2t",
] as const;

/** Byte offsets in the parameter block the `forward` / `flush` kernels read. */
const PARAMS = {
  slots: 0,
  slotCount: 4,
  z: 8,
  rows: 12,
  rowBytes: 16,
  w1: 20,
  m1: 24,
  v1: 28,
  tables: 32,
  b1: 36,
  w2t: 40,
  gw2t: 44,
  gb1: 48,
  mb1: 52,
  vb1: 56,
  m2: 60,
  v2: 64,
  classes: 68,
  partial: 72,
  dl: 76,
  beta1: 80,
  rootBeta2: 84,
  epsilon: 88,
  oneMinusBeta1: 100,
  beta2: 104,
  oneMinusBeta2: 108,
  least: 112,
  parts: 116,
  pendingScale: 120,
  pendingUnbias: 124,
  leftovers: 132,
  leftoverCount: 136,
  pendingZ: 140,
  pendingRows: 144,
  backwardPending: 148,
  /** The threads' handshake (see {@linkcode HANDSHAKE}); the kernels do not read it. */
  control: 160,
} as const;
const PARAM_BYTES = 192;
/**
 * Parts a step's hidden units are cut into: the main thread runs the first, the second thread
 * the others (each part's parameters live in the memory of the thread that runs it). Halves keep each thread's reads of a W1 row long and sequential; with 8 parts of 1 KiB a
 * single thread ran ~50% slower (the hardware prefetcher restarts on every short stretch).
 */
const PARTS = 2;
/** Bytes per slot: a W1 row the batch reads (see the kernel source for the fields). */
const SLOT_BYTES = 64;

/**
 * What a run asks the threads to do: a step's `forward` kernel, the pending step's `flush`, the
 * catch-up of every W1 row (`sync`), or copying a part's parameters out to the main thread.
 */
export const COMMAND = { forward: 1, flush: 2, catchUp: 3, export: 4 } as const;
/**
 * Where (bytes after the parameter block's start) the shared memory holds what the second thread
 * copies before a run, as i32 words: the trainer memory's size in bytes, the number of byte
 * ranges, the catch-up records' address and count, 1 when an export copies the Adam moments too,
 * the number of W1 rows, then (address, length) per range.
 */
export const LIST_AT = 256;
/** The list's words before its ranges. */
export const LIST = {
  bytes: 0,
  ranges: 1,
  records: 2,
  recordCount: 3,
  full: 4,
  inputs: 5,
  first: 8,
} as const;
/** Ranges a list holds at most: the list ends before W1 starts, on the next page. */
const MAX_RANGES = 400;
/** Bytes per catch-up record: W1 row offset, first step, steps, decay1, decay2, least. */
export const RECORD_BYTES = 32;
/** Where the handshake lives (bytes), for `_train_worker.ts`. */
export const CONTROL_AT = PARAMS.control;
/**
 * The handshake's i32 slots from {@linkcode CONTROL_AT}: `word` = run number · 256 + next part
 * to claim, the command of that run, parts done, and 1 when the second thread must stop.
 */
export const HANDSHAKE = { word: 0, command: 1, done: 2, exit: 3 } as const;

/**
 * Claims and runs parts of run `run` until none is left (the second thread calls this; the main
 * thread claims part 0 before it starts the run); each part is claimed once, by compare-and-swap on the handshake word, and counted done after it ran.
 * @returns how many parts this caller ran
 */
export function runParts(
  control: Int32Array,
  run: number,
  parts: number,
  execute: (command: number, part: number) => void,
): number {
  let ran = 0;
  for (;;) {
    const word = Atomics.load(control, HANDSHAKE.word);
    if (word >>> 8 !== run || (word & 255) >= parts) return ran;
    if (Atomics.compareExchange(control, HANDSHAKE.word, word, word + 1) !== word) continue;
    // the command cannot change while a part of this run is unfinished
    execute(Atomics.load(control, HANDSHAKE.command), word & 255);
    Atomics.add(control, HANDSHAKE.done, 1);
    Atomics.notify(control, HANDSHAKE.done);
    ran++;
  }
}

/**
 * Calls `range(address, length)` for the output-layer sums part `part` wrote in the last
 * `forward` (`i32`: a view of the memory holding the parameter block at `params`).
 */
export function partialRanges(
  i32: Int32Array,
  params: number,
  part: number,
  range: (at: number, length: number) => void,
): void {
  const p = params / 4;
  const rows = i32[p + PARAMS.rows / 4]!;
  const parts = i32[p + PARAMS.parts / 4]!;
  const classes = i32[p + PARAMS.classes / 4]!;
  const partial = i32[p + PARAMS.partial / 4]!;
  for (let r = 0; r < rows; r++) range(partial + (r * parts + part) * classes * 16, classes * 16);
}

/**
 * Calls `range(address, length)` for bytes `[h0, h1)` of every W1 row and dense parameter row:
 * the weights, and with `full` their Adam moments (what a thread owns of the parameters).
 */
export function partRanges(
  i32: Int32Array,
  params: number,
  inputs: number,
  h0: number,
  h1: number,
  full: boolean,
  range: (at: number, length: number) => void,
): void {
  const p = params / 4;
  const field = (name: keyof typeof PARAMS) => i32[p + PARAMS[name] / 4]!;
  const rowBytes = field("rowBytes");
  const classes = field("classes");
  const w1 = [field("w1"), ...(full ? [field("m1"), field("v1")] : [])];
  for (let i = 0; i < inputs; i++) {
    for (const at of w1) range(at + 3 * i * rowBytes + h0, h1 - h0);
  }
  const dense = full ? ["b1", "mb1", "vb1"] as const : ["b1"] as const;
  for (const name of dense) range(field(name) + h0, h1 - h0);
  const head = full ? ["w2t", "m2", "v2"] as const : ["w2t"] as const;
  for (const name of head) {
    for (let c = 0; c < classes; c++) range(field(name) + c * rowBytes + h0, h1 - h0);
  }
}

/**
 * Replays each catch-up record's idle steps on bytes `[h0, h1)` of its W1 row (see
 * {@linkcode MlpTrainer.sync}): `records` a view of them, `i32` / `f32` of the memory holding
 * the parameter block at `params`.
 */
export function catchUpRows(
  kernels: Kernels,
  i32: Int32Array,
  f32: Float32Array,
  params: number,
  records: Int32Array,
  count: number,
  h0: number,
  h1: number,
): void {
  const p = params / 4;
  const asF32 = new Float32Array(records.buffer, records.byteOffset, records.length);
  const [w1, m1, v1] = [i32[p + PARAMS.w1 / 4]!, i32[p + PARAMS.m1 / 4]!, i32[p + PARAMS.v1 / 4]!];
  for (let r = 0; r < count; r++) {
    const e = r * (RECORD_BYTES / 4);
    const offset = records[e]!;
    kernels.row_forward(
      w1 + offset,
      m1 + offset,
      v1 + offset,
      h0,
      h1,
      i32[p + PARAMS.tables / 4]!,
      records[e + 1]!,
      records[e + 2]!,
      f32[p + PARAMS.beta1 / 4]!,
      f32[p + PARAMS.rootBeta2 / 4]!,
      f32[p + PARAMS.epsilon / 4]!,
      asF32[e + 3]!,
      asF32[e + 4]!,
      asF32[e + 5]!,
      0,
      0,
      1,
    );
  }
}

/** Options of {@linkcode MlpTrainer.startThreads}. */
export interface ThreadOptions {
  /** Threads that run each step, 1 or 2 (they share out its parts of the hidden units). */
  threads: number;
}

/** How long the main thread waits for the second thread's part before giving up (ms). */
const PATIENCE_MS = 60_000;

/**
 * Holds the parameters and their Adam moments and runs batch steps. Everything lives in one
 * WebAssembly memory of its own (with a second thread, each thread has one: see
 * {@linkcode MlpTrainer.startThreads}), rows padded to a multiple of 8 floats: a parameter block,
 * W1 with its moments (`inputs` blocks of `w | m | v`, each `stride` floats: reading or updating
 * a row touches one 24 KiB stretch at the default 2,048 hidden units, not three 8 KiB rows 34 MB
 * apart), two slot tables (this batch's and the previous one's), the dense parameters, then two
 * sets of `z` rows, partial sums, `dl` rows, per-step tables and two pair lists, which grow. W1's
 * rows are caught up lazily: `#current[i]` is the step row i's `(w, m, v)` reflect, except that
 * the last batch's backward pass and Adam step (but b2's) are still pending (its W1 rows in
 * `#pendingRows`): the next batch's `forward` runs them first, fused with its own forward pass on
 * the W1 rows both batches read, and {@linkcode MlpTrainer.sync} runs them before the weights
 * are read.
 *
 * A step is one kernel, `forward`, run on every part of the hidden units (halves): the previous
 * step's backward pass, then this one's forward pass; the output layer's sums are kept per part
 * and added in part order, so one thread running all parts and two threads sharing them out give
 * the same bits.
 */
export class MlpTrainer {
  readonly inputs: number;
  readonly hidden: number;
  readonly classes: number;
  /** Steps taken so far. */
  step = 0;
  /** Parts of steps the second thread ran (0 on one thread): shows it did share the work. */
  workerParts = 0;
  readonly #adam: AdamConfig;
  readonly #stride: number;
  /** Bytes of hidden units per part (a multiple of 32), and the number of parts. */
  readonly #partBytes: number;
  readonly #parts: number;
  /** Handshake runs so far. */
  #run = 0;
  /**
   * This thread's memory, not shared: V8 compiles a shared memory's loads and stores slower (5-7%
   * of a step), so each thread keeps its part of every parameter in a memory of its own and
   * the threads exchange only a step's tables through {@linkcode MlpTrainer.#shared}.
   */
  readonly #memory: WebAssembly.Memory;
  /** With a second thread: the memory both see (handshake, the step's tables, exports). */
  #shared: WebAssembly.Memory | undefined;
  /** Byte ranges (address, length) of this memory the second thread copies before its next run. */
  #dirty: number[] = [];
  /** The step the second thread's part was last exported at (-1: not since it started). */
  #exported = -1;
  readonly #kernels: Kernels;
  #f32: Float32Array;
  #i32: Int32Array;
  readonly #at: Record<(typeof REGIONS)[number], number>;
  /** Where W1 row 0's moments start: each row is `w | m | v`, 3 × stride floats. */
  readonly #m1: number;
  readonly #v1: number;
  /** This step's z rows and the previous step's dz rows (the pending Adam step reads them). */
  #zAt: [number, number] = [0, 0];
  #zRows = 0;
  #partialAt = 0;
  #dlAt = 0;
  #tablesAt = 0;
  #tableSteps = 0;
  #pairsAt: [number, number] = [0, 0];
  #pairCapacity = 0;
  /** Per touched row: its batch uses so far while the pair lists are built. */
  readonly #counts: Int32Array;
  readonly #current: Int32Array;
  /**
   * The previous batch's W1 rows, whose Adam step is pending (see the kernel source): their
   * slots' addresses by row (0 for the others), and the rows. (Its backward pass is pending too
   * while `PARAMS.backwardPending` is 1.)
   */
  readonly #pendingSlot: Int32Array;
  readonly #pendingRows: Int32Array;
  #pendingCount = 0;
  /** The pending step's Adam constants: scale[t], unbias[t] and the W1 moments' flush floor. */
  #pending = { scale: 0, unbias: 0, least: 0 };
  /** 1 once a row's moments are non-zero (rows never active need no replay). */
  readonly #active: Uint8Array;
  readonly #b2: { w: Float32Array; m: Float32Array; v: Float32Array };
  /** Where the fixed regions end. */
  readonly #end: number;
  // batch scratch
  readonly #slot: Int32Array;
  readonly #touched: Int32Array;
  readonly #gb2: Float32Array;
  readonly #logits: Float64Array;
  #worker: Worker | undefined;

  /**
   * Starts from `initial` (copied) with zero moments, on one thread (see
   * {@linkcode MlpTrainer.startThreads}).
   * @throws {Error} when WebAssembly SIMD is unavailable or the model does not fit in 4 GiB
   */
  constructor(initial: MlpWeights, adam: AdamConfig) {
    const { inputs, hidden, classes } = initial;
    this.inputs = inputs;
    this.hidden = hidden;
    this.classes = classes;
    this.#adam = adam;
    const stride = this.#stride = Math.ceil(hidden / 8) * 8;
    this.#partBytes = Math.ceil(stride / (8 * PARTS)) * 32;
    this.#parts = Math.ceil(stride * 4 / this.#partBytes);
    const sizes: Record<(typeof REGIONS)[number], number> = {
      params: PARAM_BYTES / 4,
      w1: 3 * inputs * stride,
      // two tables: this batch's, and the previous one's, whose W1 Adam step is pending
      slots: 2 * inputs * SLOT_BYTES / 4,
      leftovers: inputs,
      b1: stride,
      mb1: stride,
      vb1: stride,
      gb1: stride,
      w2t: classes * stride,
      m2: classes * stride,
      v2: classes * stride,
      gw2t: classes * stride,
    };
    const at = {} as Record<(typeof REGIONS)[number], number>;
    let bytes = 0;
    for (const region of REGIONS) {
      // page-aligned, so that each half of a W1 row (4 KiB at the default 2,048 hidden units)
      // sits on one page, not two: fewer TLB misses
      bytes = Math.ceil(bytes / PAGE_BYTES) * PAGE_BYTES;
      at[region] = bytes;
      bytes += sizes[region] * 4;
    }
    this.#at = at;
    this.#m1 = at.w1 + stride * 4;
    this.#v1 = at.w1 + 2 * stride * 4;
    this.#end = bytes;
    try {
      this.#memory = new WebAssembly.Memory({
        initial: Math.ceil(bytes / PAGE) + 1,
        maximum: MAX_PAGES,
      });
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
      this.#f32.set(initial.w1.subarray(i * hidden, (i + 1) * hidden), at.w1 / 4 + 3 * i * stride);
    }
    this.#f32.set(initial.b1, at.b1 / 4);
    for (let h = 0; h < hidden; h++) {
      for (let c = 0; c < classes; c++) {
        this.#f32[at.w2t / 4 + c * stride + h] = initial.w2[h * classes + c]!;
      }
    }
    this.#current = new Int32Array(inputs);
    this.#pendingSlot = new Int32Array(inputs);
    this.#pendingRows = new Int32Array(inputs);
    this.#active = new Uint8Array(inputs);
    this.#b2 = {
      w: Float32Array.from(initial.b2),
      m: new Float32Array(classes),
      v: new Float32Array(classes),
    };
    this.#slot = new Int32Array(inputs).fill(-1);
    this.#touched = new Int32Array(inputs);
    this.#gb2 = new Float32Array(classes);
    this.#logits = new Float64Array(classes);
    // the parameter block's fixed fields
    const p = at.params / 4;
    const i32 = this.#i32;
    const f32 = this.#f32;
    i32[p + PARAMS.leftovers / 4] = at.leftovers;
    i32[p + PARAMS.rowBytes / 4] = stride * 4;
    i32[p + PARAMS.w1 / 4] = at.w1;
    i32[p + PARAMS.m1 / 4] = this.#m1;
    i32[p + PARAMS.v1 / 4] = this.#v1;
    for (
      const name of [
        "b1",
        "w2t",
        "gw2t",
        "gb1",
        "mb1",
        "vb1",
        "m2",
        "v2",
      ] as const
    ) {
      i32[p + PARAMS[name] / 4] = at[name];
    }
    i32[p + PARAMS.classes / 4] = classes;
    i32[p + PARAMS.parts / 4] = this.#parts;
    f32[p + PARAMS.beta1 / 4] = adam.beta1;
    f32[p + PARAMS.rootBeta2 / 4] = Math.sqrt(adam.beta2);
    f32[p + PARAMS.epsilon / 4] = adam.epsilon;
    f32[p + PARAMS.oneMinusBeta1 / 4] = 1 - adam.beta1;
    f32[p + PARAMS.beta2 / 4] = adam.beta2;
    f32[p + PARAMS.oneMinusBeta2 / 4] = 1 - adam.beta2;
  }

  /**
   * Runs each later step on `threads` threads (1 or 2): a worker runs the second half of the
   * hidden units, the main thread the first. The worker keeps its half of every parameter in a
   * memory of its own, not shared (V8 compiles a shared memory's loads and stores slower: on two
   * threads, 100-step slices ran 16% more samples/s in the median than with one shared memory);
   * before each run the main thread copies the step's tables (slots, pairs, parameter block,
   * `dl` rows) into a small shared memory, and the worker copies them in, runs its part and
   * copies out its output-layer sums. {@linkcode MlpTrainer.sync} copies the worker's half of the
   * weights back, {@linkcode MlpTrainer.close} all of its half. The result is bit for bit the
   * single thread's. Call {@linkcode MlpTrainer.close} when done.
   * @throws {RangeError} for another thread count
   */
  async startThreads({ threads }: ThreadOptions): Promise<void> {
    if (threads !== 1 && threads !== 2) {
      throw new RangeError(`Cannot train classifier: threads must be 1 or 2, got ${threads}`);
    }
    if (threads === 1 || this.#worker) return;
    // the second thread starts from a copy of what it reads of this memory, passed through the
    // shared one: the parameter block, slot tables and leftovers, its half of every parameter
    // with its moments (not the gradients, which a step zeroes first) and the batch buffers
    // (pages neither writes stay unallocated, so each memory holds about half the parameters)
    const bytes = this.#memory.buffer.byteLength;
    const shared = new WebAssembly.Memory({
      initial: bytes / PAGE,
      maximum: MAX_PAGES,
      shared: true,
    });
    const at = this.#at;
    const ranges = [
      at.params,
      PARAMS.control,
      at.slots,
      at.b1 - at.slots,
      this.#end,
      bytes - this.#end,
    ];
    const rowBytes = this.#stride * 4;
    for (let part = 1; part < this.#parts; part++) {
      const h0 = part * this.#partBytes;
      const h1 = Math.min(rowBytes, h0 + this.#partBytes);
      partRanges(this.#i32, at.params, this.inputs, h0, h1, true, (at, length) => {
        ranges.push(at, length);
      });
    }
    const to = new Uint8Array(shared.buffer);
    const from = new Uint8Array(this.#memory.buffer);
    for (let r = 0; r < ranges.length; r += 2) {
      to.set(from.subarray(ranges[r]!, ranges[r]! + ranges[r + 1]!), ranges[r]!);
    }
    const worker = new Worker(new URL("./_train_worker.ts", import.meta.url).href, {
      type: "module",
    });
    const ready = new Promise<void>((resolve, reject) => {
      worker.onmessage = () => resolve();
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`Cannot train classifier: the second thread failed (${event.message})`));
      };
    });
    worker.postMessage({
      shared,
      bytes,
      ranges,
      params: this.#at.params,
      partBytes: this.#partBytes,
      parts: this.#parts,
      rowBytes: this.#stride * 4,
    });
    try {
      await ready;
    } catch (error) {
      worker.terminate();
      throw error;
    }
    this.#worker = worker;
    this.#shared = shared;
    this.#dirty = [];
    this.#exported = -1;
  }

  /**
   * Stops the second thread, if any, after copying its part of the parameters back (the trainer
   * goes on with one).
   */
  close(): void {
    if (!this.#worker) return;
    try {
      this.#flush();
      this.#export(true);
    } catch (error) {
      this.#worker.terminate();
      this.#worker = undefined;
      throw error;
    }
    const control = this.#control();
    Atomics.store(control, HANDSHAKE.exit, 1);
    Atomics.store(control, HANDSHAKE.word, this.#nextRun() << 8);
    Atomics.notify(control, HANDSHAKE.word);
    this.#worker.terminate();
    this.#worker = undefined;
    this.#shared = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
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
    const indices = x.kind === "sparse" ? x.indices : undefined;
    const values = x.kind === "sparse" ? x.values : x.data;
    // 1. the W1 rows this batch reads (slots, in order of first use) and their uses
    const slot = this.#slot;
    const touched = this.#touched;
    const counts = this.#counts;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const [from, to] = rowBounds(x, rows[i]!);
      for (let k = from; k < to; k++) {
        if (values[k] === 0) continue;
        const index = indices ? indices[k]! : k - from;
        let s = slot[index]!;
        if (s === -1) {
          s = slot[index] = count;
          touched[count++] = index;
        }
        counts[s]!++;
      }
    }
    // 2. each slot: its row, the idle steps to replay before step t, its pairs' range
    const { beta1, beta2 } = this.#adam;
    const parity = t & 1;
    const slotsAt = at.slots + parity * this.inputs * SLOT_BYTES;
    const slots = slotsAt / 4;
    const pendingSlot = this.#pendingSlot;
    let cursor = this.#pairsAt[parity]!;
    for (let s = 0; s < count; s++) {
      const index = touched[s]!;
      const e = slots + s * (SLOT_BYTES / 4);
      // a row the previous batch read: its pending Adam step carries this forward pass
      i32[e + 8] = pendingSlot[index]!;
      pendingSlot[index] = 0;
      const from = this.#current[index]!;
      const k = t - 1 - from;
      i32[e] = index * 3 * rowBytes;
      if (k > 0 && this.#active[index] === 1) {
        i32[e + 1] = from + 1;
        i32[e + 2] = Math.min(k, MAX_REPLAYED_STEPS);
        f32[e + 3] = beta1 ** k;
        f32[e + 4] = beta2 ** k;
        f32[e + 7] = SMALLEST_NORMAL / beta1 ** i32[e + 2]!;
      } else i32[e + 2] = 0;
      i32[e + 5] = cursor;
      cursor += 8 * counts[s]!;
      i32[e + 6] = cursor;
      counts[s] = i32[e + 5]!; // from here on: where the slot's next pair goes
      this.#current[index] = t;
      this.#active[index] = 1;
    }
    for (let i = 0; i < n; i++) {
      const zAt = this.#zAt[parity]! + i * rowBytes;
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
    for (let s = 0; s < count; s++) {
      slot[touched[s]!] = -1;
      counts[s] = 0;
    }
    // the pending rows this batch does not read get their Adam step first; this batch's rows
    // become the pending ones
    const p = at.params / 4;
    const leftovers = at.leftovers / 4;
    let leftover = 0;
    for (let r = 0; r < this.#pendingCount; r++) {
      const index = this.#pendingRows[r]!;
      if (pendingSlot[index] === 0) continue;
      i32[leftovers + leftover++] = pendingSlot[index]!;
      pendingSlot[index] = 0;
    }
    this.#setPending(leftover);
    for (let s = 0; s < count; s++) {
      pendingSlot[touched[s]!] = slotsAt + s * SLOT_BYTES;
    }
    this.#pendingRows.set(touched.subarray(0, count));
    this.#pendingCount = count;
    this.#pending = {
      scale: f32[this.#tablesAt / 4 + 2 * t]!,
      unbias: f32[this.#tablesAt / 4 + 2 * t + 1]!,
      least: t % FLUSH_EVERY === 0 ? SMALLEST_NORMAL / beta1 ** FLUSH_EVERY : 0,
    };
    i32[p + PARAMS.slots / 4] = slotsAt;
    i32[p + PARAMS.z / 4] = this.#zAt[parity]!;
    i32[p + PARAMS.slotCount / 4] = count;
    i32[p + PARAMS.rows / 4] = n;
    this.#publish(slotsAt, count * SLOT_BYTES);
    this.#publish(this.#pairsAt[parity]!, cursor - this.#pairsAt[parity]!);
    this.#publish(at.leftovers, leftover * 4);
    // 3. forward: the previous step's pending Adam on W1, z = b1 + Σ value · W1[index] (rows
    // caught up first), partial output sums
    this.#runParts(COMMAND.forward);
    // 4. loss and d loss / d logits = (p − onehot) · weight / n, row by row
    const b2 = this.#b2.w;
    const gb2 = this.#gb2.fill(0);
    const logits = this.#logits;
    const partial = this.#partialAt / 4;
    const dlRow = Math.ceil(C / 4) * 4;
    let loss = 0;
    let correct = 0;
    const parts = this.#parts;
    for (let i = 0; i < n; i++) {
      const label = y[rows[i]!]!;
      let best = 0;
      for (let c = 0; c < C; c++) {
        let logit = b2[c]!;
        for (let part = 0; part < parts; part++) {
          const q = partial + ((i * parts + part) * C + c) * 4;
          logit += f32[q]! + f32[q + 1]! + f32[q + 2]! + f32[q + 3]!;
        }
        logits[c] = logit;
        if (logits[c]! > logits[best]!) best = c;
      }
      if (best === label) correct++;
      const max = logits[best]!;
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(logits[c]! - max);
      const logSum = Math.log(sum) + max;
      const weight = classWeights[label]!;
      loss += weight * (logSum - logits[label]!);
      const scale = weight / n;
      const dl = this.#dlAt / 4 + i * dlRow;
      for (let c = 0; c < C; c++) {
        const d = (Math.exp(logits[c]! - logSum) - (c === label ? 1 : 0)) * scale;
        f32[dl + c] = d;
        gb2[c] = gb2[c]! + d;
      }
    }
    // 5. b2's Adam step; the rest of the backward pass (dz, gradients, Adam step t of b1, W2
    // and W1) waits for the next step's forward run or for a sync
    adamUpdate(this.#b2, gb2, this.#adam, this.#pending.scale, this.#pending.unbias);
    i32[p + PARAMS.pendingZ / 4] = this.#zAt[parity]!;
    i32[p + PARAMS.pendingRows / 4] = n;
    i32[p + PARAMS.backwardPending / 4] = 1;
    this.#publish(this.#dlAt, n * dlRow * 4);
    return { loss: loss / n, correct };
  }

  /**
   * Runs `command` on every part of the hidden units: the main thread runs part 0 and, with a
   * second thread, leaves the others to it (each part's parameters live in its thread's memory).
   */
  #runParts(command: number): void {
    const rowBytes = this.#stride * 4;
    const execute = (command: number, part: number) => {
      const h0 = part * this.#partBytes;
      const h1 = Math.min(rowBytes, h0 + this.#partBytes);
      if (command === COMMAND.forward) this.#kernels.forward(this.#at.params, h0, h1, part);
      else if (command === COMMAND.flush) this.#kernels.flush(this.#at.params, h0, h1);
      else if (command === COMMAND.catchUp) {
        const shared = this.#shared!.buffer;
        const list = new Int32Array(shared, this.#at.params + LIST_AT, LIST.first);
        const records = new Int32Array(shared, list[LIST.records]!, list[LIST.recordCount]! * 8);
        catchUpRows(
          this.#kernels,
          this.#i32,
          this.#f32,
          this.#at.params,
          records,
          list[LIST.recordCount]!,
          h0,
          h1,
        );
      }
    };
    if (!this.#worker) {
      for (let part = 0; part < this.#parts; part++) execute(command, part);
      return;
    }
    this.#send();
    const control = this.#control();
    const run = this.#nextRun();
    Atomics.store(control, HANDSHAKE.command, command);
    Atomics.store(control, HANDSHAKE.done, 0);
    // part 0 is the main thread's, claimed before the second thread can see the run
    Atomics.store(control, HANDSHAKE.word, (run << 8) + 1);
    Atomics.notify(control, HANDSHAKE.word);
    execute(command, 0);
    Atomics.add(control, HANDSHAKE.done, 1);
    if (command === COMMAND.forward) this.workerParts += this.#parts - 1;
    let waited = 0;
    for (;;) {
      const done = Atomics.load(control, HANDSHAKE.done);
      if (done === this.#parts) break;
      if (Atomics.wait(control, HANDSHAKE.done, done, 1000) === "timed-out") {
        if ((waited += 1000) >= PATIENCE_MS) {
          throw new Error(
            `Cannot train classifier: the second thread finished no part for ${
              PATIENCE_MS / 1000
            } s`,
          );
        }
      } else waited = 0;
    }
    // what the second thread's parts made that this thread reads
    const shared = new Uint8Array(this.#shared!.buffer);
    const own = new Uint8Array(this.#memory.buffer);
    const copy = (at: number, length: number) => {
      own.set(shared.subarray(at, at + length), at);
    };
    for (let part = 1; part < this.#parts; part++) {
      const h0 = part * this.#partBytes;
      const h1 = Math.min(rowBytes, h0 + this.#partBytes);
      if (command === COMMAND.forward) partialRanges(this.#i32, this.#at.params, part, copy);
      else if (command === COMMAND.export) {
        const list = (this.#at.params + LIST_AT) / 4;
        const i32 = new Int32Array(this.#shared!.buffer);
        partRanges(
          this.#i32,
          this.#at.params,
          this.inputs,
          h0,
          h1,
          i32[list + LIST.full] === 1,
          copy,
        );
      }
    }
  }

  /** Marks bytes `[at, at + length)` of this memory for the second thread's next copy. */
  #publish(at: number, length: number): void {
    if (this.#worker && length > 0) this.#dirty.push(at, length);
  }

  /** Copies the marked ranges and the parameter block into the shared memory, with their list. */
  #send(): void {
    const shared = this.#shared!;
    const bytes = this.#memory.buffer.byteLength;
    if (shared.buffer.byteLength < bytes) {
      shared.grow((bytes - shared.buffer.byteLength) / PAGE);
    }
    const dirty = this.#dirty;
    dirty.push(this.#at.params, PARAMS.control);
    if (dirty.length / 2 > MAX_RANGES) {
      throw new Error(
        `Cannot train classifier: ${dirty.length / 2} ranges to send, over ${MAX_RANGES}`,
      );
    }
    const to = new Uint8Array(shared.buffer);
    const from = new Uint8Array(this.#memory.buffer);
    const i32 = new Int32Array(shared.buffer);
    const list = (this.#at.params + LIST_AT) / 4;
    i32[list + LIST.bytes] = bytes;
    i32[list + LIST.ranges] = dirty.length / 2;
    i32[list + LIST.inputs] = this.inputs;
    for (let r = 0; r < dirty.length; r += 2) {
      const at = dirty[r]!;
      const length = dirty[r + 1]!;
      to.set(from.subarray(at, at + length), at);
      i32[list + LIST.first + r] = at;
      i32[list + LIST.first + r + 1] = length;
    }
    dirty.length = 0;
  }

  /** Brings the second thread's part of the weights (with `full`, of everything) into this memory. */
  #export(full: boolean): void {
    if (!full && this.#exported === this.step) return;
    const i32 = new Int32Array(this.#shared!.buffer);
    i32[(this.#at.params + LIST_AT) / 4 + LIST.full] = full ? 1 : 0;
    this.#runParts(COMMAND.export);
    this.#exported = this.step;
  }

  #control(): Int32Array {
    return new Int32Array(this.#shared!.buffer, this.#at.params + PARAMS.control, 4);
  }

  #nextRun(): number {
    return this.#run = this.#run % 0x7fffff + 1;
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
    const partial = this.#partialAt / 4;
    const logits = new Float64Array(C);
    const out = new Float32Array(x.rows * C);
    const zAt = this.#zAt[0];
    for (let row = 0; row < x.rows; row++) {
      f32.set(b1, zAt / 4);
      const [from, to] = rowBounds(x, row);
      for (let k = from; k < to; k++) {
        const value = values[k]!;
        if (value === 0) continue;
        axpy(zAt, at.w1 + (indices ? indices[k]! : k - from) * 3 * rowBytes, stride, value);
      }
      headForward(zAt, at.w2t, 0, rowBytes, rowBytes, C, this.#partialAt);
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
    this.#flush();
    if (!this.#worker) {
      for (let i = 0; i < this.inputs; i++) this.#catchUp(i, this.step);
      return;
    }
    // both threads replay the same records on their parts, then the second thread's part of the
    // weights is copied here; the records go where the shared memory's slot tables are, whose
    // last contents the second thread has copied already
    const shared = this.#shared!.buffer;
    const records = new Int32Array(shared, this.#at.slots, this.inputs * RECORD_BYTES / 4);
    const recordF32 = new Float32Array(shared, this.#at.slots, this.inputs * RECORD_BYTES / 4);
    const { beta1, beta2 } = this.#adam;
    let count = 0;
    for (let i = 0; i < this.inputs; i++) {
      const from = this.#current[i]!;
      const k = this.step - from;
      if (k <= 0) continue;
      this.#current[i] = this.step;
      if (this.#active[i] === 0) continue;
      const e = count++ * (RECORD_BYTES / 4);
      const steps = Math.min(k, MAX_REPLAYED_STEPS);
      records[e] = i * 3 * this.#stride * 4;
      records[e + 1] = from + 1;
      records[e + 2] = steps;
      recordF32[e + 3] = beta1 ** k;
      recordF32[e + 4] = beta2 ** k;
      recordF32[e + 5] = SMALLEST_NORMAL / beta1 ** steps;
    }
    const list = new Int32Array(shared, this.#at.params + LIST_AT, LIST.first);
    list[LIST.records] = this.#at.slots;
    list[LIST.recordCount] = count;
    if (count > 0) {
      this.#runParts(COMMAND.catchUp);
      this.#exported = -1;
    }
    this.#export(false);
  }

  /**
   * Runs the last batch's pending backward pass and Adam step (b1, W2 and its W1 rows) on this
   * thread: before the weights are read (once an epoch) or the batch buffers move, not worth a
   * handshake.
   */
  #flush(): void {
    const p = this.#at.params / 4;
    if (this.#pendingCount === 0 && this.#i32[p + PARAMS.backwardPending / 4] === 0) return;
    const leftovers = this.#at.leftovers / 4;
    for (let r = 0; r < this.#pendingCount; r++) {
      const index = this.#pendingRows[r]!;
      this.#i32[leftovers + r] = this.#pendingSlot[index]!;
      this.#pendingSlot[index] = 0;
    }
    this.#publish(this.#at.leftovers, this.#pendingCount * 4);
    this.#setPending(this.#pendingCount);
    this.#pendingCount = 0;
    this.#runParts(COMMAND.flush);
    this.#i32[p + PARAMS.leftoverCount / 4] = 0;
    this.#i32[p + PARAMS.backwardPending / 4] = 0;
  }

  /** Points the kernels at `count` leftover slots and the pending step's Adam constants. */
  #setPending(count: number): void {
    const p = this.#at.params / 4;
    this.#i32[p + PARAMS.leftoverCount / 4] = count;
    this.#f32[p + PARAMS.pendingScale / 4] = this.#pending.scale;
    this.#f32[p + PARAMS.pendingUnbias / 4] = this.#pending.unbias;
    this.#f32[p + PARAMS.least / 4] = this.#pending.least;
  }

  /** The current weights, synced and copied out. */
  weights(): MlpWeights {
    this.sync();
    const { inputs, hidden } = this;
    const at = this.#at;
    const w1 = new Float32Array(inputs * hidden);
    for (let i = 0; i < inputs; i++) {
      const row = at.w1 / 4 + 3 * i * this.#stride;
      w1.set(this.#f32.subarray(row, row + hidden), i * hidden);
    }
    const { classes } = this;
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
   * Room for `rows` hidden rows (with their partial sums and `dl` rows), the tables up to step
   * `t` and `pairs` (row, value) pairs; when one is short, all move to the end of a grown memory.
   */
  #reserve(rows: number, t: number, pairs: number): void {
    if (rows <= this.#zRows && t < this.#tableSteps && pairs <= this.#pairCapacity) return;
    this.#flush(); // the pending step reads dz rows and pairs that are about to move
    const C = this.classes;
    const zRows = Math.max(rows, this.#zRows);
    const tableSteps = t < this.#tableSteps ? this.#tableSteps : Math.max(1024, 2 * t);
    const pairCapacity = Math.max(pairs, this.#pairCapacity);
    const zAt = this.#end;
    const partialAt = zAt + 2 * zRows * this.#stride * 4;
    const dlAt = partialAt + zRows * this.#parts * C * 16;
    const tablesAt = dlAt + zRows * Math.ceil(C / 4) * 16;
    const pairsAt = tablesAt + tableSteps * 8;
    const bytes = pairsAt + 2 * pairCapacity * 8;
    if (bytes > this.#memory.buffer.byteLength) {
      this.#memory.grow(Math.ceil((bytes - this.#memory.buffer.byteLength) / PAGE));
      this.#f32 = new Float32Array(this.#memory.buffer);
      this.#i32 = new Int32Array(this.#memory.buffer);
    }
    this.#zAt = [zAt, zAt + zRows * this.#stride * 4];
    this.#zRows = zRows;
    this.#partialAt = partialAt;
    this.#dlAt = dlAt;
    this.#tablesAt = tablesAt;
    this.#tableSteps = tableSteps;
    this.#pairsAt = [pairsAt, pairsAt + pairCapacity * 8];
    this.#pairCapacity = pairCapacity;
    const p = this.#at.params / 4;
    this.#i32[p + PARAMS.partial / 4] = partialAt;
    this.#i32[p + PARAMS.dl / 4] = dlAt;
    this.#i32[p + PARAMS.tables / 4] = tablesAt;
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
    this.#publish(tablesAt, tableSteps * 8);
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
    const offset = index * 3 * this.#stride * 4;
    this.#kernels.row_forward(
      this.#at.w1 + offset,
      this.#m1 + offset,
      this.#v1 + offset,
      0,
      this.#stride * 4,
      this.#tablesAt,
      from + 1,
      Math.min(k, MAX_REPLAYED_STEPS),
      beta1,
      Math.sqrt(beta2),
      epsilon,
      beta1 ** k,
      beta2 ** k,
      SMALLEST_NORMAL / beta1 ** Math.min(k, MAX_REPLAYED_STEPS),
      0,
      0,
      1,
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
