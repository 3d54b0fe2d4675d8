/**
 * `deno run -A tasks/bench_report.ts [--messages 1000000] [--export DIR] [--model DIR[,DIR…]]`:
 * the whole "1,000,000 messages in ≤ 60 s" measurement in one command. Generates the export when
 * absent (`generate --format discord-json`, seeded: the same bytes every time, with its
 * `truth.csv`), then for each model times `deno task report` on it as a separate process under
 * GNU time — wall, CPU (user + sys of all its threads), CPU share, peak RSS — with the machine's
 * load before and after, and checks that the run measured what it claims: the chat messages the
 * report read equal the export's chat rows in `truth.csv`, the report's model is the model asked
 * for (run id, features, hidden units), and the route (context or message-only model, workers)
 * is the one the report printed.
 * @module
 */

import { join } from "node:path";
import { generateWindows } from "../lib/data/generate/builtin.ts";
import { DiscordExportWriter } from "../lib/data/generate/discord_export.ts";
import { openCsvStream } from "../lib/data/stream.ts";
import { type FlagSpec, numberFlag, parseFlags, runMain } from "./_cli.ts";

const FLAGS: FlagSpec = {
  messages: { type: "string", default: "1000000", help: "chat messages the export should hold" },
  export: {
    type: "string",
    default: "data/bench/discord-1m",
    help: "export folder (generated when absent)",
  },
  model: {
    type: "string",
    default: "models/latest",
    help: "model folder, or several comma-separated (each timed in turn)",
  },
  out: { type: "string", default: "data/bench/report-1m", help: "report folder" },
  workers: { type: "string", help: "--workers of the report (default: the report's own)" },
};

await runMain(async () => {
  const flags = parseFlags(Deno.args, FLAGS, "Usage: deno run -A tasks/bench_report.ts");
  const wanted = numberFlag(flags, "messages") ?? 1_000_000;
  const exportDir = String(flags.export);
  const exists = await Deno.stat(exportDir).then(() => true, () => false);
  if (!exists) {
    // about 21 chat messages per generated stream window, plus joins, bots and pins
    const conversations = Math.ceil(wanted / 20);
    console.error(`generating ${conversations} stream windows into ${exportDir} …`);
    const started = performance.now();
    const writer = await DiscordExportWriter.open(exportDir, { seed: 1 });
    for (const window of generateWindows({ conversations, seed: 1 })) writer.add(window);
    const summary = await writer.close();
    console.error(
      `generated ${summary.counts.chat} chat messages in ${summary.files.length} files ` +
        `(${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
  const chatRows = await countChatRows(join(exportDir, "truth.csv"));
  if (chatRows !== null && chatRows < wanted) {
    throw new RangeError(
      `Cannot benchmark ${wanted} messages: ${exportDir} holds ${chatRows} (remove it to regenerate)`,
    );
  }
  for (const model of String(flags.model).split(",").map((m) => m.trim()).filter(Boolean)) {
    console.log(await benchOne(exportDir, model, String(flags.out), flags.workers, chatRows));
  }
});

/** Times one report run and checks what it measured; returns the line to print. */
async function benchOne(
  exportDir: string,
  modelDir: string,
  out: string,
  workers: unknown,
  chatRows: number | null,
): Promise<string> {
  const metadata = JSON.parse(await Deno.readTextFile(join(modelDir, "metadata.json")));
  const loadBefore = await loadAverage();
  const script = new URL("./report.ts", import.meta.url).pathname;
  const { code, stderr } = await new Deno.Command("/usr/bin/time", {
    args: [
      "-v",
      Deno.execPath(),
      "run",
      ...await reportTaskFlags(),
      script,
      "--in",
      exportDir,
      "--out",
      out,
      "--model",
      modelDir,
      "--quiet",
      ...(workers !== undefined ? ["--workers", String(workers)] : []),
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  const loadAfter = await loadAverage();
  const log = new TextDecoder().decode(stderr);
  if (code !== 0) throw new Error(`Cannot benchmark the report: it failed\n${log}`);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/.exec(log)?.[1] ?? "?";
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(log)?.[1] ?? NaN);
  const user = Number(/User time \(seconds\): (\S+)/.exec(log)?.[1] ?? NaN);
  const sys = Number(/System time \(seconds\): (\S+)/.exec(log)?.[1] ?? NaN);
  const share = /Percent of CPU this job got: (\S+)/.exec(log)?.[1] ?? "?";
  // the route the report says it took, e.g. "context model, 2 workers"
  const route = /^report \(([^)]*)\)/m.exec(log)?.[1];
  if (route === undefined) throw new Error(`Cannot tell the report's route from its log:\n${log}`);
  const report = JSON.parse(await Deno.readTextFile(join(out, "report.json")));
  const read = report.source.messagesRead as number;
  if (chatRows !== null && read !== chatRows) {
    throw new Error(
      `Cannot trust the run: the export has ${chatRows} chat messages, it read ${read}`,
    );
  }
  if (report.options.model !== metadata.runId) {
    throw new Error(
      `Cannot trust the run: asked for model ${metadata.runId}, the report used ${report.options.model}`,
    );
  }
  const features = metadata.embedder?.kind === "builtin"
    ? `builtin ${metadata.embedder.dimension}-d, char n-grams ${
      metadata.embedder.charNgrams === false ? "off" : "on"
    }`
    : String(metadata.embedderId);
  return `report on ${read.toLocaleString("en-US")} chat messages (all ${
    chatRows?.toLocaleString("en-US") ?? "?"
  } of the export; ${report.overall.questions} questions), model ${metadata.runId} (${features}, ` +
    `hidden ${metadata.hiddenUnits}), route: ${route}: wall ${wall}, CPU ${
      (user + sys).toFixed(1)
    } s (user ${user} s, sys ${sys} s), CPU share ${share}, peak RSS ${
      (rss / 1024).toFixed(0)
    } MiB; load before ${loadBefore}, after ${loadAfter}`;
}

/** The `deno run` flags of deno.json's `report` task (permissions, V8 heap sizes), so the run
 * timed is the one `deno task report` starts. */
async function reportTaskFlags(): Promise<string[]> {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
  );
  const words = String(config.tasks?.report ?? "").split(/\s+/);
  const flags = words.slice(words.indexOf("run") + 1, words.indexOf("tasks/report.ts"));
  if (words[0] !== "deno" || flags.length === 0 || flags.some((f) => !f.startsWith("--"))) {
    throw new Error(`Cannot read the report task's flags from deno.json: "${words.join(" ")}"`);
  }
  return flags;
}

async function loadAverage(): Promise<string> {
  return (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
}

/** Chat rows of an export's `truth.csv`, or null when it has none. */
async function countChatRows(path: string): Promise<number | null> {
  if (!(await Deno.stat(path).then(() => true, () => false))) return null;
  let chat = 0;
  for await (const row of (await openCsvStream(path)).rows) {
    if (row.values.kind === "chat") chat++;
  }
  return chat;
}
