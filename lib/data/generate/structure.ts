/**
 * Measures how much generated chat has real chat's structure: how often answers sit right after
 * their question, how many questions go unanswered, how many answers use a reply link or an
 * @mention of the asker, how long answers take, the class mix and how varied the text is.
 * Reads the generator's truth (`answers`), so it applies to generated data only.
 * @module
 */

import { type Label, LABELS, type Message } from "../types.ts";

/** What {@linkcode measureStructure} returns. Shares are in [0, 1]; `NaN` when undefined (0/0). */
export interface StructureReport {
  /** Messages measured. */
  messages: number;
  /** Distinct `conversationId`s (stream windows). */
  streams: number;
  /** Messages per label. */
  counts: Record<Label, number>;
  /** Share of each label. */
  mix: Record<Label, number>;
  /** Answers with an `answers` target. */
  answers: number;
  /** Share of answers whose question is the message immediately before them in the stream. */
  adjacentAnswerShare: number;
  /** Share of questions no answer points to. */
  unansweredQuestionShare: number;
  /** Share of answers carrying a reply link (`replyTo` set). */
  replyLinkShare: number;
  /**
   * Share of reply-linked messages that are answers: on Discord people reply-link reactions,
   * thanks and follow-ups too, so a link alone should not mean "answer".
   */
  linkedAnswerShare: number;
  /** Share of answers that @mention the person who asked the question. */
  askerMentionShare: number;
  /** Median seconds from a question to each of its answers. */
  medianAnswerDelaySeconds: number;
  /** 90th percentile of the same (linear interpolation between ranks, as numpy's default). */
  p90AnswerDelaySeconds: number;
  /** Distinct texts / messages. */
  distinctMessageShare: number;
}

/**
 * Measures the structure of labelled messages given in stream order (rows of one
 * `conversationId` in position order; streams may follow one another).
 * @example
 * ```ts
 * const report = measureStructure(generateBuiltin({ conversations: 100 }));
 * console.log(report.adjacentAnswerShare, report.unansweredQuestionShare);
 * ```
 */
export function measureStructure(messages: readonly Message[]): StructureReport {
  const meter = new StructureMeter();
  meter.add(messages);
  return meter.report();
}

/**
 * {@linkcode measureStructure} in pieces, for outputs too large to hold: add the messages a
 * stream window at a time (an answer and its question must come in the same `add`).
 */
export class StructureMeter {
  readonly #counts = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  /** 52-bit hashes of the texts, not the texts: a million-message run stays small. */
  readonly #texts = new Set<number>();
  readonly #streams = new Set<string>();
  readonly #delays: number[] = [];
  #messages = 0;
  #questions = 0;
  #unanswered = 0;
  #answers = 0;
  #adjacent = 0;
  #linked = 0;
  #mentioned = 0;
  #replies = 0;

  /** Adds messages in stream order. */
  add(messages: readonly Message[]): void {
    const byId = new Map<string, Message>();
    const previousInStream = new Map<string, string>(); // message id → id of the row before it
    const lastOfStream = new Map<string, string>();
    for (const m of messages) {
      if ((LABELS as readonly string[]).includes(m.messageType)) {
        this.#counts[m.messageType as Label]++;
      }
      byId.set(m.messageId, m);
      const before = lastOfStream.get(m.conversationId);
      if (before !== undefined) previousInStream.set(m.messageId, before);
      lastOfStream.set(m.conversationId, m.messageId);
      this.#texts.add(textHash(m.text));
      if (m.replyTo) this.#replies++;
      this.#streams.add(m.conversationId);
    }
    this.#messages += messages.length;
    const answered = new Set<string>();
    for (const m of messages) {
      if (m.messageType !== "answer" || !m.answers) continue;
      const question = byId.get(m.answers);
      this.#answers++;
      answered.add(m.answers);
      if (previousInStream.get(m.messageId) === m.answers) this.#adjacent++;
      if (m.replyTo) this.#linked++;
      if (question && (m.mentions ?? []).includes(question.userName)) this.#mentioned++;
      if (question) {
        const delay = (Date.parse(m.timestamp) - Date.parse(question.timestamp)) / 1000;
        if (Number.isFinite(delay)) this.#delays.push(delay);
      }
    }
    for (const m of messages) {
      if (m.messageType !== "question") continue;
      this.#questions++;
      if (!answered.has(m.messageId)) this.#unanswered++;
    }
  }

  /** The measures of everything added so far. */
  report(): StructureReport {
    const delays = [...this.#delays].sort((a, b) => a - b);
    const total = this.#messages;
    const counts = { ...this.#counts };
    return {
      messages: total,
      streams: this.#streams.size,
      counts,
      mix: Object.fromEntries(LABELS.map((l) => [l, counts[l] / total])) as Record<Label, number>,
      answers: this.#answers,
      adjacentAnswerShare: this.#adjacent / this.#answers,
      unansweredQuestionShare: this.#unanswered / this.#questions,
      replyLinkShare: this.#linked / this.#answers,
      linkedAnswerShare: this.#linked / this.#replies,
      askerMentionShare: this.#mentioned / this.#answers,
      medianAnswerDelaySeconds: quantile(delays, 0.5),
      p90AnswerDelaySeconds: quantile(delays, 0.9),
      distinctMessageShare: this.#texts.size / total,
    };
  }
}

/** Two FNV-1a hashes combined into 52 bits (collisions at a million texts: ~1e-4). */
function textHash(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff);
}

/** Quantile of sorted values with linear interpolation (numpy's default); NaN when empty. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = q * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/** Renders a report as a few lines for the CLI. */
export function formatStructure(r: StructureReport): string {
  const pct = (x: number) => Number.isNaN(x) ? "-" : `${(100 * x).toFixed(1)}%`;
  const mix = LABELS.map((l) => `${l} ${r.counts[l]} (${pct(r.mix[l])})`).join(", ");
  return [
    `class mix:     ${mix}`,
    `answers next to their question ${pct(r.adjacentAnswerShare)}, questions unanswered ${
      pct(r.unansweredQuestionShare)
    }, answers with a reply link ${pct(r.replyLinkShare)}, answers @mentioning the asker ${
      pct(r.askerMentionShare)
    }`,
    `reply links:   ${pct(r.linkedAnswerShare)} of linked messages are answers`,
    `answer delay:  median ${Math.round(r.medianAnswerDelaySeconds)} s, p90 ${
      Math.round(r.p90AnswerDelaySeconds)
    } s; distinct messages ${pct(r.distinctMessageShare)}`,
  ].join("\n");
}
