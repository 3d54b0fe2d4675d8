/**
 * `deno task soak`: starts serve.ts on loopback (least permissions, as `deno task serve`) and
 * floods it with idle connections and slowloris clients for a bounded time. Passes when the
 * server stayed up, `/health` answered 200 throughout and after, every slowloris client was cut
 * off by the head deadline, and the excess connections were answered 503 or closed.
 *
 * Flags: --model DIR (default models/latest), --connections 2000, --slowloris 300,
 * --seconds 20 (hold, ≤ 300), --max-connections 512 and --timeout 5 (given to serve.ts), --json.
 * @module
 */

import { type FlagSpec, parseFlags, runMain } from "./_cli.ts";
import { soak, type SoakReport } from "./_soak.ts";
import { startServer, waitReady } from "../tests/e2e/_server.ts";

const FLAGS: FlagSpec = {
  model: { type: "string", default: "models/latest", help: "model folder to serve" },
  connections: { type: "string", default: "2000", help: "idle connections opened at once" },
  slowloris: { type: "string", default: "300", help: "slowloris connections" },
  seconds: { type: "string", default: "20", help: "how long to hold the flood, in (0, 300]" },
  "max-connections": { type: "string", default: "512", help: "serve.ts --max-connections" },
  timeout: { type: "string", default: "5", help: "serve.ts --timeout (head/body seconds)" },
  json: { type: "boolean", help: "print one JSON object instead of a summary" },
};

/** What a soak run asks of the server. */
export interface SoakRun {
  model: string;
  /** Extra folders serve.ts may read (the model's data). */
  readable: string[];
  connections: number;
  slowloris: number;
  seconds: number;
  maxConnections: number;
  timeoutSeconds: number;
}

/** Starts serve.ts, soaks it, stops it; returns the report plus the verdict's failures. */
export async function runSoak(run: SoakRun): Promise<SoakReport & { failures: string[] }> {
  const server = await startServer(run.readable, [
    "--model",
    run.model,
    "--quiet",
    "--max-connections",
    String(run.maxConnections),
    "--timeout",
    String(run.timeoutSeconds),
  ]);
  let exitedEarly = false;
  server.child.status.then(() => exitedEarly = true);
  let report: SoakReport;
  try {
    await waitReady(server.url);
    report = await soak(server.url, {
      connections: run.connections,
      slowloris: run.slowloris,
      holdMs: run.seconds * 1000,
    });
  } finally {
    if (exitedEarly) await server.stop();
  }
  const failures: string[] = [];
  if (exitedEarly) failures.push("the server exited during the flood");
  const { code, stderr } = await server.stop();
  if (!exitedEarly && code !== 0) failures.push(`the server stopped with code ${code}: ${stderr}`);
  if (report.probes.ok === 0 || report.probes.failed > 0) {
    failures.push(`/health failed ${report.probes.failed} of ${report.probes.total} probes`);
  }
  if (!report.healthyAfter) failures.push("/health did not answer 200 after the flood");
  if (run.seconds > run.timeoutSeconds + 2 && report.slowlorisClosed < run.slowloris) {
    failures.push(`${run.slowloris - report.slowlorisClosed} slowloris clients were never cut off`);
  }
  if (report.stillOpen > run.maxConnections) {
    failures.push(`${report.stillOpen} connections open, above the cap of ${run.maxConnections}`);
  }
  return { ...report, failures };
}

if (import.meta.main) {
  await runMain(async () => {
    const flags = parseFlags(
      Deno.args,
      FLAGS,
      "Usage: deno task soak [options]\n\nFloods serve.ts on loopback with idle and slowloris " +
        "connections; fails unless it stays up and answers /health.",
    );
    const int = (name: string, min: number, max: number) => {
      const value = Number(flags[name]);
      if (!Number.isInteger(value) || value < min || value > max) {
        throw new RangeError(
          `Cannot soak: --${name} must be in ${min}..${max}, got ${flags[name]}`,
        );
      }
      return value;
    };
    const model = await Deno.realPath(String(flags.model)).catch(() => {
      throw new Error(`Cannot load model "${flags.model}": run \`deno task train\` first`);
    });
    const data = await Deno.realPath("data").catch(() => undefined);
    const result = await runSoak({
      model,
      readable: [model, ...(data ? [data] : [])],
      connections: int("connections", 0, 20_000),
      slowloris: int("slowloris", 0, 5_000),
      seconds: int("seconds", 1, 300),
      maxConnections: int("max-connections", 1, 100_000),
      timeoutSeconds: int("timeout", 1, 3600),
    });
    if (flags.json) {
      console.log(JSON.stringify(result));
    } else {
      const r = result;
      console.log(
        `soak: ${r.opened} connections opened (${r.connectFailed} failed to open); ` +
          `${r.answered503} answered 503, ${r.closedByServer} closed by the server, ` +
          `${r.stillOpen} still open at the end; slowloris cut off ${r.slowlorisClosed}\n` +
          `  /health during: ${r.probes.ok}/${r.probes.total} × 200, ${r.probes.status503} × 503, ` +
          `${r.probes.failed} failed, slowest ${r.probes.maxMs} ms; after: ` +
          `${r.healthyAfter ? "200" : "FAILED"}`,
      );
    }
    if (result.failures.length > 0) throw new Error(`soak failed: ${result.failures.join("; ")}`);
  });
}
