/**
 * Generates labelled conversations with a LangChain chat model: varied seeded prompts,
 * structured output validated with zod, a concurrency limit, retries with backoff, per-request
 * timeouts, and a resumable CSV that grows by whole conversations.
 * @module
 */

import type { ChatModel } from "./providers.ts";
import type { LLMResult } from "@langchain/core/outputs";
import { createPrng } from "../../random.ts";
import { type Label, LABELS, type Message } from "../../types.ts";
import { openConversationLog } from "./output.ts";
import {
  type ClassMix,
  type ConversationPlan,
  loadPromptTemplate,
  planConversation,
  type PromptTemplate,
  renderPrompt,
} from "./prompt.ts";
import {
  backoffDelay,
  classifyError,
  type Failure,
  InvalidOutputError,
  RequestTimeoutError,
  sleep,
} from "./retry.ts";
import {
  conversationSchema,
  type LlmConversation,
  toMessages,
  validateConversation,
} from "./schema.ts";

/** Options of {@linkcode generateWithLlm}. */
export interface GenerateLlmOptions {
  /** CSV to append to (created with a header if missing). @default "data/conversations.csv" */
  out?: string;
  /** Conversations the file should hold when done, counting those already there. @default 100 */
  count?: number;
  /** Seed of prompt plans, timestamps and jitter. @default 42 */
  seed?: number;
  /** Target class mix the prompts vary around. @default DEFAULT_MIX (15/15/70) */
  mix?: ClassMix;
  /** Requests in flight at once. @default 4 */
  concurrency?: number;
  /** Per-request timeout in milliseconds. @default 60000 */
  timeoutMs?: number;
  /** Retries of a request after rate limits, 5xx, network errors and timeouts. @default 5 */
  maxRetries?: number;
  /** Retries of a request whose output failed validation, before skipping it. @default 2 */
  maxInvalidRetries?: number;
  /** Stop the run once this many conversations were skipped. @default 25 */
  maxSkipped?: number;
  /** First backoff delay in milliseconds (doubles per retry). @default 1000 */
  retryBaseMs?: number;
  /** Longest backoff delay in milliseconds. @default 30000 */
  retryMaxMs?: number;
  /** Prompt text. @default the parsed `lib/data/generate/prompt.md` */
  template?: PromptTemplate;
  /** Cancels the run; conversations already appended stay, the summary says `interrupted`. */
  signal?: AbortSignal;
  /** Called after each conversation is written (`done` counts the file's conversations). */
  onProgress?: (done: number, total: number) => void;
  /** Called on each retry and skip with a one-line note (never includes keys). */
  onNote?: (note: string) => void;
}

/** Token counts summed over calls that reported them (LangChain `usage_metadata`). */
export interface TokenUsage {
  /** Prompt tokens. */
  inputTokens: number;
  /** Completion tokens. */
  outputTokens: number;
  /** Prompt plus completion tokens, as reported. */
  totalTokens: number;
  /** Calls that reported usage (fake models do not). */
  calls: number;
}

/** What {@linkcode generateWithLlm} did. */
export interface GenerateSummary {
  /** The CSV file written to. */
  out: string;
  /** Conversations asked for in the file. */
  count: number;
  /** Conversations already in the file at the start. */
  existing: number;
  /** Conversations written by this run. */
  conversations: number;
  /** Messages written by this run. */
  messages: number;
  /** Messages written by this run, per label. */
  mix: Record<Label, number>;
  /** Requests given up on (invalid output after retries, or retries exhausted). */
  skipped: number;
  /** Why requests were skipped, with counts. */
  skipReasons: Record<string, number>;
  /** Retries by cause. */
  retries: {
    rateLimit: number;
    transient: number;
    timeout: number;
    invalid: number;
    total: number;
  };
  /** Tokens used by this run, as the provider reported them. */
  usage: TokenUsage;
  /** Model requests made (including retries). */
  requests: number;
  /** Wall-clock duration of the run, in seconds. */
  seconds: number;
  /** True when cancelled through `signal`. */
  interrupted: boolean;
  /** Set when the run stopped before reaching `count` for another reason. */
  stoppedBecause: string | null;
  /** Bytes cut from a torn tail when the file was opened. */
  repairedBytes: number;
}

type Outcome =
  | { ok: true; conversation: LlmConversation }
  | { ok: false; failure: Failure };

/**
 * Appends LLM-generated conversations to `options.out` until it holds `options.count`
 * conversations. Conversation `llm-000042` is always the answer to plan 42, so an interrupted
 * run resumes with exactly the missing plans. Invalid output is retried, then skipped and
 * counted, never written.
 * @throws {Error} `Cannot generate conversations: …` on an error retrying cannot fix (HTTP 401,
 * unknown model, a provider unreachable from the first request on), and when nothing could be
 * written; conversations written before it stay in the file.
 * @example
 * ```ts
 * const model = await createChatModel({ provider: "groq", apiKey });
 * const summary = await generateWithLlm(model, { count: 200, out: "data/conversations.csv" });
 * console.log(formatSummary(summary));
 * ```
 */
export async function generateWithLlm(
  model: ChatModel,
  options: GenerateLlmOptions = {},
): Promise<GenerateSummary> {
  const started = performance.now();
  const out = options.out ?? "data/conversations.csv";
  const count = options.count ?? 100;
  const seed = options.seed ?? 42;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxRetries = options.maxRetries ?? 5;
  const maxInvalidRetries = options.maxInvalidRetries ?? 2;
  const maxSkipped = options.maxSkipped ?? 25;
  const backoff = { baseMs: options.retryBaseMs ?? 1000, maxMs: options.retryMaxMs ?? 30_000 };
  const template = options.template ?? await loadPromptTemplate();
  const note = options.onNote ?? (() => {});
  const jitter = createPrng(seed ^ 0x5bd1e995);

  const log = await openConversationLog(out);
  const existing = log.existing.conversationIds.length;
  const summary: GenerateSummary = {
    out,
    count,
    existing,
    conversations: 0,
    messages: 0,
    mix: Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>,
    skipped: 0,
    skipReasons: {},
    retries: { rateLimit: 0, transient: 0, timeout: 0, invalid: 0, total: 0 },
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, calls: 0 },
    requests: 0,
    seconds: 0,
    interrupted: false,
    stoppedBecause: null,
    repairedBytes: log.existing.repairedBytes,
  };
  const foreign = log.existing.conversationIds.filter((id) => !id.startsWith("llm-")).length;
  if (foreign > 0) {
    note(
      `${foreign} conversations in "${out}" come from another generator; they count toward ${count}`,
    );
  }
  if (log.existing.droppedConversation) {
    note(`dropped conversation ${log.existing.droppedConversation}: cut short by an earlier crash`);
  }

  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let fatal: Failure | null = null;
  let lastFailure: Failure | null = null;
  // A conversation's id is its plan's index, whatever order requests finish in, so a resumed run
  // asks exactly the plans whose conversations are missing: none twice, none skipped.
  let nextPlan = 0;
  const takePlan = (): number => {
    while (log.existing.indices.has(nextPlan)) nextPlan++;
    return nextPlan++;
  };
  let inFlight = 0;
  let successes = 0;
  const structured = model.withStructuredOutput(conversationSchema, { name: "conversation" });
  const usageCallback = {
    handleLLMEnd(output: LLMResult) {
      const generation = output.generations[0]?.[0] as { message?: { usage_metadata?: unknown } };
      const usage = generation?.message?.usage_metadata as
        | { input_tokens?: number; output_tokens?: number; total_tokens?: number }
        | undefined;
      if (!usage) return;
      summary.usage.inputTokens += usage.input_tokens ?? 0;
      summary.usage.outputTokens += usage.output_tokens ?? 0;
      summary.usage.totalTokens += usage.total_tokens ??
        (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0);
      summary.usage.calls++;
    },
  };

  /** One model call with a timeout; the result is validated here, not trusted. */
  async function attempt(plan: ConversationPlan): Promise<LlmConversation> {
    const prompt = renderPrompt(template, plan);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new RequestTimeoutError(timeoutMs)), timeoutMs);
    const callSignal = AbortSignal.any([signal, timeout.signal]);
    summary.requests++;
    try {
      const call = structured.invoke([["system", prompt.system], ["human", prompt.user]], {
        signal: callSignal,
        callbacks: [usageCallback],
      });
      // Race the call so a model that ignores the signal still times out.
      const output = await raceAbort(call, callSignal);
      const validation = validateConversation(output);
      if (!validation.ok) throw new InvalidOutputError(validation.reason);
      return validation.conversation;
    } catch (error) {
      if (timeout.signal.aborted) throw timeout.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A request with its retries: resolves with a conversation or the last failure. */
  async function request(plan: ConversationPlan): Promise<Outcome> {
    let transientRetries = 0;
    let invalidRetries = 0;
    while (true) {
      let failure: Failure;
      try {
        return { ok: true, conversation: await attempt(plan) };
      } catch (error) {
        failure = classifyError(error);
      }
      if (signal.aborted) return { ok: false, failure: { kind: "aborted", reason: "aborted" } };
      if (failure.kind === "fatal" || failure.kind === "aborted") return { ok: false, failure };
      const budgetLeft = failure.kind === "invalid"
        ? invalidRetries++ < maxInvalidRetries
        : transientRetries++ < maxRetries;
      if (!budgetLeft) return { ok: false, failure };
      const key = failure.kind === "rate_limit" ? "rateLimit" : failure.kind;
      summary.retries[key as "rateLimit" | "transient" | "timeout" | "invalid"]++;
      summary.retries.total++;
      const delay = failure.kind === "invalid" ? 0 : backoffDelay(transientRetries - 1, jitter, {
        ...backoff,
        retryAfterMs: failure.retryAfterMs,
      });
      note(`retry conversation plan ${plan.index} after ${failure.reason} (wait ${delay} ms)`);
      try {
        await sleep(delay, signal);
      } catch {
        return { ok: false, failure: { kind: "aborted", reason: "aborted" } };
      }
    }
  }

  async function worker(): Promise<void> {
    while (!signal.aborted && existing + summary.conversations + inFlight < count) {
      const plan = planConversation(takePlan(), { seed, mix: options.mix });
      // A slot stays reserved until its conversation is written, so workers never overshoot.
      inFlight++;
      let outcome: Outcome;
      try {
        outcome = await request(plan);
        if (outcome.ok) {
          const messages = toMessages(outcome.conversation, plan.index, plan.channel, { seed });
          await log.append(messages);
          record(messages);
        }
      } finally {
        inFlight--;
      }
      if (outcome.ok) {
        options.onProgress?.(existing + summary.conversations, count);
        continue;
      }
      const { failure } = outcome;
      if (failure.kind === "aborted") return;
      lastFailure = failure;
      // Retries exhausted before anything ever worked (an unreachable or wrong provider): more
      // plans would fail the same way, so stop with the provider's own error.
      const unreachable = failure.kind !== "invalid" && summary.conversations === 0 &&
        successes === 0;
      if (failure.kind === "fatal" || unreachable) {
        fatal ??= failure;
        stop.abort();
        return;
      }
      summary.skipped++;
      summary.skipReasons[failure.reason] = (summary.skipReasons[failure.reason] ?? 0) + 1;
      note(`skip conversation plan ${plan.index}: ${failure.reason}`);
      if (summary.skipped >= maxSkipped) {
        summary.stoppedBecause ??= `${summary.skipped} conversations skipped (limit ${maxSkipped})`;
        stop.abort();
        return;
      }
    }
  }

  function record(messages: readonly Message[]): void {
    successes++;
    summary.conversations++;
    summary.messages += messages.length;
    for (const m of messages) summary.mix[m.messageType as Label]++;
  }

  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  summary.seconds = (performance.now() - started) / 1000;
  summary.interrupted = options.signal?.aborted ?? false;
  if (fatal !== null) {
    throw new Error(
      `Cannot generate conversations: ${(fatal as Failure).reason} ` +
        `(${summary.conversations} written to "${out}" before it)`,
    );
  }
  if (summary.conversations === 0 && lastFailure !== null && !summary.interrupted) {
    // Nothing written and every request failed: that is an error, not an empty success.
    throw new Error(
      `Cannot generate conversations: ${(lastFailure as Failure).reason} ` +
        `(${summary.skipped} skipped, nothing written to "${out}")`,
    );
  }
  return summary;
}

/** Rejects with the signal's reason as soon as it aborts, whatever `promise` does. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Renders a summary as a few human-readable lines. */
export function formatSummary(summary: GenerateSummary): string {
  const total = summary.messages || 1;
  const mix = LABELS.map((l) =>
    `${l} ${summary.mix[l]} (${(100 * summary.mix[l] / total).toFixed(1)}%)`
  ).join(", ");
  const reasons = Object.entries(summary.skipReasons).map(([r, n]) => `${n}× ${r}`).join("; ");
  const r = summary.retries;
  const u = summary.usage;
  const lines = [
    `conversations: ${summary.conversations} written, ${
      summary.existing + summary.conversations
    }/${summary.count} in ${summary.out}` +
    (summary.existing ? ` (${summary.existing} were there already)` : ""),
    `messages:      ${summary.messages}`,
    `class mix:     ${summary.messages ? mix : "-"}`,
    `skipped:       ${summary.skipped}${reasons ? ` (${reasons})` : ""}`,
    `retries:       ${r.total} (rate limit ${r.rateLimit}, transient ${r.transient}, ` +
    `timeout ${r.timeout}, invalid output ${r.invalid}); requests ${summary.requests}`,
    `tokens:        ${
      u.calls ? `${u.inputTokens} in + ${u.outputTokens} out = ${u.totalTokens}` : "not reported"
    }`,
    `time:          ${summary.seconds.toFixed(1)} s`,
  ];
  if (summary.repairedBytes > 0) {
    lines.push(`repaired:      cut ${summary.repairedBytes} bytes of a torn tail`);
  }
  if (summary.interrupted) lines.push("interrupted:   run again with the same flags to resume");
  if (summary.stoppedBecause) lines.push(`stopped:       ${summary.stoppedBecause}`);
  return lines.join("\n");
}
