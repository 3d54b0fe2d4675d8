/**
 * Word rows: a word's own features (its unigram and character n-grams, ~6-10 buckets) depend on
 * the word alone, so their share of the first layer, Σ ln(1 + bucket sum) · W1[bucket], is one
 * fixed vector per word. For the frequent words of a batch that vector becomes an extra row of
 * W1 (`SparseMlp.defineRows`), and a text naming the word reads that one row, scaled as its
 * features would have been, instead of all of the word's rows (`featurizeFactored`). Where
 * another feature of the text reaches one of the word's buckets (a shared n-gram, a hash
 * collision), that bucket keeps the difference between its value and the word's share; a word
 * said twice is read feature by feature. Only the order of float additions changes. On the
 * bench's 100k messages with the default model: 52.9 rows read per message → 23.3.
 *
 * One word list serves every thread computing on the same weights: the thread that owns them
 * picks it from the first big batch it is given (before any thread computes that batch) and
 * writes the rows into the shared memory;
 * worker threads are sent the list ({@linkcode WordRowsShare}) and read those rows. A text's
 * numbers then depend on that first batch only, never on which thread computes it or when.
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

/** Fewest texts a batch needs to pick the words from (a lone request never does). */
export const WORD_ROWS_MIN_TEXTS = 256;
/** Most words given rows (8 KiB each at 2048 hidden units). */
const MAX_WORDS = 4096;
/**
 * Texts the words are picked from: the first 2048 of the first big batch, so any batch size from
 * 2048 up gives the same words. On the bench's 100k messages in batches of 8192 (4 alternating
 * runs each, load 3.1-3.8): picking from all 8192 texts cost 0.1-0.3 s more CPU, and giving the
 * next 3 batches' new words rows too (21.5 rows read a message against 23.3) 0.2-0.4 s more
 * than it saved.
 */
const SAMPLE = 2048;
/** Times a word must appear in the batch to get a row: once (the cap binds first; on the bench's
 * 100k messages, before collisions kept differences, rows read per message were 34.4 with twice,
 * 33.1 with once). */
const MIN_COUNT = 1;

/**
 * A word list whose rows one thread wrote into shared weights, as sent to the other threads
 * computing on them: word `w` stands for input row `first + w`.
 */
export interface WordRowsShare {
  /** The id of the embedder the words were hashed with. */
  embedderId: string;
  words: string[];
  first: number;
}

interface WordRows {
  embedder: FactoringEmbedder;
  table: WordTable;
  share: WordRowsShare;
}

/** Per kernel instance: its word rows, `null` when it has none and never will, absent while
 * it may still pick them. */
const rowsOf = new WeakMap<SparseMlp, WordRows | null>();
/** Instances that never pick words themselves: they read the rows another thread shares. */
const followers = new WeakSet<SparseMlp>();

/**
 * `text → sparse features` for `mlp` naming word rows where they stand for a word's features,
 * or `undefined` when that cannot be: an embedder without {@linkcode FactoringEmbedder}, the
 * "js" kernel, no extra rows left, or no word list yet. The first batch of at least
 * {@linkcode WORD_ROWS_MIN_TEXTS} texts that `mlp` sees with `embedder` picks the words (its
 * frequent ones) and writes their rows; every later batch reuses them. The returned arrays are
 * overwritten by the next call.
 */
export function wordRowsFeaturizer(
  embedder: SparseEmbedder,
  mlp: SparseMlp,
  texts: readonly string[],
): ((text: string) => SparseFeatures) | undefined {
  const rows = chooseWordRows(embedder, mlp, texts);
  if (!rows) return undefined;
  const { table } = rows;
  return (text) => rows.embedder.featurizeFactored(text, table);
}

/**
 * The word rows of `mlp` to send to the threads sharing its weights (`SparseMlp.share()`),
 * picked from `texts` when it has none yet and they are enough (see
 * {@linkcode wordRowsFeaturizer}); `undefined` when there are none.
 */
export function shareWordRows(
  embedder: SparseEmbedder,
  mlp: SparseMlp,
  texts: readonly string[],
): WordRowsShare | undefined {
  return chooseWordRows(embedder, mlp, texts)?.share;
}

/**
 * Makes `mlp` (built on shared weights, e.g. in a worker) read the word rows another thread
 * wrote ({@linkcode shareWordRows}) and never pick words of its own; with `share` absent, it
 * only stops picking (the rows come later).
 * @throws {RangeError} when the rows were never claimed on these weights
 * @throws {TypeError} when the words are for another embedder or not a word table's words
 */
export function followWordRows(
  embedder: SparseEmbedder,
  mlp: SparseMlp,
  share?: WordRowsShare,
): void {
  followers.add(mlp);
  if (!share || rowsOf.get(mlp)?.share === share) return;
  if (!isFactoringEmbedder(embedder) || embedder.id !== share.embedderId) {
    throw new TypeError(
      `Cannot read word rows: they are for "${share.embedderId}", not "${embedder.id}"`,
    );
  }
  const table = embedder.wordTable(share.words);
  if (table.words.length !== share.words.length) {
    throw new TypeError("Cannot read word rows: the list holds repeats or non-words");
  }
  mlp.adoptRows(share.first, table.words.length);
  for (let w = 0; w < table.words.length; w++) table.rows[w] = share.first + w;
  rowsOf.set(mlp, { embedder, table, share });
}

/** `mlp`'s word rows for `embedder`, picked from `texts` if it has none and may pick. */
function chooseWordRows(
  embedder: SparseEmbedder,
  mlp: SparseMlp,
  texts: readonly string[],
): WordRows | undefined {
  if (!isFactoringEmbedder(embedder) || mlp.kernel !== "wasm") return undefined;
  let rows = rowsOf.get(mlp);
  if (rows === undefined) {
    if (followers.has(mlp) || texts.length < WORD_ROWS_MIN_TEXTS) return undefined;
    rows = pickWords(embedder, mlp, texts);
    rowsOf.set(mlp, rows);
  }
  return rows !== null && rows.embedder === embedder ? rows : undefined;
}

/** Picks the frequent words of `texts`, claims extra rows for them and writes those rows. */
function pickWords(
  embedder: FactoringEmbedder,
  mlp: SparseMlp,
  texts: readonly string[],
): WordRows | null {
  const words = embedder.frequentWords(texts.slice(0, SAMPLE), MIN_COUNT, MAX_WORDS);
  if (words.length === 0) return null;
  const rows = mlp.claimRows(words.length);
  if (rows.count === 0) return null;
  const table = embedder.wordTable(words.slice(0, rows.count));
  const n = table.words.length;
  mlp.defineRows(rows.first, n, (w) => table.ownFeatures(w));
  for (let w = 0; w < n; w++) table.rows[w] = rows.first + w;
  return {
    embedder,
    table,
    share: { embedderId: embedder.id, words: [...table.words], first: rows.first },
  };
}
