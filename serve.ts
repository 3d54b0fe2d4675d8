/**
 * Serves the classifier over HTTP: `deno task serve [--port 8000] [--model models/latest]`.
 * Wiring only — flags and env in, model loaded, {@linkcode createHandler} handed to Deno.serve.
 *
 * Flags (env): --port (PORT, default 8000), --hostname (HOST, default 0.0.0.0),
 * --model (QAC_MODEL, default models/latest), --data (QAC_DATA; default: the model's training
 * CSV), --cors ORIGIN (QAC_CORS), --quiet (no per-request log lines).
 * @module
 */

import { parseArgs } from "node:util";
import { initBackend } from "./lib/infer/backend.ts";
import { loadBundle } from "./lib/model/bundle.ts";
import { predictProbabilities } from "./lib/infer/predict.ts";
import { createHandler } from "./lib/serve/handler.ts";
import { createBufferedLog, withRequestLog } from "./lib/serve/log.ts";

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

const flags = (() => {
  try {
    return parseArgs({
      args: Deno.args,
      options: {
        port: { type: "string" },
        hostname: { type: "string" },
        model: { type: "string" },
        data: { type: "string" },
        cors: { type: "string" },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
})();

if (flags.help) {
  console.log(
    "Usage: deno task serve [--port 8000] [--hostname 0.0.0.0] [--model models/latest]\n" +
      "                       [--data data/conversations.csv] [--cors ORIGIN] [--quiet]\n" +
      "Env: PORT, HOST, QAC_MODEL, QAC_DATA, QAC_CORS, OPENAI_API_KEY (openai embedders only)",
  );
  Deno.exit(0);
}

const portText = flags.port ?? env("PORT") ?? "8000";
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  fail(`Cannot listen on port ${JSON.stringify(portText)}: expected an integer in 0..65535`);
}
const modelDir = flags.model ?? env("QAC_MODEL") ?? "models/latest";
const hostname = flags.hostname ?? env("HOST") ?? "0.0.0.0";

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
  cors: flags.cors ?? env("QAC_CORS"),
  dataPath: flags.data ?? env("QAC_DATA"),
  preloadExplore: true,
});
const server = Deno.serve({
  port,
  hostname,
  onListen: () => {},
  onError: (error) => {
    console.error("serve: unhandled error:", error);
    return new Response("Internal Server Error", { status: 500 });
  },
}, flags.quiet ? handler : withRequestLog(handler, requestLog));

const loaded = await bundle;
const address = server.addr as Deno.NetAddr;
console.log(
  `serve: model ${loaded.metadata.runId} (${modelDir}) on http://${address.hostname}:${address.port}/`,
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    requestLog.flush();
    console.log(`serve: ${signal}, finishing open requests`);
    void server.shutdown();
  });
}
await server.finished;
requestLog.flush();
console.log("serve: stopped");
