/**
 * Micro benchmark of one training epoch on random 1024-d vectors: tfjs `model.fit` against
 * qac's plain-matMul training loop (`trainClassifier`), both Dense(d, relu) → Dense(3), Adam,
 * the same batch size, on the wasm backend.
 *
 *   deno run -A tasks/bench_train.ts [--dimension 1024] [--samples 1024] [--batch 32]
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { createPrng } from "../lib/data/random.ts";
import { initBackend } from "../lib/model/backend.ts";
import { createClassifierModel, type LabeledVectors, trainClassifier } from "../lib/model/train.ts";
import { numberFlag, parseFlags, runMain } from "./_cli.ts";

const FLAGS = {
  dimension: { type: "string", default: "1024", help: "input size = hidden units" },
  samples: { type: "string", default: "1024", help: "training rows per timed epoch" },
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

/** Samples/s of one `model.fit` epoch after a warm-up epoch. */
async function benchFit(data: LabeledVectors, batchSize: number): Promise<number> {
  const rows = data.y.length;
  const model = createClassifierModel(data.dimension, data.dimension);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "sparseCategoricalCrossentropy" });
  const x = tf.tensor2d(data.x, [rows, data.dimension]);
  const y = tf.tensor1d(Float32Array.from(data.y));
  const fit = () => model.fit(x, y, { batchSize, epochs: 1, shuffle: true, verbose: 0 });
  await fit();
  const started = performance.now();
  await fit();
  const seconds = (performance.now() - started) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  return rows / seconds;
}

/** Samples/s of `trainClassifier`'s training steps in its second epoch. */
async function benchLoop(data: LabeledVectors, batchSize: number): Promise<number> {
  const validation = randomVectors(3, data.dimension, 2);
  const { model, history } = await trainClassifier(data, validation, {
    epochs: 2,
    batchSize,
    patience: 0,
  });
  model.dispose();
  return history[1]!.samplesPerSecond;
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
    const line = (name: string, rate: number) =>
      `${name.padEnd(22)} ${rate.toFixed(0).padStart(6)} samples/s  ${
        (1000 * batch / rate).toFixed(1).padStart(6)
      } ms/step`;
    console.log(line("tfjs model.fit", fitRate));
    console.log(line("qac trainClassifier", loopRate));
    console.log(`speed-up ${(loopRate / fitRate).toFixed(1)}×`);
  });
}
