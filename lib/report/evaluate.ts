/**
 * How right a report is, against an export whose truth is known (generated): is the unanswered
 * list the truly unanswered questions, and does each first-answer link point at a message that
 * truly answers that question?
 * @module
 */

import { readCsv } from "../data/csv.ts";
import { type Label, LABELS } from "../data/types.ts";
import type { CommunityReport, MessageClassifier } from "./build.ts";

/** The truth of an export: each chat message's label, and for answers their question. */
export interface ReportTruth {
  /** message id → true label. */
  labels: ReadonlyMap<string, string>;
  /** answer id → question id */
  answers: ReadonlyMap<string, string>;
}

/** Scores of {@linkcode evaluateReport}. */
export interface ReportScores {
  /** Truly unanswered questions (truth label question, no truth answer). */
  trueUnanswered: number;
  /** Questions the report lists as unanswered. */
  listedUnanswered: number;
  /** Listed ∩ truly unanswered. */
  correctUnanswered: number;
  /** correct / listed (1 when nothing is listed). */
  unansweredPrecision: number;
  /** correct / truly unanswered (1 when nothing is unanswered). */
  unansweredRecall: number;
  /** First-answer links the report made. */
  links: number;
  /** Links whose answer truly answers the question. */
  correctLinks: number;
  /** correctLinks / links. */
  linkAccuracy: number;
  /** Links pointing at the question's true first answer (stricter). */
  exactFirstLinks: number;
  /** Where the errors come from (label classes need the predicted labels). */
  errors: ReportErrors;
}

/**
 * The report's errors by cause. A wrong unanswered list comes either from the labels (a message
 * the model called question that is not one, an answer it did not call answer) or from the
 * linking (an answer linked to the wrong question), and these say which.
 */
export interface ReportErrors {
  /** Listed as unanswered but not a question in truth (model: question, truth: answer/comment). */
  listedNotQuestion: number;
  /** Listed, truly answered, but none of its true answers was labelled answer. */
  listedAnswersMissed: number;
  /** Listed, truly answered, an answer labelled answer, but linked elsewhere or to nothing. */
  listedAnswerLinkedElsewhere: number;
  /** Truly unanswered, not listed because the model did not label it question. */
  missedNotLabelledQuestion: number;
  /** Truly unanswered, labelled question, but a wrong link made it look answered. */
  missedWronglyLinked: number;
  /** Wrong first-answer links whose answer is not an answer in truth, by link reason. */
  wrongLinkNotAnswer: Record<string, number>;
  /** Wrong first-answer links whose answer truly answers another question, by link reason. */
  wrongLinkOtherQuestion: Record<string, number>;
  /** First-answer links by reason: [made, right]. */
  linksByReason: Record<string, [number, number]>;
}

/**
 * Scores `report` against `truth`; with `predicted` (message id → the report's label) the label
 * error classes are told apart from the linking ones (without it, they count as linking).
 */
export function evaluateReport(
  report: CommunityReport,
  truth: ReportTruth,
  predicted?: ReadonlyMap<string, string>,
): ReportScores {
  const answeredTruly = new Set(truth.answers.values());
  const firstAnswer = new Map<string, string>();
  // Ids are snowflakes issued in time order within a file; compare as big integers when they are.
  for (const [answer, question] of truth.answers) {
    const current = firstAnswer.get(question);
    if (current === undefined || before(answer, current)) firstAnswer.set(question, answer);
  }
  const trulyUnanswered = new Set<string>();
  for (const [id, label] of truth.labels) {
    if (label === "question" && !answeredTruly.has(id)) trulyUnanswered.add(id);
  }
  const listed = report.unansweredQuestions.map((q) => q.id);
  const correctUnanswered = listed.filter((id) => trulyUnanswered.has(id)).length;
  let links = 0, correctLinks = 0, exactFirstLinks = 0;
  const errors: ReportErrors = {
    listedNotQuestion: 0,
    listedAnswersMissed: 0,
    listedAnswerLinkedElsewhere: 0,
    missedNotLabelledQuestion: 0,
    missedWronglyLinked: 0,
    wrongLinkNotAnswer: {},
    wrongLinkOtherQuestion: {},
    linksByReason: {},
  };
  const trueAnswersOf = new Map<string, string[]>();
  for (const [answer, question] of truth.answers) {
    trueAnswersOf.set(question, [...(trueAnswersOf.get(question) ?? []), answer]);
  }
  const reported = new Set<string>();
  for (const q of report.questions) {
    reported.add(q.id);
    if (q.firstAnswerId === null) continue;
    links++;
    const reason = q.linkedBy ?? "?";
    const byReason = errors.linksByReason[reason] ??= [0, 0];
    byReason[0]++;
    if (truth.answers.get(q.firstAnswerId) === q.id) {
      correctLinks++;
      byReason[1]++;
    } else {
      const kind = truth.answers.has(q.firstAnswerId)
        ? errors.wrongLinkOtherQuestion
        : errors.wrongLinkNotAnswer;
      kind[reason] = (kind[reason] ?? 0) + 1;
      if (trulyUnanswered.has(q.id)) errors.missedWronglyLinked++;
    }
    if (firstAnswer.get(q.id) === q.firstAnswerId) exactFirstLinks++;
  }
  for (const id of trulyUnanswered) if (!reported.has(id)) errors.missedNotLabelledQuestion++;
  for (const id of listed) {
    if (trulyUnanswered.has(id)) continue;
    if (truth.labels.get(id) !== "question") errors.listedNotQuestion++;
    else if (
      predicted && !(trueAnswersOf.get(id) ?? []).some((a) => predicted.get(a) === "answer")
    ) errors.listedAnswersMissed++;
    else errors.listedAnswerLinkedElsewhere++;
  }
  return {
    trueUnanswered: trulyUnanswered.size,
    listedUnanswered: listed.length,
    correctUnanswered,
    unansweredPrecision: listed.length === 0 ? 1 : correctUnanswered / listed.length,
    unansweredRecall: trulyUnanswered.size === 0 ? 1 : correctUnanswered / trulyUnanswered.size,
    links,
    correctLinks,
    linkAccuracy: links === 0 ? 1 : correctLinks / links,
    exactFirstLinks,
    errors,
  };
}

function before(a: string, b: string): boolean {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return BigInt(a) < BigInt(b);
  return a < b;
}

/**
 * Reads the truth file `deno task generate --format discord-json` writes beside an export
 * (`truth.csv`: `message_id`, `kind`, `label`, `answers`, …); only chat messages carry labels.
 * @throws {SyntaxError} when a needed column is missing
 */
export async function readExportTruth(path: string): Promise<ReportTruth> {
  const table = await readCsv(path, {
    requiredColumns: ["message_id", "kind", "label", "answers"],
  });
  const labels = new Map<string, string>();
  const answers = new Map<string, string>();
  for (const { values } of table.records) {
    if (values.kind !== "chat") continue;
    labels.set(values.message_id!, values.label!);
    if (values.label === "answer" && values.answers) {
      answers.set(values.message_id!, values.answers);
    }
  }
  return { labels, answers };
}

/**
 * A classifier that answers with the truth: probability 1 on each message's true label, comment
 * for a message the truth does not label. It scores a report's linking apart from the model's
 * mistakes (`--model truth`) and checks the scoring itself.
 */
export function truthClassifier(truth: ReportTruth): MessageClassifier {
  return (batch) => {
    const p = new Float32Array(batch.length * 3);
    batch.forEach((m, i) => {
      p[i * 3 + LABELS.indexOf((truth.labels.get(m.messageId) ?? "comment") as Label)] = 1;
    });
    return p;
  };
}
