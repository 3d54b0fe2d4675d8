/**
 * The sparse fast path spread over Web Workers, for batch work on several cores: each worker
 * computes on the weights in the kernel's shared memory and featurizes and predicts whole
 * batches, while the main thread reads input and writes output — or (`stage`) the main thread
 * featurizes too, straight into the shared memory, and the workers only run the kernel. Worth it from thousands of messages on; one message
 * is faster in-process (`createSparsePredictor`). A context model's pool (`context: recipe`)
 * also reads messages in their conversation, as `predictInContext` does.
 * @module
 */

import type { Message } from "../data/types.ts";
import { contextInputWidth, type ContextRecipe } from "../features/context.ts";
import type { BatchMessage, InitMessage, ReplyMessage } from "./_sparse_worker.ts";
import { shareWordRows, wordRowsFeaturizer, type WordRowsShare } from "./word_rows.ts";
import { aloneRows } from "./context.ts";
import {
  bundleMlp,
  isSparseEmbedder,
  type SparseKernel,
  type SparseModel,
  type StagedRows,
  weightsOf,
} from "./sparse.ts";

/** Options of {@linkcode createSparsePool}. */
export interface SparsePoolOptions {
  /** Worker threads. @default navigator.hardwareConcurrency */
  workers?: number;
  /** The kernel each worker uses (see `SparseMlp`). @default "auto" */
  kernel?: SparseKernel;
  /** A context model's recipe (`metadata.context.recipe`): the model then takes
   * `message ⊕ context ⊕ cues` and batches go through {@linkcode SparsePool.predictInContext}. */
  context?: ContextRecipe;
  /**
   * {@linkcode SparsePool.predict} featurizes on the calling thread, writing the features into
   * the kernel's shared memory, and the workers only compute on them: the featurizer's code is
   * then compiled and warmed up in one thread instead of in each (wasm kernel only; other
   * calls send texts as usual). @default false
   */
  stage?: boolean;
}

/** Prediction on worker threads; `close()` (or `using`) ends the workers. */
export interface SparsePool extends Disposable {
  /** Number of workers. */
  readonly size: number;
  /** Batches sent and not yet answered. */
  readonly busy: number;
  /** "starting" until every worker has built its model, then "ready" — or "failed", and every
   * call rejects with the reason. Batch callers may compute locally while it is "starting". */
  readonly state: "starting" | "ready" | "failed";
  /** Probabilities `n × classes` of `texts`, computed by the least busy worker (a context
   * model's pool reads each text alone, as `predictAlone` does); a pool started with `stage`
   * featurizes them in this thread first. */
  predict(texts: readonly string[]): Promise<Float32Array>;
  /** Whether {@linkcode predict} featurizes in this thread (`stage`, wasm kernel). */
  readonly staged: boolean;
  /**
   * For a caller about to wait for the oldest of its batches (a `stage`d pool's): while no
   * worker has finished that one, computes here the newest batch no worker has started (its
   * promise resolves) and returns true; false when there is nothing to do but wait — so
   * `while (pool.help(draining)) {}` before an await turns this thread's idle time into work.
   * Unless `draining` (no more batches will come), a batch a worker is always left for each
   * worker to go on with: taking their last ones would leave them idle while this thread
   * computes.
   */
  help(draining?: boolean): boolean;
  /**
   * Probabilities `(n - skip) × classes` of `messages[skip..]` read in their conversations, as
   * `predictInContext(bundle, messages)` gives them; the first `skip` messages are context only.
   * Needs a pool started with `context`.
   */
  predictInContext(messages: readonly Message[], skip?: number): Promise<Float32Array>;
  /** Terminates the workers; pending and later calls reject. */
  close(): void;
}

interface Slot {
  worker: Worker;
  busy: number;
  /** The word rows this worker was sent. */
  words?: WordRowsShare;
}

const ERRORS: Record<string, new (message: string) => Error> = {
  TypeError,
  RangeError,
  SyntaxError,
};

/**
 * Starts `workers` workers predicting like `createSparsePredictor(bundle)`, or returns
 * `undefined` when the bundle's embedder has no sparse form.
 * @throws {RangeError} when `workers` is not a positive integer
 * @throws {TypeError} when the model is not Dense(relu) → Dense(softmax) (see `extractMlpWeights`)
 * @example
 * ```ts
 * using pool = createSparsePool(await loadBundle("models/latest"), { workers: 2 })!;
 * const probabilities = await pool.predict(["how do I start?", "thanks!"]);
 * ```
 */
export function createSparsePool(
  bundle: SparseModel,
  options: SparsePoolOptions = {},
): SparsePool | undefined {
  const { embedder } = bundle;
  if (!isSparseEmbedder(embedder)) return undefined;
  const count = options.workers ?? navigator.hardwareConcurrency ?? 1;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(
      `Cannot start sparse pool: workers must be a positive integer, got ${count}`,
    );
  }
  // the wasm kernel's weights are shared with the workers (no copy each); the js kernel's sent.
  // This thread's instance picks the word rows every worker reads (lib/infer/word_rows.ts).
  const main = (options.kernel ?? "auto") === "auto" ? bundleMlp(bundle) : undefined;
  const staged = options.stage === true && main !== undefined;
  const weights = main ? main.share()! : weightsOf(bundle);
  const inputs = options.context ? contextInputWidth(embedder.dimension) : embedder.dimension;
  if (weights.inputs !== inputs) {
    throw new TypeError(
      `Cannot start sparse pool: the model takes ${weights.inputs} inputs, the embedder "${embedder.id}"${
        options.context ? " in context" : ""
      } gives ${inputs}`,
    );
  }
  const pending = new Map<
    number,
    { slot: Slot; resolve: (p: Float32Array | null) => void; reject: (e: Error) => void }
  >();
  /** Staged batches not yet answered by their worker, oldest first. */
  const inFlight: StagedBatch[] = [];
  let nextId = 0;
  let closed = false;
  const fail = (error: Error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  const slots: Slot[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const worker = new Worker(new URL("./_sparse_worker.ts", import.meta.url).href, {
      type: "module",
    });
    const slot = { worker, busy: 0 };
    slots.push(slot);
    ready.push(
      new Promise((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<ReplyMessage>) => {
          const reply = event.data;
          if ("ready" in reply) return resolve();
          const error = "error" in reply
            ? new (ERRORS[reply.error.name] ?? Error)(reply.error.message)
            : undefined;
          if (reply.id === null) return reject(error);
          const request = pending.get(reply.id);
          if (!request) return;
          pending.delete(reply.id);
          request.slot.busy--;
          if (error) request.reject(error);
          else request.resolve((reply as { probabilities: Float32Array | null }).probabilities);
        };
        worker.onerror = (event) => {
          event.preventDefault();
          const error = new Error(`Sparse worker failed: ${event.message}`);
          reject(error);
          fail(error);
        };
      }),
    );
    const init: InitMessage = {
      weights,
      embedder: embedder.config,
      embedderId: embedder.id,
      kernel: options.kernel ?? "auto",
      ...(options.context ? { recipe: options.context } : {}),
    };
    worker.postMessage(init);
  }
  let state: SparsePool["state"] = "starting";
  const started = Promise.all(ready);
  started.then(() => state = "ready", () => state = "failed"); // the error: on the next call
  const close = () => {
    if (closed) return;
    closed = true;
    for (const { worker } of slots) worker.terminate();
    fail(new Error("Cannot predict: the sparse pool is closed"));
  };
  let starting = 0; // batches sent before the workers were ready: busy counts them at once
  const send = async (batch: Omit<BatchMessage, "id">, words?: WordRowsShare) => {
    if (closed) throw new Error("Cannot predict: the sparse pool is closed");
    starting++;
    try {
      await started;
    } finally {
      starting--;
    }
    const slot = slots.reduce((best, s) => (s.busy < best.busy ? s : best));
    const id = nextId++;
    slot.busy++;
    // a worker is sent the word list once, with its first batch that may use it
    const news = words && slot.words !== words ? { words } : {};
    if (words) slot.words = words;
    return new Promise<Float32Array | null>((resolve, reject) => {
      pending.set(id, { slot, resolve, reject });
      slot.worker.postMessage({ id, ...batch, ...news } as BatchMessage);
    });
  };
  return {
    size: count,
    get busy() {
      return pending.size + starting;
    },
    get state() {
      return state;
    },
    staged,
    async predict(texts) {
      if (closed) throw new Error("Cannot predict: the sparse pool is closed");
      if (texts.length === 0) return new Float32Array(0);
      if (staged) {
        // as the worker would build them: each text alone (context model), word rows named
        const factored = options.context ? undefined : wordRowsFeaturizer(embedder, main, texts);
        const row = options.context
          ? aloneRows(embedder, texts, main)
          : (i: number) => (factored ? factored(texts[i]!) : embedder.featurize(texts[i]!));
        if (row) {
          const rows = main.stage(texts.length, row);
          const result = Promise.withResolvers<Float32Array>();
          const batch: StagedBatch = { rows, settled: false, ...result };
          inFlight.push(batch);
          const settle = (p: Float32Array | Error) => {
            if (batch.settled) return;
            batch.settled = true;
            if (p instanceof Error) result.reject(p);
            else result.resolve(p);
          };
          // null: this thread took the rows first (help) and settled the batch
          send({ staged: rows }).then((p) => p && settle(p), settle).finally(() => {
            // the worker is done with the area, or never will touch it (closed)
            const at = inFlight.indexOf(batch);
            if (at >= 0) inFlight.splice(at, 1);
            main.release(rows);
          });
          return await result.promise;
        }
      }
      // picked here, before any thread computes this batch: the same words whichever does
      const words = main && shareWordRows(embedder, main, texts);
      return answered(await send({ texts: texts as string[] }, words));
    },
    help(draining = false) {
      if (!staged || closed) return false;
      const waiting = inFlight.find((b) => !b.settled);
      // computed: its answer is on its way
      if (!waiting || main.stagedState(waiting.rows) === "computed") return false;
      const untaken = inFlight.filter((b) => main.stagedState(b.rows) === "staged").length;
      if (untaken <= (draining ? 0 : count)) return false;
      // the newest first: a worker takes its batches oldest first
      for (let i = inFlight.length - 1; i >= 0; i--) {
        const batch = inFlight[i]!;
        if (batch.settled || !main.takeStaged(batch.rows)) continue;
        try {
          const out = new Float32Array(batch.rows.count * weights.classes);
          main.runStaged(batch.rows, out);
          batch.settled = true;
          batch.resolve(out);
        } catch (error) {
          batch.settled = true;
          batch.reject(error as Error);
        }
        return true;
      }
      return false;
    },
    async predictInContext(messages, skip = 0) {
      if (closed) throw new Error("Cannot predict: the sparse pool is closed");
      if (!options.context) {
        throw new TypeError("Cannot predict in context: the pool was started without a recipe");
      }
      if (messages.length <= skip) return new Float32Array(0);
      return answered(await send({ messages: messages.map(essentials), skip }));
    },
    close,
    [Symbol.dispose]: close,
  };
}

/** A batch of rows this thread staged, until its worker answers. */
interface StagedBatch {
  rows: StagedRows;
  /** Whether its promise was resolved or rejected (by the worker's answer or by `help`). */
  settled: boolean;
  resolve(probabilities: Float32Array): void;
  reject(error: Error): void;
}

/** A worker's probabilities of texts or messages it was sent (only staged rows may be taken
 * by another thread, when the worker answers `null`). */
function answered(probabilities: Float32Array | null): Float32Array {
  if (!probabilities) throw new Error("Cannot predict: a worker skipped a batch of texts");
  return probabilities;
}

/** What reading a message in its conversation needs (smaller to copy to a worker). */
function essentials(m: Message): Message {
  return {
    messageId: m.messageId,
    conversationId: m.conversationId,
    channel: "",
    userName: m.userName,
    text: m.text,
    messageType: "",
    replyTo: m.replyTo,
    timestamp: m.timestamp,
    ...(m.position !== undefined ? { position: m.position } : {}),
    ...(m.mentions !== undefined ? { mentions: m.mentions } : {}),
  };
}
