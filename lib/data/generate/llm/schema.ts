/**
 * The structured output asked of a chat model, its validation, and its mapping to
 * {@linkcode Message} rows with stable ids and seeded timestamps.
 * @module
 */

import { z } from "zod";
import { createPrng, mixSeed, pickWeighted } from "../../random.ts";
import type { Message } from "../../types.ts";

/** Message types a model may answer with (the labels, in prompt order). */
export const MESSAGE_TYPES = ["question", "answer", "comment"] as const;

/**
 * Schema sent to the model (via `withStructuredOutput`). It holds only types and descriptions:
 * length limits and index checks live in {@linkcode validateConversation}, because strict JSON
 * schema modes of some providers reject keywords such as `minItems`.
 */
export const conversationSchema = z.object({
  messages: z.array(
    z.object({
      user_name: z.string().describe("Discord handle of the speaker, as given in the request"),
      message: z.string().describe("The message text exactly as typed"),
      message_type: z.enum(MESSAGE_TYPES).describe("question, answer or comment"),
      reply_to: z.number().int().nullable().describe(
        "0-based index of an earlier message this one uses Discord's reply button on, or null " +
          "(most messages, including most answers, have null)",
      ),
      answers: z.number().int().nullable().optional().describe(
        "For an answer: 0-based index of the earlier question it answers; null otherwise",
      ),
      thread: z.number().int().nullable().optional().describe(
        "Which of the interleaved threads (1, 2, 3, …) the message belongs to",
      ),
    }),
  ).describe("The channel stream, in chat order, threads interleaved"),
});

/** A conversation as the model returns it. */
export type LlmConversation = z.infer<typeof conversationSchema>;

/** Limits of {@linkcode validateConversation}. */
export interface ValidateOptions {
  /** @default 2 */
  minMessages?: number;
  /** @default 80 */
  maxMessages?: number;
  /** Longest accepted message, in characters. @default 2000 */
  maxMessageLength?: number;
  /** Longest accepted user name, in characters. @default 40 */
  maxUserNameLength?: number;
}

/** What {@linkcode validateConversation} returns. */
export type Validation =
  | { ok: true; conversation: LlmConversation }
  | { ok: false; reason: string };

/**
 * Checks model output against {@linkcode conversationSchema} and the rules the schema cannot say:
 * message count, non-empty text, lengths, and `reply_to` pointing at an earlier message.
 * Always call it: LangChain's fake models (and some parsers) only JSON-parse.
 */
export function validateConversation(value: unknown, options: ValidateOptions = {}): Validation {
  const minMessages = options.minMessages ?? 2;
  const maxMessages = options.maxMessages ?? 80;
  const maxMessageLength = options.maxMessageLength ?? 2000;
  const maxUserNameLength = options.maxUserNameLength ?? 40;
  const parsed = conversationSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "output";
    return { ok: false, reason: `schema: ${where}: ${issue?.message ?? "invalid"}` };
  }
  const { messages } = parsed.data;
  if (messages.length < minMessages || messages.length > maxMessages) {
    return {
      ok: false,
      reason: `length: ${messages.length} messages, expected ${minMessages}-${maxMessages}`,
    };
  }
  for (const [i, m] of messages.entries()) {
    const name = m.user_name.trim();
    const text = m.message.trim();
    if (name === "" || name.length > maxUserNameLength) {
      return { ok: false, reason: `user_name: messages.${i} has ${JSON.stringify(m.user_name)}` };
    }
    if (text === "") return { ok: false, reason: `message: messages.${i} is empty` };
    if (text.length > maxMessageLength) {
      return { ok: false, reason: `message: messages.${i} has ${text.length} characters` };
    }
    if (m.reply_to !== null && (m.reply_to < 0 || m.reply_to >= i)) {
      return {
        ok: false,
        reason: `reply_to: messages.${i} points at ${m.reply_to}, not an earlier message`,
      };
    }
    const answers = m.answers ?? null;
    if (answers !== null) {
      if (m.message_type !== "answer") {
        return {
          ok: false,
          reason: `answers: messages.${i} is a ${m.message_type}, not an answer`,
        };
      }
      if (answers < 0 || answers >= i || messages[answers]!.message_type !== "question") {
        return {
          ok: false,
          reason: `answers: messages.${i} points at ${answers}, not an earlier question`,
        };
      }
    }
  }
  return { ok: true, conversation: parsed.data };
}

/** Formats a conversation id: `llm-000042`. */
export function conversationId(index: number): string {
  return `llm-${String(index).padStart(6, "0")}`;
}

/** Formats a message id: `<conversation id>-<sequence, 3 digits, from 000>`. */
export function messageId(conversation: string, sequence: number): string {
  return `${conversation}-${String(sequence).padStart(3, "0")}`;
}

/** Options of {@linkcode toMessages}. */
export interface ToMessagesOptions {
  /** Seed of the timestamps (mixed with the conversation index). @default 42 */
  seed?: number;
  /** Earliest conversation start, ISO 8601. @default "2024-01-01T00:00:00Z" */
  start?: string;
  /** Conversations start within this many days after `start`. @default 365 */
  spanDays?: number;
}

/**
 * Turns a validated conversation into rows: ids `llm-000042-000`…, `reply_to` indices mapped to
 * message ids, and timestamps that are plausible and strictly increasing, seeded by
 * `(seed, index)` so a resumed run gives the same times for the same conversation index.
 */
export function toMessages(
  conversation: LlmConversation,
  index: number,
  channel: string,
  options: ToMessagesOptions = {},
): Message[] {
  const prng = createPrng(mixSeed(options.seed ?? 42, index));
  const startMs = Date.parse(options.start ?? "2024-01-01T00:00:00Z");
  const spanMs = (options.spanDays ?? 365) * 86_400_000;
  let time = startMs + Math.floor(prng() * spanMs / 1000) * 1000;
  const id = conversationId(index);
  const messages = conversation.messages;
  return messages.map((m, i) => {
    if (i > 0) time += gapSeconds(prng) * 1000;
    const answered = m.message_type === "answer" ? answeredQuestion(messages, i) : null;
    const text = m.message.trim().replace(/\r\n?/g, "\n");
    const mentions = messages.slice(0, i)
      .map((earlier) => earlier.user_name.trim())
      .filter((name, k, all) => all.indexOf(name) === k && text.includes(`@${name}`));
    return {
      messageId: messageId(id, i),
      conversationId: id,
      channel,
      userName: m.user_name.trim(),
      text,
      messageType: m.message_type,
      replyTo: m.reply_to === null ? null : messageId(id, m.reply_to),
      timestamp: new Date(time).toISOString(),
      position: i,
      ...(mentions.length > 0 ? { mentions } : {}),
      ...(m.thread != null ? { threadId: `${id}-t${String(m.thread).padStart(2, "0")}` } : {}),
      ...(answered !== null ? { answers: messageId(id, answered) } : {}),
    };
  });
}

/**
 * The question answer `i` answers: the model's `answers` when given; else its reply target when
 * that is a question; else the nearest earlier question by someone else (older output).
 */
function answeredQuestion(messages: LlmConversation["messages"], i: number): number | null {
  const m = messages[i]!;
  if (m.answers != null) return m.answers;
  if (m.reply_to !== null && messages[m.reply_to]?.message_type === "question") return m.reply_to;
  for (let k = i - 1; k >= 0; k--) {
    const q = messages[k]!;
    if (q.message_type === "question" && q.user_name.trim() !== m.user_name.trim()) return k;
  }
  return null;
}

/** Seconds between two chat messages: mostly quick replies, sometimes a long pause. */
function gapSeconds(prng: () => number): number {
  const kind = pickWeighted({ burst: 0.45, normal: 0.4, pause: 0.15 }, prng);
  const [low, high] = kind === "burst" ? [2, 40] : kind === "normal" ? [40, 600] : [600, 7200];
  return low + Math.floor(prng() * (high - low));
}

export { mixSeed };
