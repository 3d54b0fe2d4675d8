/**
 * A small but real model directory for end-to-end tests: builtin conversations → builtin
 * embedder → trained classifier → saveBundle, with the CSV Explore reads beside it.
 * @module
 */

import { join } from "node:path";
import { writeConversations } from "../../lib/data/csv.ts";
import { generateBuiltin } from "../../lib/data/generate/builtin.ts";
import { isLabel, LABELS } from "../../lib/data/types.ts";
import { BuiltinEmbedder } from "../../lib/features/builtin.ts";
import { initBackend } from "../../lib/infer/backend.ts";
import { type ModelMetadata, saveBundle } from "../../lib/model/bundle.ts";
import { trainClassifier } from "../../lib/model/train.ts";

/** Where {@linkcode writeTinyModel} put things. */
export interface TinyModel {
  modelDir: string;
  dataPath: string;
  runId: string;
}

/** Trains a tiny builtin model on 80 generated conversations and saves it under `dir`. */
export async function writeTinyModel(dir: string): Promise<TinyModel> {
  await initBackend();
  const dataPath = join(dir, "conversations.csv");
  const messages = generateBuiltin({ conversations: 80, seed: 7 });
  await writeConversations(dataPath, messages);
  const rows = messages.flatMap((m) => {
    const label = m.messageType.trim().toLowerCase();
    return isLabel(label) && m.text.trim() ? [{ text: m.text, y: LABELS.indexOf(label) }] : [];
  });
  const embedder = new BuiltinEmbedder({ dimension: 512 });
  const x = await embedder.embed(rows.map((r) => r.text));
  const y = Int32Array.from(rows, (r) => r.y);
  const cut = Math.floor(rows.length * 0.8);
  const d = embedder.dimension;
  const result = await trainClassifier(
    { x: x.subarray(0, cut * d), y: y.subarray(0, cut), dimension: d },
    { x: x.subarray(cut * d), y: y.subarray(cut), dimension: d },
    { hiddenUnits: 32, epochs: 30, patience: 5, seed: 1, learningRate: 1e-2 },
  );
  const runId = "e2e-tiny";
  const metadata: ModelMetadata = {
    format: "qac-model/1",
    runId,
    createdAt: new Date(0).toISOString(),
    labels: [...LABELS],
    embedder: embedder.config,
    embedderId: embedder.id,
    dimension: d,
    hiddenUnits: 32,
    training: { bestEpoch: result.bestEpoch },
    data: { path: dataPath, rows: rows.length },
    metrics: {},
    versions: { deno: Deno.version.deno },
  };
  const modelDir = join(dir, runId);
  await saveBundle(modelDir, { model: result.model, embedder, labels: LABELS, metadata });
  result.model.dispose();
  return { modelDir, dataPath, runId };
}
