/**
 * Test fixtures for lib/serve: a tiny, fully deterministic model bundle whose "embedder" spots
 * keywords, so tests know which label each text must get without training anything.
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { LABELS } from "../data/types.ts";
import type { Embedder } from "../features/embedder.ts";
import { contextInputWidth, DEFAULT_CONTEXT_RECIPE } from "../features/context.ts";
import type { ModelBundle, ModelMetadata } from "../model/bundle.ts";

/** Four features: has "?", sounds like a comment, sounds like an answer, constant 1. */
export class KeywordEmbedder implements Embedder {
  readonly id = "keywords-test";
  readonly dimension = 4;
  readonly config = { kind: "builtin" as const, test: "keywords" };

  /** Embeds each text as its four keyword features. */
  embed(texts: readonly string[]): Promise<Float32Array> {
    const out = new Float32Array(texts.length * 4);
    texts.forEach((text, i) => {
      const t = text.toLowerCase();
      out[i * 4] = t.includes("?") ? 1 : 0;
      out[i * 4 + 1] = /\b(thanks|lol|nice|cool)\b/.test(t) ? 1 : 0;
      out[i * 4 + 2] = /\b(try|use|you can|you should)\b/.test(t) ? 1 : 0;
      out[i * 4 + 3] = 1;
    });
    return Promise.resolve(out);
  }
}

/** Metadata of {@linkcode tinyBundle}; `data.path` points Explore at `dataPath`. */
export function tinyMetadata(dataPath = "data/conversations.csv"): ModelMetadata {
  return {
    format: "qac-model/1",
    runId: "test-run",
    createdAt: "2025-01-01T00:00:00.000Z",
    labels: [...LABELS],
    embedder: { kind: "builtin", test: "keywords" },
    embedderId: "keywords-test",
    dimension: 4,
    hiddenUnits: 4,
    training: { epochs: 0 },
    data: { path: dataPath, testConversations: ["c3"] },
    metrics: {},
    versions: { qac: "test" },
  };
}

/**
 * A Dense(4, relu) → Dense(3, softmax) model with hand-set weights: "?" → question,
 * thanks/lol → comment, try/use → answer, anything else leans comment.
 */
export function tinyBundle(dataPath?: string): ModelBundle {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 4, activation: "relu", inputShape: [4] }),
      tf.layers.dense({ units: 3, activation: "softmax" }),
    ],
  });
  // Columns are LABELS order: answer, comment, question.
  const w2 = [[0, 0, 4], [0, 4, 0], [4, 0, 0], [0, 1, 0]];
  tf.tidy(() => model.setWeights([tf.eye(4), tf.zeros([4]), tf.tensor2d(w2), tf.zeros([3])]));
  return {
    model,
    embedder: new KeywordEmbedder(),
    labels: LABELS,
    metadata: tinyMetadata(dataPath),
  };
}

/** A small conversations CSV: two channels, three threads, one message the tiny model gets wrong. */
export const TINY_CONVERSATIONS_CSV = [
  "user_name,message,message_type,message_id,conversation_id,channel,reply_to,timestamp",
  "ana,how do I learn SQL?,question,c1-1,c1,help,,2025-01-01T10:00:00Z",
  "ben,try the free course,answer,c1-2,c1,help,c1-1,2025-01-01T10:01:00Z",
  "ana,thanks!,comment,c1-3,c1,help,c1-2,2025-01-01T10:02:00Z",
  "cy,nice weather today,comment,c2-1,c2,general,,2025-01-01T11:00:00Z",
  "dee,is pandas worth it?,question,c3-1,c3,help,,2025-01-01T12:00:00Z",
  // The tiny model calls this a question ("?"): the one misclassified message.
  'eli,"really, why not?",answer,c3-2,c3,help,c3-1,2025-01-01T12:01:00Z',
  "fay,,comment,c3-3,c3,help,,2025-01-01T12:02:00Z",
  "gus,hello,greeting,c3-4,c3,help,,2025-01-01T12:03:00Z",
].join("\n") + "\n";

/**
 * The tiny model with context: input `keywords(message) ⊕ keywords(context) ⊕ cues`. A message
 * without keywords is a comment alone and an answer after a context with "?" (hidden unit 2
 * also fires on the context's "?" feature, input 4 + 0).
 */
export function tinyContextBundle(dataPath?: string): ModelBundle {
  const inputs = contextInputWidth(4);
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 4, activation: "relu", inputShape: [inputs] }),
      tf.layers.dense({ units: 3, activation: "softmax" }),
    ],
  });
  const w1 = Array.from({ length: inputs }, (_, i) => [0, 1, 2, 3].map((j) => (i === j ? 1 : 0)));
  w1[4]![2] = 1; // the context's "?" feeds the answer unit
  const w2 = [[0, 0, 4], [0, 4, 0], [4, 0, 0], [0, 2, 0]];
  tf.tidy(() => model.setWeights([tf.tensor2d(w1), tf.zeros([4]), tf.tensor2d(w2), tf.zeros([3])]));
  return {
    model,
    embedder: new KeywordEmbedder(),
    labels: LABELS,
    metadata: { ...tinyMetadata(dataPath), context: { recipe: DEFAULT_CONTEXT_RECIPE } },
  };
}
