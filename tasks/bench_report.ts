/**
 * `deno run -A tasks/bench_report.ts [--messages 1000000] [--export DIR] [--model DIR]`: times
 * `deno task report` on a generated DiscordChatExporter export (`generate --format discord-json`)
 * of about a million messages, with
 * its peak memory (GNU time's maximum resident set size), and checks that the run read and
 * reported what it claims: the message count from report.json, the model used, the machine load.
 * @module
 */

import { join } from "node:path";
import { generateWindows } from "../lib/data/generate/builtin.ts";
import { DiscordExportWriter } from "../lib/data/generate/discord_export.ts";
import { type FlagSpec, numberFlag, parseFlags, runMain } from "./_cli.ts";

const FLAGS: FlagSpec = {
  messages: { type: "string", default: "1000000", help: "chat messages the export should hold" },
  export: {
    type: "string",
    default: "data/bench/discord-1m",
    help: "export folder (generated when absent)",
  },
  model: { type: "string", default: "models/latest", help: "model folder" },
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
    const writer = await DiscordExportWriter.open(exportDir, { seed: 1 });
    for (const window of generateWindows({ conversations, seed: 1 })) writer.add(window);
    await writer.close();
  }
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  const script = new URL("./report.ts", import.meta.url).pathname;
  const { code, stderr } = await new Deno.Command("/usr/bin/time", {
    args: [
      "-v",
      Deno.execPath(),
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
      script,
      "--in",
      exportDir,
      "--out",
      String(flags.out),
      "--model",
      String(flags.model),
      "--quiet",
      ...(flags.workers !== undefined ? ["--workers", String(flags.workers)] : []),
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(stderr);
  if (code !== 0) throw new Error(`Cannot benchmark the report: it failed\n${log}`);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/.exec(log)?.[1] ?? "?";
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(log)?.[1] ?? NaN);
  const user = Number(/User time \(seconds\): (\S+)/.exec(log)?.[1] ?? NaN);
  const sys = Number(/System time \(seconds\): (\S+)/.exec(log)?.[1] ?? NaN);
  // the route the report says it took, e.g. "context model, 2 workers"
  const route = /^report \(([^)]*)\)/m.exec(log)?.[1] ?? "?";
  const cpu = /Percent of CPU this job got: (\S+)/.exec(log)?.[1] ?? "?";
  const report = JSON.parse(await Deno.readTextFile(join(String(flags.out), "report.json")));
  const messages = report.overall.messages as number;
  if (messages < wanted) {
    throw new Error(`Cannot claim ${wanted} messages: the report read ${messages}`);
  }
  const endLoad = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  console.log(
    `report on ${messages.toLocaleString("en-US")} messages (${report.overall.questions} ` +
      `questions, model ${report.options.model}, ${route}): wall ${wall}, CPU ${
        (user + sys).toFixed(1)
      } s (user ${user} s, sys ${sys} s), CPU share ${cpu}, ` +
      `peak RSS ${(rss / 1024).toFixed(0)} MiB; load before ${load}, after ${endLoad}`,
  );
});
