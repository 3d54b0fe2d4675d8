/**
 * Serves the classifier over HTTP. Start it with `deno task serve [--model DIR]`, which grants
 * this process read access to the model, its data and the page only (tasks/serve.ts).
 * Wiring only — flags and env in, paths checked, model loaded, {@linkcode createHandler} handed
 * to {@linkcode serveHttp1}, which caps connections and times out slow clients.
 *
 * Flags (env): see `SERVE_FLAGS` in tasks/_serve_flags.ts, or `--help`.
 * @module
 */

import { parseFlags } from "./tasks/_cli.ts";
import { SERVE_FLAGS, SERVE_USAGE, withoutDefaults } from "./tasks/_serve_flags.ts";
import { initBackend } from "./lib/infer/backend.ts";
import { loadBundle } from "./lib/model/bundle.ts";
import { predictProbabilities } from "./lib/infer/predict.ts";
import { pageFiles, vendorFiles } from "./lib/serve/assets.ts";
import { modelDataPath } from "./lib/serve/explore.ts";
import { createHandler } from "./lib/serve/handler.ts";
import { serveHttp1 } from "./lib/serve/http1.ts";
import { DEFAULT_REPORT_BODY_LIMIT } from "./lib/serve/report_route.ts";
import { createBufferedLog, withRawRequestLog, withRequestLog } from "./lib/serve/log.ts";
import { readProblem } from "./lib/serve/startup.ts";

/** Reads an env var the run was allowed to see; unset or not permitted reads as undefined. */
function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** Prints one line to stderr and exits 1 — for mistakes the user should fix, not bugs. */
function fail(message: string): never {
  console.error(`serve: ${message}`);
  Deno.exit(1);
}

/** A positive integer flag, or exit with one line. */
function count(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(`Cannot use --${name} ${JSON.stringify(text)}: expected an integer in ${min}..${max}`);
  }
  return value;
}

let flags: Record<string, string | boolean | undefined>;
try {
  flags = parseFlags(Deno.args, withoutDefaults(SERVE_FLAGS), SERVE_USAGE);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
const str = (name: string) => typeof flags[name] === "string" ? flags[name] as string : undefined;

const portText = str("port") ?? env("PORT") ?? "8000";
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  fail(`Cannot listen on port ${JSON.stringify(portText)}: expected an integer in 0..65535`);
}
const hostname = str("hostname") ?? env("HOST") ?? "0.0.0.0";
const maxConnections = count("max-connections", str("max-connections") ?? "512", 1, 100_000);
const timeoutMs = 1000 * count("timeout", str("timeout") ?? "10", 1, 3600);
const modelDir = str("model") ?? env("QAC_MODEL") ?? "models/latest";

// --- every path checked before listening ---
{
  const problem = await readProblem(modelDir);
  if (problem) {
    fail(
      `Cannot load model "${modelDir}": ${
        problem === "it does not exist" ? "the folder does not exist" : problem
      }${problem === "it does not exist" ? " (train one: `deno task train`)" : ""}`,
    );
  }
  if ((await Deno.stat(modelDir)).isFile) {
    // the loader would say "Not a directory (os error 20)"
    fail(
      `Cannot load model "${modelDir}": it is a file; --model takes a model folder ` +
        "(metadata.json, model.json, weights.bin)",
    );
  }
}
let storedDataPath: unknown;
try {
  storedDataPath = JSON.parse(await Deno.readTextFile(`${modelDir}/metadata.json`)).data?.path;
} catch {
  // loadBundle below reports a missing or corrupt metadata.json in its own words.
}
const explicitData = str("data") ?? env("QAC_DATA");
let dataPath: string | null = explicitData ??
  modelDataPath(await Deno.realPath(modelDir).catch(() => modelDir), storedDataPath) ??
  null;
if (dataPath !== null) {
  const problem = await readProblem(dataPath);
  if (problem && (explicitData !== undefined || !problem.startsWith("it does not"))) {
    fail(`Cannot read data "${dataPath}": ${problem}`);
  }
  if (problem) {
    console.error(`serve: Explore is off: its data "${dataPath}" does not exist`);
    dataPath = null;
  }
}
// Predicting on the HTTP thread is the default: on 2 cores shared with the load (wrk) it served
// more requests per CPU second than handing batches to a worker (bench/RESULTS.md).
const predictWorkers = count("workers", str("workers") ?? "0", 0, 64);
const sources = [
  ...Object.values({ ...pageFiles(), ...vendorFiles() }),
  // A worker thread loads its module from lib/, which needs read access.
  ...(predictWorkers > 0 ? [new URL("./lib/", import.meta.url).pathname] : []),
];
for (const file of sources) {
  const problem = await readProblem(file);
  if (problem?.startsWith("no read permission")) {
    fail(`Cannot read "${file}": ${problem}`);
  }
}

async function load() {
  try {
    await initBackend();
    const bundle = await loadBundle(modelDir, {
      apiKey: env("OPENAI_API_KEY"),
      baseUrl: env("OPENAI_BASE_URL"),
    });
    // Warm up: the first call compiles wasm kernels; no client should pay for that.
    await predictProbabilities(bundle, ["warm up"]);
    return bundle;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = error instanceof Deno.errors.NotFound ? " (train one: `deno task train`)" : "";
    fail(
      (message.startsWith("Cannot") ? message : `Cannot load model "${modelDir}": ${message}`) +
        hint,
    );
  }
}

/** Writes all of `text` to stdout (writeSync may write only part). */
function writeStdout(text: string) {
  const bytes = new TextEncoder().encode(text);
  for (let done = 0; done < bytes.length;) done += Deno.stdout.writeSync(bytes.subarray(done));
}

const requestLog = createBufferedLog(writeStdout);
const bundle = load();
const handler = createHandler(bundle, {
  cors: str("cors") ?? env("QAC_CORS"),
  dataPath,
  preloadExplore: true,
  predictWorkers,
});
let server;
try {
  server = serveHttp1(flags.quiet ? handler : withRequestLog(handler, requestLog), {
    port,
    hostname,
    maxConnections,
    headerTimeoutMs: timeoutMs,
    bodyTimeoutMs: timeoutMs,
    requestTimeoutMs: 3 * timeoutMs,
    // the "Your server" tab uploads an export of up to 20 MiB; every other body stays at 1 MiB
    bodyLimits: { "/report": DEFAULT_REPORT_BODY_LIMIT },
    raw: flags.quiet ? handler.raw : withRawRequestLog(handler.raw, requestLog),
    onEvent: (line) => {
      requestLog.flush();
      console.error(line);
    },
  });
} catch (error) {
  fail(`Cannot listen on ${hostname}:${port}: ${error instanceof Error ? error.message : error}`);
}

const loaded = await bundle;
const address = server.addr;
console.log(
  `serve: model ${loaded.metadata.runId} (${modelDir}) on http://${address.hostname}:${address.port}/`,
);

const stop = (why: string) => {
  requestLog.flush();
  console.log(`serve: ${why}, finishing open requests`);
  void server.shutdown();
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => stop(signal));
}
if (env("QAC_STOP_WITH_STDIN") === "1") {
  // Set by the launcher (tasks/serve.ts), which holds the other end of this pipe: when it dies,
  // even by SIGKILL, which it cannot forward, the pipe closes and this server stops too.
  void (async () => {
    for await (const _ of Deno.stdin.readable) {
      // nothing is sent: only the end matters
    }
    stop("the launcher exited");
  })();
}
await server.finished;
requestLog.flush();
console.log("serve: stopped");
// Prediction workers and a half-built Explore would keep the process alive; all answers are out.
Deno.exit(0);
