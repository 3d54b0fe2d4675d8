/**
 * Classifying messages with their conversation: each message is featurized once, its row reused
 * as the context of later messages, and the model reads `message ⊕ context ⊕ cues` as the
 * bundle's recipe builds it. A message-only model reads each message alone.
 * @module
 */

import { LABELS, type Message } from "../data/types.ts";
import {
  type ConversationColumns,
  detectConversationColumns,
  hasConversations,
  rowsToMessages,
} from "../data/conversation.ts";
import type { StreamRow } from "../data/stream.ts";
import {
  aloneContexts,
  assembleContexts,
  CONTEXT_CUES,
  type ContextAssembly,
  contextRows,
  featureMatrix,
  sparseContextRow,
} from "../features/context.ts";
import type { FeatureMatrix } from "../features/matrix.ts";
import type { ModelBundle } from "../model/bundle.ts";
import type { WeightsBundle } from "../model/bundle_files.ts";
import {
  bundleMlp,
  isSparseEmbedder,
  predictMatrix,
  type SparseEmbedder,
  type SparseFeatures,
  SparseMlp,
} from "./sparse.ts";
import { wordRowsFeaturizer } from "./word_rows.ts";

/** Options of {@linkcode predictInContext}. */
export interface PredictInContextOptions {
  /**
   * Classify every message alone (no context, as if each came on its own), e.g. to compare a
   * context model with and without its context. @default false
   */
  alone?: boolean;
}

/**
 * Class probabilities (`n × 3`, {@linkcode LABELS} order, row i = `messages[i]`) of messages
 * read in their conversations (`conversationId`, `position` or `timestamp`, `userName`,
 * `replyTo`, `mentions`). Messages may come in any order; a message alone in its conversation
 * gets an empty context.
 * @example
 * ```ts
 * const p = await predictInContext(await loadBundle("models/latest"), messages);
 * ```
 */
export async function predictInContext(
  bundle: AnyBundle,
  messages: readonly Message[],
  options: PredictInContextOptions = {},
): Promise<Float32Array> {
  const texts = messages.map((m) => m.text);
  const recipe = bundle.metadata.context?.recipe;
  if (!recipe) return await predictMessages(bundle, texts);
  if (messages.length === 0) return new Float32Array(0);
  const assembly = options.alone ? aloneContexts(messages) : assembleContexts(messages, recipe);
  const base = await featureMatrix(bundle.embedder, texts);
  return predictAssembled(bundle, base, assembly);
}

/**
 * Class probabilities (`n × 3`) of texts each read alone: for a context model, an empty
 * context and no conversation cues; for a message-only model, its usual prediction.
 */
export async function predictAlone(
  bundle: AnyBundle,
  texts: readonly string[],
): Promise<Float32Array> {
  if (!bundle.metadata.context) return await predictMessages(bundle, texts);
  if (texts.length === 0) return new Float32Array(0);
  const mlp = mlpOf(bundle);
  const rows = aloneRows(bundle.embedder, texts, mlp);
  if (rows) {
    const out = new Float32Array(texts.length * LABELS.length);
    mlp.predictEach(texts.length, rows, out);
    return out;
  }
  const base = await featureMatrix(bundle.embedder, texts);
  return predictAssembled(bundle, base, aloneContexts(texts.map((text) => ({ text }))));
}

/**
 * Probabilities from features already computed (`base`, one row per message) and an assembly;
 * what {@linkcode predictInContext} does after featurizing. Sparse message features are
 * combined row by row as the kernel asks for them; dense ones in chunks.
 */
export function predictAssembled(
  bundle: AnyBundle,
  base: FeatureMatrix,
  assembly: ContextAssembly,
): Float32Array {
  const mlp = mlpOf(bundle);
  const n = base.rows;
  const out = new Float32Array(n * LABELS.length);
  if (base.kind === "sparse") {
    mlp.predictEach(n, (i) => sparseContextRow(base, assembly, i), out);
    return out;
  }
  const chunk = 1024;
  for (let start = 0; start < n; start += chunk) {
    const rows = Int32Array.from(
      { length: Math.min(n, start + chunk) - start },
      (_, j) => start + j,
    );
    out.set(predictMatrix(mlp, contextRows(base, [{ assembly, rows }])), start * LABELS.length);
  }
  return out;
}

/** A featurizer that writes a text's sparse features into arrays it is given (the builtin one). */
interface IntoFeaturizer extends SparseEmbedder {
  featurizeInto(text: string, indices: Int32Array, values: Float32Array): number;
}

/**
 * Row i of what {@linkcode predictAssembled} gives the kernel for `texts` read alone — the
 * text's features, an empty context, the cues of `aloneContexts` — built in place for each row
 * (`sparseContextRow` without the feature matrix: no arrays per text), or `undefined` when the
 * embedder cannot featurize into given arrays. Given the `mlp` they go to, rows name its word
 * rows where they can (`wordRowsFeaturizer`). Each row is overwritten by the next.
 */
export function aloneRows(
  embedder: AnyBundle["embedder"],
  texts: readonly string[],
  mlp?: SparseMlp,
): ((i: number) => SparseFeatures) | undefined {
  if (
    !isSparseEmbedder(embedder) ||
    typeof (embedder as Partial<IntoFeaturizer>).featurizeInto !== "function"
  ) return undefined;
  const featurizer = embedder as IntoFeaturizer;
  const d = featurizer.dimension;
  const k = CONTEXT_CUES.length;
  const { cues } = aloneContexts(texts.map((text) => ({ text })));
  let indices = new Int32Array(d + k);
  let values = new Float32Array(d + k);
  const factored = mlp && wordRowsFeaturizer(featurizer, mlp, texts);
  return (i) => {
    let at: number;
    if (factored) {
      const features = factored(texts[i]!);
      let cued = false;
      for (let j = 0; j < k && !cued; j++) cued = cues[i * k + j] !== 0;
      if (!cued) return features; // most texts: nothing to add, no copy
      at = features.indices.length;
      if (at + k > indices.length) {
        indices = new Int32Array(at + k);
        values = new Float32Array(at + k);
      }
      indices.set(features.indices);
      values.set(features.values);
    } else at = featurizer.featurizeInto(texts[i]!, indices, values);
    for (let j = 0; j < k; j++) {
      const v = cues[i * k + j]!;
      if (v !== 0) {
        indices[at] = 2 * d + j;
        values[at++] = v;
      }
    }
    return { indices: indices.subarray(0, at), values: values.subarray(0, at) };
  };
}

/** A message-only model's probabilities, through the same kernel. */
async function predictMessages(bundle: AnyBundle, texts: readonly string[]): Promise<Float32Array> {
  if (texts.length === 0) return new Float32Array(0);
  return predictMatrix(mlpOf(bundle), await featureMatrix(bundle.embedder, texts));
}

/** A loaded model: with tfjs (`loadBundle`) or as weights only (`loadWeightsBundle`). */
export type AnyBundle = ModelBundle | WeightsBundle;

const modelMlps = new WeakMap<object, SparseMlp>();

/** The bundle's weights in the inference kernel, built once per model. */
function mlpOf(bundle: AnyBundle): SparseMlp {
  if (!("model" in bundle)) return bundleMlp(bundle);
  let mlp = modelMlps.get(bundle.model);
  if (!mlp) {
    mlp = bundleMlp(bundle);
    modelMlps.set(bundle.model, mlp);
  }
  return mlp;
}

/** Options of {@linkcode createRowsPredictor}. */
export interface RowsPredictorOptions {
  /** Conversation column names, when detection by name is not enough. */
  columns?: Partial<ConversationColumns>;
  /** `"off"`: every message alone even when the rows have conversation columns. @default "auto" */
  context?: "auto" | "off";
  /** Told how the rows were read (e.g. for the CLI's summary line). */
  onMode?: (mode: "context" | "alone", columns: ConversationColumns) => void;
}

/**
 * A `predictRows` for `classifyFile`: rows with conversation columns are read in their
 * conversations by a context model, anything else message by message.
 */
export function createRowsPredictor(
  bundle: AnyBundle,
  options: RowsPredictorOptions = {},
): (rows: readonly StreamRow[], texts: readonly string[]) => Promise<Float32Array> {
  return async (rows, texts) => {
    const header = rows.length > 0 ? Object.keys(rows[0]!.values) : [];
    const columns = detectConversationColumns(header, options.columns);
    const inContext = bundle.metadata.context !== undefined &&
      (options.context ?? "auto") === "auto" && hasConversations(columns);
    options.onMode?.(inContext ? "context" : "alone", columns);
    if (!inContext) return await predictAlone(bundle, texts);
    const table = rows.map(({ line, values }) => ({
      line,
      values: Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, v === null || v === undefined ? "" : String(v)]),
      ),
    }));
    const messages = rowsToMessages(table, "", columns).map((m, i) => ({ ...m, text: texts[i]! }));
    return await predictInContext(bundle, messages);
  };
}
