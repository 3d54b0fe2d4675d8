/**
 * Every message of a chat export, labelled the way the community report labels it: the export
 * is read by the report's reader (`readExport`: DiscordChatExporter JSON or its CSV flavour, a
 * file or a folder, threads after their parent channel, system messages, bots and
 * attachment-only messages left out and counted) and each message is classified by the report's
 * classifier (`createMessageClassifier`, which reads a message in its channel) in the report's
 * batches — so a message gets the same probabilities here as in `deno task report`. One row per
 * message, in export order, goes to a CSV or JSONL file.
 * @module
 */

import { detectExport } from "../data/discord/detect.ts";
import { readChannelHeader } from "../data/discord/read.ts";
import type { ChatMessage } from "../data/discord/types.ts";
import { LABELS } from "../data/types.ts";
import {
  argmax,
  checkOutput,
  csvField,
  fixedFormatter,
  openSink,
  PREDICTION_CLASSES,
  PREDICTION_COLUMNS,
} from "../infer/classify_file.ts";
import type { MessageClassifier } from "./build.ts";

/** The columns written for each message of an export, before {@linkcode PREDICTION_COLUMNS}. */
export const EXPORT_COLUMNS = [
  "message_id",
  "channel",
  "author",
  "timestamp",
  "reply_to",
  "text",
] as const;

/**
 * Whether one of `files` is a DiscordChatExporter JSON (its channel header reads) or CSV: what
 * tells an export folder from any folder. Stops at the first one (a few kilobytes read).
 */
export async function holdsDiscordExport(files: readonly string[]): Promise<boolean> {
  for (const file of files) {
    if ((await readChannelHeader(file)) !== null) return true;
    if ((await detectExport(file)) === "discord-csv") return true;
  }
  return false;
}

/** Options of {@linkcode classifyMessages}. */
export interface ClassifyMessagesOptions {
  /** Messages per classifier call: the report's, so a context model's batches (and the
   * context carried from one to the next) are the report's. @default 4096 */
  batchSize?: number;
  /** Batches being classified at once while later ones are read (with worker threads:
   * workers + 1). @default 1 */
  concurrency?: number;
  /** Stops between batches; the generator then throws the signal's reason. */
  signal?: AbortSignal;
}

/** A batch of messages and their class probabilities (`n × 3`, {@linkcode LABELS} order). */
export interface ClassifiedBatch {
  /** The messages, in export order. */
  messages: ChatMessage[];
  /** Their probabilities, row by row. */
  probabilities: Float32Array;
}

/**
 * Classifies a stream of messages batch by batch, as `buildReport` does (same batches, the
 * classifier called in the same order), yielding each batch with its probabilities in order.
 * @example
 * ```ts
 * const classify = createMessageClassifier(bundle);
 * for await (const { messages, probabilities } of classifyMessages(readExport("export/"), classify)) {
 *   console.log(messages[0]?.text, probabilities.subarray(0, 3));
 * }
 * classify.close();
 * ```
 */
export async function* classifyMessages(
  messages: AsyncIterable<ChatMessage> | Iterable<ChatMessage>,
  classify: MessageClassifier,
  options: ClassifyMessagesOptions = {},
): AsyncGenerator<ClassifiedBatch> {
  const batchSize = options.batchSize ?? 4096;
  const concurrency = options.concurrency ?? 1;
  for (const [name, value] of [["batch size", batchSize], ["concurrency", concurrency]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(
        `Cannot classify messages: ${name} must be a positive integer, got ${value}`,
      );
    }
  }
  const inFlight: { messages: ChatMessage[]; probabilities: Promise<Float32Array> }[] = [];
  const submit = (batch: ChatMessage[]) => {
    options.signal?.throwIfAborted();
    const probabilities = Promise.resolve(classify(batch));
    probabilities.catch(() => {}); // awaited below, in order
    inFlight.push({ messages: batch, probabilities });
  };
  let batch: ChatMessage[] = [];
  for await (const m of messages) {
    batch.push(m);
    if (batch.length < batchSize) continue;
    submit(batch);
    batch = [];
    while (inFlight.length >= concurrency) {
      const oldest = inFlight.shift()!;
      yield { messages: oldest.messages, probabilities: await oldest.probabilities };
    }
  }
  if (batch.length > 0) submit(batch);
  for (const { messages, probabilities } of inFlight.splice(0)) {
    yield { messages, probabilities: await probabilities };
  }
  options.signal?.throwIfAborted();
}

/** Options of {@linkcode classifyExport}. */
export interface ClassifyExportOptions extends ClassifyMessagesOptions {
  /** Output format. @default from the extension of `out` (`.jsonl`/`.ndjson`), else CSV */
  outputFormat?: "csv" | "jsonl";
  /** Decimals of the probabilities (as `deno task classify` writes them). @default 6 */
  digits?: number;
  /** Called after each batch is written, with the rows written so far. */
  onProgress?: (rows: number) => void;
}

/** What {@linkcode classifyExport} wrote. */
export interface ClassifyExportSummary {
  /** Rows written: one per message. */
  rows: number;
  /** Format written. */
  outputFormat: "csv" | "jsonl";
  /** Wall time of the whole call. */
  seconds: number;
  /** Predicted labels (the most probable class), counted. */
  predicted: Record<string, number>;
}

/**
 * Classifies every message of `messages` with `classify` (see {@linkcode classifyMessages}) and
 * writes one row per message in order: {@linkcode EXPORT_COLUMNS} then `predicted`,
 * `p_question`, `p_answer`, `p_comment`. A path `out` is written atomically (temp file + rename:
 * nothing is left behind on an error or an abort); a stream gets rows as they come.
 * @throws {TypeError} when `out` is a folder
 * @example
 * ```ts
 * const stats = emptyReadStats();
 * const classify = createMessageClassifier(bundle);
 * await classifyExport(readExport("export/", { stats }), classify, "labels.csv");
 * classify.close();
 * ```
 */
export async function classifyExport(
  messages: AsyncIterable<ChatMessage> | Iterable<ChatMessage>,
  classify: MessageClassifier,
  out: string | WritableStream<Uint8Array>,
  options: ClassifyExportOptions = {},
): Promise<ClassifyExportSummary> {
  const started = performance.now();
  const outputFormat = options.outputFormat ??
    (typeof out === "string" && /\.(jsonl|ndjson)$/i.test(out) ? "jsonl" : "csv");
  const fixed = fixedFormatter(options.digits ?? 6);
  if (typeof out === "string") await checkOutput("", undefined, out);
  const sink = await openSink(out);
  const encoder = new TextEncoder();
  const counts = new Array<number>(LABELS.length).fill(0);
  let rows = 0;
  try {
    // the header goes with the first rows, so a stream gets nothing when reading fails at once
    const header = outputFormat === "csv"
      ? [...EXPORT_COLUMNS, ...PREDICTION_COLUMNS].join(",") + "\n"
      : "";
    for await (
      const { messages: batch, probabilities: p } of classifyMessages(
        messages,
        classify,
        options,
      )
    ) {
      let chunk = rows === 0 ? header : "";
      for (let i = 0; i < batch.length; i++) {
        const m = batch[i]!;
        const k = LABELS.length;
        const best = argmax(p, i * k, k);
        counts[best]!++;
        const [pq, pa, pc] = PREDICTION_CLASSES.map((c) => fixed(p[i * k + c]!));
        const fields = [m.messageId, m.channel, m.userName, m.timestamp, m.replyTo, m.text];
        if (outputFormat === "csv") {
          chunk += fields.map((f) => csvField(f ?? "")).join(",") +
            `,${LABELS[best]},${pq},${pa},${pc}\n`;
        } else {
          const record: Record<string, string | number | null> = {};
          EXPORT_COLUMNS.forEach((column, c) => (record[column] = fields[c]!));
          record.predicted = LABELS[best]!;
          record.p_question = Number(pq);
          record.p_answer = Number(pa);
          record.p_comment = Number(pc);
          chunk += JSON.stringify(record) + "\n";
        }
      }
      await sink.write(encoder.encode(chunk));
      rows += batch.length;
      options.onProgress?.(rows);
    }
    if (rows === 0) await sink.write(encoder.encode(header));
    await sink.commit();
  } catch (error) {
    await sink.abort();
    throw error;
  }
  return {
    rows,
    outputFormat,
    seconds: (performance.now() - started) / 1000,
    predicted: Object.fromEntries(LABELS.map((l, c) => [l, counts[c]!])),
  };
}
