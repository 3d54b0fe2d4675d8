/**
 * `deno task generate`: writes labelled conversations to a CSV, with the built-in offline
 * generator (default) or an LLM through LangChain (`--provider`). Wiring only: flags and
 * environment variables are read here and passed to lib/.
 * @module
 */

import { parseArgs } from "node:util";
import { writeConversations } from "../lib/data/csv.ts";
import { generateBuiltin } from "../lib/data/generate/builtin.ts";
import { formatStructure, measureStructure } from "../lib/data/generate/structure.ts";
import { formatSummary, generateWithLlm } from "../lib/data/generate/llm/generate.ts";
import type { ClassMix } from "../lib/data/generate/llm/prompt.ts";
import {
  API_KEY_VARIABLES,
  BASE_URL_VARIABLES,
  createChatModel,
  DEFAULT_MODELS,
  isProvider,
  type Provider,
  PROVIDERS,
} from "../lib/data/generate/llm/providers.ts";

import { progressBar } from "./_progress.ts";

const HELP = `Usage: deno task generate [flags]

Writes labelled chat conversations (question / answer / comment) to a CSV.
Without --provider, the built-in offline generator is used (seeded, no network).
With --provider, an LLM writes them; the run appends to --out and resumes where it stopped.

Flags:
  --provider NAME     LLM provider: ${PROVIDERS.join(", ")} (default: built-in generator)
  --model NAME        model name (defaults: ${
  PROVIDERS.map((p) => `${p} ${DEFAULT_MODELS[p]}`).join(", ")
})
  --count N           conversations the file should hold (built-in default 1200 stream windows, LLM 100)
  --seed N            seed of every random choice (default 42)
  --out PATH          output CSV (default data/conversations.csv)
  --mix Q,A,C         target share of questions, answers, comments (default 0.15,0.15,0.7)
  --concurrency N     LLM requests in flight (default 4)
  --timeout-ms MS     per-request timeout (default 60000)
  --max-retries N     retries on rate limits, 5xx, network errors, timeouts (default 5)
  --temperature T     sampling temperature, 0-2 (default 0.9)
  --base-url URL      API base URL (else ${
  PROVIDERS.map((p) => BASE_URL_VARIABLES[p]).filter(Boolean).join(" / ")
})
  -h, --help          show this help

Keys come from the environment and are never printed:
  ${PROVIDERS.map((p) => `${p}: ${API_KEY_VARIABLES[p] ?? "none needed"}`).join(", ")}

Examples:
  deno task generate --count 2500
  GROQ_API_KEY=... deno task generate --provider groq --count 200 --out data/llm.csv
`;

/** Flags after parsing and checking. */
export interface GenerateArgs {
  help: boolean;
  provider: Provider | null;
  model?: string;
  count?: number;
  seed: number;
  out: string;
  mix?: ClassMix;
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
  temperature?: number;
  baseUrl?: string;
}

/**
 * Parses command-line flags.
 * @throws {TypeError} for an unknown or malformed flag.
 * @throws {RangeError} for a value out of range or an unknown provider (lists the allowed ones).
 */
export function parseGenerateArgs(args: readonly string[]): GenerateArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: "boolean", short: "h" },
        provider: { type: "string" },
        model: { type: "string" },
        count: { type: "string" },
        seed: { type: "string" },
        out: { type: "string" },
        mix: { type: "string" },
        concurrency: { type: "string" },
        "timeout-ms": { type: "string" },
        "max-retries": { type: "string" },
        temperature: { type: "string" },
        "base-url": { type: "string" },
      },
    }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message.split(". ")[0] : String(error);
    throw new TypeError(`Cannot parse flags: ${message} (see --help)`);
  }
  const provider = values.provider as string | undefined;
  if (provider !== undefined && !isProvider(provider)) {
    throw new RangeError(
      `Cannot use --provider "${provider}": unknown provider (allowed: ${PROVIDERS.join(", ")})`,
    );
  }
  const str = (name: string) => values[name] as string | undefined;
  return {
    help: values.help === true,
    provider: provider ?? null,
    model: str("model"),
    count: integerFlag("count", str("count"), 1),
    seed: integerFlag("seed", str("seed"), 0) ?? 42,
    out: str("out") ?? "data/conversations.csv",
    mix: mixFlag(str("mix")),
    concurrency: integerFlag("concurrency", str("concurrency"), 1) ?? 4,
    timeoutMs: integerFlag("timeout-ms", str("timeout-ms"), 1) ?? 60_000,
    maxRetries: integerFlag("max-retries", str("max-retries"), 0) ?? 5,
    temperature: temperatureFlag(str("temperature")),
    baseUrl: str("base-url"),
  };
}

function integerFlag(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new RangeError(`Cannot use --${name} "${value}": expected an integer >= ${min}`);
  }
  return n;
}

function temperatureFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = Number(value);
  if (value.trim() === "" || !Number.isFinite(t) || t < 0 || t > 2) {
    throw new RangeError(`Cannot use --temperature "${value}": expected a number from 0 to 2`);
  }
  return t;
}

/** `--mix 0.15,0.15,0.7` → shares of question, answer, comment (normalised). */
function mixFlag(value: string | undefined): ClassMix | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(",").map((p) => Number(p.trim()));
  const sum = parts.reduce((s, p) => s + p, 0);
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0) || !(sum > 0)) {
    throw new RangeError(
      `Cannot use --mix "${value}": expected three non-negative numbers for question,answer,comment (e.g. 0.15,0.15,0.7)`,
    );
  }
  const [question, answer, comment] = parts.map((p) => p / sum) as [number, number, number];
  return { question, answer, comment };
}

/** Where {@linkcode main} reads the environment and writes lines (tests pass their own). */
export interface MainIo {
  env: (name: string) => string | undefined;
  print: (line: string) => void;
  /** Cancels an LLM run (the CLI wires SIGINT to it). */
  signal?: AbortSignal;
  /** Progress callback; the CLI draws a bar on stderr. */
  onProgress?: (done: number, total: number) => void;
}

/** Runs the task; returns the exit code (0 ok, 1 error, 2 bad flags, 130 interrupted). */
export async function main(args: readonly string[], io: MainIo): Promise<number> {
  let parsed: GenerateArgs;
  try {
    parsed = parseGenerateArgs(args);
  } catch (error) {
    io.print(error instanceof Error ? error.message : String(error));
    return 2;
  }
  if (parsed.help) {
    io.print(HELP);
    return 0;
  }
  try {
    if (parsed.provider === null) return await runBuiltin(parsed, io);
    return await runLlm(parsed, parsed.provider, io);
  } catch (error) {
    io.print(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

async function runBuiltin(args: GenerateArgs, io: MainIo): Promise<number> {
  const started = performance.now();
  const messages = generateBuiltin({ conversations: args.count, seed: args.seed, mix: args.mix });
  await writeConversations(args.out, messages);
  const structure = measureStructure(messages);
  io.print(
    [
      `built-in generator, seed ${args.seed}`,
      `conversations: ${structure.streams} written to ${args.out} (channel stream windows)`,
      `messages:      ${messages.length}`,
      formatStructure(structure),
      `time:          ${((performance.now() - started) / 1000).toFixed(1)} s`,
    ].join("\n"),
  );
  return 0;
}

async function runLlm(args: GenerateArgs, provider: Provider, io: MainIo): Promise<number> {
  const keyVariable = API_KEY_VARIABLES[provider];
  const baseUrlVariable = BASE_URL_VARIABLES[provider];
  const model = await createChatModel({
    provider,
    model: args.model,
    apiKey: keyVariable ? io.env(keyVariable) : undefined,
    baseUrl: args.baseUrl ?? (baseUrlVariable ? io.env(baseUrlVariable) : undefined),
    temperature: args.temperature,
  });
  io.print(`${provider} ${args.model ?? DEFAULT_MODELS[provider]} → ${args.out}`);
  const summary = await generateWithLlm(model, {
    out: args.out,
    count: args.count ?? 100,
    seed: args.seed,
    mix: args.mix,
    concurrency: args.concurrency,
    timeoutMs: args.timeoutMs,
    maxRetries: args.maxRetries,
    signal: io.signal,
    onProgress: io.onProgress,
    onNote: (note) => io.print(note),
  });
  io.print(formatSummary(summary));
  return summary.interrupted ? 130 : 0;
}

if (import.meta.main) {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  Deno.addSignalListener("SIGINT", onSigint);
  const code = await main(Deno.args, {
    env: (name) => Deno.env.get(name),
    print: (line) => console.log(line),
    signal: controller.signal,
    onProgress: progressBar("generate", 0),
  });
  Deno.removeSignalListener("SIGINT", onSigint);
  Deno.exit(code);
}
