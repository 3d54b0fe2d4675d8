/**
 * Batch classification of a whole file — CSV, JSONL or one message per line — streamed in
 * batches so memory stays constant, with every output row in input order.
 * @module
 */

import { dirname, join } from "node:path";
import { explainWriteError, makeFolder } from "../data/atomic.ts";
import { type CsvProblem, tooLongMessage } from "../data/csv.ts";
import {
  batches,
  detectFormat,
  openCsvStream,
  readJsonlRows,
  readTextRowChunks,
  rebatch,
  type StreamFormat,
  type StreamRow,
} from "../data/stream.ts";
import { LABELS } from "../data/types.ts";
import { MAX_TEXT_LENGTH } from "../features/builtin.ts";
import type { ModelBundle } from "../model/bundle.ts";
import type { WeightsBundle } from "../model/bundle_files.ts";
import { createSparsePredictor, isSparseEmbedder, predictMatrix, SparseMlp } from "./sparse.ts";
import { createSparsePool, type SparsePool } from "./sparse_pool.ts";

/** The columns classification adds to each row, in this order. */
export const PREDICTION_COLUMNS = ["predicted", "p_question", "p_answer", "p_comment"] as const;

/**
 * Probabilities `n × 3` in {@linkcode LABELS} order for a batch of texts. One that computes on
 * worker threads may also `help`: called before its caller waits for the oldest batch it asked
 * for, it computes some of the work in flight on the caller's thread and returns true, or
 * returns false when there is nothing left to do but wait; `draining`: the caller will ask for
 * no more (see `SparsePool.help`).
 */
export type BatchPredictor =
  & ((texts: readonly string[]) => Float32Array | Promise<Float32Array>)
  & { help?: (draining?: boolean) => boolean };

/** Options of {@linkcode createBatchPredictor}. */
export interface BatchPredictorOptions {
  /** Worker threads for the sparse path besides this one (0: this thread only). A batch goes to
   * a worker holding fewer than `queue` batches, else runs here, so `workers + 1` threads
   * compute; pair with `concurrency` in {@linkcode classifyFile}. Ignored for dense embedders.
   * @default 0 */
  workers?: number;
  /** Batches a worker may hold at once: with 2, the next one waits beside the one it computes,
   * so it never idles while this thread reads, writes or computes a batch of its own; pair with
   * a `concurrency` of at least `workers × queue + 1`. @default 1 */
  queue?: number;
  /** This thread featurizes every batch, straight into the kernel's shared memory, and the
   * workers only compute (`createSparsePool`'s `stage`): less CPU in all (the featurizer warms
   * up in one thread, not each), where this thread has little else to do. @default false */
  stage?: boolean;
}

/**
 * A {@linkcode BatchPredictor} that may hold worker threads: `close()` ends them. `route` says
 * how it computes, e.g. "sparse wasm" or "sparse wasm + 1 worker" (benchmarks check it).
 */
export type ClosableBatchPredictor = BatchPredictor & { close(): void; route: string };

/**
 * The fastest way to get probabilities from `bundle`: the sparse first-layer path when its
 * embedder has sparse features (builtin) — in this thread, and with `workers`, also on worker
 * threads — else the embedder's dense vectors through the same kernel (`predictMatrix`). A
 * {@linkcode WeightsBundle} (from `loadWeightsBundle`) never loads tfjs.
 */
export function createBatchPredictor(
  bundle: ModelBundle | WeightsBundle,
  options: BatchPredictorOptions = {},
): ClosableBatchPredictor {
  const recipe = bundle.metadata?.context?.recipe;
  const queue = options.queue ?? 1;
  if (!Number.isInteger(queue) || queue < 1) {
    throw new RangeError(
      `Cannot create batch predictor: queue must be a positive integer, got ${queue}`,
    );
  }
  if (recipe) {
    // a context model reads each text alone here (empty context); conversation files go
    // through `predictRows` (lib/infer/context.ts)
    const alone = async (texts: readonly string[]) =>
      (await import("./context.ts")).predictAlone(bundle, texts);
    const pool = options.workers && isSparseEmbedder(bundle.embedder)
      ? createSparsePool(bundle, {
        workers: options.workers,
        context: recipe,
        stage: options.stage,
      })
      : undefined;
    const kind = `${isSparseEmbedder(bundle.embedder) ? "sparse" : "dense"} wasm`;
    if (!pool) {
      return Object.assign(alone, {
        close: () => {},
        route: `${kind} (context model, each text alone)`,
      });
    }
    return Object.assign(
      (texts: readonly string[]) => (usePool(pool, queue) ? pool.predict(texts) : alone(texts)),
      {
        close: pool.close,
        help: pool.help,
        route: `${kind} + ${pool.size} worker${
          pool.size === 1 ? "" : "s"
        } (context model, each text alone)`,
      },
    );
  }
  const local = createSparsePredictor(bundle);
  if (!local) {
    if ("model" in bundle) {
      return Object.assign(
        async (texts: readonly string[]) =>
          (await import("./predict.ts")).predictProbabilities(bundle, texts),
        { close: () => {}, route: "tfjs" },
      );
    }
    const mlp = new SparseMlp(bundle.weights);
    const { embedder } = bundle;
    return Object.assign(
      async (texts: readonly string[]) =>
        predictMatrix(mlp, {
          kind: "dense",
          rows: texts.length,
          dimension: embedder.dimension,
          data: await embedder.embed(texts),
        }),
      { close: () => {}, route: "dense wasm" },
    );
  }
  const pool = options.workers
    ? createSparsePool(bundle, { workers: options.workers, stage: options.stage })
    : undefined;
  if (!pool) return Object.assign(local, { close: () => {}, route: "sparse wasm" });
  return Object.assign(
    (texts: readonly string[]) => (usePool(pool, queue) ? pool.predict(texts) : local(texts)),
    {
      close: pool.close,
      help: pool.help,
      route: `sparse wasm + ${pool.size} worker${pool.size === 1 ? "" : "s"}`,
    },
  );
}

/**
 * Whether a batch goes to the pool: always when the pool computes batches this thread has
 * featurized (`stage`: this thread featurizes every batch anyway, and computing one here too
 * would only lengthen the longer of the two threads' work), else when a worker holds fewer
 * than `queue` batches, counting those
 * sent while it starts (it takes them once ready; a pool that failed to start takes the batch
 * and reports why). Waiting for "ready" instead starved the worker: this thread notices a
 * worker's messages only between its own batches, and computed 2.9 s of batches against the
 * worker's 1.3 s (CPU profiles of 100k messages, load 5), against 1.9 s and 2.0 s this way.
 */
function usePool(pool: SparsePool, queue: number): boolean {
  return pool.staged || pool.busy < pool.size * queue;
}

/** Options of {@linkcode classifyFile}. */
export interface ClassifyFileOptions {
  /** Input format. @default from the extension of `input` (see `detectFormat`) */
  inputFormat?: StreamFormat;
  /** Output format; a text input gives CSV. @default from the extension of `out`, else the input's */
  outputFormat?: "csv" | "jsonl";
  /** Field holding the message. @default "text", or "message" when a CSV has no "text" column */
  textColumn?: string;
  /** Rows per prediction batch (a quarter of that in the last tenth of an input of known
   * size, so the threads finish together). @default 2048 */
  batchSize?: number;
  /** Batches being predicted at once while later ones are read; more than 1 pays off only
   * with a predictor on worker threads (`createBatchPredictor(bundle, { workers })`).
   * @default 1 */
  concurrency?: number;
  /** Called after each batch with bytes read, the input's size in bytes, and rows written. */
  onProgress?: (bytesRead: number, totalBytes: number, rows: number) => void;
  /** Called for each input row that could not be read (it is skipped). */
  onProblem?: (problem: CsvProblem) => void;
  /** Decimals of the probabilities. @default 6 */
  digits?: number;
  /** Stops between batches; the temp output is removed and the promise rejects. */
  signal?: AbortSignal;
  /** Bytes to read instead of opening `input`, which then only names them (e.g. "stdin"). */
  source?: ReadableStream<Uint8Array>;
  /**
   * Predicts from whole rows instead of texts: when given, the whole input is read first and
   * predicted in one call (a message's context may be any earlier row), then written in input
   * order. `lib/infer/context.ts` builds one for conversation files.
   */
  predictRows?: (rows: readonly StreamRow[], texts: readonly string[]) => Promise<Float32Array>;
}

/** What {@linkcode classifyFile} did. */
export interface ClassifyFileSummary {
  /** Rows written. */
  rows: number;
  /** Rows that could not be read, with their lines (also passed to `onProblem`). */
  problems: number;
  /** Format the input was read as. */
  inputFormat: StreamFormat;
  /** Format the output was written as. */
  outputFormat: "csv" | "jsonl";
  /** Wall time of the whole call. */
  seconds: number;
  /** Label counts of the predictions. */
  predicted: Record<string, number>;
}

/**
 * Classifies every message of `input` and writes the input's fields plus `predicted`,
 * `p_question`, `p_answer`, `p_comment`, row for row in input order. A path `out` is written
 * atomically (temp file + rename); a stream (e.g. `Deno.stdout.writable`) is written as rows come.
 * @throws {SyntaxError} when a CSV input has no text column
 * @example
 * ```ts
 * await classifyFile(createSparsePredictor(bundle)!, "chat.csv", "chat.classified.csv");
 * ```
 */
export async function classifyFile(
  predict: BatchPredictor,
  input: string,
  out: string | WritableStream<Uint8Array>,
  options: ClassifyFileOptions = {},
): Promise<ClassifyFileSummary> {
  const started = performance.now();
  const inputFormat = options.inputFormat ?? detectFormat(input);
  const outputFormat = options.outputFormat ??
    (typeof out === "string" && detectFormat(out) !== "text"
      ? detectFormat(out) as "csv" | "jsonl"
      : inputFormat === "jsonl"
      ? "jsonl"
      : "csv");
  const batchSize = options.predictRows ? Number.MAX_SAFE_INTEGER : options.batchSize ?? 2048;
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(
      `Cannot classify "${input}": concurrency must be a positive integer, got ${concurrency}`,
    );
  }
  const fixed = fixedFormatter(options.digits ?? 6);
  const inputInfo = options.source === undefined ? await Deno.stat(input) : undefined;
  const totalBytes = inputInfo?.size ?? 0;
  if (typeof out === "string") await checkOutput(input, inputInfo, out);
  let bytesRead = 0;
  let problems = 0;
  const streamOptions = {
    source: options.source,
    onBytes: (b: number) => bytesRead = b,
    onProblem: (p: CsvProblem) => {
      problems++;
      options.onProblem?.(p);
    },
  };

  // rows one by one (JSONL), or (text, CSV) a read chunk's worth at once
  let rows: AsyncIterable<StreamRow> | undefined;
  let rowChunks: AsyncIterable<StreamRow[]> | undefined;
  let columns: string[] | undefined;
  let textColumn = options.textColumn ?? "text";
  if (inputFormat === "csv") {
    const csv = await openCsvStream(input, streamOptions);
    if (options.textColumn === undefined && !csv.header.includes("text")) textColumn = "message";
    if (!csv.header.includes(textColumn)) {
      throw new SyntaxError(
        `Cannot classify "${input}": no column "${textColumn}" (header: ${csv.header.join(",")})`,
      );
    }
    columns = csv.header;
    rowChunks = csv.rowChunks;
  } else if (inputFormat === "jsonl") {
    rows = readJsonlRows(input, streamOptions);
  } else {
    textColumn = "text";
    columns = ["text"];
    rowChunks = readTextRowChunks(input, streamOptions);
  }

  const sink = await openSink(out);
  const encoder = new TextEncoder();
  const counts = new Array<number>(LABELS.length).fill(0); // per label, in LABELS order
  let written = 0;
  const writeBatch = async (batch: StreamRow[], probabilities: Float32Array) => {
    let chunk = "";
    if (outputFormat === "csv" && columns === undefined) {
      columns = Object.keys(batch[0]!.values);
    }
    if (written === 0 && outputFormat === "csv") {
      chunk += [...columns!, ...PREDICTION_COLUMNS].map(csvField).join(",") + "\n";
    }
    const k = LABELS.length;
    for (let i = 0; i < batch.length; i++) {
      const best = argmax(probabilities, i * k, k);
      const label = LABELS[best]!;
      counts[best]!++;
      const pQuestion = fixed(probabilities[i * k + QUESTION]!);
      const pAnswer = fixed(probabilities[i * k + ANSWER]!);
      const pComment = fixed(probabilities[i * k + COMMENT]!);
      const values = batch[i]!.values;
      if (outputFormat === "csv") {
        let line = "";
        for (const c of columns!) line += csvField(stringValue(values[c])) + ",";
        chunk += `${line}${label},${pQuestion},${pAnswer},${pComment}\n`;
      } else {
        chunk += JSON.stringify({
          ...values,
          predicted: label,
          p_question: Number(pQuestion),
          p_answer: Number(pAnswer),
          p_comment: Number(pComment),
        }) + "\n";
      }
    }
    await sink.write(encoder.encode(chunk));
    written += batch.length;
    options.onProgress?.(bytesRead, totalBytes, written);
  };
  // Batches in flight, oldest first: output order is input order whatever finishes first.
  const inFlight: { batch: StreamRow[]; probabilities: Promise<Float32Array> }[] = [];
  try {
    // the last tenth of an input of known size goes in quarter batches, so the threads
    // computing the batches still in flight at the end finish together
    const taper = Math.ceil(batchSize / 4);
    // the first batch is short, so a worker starts sooner, but holds the texts word rows are
    // picked from (2048, lib/infer/word_rows.ts): the same words, the same numbers. Not with
    // `predictRows`: it reads the whole file at once, each message with its conversation.
    let first = options.predictRows ? 0 : Math.min(batchSize, 2048);
    const size = () =>
      first || (totalBytes > 0 && bytesRead > 0.9 * totalBytes ? taper : batchSize);
    // JSONL has no header: its message field is found, and checked, on the rows themselves
    const checkText = rows && textFieldChecker(
      options.textColumn,
      (column) => {
        textColumn = column;
      },
      input,
      streamOptions.onProblem,
    );
    for await (let batch of rowChunks ? rebatch(rowChunks, size) : batches(rows!, size)) {
      first = 0;
      options.signal?.throwIfAborted();
      if (checkText) batch = checkText(batch);
      if (batch.length === 0) continue;
      const texts = batch.map((r) => stringValue(r.values[textColumn]));
      let probabilities: Promise<Float32Array>;
      try {
        probabilities = Promise.resolve(
          options.predictRows ? options.predictRows(batch, texts) : predict(texts),
        ).catch((error) => {
          throw rowError(error, input, batch, texts);
        });
      } catch (error) {
        probabilities = Promise.reject(rowError(error, input, batch, texts));
      }
      probabilities.catch(() => {}); // awaited below in order; must not count as unhandled
      inFlight.push({ batch, probabilities });
      while (inFlight.length >= concurrency) {
        const oldest = inFlight.shift()!;
        while (predict.help?.()); // compute later batches here rather than wait idle
        await writeBatch(oldest.batch, await oldest.probabilities);
      }
    }
    for (const { batch, probabilities } of inFlight.splice(0)) {
      while (predict.help?.(true)); // no more batches: the threads finish together
      await writeBatch(batch, await probabilities);
    }
    options.signal?.throwIfAborted();
    if (written === 0 && outputFormat === "csv" && columns !== undefined) {
      await sink.write(encoder.encode([...columns, ...PREDICTION_COLUMNS].join(",") + "\n"));
    }
    await sink.commit();
  } catch (error) {
    await sink.abort();
    throw error;
  }
  // the end, with the size now known when it was not (stdin, a pipe: totalBytes 0)
  const end = Math.max(totalBytes, bytesRead);
  options.onProgress?.(end, end, written);
  return {
    rows: written,
    problems,
    inputFormat,
    outputFormat,
    seconds: (performance.now() - started) / 1000,
    predicted: Object.fromEntries(LABELS.map((l, c) => [l, counts[c]!])),
  };
}

/**
 * For JSONL batches: the message field is `text`, else `message` (unless `textColumn` names it),
 * checked as a CSV's header is — the first row must have it: without that check a file of
 * `{"content": …}` lines was classified as empty messages, all "comment". A later row without
 * the field as text is left out through `onProblem` with its line.
 * @throws {SyntaxError} when the first row has no such field
 */
function textFieldChecker(
  textColumn: string | undefined,
  onColumn: (column: string) => void,
  input: string,
  onProblem: (problem: CsvProblem) => void,
): (batch: StreamRow[]) => StreamRow[] {
  let column = textColumn;
  let first = true;
  return (batch) => {
    if (column === undefined) {
      const values = batch[0]!.values;
      column = !("text" in values) && "message" in values ? "message" : "text";
      onColumn(column);
    }
    if (first && !(column in batch[0]!.values)) {
      throw new SyntaxError(
        `Cannot classify "${input}": line ${batch[0]!.line} has no "${column}" field (fields: ${
          Object.keys(batch[0]!.values).join(", ")
        }); name the message's field with --text-column`,
      );
    }
    first = false;
    const field = column;
    const ok = (row: StreamRow) => {
      const text = row.values[field];
      return typeof text === "string" || typeof text === "number";
    };
    if (batch.every(ok)) return batch;
    return batch.filter((row) => {
      if (ok(row)) return true;
      const text = row.values[field];
      onProblem({ line: row.line, reason: `no text in "${field}" (${JSON.stringify(text)})` });
      return false;
    });
  };
}

/**
 * `error` as it concerns the file: a message too long to featurize names its line (the
 * featurizer knows no lines, and "Cannot featurize text" alone leaves the user to search a
 * file of millions of rows). Looked up only once a batch failed: no work for a good batch.
 */
function rowError(
  error: unknown,
  input: string,
  batch: readonly StreamRow[],
  texts: readonly string[],
): unknown {
  if (!(error instanceof RangeError) || !error.message.startsWith("Cannot featurize text")) {
    return error;
  }
  const i = texts.findIndex((text) => text.length > MAX_TEXT_LENGTH);
  if (i === -1) return error;
  return new RangeError(
    `Cannot classify "${input}": ${tooLongMessage(batch[i]!.line, texts[i]!.length)}`,
  );
}

const QUESTION = LABELS.indexOf("question");
const ANSWER = LABELS.indexOf("answer");
const COMMENT = LABELS.indexOf("comment");
/** The classes of `p_question`, `p_answer` and `p_comment`, as indices of `LABELS`. */
export const PREDICTION_CLASSES = [QUESTION, ANSWER, COMMENT] as const;

/**
 * `(x) => x.toFixed(digits)` for the float32 values of a `Float32Array`, the same strings ~2.5x
 * faster where `0 ≤ x ≤ 1` and `digits` is 1 to 8 (300k probabilities: ~16 ms against ~44;
 * three a row were ~5% of a 100k-message run's main thread): such an x times 10^digits is
 * exact in a double (24 + 27 bits of significand), so `Math.round` — halves up — picks the
 * n toFixed picks (the nearer, or the larger of two), whose digits come from tables.
 */
export function fixedFormatter(digits: number): (x: number) => string {
  if (!(Number.isInteger(digits) && digits >= 1 && digits <= 8)) return (x) => x.toFixed(digits);
  const low = Math.floor(digits / 2);
  const lowScale = 10 ** low;
  const scale = 10 ** digits;
  // every number of `width` digits, zero-padded ("" alone for none)
  const padded = (width: number) =>
    Array.from(
      { length: 10 ** width },
      (_, i) => width === 0 ? "" : String(i).padStart(width, "0"),
    );
  const highs = padded(digits - low);
  const lows = padded(low);
  const one = "1." + "0".repeat(digits);
  return (x) => {
    if (!(x >= 0 && x <= 1)) return x.toFixed(digits);
    const n = Math.round(x * scale);
    if (n === scale) return one;
    const high = Math.floor(n / lowScale);
    return "0." + highs[high]! + lows[n - high * lowScale]!;
  };
}

/** Index of the largest of `p[at .. at + k)`, from 0 (first wins ties, like argmax). */
export function argmax(p: Float32Array, at: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (p[at + c]! > p[at + best]!) best = c;
  return best;
}

/** A field as text: strings as they are, absent as "", anything else as JSON. */
function stringValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * RFC 4180 quoting: only fields holding a quote, comma or line break are quoted. By hand, not
 * csv-stringify: on 100k output rows that took 470-755 ms against 186-222 ms here (~8% of a whole
 * classify run); a test pins this output to csv-stringify's byte for byte.
 */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** An output being written: bytes in order, then committed (or abandoned). */
export interface Sink {
  write(bytes: Uint8Array): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Refuses an output that is a folder or the input itself (same device and inode). */
export async function checkOutput(
  input: string,
  inputInfo: Deno.FileInfo | undefined,
  out: string,
): Promise<void> {
  const info = await Deno.stat(out).catch(() => undefined);
  if (info?.isDirectory) {
    throw new TypeError(
      `Cannot write "${out}": it is a folder; name a file, e.g. "${join(out, "classified.csv")}"`,
    );
  }
  if (
    info !== undefined && inputInfo !== undefined && info.ino !== null &&
    info.ino === inputInfo.ino && info.dev === inputInfo.dev
  ) {
    throw new TypeError(
      `Cannot classify "${input}": the output "${out}" is the input file; write to another file`,
    );
  }
}

/** A file written beside its target and renamed on commit, or a caller's stream. */
export async function openSink(out: string | WritableStream<Uint8Array>): Promise<Sink> {
  if (typeof out !== "string") {
    const writer = out.getWriter();
    return {
      write: (bytes) => writer.write(bytes),
      commit: async () => {
        await writer.ready;
        writer.releaseLock();
      },
      abort: () => Promise.resolve(writer.releaseLock()),
    };
  }
  await makeFolder(dirname(out));
  const tmp = `${out}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  const file = await Deno.open(tmp, { write: true, createNew: true }).catch((error) => {
    throw explainWriteError(error, out);
  });
  let open = true;
  const close = () => {
    if (open) file.close();
    open = false;
  };
  return {
    write: async (bytes) => {
      let offset = 0;
      try {
        while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
      } catch (error) {
        throw explainWriteError(error, out);
      }
    },
    commit: async () => {
      try {
        await file.sync(); // on disk before the rename makes it the output
        close();
        await Deno.rename(tmp, out);
      } catch (error) {
        throw explainWriteError(error, out);
      }
    },
    abort: async () => {
      close();
      await Deno.remove(tmp).catch(() => {});
    },
  };
}
