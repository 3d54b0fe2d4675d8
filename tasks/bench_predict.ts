/**
 * Micro benchmark of in-process inference on a saved model: the builtin featurizer, the tfjs
 * dense route (`predictVectors` on dense vectors, and `predictProbabilities` from texts) and the
 * sparse fast path (`createSparsePredictor`), on the messages of a conversations CSV.
 *
 *   deno run -A tasks/bench_predict.ts [--model models/latest] [--data data/conversations.csv]
 *     [--messages 20000] [--batch 2048] [--reps 3]
 *
 * Rates are medians of `--reps` runs, by wall clock and by this process's CPU time (which stays
 * meaningful when other work shares the machine: everything here runs on one thread).
 * @module
 */

import process from "node:process";
import * as tf from "@tensorflow/tfjs";
import { readCsv } from "../lib/data/csv.ts";
import { BuiltinEmbedder } from "../lib/features/builtin.ts";
import { loadBundle } from "../lib/model/bundle.ts";
import { predictProbabilities, predictVectors } from "../lib/infer/predict.ts";
import { createSparsePredictor, extractMlpWeights, SparseMlp } from "../lib/infer/sparse.ts";
import { numberFlag, parseFlags, runMain } from "./_cli.ts";

const FLAGS = {
  model: { type: "string", default: "models/latest", help: "model folder (builtin embedder)" },
  data: { type: "string", default: "data/conversations.csv", help: "CSV with a message column" },
  messages: { type: "string", default: "20000", help: "messages per timed run" },
  batch: { type: "string", default: "2048", help: "messages per prediction call" },
  reps: { type: "string", default: "3", help: "timed runs per measurement (median)" },
  "dense-messages": { type: "string", default: "", help: "messages for the tfjs routes" },
} as const;

/** Messages per second of one run, by wall clock and by CPU time. */
interface Rate {
  wall: number;
  cpu: number;
}

async function measure(n: number, work: () => unknown): Promise<Rate> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await work();
  const wall = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: n / wall, cpu: n / ((cpu.user + cpu.system) / 1e6) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

await runMain(async () => {
  const flags = parseFlags(
    Deno.args,
    FLAGS,
    "Usage: deno run -A tasks/bench_predict.ts [--model DIR] [--messages N]",
  );
  const messages = numberFlag(flags, "messages") ?? 20_000;
  const batch = numberFlag(flags, "batch") ?? 2048;
  const reps = numberFlag(flags, "reps") ?? 3;
  const denseMessages = flags["dense-messages"] ? Number(flags["dense-messages"]) : messages;
  const bundle = await loadBundle(String(flags.model));
  const table = await readCsv(String(flags.data));
  const column = table.header.includes("text") ? "text" : "message";
  const pool = table.records.map((r) => r.values[column] ?? "").filter((t) => t.trim() !== "");
  const texts = Array.from({ length: messages }, (_, i) => pool[i % pool.length]!);
  const dimension = bundle.embedder.dimension;
  const featurizer = bundle.embedder; // the model's own featurizer, at its feature version
  if (!(featurizer instanceof BuiltinEmbedder)) {
    throw new TypeError(
      `Cannot benchmark prediction: the model uses "${featurizer.id}", not the builtin embedder`,
    );
  }
  const sparse = createSparsePredictor(bundle);

  const inBatches = async (n: number, f: (part: string[]) => unknown) => {
    for (let s = 0; s < n; s += batch) await f(texts.slice(s, Math.min(n, s + batch)));
  };
  const denseX = await featurizer.embed(texts.slice(0, Math.min(denseMessages, batch)));
  const cases: [string, number, () => unknown][] = [
    ["featurize (builtin)", messages, () => texts.forEach((t) => featurizer.featurize(t))],
  ];
  if (sparse) {
    const features = texts.map((t) => featurizer.featurize(t));
    const nnz = features.reduce((sum, f) => sum + f.indices.length, 0) / features.length;
    for (const kernel of ["auto", "js"] as const) {
      const mlp = new SparseMlp(extractMlpWeights(bundle.model), { kernel });
      cases.push([
        `sparse MLP only, ${mlp.kernel} kernel (${nnz.toFixed(0)} features/message)`,
        messages,
        () => mlp.predict(features),
      ]);
    }
    cases.push([
      "sparse predictor (featurize + sparse MLP)",
      messages,
      () => inBatches(messages, (part) => sparse(part)),
    ]);
  }
  cases.push(
    [
      "predictProbabilities (texts → probabilities, default route)",
      messages,
      () => inBatches(messages, (part) => predictProbabilities(bundle, part)),
    ],
    [
      "predictProbabilities, route tfjs (embed + dense model)",
      denseMessages,
      () =>
        inBatches(denseMessages, (part) => predictProbabilities(bundle, part, { route: "tfjs" })),
    ],
    [
      `predictVectors (tfjs, ${denseX.length / dimension} dense rows, no featurize)`,
      denseX.length / dimension,
      () => predictVectors(bundle.model, denseX, dimension),
    ],
  );
  const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "?")).split(" ", 3);
  console.log(
    `model ${bundle.metadata.runId} (${bundle.embedder.id}, hidden ${bundle.metadata.hiddenUnits}); ` +
      `${messages} messages, batch ${batch}, ${reps} reps; load average ${load.join(" ")}`,
  );
  for (const [name, n, work] of cases) {
    await work(); // warm-up
    const rates: Rate[] = [];
    for (let r = 0; r < reps; r++) rates.push(await measure(n, work));
    const wall = median(rates.map((r) => r.wall));
    const cpu = median(rates.map((r) => r.cpu));
    console.log(
      `${`${name} [${tf.getBackend()}]`.padEnd(70)} ${
        Math.round(wall).toLocaleString("en").padStart(9)
      } msgs/s wall ` +
        `${Math.round(cpu).toLocaleString("en").padStart(9)} msgs/s cpu`,
    );
  }
});
