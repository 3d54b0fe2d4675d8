/**
 * `deno task bench`: our default pipeline side by side with fastText and the "?" rule, on one
 * machine — quality on the seed split and on real chat, speed of featurizing, training and batch
 * classification, and peak memory. Medians of `--reps` repetitions. Writes bench/RESULTS.md and
 * bench/results.json. Parts whose prerequisites are missing (fasttext, ../shared) are skipped
 * with a message.
 * @module
 */

import { basename, join, resolve } from "node:path";
import { writeFileAtomic } from "../lib/data/atomic.ts";
import { LABELS } from "../lib/data/types.ts";
import { prepareSplit } from "../lib/pipeline.ts";
import {
  evaluateLabelledCsv,
  loadLabelledCsv,
  type LoadLabelledOptions,
} from "../lib/eval/evaluate.ts";
import { computeMetrics, type Metrics } from "../lib/eval/metrics.ts";
import { formatMetricsTable } from "../lib/eval/report.ts";
import { BuiltinEmbedder } from "../lib/features/builtin.ts";
import { loadBundle, type ModelBundle } from "../lib/model/bundle.ts";
import { predictProbabilities } from "../lib/infer/predict.ts";
import { createSparsePredictor } from "../lib/infer/sparse.ts";
import { predictAlone } from "../lib/infer/context.ts";
import { exists, type FlagSpec, numberFlag, parseFlags, runMain } from "./_cli.ts";
import {
  ensureTool,
  FASTTEXT_ARGS,
  fastTextLine,
  median,
  runTimed as run,
  timeClassify,
  type Timed,
  timeFastTextPredict,
} from "./_bench_run.ts";

const FLAGS: FlagSpec = {
  reps: { type: "string", default: "3", help: "repetitions of each timed step (median reported)" },
  "train-reps": { type: "string", default: "3", help: "repetitions of our full training run" },
  data: { type: "string", default: "data/conversations.csv", help: "generated training data" },
  shared: { type: "string", default: "../shared/data", help: "folder with seed/ and real/" },
  messages: { type: "string", default: "100000", help: "size of the batch-classification file" },
  out: { type: "string", default: "bench", help: "where RESULTS.md and results.json go" },
  "no-install": { type: "boolean", help: "never apt-get install fasttext or time" },
};

interface Summary {
  name: string;
  accuracy: number;
  macroF1: number;
  weightedF1: number;
  f1: Record<string, number>;
}

function summary(name: string, m: Metrics): Summary {
  return {
    name,
    accuracy: m.accuracy,
    macroF1: m.macroF1,
    weightedF1: m.weightedF1,
    f1: Object.fromEntries(LABELS.map((l) => [l, m.perClass[l].f1])),
  };
}

/** Parses `fasttext predict-prob … 3` output into `n × 3` probabilities in LABELS order. */
function parseFastTextProbabilities(stdout: string, n: number): Float32Array {
  const lines = stdout.split("\n").filter((l) => l !== "");
  if (lines.length !== n) {
    throw new RangeError(`Cannot read fastText output: ${lines.length} lines for ${n} inputs`);
  }
  const out = new Float32Array(n * 3);
  lines.forEach((line, i) => {
    const parts = line.split(" ");
    for (let k = 0; k + 1 < parts.length; k += 2) {
      const c = LABELS.indexOf(parts[k]!.replace("__label__", "") as typeof LABELS[number]);
      if (c >= 0) out[i * 3 + c] = Number(parts[k + 1]);
    }
  });
  return out;
}

async function machineInfo(): Promise<Record<string, unknown>> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const osRelease = await Deno.readTextFile("/etc/os-release").catch(() => "");
  const text = async (cmd: string, args: string[]) => {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output()
      .catch(() => undefined);
    return out?.success ? new TextDecoder().decode(out.stdout).trim() : null;
  };
  return {
    cpu: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? Deno.build.arch,
    cores: navigator.hardwareConcurrency,
    memoryGiB: Math.round(Deno.systemMemoryInfo().total / 2 ** 30 * 10) / 10,
    os: /PRETTY_NAME="([^"]+)"/.exec(osRelease)?.[1] ?? Deno.build.os,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    fasttext: await text("dpkg-query", ["-W", "-f=${Version}", "fasttext"]),
    gitCommit: await text("git", ["rev-parse", "--short", "HEAD"]),
  };
}

/** Sections of RESULTS.md this bench writes; other sections (serving, report) are kept. */
const GENERATED_SECTIONS = ["Quality", "Speed and memory"];

await runMain(async () => {
  const flags = parseFlags(
    Deno.args,
    FLAGS,
    'Usage: deno task bench [options]\n\nBenchmarks qac against fastText and the "?" rule; writes bench/RESULTS.md.',
  );
  const reps = numberFlag(flags, "reps") ?? 3;
  const trainReps = numberFlag(flags, "train-reps") ?? 3;
  const messages = numberFlag(flags, "messages") ?? 100_000;
  const dataPath = String(flags.data);
  const shared = String(flags.shared);
  const outDir = String(flags.out);
  const install = flags["no-install"] !== true;
  const skipped: string[] = [];
  const skip = (why: string) => {
    skipped.push(why);
    console.log(`bench: skipped ${why}`);
  };
  const started = performance.now();
  const work = await Deno.makeTempDir({ prefix: "qac-bench-" });
  const timeTool = await ensureTool("/usr/bin/time", "time", install);
  if (!timeTool) skip("peak-RSS measurements (/usr/bin/time not available)");
  const fastText = await ensureTool("fasttext", "fasttext", install);
  if (!fastText) skip("fastText (not installed and apt-get unavailable)");
  const machine = await machineInfo();
  console.log(`bench: ${machine.cpu}, ${machine.cores} cores, deno ${machine.deno}`);

  // --- our training: the real `deno task train`, default settings -------------------------
  const modelsDir = join(work, "models");
  const trainCmd = [
    Deno.execPath(),
    "run",
    "-A",
    "tasks/train.ts",
    "--data",
    dataPath,
    "--out",
    modelsDir,
    "--vectors-dir",
    join(work, "data"),
    "--real-eval",
    "none",
  ];
  const ourTrain: Timed[] = [];
  for (let r = 0; r < trainReps; r++) {
    console.log(`bench: deno task train (${r + 1}/${trainReps})`);
    ourTrain.push(await run(trainCmd, { timeTool }));
  }
  const modelDir = await Deno.realPath(join(modelsDir, "latest"));
  const bundle: ModelBundle = await loadBundle(modelDir);
  const training = bundle.metadata.training as Record<string, unknown>;
  const history = (training.history ?? []) as { seconds: number }[];
  const runs: ModelBundle["metadata"][] = [];
  for await (const entry of Deno.readDir(modelsDir)) {
    if (entry.isDirectory) {
      runs.push(JSON.parse(await Deno.readTextFile(join(modelsDir, entry.name, "metadata.json"))));
    }
  }
  const samplesPerSecond = median(runs.map((m) => Number(m.training.samplesPerSecond)));
  const fitSeconds = median(
    runs.map((m) =>
      ((m.training.history ?? []) as { seconds: number }[]).reduce((s, e) => s + e.seconds, 0)
    ),
  );

  // --- the same train split, rebuilt for fastText ------------------------------------------
  // a context model keeps duplicate texts (each has its own conversation), as the pipeline does
  const { split } = await prepareSplit(dataPath, {
    seed: Number(training.seed ?? 42),
    ...(bundle.metadata.context ? { dropDuplicates: false } : {}),
  });
  const items = [...split.train, ...split.validation, ...split.test];
  const recorded = (bundle.metadata.data.rows as Record<string, Record<string, number>> | undefined)
    ?.train;
  const recordedTrain = recorded ? Object.values(recorded).reduce((a, b) => a + b, 0) : undefined;
  if (recordedTrain !== undefined && recordedTrain !== split.train.length) {
    throw new Error(
      `Cannot rebuild the train split: ${split.train.length} rows here, ${recordedTrain} in the model's metadata`,
    );
  }
  const epochsRun = history.length;

  // --- fastText training ---------------------------------------------------------------------
  let ftTrain: Timed[] = [];
  const ftModel = join(work, "fasttext");
  if (fastText) {
    const trainFile = join(work, "fasttext.train.txt");
    await Deno.writeTextFile(
      trainFile,
      split.train.map((i) => `__label__${i.label} ${fastTextLine(i.text)}`).join("\n") + "\n",
    );
    for (let r = 0; r < reps; r++) {
      console.log(`bench: fasttext supervised (${r + 1}/${reps})`);
      ftTrain.push(
        await run([
          "fasttext",
          "supervised",
          "-input",
          trainFile,
          "-output",
          ftModel,
          ...FASTTEXT_ARGS,
        ], {
          timeTool,
        }),
      );
    }
  } else ftTrain = [];
  const ftEpochs = 5; // fastText's default -epoch

  // --- quality -------------------------------------------------------------------------------
  const sets: { name: string; path: string; options: LoadLabelledOptions }[] = [];
  const seedPath = join(shared, "seed", "conversations.csv");
  if (await exists(seedPath)) {
    sets.push({
      name: "seed split (test)",
      path: seedPath,
      options: { filter: (r) => (r.values.seed_split ?? "").trim() === "test" },
    });
  } else skip(`the seed split (${seedPath} not found)`);
  const realDir = join(shared, "real");
  if (await exists(realDir)) {
    const files: string[] = [];
    for await (const e of Deno.readDir(realDir)) {
      if (e.isFile && e.name.endsWith(".csv") && !e.name.endsWith("_full.csv")) files.push(e.name);
    }
    for (const f of files.sort()) {
      sets.push({ name: basename(f, ".csv"), path: join(realDir, f), options: {} });
    }
  } else skip(`real-chat evaluation (${realDir} not found)`);

  const quality: Record<string, { n: number; rows: Summary[]; table: string }> = {};
  for (const set of sets) {
    const ours = await evaluateLabelledCsv(bundle, set.path, set.options);
    const rows = [
      { name: "qac (builtin + MLP)", metrics: ours.metrics },
    ];
    if (fastText) {
      const data = await loadLabelledCsv(set.path, set.options);
      const input = join(work, "fasttext.eval.txt");
      await Deno.writeTextFile(input, data.texts.map(fastTextLine).join("\n") + "\n");
      const predicted = await run(["fasttext", "predict-prob", `${ftModel}.bin`, input, "3"], {
        timeTool: false,
      });
      rows.push({
        name: "fastText",
        metrics: computeMetrics(
          data.y,
          parseFastTextProbabilities(predicted.stdout, data.texts.length),
        ),
      });
    }
    rows.push({ name: '"?" rule', metrics: ours.baselines.questionMark });
    rows.push({
      name: `majority (${ours.baselines.majorityLabel})`,
      metrics: ours.baselines.majority,
    });
    quality[set.name] = {
      n: ours.n,
      rows: rows.map((r) => summary(r.name, r.metrics)),
      table: formatMetricsTable(rows, { markdown: true }),
    };
    console.log(`\n${set.name} (n=${ours.n})\n${formatMetricsTable(rows)}`);
  }

  // --- speed: featurizer, in-process prediction, batch classification -----------------------
  const pool = items.map((i) => i.text.replace(/\s+/g, " ").trim()).filter((t) => t !== "");
  const texts = Array.from({ length: messages }, (_, i) => pool[i % pool.length]!);
  const embedder = bundle.embedder; // the model's own featurizer, at its feature version
  if (!(embedder instanceof BuiltinEmbedder)) {
    throw new TypeError(
      `Cannot benchmark the featurizer: the model uses "${embedder.id}", not the builtin embedder`,
    );
  }
  const featurizerRates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (const t of texts) embedder.featurize(t);
    featurizerRates.push(texts.length / ((performance.now() - t0) / 1000));
  }
  // a context model reads a lone text with an empty context: same kernel, input message ⊕ context
  const sparse = bundle.metadata.context
    ? (batch: readonly string[]) => predictAlone(bundle, batch)
    : createSparsePredictor(bundle);
  const sparseRates: number[] = [];
  const denseRates: number[] = [];
  const denseSample = texts.slice(0, 10_000);
  for (let r = 0; r < reps; r++) {
    if (sparse) {
      const t0 = performance.now();
      for (let s = 0; s < denseSample.length; s += 2048) {
        await sparse(denseSample.slice(s, s + 2048));
      }
      sparseRates.push(denseSample.length / ((performance.now() - t0) / 1000));
    }
    const t1 = performance.now();
    for (let s = 0; s < denseSample.length; s += 2048) {
      await predictProbabilities(bundle, denseSample.slice(s, s + 2048), { route: "tfjs" });
    }
    denseRates.push(denseSample.length / ((performance.now() - t1) / 1000));
  }

  const textFile = join(work, "messages.txt");
  await Deno.writeTextFile(textFile, texts.join("\n") + "\n");
  const ourClassify: Timed[] = [];
  const ftClassify: Timed[] = [];
  const ftInput = join(work, "messages.fasttext.txt");
  if (fastText) await Deno.writeTextFile(ftInput, texts.map(fastTextLine).join("\n") + "\n");
  let route = "";
  // ours and fastText alternate, so both see the same machine load
  for (let r = 0; r < reps; r++) {
    console.log(`bench: deno task classify ${messages} messages (${r + 1}/${reps})`);
    const outFile = join(work, "out.csv");
    const ours = await timeClassify(modelDir, textFile, outFile, {
      messages,
      runId: bundle.metadata.runId,
    }, timeTool);
    // it measured what it claims: every message in, every row out, this model, the fast route
    route = ours.route;
    ourClassify.push(ours.run);
    if (fastText) {
      console.log(`bench: fasttext predict-prob ${messages} messages (${r + 1}/${reps})`);
      const ftOut = join(work, "out.fasttext.txt");
      ftClassify.push(await timeFastTextPredict(ftModel, ftInput, ftOut, messages, timeTool));
    }
  }

  const med = (xs: Timed[], f: (t: Timed) => number | null) => {
    const values = xs.map(f).filter((v): v is number => v !== null);
    return values.length ? median(values) : null;
  };
  const ourTrainSeconds = med(ourTrain, (t) => t.seconds)!;
  const ftTrainSeconds = med(ftTrain, (t) => t.seconds);
  const ourClassifySeconds = med(ourClassify, (t) => t.seconds)!;
  const ftClassifySeconds = med(ftClassify, (t) => t.seconds);
  const ratio = (a: number | null, b: number | null) =>
    a !== null && b !== null && b > 0 ? a / b : null;
  const trainRows = split.train.length;
  const results = {
    createdAt: new Date().toISOString(),
    machine,
    settings: {
      reps,
      trainReps,
      messages,
      data: resolve(dataPath),
      ours: { embedder: bundle.embedder.id, hiddenUnits: bundle.metadata.hiddenUnits, training },
      fastText: fastText ? ["supervised", ...FASTTEXT_ARGS] : null,
    },
    split: { train: trainRows, validation: split.validation.length, test: split.test.length },
    quality: Object.fromEntries(
      Object.entries(quality).map(([k, v]) => [k, { n: v.n, rows: v.rows }]),
    ),
    speed: {
      featurizerTextsPerSecond: median(featurizerRates),
      predictInProcess: {
        sparseMsgsPerSecond: sparse ? median(sparseRates) : null,
        tfjsDenseMsgsPerSecond: median(denseRates),
      },
      training: {
        ours: {
          load: ourTrain.map((t) => t.load),
          processSeconds: ourTrainSeconds,
          cpuSeconds: med(ourTrain, (t) => t.cpuSeconds),
          fitSeconds,
          epochs: epochsRun,
          samplesPerSecond,
          peakRssMiB: med(ourTrain, (t) => t.peakRssMiB),
        },
        fastText: ftTrainSeconds === null ? null : {
          load: ftTrain.map((t) => t.load),
          processSeconds: ftTrainSeconds,
          cpuSeconds: med(ftTrain, (t) => t.cpuSeconds),
          epochs: ftEpochs,
          samplesPerSecond: trainRows * ftEpochs / ftTrainSeconds,
          peakRssMiB: med(ftTrain, (t) => t.peakRssMiB),
        },
        oursOverFastTextSamplesPerSecond: ftTrainSeconds === null
          ? null
          : samplesPerSecond / (trainRows * ftEpochs / ftTrainSeconds),
        fastTextOverOursTime: ratio(ourTrainSeconds, ftTrainSeconds),
      },
      classify: {
        messages,
        route,
        ours: {
          load: ourClassify.map((t) => t.load),
          seconds: ourClassifySeconds,
          cpuSeconds: med(ourClassify, (t) => t.cpuSeconds),
          msgsPerSecond: messages / ourClassifySeconds,
          peakRssMiB: med(ourClassify, (t) => t.peakRssMiB),
        },
        fastText: ftClassifySeconds === null ? null : {
          load: ftClassify.map((t) => t.load),
          seconds: ftClassifySeconds,
          cpuSeconds: med(ftClassify, (t) => t.cpuSeconds),
          msgsPerSecond: messages / ftClassifySeconds,
          peakRssMiB: med(ftClassify, (t) => t.peakRssMiB),
        },
        oursOverFastText: ratio(ftClassifySeconds, ourClassifySeconds),
        oursOverFastTextByCpu: ratio(
          med(ftClassify, (t) => t.cpuSeconds),
          med(ourClassify, (t) => t.cpuSeconds),
        ),
      },
    },
    skipped,
    benchSeconds: (performance.now() - started) / 1000,
  };
  await writeFileAtomic(join(outDir, "results.json"), JSON.stringify(results, null, 2) + "\n");
  // sections other benchmarks wrote by hand (serving, the community report) stay as they are
  const previous = await Deno.readTextFile(join(outDir, "RESULTS.md")).catch(() => "");
  await writeFileAtomic(
    join(outDir, "RESULTS.md"),
    renderMarkdown(results, quality) + keptSections(previous),
  );
  await Deno.remove(work, { recursive: true }).catch(() => {});
  console.log(
    `\nbench: wrote ${join(outDir, "RESULTS.md")} and results.json in ${
      results.benchSeconds.toFixed(0)
    }s`,
  );
});

/** The old RESULTS.md from its first section this bench does not generate, or "". */
function keptSections(markdown: string): string {
  const lines = markdown.split("\n");
  const first = lines.findIndex((line) =>
    line.startsWith("## ") && !GENERATED_SECTIONS.includes(line.slice(3).trim())
  );
  return first < 0 ? "" : "\n" + lines.slice(first).join("\n");
}

// deno-lint-ignore no-explicit-any
function renderMarkdown(r: any, quality: Record<string, { n: number; table: string }>): string {
  const f = (x: number | null | undefined, d = 0) =>
    x === null || x === undefined ? "—" : x.toFixed(d);
  const fk = (x: number | null | undefined) =>
    x === null || x === undefined ? "—" : Math.round(x).toLocaleString("en-US");
  const s = r.speed;
  const loads = (xs: number[] | undefined) => xs ? xs.map((x) => x.toFixed(1)).join(" / ") : "—";
  const lines = [
    "# qac benchmark",
    "",
    `Generated by \`deno task bench\` on ${r.createdAt.slice(0, 10)} (commit ${
      r.machine.gitCommit ?? "?"
    }). ` +
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, ${r.machine.os}; ` +
    `Deno ${r.machine.deno}; fastText ${r.machine.fasttext ?? "not installed"}. ` +
    `Timings are medians of ${r.settings.reps} runs (${r.settings.trainReps} for our training).`,
    "",
    `Both systems train on the same ${r.split.train} rows (the train part of \`${
      basename(r.settings.data)
    }\`, ` +
    `grouped split, seed ${
      r.settings.ours.training.seed ?? 42
    }). qac: ${r.settings.ours.embedder} features → ` +
    `Dense(${r.settings.ours.hiddenUnits}, relu) → Dense(3, softmax), default \`deno task train\` settings. ` +
    `fastText: \`fasttext ${
      (r.settings.fastText ?? ["(skipped)"]).join(" ")
    }\` (defaults otherwise: ` +
    `5 epochs, lr 0.1, dim 100, 12 threads), on text lowercased with punctuation split off.`,
    "",
    "## Quality",
    "",
    "Macro-F1 is the figure that matters: accuracy is dominated by the comment class on real chat.",
    "Real chat is evaluation only — never trained or tuned on.",
    "",
  ];
  for (const [name, q] of Object.entries(quality)) {
    lines.push(`### ${name} (n = ${q.n})`, "", q.table, "");
  }
  lines.push(
    "## Speed and memory",
    "",
    "| | qac | fastText | qac / fastText |",
    "|---|---:|---:|---:|",
    `| batch classification, ${fk(s.classify.messages)} messages (msgs/s, whole process) | ${
      fk(s.classify.ours.msgsPerSecond)
    } | ${fk(s.classify.fastText?.msgsPerSecond)} | ${f(s.classify.oursOverFastText, 2)} |`,
    `| batch classification wall time (s) | ${f(s.classify.ours.seconds, 2)} | ${
      f(s.classify.fastText?.seconds, 2)
    } | |`,
    `| batch classification CPU time, user + system (s) | ${f(s.classify.ours.cpuSeconds, 2)} | ${
      f(s.classify.fastText?.cpuSeconds, 2)
    } | ${f(s.classify.oursOverFastTextByCpu, 2)} (by CPU time) |`,
    `| batch classification peak RSS (MiB) | ${f(s.classify.ours.peakRssMiB)} | ${
      f(s.classify.fastText?.peakRssMiB)
    } | |`,
    `| training samples/s (sample × epoch) | ${fk(s.training.ours.samplesPerSecond)} | ${
      fk(s.training.fastText?.samplesPerSecond)
    } | ${f(s.training.oursOverFastTextSamplesPerSecond, 3)} |`,
    `| training wall time, whole process (s) | ${f(s.training.ours.processSeconds, 1)} | ${
      f(s.training.fastText?.processSeconds, 2)
    } | |`,
    `| training epochs | ${s.training.ours.epochs} (early stopping; fit ${
      f(s.training.ours.fitSeconds, 1)
    } s) | ${s.training.fastText?.epochs ?? "—"} | |`,
    `| training CPU time, user + system (s) | ${f(s.training.ours.cpuSeconds, 1)} | ${
      f(s.training.fastText?.cpuSeconds, 2)
    } | |`,
    `| training peak RSS (MiB) | ${f(s.training.ours.peakRssMiB)} | ${
      f(s.training.fastText?.peakRssMiB)
    } | |`,
    "",
    "In-process (no start-up, no file I/O):",
    "",
    `- builtin featurizer: ${fk(s.featurizerTextsPerSecond)} texts/s`,
    `- prediction, sparse first layer (featurize + sum of active weight rows): ${
      fk(s.predictInProcess.sparseMsgsPerSecond)
    } msgs/s`,
    `- prediction, tfjs dense (featurize + wasm matMul): ${
      fk(s.predictInProcess.tfjsDenseMsgsPerSecond)
    } msgs/s`,
    "",
    `1-minute load average at the start of each run (other work shares the ${r.machine.cores} cores): ` +
      `qac classify ${loads(s.classify.ours.load)}, fastText classify ${
        loads(s.classify.fastText?.load)
      }; qac training ${loads(s.training.ours.load)}, fastText training ${
        loads(s.training.fastText?.load)
      }. The classify runs alternate qac and fastText, so the ratio compares like with like.`,
    "",
    `The classification file repeats the generated messages; qac's whole-process time includes Deno`,
    `start-up, loading the model (straight from its files, no tfjs) and reading/writing CSV, on the`,
    `route "${s.classify.route}"; the bench checks that every message was read and written, by the`,
    "model it trained, on that route. fastText's time includes loading its model. Peak RSS is from",
    "`/usr/bin/time -v`.",
  );
  if (r.skipped.length > 0) lines.push("", "Skipped: " + r.skipped.join("; ") + ".");
  return lines.join("\n") + "\n";
}
