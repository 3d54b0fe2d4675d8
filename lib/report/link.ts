/**
 * Links answers to the questions they answer, message by message in time order, keeping only
 * the open questions of each conversation in memory. The rules, first match wins:
 *
 * 1. `reply` — the answer replies (Discord reference) to a question by someone else;
 * 2. `thread` — the answer is in a thread started from a question (thread id = question id);
 * 3. `mention` — the answer @mentions the author of an open question;
 * 4. `name` — the answer names the author of an open question (display name as a word);
 * 5. `nearest` — the latest open question in the conversation by someone else, within the window.
 *
 * Only messages labelled "answer" link; a reply labelled comment ("+1, mine does that too")
 * answers nothing.
 * @module
 */

import type { Label } from "../data/types.ts";
import type { ChatMessage } from "../data/discord/types.ts";

/** Why an answer was linked to its question. */
export type LinkReason = "reply" | "thread" | "mention" | "name" | "nearest";

/** Every {@linkcode LinkReason}, in rule order. */
export const LINK_REASONS: readonly LinkReason[] = [
  "reply",
  "thread",
  "mention",
  "name",
  "nearest",
];

/** A question as the linker tracks it. */
export interface QuestionRecord {
  id: string;
  channel: string;
  channelId: string;
  guildId: string;
  conversationId: string;
  author: string;
  displayName: string;
  timestamp: string;
  /** Milliseconds since the epoch, NaN when the source has no time. */
  time: number;
  text: string;
  /** The model's probability of "question". */
  confidence: number;
  answers: number;
  firstAnswerId: string | null;
  firstAnswerAuthor: string | null;
  /** Seconds from the question to its first linked answer. */
  secondsToFirstAnswer: number | null;
  linkedBy: LinkReason | null;
}

/** A message with the model's label, ready for linking. */
export interface LabelledMessage {
  message: ChatMessage;
  label: Label;
  /** The model's probability of `label`. */
  confidence: number;
}

/** One link the linker made. */
export interface AnswerLink {
  answerId: string;
  answerAuthor: string;
  questionId: string;
  reason: LinkReason;
}

/** Options of {@linkcode Linker}. */
export interface LinkerOptions {
  /** How long a question stays open for the mention, name and nearest rules. @default 6 hours */
  windowSeconds?: number;
}

interface PendingThreadAnswer {
  answerId: string;
  author: string;
  time: number;
}

/**
 * Streams labelled messages through the linking rules; questions are kept (for the report),
 * other messages are not.
 * @example
 * ```ts
 * const linker = new Linker();
 * for (const m of labelled) linker.add(m);
 * linker.finish();
 * linker.questions; // every question with firstAnswerId, linkedBy, …
 * ```
 */
export class Linker {
  /** Every question seen, in reading order. */
  readonly questions: QuestionRecord[] = [];
  /** Answers linked to a question, in reading order. */
  readonly links: AnswerLink[] = [];
  readonly #byId = new Map<string, QuestionRecord>();
  readonly #open = new Map<string, QuestionRecord[]>();
  /** Thread answers whose starter question was not read yet (it is in another file). */
  readonly #threadAnswers = new Map<string, PendingThreadAnswer>();
  readonly #windowMs: number;

  constructor(options: LinkerOptions = {}) {
    this.#windowMs = (options.windowSeconds ?? 6 * 3600) * 1000;
  }

  /** Feeds the next message (messages of one conversation must come in time order). */
  add(item: LabelledMessage): void {
    const m = item.message;
    const time = m.timestamp ? Date.parse(m.timestamp) : NaN;
    const open = this.#openIn(m.conversationId, time);
    if (item.label === "question") {
      const q: QuestionRecord = {
        id: m.messageId,
        channel: m.channel,
        channelId: m.channelId,
        guildId: m.guildId,
        conversationId: m.conversationId,
        author: m.userName,
        displayName: m.displayName,
        timestamp: m.timestamp,
        time,
        text: m.text,
        confidence: item.confidence,
        answers: 0,
        firstAnswerId: null,
        firstAnswerAuthor: null,
        secondsToFirstAnswer: null,
        linkedBy: null,
      };
      this.questions.push(q);
      this.#byId.set(q.id, q);
      open.push(q);
      return;
    }
    if (item.label !== "answer") return;
    const { question, reason } = this.#find(m, open, time);
    if (question && reason) this.#link(question, m.messageId, m.userName, time, reason);
  }

  /** Resolves thread answers whose starter question came later in the input. */
  finish(): void {
    for (const [threadId, pending] of this.#threadAnswers) {
      const q = this.#byId.get(threadId);
      if (q && q.author !== pending.author) {
        this.#link(q, pending.answerId, pending.author, pending.time, "thread");
      }
    }
    this.#threadAnswers.clear();
    this.#open.clear();
  }

  #find(
    m: ChatMessage,
    open: QuestionRecord[],
    time: number,
  ): { question?: QuestionRecord; reason?: LinkReason } {
    const author = m.userName;
    if (m.replyTo) {
      const q = this.#byId.get(m.replyTo);
      if (q && q.author !== author) return { question: q, reason: "reply" };
    }
    if (m.thread) {
      const q = this.#byId.get(m.conversationId);
      if (q) {
        if (q.author !== author) return { question: q, reason: "thread" };
      } else if (!this.#threadAnswers.has(m.conversationId)) {
        this.#threadAnswers.set(m.conversationId, { answerId: m.messageId, author, time });
      }
    }
    const others = open.filter((q) => q.author !== author);
    if (others.length === 0) return {};
    const mentioned = new Set((m.mentions ?? []).map((n) => n.toLowerCase()));
    const lower = m.text.toLowerCase();
    for (let i = others.length - 1; i >= 0; i--) {
      const q = others[i]!;
      const names = [q.author.toLowerCase(), q.displayName.toLowerCase()];
      if (names.some((n) => mentioned.has(n) || (n && lower.includes("@" + n)))) {
        return { question: q, reason: "mention" };
      }
    }
    for (let i = others.length - 1; i >= 0; i--) {
      const q = others[i]!;
      if (namesWord(lower, q.displayName.toLowerCase())) return { question: q, reason: "name" };
    }
    return { question: others.at(-1)!, reason: "nearest" };
  }

  #link(q: QuestionRecord, answerId: string, author: string, time: number, reason: LinkReason) {
    q.answers++;
    this.links.push({ answerId, answerAuthor: author, questionId: q.id, reason });
    const seconds = Number.isFinite(time) && Number.isFinite(q.time)
      ? Math.max(0, (time - q.time) / 1000)
      : null;
    const earlier = q.firstAnswerId === null ||
      (seconds !== null && q.secondsToFirstAnswer !== null && seconds < q.secondsToFirstAnswer);
    if (earlier) {
      q.firstAnswerId = answerId;
      q.firstAnswerAuthor = author;
      q.secondsToFirstAnswer = seconds;
      q.linkedBy = reason;
    }
  }

  /** The conversation's open questions, with those older than the window dropped. */
  #openIn(conversationId: string, time: number): QuestionRecord[] {
    let open = this.#open.get(conversationId);
    if (!open) {
      open = [];
      this.#open.set(conversationId, open);
    }
    if (Number.isFinite(time)) {
      let drop = 0;
      while (drop < open.length && time - open[drop]!.time > this.#windowMs) drop++;
      if (drop > 0) open.splice(0, drop);
    } else if (open.length > 20) {
      open.splice(0, open.length - 20); // no times: keep the last few questions open
    }
    return open;
  }
}

/** Whether `name` (3+ characters) occurs in `text` as a whole word. */
function namesWord(text: string, name: string): boolean {
  if (name.length < 3) return false;
  let from = 0;
  for (;;) {
    const at = text.indexOf(name, from);
    if (at === -1) return false;
    const before = at === 0 ? "" : text[at - 1]!;
    const after = text[at + name.length] ?? "";
    if (!/[\p{L}\p{N}_]/u.test(before) && !/[\p{L}\p{N}_]/u.test(after)) return true;
    from = at + 1;
  }
}
