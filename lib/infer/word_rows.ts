/**
 * Word rows: a word's own features (its unigram and character n-grams, ~6-10 buckets) depend on
 * the word alone, so their share of the first layer, Σ ln(1 + bucket sum) · W1[bucket], is one
 * fixed vector per word. For the frequent words of a batch that vector becomes an extra row of
 * W1 (`SparseMlp.defineRows`), and a text naming the word reads that one row, scaled as its
 * features would have been, instead of all of the word's rows (`featurizeFactored`): 38% fewer
 * rows read per message with the default model. A word that shares a bucket with another
 * feature of its text (repeated, a common n-gram, a hash collision) is read feature by feature
 * as before. Only the order of float additions changes.
 * @module
 */

import type { WordTable } from "../features/builtin.ts";
import type { SparseEmbedder, SparseFeatures, SparseMlp } from "./sparse.ts";

/** An embedder that can factor words out of its vectors (`BuiltinEmbedder`). */
export interface FactoringEmbedder extends SparseEmbedder {
  frequentWords(texts: readonly string[], minCount: number, max: number): string[];
  wordTable(words: readonly string[]): WordTable;
  featurizeFactored(text: string, table: WordTable): SparseFeatures;
}

/** Whether `embedder` can factor words out (see {@linkcode FactoringEmbedder}). */
export function isFactoringEmbedder(embedder: object): embedder is FactoringEmbedder {
  return typeof (embedder as Partial<FactoringEmbedder>).featurizeFactored === "function";
}

/** Fewest texts a batch needs to pick a thread's words from (a lone request never does). */
export const WORD_ROWS_MIN_TEXTS = 256;
/** Most words a thread gives rows (8 KiB each at 2048 hidden units). */
const MAX_WORDS = 4096;
/** Times a word must appear in a batch to get a row. */
const MIN_COUNT = 2;
/** Batches after the first whose frequent words still get rows (words the first one lacked). */
const TOP_UPS = 3;

interface ThreadWords {
  embedder: FactoringEmbedder;
  table: WordTable;
  /** The thread's extra rows: `first … first + count - 1`, of which `used` hold words. */
  first: number;
  count: number;
  used: number;
  topUps: number;
}

const threads = new WeakMap<SparseMlp, ThreadWords | null>();

/**
 * `text → sparse features` for `mlp` naming word rows where they stand for a word's features,
 * or `undefined` when that cannot be: an embedder without {@linkcode FactoringEmbedder}, the
 * "js" kernel, or no extra rows left. The first batch of at least
 * {@linkcode WORD_ROWS_MIN_TEXTS} texts that `mlp` sees with `embedder` picks its words (its
 * frequent ones) and builds their rows; the next few such batches add their own frequent words;
 * later batches reuse them all. The returned arrays are overwritten by the next call.
 */
export function wordRowsFeaturizer(
  embedder: SparseEmbedder,
  mlp: SparseMlp,
  texts: readonly string[],
): ((text: string) => SparseFeatures) | undefined {
  if (!isFactoringEmbedder(embedder) || mlp.kernel !== "wasm") return undefined;
  let words = threads.get(mlp);
  if (words === undefined) {
    if (texts.length < WORD_ROWS_MIN_TEXTS) return undefined;
    words = firstWords(embedder, mlp, texts);
    threads.set(mlp, words);
  } else if (
    words !== null && words.embedder === embedder && words.topUps < TOP_UPS &&
    texts.length >= WORD_ROWS_MIN_TEXTS
  ) {
    topUp(words, mlp, texts);
  }
  if (words === null || words.embedder !== embedder) return undefined;
  const { table } = words;
  return (text) => embedder.featurizeFactored(text, table);
}

/**
 * Picks the frequent words of `texts`, claims extra rows for them (twice as many, for later
 * batches' words) and writes those rows.
 */
function firstWords(
  embedder: FactoringEmbedder,
  mlp: SparseMlp,
  texts: readonly string[],
): ThreadWords | null {
  const words = embedder.frequentWords(texts, MIN_COUNT, MAX_WORDS);
  if (words.length === 0) return null;
  const rows = mlp.claimRows(Math.min(MAX_WORDS, 2 * words.length));
  if (rows.count === 0) return null;
  const table = embedder.wordTable(words.slice(0, rows.count));
  defineWordRows(mlp, table, 0, rows.first);
  return {
    embedder,
    table,
    first: rows.first,
    count: rows.count,
    used: table.words.length,
    topUps: 0,
  };
}

/** Gives the frequent words of `texts` that have no row yet rows of their own, while any are left. */
function topUp(words: ThreadWords, mlp: SparseMlp, texts: readonly string[]): void {
  words.topUps++;
  const room = words.count - words.used;
  if (room === 0) return;
  const known = new Set(words.table.words);
  const added = words.embedder.frequentWords(texts, MIN_COUNT, MAX_WORDS)
    .filter((word) => !known.has(word)).slice(0, room);
  if (added.length === 0) return;
  // a new table: the old words keep their indices and rows
  const table = words.embedder.wordTable([...words.table.words, ...added]);
  const old = words.table.words.length;
  table.rows.set(words.table.rows);
  defineWordRows(mlp, table, old, words.first + words.used);
  words.table = table;
  words.used += table.words.length - old;
}

/** Writes the rows of `table`'s words from `from` on into `mlp`'s rows from `row` on. */
function defineWordRows(mlp: SparseMlp, table: WordTable, from: number, row: number): void {
  const n = table.words.length - from;
  mlp.defineRows(row, n, (w) => table.ownFeatures(from + w));
  for (let w = 0; w < n; w++) table.rows[from + w] = row + w;
}
