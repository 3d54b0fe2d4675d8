/**
 * The saved model's files without tfjs: `metadata.json`, tfjs' `model.json` and `weights.bin`,
 * read and verified (SHA-256 of each file and of the feature config recorded in the metadata,
 * finite weights), and the Dense → Dense weights parsed straight from `weights.bin`, so
 * classifying with a saved model never has to load tfjs.
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { type Label, LABELS } from "../data/types.ts";
import { createEmbedder } from "../features/create.ts";
import type { Embedder, EmbedderConfig, EmbedderRuntime } from "../features/embedder.ts";
import type { Metrics } from "../eval/metrics.ts";
import type { MlpWeights } from "./weights.ts";
import { checkContextRecipe, contextInputWidth, type ContextRecipe } from "../features/context.ts";

/** The `format` value this version writes and reads. */
export const BUNDLE_FORMAT = "qac-model/1";

/** File names inside a model folder. */
export const MODEL_FILE = "model.json";
/** @see MODEL_FILE */
export const WEIGHTS_FILE = "weights.bin";
/** @see MODEL_FILE */
export const METADATA_FILE = "metadata.json";

/** SHA-256 (hex) of the files and the feature config a model was saved with. */
export interface ModelIntegrity {
  /** `model.json` and `weights.bin`. */
  files: Record<string, string>;
  /** Of the embedder config as canonical JSON (keys sorted). */
  features: string;
}

/** Contents of `metadata.json`. */
export interface ModelMetadata {
  /** Always {@linkcode BUNDLE_FORMAT}. */
  format: "qac-model/1";
  /** Names the training run (and its folder). */
  runId: string;
  /** ISO time of saving. */
  createdAt: string;
  /** Class names in model output order; always {@linkcode LABELS}. */
  labels: Label[];
  /** Rebuilds the embedder at load time through `createEmbedder`. */
  embedder: EmbedderConfig;
  /** The embedder's id at training time (names the exact features). */
  embedderId: string;
  /** Input size of the model. */
  dimension: number;
  /** Units of the hidden layer. */
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
  /** Scores of the held-out splits and of real chat. */
  metrics: {
    test?: Metrics;
    validation?: Metrics;
    /** Scores on real chat (evaluation only). */
    real?: Record<string, unknown>;
    /** Scores on the hand-written judge sets of data/judges (evaluation only). */
    judges?: Record<string, unknown>;
  };
  /** deno, tfjs, qac. */
  versions: Record<string, string>;
  /** Written by `saveBundle`; models saved before it existed have none and load unverified. */
  integrity?: ModelIntegrity;
}

/** A model read from its files: weights as typed arrays, no tfjs involved. */
export interface WeightsBundle {
  /** The model's weights as typed arrays. */
  weights: MlpWeights;
  /** The embedder the model was trained on. */
  embedder: Embedder;
  /** Class names in output order. */
  labels: readonly Label[];
  /** Contents of `metadata.json`. */
  metadata: ModelMetadata;
}

/** The parts of tfjs' `model.json` that loading needs. */
export interface ModelJson {
  /** tfjs' layer topology. */
  modelTopology: object;
  /** Which files hold which tensors. */
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}

/** One tensor's entry in `model.json`'s weights manifest. */
export interface WeightSpec {
  /** Tensor name, e.g. `hidden/kernel`. */
  name: string;
  /** Tensor shape. */
  shape: number[];
  /** Element type; only float32 is written. */
  dtype?: string;
}

/** What {@linkcode readBundleFiles} returns. */
export interface BundleFiles {
  /** The resolved folder (links followed). */
  folder: string;
  /** Contents of `metadata.json`. */
  metadata: ModelMetadata;
  /** Contents of `model.json`. */
  modelJson: ModelJson;
  /** Every tensor of `weights.bin`, in order. */
  weightSpecs: WeightSpec[];
  /** `weights.bin`, every value checked finite. */
  weightBytes: Uint8Array<ArrayBuffer>;
}

type Fail = (message: string) => string;

/** Lowercase hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** JSON with object keys sorted at every level, so equal configs hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The integrity record of a model's files and feature config. */
export async function computeIntegrity(
  files: Record<string, Uint8Array<ArrayBuffer>>,
  embedder: EmbedderConfig,
): Promise<ModelIntegrity> {
  // every digest starts now, together (they run off this thread)
  const names = Object.keys(files);
  const [features, ...digests] = await Promise.all([
    sha256Hex(new TextEncoder().encode(canonicalJson(embedder))),
    ...names.map((name) => sha256Hex(files[name]!)),
  ]);
  return {
    files: Object.fromEntries(names.map((name, i) => [name, digests[i]!])),
    features: features!,
  };
}

/**
 * Reads a model folder's three files and verifies them: format and labels, the SHA-256 of each
 * file and of the feature config against `metadata.integrity`, the weights' size against
 * `model.json`, and that every weight is finite.
 * @throws {Deno.errors.NotFound} when the folder or one of its files is missing
 * @throws {TypeError} when `dir` is a file
 * @throws {SyntaxError} when a JSON file does not parse
 * @throws {TypeError} naming the file that fails a check
 */
export async function readBundleFiles(dir: string): Promise<BundleFiles> {
  const fail: Fail = (message) => `Cannot load model "${dir}": ${message}`;
  let folder: string;
  try {
    folder = await Deno.realPath(dir);
  } catch (error) {
    // NotADirectory: a file on the way, e.g. "weights.bin/x"
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      throw new Deno.errors.NotFound(
        fail("the folder does not exist; train one with `deno task train` or name another"),
      );
    }
    throw error;
  }
  // a file would otherwise fail below as the system's "Not a directory (os error 20)"
  if (!(await Deno.stat(folder)).isDirectory) {
    throw new TypeError(
      fail("it is a file; a model is a folder (metadata.json, model.json, weights.bin)"),
    );
  }
  const metadataBytes = await readFile(folder, METADATA_FILE, fail);
  const metadata = checkMetadata(parseJson(metadataBytes, METADATA_FILE, fail), fail);
  const modelBytes = await readFile(folder, MODEL_FILE, fail);
  // hashed as it is read: no second pass over the 33 MB and no copy (see readHashed)
  const { bytes: weightBytes, sha256: weightsSha256 } = await readHashed(
    folder,
    WEIGHTS_FILE,
    fail,
  );
  const integrity = metadata.integrity;
  // the small ones are hashed off this thread: look for a non-finite weight meanwhile (reported
  // after a changed file, which is the likelier cause)
  const hashing = integrity === undefined
    ? undefined
    : computeIntegrity({ [MODEL_FILE]: modelBytes }, metadata.embedder);
  const values = new Float32Array(
    weightBytes.buffer,
    weightBytes.byteOffset,
    Math.floor(weightBytes.byteLength / 4),
  );
  const nonFinite = firstNonFinite(values);
  if (integrity !== undefined) {
    const actual = (await hashing)!;
    actual.files[WEIGHTS_FILE] = weightsSha256;
    for (const name of [MODEL_FILE, WEIGHTS_FILE]) {
      if (integrity.files?.[name] !== actual.files[name]) {
        throw new TypeError(
          fail(`${name} does not match the SHA-256 in metadata.json (changed or corrupt)`),
        );
      }
    }
    if (integrity.features !== actual.features) {
      throw new TypeError(
        fail("the embedder config in metadata.json does not match its recorded SHA-256"),
      );
    }
  }
  const modelJson = parseJson(modelBytes, MODEL_FILE, fail) as Partial<ModelJson>;
  const weightSpecs = modelJson.weightsManifest?.flatMap((group) => group.weights ?? []);
  if (!modelJson.modelTopology || !weightSpecs?.length) {
    throw new TypeError(fail("model.json has no modelTopology or weightsManifest"));
  }
  const expectedBytes = weightSpecs.reduce(
    (sum, spec) => sum + spec.shape.reduce((size, d) => size * d, 1) * 4,
    0,
  );
  if (weightBytes.byteLength !== expectedBytes) {
    throw new TypeError(
      fail(`weights.bin has ${weightBytes.byteLength} bytes, model.json expects ${expectedBytes}`),
    );
  }
  if (nonFinite >= 0) {
    throw new TypeError(
      fail(`weights.bin holds a non-finite weight (${values[nonFinite]} at value ${nonFinite})`),
    );
  }
  return { folder, metadata, modelJson: modelJson as ModelJson, weightSpecs, weightBytes };
}

/**
 * Index of the first non-finite value of `values`, or -1. Read as bits (a float is non-finite
 * when its exponent bits are all ones) through a Uint32Array view, not `Number.isFinite` on each
 * value: during a 100k-message classify run that scan took ~50 ms of start-up on the default
 * model's 8.4M weights (trace marks, load ~2).
 */
function firstNonFinite(values: Float32Array): number {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < bits.length; i++) {
    if ((bits[i]! & 0x7f800000) === 0x7f800000) return i;
  }
  return -1;
}

/**
 * The Dense(relu) → Dense(softmax) weights of verified bundle files.
 * @throws {TypeError} when `model.json` describes another architecture
 */
export function weightsFromFiles(files: BundleFiles, dir: string): MlpWeights {
  const fail: Fail = (message) => `Cannot load model "${dir}": ${message}`;
  const layers = (files.modelJson.modelTopology as {
    config?: { layers?: { class_name?: string; config?: { activation?: string } }[] };
  }).config?.layers ?? [];
  const shape = layers.map((l) => `${l.class_name}(${l.config?.activation ?? ""})`).join(" → ");
  const names = files.weightSpecs.map((s) => s.name).join(", ");
  if (
    shape !== "Dense(relu) → Dense(softmax)" ||
    names !== "hidden/kernel, hidden/bias, output/kernel, output/bias" ||
    files.weightSpecs.some((s) => (s.dtype ?? "float32") !== "float32")
  ) {
    throw new TypeError(
      fail(`model.json is not the Dense(relu) → Dense(softmax) classifier (${shape}; ${names})`),
    );
  }
  const [kernel1, , kernel2] = files.weightSpecs as [WeightSpec, WeightSpec, WeightSpec];
  const [inputs, hidden] = kernel1.shape as [number, number];
  const classes = kernel2.shape[1]!;
  // views into the file's bytes, not a copy (33 MB for the default model)
  const { buffer, byteOffset, byteLength } = files.weightBytes;
  const all = new Float32Array(buffer, byteOffset, byteLength / 4);
  let at = 0;
  const take = (n: number) => all.subarray(at, at += n);
  return {
    inputs,
    hidden,
    classes,
    w1: take(inputs * hidden),
    b1: take(hidden),
    w2: take(hidden * classes),
    b2: take(classes),
  };
}

/**
 * Loads a saved model's weights and embedder without tfjs (what batch classification uses).
 * @throws like {@linkcode readBundleFiles}, and when the embedder disagrees with the metadata
 * @example
 * ```ts
 * const { weights, embedder } = await loadWeightsBundle("models/latest");
 * ```
 */
export async function loadWeightsBundle(
  dir: string,
  runtime?: EmbedderRuntime,
): Promise<WeightsBundle> {
  const files = await readBundleFiles(dir);
  const weights = weightsFromFiles(files, dir);
  const fail: Fail = (message) => `Cannot load model "${dir}": ${message}`;
  if (weights.inputs !== modelInputWidth(files.metadata) || weights.classes !== LABELS.length) {
    throw new TypeError(
      fail(
        `the model maps ${weights.inputs} inputs to ${weights.classes} outputs but metadata.json says ${
          modelInputWidth(files.metadata)
        } inputs (dimension ${files.metadata.dimension}${
          files.metadata.context ? ", with context" : ""
        }) and ${LABELS.length} labels`,
      ),
    );
  }
  const embedder = await createCheckedEmbedder(files.metadata, runtime, fail);
  return { weights, embedder, labels: LABELS, metadata: files.metadata };
}

/** Rebuilds the metadata's embedder and checks it gives the features the model was trained on. */
export async function createCheckedEmbedder(
  metadata: ModelMetadata,
  runtime: EmbedderRuntime | undefined,
  fail: Fail,
): Promise<Embedder> {
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
  return embedder;
}

/** Bytes a read asks for at a time in {@linkcode readHashed}. */
const READ_CHUNK = 1 << 22;

/**
 * A file's bytes and their SHA-256 (lowercase hex), hashed a chunk at a time as they are read:
 * the next chunk is being read while this thread hashes the last. For the default model's
 * 33 MB weights.bin (fresh processes, load ~2): 43-46 ms against `Deno.readFile` 39-42 ms, then
 * `crypto.subtle.digest`, which first copies the bytes on this thread (17-23 ms) and hashes them
 * off it (~25 ms more).
 * @throws {TypeError} when the file changes size while it is read
 */
async function readHashed(
  folder: string,
  name: string,
  fail: Fail,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; sha256: string }> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(join(folder, name));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(fail(`${name} is missing`));
    }
    throw error;
  }
  try {
    const size = (await file.stat()).size;
    const bytes = new Uint8Array(size);
    const hash = createHash("sha256");
    const next = (at: number) =>
      at < size ? file.read(bytes.subarray(at, Math.min(at + READ_CHUNK, size))) : null;
    let at = 0;
    let reading = next(0);
    for (let n = await reading; n; n = await reading) {
      const from = at;
      at += n;
      reading = next(at); // other bytes: read while these are hashed
      hash.update(bytes.subarray(from, at));
    }
    if (at !== size || (await file.read(new Uint8Array(1))) !== null) {
      throw new TypeError(fail(`${name} changed size while it was read`));
    }
    return { bytes, sha256: hash.digest("hex") };
  } finally {
    file.close();
  }
}

async function readFile(
  folder: string,
  name: string,
  fail: Fail,
): Promise<Uint8Array<ArrayBuffer>> {
  try {
    return await Deno.readFile(join(folder, name));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(fail(`${name} is missing`));
    }
    throw error;
  }
}

function parseJson(bytes: Uint8Array, name: string, fail: Fail): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new SyntaxError(fail(`${name} is not valid JSON (${(error as Error).message})`));
  }
}

/**
 * Checks `metadata.json`'s format, labels, dimension and embedder config.
 * @throws {TypeError} naming the first field that is wrong
 */
export function checkMetadata(value: unknown, fail: Fail): ModelMetadata {
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

/** Inputs of the bundle's model: the embedding size, or message ⊕ context ⊕ cues. */
export function modelInputWidth(metadata: Pick<ModelMetadata, "dimension" | "context">): number {
  return metadata.context ? contextInputWidth(metadata.dimension) : metadata.dimension;
}
