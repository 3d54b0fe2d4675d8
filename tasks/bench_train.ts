/**
 * Micro benchmark of one training epoch on random 1024-d vectors: tfjs `model.fit` against
 * qac's plain-matMul training loop (`trainClassifier`), both Dense(d, relu) → Dense(3), Adam,
 * the same batch size, on the wasm backend.
 *
 *   deno run -A tasks/bench_train.ts [--dimension 1024] [--samples 2048] [--batch 32]
 *
 * Besides wall-clock rates it prints rates by the process's CPU time, which stay meaningful
 * when other work shares the machine (both paths run on one thread).
 * @module
 */

import process from "node:process";
import * as tf from "@tensorflow/tfjs";
import { importExtra } from "../lib/features/extras.ts";
import { createPrng } from "../lib/data/random.ts";
import { initBackend } from "../lib/infer/backend.ts";
import { createClassifierModel, type LabeledVectors, trainClassifier } from "../lib/model/train.ts";
import { numberFlag, parseFlags, runMain } from "./_cli.ts";

const FLAGS = {
  dimension: { type: "string", default: "1024", help: "input size = hidden units" },
  samples: { type: "string", default: "2048", help: "training rows per timed epoch" },
  batch: { type: "string", default: "32", help: "batch size" },
  "fit-samples": { type: "string", default: "320", help: "rows for the (slow) model.fit epoch" },
} as const;

function randomVectors(rows: number, dimension: number, seed: number): LabeledVectors {
  const prng = createPrng(seed);
  return {
    x: Float32Array.from({ length: rows * dimension }, () => prng() - 0.5),
    y: Int32Array.from({ length: rows }, (_, i) => i % 3),
    dimension,
  };
}

/** Training rate of one timed epoch: by wall clock and by this process's CPU time. */
interface Rate {
  wall: number;
  cpu: number;
}

/** Runs `work` (which trains on `rows` samples) and measures its wall and CPU seconds. */
async function measure(rows: number, work: () => Promise<number | void>): Promise<Rate> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const reported = await work();
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: reported ?? rows / wallSeconds, cpu: rows / ((cpu.user + cpu.system) / 1e6) };
}

/** `model.fit` for one epoch after a warm-up epoch. */
async function benchFit(data: LabeledVectors, batchSize: number): Promise<Rate> {
  // model.fit needs tfjs autodiff, which the umbrella package (an extra) registers
  await importExtra("tfjs");
  const rows = data.y.length;
  const model = createClassifierModel(data.dimension, data.dimension);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "sparseCategoricalCrossentropy" });
  const x = tf.tensor2d(data.x, [rows, data.dimension]);
  const y = tf.tensor1d(Float32Array.from(data.y));
  const fit = async () => {
    await model.fit(x, y, { batchSize, epochs: 1, shuffle: true, verbose: 0 });
  };
  await fit();
  const rate = await measure(rows, fit);
  tf.dispose([x, y]);
  model.dispose();
  return rate;
}

/**
 * `trainClassifier` for one epoch after a warm-up run; the wall rate is its own report (training
 * steps only), the CPU rate also pays for weight initialisation and building the final model.
 */
async function benchLoop(data: LabeledVectors, batchSize: number): Promise<Rate> {
  const validation = randomVectors(3, data.dimension, 2);
  const train = async () => {
    const { model, history } = await trainClassifier(data, validation, { epochs: 1, batchSize });
    model.dispose();
    return history[0]!.samplesPerSecond;
  };
  await train();
  return await measure(data.y.length, train);
}

if (import.meta.main) {
  await runMain(async () => {
    const flags = parseFlags(Deno.args, FLAGS, "deno run -A tasks/bench_train.ts [options]");
    const dimension = numberFlag(flags, "dimension")!;
    const batch = numberFlag(flags, "batch")!;
    const backend = await initBackend();
    console.log(`backend ${backend}, ${dimension}→${dimension}→3, batch ${batch}`);
    const fitRate = await benchFit(
      randomVectors(numberFlag(flags, "fit-samples")!, dimension, 1),
      batch,
    );
    const loopRate = await benchLoop(
      randomVectors(numberFlag(flags, "samples")!, dimension, 1),
      batch,
    );
    const line = (name: string, rate: Rate) => {
      const perStep = (samplesPerSecond: number) => (1000 * batch / samplesPerSecond).toFixed(1);
      return `${name.padEnd(20)} wall ${rate.wall.toFixed(0).padStart(5)} samples/s ${
        perStep(rate.wall).padStart(6)
      } ms/step | cpu ${rate.cpu.toFixed(0).padStart(5)} samples/s ${
        perStep(rate.cpu).padStart(6)
      } ms/step`;
    };
    console.log(line("tfjs model.fit", fitRate));
    console.log(line("qac trainClassifier", loopRate));
    console.log(
      `speed-up ${(loopRate.wall / fitRate.wall).toFixed(1)}× wall, ${
        (loopRate.cpu / fitRate.cpu).toFixed(1)
      }× cpu`,
    );
  });
}
