/**
 * Fast inference from sparse features, the way fastText does it: a message has only tens of
 * active hashed features, so the first layer `relu(b1 + x·W1)` is the sum of the weight rows of
 * those features — ~60 × hidden multiply-adds instead of dimension × hidden — then the tiny
 * second layer and a softmax, all in plain Float32Arrays. Same numbers as the tfjs model.
 * @module
 */

import type * as tf from "@tensorflow/tfjs";
import type { Embedder } from "../features/embedder.ts";

/** A sparse vector: sorted unique indices and their values. */
export interface SparseFeatures {
  indices: Int32Array;
  values: Float32Array;
}

/** An embedder that can also give its vectors in sparse form (e.g. `BuiltinEmbedder`). */
export interface SparseEmbedder extends Embedder {
  featurize(text: string): SparseFeatures;
}

/** Whether `embedder` offers {@linkcode SparseEmbedder.featurize}. */
export function isSparseEmbedder(embedder: Embedder): embedder is SparseEmbedder {
  return typeof (embedder as Partial<SparseEmbedder>).featurize === "function";
}

/** The weights of a Dense(hidden, relu) → Dense(classes, softmax) model, row-major. */
export interface MlpWeights {
  inputs: number;
  hidden: number;
  classes: number;
  /** `[inputs, hidden]`: row i is what feature i adds to the hidden layer. */
  w1: Float32Array;
  /** `[hidden]` */
  b1: Float32Array;
  /** `[hidden, classes]` */
  w2: Float32Array;
  /** `[classes]` */
  b2: Float32Array;
}

/**
 * Copies the weights out of a tfjs Dense(relu) → Dense(softmax) model, once.
 * @throws {TypeError} when the model is not exactly two Dense layers with relu then softmax
 */
export function extractMlpWeights(model: tf.LayersModel): MlpWeights {
  const dense = model.layers.filter((l) => l.getClassName() === "Dense");
  const others = model.layers.filter((l) => !["Dense", "InputLayer"].includes(l.getClassName()));
  const activations = dense.map((l) => String(l.getConfig().activation));
  if (
    dense.length !== 2 || others.length > 0 || activations[0] !== "relu" ||
    activations[1] !== "softmax" || dense.some((l) => l.getConfig().useBias === false)
  ) {
    const shape = model.layers.map((l) => `${l.getClassName()}(${l.getConfig().activation ?? ""})`);
    throw new TypeError(
      `Cannot extract weights: expected Dense(relu) → Dense(softmax) with biases, got ${
        shape.join(" → ")
      }`,
    );
  }
  const [kernel1, bias1] = dense[0]!.getWeights();
  const [kernel2, bias2] = dense[1]!.getWeights();
  const [inputs, hidden] = kernel1!.shape as [number, number];
  const classes = kernel2!.shape[1]!;
  // Copies: a backend may hand out views of its own (growable) memory, which are slower to index
  // and change under us.
  const copy = (t: tf.Tensor) => new Float32Array(t.dataSync() as Float32Array);
  return {
    inputs,
    hidden,
    classes,
    w1: copy(kernel1!),
    b1: copy(bias1!),
    w2: copy(kernel2!),
    b2: copy(bias2!),
  };
}

/** Computes class probabilities from sparse inputs with a Dense → Dense model's weights. */
export class SparseMlp {
  readonly weights: MlpWeights;
  #hidden: Float32Array;
  #logits: Float64Array;

  constructor(weights: MlpWeights) {
    const { inputs, hidden, classes, w1, b1, w2, b2 } = weights;
    if (
      w1.length !== inputs * hidden || b1.length !== hidden || w2.length !== hidden * classes ||
      b2.length !== classes
    ) {
      throw new TypeError(
        `Cannot build sparse MLP: weight sizes ${w1.length}, ${b1.length}, ${w2.length}, ${b2.length} do not fit ${inputs} → ${hidden} → ${classes}`,
      );
    }
    this.weights = weights;
    this.#hidden = new Float32Array(hidden);
    this.#logits = new Float64Array(classes);
  }

  /**
   * Writes the probabilities of one sparse input into `out` at `offset` (classes values).
   * @throws {RangeError} when an index is outside the input dimension
   */
  predictInto(features: SparseFeatures, out: Float32Array, offset: number): void {
    const { inputs, hidden: units, classes, w1, b1, w2, b2 } = this.weights;
    const h = this.#hidden;
    h.set(b1);
    const { indices, values } = features;
    for (let k = 0; k < indices.length; k++) {
      const index = indices[k]!;
      if (index < 0 || index >= inputs) {
        throw new RangeError(`Cannot predict: feature index ${index} is outside 0..${inputs - 1}`);
      }
      const v = values[k]!;
      axpy(h, w1, index * units, v, units);
    }
    const logits = this.#logits;
    for (let c = 0; c < classes; c++) logits[c] = b2[c]!;
    for (let j = 0; j < units; j++) {
      const a = h[j]!;
      if (a <= 0) continue; // relu
      const row = j * classes;
      for (let c = 0; c < classes; c++) logits[c]! += a * w2[row + c]!;
    }
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const e = Math.exp(logits[c]! - max);
      logits[c] = e;
      sum += e;
    }
    for (let c = 0; c < classes; c++) out[offset + c] = logits[c]! / sum;
  }

  /** Probabilities of many sparse inputs, row-major `n × classes`. */
  predict(rows: readonly SparseFeatures[]): Float32Array {
    const classes = this.weights.classes;
    const out = new Float32Array(rows.length * classes);
    for (let i = 0; i < rows.length; i++) this.predictInto(rows[i]!, out, i * classes);
    return out;
  }
}

/** `h += v · w[offset .. offset + n)`, unrolled by four (V8 does not vectorise; fewer checks pay). */
function axpy(h: Float32Array, w: Float32Array, offset: number, v: number, n: number): void {
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const o = offset + j;
    h[j] = h[j]! + v * w[o]!;
    h[j + 1] = h[j + 1]! + v * w[o + 1]!;
    h[j + 2] = h[j + 2]! + v * w[o + 2]!;
    h[j + 3] = h[j + 3]! + v * w[o + 3]!;
  }
  for (; j < n; j++) h[j] = h[j]! + v * w[offset + j]!;
}

/** What {@linkcode createSparsePredictor} needs of a model bundle. */
export interface SparseModel {
  model: tf.LayersModel;
  embedder: Embedder;
}

/**
 * Returns `(texts) → probabilities (n × classes)` computed on the sparse fast path, or
 * `undefined` when the bundle's embedder has no sparse form (callers then use tfjs).
 */
export function createSparsePredictor(
  bundle: SparseModel,
): ((texts: readonly string[]) => Float32Array) | undefined {
  const { embedder } = bundle;
  if (!isSparseEmbedder(embedder)) return undefined;
  const mlp = new SparseMlp(extractMlpWeights(bundle.model));
  if (mlp.weights.inputs !== embedder.dimension) {
    throw new TypeError(
      `Cannot build sparse predictor: the model takes ${mlp.weights.inputs} inputs, the embedder "${embedder.id}" gives ${embedder.dimension}`,
    );
  }
  const classes = mlp.weights.classes;
  return (texts) => {
    const out = new Float32Array(texts.length * classes);
    for (let i = 0; i < texts.length; i++) {
      mlp.predictInto(embedder.featurize(texts[i]!), out, i * classes);
    }
    return out;
  };
}
