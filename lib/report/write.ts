/**
 * Writes a report's files — `report.json`, `unanswered.csv`, `index.html` — all or nothing:
 * each goes to a temporary file first and the three are renamed into place only when all are
 * written, so an interrupted run leaves no partial output.
 * @module
 */

import { join } from "node:path";
import { explainWriteError, makeFolder } from "../data/atomic.ts";
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
  return [...unansweredCsvChunks(report)].join("");
}

/** `unanswered.csv` text in pieces of `size` rows (the header with the first), so tens of
 * thousands of unanswered questions are never one string (see {@linkcode reportJsonChunks} on
 * the size). */
export function* unansweredCsvChunks(report: CommunityReport, size = 200): Generator<string> {
  const header = toCsv(UNANSWERED_COLUMNS, []).length;
  const items = report.unansweredQuestions;
  for (let i = 0; i === 0 || i < items.length; i += size) {
    const csv = toCsv(
      UNANSWERED_COLUMNS,
      items.slice(i, i + size).map((
        q,
      ) => [q.id, q.channel, q.author, q.timestamp, q.text, q.url ?? ""]),
    );
    yield i === 0 ? csv : csv.slice(header);
  }
}

/** The three report files as text, by file name. */
export function reportFiles(report: CommunityReport): Record<string, string> {
  return {
    "report.json": [...reportJsonChunks(report)].join(""),
    "unanswered.csv": unansweredCsv(report),
    "index.html": reportHtml(report),
  };
}

/**
 * `report.json` text in pieces, so a report of a million messages is never one giant string:
 * the small fields first, then the two long arrays `size` items at a time. Pieces stay below
 * V8's large-object size (~128 KiB) so they die young: at 2,000 items a piece each went to the
 * old generation and a million-message report's writing grew the heap by ~100 MB of garbage.
 */
export function* reportJsonChunks(report: CommunityReport, size = 200): Generator<string> {
  const { questions, unansweredQuestions, ...rest } = report;
  const head = JSON.stringify(rest, null, 1);
  yield head.slice(0, head.lastIndexOf("}")).trimEnd() + ",\n";
  const arrays: [string, readonly unknown[]][] = [
    ["questions", questions],
    ["unansweredQuestions", unansweredQuestions],
  ];
  for (const [k, [key, items]] of arrays.entries()) {
    yield ` ${JSON.stringify(key)}: [`;
    for (let i = 0; i < items.length; i += size) {
      const part = items.slice(i, i + size).map((item) => "\n  " + JSON.stringify(item));
      yield (i > 0 ? "," : "") + part.join(",");
    }
    yield (items.length > 0 ? "\n ]" : "]") + (k < arrays.length - 1 ? ",\n" : "\n}\n");
  }
}

/** Options of {@linkcode writeReport}. */
export interface WriteReportOptions {
  /** Stops the write before any file is replaced: the folder keeps its previous report. */
  signal?: AbortSignal;
}

/**
 * Writes `report.json`, `unanswered.csv` and `index.html` into `dir`, all or nothing: each is
 * written beside its target, and the three are renamed over the old ones only once all are
 * complete (an aborted `signal` before then leaves the old report as it was).
 */
export async function writeReport(
  dir: string,
  report: CommunityReport,
  options: WriteReportOptions = {},
): Promise<string[]> {
  const { signal } = options;
  signal?.throwIfAborted();
  const created = await makeFolder(dir);
  const files: Record<string, () => Iterable<string>> = {
    "report.json": () => reportJsonChunks(report),
    "unanswered.csv": () => unansweredCsvChunks(report),
    "index.html": () => [reportHtml(report)],
  };
  const tag = crypto.randomUUID().slice(0, 8);
  const written: [string, string][] = [];
  const encoder = new TextEncoder();
  try {
    for (const [name, chunks] of Object.entries(files)) {
      const tmp = join(dir, `.${name}.${tag}.tmp`);
      written.push([tmp, join(dir, name)]);
      using file = await Deno.open(tmp, { write: true, create: true, truncate: true });
      for (const chunk of chunks()) {
        signal?.throwIfAborted();
        const bytes = encoder.encode(chunk);
        let offset = 0;
        while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
      }
    }
    signal?.throwIfAborted();
  } catch (error) {
    for (const [tmp] of written) await Deno.remove(tmp).catch(() => {});
    // folders this run made hold nothing now: an empty "data/report" would look like a report
    // that was written (removing a folder something else filled meanwhile fails: it is kept)
    for (const folder of created) await Deno.remove(folder).catch(() => {});
    throw signal?.aborted ? error : explainWriteError(error, written.at(-1)?.[1] ?? dir);
  }
  for (const [tmp, final] of written) await Deno.rename(tmp, final);
  return written.map(([, final]) => final);
}
