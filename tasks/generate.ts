/**
 * `deno task generate`: writes labelled channel streams to a CSV (or a DiscordChatExporter JSON
 * export), with the built-in offline generator (default) or an LLM through LangChain
 * (`--provider`). Wiring only: flags and environment variables are read here and passed to lib/.
 * @module
 */

import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { explainWriteError, makeFolder } from "../lib/data/atomic.ts";
import { CONVERSATION_COLUMNS, messageRow } from "../lib/data/csv.ts";
import {
  type AnswerStyle,
  type CasualStyle,
  DEFAULT_ANSWERS,
  DEFAULT_CASUAL,
  DEFAULT_CONVERSATIONS,
  generateWindows,
  type HangoutMode,
} from "../lib/data/generate/builtin.ts";
import { DiscordExportWriter } from "../lib/data/generate/discord_export.ts";
import { formatSummary, generateWithLlm } from "../lib/data/generate/llm/generate.ts";
import type { ClassMix } from "../lib/data/generate/channels.ts";
import {
  API_KEY_VARIABLES,
  BASE_URL_VARIABLES,
  createChatModel,
  DEFAULT_MODELS,
  isProvider,
  type Provider,
  PROVIDERS,
} from "../lib/data/generate/llm/providers.ts";
import { formatStructure, StructureMeter } from "../lib/data/generate/structure.ts";
import { type FlagSpec, formatHelp, parseFlags } from "./_cli.ts";
import { progressBar } from "./_progress.ts";
import type { Message } from "../lib/data/types.ts";

/** Output formats of the built-in generator. */
export const FORMATS = ["csv", "discord-json"] as const;

/** One of {@linkcode FORMATS}. */
export type Format = typeof FORMATS[number];

const FLAGS: FlagSpec = {
  provider: {
    type: "string",
    help: `LLM provider: ${PROVIDERS.join(", ")} (default: built-in generator)`,
  },
  model: {
    type: "string",
    help: `model name (defaults: ${PROVIDERS.map((p) => `${p} ${DEFAULT_MODELS[p]}`).join(", ")})`,
  },
  count: {
    type: "string",
    help:
      `N stream windows (conversations) to write (built-in default ${DEFAULT_CONVERSATIONS}, about 22 messages each; LLM default 100)`,
  },
  conversations: { type: "string", help: "deprecated name of --count" },
  seed: { type: "string", help: "seed of every random choice (default 42)" },
  format: {
    type: "string",
    help: `${
      FORMATS.join(" or ")
    }: discord-json writes a DiscordChatExporter export (built-in only)`,
  },
  out: {
    type: "string",
    help:
      "output CSV (default data/conversations.csv); with discord-json a folder (default data/discord)",
  },
  mix: {
    type: "string",
    help: "Q,A,C target shares of questions, answers, comments (default 0.15,0.15,0.7)",
  },
  exchanges: {
    type: "boolean",
    help:
      "built-in: also write two-person exchanges (backchannel after statements, bare yes/no answers to personal questions); off by default, bench/QUALITY_LOG.md round 6",
  },
  hangout: {
    type: "string",
    placeholder: "on|off|questions|channels|extra",
    help:
      "built-in: also write #introductions, #off-topic and personal small talk outside help threads (default: off), bench/QUALITY_LOG.md round 7; questions: only the personal question threads (no introductions, no news/mood talk); channels: all of it, but only in #introductions and #off-topic (round 8); extra: all of it in every 7th window, the others without it (round 9)",
  },
  answers: {
    type: "string",
    placeholder: "plain|framed|framed-replies",
    help:
      `built-in: how help answers are written (default: ${DEFAULT_ANSWERS}); plain: one line of the conversation library (before round 9); framed: also as advice ("you can ..."), with a closing sentence or a second option, some in two messages; framed-replies: framed, and the thanks, reports and reactions around them in longer forms now and then (bench/QUALITY_LOG.md round 9)`,
  },
  casual: {
    type: "string",
    placeholder: "paired|paired-help|pooled",
    help:
      `built-in: how casual questions are answered (default: ${DEFAULT_CASUAL}); paired: by a reply that fits the question (a place, a time, an offer, the concept explained) or an "idk"; paired-help: paired, but casual questions asking for technical help mostly get a help line; pooled: by any line of the question kind's pools; both paired styles scored lower on the LLM-written chat (bench/QUALITY_LOG.md round 10)`,
  },
  concurrency: { type: "string", help: "LLM requests in flight (default 4)" },
  "timeout-ms": { type: "string", help: "per-request timeout in ms (default 60000)" },
  "max-retries": {
    type: "string",
    help: "retries on rate limits, 5xx, network errors, timeouts (default 5)",
  },
  temperature: { type: "string", help: "sampling temperature, 0-2 (default 0.9)" },
  "base-url": {
    type: "string",
    help: `API base URL (else ${
      PROVIDERS.map((p) => BASE_URL_VARIABLES[p]).filter(Boolean).join(" / ")
    })`,
  },
};

const USAGE = `Usage: deno task generate [options]

Writes labelled chat (question / answer / comment) as channel streams: several threads
interleave in each stream window, with the truth (thread_id, answers) in extra columns.
Without --provider, the built-in offline generator is used (seeded, no network).
With --provider, an LLM writes them; the run appends to --out and resumes where it stopped.

Keys come from the environment and are never printed:
  ${PROVIDERS.map((p) => `${p}: ${API_KEY_VARIABLES[p] ?? "none needed"}`).join(", ")}

Examples:
  deno task generate --count 1200
  deno task generate --format discord-json --count 50 --out data/discord
  GROQ_API_KEY=... deno task generate --provider groq --count 200 --out data/llm.csv`;

/** The help text. */
export const HELP: string = formatHelp(FLAGS, USAGE);

/** Flags after parsing and checking. */
export interface GenerateArgs {
  help: boolean;
  provider: Provider | null;
  model?: string;
  count?: number;
  seed: number;
  format: Format;
  out: string;
  mix?: ClassMix;
  /** Built-in generator: also write two-person exchanges. */
  exchanges: boolean;
  /** Built-in generator: also write the hangout channels and personal small talk (which part). */
  hangout: HangoutMode;
  /** Built-in generator: how help answers are written. */
  answers: AnswerStyle;
  /** Built-in generator: how casual questions are answered (unset: the generator's default). */
  casual?: CasualStyle;
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
  temperature?: number;
  baseUrl?: string;
  /** Notes for the user (deprecated flags). */
  notes: string[];
}

/**
 * Parses command-line flags (through tasks/_cli.ts, like the other tasks).
 * @throws {TypeError} for an unknown or malformed flag.
 * @throws {RangeError} for a value out of range or an unknown provider or format (lists the
 * allowed ones).
 */
export function parseGenerateArgs(args: readonly string[]): GenerateArgs {
  const defaults = {
    seed: 42,
    format: "csv" as Format,
    out: "data/conversations.csv",
    concurrency: 4,
    timeoutMs: 60_000,
    maxRetries: 5,
    exchanges: false,
    hangout: false,
    answers: DEFAULT_ANSWERS as AnswerStyle,
    notes: [],
  };
  // parseFlags answers --help itself and exits; main() prints the help instead, so tests and
  // callers keep control.
  if (args.includes("--help") || args.includes("-h")) {
    return { help: true, provider: null, ...defaults };
  }
  const values = parseFlags([...args], FLAGS, USAGE);
  const str = (name: string) => values[name] as string | undefined;
  const provider = str("provider");
  if (provider !== undefined && !isProvider(provider)) {
    throw new RangeError(
      `Cannot use --provider "${provider}": unknown provider (allowed: ${PROVIDERS.join(", ")})`,
    );
  }
  const format = str("format") ?? "csv";
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new RangeError(
      `Cannot use --format "${format}": unknown format (allowed: ${FORMATS.join(", ")})`,
    );
  }
  if (format === "discord-json" && provider !== undefined) {
    throw new RangeError(
      `Cannot use --format discord-json with --provider: the LLM path writes CSV only`,
    );
  }
  const notes: string[] = [];
  let count = integerFlag("count", str("count"), 1);
  const alias = integerFlag("conversations", str("conversations"), 1);
  if (alias !== undefined) {
    notes.push("--conversations is deprecated: use --count");
    count ??= alias;
  }
  return {
    help: false,
    provider: provider ?? null,
    model: str("model"),
    count,
    seed: integerFlag("seed", str("seed"), 0) ?? defaults.seed,
    format: format as Format,
    out: str("out") ?? (format === "discord-json" ? "data/discord" : defaults.out),
    mix: mixFlag(str("mix")),
    exchanges: values.exchanges === true,
    hangout: hangoutFlag(str("hangout")) ?? defaults.hangout,
    answers: answersFlag(str("answers")) ?? defaults.answers,
    casual: casualFlag(str("casual")),
    concurrency: integerFlag("concurrency", str("concurrency"), 1) ?? defaults.concurrency,
    timeoutMs: integerFlag("timeout-ms", str("timeout-ms"), 1) ?? defaults.timeoutMs,
    maxRetries: integerFlag("max-retries", str("max-retries"), 0) ?? defaults.maxRetries,
    temperature: temperatureFlag(str("temperature")),
    baseUrl: str("base-url"),
    notes,
  };
}

function integerFlag(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < min) {
    throw new RangeError(`Cannot use --${name} "${value}": expected an integer >= ${min}`);
  }
  return n;
}

/** `--hangout on|off|questions|channels|extra` → the generator's hangout mode. */
function hangoutFlag(value: string | undefined): HangoutMode | undefined {
  if (value === undefined) return undefined;
  if (value === "on" || value === "off") return value === "on";
  if (value === "questions" || value === "channels" || value === "extra") return value;
  throw new RangeError(
    `Cannot use --hangout "${value}": expected on, off, questions, channels or extra`,
  );
}

/** `--answers plain|framed|framed-replies` → the generator's answer style. */
function answersFlag(value: string | undefined): AnswerStyle | undefined {
  if (
    value === undefined || value === "plain" || value === "framed" || value === "framed-replies"
  ) return value;
  throw new RangeError(
    `Cannot use --answers "${value}": expected plain, framed or framed-replies`,
  );
}

/** `--casual paired|paired-help|pooled` → how the generator answers casual questions. */
function casualFlag(value: string | undefined): CasualStyle | undefined {
  if (
    value === undefined || value === "paired" || value === "paired-help" || value === "pooled"
  ) return value;
  throw new RangeError(`Cannot use --casual "${value}": expected paired, paired-help or pooled`);
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
  for (const note of parsed.notes) io.print(note);
  try {
    if (parsed.provider === null) return await runBuiltin(parsed, io);
    return await runLlm(parsed, parsed.provider, io);
  } catch (error) {
    io.print(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

/** Where the built-in generator's windows go: a CSV or a Discord export. */
interface Sink {
  add(window: readonly Message[]): void;
  /** Finishes the output and puts it in place; returns what to print. */
  close(): Promise<string>;
  /** Removes everything written (an interrupted run leaves no partial output). */
  abort(): Promise<void>;
}

async function csvSink(path: string): Promise<Sink> {
  await makeFolder(join(path, ".."));
  if ((await Deno.stat(path).catch(() => undefined))?.isDirectory) {
    throw new TypeError(
      `Cannot write "${path}": it is a folder; name a CSV file, e.g. "${
        join(path, "conversations.csv")
      }"`,
    );
  }
  const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true }).catch(
    (error) => {
      throw explainWriteError(error, path);
    },
  );
  const encoder = new TextEncoder();
  let buffer = stringify([CONVERSATION_COLUMNS as unknown as string[]]);
  const flush = () => {
    const bytes = encoder.encode(buffer);
    let done = 0;
    while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
    buffer = "";
  };
  return {
    add(window) {
      buffer += stringify(window.map(messageRow));
      if (buffer.length > 1 << 20) flush();
    },
    async close() {
      flush();
      file.close();
      // a failed rename must not leave the finished temp file behind
      await Deno.rename(tmp, path).catch(async (error) => {
        await Deno.remove(tmp).catch(() => {});
        throw error;
      });
      return `written to ${path}`;
    },
    async abort() {
      try {
        file.close();
      } catch {
        // closed by a close() that failed after it
      }
      await Deno.remove(tmp).catch(() => {});
    },
  };
}

async function discordSink(dir: string, seed: number): Promise<Sink> {
  const writer = await DiscordExportWriter.open(dir, { seed });
  return {
    add: (window) => writer.add(window),
    async close() {
      const summary = await writer.close();
      const c = summary.counts;
      const channels = summary.files.length - c.thread;
      return `written to ${dir}: ${channels} channel and ${c.thread} thread files ` +
        `(DiscordChatExporter JSON) + truth.csv; extras: ${c.join} joins, ${c.bot} bot ` +
        `messages, ${c.pin} pins, ${c.attachment} attachment-only messages`;
    },
    abort: () => writer.abort(),
  };
}

async function runBuiltin(args: GenerateArgs, io: MainIo): Promise<number> {
  const started = performance.now();
  const count = args.count ?? DEFAULT_CONVERSATIONS;
  // Validates the options before anything is written.
  const windows = generateWindows({
    conversations: count,
    seed: args.seed,
    mix: args.mix,
    exchanges: args.exchanges,
    hangout: args.hangout,
    answers: args.answers,
    casual: args.casual,
  });
  const sink = args.format === "discord-json"
    ? await discordSink(args.out, args.seed)
    : await csvSink(args.out);
  const meter = new StructureMeter();
  io.print(`built-in generator, seed ${args.seed}: ${count} stream windows → ${args.out}`);
  let done = 0;
  try {
    for (const window of windows) {
      sink.add(window);
      meter.add(window);
      done++;
      // Let signals (Ctrl-C) and progress through between windows.
      if (done % 64 === 0) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        io.onProgress?.(done, count);
      }
      if (io.signal?.aborted) break;
    }
  } catch (error) {
    await sink.abort();
    // "the disk is full …" rather than "No space left on device (os error 28)"
    throw explainWriteError(error, args.out);
  }
  if (io.signal?.aborted) {
    await sink.abort();
    io.print(`interrupted after ${done} of ${count} windows: nothing written to ${args.out}`);
    return 130;
  }
  io.onProgress?.(count, count);
  // the last writes happen here: a disk that fills now is reported, and nothing is left behind,
  // as above
  const where = await sink.close().catch(async (error) => {
    await sink.abort();
    throw explainWriteError(error, args.out);
  });
  const structure = meter.report();
  io.print(
    [
      `conversations: ${structure.streams} channel stream windows ${where}`,
      `messages:      ${structure.messages}`,
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
  // A second Ctrl-C stops at once; the first one lets the run clean up its partial output.
  const onSigint = () => controller.signal.aborted ? Deno.exit(130) : controller.abort();
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
