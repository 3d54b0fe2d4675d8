/**
 * The classifier the report uses. A context model (trained with a context recipe) reads each
 * message with its conversation through `predictInContext`; batches overlap by a few messages so
 * a message at the start of a batch still sees what it follows. A message-only model runs on its
 * fastest route (sparse, with worker threads), with one piece of context it cannot see itself —
 * what the message follows — added by {@linkcode withAnswerContext}.
 *
 * Context rule for message-only models: right after a likely question by someone else (or replying to one), an answer is
 * far more likely than the model's base rate says, so the answer odds of such a message are
 * multiplied by `answerOdds` (a prior shift, the rest renormalised). On generated exports the
 * message-only model called 31 of 310 answers comments, almost all right after their question
 * with p(answer) ≥ 0.05, while true comments there sat below 0.05.
 * @module
 */

import type { ChatMessage } from "../data/discord/types.ts";
import { LABELS } from "../data/types.ts";
import type { ModelBundle } from "../model/bundle.ts";
import type { WeightsBundle } from "../model/bundle_files.ts";
import { createBatchPredictor } from "../infer/classify_file.ts";
import { predictInContext } from "../infer/context.ts";
import { createSparsePool, type SparsePool } from "../infer/sparse_pool.ts";
import type { MessageClassifier } from "./build.ts";
import { RecentMap } from "./_recent_map.ts";

/** Options of {@linkcode createMessageClassifier}. */
export interface MessageClassifierOptions {
  /** Worker threads besides this one (sparse models only; a context model on workers leaves
   * this thread only reading and linking). @default 0 */
  workers?: number;
  /** Factor on the answer odds of a message that follows or replies to a likely question by
   * someone else (message-only models); 1 turns the context rule off. @default 20 */
  answerOdds?: number;
  /** Messages of the previous batch a context model re-reads as context. @default 16 */
  overlap?: number;
}

const ANSWER = LABELS.indexOf("answer");
const QUESTION = LABELS.indexOf("question");

/** A {@linkcode MessageClassifier} from a model bundle; `close()` ends its workers. */
export function createMessageClassifier(
  bundle: ModelBundle | WeightsBundle,
  options: MessageClassifierOptions = {},
): MessageClassifier & { close(): void; mode: "context" | "message"; threads: ThreadStarts } {
  const recipe = bundle.metadata.context?.recipe;
  if (recipe) {
    const pool = (options.workers ?? 0) > 0
      ? createSparsePool(bundle, { workers: options.workers, context: recipe })
      : undefined;
    const threads: ThreadStarts = { firsts: 0, withStarter: 0 };
    return Object.assign(withOverlap(bundle, options.overlap ?? 16, pool, threads), {
      close: () => pool?.close(),
      threads,
      mode: "context" as const,
    });
  }
  const predict = createBatchPredictor(bundle, { workers: options.workers ?? 0 });
  const inContext = withAnswerContext(
    (messages) => predict(messages.map((m) => m.text)),
    options.answerOdds ?? 20,
  );
  return Object.assign(inContext, {
    close: () => predict.close(),
    mode: "message" as const,
    threads: { firsts: 0, withStarter: 0 },
  });
}

/** Threads whose first message a context model read, and how many of them it read after a copy
 * of their starter (a message-only model reads none this way). */
export interface ThreadStarts {
  /** Threads whose first message was read. */
  firsts: number;
  /** Of those, the ones read with their starter as context. */
  withStarter: number;
}

/**
 * The copy of a thread's starter message read just before the thread's first message, as its
 * context only (its id marked so it is never taken for a message of the thread).
 */
export function starterCopy(starter: ChatMessage, threadId: string): ChatMessage {
  return {
    ...starter,
    messageId: `${starter.messageId}:starter`,
    conversationId: threadId,
    thread: true,
    startsThread: false,
  };
}

/**
 * `predictInContext` on each batch, with the previous batch's last messages as its context: on
 * this thread in order, or on the pool's workers (the same result, batches in parallel).
 *
 * A Discord thread is its own conversation, so its first reply would be read with no context —
 * though it answers the message the thread was started from, in the parent channel ("read it
 * in chunks" looks like a comment on its own). The thread's first message is given a copy of
 * that starter just before it, as context only. The reader marks starters (`startsThread`) and
 * reads each thread right after its parent channel, so only the starters of threads not read
 * yet are kept (one per thread at most), and none is forgotten however long the channel.
 */
function withOverlap(
  bundle: ModelBundle | WeightsBundle,
  overlap: number,
  pool: SparsePool | undefined,
  threads: ThreadStarts,
): MessageClassifier {
  let tail: ChatMessage[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  const starters = new Map<string, ChatMessage>();
  let previous = ""; // conversation of the message before (a thread's messages come together)
  return (messages: readonly ChatMessage[]) => {
    const withTail = [...tail];
    const skip = withTail.length;
    /** Where each message of the batch is in `withTail`, minus `skip`. */
    const rows: number[] = [];
    for (const m of messages) {
      if (m.thread && m.conversationId !== previous) {
        threads.firsts++;
        const starter = starters.get(m.conversationId);
        if (starter) {
          starters.delete(m.conversationId);
          threads.withStarter++;
          withTail.push(starterCopy(starter, m.conversationId));
        }
      }
      previous = m.conversationId;
      rows.push(withTail.length - skip);
      withTail.push(m);
      if (m.startsThread) starters.set(m.messageId, m);
    }
    tail = overlap > 0 ? withTail.slice(-overlap) : [];
    const pick = (p: Float32Array) => {
      if (rows.length * LABELS.length === p.length) return p;
      const out = new Float32Array(rows.length * LABELS.length);
      rows.forEach((r, i) =>
        out.set(p.subarray(r * LABELS.length, (r + 1) * LABELS.length), i * LABELS.length)
      );
      return out;
    };
    if (pool) return pool.predictInContext(withTail, skip).then(pick);
    const run = queue.then(async () => {
      const p = await predictInContext(bundle, withTail);
      return pick(p.slice(skip * LABELS.length));
    });
    queue = run.catch(() => {});
    return run;
  };
}

/**
 * Wraps a message-only classifier with the context rule above. It remembers, per conversation,
 * the last message's author and question probability, and the question probability of recent
 * messages by id (for replies), so batches may cut conversations anywhere.
 */
export function withAnswerContext(
  base: MessageClassifier,
  answerOdds: number,
  span = 3,
): MessageClassifier {
  // per conversation: the latest likely question and how many messages came since
  const last = new Map<string, { author: string; pQuestion: number; since: number }>();
  const recent = new RecentMap<{ author: string; pQuestion: number }>(50_000);
  // Batches may be predicted concurrently (worker threads); the context is applied in order.
  let tail: Promise<unknown> = Promise.resolve();
  const adjust = (messages: readonly ChatMessage[], probabilities: Float32Array) => {
    const p = Float32Array.from(probabilities);
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const row = p.subarray(i * 3, i * 3 + 3);
      const before = last.get(m.conversationId);
      const near = before !== undefined && before.since < span ? before : undefined;
      const replied = m.replyTo ? recent.get(m.replyTo) : undefined;
      const follows = (x: { author: string; pQuestion: number } | undefined) =>
        x !== undefined && x.author !== m.userName && x.pQuestion >= 0.5;
      if (answerOdds !== 1 && (follows(near) || follows(replied))) {
        row[ANSWER]! *= answerOdds;
        const sum = row[0]! + row[1]! + row[2]!;
        for (let c = 0; c < 3; c++) row[c]! /= sum;
      }
      const seen = { author: m.userName, pQuestion: row[QUESTION]! };
      if (seen.pQuestion >= 0.5) last.set(m.conversationId, { ...seen, since: 0 });
      else if (before) before.since++;
      // Replies usually point a few hundred messages back at most: keep memory bounded.
      recent.set(m.messageId, seen);
    }
    return p;
  };
  return (messages: readonly ChatMessage[]) => {
    const predicted = Promise.resolve(base(messages));
    const result = tail.then(async () => adjust(messages, await predicted));
    tail = result.catch(() => {});
    return result;
  };
}
