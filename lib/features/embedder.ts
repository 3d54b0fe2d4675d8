/**
 * The embedding stage's interface: anything that turns texts into fixed-size vectors.
 * @module
 */

/** Options of {@linkcode Embedder.embed}. */
export interface EmbedOptions {
  /** Called as rows are embedded, e.g. to draw a progress bar. */
  onProgress?: (done: number, total: number) => void;
  /** Cancels embedding; checked between batches. */
  signal?: AbortSignal;
}

/** Serialisable description of an embedder; stored in model metadata, never holds secrets. */
export interface EmbedderConfig {
  /** Which embedder family; {@linkcode createEmbedder} dispatches on it. */
  kind: "builtin" | "openai" | "transformers" | "glove";
  /** The family's own settings (model name, dimension, …). */
  [key: string]: unknown;
}

/** Secrets and machine-local settings that an entry point reads from env/flags and passes in. */
export interface EmbedderRuntime {
  /** API key of a hosted embedder (openai). Never stored in metadata. */
  apiKey?: string;
  /** Server to call instead of the provider's (a proxy, a local test server). */
  baseUrl?: string;
  /** Folder holding local model files (transformers, glove). */
  modelDir?: string;
  /** Forbid downloads; use only local files and caches. */
  offline?: boolean;
  /** Folder of the on-disk vector cache. */
  cacheDir?: string;
  /** The `fetch` used for HTTP calls (tests pass a fake). */
  fetch?: typeof fetch;
}

/** Turns texts into a row-major `n × dimension` Float32 matrix. */
export interface Embedder {
  /** Stable identity including the config, e.g. `builtin-v1-d1024`; prefixes cache keys. */
  readonly id: string;
  /** Length of each vector. */
  readonly dimension: number;
  /** The config this embedder was created from (what metadata stores). */
  readonly config: EmbedderConfig;
  /** Embeds `texts`; row i of the result belongs to `texts[i]`. */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array>;
}

/** The embedder kinds {@linkcode EmbedderConfig.kind} may name. */
export const EMBEDDER_KINDS = ["builtin", "openai", "transformers", "glove"] as const;
