/**
 * Telling a chat export from other message files without reading it: a folder, a
 * DiscordChatExporter JSON file, or a CSV in DiscordChatExporter's flavour (its header says).
 * Light on purpose — `deno task classify` asks this of every input before it picks a route.
 * @module
 */

import { extname } from "node:path";
import { openCsvStream } from "../stream.ts";

/** The columns that make a CSV DiscordChatExporter's flavour (it also writes `Attachments` and
 * `Reactions`). */
export const DISCORD_CSV_COLUMNS = ["AuthorID", "Author", "Date", "Content"] as const;

/** How a path is read as a chat export: a folder of files, a DCE JSON file, a DCE CSV file. */
export type ChatExportKind = "folder" | "discord-json" | "discord-csv";

/**
 * Whether `path` is a chat export, and which kind: a folder; a `.json` file (the only JSON the
 * readers take is DiscordChatExporter's, whose top level holds `guild`, `channel` and
 * `messages` — the reader says what is wrong with any other); a CSV whose header has
 * {@linkcode DISCORD_CSV_COLUMNS}. Null for anything else (a conversations CSV, JSONL, text),
 * for a pipe, and for a path that does not exist.
 * @example
 * ```ts
 * await detectExport("exports/general [123].csv"); // "discord-csv" when DCE wrote it
 * ```
 */
export async function detectExport(path: string): Promise<ChatExportKind | null> {
  const info = await Deno.stat(path).catch(() => undefined);
  if (info === undefined) return null;
  if (info.isDirectory) return "folder";
  if (!info.isFile) return null; // a pipe cannot be peeked and then read again
  const ext = extname(path).toLowerCase();
  if (ext === ".json") return "discord-json";
  if (ext !== ".csv") return null;
  try {
    const csv = await openCsvStream(path, { onWarning: () => {} });
    await csv.rows.return(undefined); // closes the file
    return DISCORD_CSV_COLUMNS.every((c) => csv.header.includes(c)) ? "discord-csv" : null;
  } catch {
    return null; // not readable as CSV: the caller's own reader says why
  }
}
