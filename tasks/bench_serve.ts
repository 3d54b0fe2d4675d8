/**
 * `deno task bench:serve`: load-tests `POST /classify` on loopback for a bounded time and reports
 * req/s, p50/p99 latency and errors. Starts serve.ts itself (same permissions as `deno task serve`)
 * and drives it with Debian's `wrk` when installed, else with a keep-alive fetch loop in Deno.
 *
 * Flags: --model DIR (default models/latest), --seconds 10, --connections 64,
 * --tool wrk|deno (default: wrk when found), --log (keep per-request log lines on; default off,
 * they go to a pipe nobody reads here), --json (print one JSON object instead of a table).
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
}

const FLAGS: FlagSpec = {
  model: { type: "string", default: "models/latest", help: "model folder to serve" },
  seconds: { type: "string", default: "10", help: "length of the run, in (0, 120]" },
  connections: { type: "string", default: "64", help: "concurrent connections, 1..1024" },
  tool: { type: "string", help: "wrk or deno (default: wrk when installed)" },
  log: { type: "boolean", help: "keep serve.ts's per-request log lines on" },
  json: { type: "boolean", help: "print one JSON object instead of a table" },
};

/** What a run is asked to do. */
interface Load {
  seconds: number;
  connections: number;
}

/** The p-th percentile (0..100) of sorted values, nearest rank. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs `wrk` with a Lua script that rotates through TEXTS. */
async function runWrk(url: string, { seconds, connections }: Load): Promise<BenchResult> {
  const bodies = TEXTS.map((t) => `'${JSON.stringify({ text: t })}'`).join(", ");
  // wrk reads its script from a path; /dev/stdin spares us a temp file (and write permission).
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
  const child = new Deno.Command("wrk", {
    args: [
      `-t${Math.min(2, connections)}`,
      `-c${connections}`,
      `-d${seconds}s`,
      "-s",
      "/dev/stdin",
      url,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
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
async function runDeno(url: string, { seconds, connections }: Load): Promise<BenchResult> {
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
  const server = await startServer(
    [modelDir, ...(dataDir ? [dataDir] : [])],
    ["--model", modelDir, ...(flags.log ? [] : ["--quiet"])],
  );
  let result: BenchResult;
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
    const load = { seconds, connections };
    result = tool === "wrk" ? await runWrk(server.url, load) : await runDeno(server.url, load);
  } finally {
    await server.stop();
  }

  if (flags.json) {
    console.log(JSON.stringify(result));
  } else {
    const r = result;
    console.log(
      `POST /classify · ${r.tool} · ${r.connections} connections · ${r.seconds.toFixed(1)} s · ` +
        `model ${modelDir}${flags.log ? " · request log on" : ""}\n` +
        `  ${r.requests} requests  ${Math.round(r.requestsPerSecond)} req/s  ` +
        `p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  errors ${r.errors}`,
    );
  }
});
