/**
 * Classifying messages with their conversation: each message is featurized once, its row reused
 * as the context of later messages, and the model reads `message ⊕ context ⊕ cues` as the
 * bundle's recipe builds it. A message-only model reads each message alone.
 * @module
 */

import * as tf from "@tensorflow/tfjs";
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
  type ContextAssembly,
  contextMatrix,
  featureMatrix,
  sparseContextRow,
} from "../features/context.ts";
import type { DenseMatrix, FeatureMatrix } from "../features/matrix.ts";
import type { ModelBundle } from "../model/bundle.ts";
import { predictProbabilities, predictVectors } from "./predict.ts";
import { extractMlpWeights, SparseMlp } from "./sparse.ts";

/** Options of {@linkcode predictInContext}. */
export interface PredictInContextOptions {
  /**
   * Classify every message alone (no context, as if each came on its own), e.g. to compare a
   * context model with and without its context. @default false
   */
  alone?: boolean;
}

const mlps = new WeakMap<tf.LayersModel, SparseMlp>();

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
  bundle: ModelBundle,
  messages: readonly Message[],
  options: PredictInContextOptions = {},
): Promise<Float32Array> {
  const texts = messages.map((m) => m.text);
  const recipe = bundle.metadata.context?.recipe;
  if (!recipe) return await predictProbabilities(bundle, texts);
  if (messages.length === 0) return new Float32Array(0);
  const assembly = options.alone ? aloneContexts(messages) : assembleContexts(messages, recipe);
  const base = await featureMatrix(bundle.embedder, texts);
  return await predictAssembled(bundle, base, assembly);
}

/**
 * Class probabilities (`n × 3`) of texts each read alone: for a context model, an empty
 * context and no conversation cues; for a message-only model, its usual prediction.
 */
export async function predictAlone(
  bundle: ModelBundle,
  texts: readonly string[],
): Promise<Float32Array> {
  if (!bundle.metadata.context) return await predictProbabilities(bundle, texts);
  if (texts.length === 0) return new Float32Array(0);
  const base = await featureMatrix(bundle.embedder, texts);
  return await predictAssembled(bundle, base, aloneContexts(texts.map((text) => ({ text }))));
}

/**
 * Probabilities from features already computed (`base`, one row per message) and an assembly;
 * what {@linkcode predictInContext} does after featurizing.
 */
export async function predictAssembled(
  bundle: ModelBundle,
  base: FeatureMatrix,
  assembly: ContextAssembly,
): Promise<Float32Array> {
  const n = base.rows;
  const out = new Float32Array(n * LABELS.length);
  if (base.kind === "sparse") {
    let mlp = mlps.get(bundle.model);
    if (!mlp) mlps.set(bundle.model, mlp = new SparseMlp(extractMlpWeights(bundle.model)));
    mlp.predictEach(n, (i) => sparseContextRow(base, assembly, i), out);
    return out;
  }
  // the pure-JS "cpu" backend is ~20× slower than wasm: start wasm unless someone chose cpu
  if (tf.getBackend() === "cpu" && tf.findBackendFactory("wasm") === null) {
    const { initBackend } = await import("./backend.ts");
    await initBackend();
  }
  const chunk = 1024;
  const d = base.dimension;
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    // the chunk's rows plus their contexts, re-indexed into one small matrix
    const rows: number[] = [];
    const local = new Map<number, number>();
    const take = (r: number) => {
      if (!local.has(r)) {
        local.set(r, rows.length);
        rows.push(r);
      }
      return local.get(r)!;
    };
    for (let i = start; i < end; i++) take(i);
    const context = new Int32Array(end - start);
    for (let i = start; i < end; i++) {
      const c = assembly.context[i]!;
      context[i - start] = c >= 0 ? take(c) : -1;
    }
    const data = new Float32Array(rows.length * d);
    rows.forEach((r, j) => data.set(base.data.subarray(r * d, (r + 1) * d), j * d));
    const k = assembly.cues.length / n;
    const part: DenseMatrix = { kind: "dense", rows: rows.length, dimension: d, data };
    const cues = new Float32Array(rows.length * k);
    cues.set(assembly.cues.subarray(start * k, end * k));
    const paddedContext = new Int32Array(rows.length).fill(-1);
    paddedContext.set(context);
    const x = contextMatrix(part, { context: paddedContext, cues }) as DenseMatrix;
    const p = predictVectors(
      bundle.model,
      x.data.subarray(0, (end - start) * x.dimension),
      x.dimension,
    );
    out.set(p, start * LABELS.length);
  }
  return out;
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
  bundle: ModelBundle,
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
