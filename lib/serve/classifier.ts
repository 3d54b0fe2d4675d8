/**
 * Turning model probabilities into API answers, and an optional micro-batcher that merges the
 * texts of concurrent requests into one model call.
 * @module
 */

import { type Label, LABELS } from "../data/types.ts";

/** The label given when the top probability is below the request's threshold. */
export const UNSURE = "unsure";

/** One classified text as the API returns it. */
export interface ClassifyResult {
  label: Label | typeof UNSURE;
  /** Keyed by label; sums to 1 (up to rounding). */
  probabilities: Record<Label, number>;
  /** The probabilities in {@linkcode LABELS} order: the original service's `result`. */
  result: number[];
}

/** Computes `n × labels.length` probabilities for `texts`. */
export type PredictFn = (texts: readonly string[]) => Promise<Float32Array>;

/** Rounds to 6 decimals: float32 noise such as 0.9300000071525574 helps nobody. */
function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * Reads row `row` of `probabilities` (columns in `labels` order) as a {@linkcode ClassifyResult}.
 * @param threshold below it the label is {@linkcode UNSURE}; 0 never is
 */
export function toResult(
  probabilities: Float32Array,
  row: number,
  labels: readonly Label[],
  threshold = 0,
): ClassifyResult {
  const byLabel = {} as Record<Label, number>;
  let best = 0;
  for (let j = 0; j < labels.length; j++) {
    const p = probabilities[row * labels.length + j]!;
    byLabel[labels[j]!] = p;
    if (p > probabilities[row * labels.length + best]!) best = j;
  }
  const top = byLabel[labels[best]!];
  return {
    // Compare what the client sees: float32 0.7 is 0.69999998…
    label: round6(top) >= threshold ? labels[best]! : UNSURE,
    probabilities: {
      question: round6(byLabel.question),
      answer: round6(byLabel.answer),
      comment: round6(byLabel.comment),
    },
    result: LABELS.map((label) => round6(byLabel[label])),
  };
}

/** A number as JSON writes it (`null` for NaN and infinities). */
function jsonNumber(x: number): string {
  return Number.isFinite(x) ? String(x) : "null";
}

/**
 * `JSON.stringify(toResult(probabilities, row, labels, threshold))`, built without the objects:
 * the hot path writes one of these per request.
 */
export function toResultJson(
  probabilities: Float32Array,
  row: number,
  labels: readonly Label[],
  threshold = 0,
): string {
  const at = row * labels.length;
  let best = 0;
  for (let j = 1; j < labels.length; j++) {
    if (probabilities[at + j]! > probabilities[at + best]!) best = j;
  }
  const of = (label: Label) => {
    const j = labels.indexOf(label);
    return jsonNumber(round6(j < 0 ? NaN : probabilities[at + j]!));
  };
  const label = round6(probabilities[at + best]!) >= threshold ? labels[best]! : UNSURE;
  return `{"label":${JSON.stringify(label)},"probabilities":{"question":${of("question")},` +
    `"answer":${of("answer")},"comment":${of("comment")}},"result":[${LABELS.map(of).join(",")}]}`;
}

/** Options of {@linkcode createMicroBatcher}. */
export interface MicroBatcherOptions {
  /** Most texts merged into one model call. @default 256 */
  maxTexts?: number;
  /**
   * Most model calls running at once. While they run, new calls wait and merge into one batch
   * that starts when one ends: on a worker thread, the batch then holds everything that
   * arrived meanwhile (fewer, larger kernel calls: ~32 µs a message at 64 texts a call against
   * ~75 µs alone, for the default model). @default Infinity
   */
  maxInFlight?: number;
}

/**
 * Wraps `predict` so that calls made in the same turn of the event loop (or, with
 * `maxInFlight`, while earlier batches run) share one model call. Each caller still gets only
 * its own rows; a failing batch rejects every caller in it.
 */
export function createMicroBatcher(
  predict: PredictFn,
  width: number,
  options: MicroBatcherOptions = {},
): PredictFn {
  const maxTexts = options.maxTexts ?? 256;
  const maxInFlight = options.maxInFlight ?? Infinity;
  type Job = {
    texts: readonly string[];
    resolve: (rows: Float32Array) => void;
    reject: (error: unknown) => void;
  };
  let queue: Job[] = [];
  let queued = 0;
  let running = 0;

  // A batch starts once the microtasks queued before it have run — the other requests that
  // arrived in the same event-loop turn — not after a timer: setTimeout(0) waits 1–2.5 ms here,
  // idle time that capped 64 connections at one batch per timer.
  let scheduled = false;
  let callsSinceScheduled = 0;
  let requeued = 0;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    callsSinceScheduled = 0;
    requeued = 0;
    queueMicrotask(whenSettled);
  };
  function whenSettled() {
    // Requests that arrived together reach the batcher a few promise hops apart: wait a few
    // hops, and longer while calls keep coming (bounded: a batch never waits on the next turn).
    if (requeued < 4 || callsSinceScheduled > 0 && requeued < 16) {
      callsSinceScheduled = 0;
      requeued++;
      queueMicrotask(whenSettled);
      return;
    }
    scheduled = false;
    void flush();
  }

  /** Starts one model call on the oldest queued jobs (at most `maxTexts` texts, one job more
   * when alone), if a call may start. */
  async function flush() {
    if (queue.length === 0 || running >= maxInFlight) return;
    let take = 0;
    let texts = 0;
    while (take < queue.length && (take === 0 || texts + queue[take]!.texts.length <= maxTexts)) {
      texts += queue[take]!.texts.length;
      take++;
    }
    const jobs = take === queue.length ? queue : queue.slice(0, take);
    queue = take === queue.length ? [] : queue.slice(take);
    queued -= texts;
    if (queue.length > 0) schedule();
    running++;
    try {
      const all = await predict(
        jobs.length === 1 ? jobs[0]!.texts : jobs.flatMap((job) => job.texts),
      );
      let offset = 0;
      for (const job of jobs) {
        const size = job.texts.length * width;
        job.resolve(jobs.length === 1 ? all : all.subarray(offset, offset + size));
        offset += size;
      }
    } catch (error) {
      for (const job of jobs) job.reject(error);
    } finally {
      running--;
      if (queue.length > 0) void flush();
    }
  }

  return (texts) =>
    new Promise<Float32Array>((resolve, reject) => {
      queue.push({ texts, resolve, reject });
      queued += texts.length;
      callsSinceScheduled++;
      if (queued >= maxTexts) void flush();
      else schedule();
    });
}
