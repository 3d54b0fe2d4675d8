/**
 * Test fixtures for the inference paths: MLPs with seeded random weights, whose labels vary from
 * text to text, which is all a test comparing two paths (tfjs vs sparse kernel, this thread vs a
 * worker) needs.
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { createPrng } from "../data/random.ts";
import { LABELS } from "../data/types.ts";
import type { BuiltinEmbedder } from "../features/builtin.ts";
import { contextInputWidth, DEFAULT_CONTEXT_RECIPE } from "../features/context.ts";
import type { ModelBundle } from "../model/bundle.ts";
import { tinyMetadata } from "../serve/_testing.ts";

/** Options of {@linkcode randomModel} and {@linkcode randomContextBundle}. */
export interface RandomModelOptions {
  /** Seed of the weights. @default 1 */
  seed?: number;
  /** Weights and biases are drawn uniformly from `±spread / 2`. @default 1 */
  spread?: number;
}

/** A Dense(relu) → Dense(3, softmax) model whose weights and biases are seeded random draws. */
export function randomModel(
  inputs: number,
  hidden: number,
  options: RandomModelOptions = {},
): tf.LayersModel {
  const { seed = 1, spread = 1 } = options;
  const prng = createPrng(seed);
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [inputs], units: hidden, activation: "relu" }),
      tf.layers.dense({ units: 3, activation: "softmax" }),
    ],
  });
  const values = model.getWeights().map((w) =>
    tf.tensor(Float32Array.from({ length: w.size }, () => spread * (prng() - 0.5)), w.shape)
  );
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

/**
 * A message-only model bundle on `embedder`, with a {@linkcode randomModel} of `hidden` units;
 * the caller disposes `bundle.model`.
 */
export function randomBundle(
  embedder: BuiltinEmbedder,
  hidden: number,
  options: RandomModelOptions = {},
): ModelBundle {
  return bundleOf(embedder, randomModel(embedder.dimension, hidden, options), hidden);
}

/**
 * A context model bundle (`message ⊕ context ⊕ cues` inputs, the default recipe) on `embedder`,
 * with a {@linkcode randomModel} of `hidden` units; the caller disposes `bundle.model`.
 */
export function randomContextBundle(
  embedder: BuiltinEmbedder,
  hidden: number,
  options: RandomModelOptions = {},
): ModelBundle {
  const model = randomModel(contextInputWidth(embedder.dimension), hidden, options);
  const bundle = bundleOf(embedder, model, hidden);
  bundle.metadata.context = { recipe: DEFAULT_CONTEXT_RECIPE };
  return bundle;
}

function bundleOf(embedder: BuiltinEmbedder, model: tf.LayersModel, hidden: number): ModelBundle {
  return {
    model,
    embedder,
    labels: LABELS,
    metadata: {
      ...tinyMetadata(),
      embedder: embedder.config,
      embedderId: embedder.id,
      dimension: embedder.dimension,
      hiddenUnits: hidden,
    },
  };
}
