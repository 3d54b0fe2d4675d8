/**
 * What the benchmarks share: running a command under `/usr/bin/time -v` (wall time, CPU time,
 * peak RSS, the load it ran under) and checking that a `deno task classify` run did what a
 * benchmark claims it measured.
 * @module
 */

import { exists } from "./_cli.ts";

/** fastText settings: its defaults plus word bigrams and a bucket count that keeps the model small. */
export const FASTTEXT_ARGS = ["-wordNgrams", "2", "-bucket", "200000"];

/** The middle of `xs` (the mean of the two middle values when their count is even). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** fastText's usual preprocessing: lowercase, punctuation as separate tokens, one line. */
export function fastTextLine(text: string): string {
  return text.toLowerCase().replace(/([.!?,'/()])/g, " $1 ").replace(/\s+/g, " ").trim();
}

/** Installs a Debian package when missing, if allowed and possible; returns whether `bin` exists. */
export async function ensureTool(bin: string, pkg: string, install: boolean): Promise<boolean> {
  if (await exists(bin) || await which(bin)) return true;
  if (!install) return false;
  console.log(`bench: ${bin} not found; trying apt-get install -y ${pkg}`);
  const result = await new Deno.Command("apt-get", {
    args: ["install", "-y", pkg],
    stdout: "null",
    stderr: "piped",
  }).output().catch(() => undefined);
  if (!result?.success) {
    console.log(`bench: could not install ${pkg} (${result ? "apt-get failed" : "no apt-get"})`);
    return false;
  }
  return Boolean(await exists(bin) || await which(bin));
}

async function which(name: string): Promise<string | undefined> {
  const out = await new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "piped" })
    .output().catch(() => undefined);
  const path = out?.success ? new TextDecoder().decode(out.stdout).trim() : "";
  return path || undefined;
}

/** One timed run of a command. */
export interface Timed {
  /** Wall seconds. */
  seconds: number;
  /** 1-minute load average when the run started (other work on the machine). */
  load: number;
  /** User + system CPU seconds of the process (all its threads), from /usr/bin/time. */
  cpuSeconds: number | null;
  /** Peak resident memory, from /usr/bin/time. */
  peakRssMiB: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command, timing it and (with `timeTool`, i.e. /usr/bin/time) reading its CPU time and
 * peak RSS; `stdoutFile` receives its standard output.
 * @throws {Error} when the command fails, with the end of its stderr
 */
export async function runTimed(
  cmd: string[],
  options: { stdoutFile?: string; timeTool: boolean },
): Promise<Timed> {
  const timeFile = await Deno.makeTempFile({ suffix: ".time" });
  const quoted = cmd.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const redirect = options.stdoutFile ? ` > '${options.stdoutFile}'` : "";
  const shell = `exec ${quoted}${redirect}`;
  const argv = options.timeTool
    ? ["/usr/bin/time", "-v", "-o", timeFile, "sh", "-c", shell]
    : ["sh", "-c", shell];
  const load = Deno.loadavg()[0]!;
  const started = performance.now();
  const output = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  let peakRssMiB: number | null = null;
  let cpuSeconds: number | null = null;
  if (options.timeTool) {
    const report = await Deno.readTextFile(timeFile).catch(() => "");
    const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
    if (match) peakRssMiB = Number(match[1]) / 1024;
    const user = /User time \(seconds\): ([\d.]+)/.exec(report);
    const system = /System time \(seconds\): ([\d.]+)/.exec(report);
    if (user && system) cpuSeconds = Number(user[1]) + Number(system[1]);
  }
  await Deno.remove(timeFile).catch(() => {});
  if (!output.success) {
    throw new Error(`Cannot run ${cmd.join(" ")}: exit ${output.code}\n${stderr.slice(-2000)}`);
  }
  return { seconds, load, cpuSeconds, peakRssMiB, stdout, stderr };
}

/** What {@linkcode checkClassifyRun} expects of a run. */
export interface ClassifyExpectation {
  /** Messages in the input file. */
  messages: number;
  /** The `runId` of the model the run was given. */
  runId: string;
  /** The route must start with this. @default "sparse wasm" */
  route?: string;
}

/**
 * Checks from `deno task classify`'s summary line and its output file that the run read and
 * wrote every message, used the model it was given and took the fast route; returns the route.
 * @throws {Error} "Cannot trust the classify run: …" when any of it does not hold
 */
export async function checkClassifyRun(
  stderr: string,
  outFile: string,
  expected: ClassifyExpectation,
): Promise<string> {
  const line =
    /classified (\d+) messages .*; model (\S+) loaded in [\d.]+s; route (.+)\)(?:, \d+ unreadable rows skipped)?: /
      .exec(stderr);
  const outRows = (await Deno.readTextFile(outFile)).split("\n").length - 2; // header, last \n
  const fail = (why: string) => new Error(`Cannot trust the classify run: ${why}`);
  if (!line) throw fail(`no summary line in its output:\n${stderr.slice(-500)}`);
  if (Number(line[1]) !== expected.messages || outRows !== expected.messages) {
    throw fail(`${line[1]} classified, ${outRows} rows written, ${expected.messages} expected`);
  }
  if (line[2] !== expected.runId) {
    throw fail(`it loaded model ${line[2]}, not ${expected.runId}`);
  }
  const route = line[3]!;
  if (!route.startsWith(expected.route ?? "sparse wasm")) {
    throw fail(`it used route "${route}", not ${expected.route ?? "sparse wasm"}`);
  }
  return route;
}

/**
 * Times `deno task classify` of `input` (one message a line) with the model in `modelDir`,
 * writing `outFile`, and checks it with {@linkcode checkClassifyRun}; returns the run and route.
 */
export async function timeClassify(
  modelDir: string,
  input: string,
  outFile: string,
  expected: ClassifyExpectation,
  timeTool: boolean,
): Promise<{ run: Timed; route: string }> {
  const run = await runTimed([
    Deno.execPath(),
    "run",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-sys",
    "tasks/classify.ts",
    "--model",
    modelDir,
    "--in",
    input,
    "--out",
    outFile,
    "--quiet",
  ], { timeTool });
  return { run, route: await checkClassifyRun(run.stderr, outFile, expected) };
}

/**
 * Times `fasttext predict-prob` of `input` with `model` (.bin), writing `outFile`, and checks it
 * wrote a line per message.
 * @throws {Error} "Cannot trust the fastText run: …" when it did not
 */
export async function timeFastTextPredict(
  model: string,
  input: string,
  outFile: string,
  messages: number,
  timeTool: boolean,
): Promise<Timed> {
  const run = await runTimed(["fasttext", "predict-prob", `${model}.bin`, input, "3"], {
    timeTool,
    stdoutFile: outFile,
  });
  const lines = (await Deno.readTextFile(outFile)).trimEnd().split("\n").length;
  if (lines !== messages) {
    throw new Error(`Cannot trust the fastText run: ${lines} lines out, ${messages} expected`);
  }
  return run;
}
