/**
 * Prediction on worker threads for the server: the HTTP thread parses and answers while a
 * worker featurizes and runs the kernel, so the two use different cores. Unlike lib/infer's
 * sparse pool (batch files), it serves context models too, reading each text alone as
 * `predictProbabilities` does.
 * @module
 */

import { isSparseEmbedder } from "../infer/sparse.ts";
import { extractMlpWeights } from "../model/weights.ts";
import type { ModelBundle } from "../model/bundle.ts";
import type { ThreadBatch, ThreadInit, ThreadReply } from "./_predict_thread.ts";
import type { PredictFn } from "./classifier.ts";

/** {@linkcode PredictFn} on worker threads; `close()` (or `using`) ends them. */
export interface PredictThreads extends Disposable {
  /** Probabilities `n × classes` of `texts`, from the least busy worker. */
  predict: PredictFn;
  /** Terminates the workers; pending and later calls reject. */
  close(): void;
}

const ERRORS: Record<string, new (message: string) => Error> = {
  TypeError,
  RangeError,
  SyntaxError,
};

/**
 * Starts `workers` workers predicting like `predictProbabilities(bundle, texts)`, or returns
 * `undefined` when the model has no sparse form (a dense embedder, or not Dense → Dense).
 * @throws {RangeError} when `workers` is not a positive integer
 */
export function startPredictThreads(
  bundle: ModelBundle,
  workers: number,
): PredictThreads | undefined {
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(
      `Cannot start prediction threads: workers must be a positive integer, got ${workers}`,
    );
  }
  if (!isSparseEmbedder(bundle.embedder)) return undefined;
  let init: ThreadInit;
  try {
    init = {
      weights: extractMlpWeights(bundle.model),
      embedder: bundle.embedder.config,
      labels: bundle.labels,
      ...(bundle.metadata.context ? { context: bundle.metadata.context } : {}),
    };
  } catch {
    return undefined; // not Dense(relu) → Dense(softmax): the calling thread predicts it
  }
  type Slot = { worker: Worker; busy: number };
  const pending = new Map<
    number,
    { slot: Slot; resolve: (p: Float32Array) => void; reject: (e: Error) => void }
  >();
  let nextId = 0;
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  const slots: Slot[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < workers; i++) {
    const worker = new Worker(new URL("./_predict_thread.ts", import.meta.url).href, {
      type: "module",
    });
    const slot = { worker, busy: 0 };
    slots.push(slot);
    ready.push(
      new Promise((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<ThreadReply>) => {
          const reply = event.data;
          if ("ready" in reply) return resolve();
          const error = "error" in reply
            ? new (ERRORS[reply.error.name] ?? Error)(reply.error.message)
            : undefined;
          if (reply.id === null) {
            reject(error);
            return fail(error!);
          }
          const request = pending.get(reply.id);
          if (!request) return;
          pending.delete(reply.id);
          request.slot.busy--;
          if (error) request.reject(error);
          else request.resolve((reply as { probabilities: Float32Array }).probabilities);
        };
        worker.onerror = (event) => {
          event.preventDefault();
          const error = new Error(`Cannot predict: a prediction thread failed: ${event.message}`);
          reject(error);
          fail(error);
        };
      }),
    );
    worker.postMessage(init);
  }
  const started = Promise.all(ready);
  started.catch(() => {}); // reported by the first predict call
  const close = () => {
    if (failure) return;
    for (const { worker } of slots) worker.terminate();
    fail(new Error("Cannot predict: the prediction threads are closed"));
  };
  const predict: PredictFn = async (texts) => {
    if (failure) throw failure;
    if (texts.length === 0) return new Float32Array(0);
    await started;
    let slot = slots[0]!;
    for (const s of slots) if (s.busy < slot.busy) slot = s;
    const id = nextId++;
    slot.busy++;
    return await new Promise<Float32Array>((resolve, reject) => {
      pending.set(id, { slot, resolve, reject });
      slot.worker.postMessage({ id, texts: texts as string[] } satisfies ThreadBatch);
    });
  };
  return { predict, close, [Symbol.dispose]: close };
}
