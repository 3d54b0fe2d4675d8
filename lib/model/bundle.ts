/**
 * A trained model on disk: `model.json` + `weights.bin` (plain tfjs layers format) and
 * `metadata.json` (labels, embedder config, training options, data, metrics, versions), plus the
 * `models/latest` link to the newest run.
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { writeFileAtomic } from "../data/atomic.ts";
import { type Label, LABELS } from "../data/types.ts";
import type { Embedder, EmbedderRuntime } from "../features/embedder.ts";
import {
  checkMetadata,
  computeIntegrity,
  createCheckedEmbedder,
  METADATA_FILE,
  MODEL_FILE,
  modelInputWidth,
  type ModelMetadata,
  readBundleFiles,
  WEIGHTS_FILE,
} from "./bundle_files.ts";

export {
  BUNDLE_FORMAT,
  modelInputWidth,
  type ModelIntegrity,
  type ModelMetadata,
  type WeightsBundle,
} from "./bundle_files.ts";

/** Everything prediction needs: the model, the embedder it was trained on, and its metadata. */
export interface ModelBundle {
  /** The tfjs model (Dense(relu) → Dense(softmax)). */
  model: tf.LayersModel;
  /** The embedder the model was trained on, rebuilt from the metadata. */
  embedder: Embedder;
  /** Class names in output order. */
  labels: readonly Label[];
  /** Contents of `metadata.json`. */
  metadata: ModelMetadata;
}

/**
 * Writes `model.json`, `weights.bin` and `metadata.json` into `dir` (created if needed). Each file
 * is written atomically and `metadata.json` last, so a folder with metadata holds a whole model.
 * @throws {TypeError} when the metadata disagrees with the model (what loading would refuse)
 */
export async function saveBundle(dir: string, bundle: ModelBundle): Promise<void> {
  const fail = (message: string) => `Cannot save model "${dir}": ${message}`;
  checkModel(bundle.model, checkMetadata(bundle.metadata, fail), fail);
  let artifacts: tf.io.ModelArtifacts | undefined;
  await bundle.model.save(tf.io.withSaveHandler((saved) => {
    artifacts = saved;
    return Promise.resolve({
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" },
    });
  }));
  if (!artifacts?.modelTopology || !artifacts.weightSpecs || !artifacts.weightData) {
    throw new TypeError(`Cannot save model "${dir}": tfjs returned no topology or weights`);
  }
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  // The layout tfjs' own file handlers write, so any tfjs loader reads it.
  const modelJson = {
    format: artifacts.format ?? "layers-model",
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
  };
  const modelBytes = new TextEncoder().encode(JSON.stringify(modelJson));
  // what loading verifies: a flipped byte or an edited feature config refuses to load
  bundle.metadata.integrity = await computeIntegrity(
    { [MODEL_FILE]: modelBytes, [WEIGHTS_FILE]: weights },
    bundle.metadata.embedder,
  );
  await writeFileAtomic(join(dir, WEIGHTS_FILE), weights);
  await writeFileAtomic(join(dir, MODEL_FILE), modelBytes);
  await writeFileAtomic(join(dir, METADATA_FILE), JSON.stringify(bundle.metadata, null, 2) + "\n");
}

/**
 * Loads a bundle written by {@linkcode saveBundle}; `dir` may be a link such as `models/latest`.
 * The embedder is rebuilt from the metadata's config with `runtime` (API keys, model folders).
 * @throws {Deno.errors.NotFound} when the folder or one of its files is missing
 * @throws {SyntaxError} when a JSON file does not parse
 * @throws {TypeError} when the files disagree (format, labels, sizes)
 * @example
 * ```ts
 * const bundle = await loadBundle("models/latest");
 * ```
 */
export async function loadBundle(dir: string, runtime?: EmbedderRuntime): Promise<ModelBundle> {
  const fail = (message: string) => `Cannot load model "${dir}": ${message}`;
  const { metadata, modelJson, weightSpecs, weightBytes } = await readBundleFiles(dir);
  // Deno may hand back a view into a larger buffer; tfjs wants an ArrayBuffer of its own.
  const weightData = weightBytes.slice().buffer;
  // A backend registered but not yet started (e.g. wasm once backend.ts is imported) makes
  // loadLayersModel fail; tf.ready() starts the best registered one, or keeps the chosen one.
  await tf.ready();
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: weightSpecs as tf.io.WeightsManifestEntry[],
      weightData,
    }));
  } catch (error) {
    throw new TypeError(fail(`tfjs cannot read model.json (${(error as Error).message})`));
  }
  try {
    checkModel(model, metadata, fail);
    const embedder = await createCheckedEmbedder(metadata, runtime, fail);
    return { model, embedder, labels: LABELS, metadata };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Points `<modelsDir>/latest` at `<modelsDir>/<runId>` with a relative link, replacing an older
 * link atomically (a new link under a temporary name, renamed over the old one).
 * @throws {Deno.errors.NotFound} when the run folder does not exist
 */
export async function linkLatest(modelsDir: string, runId: string): Promise<void> {
  const target = join(modelsDir, runId);
  const info = await Deno.stat(target).catch(() => undefined);
  if (!info?.isDirectory) {
    throw new Deno.errors.NotFound(`Cannot link latest model: "${target}" is not a folder`);
  }
  const temporary = join(modelsDir, `.latest-${crypto.randomUUID().slice(0, 8)}`);
  await Deno.symlink(runId, temporary);
  try {
    await Deno.rename(temporary, join(modelsDir, "latest"));
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

type Fail = (message: string) => string;

/** The model's input and output sizes must be what the metadata says. */
function checkModel(model: tf.LayersModel, metadata: ModelMetadata, fail: Fail): void {
  const inputs = model.inputs[0]?.shape.at(-1);
  const outputs = model.outputs[0]?.shape.at(-1);
  const expected = modelInputWidth(metadata);
  if (inputs !== expected) {
    throw new TypeError(
      fail(
        `the model takes ${inputs} inputs but metadata.json says ${expected} (dimension ${metadata.dimension}${
          metadata.context ? ", with context" : ""
        })`,
      ),
    );
  }
  if (outputs !== metadata.labels.length) {
    throw new TypeError(
      fail(
        `the model has ${outputs} outputs but metadata.json lists ${metadata.labels.length} labels`,
      ),
    );
  }
}
