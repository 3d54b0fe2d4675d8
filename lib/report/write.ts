/**
 * Writes a report's files — `report.json`, `unanswered.csv`, `index.html` — all or nothing:
 * each goes to a temporary file first and the three are renamed into place only when all are
 * written, so an interrupted run leaves no partial output.
 * @module
 */

import { join } from "node:path";
import { toCsv } from "../data/csv.ts";
import type { CommunityReport } from "./build.ts";
import { reportHtml } from "./html.ts";

/** The columns of `unanswered.csv`, in order. */
export const UNANSWERED_COLUMNS = [
  "id",
  "channel",
  "author",
  "timestamp",
  "text",
  "link",
] as const;

/** `unanswered.csv` text: every unanswered question, oldest first, with its jump link. */
export function unansweredCsv(report: CommunityReport): string {
  return toCsv(
    UNANSWERED_COLUMNS,
    report.unansweredQuestions.map((q) => [
      q.id,
      q.channel,
      q.author,
      q.timestamp,
      q.text,
      q.url ?? "",
    ]),
  );
}

/** The three report files as text, by file name. */
export function reportFiles(report: CommunityReport): Record<string, string> {
  return {
    "report.json": JSON.stringify(report, null, 1) + "\n",
    "unanswered.csv": unansweredCsv(report),
    "index.html": reportHtml(report),
  };
}

/** Writes `report.json`, `unanswered.csv` and `index.html` into `dir`, all or nothing. */
export async function writeReport(dir: string, report: CommunityReport): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const files = reportFiles(report);
  const tag = crypto.randomUUID().slice(0, 8);
  const written: [string, string][] = [];
  try {
    for (const [name, text] of Object.entries(files)) {
      const tmp = join(dir, `.${name}.${tag}.tmp`);
      written.push([tmp, join(dir, name)]);
      await Deno.writeTextFile(tmp, text);
    }
  } catch (error) {
    for (const [tmp] of written) await Deno.remove(tmp).catch(() => {});
    throw error;
  }
  for (const [tmp, final] of written) await Deno.rename(tmp, final);
  return written.map(([, final]) => final);
}
