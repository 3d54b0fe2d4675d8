/**
 * The embedding stage's interface: anything that turns texts into fixed-size vectors.
 * @module
 */

/** Options of {@linkcode Embedder.embed}. */
export interface EmbedOptions {
  /** Called as rows are embedded, e.g. to draw a progress bar. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Serialisable description of an embedder; stored in model metadata, never holds secrets. */
export interface EmbedderConfig {
  kind: "builtin" | "openai" | "transformers" | "glove";
  [key: string]: unknown;
}

/** Secrets and machine-local settings that an entry point reads from env/flags and passes in. */
export interface EmbedderRuntime {
  apiKey?: string;
  baseUrl?: string;
  modelDir?: string;
  offline?: boolean;
  cacheDir?: string;
  fetch?: typeof fetch;
}

/** Turns texts into a row-major `n × dimension` Float32 matrix. */
export interface Embedder {
  /** Stable identity including the config, e.g. `builtin-v1-d1024`; prefixes cache keys. */
  readonly id: string;
  readonly dimension: number;
  readonly config: EmbedderConfig;
  /** Embeds `texts`; row i of the result belongs to `texts[i]`. */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array>;
}

/** The embedder kinds {@linkcode EmbedderConfig.kind} may name. */
export const EMBEDDER_KINDS = ["builtin", "openai", "transformers", "glove"] as const;
