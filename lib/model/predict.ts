/**
 * Prediction: texts → embedder → model → class probabilities in {@linkcode LABELS} order.
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { type Label, LABELS } from "../data/types.ts";
import type { ModelBundle } from "./bundle.ts";

/** A text's most likely label and the probability of every label. */
export interface Prediction {
  label: Label;
  probabilities: Record<Label, number>;
}

/** Options of {@linkcode predictVectors}. */
export interface PredictOptions {
  /** Rows per `model.predict` call; bounds the memory of large inputs. @default 1024 */
  batchSize?: number;
}

/**
 * Class probabilities (`n × 3`, row-major) of row-major vectors `x` of size `dimension`;
 * creates no lasting tensors.
 * @throws {TypeError} when `x` or `dimension` does not fit the model's input
 */
export function predictVectors(
  model: tf.LayersModel,
  x: Float32Array,
  dimension: number,
  options: PredictOptions = {},
): Float32Array {
  const inputSize = model.inputs[0]?.shape[1];
  if (inputSize !== dimension) {
    throw new TypeError(
      `Cannot predict with model: vectors have dimension ${dimension}, the model expects ${inputSize}`,
    );
  }
  if (x.length % dimension !== 0) {
    throw new TypeError(
      `Cannot predict with model: ${x.length} values are not whole rows of dimension ${dimension}`,
    );
  }
  const rows = x.length / dimension;
  const classes = LABELS.length;
  const batchSize = options.batchSize ?? 1024;
  const out = new Float32Array(rows * classes);
  for (let start = 0; start < rows; start += batchSize) {
    const n = Math.min(batchSize, rows - start);
    const probabilities = tf.tidy(() => {
      const input = tf.tensor2d(x.subarray(start * dimension, (start + n) * dimension), [
        n,
        dimension,
      ]);
      return (model.predict(input) as tf.Tensor).dataSync();
    });
    out.set(probabilities, start * classes);
  }
  return out;
}

/** Embeds `texts` with the bundle's embedder and returns their class probabilities (`n × 3`). */
export async function predictProbabilities(
  bundle: ModelBundle,
  texts: readonly string[],
): Promise<Float32Array> {
  if (texts.length === 0) return new Float32Array(0);
  const vectors = await bundle.embedder.embed(texts);
  return predictVectors(bundle.model, vectors, bundle.embedder.dimension);
}

/**
 * Labels `texts` with the bundle's model.
 * @example
 * ```ts
 * const [prediction] = await classify(await loadBundle("models/latest"), ["how do I start?"]);
 * prediction.label; // "question"
 * ```
 */
export async function classify(
  bundle: ModelBundle,
  texts: readonly string[],
): Promise<Prediction[]> {
  const probabilities = await predictProbabilities(bundle, texts);
  return texts.map((_, i) => {
    const row = probabilities.subarray(i * LABELS.length, (i + 1) * LABELS.length);
    let best = 0;
    for (let c = 1; c < LABELS.length; c++) if (row[c]! > row[best]!) best = c;
    const byLabel = Object.fromEntries(LABELS.map((label, c) => [label, row[c]!]));
    return { label: LABELS[best]!, probabilities: byLabel as Record<Label, number> };
  });
}
