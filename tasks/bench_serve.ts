/**
 * `deno task bench:serve`: load-tests `POST /classify` on loopback for a bounded time and reports
 * req/s, p50/p99 latency and errors. Starts serve.ts itself (same permissions as `deno task serve`)
 * and drives it with Debian's `wrk` when installed, else with a keep-alive fetch loop in Deno.
 *
 * The run fails unless it measured what it claims: serve.ts's request log (on, as in production)
 * must show only `POST /classify 200` lines during the measurement, as many as the load tool
 * counted (plus at most one in flight per connection when it stopped).
 *
 * Flags: --model DIR (default models/latest), --seconds 10, --connections 64,
 * --tool wrk|deno (default: wrk when found), --workers N (serve.ts prediction threads, default
 * 0, as serve.ts), --json (print one JSON object instead of a table).
 * @module
 */

import { type FlagSpec, parseFlags, runMain } from "./_cli.ts";
import { startServer } from "../tests/e2e/_server.ts";

const TEXTS = [
  "does anyone know a good course for learning SQL?",
  "you can try the free kaggle micro-courses, they helped me a lot",
  "thanks, that worked!",
  "how long did it take you to land your first data analyst job",
  "lol same here",
  "I would start with pandas and then move on to scikit-learn",
];

/** What one run measured. */
interface BenchResult {
  tool: string;
  seconds: number;
  connections: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Lines of the server's request log during the run: `POST /classify 200` ones and others. */
  served: { classify200: number; other: number; firstOther?: string };
  /** CPU seconds the server process (all its threads, user + system) spent during the run, and
   * per request: the figure that does not depend on what else the machine runs. */
  serverCpu?: { seconds: number; perRequestUs: number };
  /** 1-minute load average when the run started and when it ended. */
  load?: { start: number; end: number };
}

const FLAGS: FlagSpec = {
  model: { type: "string", default: "models/latest", help: "model folder to serve" },
  seconds: { type: "string", default: "10", help: "length of the run, in (0, 120]" },
  connections: { type: "string", default: "64", help: "concurrent connections, 1..1024" },
  tool: { type: "string", help: "wrk or deno (default: wrk when installed)" },
  workers: { type: "string", default: "0", help: "serve.ts --workers (prediction threads)" },
  json: { type: "boolean", help: "print one JSON object instead of a table" },
};

/** What the load tool measured, before the server log is checked. */
type LoadResult = Omit<BenchResult, "served">;

/** What a run is asked to do. */
interface Load {
  seconds: number;
  connections: number;
}

/** User + system CPU seconds of process `pid` so far (Linux `/proc`), or undefined elsewhere. */
async function cpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // Fields after the command name (which may hold spaces) start at field 3; utime, stime are
    // fields 14 and 15, in clock ticks (USER_HZ, 100 on Linux).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The 1-minute load average, or NaN where it cannot be read. */
function loadAverage(): number {
  try {
    return Deno.loadavg()[0] ?? NaN;
  } catch {
    return NaN;
  }
}

/** The p-th percentile (0..100) of sorted values, nearest rank. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs `wrk` with a Lua script that rotates through TEXTS. */
async function runWrk(url: string, { seconds, connections }: Load): Promise<LoadResult> {
  const bodies = TEXTS.map((t) => `'${JSON.stringify({ text: t })}'`).join(", ");
  // A real file: wrk loads the script once per thread, and a pipe (/dev/stdin) would give the
  // second thread an empty script, which silently sends `GET /` instead.
  const script = `local bodies = { ${bodies} }
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, "/classify", nil, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"requests\\":%d,\\"p50\\":%f,\\"p99\\":%f,\\"status\\":%d,\\"connect\\":%d,\\"read\\":%d,\\"write\\":%d,\\"timeout\\":%d,\\"us\\":%d}\\n",
    summary.requests, latency:percentile(50), latency:percentile(99), summary.errors.status,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.duration))
end
`;
  const scriptPath = await Deno.makeTempFile({ prefix: "qac-bench-", suffix: ".lua" });
  try {
    await Deno.writeTextFile(scriptPath, script);
    return await runWrkScript(url, scriptPath, { seconds, connections });
  } finally {
    await Deno.remove(scriptPath).catch(() => {});
  }
}

/** Runs wrk with `scriptPath` and reads the JSON line its `done` hook prints. */
async function runWrkScript(
  url: string,
  scriptPath: string,
  { seconds, connections }: Load,
): Promise<LoadResult> {
  const child = new Deno.Command("wrk", {
    args: [
      `-t${Math.min(2, connections)}`,
      `-c${connections}`,
      `-d${seconds}s`,
      "-s",
      scriptPath,
      url,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = await child.output();
  {
    const text = new TextDecoder().decode(out.stdout);
    const line = text.split("\n").find((l) => l.startsWith("JSON "));
    if (!out.success || !line) {
      throw new Error(`wrk failed: ${new TextDecoder().decode(out.stderr)}${text}`);
    }
    const r = JSON.parse(line.slice(5));
    const duration = r.us / 1e6;
    return {
      tool: `wrk -t${Math.min(2, connections)}`,
      seconds: duration,
      connections,
      requests: r.requests,
      requestsPerSecond: r.requests / duration,
      p50Ms: r.p50 / 1000,
      p99Ms: r.p99 / 1000,
      errors: r.status + r.connect + r.read + r.write + r.timeout,
    };
  }
}

/** Drives the server with `connections` keep-alive fetch loops. */
async function runDeno(url: string, { seconds, connections }: Load): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const bodies = TEXTS.map((text) => JSON.stringify({ text }));
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: connections }, async (_, worker) => {
    let i = worker;
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${url}classify`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: bodies[i++ % bodies.length],
        });
        await res.arrayBuffer();
        if (res.status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    tool: "deno fetch",
    seconds: elapsed,
    connections,
    requests: latencies.length,
    requestsPerSecond: latencies.length / elapsed,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    errors,
  };
}

await runMain(async () => {
  const flags = parseFlags(
    Deno.args,
    FLAGS,
    "Usage: deno task bench:serve [options]\n\nLoad-tests POST /classify of serve.ts on loopback.",
  );
  const seconds = Number(flags.seconds);
  const connections = Number(flags.connections);
  if (!(seconds > 0 && seconds <= 120)) {
    throw new RangeError(`Cannot bench: --seconds must be in (0, 120], got ${flags.seconds}`);
  }
  if (!Number.isInteger(connections) || connections < 1 || connections > 1024) {
    throw new RangeError(
      `Cannot bench: --connections must be in 1..1024, got ${flags.connections}`,
    );
  }
  const model = String(flags.model);
  if (!(await Deno.stat(`${model}/metadata.json`).then(() => true, () => false))) {
    throw new Error(`Cannot load model "${model}": run \`deno task train\` first`);
  }
  const hasWrk = await new Deno.Command("wrk", {
    args: ["--version"],
    stdout: "null",
    stderr: "null",
  })
    .output().then(() => true, () => false);
  const tool = flags.tool ?? (hasWrk ? "wrk" : "deno");
  if (tool !== "wrk" && tool !== "deno") {
    throw new RangeError(`Cannot bench with "${tool}": expected one of wrk, deno`);
  }
  const modelDir = await Deno.realPath(model);
  const dataDir = await Deno.realPath("data").catch(() => undefined);
  const workers = Number(flags.workers);
  if (!Number.isInteger(workers) || workers < 0 || workers > 64) {
    throw new RangeError(`Cannot bench: --workers must be in 0..64, got ${flags.workers}`);
  }
  const lib = new URL("../lib/", import.meta.url).pathname; // worker modules load from lib/
  const server = await startServer(
    [modelDir, ...(dataDir ? [dataDir] : []), ...(workers > 0 ? [lib] : [])],
    ["--model", modelDir, "--workers", String(workers)],
  );
  let result: LoadResult;
  let logStart = 0;
  let cpu: { start?: number; end?: number } = {};
  const load = { start: NaN, end: NaN };
  try {
    // serve.ts predicts the training data for Explore at start; measure after that is done.
    await (await fetch(`${server.url}data/summary`)).arrayBuffer();
    // Warm the HTTP path and the JIT before measuring.
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${server.url}classify`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: TEXTS[i % TEXTS.length] }),
      });
      await res.arrayBuffer();
    }
    // The log is flushed every 50 ms; let the warm-up's lines arrive before taking the mark.
    await new Promise((resolve) => setTimeout(resolve, 300));
    logStart = server.stdout.length;
    const run = { seconds, connections };
    load.start = loadAverage();
    cpu = { start: await cpuSeconds(server.child.pid) };
    result = tool === "wrk" ? await runWrk(server.url, run) : await runDeno(server.url, run);
    cpu.end = await cpuSeconds(server.child.pid);
    load.end = loadAverage();
  } catch (error) {
    await server.stop();
    throw error;
  }
  const { stdout } = await server.stop();
  const requestLines = stdout.slice(logStart).filter((line) => !line.startsWith("serve: "));
  const classify200 = requestLines.filter((line) => /^POST \/classify 200 /.test(line)).length;
  const others = requestLines.filter((line) => !/^POST \/classify 200 /.test(line));
  const measured: BenchResult = {
    ...result,
    served: { classify200, other: others.length, firstOther: others[0] },
    load,
  };
  if (cpu.start !== undefined && cpu.end !== undefined) {
    const spent = cpu.end - cpu.start;
    measured.serverCpu = { seconds: spent, perRequestUs: (spent / classify200) * 1e6 };
  }
  if (others.length > 0 || classify200 < result.requests) {
    throw new Error(
      `Cannot trust this run: the server logged ${classify200} × POST /classify 200 and ` +
        `${others.length} other lines (first: ${JSON.stringify(others[0] ?? "")}) while ` +
        `${result.tool} counted ${result.requests} requests`,
    );
  }
  if (classify200 > result.requests + connections) {
    throw new Error(
      `Cannot trust this run: the server logged ${classify200} × POST /classify 200, more than ` +
        `the ${result.requests} requests ${result.tool} counted plus one per connection`,
    );
  }

  if (flags.json) {
    console.log(JSON.stringify(measured));
  } else {
    const r = measured;
    console.log(
      `POST /classify · ${r.tool} · ${r.connections} connections · ${r.seconds.toFixed(1)} s · ` +
        `model ${modelDir} · --workers ${workers} · request log on\n` +
        `  ${r.requests} requests  ${Math.round(r.requestsPerSecond)} req/s  ` +
        `p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  errors ${r.errors}\n` +
        `  server log: ${r.served.classify200} × POST /classify 200, ${r.served.other} other\n` +
        `  server CPU: ${
          r.serverCpu
            ? `${r.serverCpu.seconds.toFixed(2)} s = ${
              r.serverCpu.perRequestUs.toFixed(1)
            } µs/request`
            : "unknown (no /proc)"
        }  load ${r.load?.start.toFixed(2)} → ${r.load?.end.toFixed(2)}`,
    );
  }
});
