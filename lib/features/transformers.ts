/**
 * Local sentence embeddings with transformers.js (ONNX Runtime): a feature-extraction pipeline,
 * mean-pooled over the attention mask and L2-normalised — the sentence-transformers recipe.
 * @module
 */

import { basename, dirname, resolve } from "node:path";
import { importExtra } from "./extras.ts";
import type { Embedder, EmbedderConfig, EmbedderRuntime, EmbedOptions } from "./embedder.ts";

/** The default model: 384-d, 6 layers, ~90 MB in fp32. */
export const DEFAULT_TRANSFORMERS_MODEL = "Xenova/all-MiniLM-L6-v2";

/** ONNX weight variants transformers.js can pick (`onnx/model<suffix>.onnx`). */
export const TRANSFORMERS_DTYPES = ["fp32", "fp16", "q8", "int8", "uint8", "q4", "bnb4"] as const;

/** Configuration of the transformers embedder; stored in model metadata. */
export interface TransformersEmbedderConfig extends EmbedderConfig {
  kind: "transformers";
  /** Hugging Face model id, or the folder name when `runtime.modelDir` is the model itself. @default "Xenova/all-MiniLM-L6-v2" */
  model?: string;
  /** Which ONNX file to load: fp32 → `onnx/model.onnx`, q8 → `onnx/model_quantized.onnx`. @default "fp32" */
  dtype?: (typeof TRANSFORMERS_DTYPES)[number];
  /** Texts per forward pass. @default 32 */
  batchSize?: number;
}

interface Tensor {
  data: Float32Array;
  dims: number[];
  dispose?: () => void;
}
/** The part of `@huggingface/transformers` used here (an extra: its types are not installed). */
interface TransformersModule {
  env: { allowLocalModels: boolean; localModelPath: string; allowRemoteModels: boolean };
  pipeline(task: "feature-extraction", model: string, options: object): Promise<unknown>;
}
type Extractor =
  & ((
    texts: string[],
    options: { pooling: "mean"; normalize: boolean },
  ) => Promise<Tensor>)
  & { dispose?: () => Promise<void> };

/** Where transformers.js should look: a root folder of models and the model's id inside it. */
export interface ModelLocation {
  localModelPath: string | undefined;
  modelId: string;
}

/**
 * Resolves `runtime.modelDir`: a folder holding `config.json` is the model itself (its parent
 * becomes the root, its name the id); any other folder is a root of `<org>/<name>/` models.
 */
export function resolveModelLocation(model: string | undefined, modelDir?: string): ModelLocation {
  if (modelDir === undefined) {
    return { localModelPath: undefined, modelId: model ?? DEFAULT_TRANSFORMERS_MODEL };
  }
  const dir = resolve(modelDir);
  let isModel = false;
  try {
    isModel = Deno.statSync(`${dir}/config.json`).isFile;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return isModel
    ? { localModelPath: `${dirname(dir)}/`, modelId: basename(dir) }
    : { localModelPath: `${dir}/`, modelId: model ?? DEFAULT_TRANSFORMERS_MODEL };
}

/** Mean-pooled, normalised sentence vectors from a transformers.js model. */
export class TransformersEmbedder implements Embedder {
  readonly id: string;
  readonly config: TransformersEmbedderConfig;

  private constructor(
    readonly dimension: number,
    config: TransformersEmbedderConfig,
    readonly batchSize: number,
    readonly extractor: Extractor,
  ) {
    this.config = config;
    this.id = `transformers-${config.model}-${config.dtype}-mean-norm-d${dimension}`;
  }

  /** Loads the model; see {@linkcode createTransformersEmbedder}. */
  static async load(
    config: EmbedderConfig,
    runtime: EmbedderRuntime = {},
  ): Promise<TransformersEmbedder> {
    const dtype = config.dtype ?? "fp32";
    if (!TRANSFORMERS_DTYPES.includes(dtype as (typeof TRANSFORMERS_DTYPES)[number])) {
      throw new RangeError(
        `Cannot create transformers embedder: unknown dtype ${JSON.stringify(dtype)} (known: ${
          TRANSFORMERS_DTYPES.join(", ")
        })`,
      );
    }
    const batchSize = config.batchSize ?? 32;
    if (typeof batchSize !== "number" || !Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(
        `Cannot create transformers embedder: batchSize must be a positive integer, got ${
          JSON.stringify(batchSize)
        }`,
      );
    }
    if (config.model !== undefined && typeof config.model !== "string") {
      throw new RangeError(
        `Cannot create transformers embedder: model must be a model id, got ${
          JSON.stringify(config.model)
        }`,
      );
    }
    const { localModelPath, modelId } = resolveModelLocation(config.model, runtime.modelDir);
    const { env, pipeline } = await importExtra<TransformersModule>("transformers");
    // env is global to transformers.js; it is set right before each load
    if (localModelPath !== undefined) {
      env.allowLocalModels = true;
      env.localModelPath = localModelPath;
    }
    env.allowRemoteModels = !runtime.offline;
    let extractor: Extractor;
    try {
      extractor = (await pipeline("feature-extraction", modelId, {
        dtype: dtype as (typeof TRANSFORMERS_DTYPES)[number],
        local_files_only: runtime.offline ?? false,
      })) as unknown as Extractor;
    } catch (error) {
      const where = localModelPath === undefined
        ? runtime.offline ? "the transformers.js cache (offline)" : "the Hugging Face hub or cache"
        : `"${localModelPath}${modelId}"`;
      throw new Error(
        `Cannot load transformers model "${modelId}" (${dtype}) from ${where}: ${
          error instanceof Error ? error.message : String(error)
        }`,
        { cause: error },
      );
    }
    const probe = await extractor(["dimension probe"], { pooling: "mean", normalize: true });
    const dimension = probe.dims.at(-1)!;
    probe.dispose?.();
    return new TransformersEmbedder(
      dimension,
      { ...config, kind: "transformers", model: modelId, dtype } as TransformersEmbedderConfig,
      batchSize,
      extractor,
    );
  }

  /** Embeds `texts` in batches of `batchSize`. */
  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array> {
    const out = new Float32Array(texts.length * this.dimension);
    for (let start = 0; start < texts.length; start += this.batchSize) {
      options.signal?.throwIfAborted();
      const batch = texts.slice(start, start + this.batchSize);
      const output = await this.extractor(batch, { pooling: "mean", normalize: true });
      try {
        if (output.data.length !== batch.length * this.dimension) {
          throw new TypeError(
            `Cannot embed with transformers model "${this.config.model}": got ${output.data.length} values for ${batch.length} × ${this.dimension}`,
          );
        }
        out.set(output.data, start * this.dimension);
      } finally {
        output.dispose?.();
      }
      options.onProgress?.(Math.min(texts.length, start + this.batchSize), texts.length);
    }
    if (texts.length === 0) options.onProgress?.(0, 0);
    return out;
  }

  /** Releases the ONNX session. */
  async dispose(): Promise<void> {
    await this.extractor.dispose?.();
  }
}

/**
 * Creates a transformers.js embedder. `runtime.modelDir` is a model folder (holding
 * `config.json`, `tokenizer.json`, `onnx/model.onnx`) or a root of `<org>/<name>/` folders;
 * `runtime.offline` forbids any download.
 * @example
 * ```ts
 * const embedder = await createTransformersEmbedder(
 *   { kind: "transformers" },
 *   { modelDir: "models/hf", offline: true },
 * );
 * ```
 */
export async function createTransformersEmbedder(
  config: EmbedderConfig,
  runtime: EmbedderRuntime = {},
): Promise<Embedder> {
  return await TransformersEmbedder.load(config, runtime);
}
