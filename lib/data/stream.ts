/**
 * Streaming readers for message files of any size: CSV (header row), JSONL (one object a line)
 * and plain text (one message a line). Memory stays constant: rows are yielded as they are read,
 * and callers take them in batches.
 * @module
 */

import { Readable } from "node:stream";
import { parse } from "csv-parse";
import type { CsvProblem } from "./csv.ts";

/** The input formats {@linkcode detectFormat} knows. */
export const STREAM_FORMATS = ["csv", "jsonl", "text"] as const;

/** One of {@linkcode STREAM_FORMATS}. */
export type StreamFormat = typeof STREAM_FORMATS[number];

/** Picks a format from a file name: `.csv` → csv, `.jsonl`/`.ndjson` → jsonl, else text. */
export function detectFormat(path: string): StreamFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  return "text";
}

/** Options shared by the readers. */
export interface StreamOptions {
  /** Called after each chunk with the bytes read so far, e.g. to draw a progress bar. */
  onBytes?: (bytesRead: number) => void;
  /** Called for each row that cannot be read; the reader skips it and goes on. */
  onProblem?: (problem: CsvProblem) => void;
}

/** A row read from a stream: its 1-based starting line and its fields. */
export interface StreamRow {
  line: number;
  values: Record<string, unknown>;
}

/** Yields the file's text in decoded chunks, reporting bytes read. */
export async function* readTextChunks(
  path: string,
  options: StreamOptions = {},
): AsyncGenerator<string> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`Cannot read "${path}": no such file`);
    }
    throw error;
  }
  const decoder = new TextDecoder();
  let bytes = 0;
  let first = true;
  try {
    for await (const chunk of file.readable) {
      bytes += chunk.byteLength;
      let text = decoder.decode(chunk, { stream: true });
      if (first) {
        text = text.replace(/^\uFEFF/, "");
        first = false;
      }
      if (text !== "") yield text;
      options.onBytes?.(bytes);
    }
    const rest = decoder.decode();
    if (rest !== "") yield rest;
  } finally {
    // The readable closes the file when fully consumed; an early return must close it too.
    try {
      file.close();
    } catch {
      // already closed
    }
  }
}

/** Yields each line of a text file (without its `\n` or `\r\n`) with its 1-based number. */
export async function* readLines(
  path: string,
  options: StreamOptions = {},
): AsyncGenerator<{ line: number; text: string }> {
  let pending = "";
  let line = 0;
  for await (const chunk of readTextChunks(path, options)) {
    pending += chunk;
    let start = 0;
    let end: number;
    while ((end = pending.indexOf("\n", start)) !== -1) {
      const stop = end > start && pending.charCodeAt(end - 1) === 13 ? end - 1 : end;
      yield { line: ++line, text: pending.slice(start, stop) };
      start = end + 1;
    }
    pending = pending.slice(start);
  }
  if (pending !== "") yield { line: ++line, text: pending.replace(/\r$/, "") };
}

/**
 * Yields the non-empty lines of a text file as rows `{ text }` — one message per line.
 * Blank lines are skipped (they hold no message).
 */
export async function* readTextRows(
  path: string,
  options: StreamOptions = {},
): AsyncGenerator<StreamRow> {
  for await (const { line, text } of readLines(path, options)) {
    if (text.trim() === "") continue;
    yield { line, values: { text } };
  }
}

/** Yields the objects of a JSONL file; a line that is not a JSON object is reported and skipped. */
export async function* readJsonlRows(
  path: string,
  options: StreamOptions = {},
): AsyncGenerator<StreamRow> {
  for await (const { line, text } of readLines(path, options)) {
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      options.onProblem?.({ line, reason: `not JSON: ${message}` });
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      options.onProblem?.({ line, reason: "not a JSON object" });
      continue;
    }
    yield { line, values: value as Record<string, unknown> };
  }
}

/** A CSV file read as a stream: its header, then its rows. */
export interface CsvStream {
  header: string[];
  rows: AsyncGenerator<StreamRow & { values: Record<string, string> }>;
}

/**
 * Opens a CSV file with a header row for streaming. Rows whose field count differs from the
 * header are reported through `onProblem` with their line and skipped.
 * @throws {SyntaxError} when the file is empty or not CSV (e.g. an unclosed quote)
 */
export async function openCsvStream(path: string, options: StreamOptions = {}): Promise<CsvStream> {
  const parser = Readable.from(readTextChunks(path, options)).pipe(
    parse({ relax_column_count: true, skip_empty_lines: true, info: true }),
  );
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<
    { record: string[]; info: { lines: number } }
  >;
  const next = async () => {
    try {
      return await iterator.next();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new SyntaxError(`Cannot parse "${path}": ${message}`);
    }
  };
  const first = await next();
  if (first.done) throw new SyntaxError(`Cannot parse "${path}": the file is empty`);
  const header = first.value.record.map((h) => h.trim());
  let previousEnd = first.value.info.lines;
  async function* rows(): CsvStream["rows"] {
    try {
      while (true) {
        const result = await next();
        if (result.done) return;
        const { record, info } = result.value;
        const line = previousEnd + 1;
        previousEnd = info.lines;
        if (record.length !== header.length) {
          options.onProblem?.({
            line,
            reason: `expected ${header.length} fields, found ${record.length}`,
          });
          continue;
        }
        const values: Record<string, string> = {};
        for (let i = 0; i < header.length; i++) values[header[i]!] = record[i]!;
        yield { line, values };
      }
    } finally {
      parser.destroy();
    }
  }
  return { header, rows: rows() };
}

/** Groups an async stream into arrays of at most `size` items (the last may be shorter). */
export async function* batches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`Cannot batch: size must be a positive integer, got ${size}`);
  }
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
