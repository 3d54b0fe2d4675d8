/**
 * The flags of serve.ts, shared with its launcher (tasks/serve.ts), which must know `--model`
 * and `--data` to grant read access to exactly those paths. Private to tasks/ and serve.ts.
 * @module
 */

import type { FlagSpec } from "./_cli.ts";

/** Flags of `deno task serve`. */
export const SERVE_FLAGS: FlagSpec = {
  port: { type: "string", help: "port to listen on (env PORT)", default: "8000" },
  hostname: { type: "string", help: "address to listen on (env HOST)", default: "0.0.0.0" },
  model: { type: "string", help: "model folder (env QAC_MODEL)", default: "models/latest" },
  data: {
    type: "string",
    help: "conversations CSV behind Explore (env QAC_DATA; default: the model's training CSV)",
  },
  cors: { type: "string", help: "Access-Control-Allow-Origin value (env QAC_CORS)" },
  quiet: { type: "boolean", help: "no per-request log lines" },
  "max-connections": {
    type: "string",
    help: "open connections before new ones get 503",
    default: "512",
  },
  workers: {
    type: "string",
    help: "threads that predict beside the HTTP thread (0: predict on it)",
    default: "0",
  },
  timeout: {
    type: "string",
    help: "seconds a client may take to send a request head or body",
    default: "10",
  },
};

/** First line of `--help`. */
export const SERVE_USAGE = "Usage: deno task serve [options]\n\n" +
  "Serves the classifier's API and page. Env: OPENAI_API_KEY (openai embedders only).";

/**
 * `spec` with defaults moved into the help text: an env var must win over a default, so the
 * caller applies defaults itself after looking at the environment.
 */
export function withoutDefaults(spec: FlagSpec): FlagSpec {
  return Object.fromEntries(
    Object.entries(spec).map(([name, { default: value, ...flag }]) => [
      name,
      value === undefined || value === false
        ? flag
        : { ...flag, help: `${flag.help} (default: ${value})` },
    ]),
  );
}
