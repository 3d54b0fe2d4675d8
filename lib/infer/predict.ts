/**
 * Prediction: texts → embedder → model → class probabilities in {@linkcode LABELS} order.
 *
 * Two routes give the same numbers (within float rounding): a sparse embedder (builtin) goes
 * through the sparse fast path of `sparse.ts` — the first layer as a sum of ~40 weight rows
 * per message, ~25× less work than the dense matMul — and any other embedder through the tfjs
 * model on the wasm backend.
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { type Label, LABELS } from "../data/types.ts";
import type { ModelBundle } from "../model/bundle.ts";
import { createSparsePredictor } from "./sparse.ts";

/** A text's most likely label and the probability of every label. */
export interface Prediction {
  /** The most likely label. */
  label: Label;
  /** Probability of every label. */
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
      // One call per batch: model.predict's own default splits it into 32-row calls, and
      // those cost ~1.5× the time of a single matMul over all rows.
      return (model.predict(input, { batchSize: n }) as tf.Tensor).dataSync();
    });
    out.set(probabilities, start * classes);
  }
  return out;
}

/** Options of {@linkcode predictProbabilities}. */
export interface PredictProbabilitiesOptions {
  /** "auto": the sparse fast path when the embedder has sparse features, else tfjs;
   * "tfjs": always the dense tfjs model (the reference numbers). @default "auto" */
  route?: "auto" | "tfjs";
}

/**
 * Embeds `texts` with the bundle's embedder and returns their class probabilities (`n × 3`).
 * The tfjs route starts the wasm backend if nothing registered it (the pure-JS "cpu" default
 * is ~20× slower).
 */
export async function predictProbabilities(
  bundle: ModelBundle,
  texts: readonly string[],
  options: PredictProbabilitiesOptions = {},
): Promise<Float32Array> {
  if (texts.length === 0) return new Float32Array(0);
  if (bundle.metadata?.context) {
    // a context model reads a lone text with an empty context (imported lazily: lib/infer
    // builds on this module)
    const { predictAlone } = await import("./context.ts");
    return await predictAlone(bundle, texts);
  }
  const sparse = (options.route ?? "auto") === "auto" ? sparsePredictorOf(bundle) : undefined;
  if (sparse) return sparse(texts);
  const vectors = await bundle.embedder.embed(texts);
  await ensureFastBackend();
  return predictVectors(bundle.model, vectors, bundle.embedder.dimension);
}

interface CachedPredictor {
  embedder: ModelBundle["embedder"];
  /** The weights' data ids when the weights were copied: `setWeights` or training changes them. */
  dataIds: object[];
  predict: ((texts: readonly string[]) => Float32Array) | undefined;
}

const sparsePredictors = new WeakMap<tf.LayersModel, CachedPredictor>();

/** The bundle's sparse predictor, built once per model and weights, or undefined for tfjs. */
function sparsePredictorOf(
  bundle: ModelBundle,
): ((texts: readonly string[]) => Float32Array) | undefined {
  const dataIds = bundle.model.weights.map((w) => w.read().dataId);
  const cached = sparsePredictors.get(bundle.model);
  if (
    cached?.embedder === bundle.embedder && cached.dataIds.length === dataIds.length &&
    cached.dataIds.every((id, i) => id === dataIds[i])
  ) {
    return cached.predict;
  }
  let predict: CachedPredictor["predict"];
  try {
    predict = createSparsePredictor(bundle);
  } catch {
    predict = undefined; // not a Dense(relu) → Dense(softmax) model: tfjs predicts it as it is
  }
  sparsePredictors.set(bundle.model, { embedder: bundle.embedder, dataIds, predict });
  return predict;
}

/**
 * Moves tfjs off the pure-JS "cpu" backend when that is only the default because nothing
 * registered wasm (e.g. a CLI that loaded a model without `initBackend`). A registered wasm
 * backend next to an active "cpu" means someone chose "cpu": that choice stays.
 */
async function ensureFastBackend(): Promise<void> {
  if (tf.getBackend() !== "cpu" || tf.findBackendFactory("wasm") !== null) return;
  const { initBackend } = await import("./backend.ts");
  await initBackend();
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
