/**
 * The classifier's math, laid out for the wasm backend: forward pass and hand-derived gradients
 * of Dense(relu) → Dense(softmax) under a class-weighted cross-entropy.
 *
 * Why the odd layout: tfjs-backend-wasm only runs a matMul on XNNPACK when neither transpose flag
 * is set; a transposed matMul (which is what tfjs autodiff emits for every Dense gradient) falls
 * back to a scalar, single-threaded loop that is ~10–40× slower. XNNPACK also packs its second
 * operand anew for every new tensor, so that operand should be the small, batch-sized one.
 * Keeping the first layer's weights transposed (`w1t`, `[hidden, in]`) and feeding each batch
 * both as `x` `[batch, in]` and `xt` `[in, batch]` (transposed in JS, which is cheap) makes every
 * product below a plain matMul with the batch-sized operand second. The only `tf.transpose`
 * calls touch `[hidden, 3]` or `[3, batch]` tensors, which are tiny.
 * @module
 */

import * as tf from "@tensorflow/tfjs";

/** Trainable parameters; `w1t` is the first Dense kernel transposed, `b1` a column. */
export interface MlpParams {
  /** `[hidden, in]` */
  w1t: tf.Tensor2D;
  /** `[hidden, 1]` */
  b1: tf.Tensor2D;
  /** `[hidden, classes]` */
  w2: tf.Tensor2D;
  /** `[classes]` */
  b2: tf.Tensor1D;
}

/** One batch in both layouts plus one-hot targets and per-row loss weights. */
export interface MlpBatch {
  /** `[batch, in]` */
  x: tf.Tensor2D;
  /** `[in, batch]` */
  xt: tf.Tensor2D;
  /** `[batch, classes]` one-hot */
  y: tf.Tensor2D;
  /** `[batch]` class weight of each row */
  w: tf.Tensor1D;
}

/** Gradients of the mean weighted loss, keyed like {@linkcode MlpParams}. */
export type MlpGrads = { [K in keyof MlpParams]: MlpParams[K] };

/** Log-probabilities `[batch, classes]` for a batch given as `xt` `[in, batch]`. */
export function logProbabilities(params: MlpParams, xt: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const a1t = tf.relu(tf.add(tf.matMul(params.w1t, xt), params.b1));
    const logits = tf.add(tf.transpose(tf.matMul(tf.transpose(params.w2), a1t)), params.b2);
    return tf.logSoftmax(logits) as tf.Tensor2D;
  });
}

/**
 * Loss, predicted class ids and gradients for one batch. The loss is `sum_i w_i · CE_i / batch`, what Keras computes
 * for `class_weight` (sample weights, then a mean over the batch).
 */
export function lossAndGradients(
  params: MlpParams,
  batch: MlpBatch,
): { loss: tf.Scalar; predicted: tf.Tensor1D; grads: MlpGrads } {
  return tf.tidy(() => {
    const { w1t, b1, w2, b2 } = params;
    const n = batch.x.shape[0];
    const z1t = tf.add(tf.matMul(w1t, batch.xt), b1); // [H, B]
    const a1t = tf.relu(z1t);
    const logits = tf.add(tf.transpose(tf.matMul(tf.transpose(w2), a1t)), b2); // [B, C]
    const logp = tf.logSoftmax(logits);
    const ce = tf.neg(tf.sum(tf.mul(batch.y, logp), 1)); // [B]
    const loss = tf.div(tf.sum(tf.mul(ce, batch.w)), n) as tf.Scalar;

    // d loss / d logits of softmax + CE is (p − y), scaled by each row's weight / batch.
    const rowScale = tf.reshape(tf.div(batch.w, n), [n, 1]);
    const dLogits = tf.mul(tf.sub(tf.exp(logp), batch.y), rowScale) as tf.Tensor2D; // [B, C]
    const db2 = tf.sum(dLogits, 0) as tf.Tensor1D;
    const dw2 = tf.matMul(a1t, dLogits) as tf.Tensor2D; // [H, B] · [B, C]
    const da1t = tf.matMul(w2, tf.transpose(dLogits)); // [H, C] · [C, B]
    const dz1t = tf.mul(da1t, tf.step(z1t)); // relu' = 1 where z > 0
    const db1 = tf.sum(dz1t, 1, true) as tf.Tensor2D;
    const dw1t = tf.matMul(dz1t, batch.x) as tf.Tensor2D; // [H, B] · [B, in]
    const predicted = tf.argMax(logits, 1) as tf.Tensor1D;
    return { loss, predicted, grads: { w1t: dw1t, b1: db1, w2: dw2, b2: db2 } };
  });
}
