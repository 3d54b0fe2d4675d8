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
  const counts = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  const byId = new Map<string, { message: Message; index: number }>();
  const previousInStream = new Map<string, string>(); // message id → id of the row before it
  const lastOfStream = new Map<string, string>();
  const texts = new Set<string>();
  messages.forEach((m, index) => {
    if ((LABELS as readonly string[]).includes(m.messageType)) counts[m.messageType as Label]++;
    byId.set(m.messageId, { message: m, index });
    const before = lastOfStream.get(m.conversationId);
    if (before !== undefined) previousInStream.set(m.messageId, before);
    lastOfStream.set(m.conversationId, m.messageId);
    texts.add(m.text);
  });
  const answered = new Set<string>();
  const delays: number[] = [];
  let answers = 0;
  let adjacent = 0;
  let linked = 0;
  let mentioned = 0;
  for (const m of messages) {
    if (m.messageType !== "answer" || !m.answers) continue;
    const question = byId.get(m.answers)?.message;
    answers++;
    answered.add(m.answers);
    if (previousInStream.get(m.messageId) === m.answers) adjacent++;
    if (m.replyTo) linked++;
    if (question && (m.mentions ?? []).includes(question.userName)) mentioned++;
    if (question) {
      const delay = (Date.parse(m.timestamp) - Date.parse(question.timestamp)) / 1000;
      if (Number.isFinite(delay)) delays.push(delay);
    }
  }
  const questions = messages.filter((m) => m.messageType === "question");
  const unanswered = questions.filter((q) => !answered.has(q.messageId)).length;
  delays.sort((a, b) => a - b);
  const total = messages.length;
  return {
    messages: total,
    streams: lastOfStream.size,
    counts,
    mix: Object.fromEntries(LABELS.map((l) => [l, counts[l] / total])) as Record<Label, number>,
    answers,
    adjacentAnswerShare: adjacent / answers,
    unansweredQuestionShare: unanswered / questions.length,
    replyLinkShare: linked / answers,
    askerMentionShare: mentioned / answers,
    medianAnswerDelaySeconds: quantile(delays, 0.5),
    p90AnswerDelaySeconds: quantile(delays, 0.9),
    distinctMessageShare: texts.size / total,
  };
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
    `answer delay:  median ${Math.round(r.medianAnswerDelaySeconds)} s, p90 ${
      Math.round(r.p90AnswerDelaySeconds)
    } s; distinct messages ${pct(r.distinctMessageShare)}`,
  ].join("\n");
}
