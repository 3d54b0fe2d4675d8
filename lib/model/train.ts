/**
 * Trains the classifier: Dense(hidden, relu) → Dense(3, softmax), Adam, sparse categorical
 * cross-entropy with optional inverse-frequency class weights, early stopping on the validation
 * set with the best epoch's weights restored.
 *
 * The inputs are a {@linkcode FeatureMatrix}: sparse rows (the builtin featurizer, context
 * features) cost only their active inputs per step, dense rows (openai, transformers, glove) go
 * through the same code with every input active. The step runs on the project's own typed
 * arrays (`_trainer.ts`, exact Adam with lazily replayed idle rows); the trained weights then go
 * into an ordinary `tf.sequential` model, so the saved format is plain tfjs.
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { LABELS } from "../data/types.ts";
import { createPrng, type Prng, shuffle } from "../data/random.ts";
import type { FeatureMatrix } from "../features/matrix.ts";
import { MlpTrainer } from "./_trainer.ts";
import type { LayersModel, MlpWeights } from "./weights.ts";

/** A feature matrix with the class id of each row (`y[i]` indexes {@linkcode LABELS}). */
export interface LabeledMatrix {
  /** The rows' features. */
  x: FeatureMatrix;
  /** Class id of each row. */
  y: Int32Array;
}

/** Row-major dense vectors with their class ids; the older form of {@linkcode LabeledMatrix}. */
export interface LabeledVectors {
  /** `n × dimension`, row-major. */
  x: Float32Array;
  /** Class id of each row. */
  y: Int32Array;
  /** Values per row. */
  dimension: number;
}

/** What one epoch achieved; `epoch` counts from 1. */
export interface EpochLog {
  /** Epoch number, from 1. */
  epoch: number;
  /** Mean class-weighted training loss over the epoch's batches (what Keras prints). */
  loss: number;
  /** Unweighted training accuracy over the epoch's batches. */
  accuracy: number;
  /** Unweighted mean cross-entropy on the validation set (Keras does not weight it either). */
  valLoss: number;
  /** Accuracy on the validation set. */
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
  /** Rows per Adam step. @default 32 */
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
  /**
   * Threads each training step runs on, 1 or 2 (the second takes half of the hidden units);
   * the weights come out the same either way.
   * @default 2 when the machine has 2 or more cores, else 1
   */
  threads?: number;
  /** Called after every epoch, e.g. to print a progress line. */
  onEpochEnd?: (log: EpochLog) => void;
  /** Stops training between batches; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** {@linkcode TrainOptions} with every default filled in, minus callbacks. */
export interface ResolvedTrainOptions {
  /** Units of the hidden layer. */
  hiddenUnits: number;
  /** Maximum number of epochs. */
  epochs: number;
  /** Rows per Adam step. */
  batchSize: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Epochs without improvement before stopping (0: never stop early). */
  patience: number;
  /** Quantity early stopping watches. */
  monitor: "val_loss" | "val_accuracy";
  /** How class weights are computed. */
  classWeights: "balanced" | "none";
  /** Seed of weight initialisation and shuffling. */
  seed: number;
}

/** What {@linkcode trainClassifier} returns. */
export interface TrainResult {
  /** A plain `tf.sequential` model holding the best epoch's weights; the caller disposes it. */
  model: LayersModel;
  /** The same weights as typed arrays (what the prediction routes read). */
  weights: MlpWeights;
  /** One log per epoch run. */
  history: EpochLog[];
  /** The epoch (from 1) whose weights `model` holds. */
  bestEpoch: number;
  /** Whether early stopping ended training before `epochs`. */
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
  train: LabeledMatrix | LabeledVectors,
  validation: LabeledMatrix | LabeledVectors,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const trainSet = asMatrix(train);
  const validationSet = asMatrix(validation);
  const dimension = trainSet.x.dimension;
  checkMatrix(trainSet, "training set", dimension);
  checkMatrix(validationSet, "validation set", dimension);
  const config = resolveTrainOptions(dimension, options);
  const classWeights = computeClassWeights(trainSet.y, config.classWeights);
  const prng = createPrng(config.seed);
  using trainer = new MlpTrainer(initialWeights(dimension, config.hiddenUnits, prng), {
    ...ADAM,
    learningRate: config.learningRate,
  });
  // not part of the resolved options (nor the model's metadata): it changes no result
  await trainer.startThreads({
    threads: options.threads ?? (navigator.hardwareConcurrency >= 2 ? 2 : 1),
  });
  const history: EpochLog[] = [];
  let best = { value: NaN, epoch: 0, weights: trainer.weights() };
  let stoppedEarly = false;
  let trainSamples = 0;
  let trainSeconds = 0;
  const n = trainSet.y.length;
  const shuffled = Array.from({ length: n }, (_, i) => i);
  const order = new Int32Array(n);
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const started = performance.now();
    order.set(shuffle(shuffled, prng));
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < n; start += config.batchSize) {
      options.signal?.throwIfAborted();
      const rows = order.subarray(start, Math.min(n, start + config.batchSize));
      const step = trainer.trainBatch(trainSet.x, trainSet.y, rows, classWeights);
      lossSum += step.loss * rows.length;
      correct += step.correct;
    }
    trainer.sync();
    const trained = performance.now();
    const evaluation = evaluate(trainer, validationSet);
    const seconds = (performance.now() - started) / 1000;
    trainSamples += n;
    trainSeconds += (trained - started) / 1000;
    const log: EpochLog = {
      epoch,
      loss: lossSum / n,
      accuracy: correct / n,
      valLoss: evaluation.loss,
      valAccuracy: evaluation.accuracy,
      seconds,
      samplesPerSecond: n / ((trained - started) / 1000),
    };
    history.push(log);
    const value = config.monitor === "val_loss" ? log.valLoss : log.valAccuracy;
    if (isImprovement(value, best.value, config.monitor)) {
      best = { value, epoch, weights: trainer.weights() };
    }
    options.onEpochEnd?.(log);
    // Like Keras' EarlyStopping: stop after `patience` epochs without a strict improvement.
    if (epoch - best.epoch >= config.patience && epoch < config.epochs && config.patience > 0) {
      stoppedEarly = true;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 0)); // let timers and I/O run
  }
  return {
    model: buildModel(best.weights),
    weights: best.weights,
    history,
    bestEpoch: best.epoch,
    stoppedEarly,
    classWeights,
    options: config,
    samplesPerSecond: trainSeconds > 0 ? trainSamples / trainSeconds : 0,
  };
}

function asMatrix(set: LabeledMatrix | LabeledVectors): LabeledMatrix {
  if (!(set.x instanceof Float32Array)) return set as LabeledMatrix;
  const { x, y, dimension } = set as LabeledVectors;
  return { x: { kind: "dense", rows: y.length, dimension, data: x }, y };
}

function checkMatrix(set: LabeledMatrix, name: string, dimension: number): void {
  const { x, y } = set;
  if (!Number.isInteger(x.dimension) || x.dimension < 1) {
    throw new RangeError(
      `Cannot train classifier: ${name} dimension must be a positive integer, got ${x.dimension}`,
    );
  }
  if (x.dimension !== dimension) {
    throw new TypeError(
      `Cannot train classifier: ${name} has dimension ${x.dimension}, expected ${dimension}`,
    );
  }
  const n = y.length;
  if (n === 0) throw new RangeError(`Cannot train classifier: ${name} is empty`);
  if (x.rows !== n) {
    throw new TypeError(`Cannot train classifier: ${name} has ${x.rows} rows but ${n} labels`);
  }
  if (x.kind === "dense" && x.data.length !== n * dimension) {
    throw new TypeError(
      `Cannot train classifier: ${name} has ${x.data.length} values, expected ${n} rows × ${dimension} = ${
        n * dimension
      }`,
    );
  }
  if (x.kind === "sparse") {
    if (x.offsets.length !== n + 1 || x.offsets[n] !== x.indices.length) {
      throw new TypeError(`Cannot train classifier: ${name} has malformed sparse offsets`);
    }
    const bad = x.indices.findIndex((index) => index < 0 || index >= dimension);
    if (bad >= 0) {
      throw new RangeError(
        `Cannot train classifier: ${name} has feature index ${x.indices[bad]} outside 0..${
          dimension - 1
        }`,
      );
    }
  }
  const bad = y.findIndex((label) => label < 0 || label >= CLASSES);
  if (bad >= 0) {
    throw new RangeError(
      `Cannot train classifier: ${name} row ${bad} has label ${y[bad]}, expected 0..${
        CLASSES - 1
      } (${LABELS.join(", ")})`,
    );
  }
}

/** Glorot-uniform kernels (Keras' default) drawn from `prng`, zero biases. */
export function initialWeights(inputs: number, hidden: number, prng: Prng): MlpWeights {
  const glorot = (fanIn: number, fanOut: number) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const values = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < values.length; i++) values[i] = (2 * prng() - 1) * limit;
    return values;
  };
  // drawn in `[hidden, inputs]` order, as the earlier trainer did, so a seed keeps its start
  const drawn = glorot(inputs, hidden);
  const w1 = new Float32Array(inputs * hidden);
  for (let h = 0; h < hidden; h++) {
    for (let i = 0; i < inputs; i++) w1[i * hidden + h] = drawn[h * inputs + i]!;
  }
  return {
    inputs,
    hidden,
    classes: CLASSES,
    w1,
    b1: new Float32Array(hidden),
    w2: glorot(hidden, CLASSES),
    b2: new Float32Array(CLASSES),
  };
}

/** Unweighted mean cross-entropy and accuracy of the trainer's current weights on `set`. */
function evaluate(trainer: MlpTrainer, set: LabeledMatrix) {
  const logp = trainer.logProbabilities(set.x);
  let loss = 0;
  let correct = 0;
  set.y.forEach((label, i) => {
    loss -= logp[i * CLASSES + label]!;
    let best = 0;
    for (let c = 1; c < CLASSES; c++) {
      if (logp[i * CLASSES + c]! > logp[i * CLASSES + best]!) best = c;
    }
    if (best === label) correct++;
  });
  return { loss: loss / set.y.length, accuracy: correct / set.y.length };
}

function isImprovement(value: number, best: number, monitor: ResolvedTrainOptions["monitor"]) {
  if (Number.isNaN(value)) return false;
  if (Number.isNaN(best)) return true;
  return monitor === "val_loss" ? value < best : value > best;
}

/** A plain `tf.sequential` Dense → Dense model holding `weights`. */
export function buildModel(weights: MlpWeights): LayersModel {
  const { inputs, hidden, classes } = weights;
  const model = createClassifierModel(inputs, hidden);
  const values = tf.tidy(() => [
    tf.tensor2d(weights.w1, [inputs, hidden]),
    tf.tensor1d(weights.b1),
    tf.tensor2d(weights.w2, [hidden, classes]),
    tf.tensor1d(weights.b2),
  ]);
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

/** An untrained Dense(hidden, relu) → Dense(3, softmax) model, zero-initialised. */
export function createClassifierModel(inputs: number, hidden: number): LayersModel {
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
