/**
 * The conversations CSV as an append-only log, so a long generation run can be interrupted and
 * resumed.
 *
 * Why not `appendFileAtomic`: it rewrites the whole file per call, which is quadratic over a run.
 * Instead each conversation is appended as ONE write of a complete chunk of rows, then fsynced;
 * if the write fails (disk full) the file is truncated back to its previous length. So the file
 * only ever grows by whole conversations, except after a power loss or kill mid-write. For that
 * case, opening the log checks the tail: if the file does not end in a newline or does not parse,
 * it is cut back to the last row boundary that parses, the last (possibly partial) conversation is
 * dropped, and the repaired file is written atomically. A tear that happens to end exactly on a
 * row boundary cannot be told apart from a short conversation; fsync after every chunk keeps that
 * window to the one conversation in flight.
 * One process at a time: two runs appending to the same file are not coordinated.
 * @module
 */

import { dirname } from "node:path";
import { stringify } from "csv-stringify/sync";
import { writeFileAtomic } from "../../atomic.ts";
import { CONVERSATION_COLUMNS, type CsvTable, messageRow, parseCsv, toCsv } from "../../csv.ts";
import type { Message } from "../../types.ts";

/** What was already in the file when the log was opened. */
export interface ExistingConversations {
  /** Distinct conversation ids, in file order. */
  conversationIds: string[];
  messages: number;
  /** Next free index for `llm-NNNNNN` ids (one past the highest present, 0 if none). */
  nextIndex: number;
  /** Indices of the `llm-NNNNNN` conversations present (a resumed run skips these plans). */
  indices: Set<number>;
  /** Bytes cut from a torn tail (0 when the file was intact). */
  repairedBytes: number;
  /** Conversation dropped because it may have been cut short by the tear. */
  droppedConversation: string | null;
}

/** An open conversations file that grows by whole conversations. */
export interface ConversationLog {
  readonly path: string;
  readonly existing: ExistingConversations;
  /** Appends one conversation's rows as one write + fsync; calls are serialised. */
  append(messages: readonly Message[]): Promise<void>;
}

const HEADER_LINE = CONVERSATION_COLUMNS.join(",");
const encoder = new TextEncoder();

/**
 * Opens a conversations CSV for appending; repairs a torn tail. A missing file is created with
 * its header by the first append, so a run that writes nothing leaves no file behind.
 * @throws {SyntaxError} when the file has a different header (appending would corrupt it).
 */
export async function openConversationLog(path: string): Promise<ConversationLog> {
  await Deno.mkdir(dirname(path), { recursive: true });
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  let existing: ExistingConversations;
  let needsHeader = text.trim() === "";
  if (needsHeader) {
    existing = {
      conversationIds: [],
      messages: 0,
      nextIndex: 0,
      indices: new Set(),
      repairedBytes: 0,
      droppedConversation: null,
    };
  } else {
    existing = await scan(path, text);
  }
  let queue: Promise<void> = Promise.resolve();
  return {
    path,
    existing,
    append(messages) {
      const next = queue.then(async () => {
        const rows = stringify(messages.map(messageRow));
        if (needsHeader) {
          await writeFileAtomic(path, `${HEADER_LINE}\n${rows}`);
          needsHeader = false;
          return;
        }
        await appendChunk(path, encoder.encode(rows));
      });
      queue = next.catch(() => {});
      return next;
    },
  };
}

/** Reads what the file holds, repairing a torn tail first. */
async function scan(path: string, text: string): Promise<ExistingConversations> {
  const firstLine = text.slice(0, text.indexOf("\n") === -1 ? text.length : text.indexOf("\n"));
  if (firstLine.replace(/^\uFEFF/, "").trim() !== HEADER_LINE) {
    throw new SyntaxError(
      `Cannot append to "${path}": its header is "${firstLine.trim()}", expected "${HEADER_LINE}"`,
    );
  }
  let table = tryParse(text);
  let records = table?.records ?? [];
  let repairedBytes = 0;
  let droppedConversation: string | null = null;
  if (!text.endsWith("\n") || tailBroken(table)) {
    // Cut back one line at a time until the rest parses cleanly, then drop the last
    // conversation: its chunk is the one that was being written.
    let end = text.length;
    let kept = text;
    do {
      end = kept.lastIndexOf("\n", kept.endsWith("\n") ? kept.length - 2 : kept.length - 1) + 1;
      kept = text.slice(0, end);
      table = tryParse(kept);
    } while (end > 0 && tailBroken(table));
    const last = table?.records.at(-1)?.values.conversation_id;
    const survivors = (table?.records ?? []).filter((r) => r.values.conversation_id !== last);
    droppedConversation = last ?? null;
    const repaired = toCsv(
      CONVERSATION_COLUMNS,
      survivors.map((r) => CONVERSATION_COLUMNS.map((c) => r.values[c] ?? "")),
    );
    repairedBytes = encoder.encode(text).length - encoder.encode(repaired).length;
    await writeFileAtomic(path, repaired);
    records = survivors;
  }
  const ids = new Set<string>();
  const indices = new Set<number>();
  let nextIndex = 0;
  for (const record of records) {
    const id = record.values.conversation_id ?? "";
    ids.add(id);
    const match = /^llm-(\d+)$/.exec(id);
    if (match) {
      indices.add(Number(match[1]));
      nextIndex = Math.max(nextIndex, Number(match[1]) + 1);
    }
  }
  return {
    conversationIds: [...ids],
    messages: records.length,
    nextIndex,
    indices,
    repairedBytes,
    droppedConversation,
  };
}

/** Whether the text did not parse or its last row is malformed (rows before it are left alone). */
function tailBroken(table: CsvTable | null): boolean {
  if (table === null) return true;
  const lastGood = table.records.at(-1)?.line ?? 0;
  return table.problems.some((p) => p.line > lastGood);
}

function tryParse(text: string): CsvTable | null {
  try {
    return parseCsv(text, { requiredColumns: CONVERSATION_COLUMNS });
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

/** One write of a whole chunk, then fsync; on failure, truncate back to the old length. */
async function appendChunk(path: string, chunk: Uint8Array): Promise<void> {
  const file = await Deno.open(path, { write: true, append: true });
  try {
    const { size } = await file.stat();
    try {
      let written = 0;
      while (written < chunk.length) written += await file.write(chunk.subarray(written));
      await file.syncData();
    } catch (error) {
      await file.truncate(size).catch(() => {});
      throw error;
    }
  } finally {
    file.close();
  }
}
