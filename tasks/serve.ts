/**
 * `deno task serve`: starts serve.ts allowed to read only what it serves — the model folder, its
 * data, the page and the vendored scripts — wherever they are. `deno task` cannot pass
 * permission flags, so this launcher resolves `--model`/`--data` (relative to the folder it was
 * called from) and runs `deno run --no-prompt --allow-read=<those paths> serve.ts`.
 * @module
 */

import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { parseFlags } from "./_cli.ts";
import { SERVE_FLAGS, SERVE_USAGE, withoutDefaults } from "./_serve_flags.ts";
import { modelDataPath } from "../lib/serve/explore.ts";

const ROOT = resolve(dirname(fromFileUrl(import.meta.url)), "..");
const SERVE_ENV =
  "PORT,HOST,QAC_MODEL,QAC_DATA,QAC_CORS,OPENAI_API_KEY,OPENAI_BASE_URL,QAC_STOP_WITH_STDIN";

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

let flags: Record<string, string | boolean | undefined>;
try {
  flags = parseFlags(Deno.args, withoutDefaults(SERVE_FLAGS), SERVE_USAGE);
} catch (error) {
  console.error(`serve: ${error instanceof Error ? error.message : String(error)}`);
  Deno.exit(1);
}
// `deno task` runs in the repository; paths the user typed are relative to where they typed them.
const cwd = env("INIT_CWD") ?? Deno.cwd();
const given = (name: string, envName: string) => {
  const value = typeof flags[name] === "string" ? flags[name] as string : env(envName);
  return value === undefined ? undefined : isAbsolute(value) ? value : resolve(cwd, value);
};
const model = given("model", "QAC_MODEL") ?? join(ROOT, "models", "latest");
const realModel = await Deno.realPath(model).catch(() => model);
const data = given("data", "QAC_DATA");
// The model's own training data, found by serve.ts as this finds it: only read access is given
// here. Passed on as --data it was "given", and a model copied without its data could not start.
let storedData: string | undefined;
if (data === undefined) {
  try {
    const metadata = JSON.parse(await Deno.readTextFile(join(realModel, "metadata.json")));
    storedData = modelDataPath(realModel, metadata.data?.path);
  } catch {
    // serve.ts reports a missing or corrupt model in its own words.
  }
}
const readable = [
  ...new Set([model, realModel, ...(data ? [data] : []), ...(storedData ? [storedData] : [])]),
  // prediction workers (--workers) load their modules from lib/; otherwise the page is enough
  Number(flags.workers ?? 0) > 0 ? join(ROOT, "lib") : join(ROOT, "lib", "serve", "page"),
  join(ROOT, "node_modules"),
];
const child = new Deno.Command("deno", {
  args: [
    "run",
    "--no-prompt",
    "--allow-net",
    `--allow-read=${readable.join(",")}`,
    `--allow-env=${SERVE_ENV}`,
    join(ROOT, "serve.ts"),
    ...Deno.args,
    "--model",
    realModel,
    ...(data ? ["--data", data] : []),
  ],
  cwd: ROOT,
  // serve.ts stops when this pipe closes: when this launcher dies, even by SIGKILL, the server
  // does not outlive it holding the port
  stdin: "piped",
  env: { QAC_STOP_WITH_STDIN: "1" },
}).spawn();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    try {
      child.kill(signal);
    } catch {
      // already exited
    }
  });
}
Deno.exit((await child.status).code);
