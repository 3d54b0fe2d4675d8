/**
 * The classifier's weights as plain typed arrays: what training produces, what the prediction
 * routes compute with, and what `weights.bin` holds (tfjs' Dense kernels are already row-major
 * `[inputs, units]`).
 * @module
 */

import type * as tf from "@tensorflow/tfjs";

/** The weights of a Dense(hidden, relu) → Dense(classes, softmax) model, row-major. */
export interface MlpWeights {
  /** Input size (rows of `w1`). */
  inputs: number;
  /** Hidden units. */
  hidden: number;
  /** Output classes. */
  classes: number;
  /** `[inputs, hidden]`: row i is what input i adds to the hidden layer (tfjs' kernel layout). */
  w1: Float32Array;
  /** `[hidden]` */
  b1: Float32Array;
  /** `[hidden, classes]` */
  w2: Float32Array;
  /** `[classes]` */
  b2: Float32Array;
}

/**
 * Copies the weights out of a tfjs Dense(relu) → Dense(softmax) model.
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
  // copies: a backend may hand out views of its own memory, which change under us
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

/**
 * Checks that the arrays fit `inputs → hidden → classes`.
 * @throws {TypeError} naming the first array whose size is wrong
 */
export function checkMlpWeights(weights: MlpWeights): void {
  const { inputs, hidden, classes } = weights;
  const expected = { w1: inputs * hidden, b1: hidden, w2: hidden * classes, b2: classes };
  for (const [name, size] of Object.entries(expected)) {
    const actual = weights[name as keyof typeof expected].length;
    if (actual !== size) {
      throw new TypeError(
        `Cannot use weights: ${name} has ${actual} values, ${inputs} → ${hidden} → ${classes} needs ${size}`,
      );
    }
  }
}
