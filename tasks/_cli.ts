/**
 * Small helpers shared by the command-line entry points: flag parsing with clear errors and
 * one-line failure messages instead of stack traces. Private to tasks/.
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * Flag definitions in node:util's format plus a help line per flag, and for a string flag the
 * placeholder `--help` shows for its value (inferred when absent, see {@linkcode placeholderOf}).
 */
export type FlagSpec = Record<
  string,
  {
    type: "string" | "boolean";
    short?: string;
    default?: string | boolean;
    help: string;
    placeholder?: string;
  }
>;

/** Parses `args` against `spec`; prints help and exits on `--help`; throws on unknown flags. */
export function parseFlags(
  args: string[],
  spec: FlagSpec,
  usage: string,
): Record<string, string | boolean | undefined> {
  const options: ParseArgsConfig["options"] = { help: { type: "boolean", short: "h" } };
  for (const [name, flag] of Object.entries(spec)) {
    // node:util rejects an explicit `short: undefined`, so only set the keys that have values.
    options[name] = {
      type: flag.type,
      ...(flag.short === undefined ? {} : { short: flag.short }),
      ...(flag.default === undefined ? {} : { default: flag.default }),
    };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args, options, allowPositionals: false, strict: true }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (error) {
    throw new TypeError(
      `${error instanceof Error ? error.message : String(error)} (see --help)`,
    );
  }
  if (values.help) {
    console.log(formatHelp(spec, usage));
    Deno.exit(0);
  }
  return values;
}

/** Renders `--help` text. */
export function formatHelp(spec: FlagSpec, usage: string): string {
  const lefts = Object.entries(spec).map(([name, flag]) =>
    `  --${name}${flag.type === "string" ? ` ${placeholderOf(name, flag)}` : ""}`
  );
  const width = Math.max(28, ...lefts.map((left) => left.length + 1));
  const lines = Object.entries(spec).map(([_name, flag], i) => {
    const left = lefts[i]!;
    const def = flag.default !== undefined && flag.default !== false
      ? ` (default: ${flag.default})`
      : "";
    return `${left.padEnd(width)} ${flag.help}${def}`;
  });
  return [usage, "", "Options:", ...lines, `${"  --help".padEnd(width)} show this help`].join("\n");
}

/**
 * The value placeholder of a string flag in `--help`: its own `placeholder`, else `N` for a
 * numeric default, `FILE.csv` for data files, `DIR` for folders, else the flag name in capitals.
 */
export function placeholderOf(name: string, flag: FlagSpec[string]): string {
  if (flag.placeholder !== undefined) return flag.placeholder;
  if (
    typeof flag.default === "string" && flag.default !== "" && Number.isFinite(Number(flag.default))
  ) {
    return "N";
  }
  if (name === "data" || name === "in" || flag.default?.toString().endsWith(".csv")) {
    return "FILE.csv";
  }
  if (name.endsWith("-dir") || name === "dir") return "DIR";
  return name.toUpperCase().replaceAll("-", "_");
}

/** `--workers`: 0 (this thread only) up to 64 threads, as `deno task serve` allows. */
export const WORKERS_RANGE: FlagRange = { min: 0, max: 64, integer: true };

/** Bounds a numeric flag must keep; see {@linkcode numberFlag}. */
export interface FlagRange {
  /** Smallest value allowed. */
  min?: number;
  /** Largest value allowed. */
  max?: number;
  /** Whether only whole numbers are allowed. @default false */
  integer?: boolean;
}

/**
 * Reads a numeric flag, or `undefined` when absent.
 * @throws {TypeError} when the value is not a number
 * @throws {RangeError} when it is outside `range` (`--workers=-1` would otherwise fail deep
 * inside with a message about something the user never set)
 */
export function numberFlag(
  values: Record<string, string | boolean | undefined>,
  name: string,
  range: FlagRange = {},
): number | undefined {
  const raw = values[name];
  if (raw === undefined || typeof raw === "boolean") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    throw new TypeError(`Cannot read --${name}: "${raw}" is not a number`);
  }
  const { min, max, integer = false } = range;
  if (
    (integer && !Number.isInteger(value)) || (min !== undefined && value < min) ||
    (max !== undefined && value > max)
  ) {
    const kind = integer ? "an integer" : "a number";
    const bounds = min !== undefined && max !== undefined
      ? ` in ${min}..${max}`
      : min !== undefined
      ? ` >= ${min}`
      : max !== undefined
      ? ` <= ${max}`
      : "";
    throw new RangeError(`Cannot use --${name} "${raw}": expected ${kind}${bounds}`);
  }
  return value;
}

/**
 * Checks that `dir` is a model folder before `load` reads it, so a missing folder says what to
 * do and a file given as --model gets a line rather than the system's "Not a directory (os
 * error 20)"; the loader checks the folder's files.
 */
export async function loadModel<T>(dir: string, load: (dir: string) => Promise<T>): Promise<T> {
  const info = await Deno.stat(dir).catch(() => undefined);
  if (info === undefined) {
    throw new Deno.errors.NotFound(
      `Cannot load model "${dir}": the folder does not exist; train one with \`deno task train\`, ` +
        "or name one with --model",
    );
  }
  if (!info.isDirectory) {
    throw new TypeError(
      `Cannot load model "${dir}": it is a file; --model takes a model folder (metadata.json, ` +
        "model.json, weights.bin)",
    );
  }
  return await load(dir);
}

/** Runs `main`, turning any thrown error into one line on stderr and exit code 1. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message}`);
    if (Deno.env.get("QAC_DEBUG")) console.error(error);
    Deno.exit(1);
  }
}

/** Whether a path exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** The real chat vendored in the repository (Molweni, Apache-2.0): evaluation only. */
export const VENDORED_REAL_EVAL_DIR: string = new URL("../data/real", import.meta.url).pathname;

/**
 * The hand-written judge sets (J4, `data/judges/README.md`): not real chat, not generated by this
 * project's generator; evaluation only.
 */
export const JUDGES_DIR: string = new URL("../data/judges", import.meta.url).pathname;

/** `../shared/data/real` beside the repository, if present (evaluation data, never trained on). */
export function defaultRealEvalDir(): string {
  return new URL("../../shared/data/real", import.meta.url).pathname;
}
