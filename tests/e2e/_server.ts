/**
 * Runs serve.ts as a subprocess with the least permissions it needs, on a free loopback port.
 * @module
 */

import { fileURLToPath as fromFileUrl } from "node:url";
import { TextLineStream } from "./_lines.ts";

/** The repository root. */
export const ROOT = fromFileUrl(new URL("../../", import.meta.url));

/** Env vars serve.ts reads — the same list `deno task serve` allows. */
export const SERVE_ENV = [
  "PORT",
  "HOST",
  "QAC_MODEL",
  "QAC_DATA",
  "QAC_CORS",
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "QAC_STOP_WITH_STDIN",
];

/** A running server. */
export interface RunningServer {
  child: Deno.ChildProcess;
  url: string;
  /** Every stdout line so far. */
  stdout: string[];
  /** Sends SIGTERM and waits for the exit; returns its status and all output. */
  stop(): Promise<{ code: number; stdout: string[]; stderr: string }>;
}

/** Arguments of `deno run` that start serve.ts allowed to read only `readable` (plus its page). */
export function serveCommand(readable: string[], args: string[]): string[] {
  return [
    "run",
    "--allow-net=127.0.0.1",
    `--allow-read=${[...readable, `${ROOT}lib/serve/page`, `${ROOT}node_modules`].join(",")}`,
    `--allow-env=${SERVE_ENV.join(",")}`,
    `${ROOT}serve.ts`,
    "--hostname",
    "127.0.0.1",
    "--port",
    "0",
    ...args,
  ];
}

/**
 * Starts serve.ts and resolves once it printed its URL (the model is loaded by then).
 * @throws {Error} when the process exits or stays silent for `timeoutMs` first
 */
export async function startServer(
  readable: string[],
  args: string[],
  timeoutMs = 60_000,
): Promise<RunningServer> {
  const child = new Deno.Command("deno", {
    args: serveCommand(readable, args),
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stderrText = new Response(child.stderr).text();
  const stdout: string[] = [];
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
    new TextLineStream(),
  );
  const reader = lines.getReader();
  let url: string | undefined;
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  while (!url) {
    const { done, value } = await reader.read();
    if (done) {
      clearTimeout(timer);
      const status = await child.status;
      throw new Error(`serve.ts exited with ${status.code}: ${await stderrText}`);
    }
    stdout.push(value);
    url = value.match(/ on (http:\/\/\S+\/)$/)?.[1];
  }
  clearTimeout(timer);
  const drained = (async () => {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      stdout.push(value);
    }
  })();
  return {
    child,
    url,
    stdout,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      const status = await child.status;
      await drained;
      return { code: status.code, stdout, stderr: await stderrText };
    },
  };
}

/**
 * Reads a server's (or its launcher's) stdout until the line with its address: `url` is
 * undefined when the output ends first; `text` is everything read.
 */
export async function readAddress(
  reader: ReadableStreamDefaultReader<string>,
): Promise<{ url: string | undefined; text: string }> {
  let text = "";
  let url: string | undefined;
  while (!url) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
    url = text.match(/ on (http:\/\/\S+\/)\n/)?.[1];
  }
  return { url, text };
}

/** Polls `/health` until it answers 200 (model and Explore's data loaded), for `timeoutMs`. */
export async function waitReady(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const res = await fetch(`${url}health`).catch(() => undefined);
    await res?.body?.cancel();
    if (res?.status === 200) return;
    if (Date.now() > deadline) throw new Error(`Cannot reach ${url}: /health not ready`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
