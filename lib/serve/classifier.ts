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

/** Options of {@linkcode createMicroBatcher}. */
export interface MicroBatcherOptions {
  /** Most texts merged into one model call. @default 256 */
  maxTexts?: number;
}

/**
 * Wraps `predict` so that calls made in the same turn of the event loop share one model call.
 * Each caller still gets only its own rows; a failing batch rejects every caller in it.
 */
export function createMicroBatcher(
  predict: PredictFn,
  width: number,
  options: MicroBatcherOptions = {},
): PredictFn {
  const maxTexts = options.maxTexts ?? 256;
  type Job = {
    texts: readonly string[];
    resolve: (rows: Float32Array) => void;
    reject: (error: unknown) => void;
  };
  let queue: Job[] = [];
  let queued = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function flush() {
    timer = undefined;
    const jobs = queue;
    queue = [];
    queued = 0;
    try {
      const all = await predict(jobs.flatMap((job) => job.texts));
      let offset = 0;
      for (const job of jobs) {
        const size = job.texts.length * width;
        job.resolve(all.slice(offset, offset + size));
        offset += size;
      }
    } catch (error) {
      for (const job of jobs) job.reject(error);
    }
  }

  return (texts) =>
    new Promise<Float32Array>((resolve, reject) => {
      if (queued + texts.length > maxTexts && queue.length > 0) {
        clearTimeout(timer);
        void flush();
      }
      queue.push({ texts, resolve, reject });
      queued += texts.length;
      timer ??= setTimeout(flush, 0);
    });
}
