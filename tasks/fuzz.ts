/**
 * `deno task fuzz`: starts serve.ts on loopback (least permissions, as `deno task serve`) and
 * sends it seeded malformed and odd requests. Passes when no answer was a 5xx, the server is
 * still up (`/health` 200) and it stops cleanly on SIGTERM.
 *
 * Flags: --model DIR (default models/latest), --requests 10000, --seed 1, --json.
 * @module
 */

import { type FlagSpec, parseFlags, runMain } from "./_cli.ts";
import { fuzz, type FuzzReport } from "./_fuzz.ts";
import { startServer, waitReady } from "../tests/e2e/_server.ts";

const FLAGS: FlagSpec = {
  model: { type: "string", default: "models/latest", help: "model folder to serve" },
  requests: { type: "string", default: "10000", help: "requests to send, 1..1000000" },
  seed: { type: "string", default: "1", help: "seed of the generated cases" },
  json: { type: "boolean", help: "print one JSON object instead of a summary" },
};

/** Starts serve.ts, fuzzes it, stops it; returns the report plus the verdict's failures. */
export async function runFuzz(
  model: string,
  readable: string[],
  requests: number,
  seed: number,
): Promise<FuzzReport & { healthyAfter: boolean; failures: string[] }> {
  const server = await startServer(readable, ["--model", model, "--quiet"]);
  let exitedEarly = false;
  server.child.status.then(() => exitedEarly = true);
  let report: FuzzReport;
  let healthyAfter = false;
  try {
    await waitReady(server.url); // /health is 503 until Explore's data is loaded: not a fault
    report = await fuzz(server.url, { requests, seed });
    const health = await fetch(`${server.url}health`).catch(() => undefined);
    await health?.body?.cancel();
    healthyAfter = health?.status === 200;
  } finally {
    if (exitedEarly) await server.stop();
  }
  const failures: string[] = [];
  if (exitedEarly) failures.push("the server exited during the run");
  const { code, stderr } = await server.stop();
  if (!exitedEarly && code !== 0) failures.push(`the server stopped with code ${code}`);
  if (report.serverErrors > 0) {
    failures.push(`${report.serverErrors} × 5xx, e.g. ${report.examples.join(" | ")}`);
  }
  if (!healthyAfter) failures.push("/health did not answer 200 afterwards");
  if (/^\s+at /m.test(stderr)) {
    failures.push(`the server logged a stack trace: ${stderr.slice(0, 500)}`);
  }
  return { ...report, healthyAfter, failures };
}

if (import.meta.main) {
  await runMain(async () => {
    const flags = parseFlags(
      Deno.args,
      FLAGS,
      "Usage: deno task fuzz [options]\n\nSends malformed and odd requests to serve.ts on " +
        "loopback; fails on any 5xx or if the server goes down.",
    );
    const requests = Number(flags.requests);
    if (!Number.isInteger(requests) || requests < 1 || requests > 1_000_000) {
      throw new RangeError(`Cannot fuzz: --requests must be in 1..1000000, got ${flags.requests}`);
    }
    const seed = Number(flags.seed);
    const model = await Deno.realPath(String(flags.model)).catch(() => {
      throw new Error(`Cannot load model "${flags.model}": run \`deno task train\` first`);
    });
    const data = await Deno.realPath("data").catch(() => undefined);
    const started = performance.now();
    const r = await runFuzz(model, [model, ...(data ? [data] : [])], requests, seed);
    if (flags.json) {
      console.log(JSON.stringify(r));
    } else {
      const statuses = Object.entries(r.statuses).map(([s, n]) =>
        `${s === "0" ? "closed" : s} × ${n}`
      );
      console.log(
        `fuzz: ${r.requests} requests in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
          `${r.serverErrors} × 5xx; health after: ${r.healthyAfter ? "200" : "FAILED"}\n` +
          `  answers: ${statuses.join(", ")}\n` +
          `  cases: ${Object.entries(r.kinds).map(([k, n]) => `${k} ${n}`).join(", ")}`,
      );
    }
    if (r.failures.length > 0) throw new Error(`fuzz failed: ${r.failures.join("; ")}`);
  });
}
