/**
 * A Web Worker of the sparse pool (`sparse_pool.ts`): rebuilds the embedder from its config and
 * the MLP from the weights it is sent, then answers `{ id, texts }` with `{ id, probabilities }`
 * (a context model's worker reads each of those texts alone, as `predictAlone` does).
 * A context model's worker (sent its recipe) answers `{ id, messages, skip }` as
 * `predictInContext` would, for the messages after the first `skip` (context only).
 * Private to lib/infer.
 * @module
 */

/// <reference lib="deno.worker" />

import { createEmbedder } from "../features/create.ts";
import type { EmbedderConfig } from "../features/embedder.ts";
import type { Message } from "../data/types.ts";
import { aloneRows } from "./context.ts";
import { followWordRows, wordRowsFeaturizer, type WordRowsShare } from "./word_rows.ts";
import {
  aloneContexts,
  assembleContexts,
  type ContextRecipe,
  featureMatrix,
  sparseContextRow,
} from "../features/context.ts";
import {
  isSparseEmbedder,
  type MlpWeights,
  type SharedMlpWeights,
  type SparseEmbedder,
  type SparseFeatures,
  type SparseKernel,
  SparseMlp,
  type StagedRows,
} from "./sparse.ts";

/** The first message a worker gets. */
export interface InitMessage {
  /** The weights: in the main thread's shared kernel memory, or (js kernel) as arrays. */
  weights: SharedMlpWeights | MlpWeights;
  embedder: EmbedderConfig;
  embedderId: string;
  kernel: SparseKernel;
  /** A context model's recipe: batches then come as messages. */
  recipe?: ContextRecipe;
}

/** A batch to classify: texts alone (with, the first time, the word rows the main thread wrote
 * for them), rows the main thread staged in the shared memory (see `SparseMlp.stage`), or
 * (context model) messages of which the first `skip` are read as context only. */
export type BatchMessage =
  | { id: number; texts: string[]; words?: WordRowsShare }
  | { id: number; staged: StagedRows }
  | { id: number; messages: Message[]; skip: number };

/** What a worker sends back: readiness, a batch's probabilities (`null`: staged rows another
 * thread took first, see `SparseMlp.takeStaged`), or an error message. */
export type ReplyMessage =
  | { ready: true }
  | { id: number; probabilities: Float32Array | null }
  | { id: number | null; error: { name: string; message: string } };

let predict:
  | ((batch: BatchMessage) => Float32Array | null | Promise<Float32Array | null>)
  | undefined;

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
      followWordRows(embedder, mlp); // the main thread picks them, for every thread
      const { classes } = data.weights;
      const recipe = data.recipe;
      predict = async (batch) => {
        if ("staged" in batch) {
          // the thread that staged them computes them itself when it would otherwise wait
          if (!mlp.takeStaged(batch.staged)) return null;
          const out = new Float32Array(batch.staged.count * classes);
          mlp.runStaged(batch.staged, out);
          return out;
        }
        if ("texts" in batch) {
          const { texts } = batch;
          if (batch.words) followWordRows(embedder, mlp, batch.words);
          const out = new Float32Array(texts.length * classes);
          // a context model reads each text alone, as predictAlone does
          const factored = recipe ? undefined : wordRowsFeaturizer(embedder, mlp, texts);
          const row = recipe
            ? aloneRows(embedder, texts, mlp) ?? await aloneMatrixRows(embedder, texts)
            : (i: number) => (factored ? factored(texts[i]!) : embedder.featurize(texts[i]!));
          mlp.predictEach(texts.length, row, out);
          return out;
        }
        // as predictInContext → predictAssembled (sparse), rows from `skip` on
        if (!recipe) {
          throw new TypeError("Cannot predict messages: the model has no context recipe");
        }
        const { messages, skip } = batch;
        const out = new Float32Array(Math.max(0, messages.length - skip) * classes);
        if (out.length === 0) return out;
        const assembly = assembleContexts(messages, recipe);
        const base = await featureMatrix(embedder, messages.map((m) => m.text));
        if (base.kind !== "sparse") throw new TypeError("Cannot predict: features are not sparse");
        mlp.predictEach(
          messages.length - skip,
          (i) => sparseContextRow(base, assembly, i + skip),
          out,
        );
        return out;
      };
      self.postMessage({ ready: true } satisfies ReplyMessage);
    } catch (error) {
      self.postMessage({ id: null, error: describe(error) } satisfies ReplyMessage);
    }
    return;
  }
  try {
    const probabilities = await predict!(data);
    self.postMessage(
      { id: data.id, probabilities } satisfies ReplyMessage,
      probabilities ? [probabilities.buffer] : [],
    );
  } catch (error) {
    self.postMessage({ id: data.id, error: describe(error) } satisfies ReplyMessage);
  }
};

/** Rows of texts read alone through the feature matrix, for embedders without `featurizeInto`. */
async function aloneMatrixRows(
  embedder: SparseEmbedder,
  texts: readonly string[],
): Promise<(i: number) => SparseFeatures> {
  const base = await featureMatrix(embedder, texts);
  if (base.kind !== "sparse") throw new TypeError("Cannot predict: features are not sparse");
  const assembly = aloneContexts(texts.map((text) => ({ text })));
  return (i) => sparseContextRow(base, assembly, i);
}

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: "Error", message: String(error) };
}
