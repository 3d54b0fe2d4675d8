/**
 * A Web Worker of the sparse pool (`sparse_pool.ts`): rebuilds the embedder from its config and
 * the MLP from the weights it is sent, then answers `{ id, texts }` with `{ id, probabilities }`.
 * Private to lib/model.
 * @module
 */

/// <reference lib="deno.worker" />

import { createEmbedder } from "../features/create.ts";
import type { EmbedderConfig } from "../features/embedder.ts";
import { isSparseEmbedder, type MlpWeights, type SparseKernel, SparseMlp } from "./sparse.ts";

/** The first message a worker gets. */
export interface InitMessage {
  weights: MlpWeights;
  embedder: EmbedderConfig;
  embedderId: string;
  kernel: SparseKernel;
}

/** A batch to classify. */
export interface BatchMessage {
  id: number;
  texts: string[];
}

/** What a worker sends back: readiness, a batch's probabilities, or an error message. */
export type ReplyMessage =
  | { ready: true }
  | { id: number; probabilities: Float32Array }
  | { id: number | null; error: { name: string; message: string } };

let predict: ((texts: string[]) => Float32Array) | undefined;

self.onmessage = async (event: MessageEvent<InitMessage | BatchMessage>) => {
  const data = event.data;
  if (!("id" in data)) {
    try {
      const embedder = await createEmbedder(data.embedder);
      if (!isSparseEmbedder(embedder) || embedder.id !== data.embedderId) {
        throw new TypeError(
          `Cannot start sparse worker: embedder "${embedder.id}" is not the sparse "${data.embedderId}"`,
        );
      }
      const mlp = new SparseMlp(data.weights, { kernel: data.kernel });
      predict = (texts) => {
        const out = new Float32Array(texts.length * data.weights.classes);
        mlp.predictEach(texts.length, (i) => embedder.featurize(texts[i]!), out);
        return out;
      };
      self.postMessage({ ready: true } satisfies ReplyMessage);
    } catch (error) {
      self.postMessage({ id: null, error: describe(error) } satisfies ReplyMessage);
    }
    return;
  }
  try {
    const probabilities = predict!(data.texts);
    self.postMessage({ id: data.id, probabilities } satisfies ReplyMessage, [
      probabilities.buffer,
    ]);
  } catch (error) {
    self.postMessage({ id: data.id, error: describe(error) } satisfies ReplyMessage);
  }
};

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: "Error", message: String(error) };
}
