/**
 * CSV input and output: reading reports malformed rows with their line numbers, writing is atomic.
 * @module
 */

import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { MAX_TEXT_LENGTH } from "../features/builtin.ts";
import { writeFileAtomic } from "./atomic.ts";
import type { CsvRecord, Message } from "./types.ts";

/**
 * Columns of `data/conversations.csv`: the original's four, then ours. `conversation_id` is a
 * channel stream window in which threads interleave, rows in stream order; `position` is the
 * 0-based order within it. `thread_id` and `answers` (for an answer, the `message_id` of the
 * question it answers) are the generator's truth, never model inputs.
 */
export const CONVERSATION_COLUMNS = [
  "user_name",
  "message",
  "message_type",
  "message_id",
  "conversation_id",
  "channel",
  "reply_to",
  "timestamp",
  "position",
  "thread_id",
  "answers",
] as const;

/** A row that could not be read, with the 1-based line it starts on. */
export interface CsvProblem {
  /** 1-based line the row starts on. */
  line: number;
  /** Why the row could not be read. */
  reason: string;
}

/** What {@linkcode parseCsv} returns. */
export interface CsvTable {
  /** Column names, in file order. */
  header: string[];
  /** The rows that could be read. */
  records: CsvRecord[];
  /** The rows that could not, with their lines. */
  problems: CsvProblem[];
}

/** Options of {@linkcode parseCsv}. */
export interface ParseCsvOptions {
  /** Columns that must appear in the header. @default [] */
  requiredColumns?: readonly string[];
  /** Name used in messages. @default "CSV" */
  source?: string;
}

/**
 * What is wrong with the first record whose `column` is longer than a message may be (the
 * featurizer's limit), or undefined: checked before any work, since the featurizer's own
 * "Cannot featurize text: it has 5000000 characters" names neither the file nor the row.
 */
export function tooLongRow(records: readonly CsvRecord[], column: string): string | undefined {
  for (const { line, values } of records) {
    const length = values[column]?.length ?? 0;
    if (length > MAX_TEXT_LENGTH) return tooLongMessage(line, length);
  }
  return undefined;
}

/** Why the message of `length` characters on `line` cannot be read, and what to do. */
export function tooLongMessage(line: number, length: number): string {
  return `the message on line ${line} has ${length} characters, more than the ` +
    `${MAX_TEXT_LENGTH} a message may have; shorten or split it, or remove the row`;
}

const QUOTING_HINT = 'write each " inside a quoted field as "" (and quote a field that holds one)';

/**
 * A CSV parse error of csv-parse (or of the scanner that mirrors it, `_csv_scan.ts`) as what is
 * wrong and what to do: "Quote Not Closed: the parsing is finished with an opening quote at
 * line 3" names neither. Other messages come back as they are.
 */
export function explainCsvError(message: string): string {
  let m = /^Quote Not Closed: .* at line (\d+)/.exec(message);
  if (m) {
    return `a quoted field is still open at the end of the file (line ${m[1]}): a " opens a ` +
      `field that never closes; ${QUOTING_HINT}`;
  }
  m = /^Invalid Closing Quote: got "(.*)" at line (\d+)/.exec(message);
  if (m) {
    return `line ${m[2]}: a quoted field's closing " is followed by "${m[1]}", not a comma or ` +
      `the end of the line; ${QUOTING_HINT}`;
  }
  m = /^Invalid Opening Quote: a quote is found on field (\d+) at line (\d+)/.exec(message);
  if (m) {
    return `line ${m[2]}: a " in the middle of field ${Number(m[1]) + 1}, which is not quoted; ` +
      QUOTING_HINT;
  }
  return message;
}

/**
 * Parses CSV text with a header row. Rows whose field count differs from the header are
 * reported in `problems` (with their line) and left out; a missing required column throws.
 *
 * @throws {SyntaxError} when the text is not CSV at all (e.g. an unclosed quote) or a required
 * column is missing.
 */
export function parseCsv(text: string, options: ParseCsvOptions = {}): CsvTable {
  const source = options.source ?? "CSV";
  const body = text.replace(/^\uFEFF/, "");
  let rows: { record: string[]; info: { bytes: number } }[];
  try {
    rows = parse(body, {
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as { record: string[]; info: { bytes: number } }[];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new SyntaxError(`Cannot parse ${source}: ${explainCsvError(message)}`);
  }
  if (rows.length === 0) throw new SyntaxError(`Cannot parse ${source}: the file is empty`);
  const header = rows[0]!.record.map((h) => h.trim());
  for (const column of options.requiredColumns ?? []) {
    if (!header.includes(column)) {
      throw new SyntaxError(
        `Cannot read ${source}: column "${column}" is missing (header: ${header.join(",")})`,
      );
    }
  }
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  // csv-parse's line count skips blank lines and counts "\r\n" inside quotes twice, so lines
  // are counted here, from the UTF-8 byte offset at which csv-parse says each record ends.
  const bytes = new TextEncoder().encode(body);
  let offset = 0;
  let lineAtOffset = 1;
  const startLineUpTo = (end: number): number => {
    while (offset < end && (bytes[offset] === 0x0a || bytes[offset] === 0x0d)) {
      if (bytes[offset++] === 0x0a) lineAtOffset++;
    }
    const start = lineAtOffset;
    for (; offset < end; offset++) if (bytes[offset] === 0x0a) lineAtOffset++;
    return start;
  };
  startLineUpTo(rows[0]!.info.bytes);
  for (const { record, info } of rows.slice(1)) {
    const line = startLineUpTo(info.bytes);
    if (record.length !== header.length) {
      problems.push({
        line,
        reason: `expected ${header.length} fields, found ${record.length}`,
      });
      continue;
    }
    const values: Record<string, string> = {};
    header.forEach((name, i) => values[name] = record[i]!);
    records.push({ line, values });
  }
  return { header, records, problems };
}

/** Reads and parses a CSV file; see {@linkcode parseCsv}. */
export async function readCsv(path: string, options: ParseCsvOptions = {}): Promise<CsvTable> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`Cannot read "${path}": no such file`);
    }
    throw error;
  }
  return parseCsv(text, { source: `"${path}"`, ...options });
}

/** Turns rows into CSV text with the given header (RFC 4180 quoting, LF line ends). */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return stringify([header as unknown[], ...rows as unknown[][]]);
}

/** Converts messages to CSV rows in {@linkcode CONVERSATION_COLUMNS} order. */
export function messageRow(m: Message): string[] {
  return [
    m.userName,
    m.text,
    m.messageType,
    m.messageId,
    m.conversationId,
    m.channel,
    m.replyTo ?? "",
    m.timestamp,
    m.position === undefined ? "" : String(m.position),
    m.threadId ?? "",
    m.answers ?? "",
  ];
}

/** Serialises messages as conversations CSV text, header included. */
export function conversationsToCsv(messages: readonly Message[]): string {
  return toCsv(CONVERSATION_COLUMNS, messages.map(messageRow));
}

/** Writes messages to `path` atomically as conversations CSV. */
export async function writeConversations(
  path: string,
  messages: readonly Message[],
): Promise<void> {
  await writeFileAtomic(path, conversationsToCsv(messages));
}

/** What {@linkcode readConversations} returns. */
export interface ConversationsFile {
  /** The rows that could be read, as messages. */
  messages: Message[];
  /** The rows that could not, with their lines. */
  problems: CsvProblem[];
}

/**
 * Reads a conversations CSV. Only `message` and `message_type` are required, so the original's
 * four-column file reads too; a missing `conversation_id` leaves each row its own conversation.
 */
export async function readConversations(path: string): Promise<ConversationsFile> {
  const table = await readCsv(path, { requiredColumns: ["message", "message_type"] });
  return { messages: table.records.map(recordToMessage), problems: table.problems };
}

/**
 * Maps a CSV record to a {@linkcode Message}, filling absent optional columns; `position`,
 * `threadId` and `answers` are set only when the file has them (older files do not).
 */
export function recordToMessage(record: CsvRecord): Message {
  const v = record.values;
  const messageId = v.message_id ?? `line-${record.line}`;
  const position = v.position ? Number(v.position) : NaN;
  return {
    messageId,
    conversationId: v.conversation_id || `line-${record.line}`,
    channel: v.channel ?? "",
    userName: v.user_name ?? "",
    text: v.message ?? "",
    messageType: v.message_type ?? "",
    replyTo: v.reply_to ? v.reply_to : null,
    timestamp: v.timestamp ?? "",
    ...(Number.isInteger(position) && position >= 0 ? { position } : {}),
    ...(v.thread_id ? { threadId: v.thread_id } : {}),
    ...(v.answers ? { answers: v.answers } : {}),
  };
}
