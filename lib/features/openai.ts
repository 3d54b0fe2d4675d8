/**
 * OpenAI embeddings (`text-embedding-3-large` / `-small`, or any OpenAI-compatible server) with
 * batching, bounded concurrency and retries. A batch either comes back complete and in order
 * or the whole `embed` call throws: a row is never dropped or shifted.
 * @module
 */

import OpenAI from "openai";
import type { Embedder, EmbedderConfig, EmbedderRuntime, EmbedOptions } from "./embedder.ts";

/** Output sizes of the known models (before an optional `dimensions` shortening). */
export const OPENAI_MODEL_DIMENSIONS: Readonly<Record<string, number>> = {
  "text-embedding-3-large": 3072,
  "text-embedding-3-small": 1536,
  "text-embedding-ada-002": 1536,
};

/** The API's hard limit of inputs per request. */
export const MAX_INPUTS_PER_REQUEST = 2048;

/** Configuration of the OpenAI embedder; stored in model metadata (no secrets). */
export interface OpenAIEmbedderConfig extends EmbedderConfig {
  kind: "openai";
  /** @default "text-embedding-3-large" */
  model?: string;
  /** Shortened output size (text-embedding-3 only); required for models not in {@linkcode OPENAI_MODEL_DIMENSIONS}. */
  dimensions?: number;
  /** Inputs per request, at most 2048. @default 512 */
  batchSize?: number;
  /**
   * Estimated tokens per request. The estimate is the UTF-8 byte length (a BPE token covers at
   * least one byte, so it never undercounts); the API allows 300k per request. @default 200000
   */
  maxTokensPerRequest?: number;
  /** Requests in flight at once. @default 4 */
  concurrency?: number;
  /** Retries of one batch after a 429, 5xx or connection error. @default 6 */
  maxRetries?: number;
  /** First retry delay; doubles each time, capped at 30 s; a `retry-after` header wins. @default 1000 */
  retryDelayMs?: number;
}

/** One request's worth of rows: `[start, end)` of the input. */
export interface Batch {
  start: number;
  end: number;
}

/** Conservative token estimate of a text: its UTF-8 byte length (at least 1). */
export function estimateTokens(text: string): number {
  return Math.max(1, new TextEncoder().encode(text).length);
}

/**
 * Splits `texts` into consecutive batches of at most `maxInputs` texts and `maxTokens` estimated
 * tokens (a single longer text gets a batch of its own).
 */
export function planBatches(
  texts: readonly string[],
  maxInputs: number,
  maxTokens: number,
): Batch[] {
  const batches: Batch[] = [];
  let start = 0;
  let tokens = 0;
  for (let i = 0; i < texts.length; i++) {
    const t = estimateTokens(texts[i]!);
    if (i > start && (i - start >= maxInputs || tokens + t > maxTokens)) {
      batches.push({ start, end: i });
      start = i;
      tokens = 0;
    }
    tokens += t;
  }
  if (start < texts.length) batches.push({ start, end: texts.length });
  return batches;
}

function positiveInteger(config: EmbedderConfig, key: string, fallback: number, max = Infinity) {
  const value = config[key] ?? fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(
      `Cannot create OpenAI embedder: ${key} must be an integer in [1, ${max}], got ${
        JSON.stringify(value)
      }`,
    );
  }
  return value;
}

function nonNegativeInteger(config: EmbedderConfig, key: string, fallback: number) {
  const value = config[key] ?? fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `Cannot create OpenAI embedder: ${key} must be a non-negative integer, got ${
        JSON.stringify(value)
      }`,
    );
  }
  return value;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

function isRetryable(error: unknown): boolean {
  if (error instanceof OpenAI.APIUserAbortError) return false;
  if (error instanceof OpenAI.APIConnectionError) return true; // includes timeouts
  if (error instanceof OpenAI.APIError) {
    const status = error.status ?? 0;
    return status === 408 || status === 409 || status === 429 || status >= 500;
  }
  return false;
}

function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof OpenAI.APIError) || !error.headers) return undefined;
  const ms = Number(error.headers.get("retry-after-ms"));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const seconds = Number(error.headers.get("retry-after"));
  if (Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
  return undefined;
}

function describe(error: unknown): string {
  if (error instanceof OpenAI.APIError && error.status) {
    // the SDK's message already starts with the status, e.g. "429 Rate limit reached"
    return error.message.startsWith(`${error.status}`)
      ? `HTTP ${error.message}`
      : `HTTP ${error.status}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Embeds with the OpenAI embeddings endpoint. */
export class OpenAIEmbedder implements Embedder {
  readonly id: string;
  readonly dimension: number;
  readonly config: OpenAIEmbedderConfig;
  readonly model: string;
  readonly #client: OpenAI;
  readonly #dimensions: number | undefined;
  readonly #batchSize: number;
  readonly #maxTokens: number;
  readonly #concurrency: number;
  readonly #maxRetries: number;
  readonly #retryDelayMs: number;

  /**
   * @throws {Error} when no API key is given.
   * @throws {RangeError} for a bad option or a model whose size is unknown and not given.
   */
  constructor(config: EmbedderConfig, runtime: EmbedderRuntime = {}) {
    if (!runtime.apiKey) {
      throw new Error("Cannot create OpenAI embedder: OPENAI_API_KEY is not set");
    }
    const model = config.model ?? "text-embedding-3-large";
    if (typeof model !== "string" || model === "") {
      throw new RangeError(
        `Cannot create OpenAI embedder: model must be a model name, got ${JSON.stringify(model)}`,
      );
    }
    const native = OPENAI_MODEL_DIMENSIONS[model];
    const dimensions = config.dimensions === undefined
      ? undefined
      : positiveInteger(config, "dimensions", 0, native ?? Infinity);
    const dimension = dimensions ?? native;
    if (dimension === undefined) {
      throw new RangeError(
        `Cannot create OpenAI embedder: the output size of model "${model}" is unknown; set dimensions (known models: ${
          Object.entries(OPENAI_MODEL_DIMENSIONS).map(([m, d]) => `${m}=${d}`).join(", ")
        })`,
      );
    }
    this.model = model;
    this.dimension = dimension;
    this.#dimensions = dimensions;
    this.#batchSize = positiveInteger(config, "batchSize", 512, MAX_INPUTS_PER_REQUEST);
    this.#maxTokens = positiveInteger(config, "maxTokensPerRequest", 200_000, 300_000);
    this.#concurrency = positiveInteger(config, "concurrency", 4, 64);
    this.#maxRetries = nonNegativeInteger(config, "maxRetries", 6);
    this.#retryDelayMs = nonNegativeInteger(config, "retryDelayMs", 1000);
    // only identity goes into the config and id; tuning knobs are kept if the caller set them
    this.config = { ...config, kind: "openai", model, ...(dimensions ? { dimensions } : {}) };
    this.id = `openai-${model}-d${dimension}`;
    this.#client = new OpenAI({
      apiKey: runtime.apiKey,
      baseURL: runtime.baseUrl || undefined,
      maxRetries: 0, // retries are ours, per batch, so a failure names its rows
      ...(runtime.fetch ? { fetch: runtime.fetch } : {}),
    });
  }

  /**
   * Embeds `texts` in batches, `concurrency` requests at a time.
   * @throws {Error} naming the batch's rows when a batch still fails after the retries, or
   *   when the server's answer does not hold exactly one vector of the right size per input.
   */
  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array> {
    const out = new Float32Array(texts.length * this.dimension);
    const batches = planBatches(texts, this.#batchSize, this.#maxTokens);
    let next = 0;
    let done = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < batches.length) {
        const number = next++;
        const batch = batches[number]!;
        try {
          await this.#embedBatch(texts, batch, out, options.signal);
        } catch (error) {
          failed = true;
          if (error === options.signal?.reason) throw error;
          throw new Error(
            `Cannot embed rows ${batch.start}–${batch.end - 1} (batch ${
              number + 1
            }/${batches.length}) with OpenAI "${this.model}": ${describe(error)}`,
            { cause: error },
          );
        }
        done += batch.end - batch.start;
        options.onProgress?.(done, texts.length);
      }
    };
    const workers = Array.from({ length: Math.min(this.#concurrency, batches.length) }, worker);
    const results = await Promise.allSettled(workers);
    const rejection = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (rejection) throw rejection.reason;
    if (texts.length === 0) options.onProgress?.(0, 0);
    return out;
  }

  async #embedBatch(
    texts: readonly string[],
    { start, end }: Batch,
    out: Float32Array,
    signal?: AbortSignal,
  ): Promise<void> {
    // the API rejects empty strings; a single space embeds "nothing" the same way every time
    const input = texts.slice(start, end).map((t) => (t === "" ? " " : t));
    for (let attempt = 0;; attempt++) {
      signal?.throwIfAborted();
      try {
        const response = await this.#client.embeddings.create(
          {
            model: this.model,
            input,
            ...(this.#dimensions ? { dimensions: this.#dimensions } : {}),
          },
          { signal },
        );
        this.#place(response.data, input.length, start, out);
        return;
      } catch (error) {
        if (attempt >= this.#maxRetries || !isRetryable(error)) {
          if (attempt > 0 && isRetryable(error)) {
            throw new Error(`${describe(error)} (after ${attempt + 1} attempts)`, { cause: error });
          }
          throw error;
        }
        const backoff = Math.min(30_000, this.#retryDelayMs * 2 ** attempt);
        await sleep(retryAfterMs(error) ?? backoff, signal);
      }
    }
  }

  #place(
    data: readonly { index: number; embedding: ArrayLike<number> | string }[],
    count: number,
    start: number,
    out: Float32Array,
  ): void {
    if (!Array.isArray(data) || data.length !== count) {
      throw new TypeError(
        `the response holds ${
          Array.isArray(data) ? data.length : "no"
        } vectors for ${count} inputs`,
      );
    }
    const seen = new Uint8Array(count);
    for (const item of data) {
      const { index, embedding } = item;
      if (!Number.isInteger(index) || index < 0 || index >= count || seen[index]) {
        throw new TypeError(`the response has a missing, repeated or out-of-range index ${index}`);
      }
      if (typeof embedding === "string" || embedding.length !== this.dimension) {
        throw new TypeError(
          `the vector at index ${index} has ${
            typeof embedding === "string" ? "an undecoded" : embedding.length
          } values, expected ${this.dimension}`,
        );
      }
      seen[index] = 1;
      out.set(embedding, (start + index) * this.dimension);
    }
  }
}

/**
 * Creates an {@linkcode OpenAIEmbedder}; `runtime.apiKey` is required, `runtime.baseUrl` points
 * it at an OpenAI-compatible server (e.g. `http://127.0.0.1:8080/v1`).
 * @example
 * ```ts
 * const embedder = await createOpenAIEmbedder(
 *   { kind: "openai", model: "text-embedding-3-small" },
 *   { apiKey: Deno.env.get("OPENAI_API_KEY"), baseUrl: Deno.env.get("OPENAI_BASE_URL") },
 * );
 * ```
 */
export async function createOpenAIEmbedder(
  config: EmbedderConfig,
  runtime: EmbedderRuntime = {},
): Promise<Embedder> {
  return await Promise.resolve(new OpenAIEmbedder(config, runtime));
}
