/**
 * Trains the classifier: Dense(hidden, relu) → Dense(3, softmax), Adam, sparse categorical
 * cross-entropy with inverse-frequency class weights, early stopping on the validation set.
 *
 * The loop does not use `model.fit`: on tfjs-backend-wasm every Dense gradient is a transposed
 * matMul that runs on a scalar slow path. Instead each step runs the hand-derived gradients of
 * `_mlp.ts`, whose products are all plain XNNPACK matMuls, and Adam from `_adam.ts` (one fused
 * WebAssembly SIMD pass instead of a dozen tfjs ops). The trained weights then go into an
 * ordinary `tf.sequential` model, so saving, loading and predicting are plain tfjs.
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { LABELS } from "../data/types.ts";
import { createPrng, type Prng, shuffle } from "../data/random.ts";
import { type AdamSlot, adamStep } from "./_adam.ts";
import { logProbabilities, lossAndGradients, type MlpParams } from "./_mlp.ts";

/** Row-major vectors with their class ids (`y[i]` indexes {@linkcode LABELS}). */
export interface LabeledVectors {
  /** `n × dimension`, row-major. */
  x: Float32Array;
  y: Int32Array;
  dimension: number;
}

/** What one epoch achieved; `epoch` counts from 1. */
export interface EpochLog {
  epoch: number;
  /** Mean class-weighted training loss over the epoch's batches (what Keras prints). */
  loss: number;
  /** Unweighted training accuracy over the epoch's batches. */
  accuracy: number;
  /** Unweighted mean cross-entropy on the validation set (Keras does not weight it either). */
  valLoss: number;
  valAccuracy: number;
  /** Wall time of the whole epoch, validation included. */
  seconds: number;
  /** Training samples per second of the training steps alone. */
  samplesPerSecond: number;
}

/** Options of {@linkcode trainClassifier}. */
export interface TrainOptions {
  /** Units of the hidden layer. @default the input dimension (as the original) */
  hiddenUnits?: number;
  /** Maximum number of epochs. @default 40 */
  epochs?: number;
  /** @default 32 */
  batchSize?: number;
  /** Adam learning rate. @default 1e-3 */
  learningRate?: number;
  /**
   * Epochs without a strict improvement of `monitor` before stopping; 0 turns early stopping
   * off. Either way the returned model holds the best epoch's weights.
   * @default 3
   */
  patience?: number;
  /**
   * Quantity early stopping watches. Validation loss is the default: on a small validation set
   * accuracy moves in coarse steps and plateaus, while the loss keeps responding, and it also
   * rises when the model grows overconfident on the examples it gets wrong.
   * @default "val_loss"
   */
  monitor?: "val_loss" | "val_accuracy";
  /**
   * `"balanced"` weights each class's loss by `n / (k · n_c)` (scikit-learn's "balanced", with
   * `k` the number of classes present in the training set); `"none"` weights all rows 1.
   * @default "balanced"
   */
  classWeights?: "balanced" | "none";
  /** Seeds weight initialisation and batch shuffling. @default 42 */
  seed?: number;
  /** Called after every epoch, e.g. to print a progress line. */
  onEpochEnd?: (log: EpochLog) => void;
  /** Stops training between batches; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** {@linkcode TrainOptions} with every default filled in, minus callbacks. */
export interface ResolvedTrainOptions {
  hiddenUnits: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  patience: number;
  monitor: "val_loss" | "val_accuracy";
  classWeights: "balanced" | "none";
  seed: number;
}

/** What {@linkcode trainClassifier} returns. */
export interface TrainResult {
  /** A plain `tf.sequential` model holding the best epoch's weights; the caller disposes it. */
  model: tf.LayersModel;
  history: EpochLog[];
  /** The epoch (from 1) whose weights `model` holds. */
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Loss weight of each class, in {@linkcode LABELS} order. */
  classWeights: number[];
  /** The options training actually used. */
  options: ResolvedTrainOptions;
  /** Training samples per second over all epochs (training steps only). */
  samplesPerSecond: number;
}

const CLASSES = LABELS.length;
const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }; // Keras' defaults
const EVAL_BATCH = 1024;

/** Fills in the defaults of {@linkcode TrainOptions} for inputs of size `dimension`. */
export function resolveTrainOptions(
  dimension: number,
  options: TrainOptions = {},
): ResolvedTrainOptions {
  const resolved: ResolvedTrainOptions = {
    hiddenUnits: options.hiddenUnits ?? dimension,
    epochs: options.epochs ?? 40,
    batchSize: options.batchSize ?? 32,
    learningRate: options.learningRate ?? 1e-3,
    patience: options.patience ?? 3,
    monitor: options.monitor ?? "val_loss",
    classWeights: options.classWeights ?? "balanced",
    seed: options.seed ?? 42,
  };
  for (const key of ["hiddenUnits", "epochs", "batchSize"] as const) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(
        `Cannot train classifier: ${key} must be a positive integer, got ${value}`,
      );
    }
  }
  if (!Number.isInteger(resolved.patience) || resolved.patience < 0) {
    throw new RangeError(
      `Cannot train classifier: patience must be a non-negative integer, got ${resolved.patience}`,
    );
  }
  if (!(resolved.learningRate > 0)) {
    throw new RangeError(
      `Cannot train classifier: learningRate must be positive, got ${resolved.learningRate}`,
    );
  }
  if (resolved.monitor !== "val_loss" && resolved.monitor !== "val_accuracy") {
    throw new RangeError(
      `Cannot train classifier: monitor "${resolved.monitor}" is not one of val_loss, val_accuracy`,
    );
  }
  if (resolved.classWeights !== "balanced" && resolved.classWeights !== "none") {
    throw new RangeError(
      `Cannot train classifier: classWeights "${resolved.classWeights}" is not one of balanced, none`,
    );
  }
  return resolved;
}

/**
 * Inverse-frequency class weights `n / (k · n_c)` over the classes present in `y` (absent
 * classes get 0, they contribute no rows anyway), or all ones for `"none"`.
 */
export function computeClassWeights(y: Int32Array, mode: "balanced" | "none"): number[] {
  if (mode === "none") return new Array(CLASSES).fill(1);
  const counts = new Array<number>(CLASSES).fill(0);
  for (const label of y) counts[label] = counts[label]! + 1;
  const present = counts.filter((count) => count > 0).length;
  return counts.map((count) => (count === 0 ? 0 : y.length / (present * count)));
}

/**
 * Trains the classifier on `train`, early-stopping on `validation`, and returns a plain tfjs
 * model holding the best epoch's weights.
 * @throws {TypeError} when the vectors' sizes disagree
 * @throws {RangeError} on an empty set, a label outside {@linkcode LABELS} or a bad option
 * @example
 * ```ts
 * const { model, history } = await trainClassifier(train, validation, { epochs: 5 });
 * ```
 */
export async function trainClassifier(
  train: LabeledVectors,
  validation: LabeledVectors,
  options: TrainOptions = {},
): Promise<TrainResult> {
  checkVectors(train, "training set", train.dimension);
  checkVectors(validation, "validation set", train.dimension);
  const config = resolveTrainOptions(train.dimension, options);
  const classWeights = computeClassWeights(train.y, config.classWeights);
  const prng = createPrng(config.seed);
  const state = initialState(train.dimension, config.hiddenUnits, prng);
  const validationBatches = toEvalBatches(validation);
  const history: EpochLog[] = [];
  let best = { value: NaN, epoch: 0, weights: snapshot(paramsOf(state)) };
  let stoppedEarly = false;
  let trainSamples = 0;
  let trainSeconds = 0;
  try {
    const order = Array.from({ length: train.y.length }, (_, i) => i);
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const started = performance.now();
      shuffle(order, prng);
      let lossSum = 0;
      let correct = 0;
      for (let start = 0; start < order.length; start += config.batchSize) {
        options.signal?.throwIfAborted();
        const rows = order.slice(start, start + config.batchSize);
        const step = trainStep(state, train, rows, classWeights, config.learningRate);
        lossSum += step.loss * rows.length;
        correct += step.correct;
      }
      const trained = performance.now();
      const evaluation = evaluate(paramsOf(state), validationBatches);
      const seconds = (performance.now() - started) / 1000;
      trainSamples += order.length;
      trainSeconds += (trained - started) / 1000;
      const log: EpochLog = {
        epoch,
        loss: lossSum / order.length,
        accuracy: correct / order.length,
        valLoss: evaluation.loss,
        valAccuracy: evaluation.accuracy,
        seconds,
        samplesPerSecond: order.length / ((trained - started) / 1000),
      };
      history.push(log);
      const value = config.monitor === "val_loss" ? log.valLoss : log.valAccuracy;
      if (isImprovement(value, best.value, config.monitor)) {
        best = { value, epoch, weights: snapshot(paramsOf(state)) };
      }
      options.onEpochEnd?.(log);
      // Like Keras' EarlyStopping: stop after `patience` epochs without a strict improvement.
      if (epoch - best.epoch >= config.patience && epoch < config.epochs && config.patience > 0) {
        stoppedEarly = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 0)); // let timers and I/O run
    }
    const model = buildModel(train.dimension, config.hiddenUnits, best.weights);
    return {
      model,
      history,
      bestEpoch: best.epoch,
      stoppedEarly,
      classWeights,
      options: config,
      samplesPerSecond: trainSeconds > 0 ? trainSamples / trainSeconds : 0,
    };
  } finally {
    disposeState(state);
    tf.dispose(validationBatches.map((batch) => batch.xt));
  }
}

/** Each parameter with its Adam moments (in {@linkcode PARAM_KEYS} order) and the step count. */
interface TrainState {
  slots: AdamSlot[];
  step: number;
}

/** Weights as plain arrays in the training layout (`w1t` is `[hidden, in]`). */
interface WeightSnapshot {
  w1t: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

const PARAM_KEYS = ["w1t", "b1", "w2", "b2"] as const;

function paramsOf(state: TrainState): MlpParams {
  const [w1t, b1, w2, b2] = state.slots.map((slot) => slot.param);
  return {
    w1t: w1t as tf.Tensor2D,
    b1: b1 as tf.Tensor2D,
    w2: w2 as tf.Tensor2D,
    b2: b2 as tf.Tensor1D,
  };
}

function checkVectors(set: LabeledVectors, name: string, dimension: number): void {
  if (!Number.isInteger(set.dimension) || set.dimension < 1) {
    throw new RangeError(
      `Cannot train classifier: ${name} dimension must be a positive integer, got ${set.dimension}`,
    );
  }
  if (set.dimension !== dimension) {
    throw new TypeError(
      `Cannot train classifier: ${name} has dimension ${set.dimension}, expected ${dimension}`,
    );
  }
  const n = set.y.length;
  if (n === 0) throw new RangeError(`Cannot train classifier: ${name} is empty`);
  if (set.x.length !== n * dimension) {
    throw new TypeError(
      `Cannot train classifier: ${name} has ${set.x.length} values, expected ${n} rows × ${dimension} = ${
        n * dimension
      }`,
    );
  }
  const bad = set.y.findIndex((label) => label < 0 || label >= CLASSES);
  if (bad >= 0) {
    throw new RangeError(
      `Cannot train classifier: ${name} row ${bad} has label ${set.y[bad]}, expected 0..${
        CLASSES - 1
      } (${LABELS.join(", ")})`,
    );
  }
}

/** Glorot-uniform kernels (Keras' default) drawn from `prng`, zero biases, zero Adam moments. */
function initialState(inputs: number, hidden: number, prng: Prng): TrainState {
  const glorot = (fanIn: number, fanOut: number) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const values = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < values.length; i++) values[i] = (2 * prng() - 1) * limit;
    return values;
  };
  const params = [
    tf.tensor2d(glorot(inputs, hidden), [hidden, inputs]),
    tf.zeros([hidden, 1]),
    tf.tensor2d(glorot(hidden, CLASSES), [hidden, CLASSES]),
    tf.zeros([CLASSES]),
  ];
  const slots = params.map((param) => ({ param, m: tf.zerosLike(param), v: tf.zerosLike(param) }));
  return { slots, step: 0 };
}

function disposeState(state: TrainState): void {
  for (const slot of state.slots) tf.dispose([slot.param, slot.m, slot.v]);
}

/** Gathers `rows` of `set` into a batch in both layouts, runs one Adam step. */
function trainStep(
  state: TrainState,
  set: LabeledVectors,
  rows: readonly number[],
  classWeights: readonly number[],
  learningRate: number,
): { loss: number; correct: number } {
  const d = set.dimension;
  const n = rows.length;
  const x = new Float32Array(n * d);
  const xt = new Float32Array(n * d);
  const y = new Float32Array(n * CLASSES);
  const w = new Float32Array(n);
  rows.forEach((row, i) => {
    const source = set.x.subarray(row * d, (row + 1) * d);
    x.set(source, i * d);
    for (let j = 0; j < d; j++) xt[j * n + i] = source[j]!;
    const label = set.y[row]!;
    y[i * CLASSES + label] = 1;
    w[i] = classWeights[label]!;
  });
  const batch = {
    x: tf.tensor2d(x, [n, d]),
    xt: tf.tensor2d(xt, [d, n]),
    y: tf.tensor2d(y, [n, CLASSES]),
    w: tf.tensor1d(w),
  };
  try {
    const { loss, predicted: predictedTensor, grads } = lossAndGradients(paramsOf(state), batch);
    const lossValue = loss.dataSync()[0]!;
    const predicted = predictedTensor.dataSync();
    const gradients = PARAM_KEYS.map((key) => grads[key]);
    state.step++;
    state.slots = adamStep(state.slots, gradients, state.step, { ...ADAM, learningRate });
    tf.dispose([loss, predictedTensor, ...gradients]);
    let correct = 0;
    rows.forEach((row, i) => {
      if (predicted[i] === set.y[row]) correct++;
    });
    return { loss: lossValue, correct };
  } finally {
    tf.dispose(Object.values(batch));
  }
}

/** A validation chunk, transposed once for the whole training run. */
interface EvalBatch {
  xt: tf.Tensor2D;
  y: Int32Array;
}

function toEvalBatches(set: LabeledVectors): EvalBatch[] {
  const d = set.dimension;
  const batches: EvalBatch[] = [];
  for (let start = 0; start < set.y.length; start += EVAL_BATCH) {
    const n = Math.min(EVAL_BATCH, set.y.length - start);
    const xt = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const offset = (start + i) * d;
      for (let j = 0; j < d; j++) xt[j * n + i] = set.x[offset + j]!;
    }
    batches.push({ xt: tf.tensor2d(xt, [d, n]), y: set.y.slice(start, start + n) });
  }
  return batches;
}

/** Unweighted mean cross-entropy and accuracy of the current parameters. */
function evaluate(params: MlpParams, batches: readonly EvalBatch[]) {
  let loss = 0;
  let correct = 0;
  let n = 0;
  for (const batch of batches) {
    const logpTensor = logProbabilities(params, batch.xt);
    const logp = logpTensor.dataSync() as Float32Array;
    logpTensor.dispose();
    const predicted = argmaxRows(logp);
    batch.y.forEach((label, i) => {
      loss -= logp[i * CLASSES + label]!;
      if (predicted[i] === label) correct++;
    });
    n += batch.y.length;
  }
  return { loss: loss / n, accuracy: correct / n };
}

function argmaxRows(scores: Float32Array): Int32Array {
  const rows = scores.length / CLASSES;
  const result = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) {
      if (scores[i * CLASSES + c]! > scores[i * CLASSES + best]!) best = c;
    }
    result[i] = best;
  }
  return result;
}

function isImprovement(value: number, best: number, monitor: ResolvedTrainOptions["monitor"]) {
  if (Number.isNaN(value)) return false;
  if (Number.isNaN(best)) return true;
  return monitor === "val_loss" ? value < best : value > best;
}

function snapshot(params: MlpParams): WeightSnapshot {
  return {
    w1t: params.w1t.dataSync() as Float32Array,
    b1: params.b1.dataSync() as Float32Array,
    w2: params.w2.dataSync() as Float32Array,
    b2: params.b2.dataSync() as Float32Array,
  };
}

/** A plain `tf.sequential` Dense → Dense model holding `weights` (`w1t` transposed back). */
function buildModel(inputs: number, hidden: number, weights: WeightSnapshot): tf.LayersModel {
  const kernel1 = new Float32Array(inputs * hidden);
  for (let h = 0; h < hidden; h++) {
    for (let i = 0; i < inputs; i++) kernel1[i * hidden + h] = weights.w1t[h * inputs + i]!;
  }
  const model = createClassifierModel(inputs, hidden);
  const values = tf.tidy(() => [
    tf.tensor2d(kernel1, [inputs, hidden]),
    tf.tensor1d(weights.b1),
    tf.tensor2d(weights.w2, [hidden, CLASSES]),
    tf.tensor1d(weights.b2),
  ]);
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

/** An untrained Dense(hidden, relu) → Dense(3, softmax) model, zero-initialised. */
export function createClassifierModel(inputs: number, hidden: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        name: "hidden",
        inputShape: [inputs],
        units: hidden,
        activation: "relu",
        kernelInitializer: "zeros",
      }),
      tf.layers.dense({
        name: "output",
        units: CLASSES,
        activation: "softmax",
        kernelInitializer: "zeros",
      }),
    ],
  });
}
