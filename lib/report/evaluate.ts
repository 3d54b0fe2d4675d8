/**
 * How right a report is, against an export whose truth is known (generated): is the unanswered
 * list the truly unanswered questions, and does each first-answer link point at a message that
 * truly answers that question?
 * @module
 */

import { readCsv } from "../data/csv.ts";
import type { CommunityReport } from "./build.ts";

/** The truth of an export: each chat message's label, and for answers their question. */
export interface ReportTruth {
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
}

/** Scores `report` against `truth`. */
export function evaluateReport(report: CommunityReport, truth: ReportTruth): ReportScores {
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
  for (const q of report.questions) {
    if (q.firstAnswerId === null) continue;
    links++;
    if (truth.answers.get(q.firstAnswerId) === q.id) correctLinks++;
    if (firstAnswer.get(q.id) === q.firstAnswerId) exactFirstLinks++;
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
