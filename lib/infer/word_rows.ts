/**
 * Word rows: a word's own features (its unigram and character n-grams, ~6-10 buckets) depend on
 * the word alone, so their share of the first layer, Σ ln(1 + bucket sum) · W1[bucket], is one
 * fixed vector per word. For the frequent words of a batch that vector becomes an extra row of
 * W1 (`SparseMlp.defineRows`), and a text naming the word reads that one row, scaled as its
 * features would have been, instead of all of the word's rows (`featurizeFactored`): ~35% fewer
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
/** Times a word must appear in that first batch. */
const MIN_COUNT = 2;

const tables = new WeakMap<SparseMlp, { embedder: FactoringEmbedder; table: WordTable } | null>();

/**
 * `text → sparse features` for `mlp` naming word rows where they stand for a word's features,
 * or `undefined` when that cannot be: an embedder without {@linkcode FactoringEmbedder}, the
 * "js" kernel, or no extra rows left. The first batch of at least
 * {@linkcode WORD_ROWS_MIN_TEXTS} texts that `mlp` sees with `embedder` picks its words (its
 * frequent ones) and builds their rows; later batches reuse them. The returned arrays are
 * overwritten by the next call.
 */
export function wordRowsFeaturizer(
  embedder: SparseEmbedder,
  mlp: SparseMlp,
  texts: readonly string[],
): ((text: string) => SparseFeatures) | undefined {
  if (!isFactoringEmbedder(embedder) || mlp.kernel !== "wasm") return undefined;
  let built = tables.get(mlp);
  if (built === undefined) {
    if (texts.length < WORD_ROWS_MIN_TEXTS) return undefined;
    built = buildTable(embedder, mlp, texts);
    tables.set(mlp, built);
  }
  if (built === null || built.embedder !== embedder) return undefined;
  const { table } = built;
  return (text) => embedder.featurizeFactored(text, table);
}

/** Picks the frequent words of `texts`, claims extra rows for them and writes those rows. */
function buildTable(
  embedder: FactoringEmbedder,
  mlp: SparseMlp,
  texts: readonly string[],
): { embedder: FactoringEmbedder; table: WordTable } | null {
  const words = embedder.frequentWords(texts, MIN_COUNT, MAX_WORDS);
  if (words.length === 0) return null;
  const rows = mlp.claimRows(words.length);
  if (rows.count === 0) return null;
  const table = embedder.wordTable(words.slice(0, rows.count));
  const n = table.words.length;
  mlp.defineRows(rows.first, n, (w) => table.ownFeatures(w));
  for (let w = 0; w < n; w++) table.rows[w] = rows.first + w;
  return { embedder, table };
}
