/**
 * The built-in offline generator: seeded Discord channel streams of a data-careers community,
 * written to read like people and to have real chat's structure.
 *
 * Design, in one paragraph: a stream window of one channel (`conversationId`, e.g.
 * `sql-help-000123`) holds several threads that start at different times and interleave
 * (`_simulate.ts`); help threads come from a library of short conversations written for the
 * server, where every answer fits its question (`_scripts.ts`), and side talk from the same
 * library and the comment templates (`_parts.ts`); every line is then typed in its author's
 * style — casing, "?" habits, abbreviations, typos, emoji (`_language.ts`). Each message carries
 * its truth: `threadId`, and for an answer the question it `answers`.
 *
 * @module
 */

import type { Message } from "../types.ts";
import {
  type AnswerStyle,
  type CasualStyle,
  DEFAULT_ANSWERS,
  DEFAULT_CASUAL,
  type HangoutMode,
  simulateWindow,
} from "./_simulate.ts";
import { CHANNELS, type ClassMix, DEFAULT_MIX } from "./channels.ts";

export type { AnswerStyle, CasualStyle, HangoutMode };
export { DEFAULT_ANSWERS, DEFAULT_CASUAL };

export { CHANNELS, type ClassMix, DEFAULT_MIX };
export { templateSlots } from "./_language.ts";

/** Options of {@linkcode generateBuiltin}. */
export interface BuiltinGenerateOptions {
  /** Number of stream windows (conversations), about 20 messages each. @default 1200 */
  conversations?: number;
  /** Seed of every random choice. @default 42 */
  seed?: number;
  /** Target class mix. @default DEFAULT_MIX (15% question, 15% answer, 70% comment) */
  mix?: ClassMix;
  /** Number of the first window, so a caller can continue an earlier run's ids. @default 0 */
  startIndex?: number;
  /**
   * Also write two-person exchanges among the side talk: statements met by backchannel
   * ("yeah", "right", "oh really?" — comments) and personal yes/no questions answered by a bare
   * or short "yeah" / "no" (answers). Off by default: on the previous generator's output it
   * scored lower (bench/QUALITY_LOG.md, round 6).
   * @default false
   */
  exchanges?: boolean;
  /**
   * Also write talk outside the help threads: the #introductions and #off-topic channels, and
   * in #general and elsewhere personal questions ("anyone here from ohio", "do u have kids",
   * "how long have you been studying") answered by short facts or "yeah" / "nah" with one,
   * introductions and their welcomes, news and mood with reactions (bench/QUALITY_LOG.md,
   * round 7). `"questions"`: only the personal question threads, no introductions and no
   * news/mood side talk; `"channels"`: all of it, but only in #introductions and #off-topic
   * (round 8); `"extra"`: every 7th window is a window of #introductions, #off-topic or #general
   * with all of it, the others have none, so the talk comes on top of the help talk (round 9).
   * @default false
   */
  hangout?: HangoutMode;
  /**
   * How help answers are written: `"plain"`, one line of the conversation library now and then
   * opened or closed by a few words; `"framed"`, 40% of them also framed as advice ("you can
   * …", "had the same issue last week, …"), with a closing sentence ("that should fix it") or a
   * second option ("… also …"), and some sent as two messages; `"framed-replies"`, also 40% of
   * the thanks, reports and reactions around help answers in longer forms ("thanks, that worked!
   * i didn't know you could do that") (bench/QUALITY_LOG.md, round 9).
   * The default since round 9 is `"framed-replies"`; `"plain"` writes what earlier versions wrote.
   * @default DEFAULT_ANSWERS ("framed-replies")
   */
  answers?: AnswerStyle;
  /**
   * How casual questions ("where r u based", "when is the meetup", "can someone review my
   * resume") are answered: `"pooled"`, by any line of the question kind's pools, technical fixes
   * included; `"paired"`, by a reply that fits the question (a place, a day and time, an offer;
   * "what is {concept}" explains that concept) or an "idk"; `"paired-help"`, as `"paired"` but
   * casual questions that ask for technical help mostly get a help line. Both paired styles
   * scored lower on the LLM-written chat than `"pooled"` (bench/QUALITY_LOG.md, round 10).
   * @default DEFAULT_CASUAL ("pooled")
   */
  casual?: CasualStyle;
}

/** Default number of stream windows: about 25k messages, as many as the earlier default. */
export const DEFAULT_CONVERSATIONS = 1200;

/**
 * Generates labelled channel streams; the same options always give the same messages.
 *
 * @throws {RangeError} when `conversations` or `startIndex` is not a non-negative integer, or the
 * mix is not usable (negative, all zero, or answers without questions).
 * @example
 * ```ts
 * const messages = generateBuiltin({ conversations: 10, seed: 7 });
 * console.log(messages[0]!.text, messages[0]!.messageType);
 * ```
 */
export function generateBuiltin(options: BuiltinGenerateOptions = {}): Message[] {
  const out: Message[] = [];
  for (const window of generateWindows(options)) out.push(...window);
  return out;
}

/**
 * Yields the same messages as {@linkcode generateBuiltin}, one stream window at a time, so a
 * caller can write large outputs in pieces and stop between windows.
 * @throws {RangeError} as {@linkcode generateBuiltin}, before the first window.
 */
export function generateWindows(options: BuiltinGenerateOptions = {}): Generator<Message[]> {
  const conversations = options.conversations ?? DEFAULT_CONVERSATIONS;
  const startIndex = options.startIndex ?? 0;
  const seed = options.seed ?? 42;
  for (const [name, value] of [["conversations", conversations], ["startIndex", startIndex]]) {
    if (!Number.isInteger(value) || (value as number) < 0) {
      throw new RangeError(
        `Cannot generate conversations: ${name} must be a non-negative integer, got ${value}`,
      );
    }
  }
  const mix = normaliseMix(options.mix ?? DEFAULT_MIX);
  return (function* () {
    const exchanges = options.exchanges ?? false;
    const hangout = options.hangout ?? false;
    const answers = options.answers ?? DEFAULT_ANSWERS;
    const casual = options.casual ?? DEFAULT_CASUAL;
    for (let i = 0; i < conversations; i++) {
      yield simulateWindow(startIndex + i, { seed, mix, exchanges, hangout, answers, casual });
    }
  })();
}

function normaliseMix(mix: ClassMix): ClassMix {
  const values = [mix.question, mix.answer, mix.comment];
  const total = values.reduce((a, b) => a + b, 0);
  if (values.some((v) => !Number.isFinite(v) || v < 0) || !(total > 0)) {
    throw new RangeError(
      `Cannot use class mix ${
        JSON.stringify(mix)
      }: shares must be non-negative with a positive sum`,
    );
  }
  if (mix.answer > 0 && mix.question === 0) {
    throw new RangeError(
      `Cannot use class mix ${JSON.stringify(mix)}: answers need questions to reply to`,
    );
  }
  return {
    question: mix.question / total,
    answer: mix.answer / total,
    comment: mix.comment / total,
  };
}
