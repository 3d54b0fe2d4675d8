/**
 * A persistent vector cache in front of any embedder, so re-training or re-evaluating never pays
 * twice (in money or time) for the same text.
 *
 * Layout: `<cacheDir>/<embedder id>/<segment>.qvec`, one immutable segment per `embed` call that
 * had misses. A segment is written atomically and never rewritten, so concurrent processes can
 * share a folder; many small segments are merged once they exceed {@linkcode MAX_SEGMENTS}.
 *
 * Segment format (little-endian): `"QACVEC01"`, u32 dimension, u32 count, u32 id byte length,
 * the embedder id (UTF-8, zero-padded to 4 bytes), `count` SHA-256 keys of the texts (32 bytes
 * each), then `count × dimension` float32 values.
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { writeFileAtomic } from "../data/atomic.ts";
import type { Embedder, EmbedderConfig, EmbedOptions } from "./embedder.ts";

const MAGIC = "QACVEC01";
const HEADER_BYTES = 20;
const KEY_BYTES = 32;
/** Segment count above which the next write merges all segments into one. */
export const MAX_SEGMENTS = 32;

/** Hex SHA-256 of a text: the per-text cache key. */
export function textKey(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A folder name for an embedder id: safe characters kept, anything else replaced by `_`. */
export function cacheFolderName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** Encodes one segment (see the module doc for the layout). */
export function encodeSegment(
  id: string,
  dimension: number,
  keys: readonly string[],
  vectors: Float32Array,
): Uint8Array {
  if (vectors.length !== keys.length * dimension) {
    throw new TypeError(
      `Cannot encode cache segment: ${keys.length} keys × ${dimension} needs ${
        keys.length * dimension
      } values, got ${vectors.length}`,
    );
  }
  const idBytes = new TextEncoder().encode(id);
  const idPadded = Math.ceil(idBytes.length / 4) * 4;
  const keysAt = HEADER_BYTES + idPadded;
  const vectorsAt = keysAt + keys.length * KEY_BYTES;
  const out = new Uint8Array(vectorsAt + vectors.byteLength);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, dimension, true);
  view.setUint32(12, keys.length, true);
  view.setUint32(16, idBytes.length, true);
  out.set(idBytes, HEADER_BYTES);
  keys.forEach((key, i) => {
    for (let b = 0; b < KEY_BYTES; b++) {
      out[keysAt + i * KEY_BYTES + b] = parseInt(key.slice(b * 2, b * 2 + 2), 16);
    }
  });
  out.set(new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength), vectorsAt);
  return out;
}

/** A decoded segment. */
export interface Segment {
  id: string;
  dimension: number;
  keys: string[];
  vectors: Float32Array;
}

/**
 * Decodes a segment written by {@linkcode encodeSegment}.
 * @throws {SyntaxError} when the bytes are not a complete segment.
 */
export function decodeSegment(bytes: Uint8Array): Segment {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER_BYTES || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new SyntaxError(`Cannot decode cache segment: missing the ${MAGIC} magic string`);
  }
  const dimension = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const idLength = view.getUint32(16, true);
  const keysAt = HEADER_BYTES + Math.ceil(idLength / 4) * 4;
  const vectorsAt = keysAt + count * KEY_BYTES;
  const expected = vectorsAt + count * dimension * 4;
  if (bytes.length !== expected) {
    throw new SyntaxError(
      `Cannot decode cache segment: ${count} × ${dimension} needs ${expected} bytes, found ${bytes.length}`,
    );
  }
  const id = new TextDecoder().decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + idLength));
  const keys: string[] = new Array(count);
  const hex = "0123456789abcdef";
  for (let i = 0; i < count; i++) {
    let key = "";
    for (let b = 0; b < KEY_BYTES; b++) {
      const byte = bytes[keysAt + i * KEY_BYTES + b]!;
      key += hex[byte >> 4]! + hex[byte & 15]!;
    }
    keys[i] = key;
  }
  // copy so the vectors own an aligned buffer
  const vectors = new Float32Array(bytes.slice(vectorsAt).buffer);
  return { id, dimension, keys, vectors };
}

/** Counters of a {@linkcode CachedEmbedder}, for logs and benchmarks. */
export interface CacheStats {
  /** Texts answered from the cache. */
  hits: number;
  /** Texts the inner embedder had to embed. */
  misses: number;
  /** Vectors held in memory (loaded from disk or embedded in this process). */
  size: number;
  /** Segment files on disk, as last counted. */
  segments: number;
}

/** An {@linkcode Embedder} that answers from its cache and embeds only unseen texts. */
export interface CachedEmbedder extends Embedder {
  /** The embedder that computes vectors the cache lacks. */
  readonly inner: Embedder;
  /** Folder holding this embedder's segment files. */
  readonly folder: string;
  /** Hit, miss and size counters since creation. */
  readonly stats: CacheStats;
}

class VectorCache implements CachedEmbedder {
  readonly id: string;
  readonly dimension: number;
  readonly config: EmbedderConfig;
  readonly folder: string;
  readonly stats: CacheStats = { hits: 0, misses: 0, size: 0, segments: 0 };
  #vectors = new Map<string, Float32Array>();
  /** Segment files whose vectors are all in memory; only these may be merged away. */
  #inMemory = new Set<string>();
  #loaded: Promise<void> | undefined;

  constructor(readonly inner: Embedder, cacheDir: string) {
    this.id = inner.id;
    this.dimension = inner.dimension;
    this.config = inner.config;
    this.folder = join(cacheDir, cacheFolderName(inner.id));
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array> {
    await (this.#loaded ??= this.#load());
    const d = this.dimension;
    const out = new Float32Array(texts.length * d);
    const missing = new Map<string, { text: string; rows: number[] }>();
    let hits = 0;
    for (let row = 0; row < texts.length; row++) {
      const text = texts[row]!;
      const key = textKey(text);
      const cached = this.#vectors.get(key);
      if (cached) {
        out.set(cached, row * d);
        hits++;
      } else {
        const entry = missing.get(key);
        if (entry) entry.rows.push(row);
        else missing.set(key, { text, rows: [row] });
      }
    }
    this.stats.hits += hits;
    this.stats.misses += texts.length - hits;
    options.onProgress?.(hits, texts.length);
    if (missing.size === 0) return out;

    const entries = [...missing];
    const fresh = await this.inner.embed(entries.map(([, e]) => e.text), {
      signal: options.signal,
      onProgress: (done, total) => {
        // count duplicate rows of a unique text once it is done, roughly in proportion
        const rowsDone = Math.round((done / total) * (texts.length - hits));
        options.onProgress?.(hits + rowsDone, texts.length);
      },
    });
    if (fresh.length !== entries.length * d) {
      throw new TypeError(
        `Cannot cache vectors of "${this.id}": asked for ${entries.length} × ${d}, got ${fresh.length} values`,
      );
    }
    const keys: string[] = [];
    entries.forEach(([key, { rows }], i) => {
      const vector = fresh.subarray(i * d, (i + 1) * d);
      for (const row of rows) out.set(vector, row * d);
      this.#vectors.set(key, vector);
      keys.push(key);
    });
    this.stats.size = this.#vectors.size;
    await this.#write(keys, fresh);
    return out;
  }

  async #segmentFiles(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(this.folder)) {
        if (entry.isFile && entry.name.endsWith(".qvec")) names.push(entry.name);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return names.sort();
  }

  async #load(): Promise<void> {
    const names = await this.#segmentFiles();
    for (const name of names) {
      const segment = decodeSegment(await Deno.readFile(join(this.folder, name)));
      // a segment of another id (a folder-name collision) or size is not ours: ignore it
      if (segment.id !== this.id || segment.dimension !== this.dimension) continue;
      segment.keys.forEach((key, i) => {
        this.#vectors.set(
          key,
          segment.vectors.subarray(i * this.dimension, (i + 1) * this.dimension),
        );
      });
      this.#inMemory.add(name);
    }
    this.stats.size = this.#vectors.size;
    this.stats.segments = names.length;
  }

  async #write(keys: string[], vectors: Float32Array): Promise<void> {
    const name = `${Date.now().toString(36).padStart(9, "0")}-${
      crypto.randomUUID().slice(0, 8)
    }.qvec`;
    const existing = await this.#segmentFiles();
    const merge = existing.length + 1 > MAX_SEGMENTS;
    if (merge) {
      // everything in memory: all segments loaded or written by this process, plus the new rows
      keys = [...this.#vectors.keys()];
      vectors = new Float32Array(keys.length * this.dimension);
      keys.forEach((key, i) => vectors.set(this.#vectors.get(key)!, i * this.dimension));
    }
    await writeFileAtomic(
      join(this.folder, name),
      encodeSegment(this.id, this.dimension, keys, vectors),
    );
    if (merge) {
      // segments that other processes wrote meanwhile are not in memory: they stay
      for (const old of existing) {
        if (this.#inMemory.delete(old)) await Deno.remove(join(this.folder, old)).catch(() => {});
      }
    }
    this.#inMemory.add(name);
    this.stats.segments = (await this.#segmentFiles()).length;
  }
}

/**
 * Wraps `embedder` so vectors are kept in `<cacheDir>/<embedder id>/` keyed by the SHA-256 of the
 * text; a second `embed` of the same texts does not call the inner embedder.
 * @example
 * ```ts
 * const embedder = withCache(await createEmbedder(config, runtime), "data/cache");
 * ```
 */
export function withCache(embedder: Embedder, cacheDir: string): CachedEmbedder {
  return new VectorCache(embedder, cacheDir);
}
