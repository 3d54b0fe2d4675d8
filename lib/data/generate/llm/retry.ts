/**
 * What to do when a model call fails: sort the error into retry-worthy or not, and wait with
 * exponential backoff and jitter.
 * @module
 */

import type { Prng } from "../../random.ts";

/**
 * - `rate_limit`: HTTP 429 — retry after a backoff (or the server's `retry-after`).
 * - `transient`: 5xx, 408, network failures — retry after a backoff.
 * - `timeout`: our per-request timeout fired — retry after a backoff.
 * - `invalid`: the model answered but the output is not a valid conversation — retry a few
 *   times, then skip the conversation.
 * - `fatal`: retrying cannot help (bad key, unknown model, forbidden) — stop the run.
 * - `aborted`: the caller cancelled — stop quietly.
 */
export type FailureKind = "rate_limit" | "transient" | "timeout" | "invalid" | "fatal" | "aborted";

/** The verdict of {@linkcode classifyError}. */
export interface Failure {
  kind: FailureKind;
  /** Short reason for counts and logs; never contains request headers or keys. */
  reason: string;
  /** Server-requested wait, from a `retry-after` header, when there was one. */
  retryAfterMs?: number;
}

/** Thrown by the generator's own validation of model output. */
export class InvalidOutputError extends Error {
  /** Creates the error; `reason` says which rule failed. */
  constructor(reason: string) {
    super(`Cannot use model output: ${reason}`);
    this.name = "InvalidOutputError";
  }
}

/** Thrown when the per-request timeout fires. */
export class RequestTimeoutError extends Error {
  /** Creates the error for a timeout of `ms` milliseconds. */
  constructor(ms: number) {
    super(`Cannot finish model request: no answer within ${ms} ms`);
    this.name = "RequestTimeoutError";
  }
}

const NETWORK_PATTERN =
  /fetch failed|network|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|socket|connection (error|refused|reset)|error sending request|Connection error/i;

/**
 * Sorts an error thrown by a LangChain model call (OpenAI/Groq/Anthropic SDK errors carry
 * `status`; Google's put "[429 Too Many Requests]" in the message; output parsers throw
 * `OutputParserException` or a zod error).
 */
export function classifyError(error: unknown): Failure {
  const e = (error ?? {}) as Record<string, unknown>;
  const name = typeof e.name === "string" ? e.name : "";
  const message = error instanceof Error ? error.message : String(error);
  const short = message.split("\n")[0]!.slice(0, 160);
  if (error instanceof RequestTimeoutError) return { kind: "timeout", reason: "timeout" };
  if (name === "AbortError") return { kind: "aborted", reason: "aborted" };
  if (name === "TimeoutError") return { kind: "timeout", reason: "timeout" };
  if (
    error instanceof InvalidOutputError || name === "OutputParserException" ||
    name === "ZodError" || name === "$ZodError" || error instanceof SyntaxError ||
    e.lc_error_code === "OUTPUT_PARSING_FAILURE"
  ) {
    return { kind: "invalid", reason: `invalid output: ${short}` };
  }
  const status = statusOf(e, message);
  if (status === 429) {
    return { kind: "rate_limit", reason: "HTTP 429", retryAfterMs: retryAfterMs(e.headers) };
  }
  if (status !== undefined && (status >= 500 || status === 408 || status === 409)) {
    return { kind: "transient", reason: `HTTP ${status}`, retryAfterMs: retryAfterMs(e.headers) };
  }
  // Groq answers 400 "tool_use_failed" when the model wrote a malformed function call.
  if (status === 400 && /tool_use_failed|failed to call a function|json/i.test(message)) {
    return { kind: "invalid", reason: `invalid output: HTTP 400 ${short}` };
  }
  if (status !== undefined) return { kind: "fatal", reason: `HTTP ${status}: ${short}` };
  if (
    name === "APIConnectionError" || name === "APIConnectionTimeoutError" ||
    NETWORK_PATTERN.test(message) || NETWORK_PATTERN.test(name)
  ) {
    return { kind: "transient", reason: `network: ${describeNetworkError(error)}` };
  }
  return { kind: "fatal", reason: `${name || "Error"}: ${short}` };
}

/**
 * The real cause of a connection failure, one line: SDKs wrap it ("Connection error.") and keep
 * the system's message ("tcp connect error: Connection refused") in `cause`.
 */
function describeNetworkError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    const line = message.split("\n")[0]!.trim().slice(0, 200);
    if (line && !parts.some((p) => p.includes(line))) parts.push(line);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(": ") || "connection failed";
}

/** HTTP status of an SDK error, or one quoted in its message ("[429 Too Many Requests]"). */
function statusOf(e: Record<string, unknown>, message: string): number | undefined {
  for (const value of [e.status, (e.response as Record<string, unknown> | undefined)?.status]) {
    if (typeof value === "number" && value >= 400 && value < 600) return value;
  }
  const quoted = message.match(/\[(4\d\d|5\d\d)[ \]]|\b(?:status|code)[: ]+(4\d\d|5\d\d)\b/i);
  const found = quoted?.[1] ?? quoted?.[2];
  return found ? Number(found) : undefined;
}

/** Milliseconds from a `retry-after` header (seconds or an HTTP date), if any. */
function retryAfterMs(headers: unknown): number | undefined {
  let value: string | null | undefined;
  if (headers instanceof Headers) value = headers.get("retry-after");
  else if (headers && typeof headers === "object") {
    const raw = (headers as Record<string, unknown>)["retry-after"];
    value = typeof raw === "string" ? raw : undefined;
  }
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Options of {@linkcode backoffDelay}. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. @default 1000 */
  baseMs?: number;
  /** Upper bound of any delay. @default 30000 */
  maxMs?: number;
}

/**
 * Delay before retry number `attempt` (0-based): `base · 2^attempt`, capped, with "equal jitter"
 * (a uniform draw in its upper half) so concurrent workers do not retry in lockstep; at least the
 * server's `retry-after` when given (still capped).
 */
export function backoffDelay(
  attempt: number,
  prng: Prng,
  options: BackoffOptions & { retryAfterMs?: number } = {},
): number {
  const base = options.baseMs ?? 1000;
  const max = options.maxMs ?? 30_000;
  const exponential = Math.min(max, base * 2 ** attempt);
  const jittered = exponential / 2 + prng() * exponential / 2;
  return Math.round(Math.min(max, Math.max(jittered, options.retryAfterMs ?? 0)));
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
