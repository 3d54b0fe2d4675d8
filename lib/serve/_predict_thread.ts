/**
 * The worker of `predict_thread.ts`: rebuilds the model's embedder and weights from what it is
 * sent, then answers `{ id, texts }` with `{ id, probabilities }` computed by `predictAlone`,
 * the numbers the handler's `predictProbabilities` gives (a context model reads each text with
 * an empty context). Private to lib/serve.
 * @module
 */

/// <reference lib="deno.worker" />

import { createEmbedder } from "../features/create.ts";
import type { EmbedderConfig } from "../features/embedder.ts";
import { type AnyBundle, predictAlone } from "../infer/context.ts";
import type { MlpWeights } from "../infer/sparse.ts";
import type { Label } from "../data/types.ts";
import type { ModelMetadata } from "../model/bundle_files.ts";

/** The first message: what the model is. */
export interface ThreadInit {
  weights: MlpWeights;
  embedder: EmbedderConfig;
  labels: readonly Label[];
  /** `metadata.context` of a context model. */
  context?: ModelMetadata["context"];
}

/** A batch to classify. */
export interface ThreadBatch {
  id: number;
  texts: string[];
}

/** What the worker sends back: readiness, a batch's probabilities, or an error. */
export type ThreadReply =
  | { ready: true }
  | { id: number; probabilities: Float32Array }
  | { id: number | null; error: { name: string; message: string } };

let bundle: AnyBundle | undefined;

self.onmessage = async (event: MessageEvent<ThreadInit | ThreadBatch>) => {
  const data = event.data;
  if (!("id" in data)) {
    try {
      const metadata = { context: data.context } as ModelMetadata;
      bundle = {
        weights: data.weights,
        embedder: await createEmbedder(data.embedder),
        labels: data.labels,
        metadata,
      };
      await predictAlone(bundle, ["warm up"]); // compiles the kernel before the first request
      self.postMessage({ ready: true } satisfies ThreadReply);
    } catch (error) {
      self.postMessage({ id: null, error: describe(error) } satisfies ThreadReply);
    }
    return;
  }
  try {
    const probabilities = await predictAlone(bundle!, data.texts);
    self.postMessage({ id: data.id, probabilities } satisfies ThreadReply, [
      probabilities.buffer,
    ]);
  } catch (error) {
    self.postMessage({ id: data.id, error: describe(error) } satisfies ThreadReply);
  }
};

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: "Error", message: String(error) };
}
