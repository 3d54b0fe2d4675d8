/**
 * `deno task bench:classify`: batch classification of one file (whole process, text in, CSV
 * out) by one or more saved models beside fastText's `predict-prob`, the runs alternating
 * (model A, model B, …, fastText, then again) so every ratio compares runs made under the same
 * machine load. Each qac run is checked to have read and written every message, with the model
 * it was given, on the sparse wasm route; each fastText run to have answered every line.
 *
 *   deno task bench:classify --models /tmp/c-on/latest,/tmp/c-off/latest [--messages 100000]
 *     [--reps 3] [--data data/conversations.csv] [--out bench]
 *
 * Prints a table and writes it as the "Batch classification by model" section of
 * `<out>/RESULTS.md` (the other sections are kept).
 * @module
 */

import { join } from "node:path";
import { writeFileAtomic } from "../lib/data/atomic.ts";
import { readCsv } from "../lib/data/csv.ts";
import { type FlagSpec, numberFlag, parseFlags, runMain } from "./_cli.ts";
import {
  ensureTool,
  FASTTEXT_ARGS,
  fastTextLine,
  median,
  runTimed,
  timeClassify,
  type Timed,
  timeFastTextPredict,
} from "./_bench_run.ts";

const FLAGS: FlagSpec = {
  models: {
    type: "string",
    default: "models/latest",
    help: "comma-separated model folders, each timed in turn",
  },
  data: {
    type: "string",
    default: "data/conversations.csv",
    help:
      "generated conversations: their messages (repeated) are classified, fastText trains on them",
  },
  messages: { type: "string", default: "100000", help: "messages in the classified file" },
  reps: { type: "string", default: "3", help: "rounds of alternating runs (median reported)" },
  out: { type: "string", default: "bench", help: "folder of RESULTS.md" },
  "no-install": { type: "boolean", help: "never apt-get install fasttext or time" },
};

/** The section of RESULTS.md this bench writes. */
const SECTION = "## Batch classification by model (`deno task bench:classify`)";

interface ModelRuns {
  dir: string;
  runId: string;
  embedderId: string;
  route: string;
  runs: Timed[];
}

await runMain(async () => {
  const flags = parseFlags(
    Deno.args,
    FLAGS,
    "Usage: deno task bench:classify [--models DIR,DIR] [--messages N] [--reps N]\n\n" +
      "Times `deno task classify` on a file for each model, alternating with fastText.",
  );
  const messages = numberFlag(flags, "messages") ?? 100_000;
  const reps = numberFlag(flags, "reps") ?? 3;
  const install = flags["no-install"] !== true;
  const timeTool = await ensureTool("/usr/bin/time", "time", install);
  if (!timeTool) {
    throw new Error("Cannot benchmark: /usr/bin/time is missing (apt-get install time)");
  }
  const fastText = await ensureTool("fasttext", "fasttext", install);
  if (!fastText) console.log("bench: fastText not installed; timing qac alone");

  const models: ModelRuns[] = [];
  for (const dir of String(flags.models).split(",").filter((d) => d !== "")) {
    const real = await Deno.realPath(dir).catch(() => null);
    const metadata = real &&
      await Deno.readTextFile(join(real, "metadata.json")).then(JSON.parse, () => null);
    if (!real || !metadata) {
      throw new Error(
        `Cannot bench model "${dir}": no model folder with a metadata.json there (train one with deno task train)`,
      );
    }
    models.push({
      dir: real,
      runId: metadata.runId,
      embedderId: metadata.embedderId,
      route: "",
      runs: [],
    });
  }

  const table = await readCsv(String(flags.data));
  const column = table.header.includes("text") ? "text" : "message";
  const labelColumn = table.header.includes("label") ? "label" : "message_type";
  const rows = table.records.map((r) => ({
    text: (r.values[column] ?? "").replace(/\s+/g, " ").trim(),
    label: (r.values[labelColumn] ?? "").trim(),
  })).filter((r) => r.text !== "");
  const texts = Array.from({ length: messages }, (_, i) => rows[i % rows.length]!.text);
  const work = await Deno.makeTempDir({ prefix: "qac-bench-classify-" });
  try {
    const input = join(work, "messages.txt");
    await Deno.writeTextFile(input, texts.join("\n") + "\n");
    const ftModel = join(work, "fasttext");
    const ftInput = join(work, "messages.fasttext.txt");
    const ftRuns: Timed[] = [];
    if (fastText) {
      const train = join(work, "fasttext.train.txt");
      await Deno.writeTextFile(
        train,
        rows.filter((r) => r.label !== "").map((r) => `__label__${r.label} ${fastTextLine(r.text)}`)
          .join("\n") + "\n",
      );
      await runTimed([
        "fasttext",
        "supervised",
        "-input",
        train,
        "-output",
        ftModel,
        ...FASTTEXT_ARGS,
      ], {
        timeTool: false,
      });
      await Deno.writeTextFile(ftInput, texts.map(fastTextLine).join("\n") + "\n");
    }
    for (let r = 0; r < reps; r++) {
      for (const model of models) {
        console.log(`bench: deno task classify --model ${model.dir} (${r + 1}/${reps})`);
        const out = join(work, "out.csv");
        const { run, route } = await timeClassify(model.dir, input, out, {
          messages,
          runId: model.runId,
        }, timeTool);
        model.route = route;
        model.runs.push(run);
      }
      if (fastText) {
        console.log(`bench: fasttext predict-prob (${r + 1}/${reps})`);
        const out = join(work, "out.fasttext.txt");
        ftRuns.push(await timeFastTextPredict(ftModel, ftInput, out, messages, timeTool));
      }
    }
    const markdown = render(models, ftRuns, messages, reps);
    console.log("\n" + markdown);
    const resultsPath = join(String(flags.out), "RESULTS.md");
    const previous = await Deno.readTextFile(resultsPath).catch(() => "");
    await writeFileAtomic(resultsPath, replaceSection(previous, markdown));
    console.log(`bench: wrote the section to ${resultsPath}`);
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
});

/** The markdown section: one row per model and fastText, medians and each round's ratios. */
function render(models: ModelRuns[], ft: Timed[], messages: number, reps: number): string {
  const f = (x: number | null | undefined, d = 2) =>
    x === null || x === undefined ? "—" : x.toFixed(d);
  const k = (x: number) => Math.round(x).toLocaleString("en-US");
  const cpu = (runs: Timed[]) => runs.map((t) => t.cpuSeconds ?? NaN);
  const ftWall = ft.length ? median(ft.map((t) => t.seconds)) : null;
  const ftCpu = ft.length ? median(cpu(ft)) : null;
  const lines = [
    SECTION,
    "",
    `${messages.toLocaleString("en-US")} messages, whole process (start-up, model load, text in, ` +
    `CSV out); medians of ${reps} rounds, each round running every model then fastText, so each ` +
    `ratio compares runs under the same load. "by round" lists each round's qac/fastText ratio.`,
    "",
    "| model | route | msgs/s | wall s | CPU s | peak RSS MiB | vs fastText, wall (by round) | vs fastText, CPU (by round) | 1-min load per run |",
    "|---|---|---:|---:|---:|---:|---:|---:|---|",
  ];
  const perRound = (runs: Timed[], pick: (t: Timed) => number | null) =>
    runs.map((t, i) => {
      const ours = pick(t), theirs = ft[i] ? pick(ft[i]!) : null;
      return ours && theirs ? (theirs / ours).toFixed(2) : "—";
    }).join(" / ");
  for (const m of models) {
    const wall = median(m.runs.map((t) => t.seconds));
    const c = median(cpu(m.runs));
    lines.push(
      `| ${m.embedderId} (${m.runId}) | ${m.route} | ${k(messages / wall)} | ${f(wall)} | ${
        f(c)
      } | ${f(median(m.runs.map((t) => t.peakRssMiB ?? NaN)), 0)} | ${
        ftWall ? f(ftWall / wall) : "—"
      } (${perRound(m.runs, (t) => t.seconds)}) | ${ftCpu ? f(ftCpu / c) : "—"} (${
        perRound(m.runs, (t) => t.cpuSeconds)
      }) | ${m.runs.map((t) => t.load.toFixed(1)).join(" / ")} |`,
    );
  }
  if (ft.length) {
    lines.push(
      `| fastText \`predict-prob\` (trained with \`${FASTTEXT_ARGS.join(" ")}\`) | — | ${
        k(messages / ftWall!)
      } | ${f(ftWall)} | ${f(ftCpu)} | ${
        f(median(ft.map((t) => t.peakRssMiB ?? NaN)), 0)
      } | 1 | 1 | ${ft.map((t) => t.load.toFixed(1)).join(" / ")} |`,
    );
  }
  return lines.join("\n") + "\n";
}

/** `markdown` with its section {@linkcode SECTION} replaced by `section` (or appended). */
function replaceSection(markdown: string, section: string): string {
  const lines = markdown.split("\n");
  const start = lines.indexOf(SECTION);
  if (start < 0) return (markdown.trimEnd() + "\n\n" + section).trimStart();
  let end = lines.findIndex((line, i) => i > start && line.startsWith("## "));
  if (end < 0) end = lines.length;
  return [...lines.slice(0, start), ...section.trimEnd().split("\n"), "", ...lines.slice(end)]
    .join("\n").trimEnd() + "\n";
}
