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
import { createEmbedder } from "../features/create.ts";
import type { Embedder, EmbedderConfig, EmbedderRuntime } from "../features/embedder.ts";
import type { Metrics } from "../eval/metrics.ts";
import { checkContextRecipe, contextInputWidth, type ContextRecipe } from "../features/context.ts";

/** The `format` value this version writes and reads. */
export const BUNDLE_FORMAT = "qac-model/1";

/** Contents of `metadata.json`. */
export interface ModelMetadata {
  format: "qac-model/1";
  runId: string;
  createdAt: string;
  /** Class names in model output order; always {@linkcode LABELS}. */
  labels: Label[];
  /** Rebuilds the embedder at load time through `createEmbedder`. */
  embedder: EmbedderConfig;
  embedderId: string;
  dimension: number;
  hiddenUnits: number;
  /**
   * Context models only: the recipe that builds each message's input
   * `features(message) ⊕ features(context) ⊕ cues` (`lib/features/context.ts`); the model then
   * takes {@linkcode modelInputWidth} inputs. Absent: the model reads the message alone.
   */
  context?: { recipe: ContextRecipe };
  /** Resolved training options minus callbacks, plus bestEpoch, history, samplesPerSecond. */
  training: Record<string, unknown>;
  /** Data path, sha256, rows per split and label, clean report. */
  data: Record<string, unknown>;
  metrics: { test?: Metrics; validation?: Metrics; real?: Record<string, unknown> };
  /** deno, tfjs, qac. */
  versions: Record<string, string>;
}

/** Everything prediction needs: the model, the embedder it was trained on, and its metadata. */
export interface ModelBundle {
  model: tf.LayersModel;
  embedder: Embedder;
  labels: readonly Label[];
  metadata: ModelMetadata;
}

const MODEL_FILE = "model.json";
const WEIGHTS_FILE = "weights.bin";
const METADATA_FILE = "metadata.json";

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
  await writeFileAtomic(join(dir, WEIGHTS_FILE), weights);
  await writeFileAtomic(join(dir, MODEL_FILE), JSON.stringify(modelJson));
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
  let folder: string;
  try {
    folder = await Deno.realPath(dir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(fail("the folder does not exist"));
    }
    throw error;
  }
  const metadata = checkMetadata(await readJson(folder, METADATA_FILE, fail), fail);
  const modelJson = await readJson(folder, MODEL_FILE, fail) as Partial<ModelJson>;
  const weightSpecs = modelJson.weightsManifest?.flatMap((group) => group.weights ?? []);
  if (!modelJson.modelTopology || !weightSpecs?.length) {
    throw new TypeError(fail("model.json has no modelTopology or weightsManifest"));
  }
  const bytes = await readFile(folder, WEIGHTS_FILE, fail);
  const expectedBytes = weightSpecs.reduce(
    (sum, spec) => sum + spec.shape.reduce((size, d) => size * d, 1) * 4,
    0,
  );
  if (bytes.byteLength !== expectedBytes) {
    throw new TypeError(
      fail(`weights.bin has ${bytes.byteLength} bytes, model.json expects ${expectedBytes}`),
    );
  }
  // Deno may hand back a view into a larger buffer; tfjs wants an ArrayBuffer of its own.
  const weightData = bytes.slice().buffer;
  // A backend registered but not yet started (e.g. wasm once backend.ts is imported) makes
  // loadLayersModel fail; tf.ready() starts the best registered one, or keeps the chosen one.
  await tf.ready();
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs,
      weightData,
    }));
  } catch (error) {
    throw new TypeError(fail(`tfjs cannot read model.json (${(error as Error).message})`));
  }
  try {
    checkModel(model, metadata, fail);
    const embedder = await createEmbedder(metadata.embedder, runtime);
    if (embedder.dimension !== metadata.dimension) {
      throw new TypeError(
        fail(
          `the embedder "${embedder.id}" gives ${embedder.dimension}-dimensional vectors but metadata.json says dimension ${metadata.dimension}`,
        ),
      );
    }
    // the id names the exact features: a config that now means other features must not load
    if (typeof metadata.embedderId === "string" && embedder.id !== metadata.embedderId) {
      throw new TypeError(
        fail(
          `it was trained on features "${metadata.embedderId}" but its embedder config now gives "${embedder.id}"; retrain with \`deno task train\``,
        ),
      );
    }
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

/** The parts of tfjs' `model.json` that loading needs. */
interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

type Fail = (message: string) => string;

async function readFile(folder: string, name: string, fail: Fail): Promise<Uint8Array> {
  try {
    return await Deno.readFile(join(folder, name));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(fail(`${name} is missing`));
    }
    throw error;
  }
}

async function readJson(folder: string, name: string, fail: Fail): Promise<unknown> {
  const text = new TextDecoder().decode(await readFile(folder, name, fail));
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(fail(`${name} is not valid JSON (${(error as Error).message})`));
  }
}

/** Inputs of the bundle's model: the embedding size, or message ⊕ context ⊕ cues. */
export function modelInputWidth(metadata: Pick<ModelMetadata, "dimension" | "context">): number {
  return metadata.context ? contextInputWidth(metadata.dimension) : metadata.dimension;
}

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

function checkMetadata(value: unknown, fail: Fail): ModelMetadata {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(fail("metadata.json is not a JSON object"));
  }
  const metadata = value as Partial<ModelMetadata>;
  if (metadata.format !== BUNDLE_FORMAT) {
    throw new TypeError(
      fail(
        `metadata.json has format ${JSON.stringify(metadata.format)}, expected "${BUNDLE_FORMAT}"`,
      ),
    );
  }
  if (JSON.stringify(metadata.labels) !== JSON.stringify(LABELS)) {
    throw new TypeError(
      fail(
        `metadata.json has labels ${JSON.stringify(metadata.labels)}, expected ${
          JSON.stringify(LABELS)
        }`,
      ),
    );
  }
  if (!Number.isInteger(metadata.dimension) || metadata.dimension! < 1) {
    throw new TypeError(
      fail(
        `metadata.json has dimension ${
          JSON.stringify(metadata.dimension)
        }, expected a positive integer`,
      ),
    );
  }
  if (typeof metadata.embedder !== "object" || metadata.embedder === null) {
    throw new TypeError(fail("metadata.json has no embedder config"));
  }
  if (metadata.context !== undefined) {
    try {
      checkContextRecipe(metadata.context?.recipe);
    } catch (error) {
      throw new TypeError(fail(`metadata.json's context: ${(error as Error).message}`));
    }
  }
  return metadata as ModelMetadata;
}
