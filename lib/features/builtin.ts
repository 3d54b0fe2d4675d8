/**
 * The built-in, offline "embedding": hashed word and character n-grams with sublinear term
 * weighting and L2 normalisation. Deterministic, no network, fixed dimension.
 *
 * Chat is short and noisy, so besides words it hashes character n-grams (robust to typos and
 * elongations), the first and last tokens (where "?" and question words sit), and coarse length.
 * Feature version 2 (the default) adds the same features of the text with every word outside a
 * list of function words replaced by one placeholder: patterns such as "do you <w>" or "<w> ?"
 * that a message on any topic shares with the training chat, whatever words it uses.
 * @module
 */

import type { Embedder, EmbedderConfig, EmbedOptions } from "./embedder.ts";
import { FUNCTION_WORDS } from "./_function_words.ts";
import type { SparseMatrix } from "./matrix.ts";

/** Configuration of {@linkcode BuiltinEmbedder}; stored in model metadata. */
export interface BuiltinConfig extends EmbedderConfig {
  /** Always builtin. */
  kind: "builtin";
  /** Number of hash buckets = vector length. @default 2048 */
  dimension: number;
  /** Feature-set version; bumps whenever features change so caches and models notice. */
  version: BuiltinVersion;
  /** Whether character n-grams are hashed. */
  charNgrams?: boolean;
}

/** Options of {@linkcode BuiltinEmbedder}. */
export interface BuiltinOptions {
  /** Number of hash buckets. @default 2048 */
  dimension?: number;
  /** Hash character 3- and 4-grams of words too (robust to typos). @default true */
  charNgrams?: boolean;
  /**
   * Feature set: 1 hashes the text's n-grams; 2 adds those of its delexicalised form (see
   * {@linkcode delexicalize}). Saved models record theirs.
   * @default BUILTIN_VERSION
   */
  version?: BuiltinVersion;
}

/**
 * Default vector size. Hash collisions cost accuracy: on held-out generated data macro-F1 went
 * 0.887 → 0.914 → 0.932 from 1024 → 2048 → 4096 buckets (the hidden layer grows with it, so
 * training time roughly triples per doubling); 2048 is the middle ground.
 */
export const DEFAULT_BUILTIN_DIMENSION = 2048;

/**
 * The feature-set version new embedders use. Version 2 sums version 1's vector of the text and
 * of its delexicalised form; version 1 stays computable so older models still load. Measured
 * against version 1 in bench/QUALITY_LOG.md (round 3).
 */
export const BUILTIN_VERSION = 2;

/** Feature-set versions this qac computes. */
export const BUILTIN_VERSIONS = [1, 2] as const;

/** One of {@linkcode BUILTIN_VERSIONS}. */
export type BuiltinVersion = typeof BUILTIN_VERSIONS[number];

/** A sparse vector: sorted unique indices and their values. */
export interface SparseVector {
  /** Active buckets, ascending. */
  indices: Int32Array;
  /** Their values. */
  values: Float32Array;
}

// a URL ends before trailing punctuation, so "see https://x.com?" keeps its question mark
const URL_RE = /\b(?:https?:\/\/|www\.)\S*[^\s.,!?;:)\]'"]/g;
const MENTION_RE = /(^|\s)@\w+/g;
const CHANNEL_RE = /(^|\s)#[\w-]+/g;
const NUMBER_RE = /\b\d+(?:[.,]\d+)*\b/g;
const DIGIT_RE = /[0-9]/;

/**
 * The longest text the featurizer takes, in UTF-16 code units (100,000; a Discord message holds
 * at most 4,000 characters). Longer input is refused with a clear error instead of building
 * millions of features; every step below is linear in the length anyway.
 */
export const MAX_TEXT_LENGTH = 100_000;

/** Lowercases and replaces volatile spans (URLs, mentions, numbers) with placeholders. */
export function normalizeText(text: string): string {
  return normalizeLowercase(text.toLowerCase());
}

/**
 * The text as feature version 2's second half sees it: normalised, each word token outside
 * {@linkcode FUNCTION_WORDS} replaced by `w`, everything else (placeholders, punctuation,
 * emoticons, spacing) kept — "Anyone know how to pivot in SQL?" → "anyone know how to w in w?".
 * The featurizer does this during its own scan; this function shows it and tests it.
 */
export function delexicalize(text: string): string {
  const s = normalizeText(text);
  let out = "";
  let kept = 0;
  forEachToken(s, (start, end) => {
    if (charClass(s.charCodeAt(start)) & WORD && !FUNCTION_HASHES.has(fnv1a(s.slice(start, end)))) {
      out += s.slice(kept, start) + "w";
      kept = end;
    }
  });
  return out + s.slice(kept);
}

// Each replace runs only when a cheap test says its pattern can match: most chat has no URL,
// mention, channel, number or elongation, and skipping a replace that cannot match changes nothing.
function normalizeLowercase(lower: string): string {
  const s = replaceSpans(lower);
  return hasTripleRun(codeUnits(s), s.length) ? collapseRuns(s) : s;
}

/** {@linkcode normalizeLowercase} before runs are collapsed: the placeholders put in. */
function replaceSpans(lower: string): string {
  let s = mayHaveUrl(lower) ? lower.replace(URL_RE, " <url> ") : lower;
  if (s.includes("@")) s = s.replace(MENTION_RE, "$1 <mention> ");
  if (s.includes("#")) s = s.replace(CHANNEL_RE, "$1 <channel> ");
  if (DIGIT_RE.test(s)) s = s.replace(NUMBER_RE, " <num> ");
  return s;
}

/**
 * Cuts every run of three or more equal code units down to two ("sooooo" → "soo"), as
 * `s.replace(/(.)\1{2,}/g, "$1$1")` did (line terminators, which `.` does not match, are kept),
 * in one pass: that regex recursed per repeat and overflowed the stack on a few MB of one
 * character.
 */
function collapseRuns(s: string): string {
  const parts: string[] = [];
  let kept = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    let j = i + 1;
    while (j < s.length && s.charCodeAt(j) === c) j++;
    if (j - i >= 3 && c !== 0x0a && c !== 0x0d && c !== 0x2028 && c !== 0x2029) {
      parts.push(s.slice(kept, i + 2));
      kept = j;
    }
    i = j;
  }
  parts.push(s.slice(kept));
  return parts.join("");
}

function mayHaveUrl(lower: string): boolean {
  return lower.includes("://") || lower.includes("www.");
}

/** Whether some code unit of `codes[0 .. n)` repeats three times in a row (what
 * {@linkcode collapseRuns} changes). */
function hasTripleRun(codes: Uint16Array, n: number): boolean {
  let run = 1;
  let previous = codes[0]!;
  for (let i = 1; i < n; i++) {
    const c = codes[i]!;
    if (c !== previous) {
      run = 1;
      previous = c;
    } else if (++run === 3) return true;
  }
  return false;
}

/*
 * The tokenizer: a hand-written scanner with exactly the rules (and alternative order) of
 *   /[a-z0-9_']+|[?!]+|[.]{2,}|[:;=xX][-']?[)(dDpP/\\|3]|<\w+>|\p{Extended_Pictographic}/gu
 * so the featurizer can hash tokens in place instead of building a string per token.
 */
const WORD = 1; // [a-z0-9_']
const BANG = 2; // [?!]
const EYES = 4; // [:;=xX]
const NOSE = 8; // [-']
const MOUTH = 16; // [)(dDpP/\\|3]
const IDENT = 32; // \w
const ASCII_CLASS = new Uint8Array(128);
for (
  const [chars, flag] of [
    ["abcdefghijklmnopqrstuvwxyz0123456789_'", WORD],
    ["?!", BANG],
    [":;=xX", EYES],
    ["-'", NOSE],
    [")(dDpP/\\|3", MOUTH],
    ["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", IDENT],
  ] as const
) {
  for (let i = 0; i < chars.length; i++) ASCII_CLASS[chars.charCodeAt(i)]! |= flag;
}
const PICTOGRAPHIC_RE = /\p{Extended_Pictographic}/uy;

function charClass(code: number): number {
  return code < 128 ? ASCII_CLASS[code]! : 0;
}

/** {@linkcode codeUnits}' buffer, grown as needed. */
let codeBuffer = new Uint16Array(1024);

/**
 * The UTF-16 code units of `s` in a buffer reused by the next call, followed by two zeros (class
 * 0: the scanner stops there). The scanner and hashes read this array, not `s`: chat texts come
 * as strings of many internal kinds (sliced, concatenated, one- or two-byte), which makes every
 * `s.charCodeAt` a megamorphic call — one such call per code unit here instead of ~10.
 */
function codeUnits(s: string): Uint16Array {
  const n = s.length;
  if (codeBuffer.length < n + 2) codeBuffer = new Uint16Array(2 * n + 2);
  const codes = codeBuffer;
  for (let i = 0; i < n; i++) codes[i] = s.charCodeAt(i);
  codes[n] = 0;
  codes[n + 1] = 0;
  return codes;
}

/**
 * End of the token that starts at `start` of `s` (its code units `codes`, from
 * {@linkcode codeUnits}), or -1 when no token starts there.
 */
function tokenEnd(s: string, codes: Uint16Array, start: number): number {
  const code = codes[start]!;
  if (code >= 128) { // of the token rules, only an emoji matches outside ASCII
    PICTOGRAPHIC_RE.lastIndex = start;
    return PICTOGRAPHIC_RE.test(s) ? PICTOGRAPHIC_RE.lastIndex : -1;
  }
  const cls = ASCII_CLASS[code]!;
  let i = start + 1;
  if (cls & WORD) {
    while (charClass(codes[i]!) & WORD) i++; // the zero after the end has class 0
    return i;
  }
  if (cls & BANG) {
    while (charClass(codes[i]!) & BANG) i++;
    return i;
  }
  if (code === 46) { // "."
    while (codes[i] === 46) i++;
    return i - start >= 2 ? i : -1;
  }
  if (cls & EYES) {
    if (charClass(codes[i]!) & NOSE && charClass(codes[i + 1]!) & MOUTH) return i + 2;
    return charClass(codes[i]!) & MOUTH ? i + 1 : -1;
  }
  if (code === 60) { // "<"
    while (charClass(codes[i]!) & IDENT) i++;
    return i > start + 1 && codes[i] === 62 ? i + 1 : -1;
  }
  return -1;
}

/** Splits normalised text into word, punctuation, emoticon and emoji tokens. */
export function tokenize(normalized: string): string[] {
  const tokens: string[] = [];
  forEachToken(normalized, (start, end) => tokens.push(normalized.slice(start, end)));
  return tokens;
}

/** Calls `visit(start, end)` for each token of normalised text, in order (`visit` must not
 * tokenize or featurize: the code units are in a shared buffer). */
function forEachToken(s: string, visit: (start: number, end: number) => void): void {
  const codes = codeUnits(s);
  for (let i = 0, n = s.length; i < n;) {
    const end = tokenEnd(s, codes, i);
    if (end < 0) i++;
    else {
      visit(i, end);
      i = end;
    }
  }
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a hash of a string (UTF-16 code units). */
export function fnv1a(text: string, seed = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** Murmur3's finaliser: spreads a hash salted with a feature family over 31 bits. */
function mix(h: number, family: number): number {
  h = (h ^ Math.imul(family, 0x9e3779b9)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x7fffffff; // a small integer keeps the modulo on V8's fast path
}

/** Feature families: [hash salt, weight before the sublinear transform and normalisation]. */
const FAMILY = {
  word: [1, 1],
  bigram: [2, 0.8],
  char: [3, 0.35],
  first: [4, 1],
  last: [5, 1],
  shape: [6, 0.7],
} as const;

const BOS = fnv1a("<s>");
/** How feature version 2's delexicalised half hashes a word outside the function words. */
const CONTENT_WORD = fnv1a("w");
/** The unigram feature of {@linkcode CONTENT_WORD}. */
const CONTENT_UNIGRAM = mix(CONTENT_WORD, FAMILY.word[0]);
const FUNCTION_HASHES = new Set([...FUNCTION_WORDS].map((w) => fnv1a(w)));
/** {@linkcode FUNCTION_HASHES} as an open-addressed table at most a quarter full (cheaper per
 * token than `Set.has`): 0 marks an empty slot, so a hash of 0 is looked up in the set itself. */
const FUNCTION_BITS = 32 - Math.clz32(FUNCTION_HASHES.size * 4);
const FUNCTION_SHIFT = 32 - FUNCTION_BITS;
const FUNCTION_MASK = (1 << FUNCTION_BITS) - 1;
const FUNCTION_SLOTS = new Int32Array(1 << FUNCTION_BITS);
for (const h of FUNCTION_HASHES) {
  let i = Math.imul(h, 0x9e3779b1) >>> FUNCTION_SHIFT;
  while (FUNCTION_SLOTS[i] !== 0) i = (i + 1) & FUNCTION_MASK;
  FUNCTION_SLOTS[i] = h;
}

/** Whether FNV-1a hash `h` is a function word's ({@linkcode FUNCTION_HASHES}). */
function isFunctionHash(h: number): boolean {
  if (h === 0) return FUNCTION_HASHES.has(0);
  const key = h | 0;
  for (let i = Math.imul(key, 0x9e3779b1) >>> FUNCTION_SHIFT;; i = (i + 1) & FUNCTION_MASK) {
    const slot = FUNCTION_SLOTS[i]!;
    if (slot === key) return true;
    if (slot === 0) return false;
  }
}
const EOS = fnv1a("</s>");
const SHAPES = ["len:0", "len:1", "len:2-3", "len:4-7", "len:8-15", "len:16+", "has:?", "ends:?"]
  .map((s) => fnv1a(s));

/** The features of one text in emission order: hashes and weights, reused across texts. */
class FeatureList {
  hashes = new Int32Array(256);
  weights = new Float64Array(256);
  length = 0;

  push(hash: number, weight: number): void {
    if (this.length === this.hashes.length) this.#grow();
    this.hashes[this.length] = hash;
    this.weights[this.length++] = weight;
  }

  #grow(): void {
    const hashes = new Int32Array(this.hashes.length * 2);
    const weights = new Float64Array(this.weights.length * 2);
    hashes.set(this.hashes);
    weights.set(this.weights);
    this.hashes = hashes;
    this.weights = weights;
  }
}

/** Table words found in a text, in order (a word twice is listed twice). */
class WordList {
  words = new Int32Array(64);
  length = 0;

  push(w: number): void {
    if (this.length === this.words.length) {
      const words = new Int32Array(this.length * 2);
      words.set(this.words);
      this.words = words;
    }
    this.words[this.length++] = w;
  }
}

/**
 * Words whose own features — unigram and character n-grams, which depend on the word alone —
 * {@linkcode BuiltinEmbedder.featurizeFactored} gives as one input each (a row a caller has
 * made the sum of the word's rows, e.g. with `SparseMlp.defineRows`) wherever no other
 * feature of the text shares their buckets. Built by {@linkcode BuiltinEmbedder.wordTable}.
 */
export class WordTable {
  /** The words (tokens of normalised text, two or more characters of `[a-z0-9_']`). */
  readonly words: readonly string[];
  /** The input index standing for each word's own features (set by the caller). */
  readonly rows: Int32Array;
  /** @internal Each word's n-gram hashes: `grams[gramStarts[w] .. gramStarts[w + 1])`. */
  readonly gramStarts: Int32Array;
  /** @internal */
  readonly grams: Int32Array;
  /** @internal Each word's buckets, in order, and their sums of the word's feature weights. */
  readonly bucketStarts: Int32Array;
  /** @internal */
  readonly buckets: Int32Array;
  /** @internal */
  readonly sums: Float64Array;
  /** @internal Whether a word is a function word (its own features are in both halves). */
  readonly inBoth: Uint8Array;
  /** @internal ln(1 + each of `sums`): a word's own value in each of its buckets. */
  readonly logs: Float64Array;
  /** @internal Each word's unigram feature hash (its FNV-1a hash mixed as a word). */
  readonly unigrams: Int32Array;
  /** The embedder's id: a table works with the embedder that built it only. */
  readonly embedderId: string;
  /** Open addressing by FNV-1a hash: `slots[i]` = word + 1 (0: empty), `keys[i]` its hash. */
  #keys: Int32Array;
  #slots: Int32Array;
  #shift: number;
  /** The words' code units, word `w`'s from `#charStarts[w]` (compared with a text's: reading
   * them from the word strings was a megamorphic `charCodeAt` each). */
  #chars: Uint16Array;
  #charStarts: Int32Array;

  /** @internal Use {@linkcode BuiltinEmbedder.wordTable}. */
  constructor(
    embedderId: string,
    words: readonly string[],
    parts: Pick<WordTable, "gramStarts" | "grams" | "bucketStarts" | "buckets" | "sums" | "inBoth">,
  ) {
    this.embedderId = embedderId;
    this.words = words;
    this.rows = new Int32Array(words.length).fill(-1);
    this.gramStarts = parts.gramStarts;
    this.grams = parts.grams;
    this.bucketStarts = parts.bucketStarts;
    this.buckets = parts.buckets;
    this.sums = parts.sums;
    this.inBoth = parts.inBoth;
    this.logs = parts.sums.map(Math.log1p);
    this.unigrams = Int32Array.from(words, (word) => mix(fnv1a(word), FAMILY.word[0]));
    // two words with one FNV-1a hash: the first is looked up, the other is featurized as usual
    const bits = Math.max(4, 32 - Math.clz32(words.length * 4));
    this.#shift = 32 - bits;
    this.#charStarts = new Int32Array(words.length + 1);
    words.forEach((word, w) => this.#charStarts[w + 1] = this.#charStarts[w]! + word.length);
    this.#chars = new Uint16Array(this.#charStarts[words.length]!);
    words.forEach((word, w) => {
      for (let i = 0; i < word.length; i++) {
        this.#chars[this.#charStarts[w]! + i] = word.charCodeAt(i);
      }
    });
    this.#keys = new Int32Array(1 << bits);
    this.#slots = new Int32Array(1 << bits);
    const mask = (1 << bits) - 1;
    words.forEach((word, w) => {
      const h = fnv1a(word) | 0;
      for (let i = Math.imul(h, 0x9e3779b1) >>> this.#shift;; i = (i + 1) & mask) {
        if (this.#slots[i] === 0) {
          this.#keys[i] = h;
          this.#slots[i] = w + 1;
          break;
        }
        if (this.#keys[i] === h) break;
      }
    });
  }

  /** The sparse row word `w` stands for: its buckets and ln(1 + their sums), unnormalised. */
  ownFeatures(w: number): SparseVector {
    const from = this.bucketStarts[w]!, to = this.bucketStarts[w + 1]!;
    const values = new Float32Array(to - from);
    for (let k = from; k < to; k++) values[k - from] = this.logs[k]!;
    return { indices: this.buckets.slice(from, to), values };
  }

  /** @internal The word at `codes[start .. start + length)` (hash `h`), or -1. */
  find(h: number, codes: Uint16Array, start: number, length: number): number {
    const keys = this.#keys, slots = this.#slots, mask = keys.length - 1;
    h |= 0;
    let w = -1;
    for (let i = Math.imul(h, 0x9e3779b1) >>> this.#shift;; i = (i + 1) & mask) {
      const slot = slots[i]!;
      if (slot === 0) return -1;
      if (keys[i] === h) {
        w = slot - 1;
        break;
      }
    }
    const from = this.#charStarts[w]!;
    if (this.#charStarts[w + 1]! - from !== length) return -1;
    const chars = this.#chars;
    for (let i = 0; i < length; i++) if (chars[from + i] !== codes[start + i]) return -1;
    return w;
  }
}

/**
 * Pushes the character 3- and 4-grams of " word " (the word at `codes[start .. start + length)`,
 * hashed incrementally without building substrings) to `out`, and to `also` when given.
 */
function pushCharGrams(
  codes: Uint16Array,
  start: number,
  length: number,
  out: FeatureList,
  also: FeatureList | null,
): void {
  const n = length + 2;
  for (let at0 = 0; at0 + 3 <= n; at0++) {
    let g = FNV_OFFSET;
    for (let k = 0; k < 4 && at0 + k < n; k++) {
      const at = at0 + k;
      g = Math.imul(g ^ (at === 0 || at === n - 1 ? 32 : codes[start + at - 1]!), FNV_PRIME);
      if (k >= 2) {
        const hash = mix(g, FAMILY.char[0]);
        out.push(hash, FAMILY.char[1]);
        also?.push(hash, FAMILY.char[1]);
      }
    }
  }
}

/**
 * Fills `out` with every feature of a text: words, word bigrams (with start/end markers),
 * character 3- and 4-grams of words, first and last token, length bucket, "?" shape. With
 * `delex`, fills it in the same pass with the features of {@linkcode delexicalize}`(text)`:
 * the same, but with every word outside {@linkcode FUNCTION_WORDS} hashed as `w`. With a
 * `table`, a word of it takes its n-grams' hashes from there and is listed in `found`.
 */
function extractFeatures(
  text: string,
  charNgrams: boolean,
  out: FeatureList,
  delex: FeatureList | null = null,
  table: WordTable | null = null,
  found: WordList | null = null,
): void {
  out.length = 0;
  if (delex) delex.length = 0;
  if (found) found.length = 0;
  if (text.length > MAX_TEXT_LENGTH) {
    throw new RangeError(
      `Cannot featurize text: it has ${text.length} characters, more than the ${MAX_TEXT_LENGTH} a message may have`,
    );
  }
  const lower = text.toLowerCase();
  // normalizeLowercase(lower), reading the code units once for both the runs and the scan
  let s = replaceSpans(lower);
  let codes = codeUnits(s);
  if (hasTripleRun(codes, s.length)) {
    s = collapseRuns(s);
    codes = codeUnits(s);
  }
  const n = s.length;
  let tokens = 0;
  let words = 0;
  let previous = BOS;
  let previousDelex = BOS;
  let first = EOS;
  let firstDelex = EOS;
  for (let start = 0; start < n;) {
    const end = tokenEnd(s, codes, start);
    if (end < 0) {
      start++;
      continue;
    }
    let h = FNV_OFFSET; // fnv1a of the token, without slicing it out
    for (let i = start; i < end; i++) h = Math.imul(h ^ codes[i]!, FNV_PRIME);
    h >>>= 0;
    const isWord = (charClass(codes[start]!) & WORD) !== 0; // then it is all [a-z0-9_']
    const length = end - start;
    const token = start;
    start = end;
    // a word of the table: its unigram, n-grams and whether it is a function word are known
    const w = table !== null && isWord && charNgrams && length >= 2
      ? table.find(h, codes, token, length)
      : -1;
    // a content word is "w" in the delexicalised text (a table word's inBoth is set exactly
    // when the embedder delexicalises and the word is a function word)
    const content = delex !== null && isWord &&
      (w >= 0 ? table!.inBoth[w] === 0 : !isFunctionHash(h));
    const hd = content ? CONTENT_WORD : h;
    if (tokens++ === 0) {
      first = h;
      firstDelex = hd;
    }
    const unigram = w >= 0 ? table!.unigrams[w]! : mix(h, FAMILY.word[0]);
    out.push(unigram, FAMILY.word[1]);
    out.push(mix(Math.imul(previous, 31) + h, FAMILY.bigram[0]), FAMILY.bigram[1]);
    previous = h;
    if (delex) {
      delex.push(content ? CONTENT_UNIGRAM : unigram, FAMILY.word[1]);
      delex.push(mix(Math.imul(previousDelex, 31) + hd, FAMILY.bigram[0]), FAMILY.bigram[1]);
      previousDelex = hd;
    }
    if (!isWord) continue;
    words++;
    if (w >= 0) {
      const grams = table!.grams;
      for (let q = table!.gramStarts[w]!, e = table!.gramStarts[w + 1]!; q < e; q++) {
        out.push(grams[q]!, FAMILY.char[1]);
        if (delex && !content) delex.push(grams[q]!, FAMILY.char[1]);
      }
      found!.push(w);
      continue;
    }
    if (!charNgrams || length < 2) continue;
    pushCharGrams(codes, token, length, out, delex && !content ? delex : null); // "w" has none
  }
  finishFeatures(out, previous, first, tokens, words, text, lower);
  if (delex) finishFeatures(delex, previousDelex, firstDelex, tokens, words, text, lower);
}

/** The features that close a text: end bigram, first and last token, length and "?" shape. */
function finishFeatures(
  out: FeatureList,
  previous: number,
  first: number,
  tokens: number,
  words: number,
  text: string,
  lower: string,
): void {
  out.push(mix(Math.imul(previous, 31) + EOS, FAMILY.bigram[0]), FAMILY.bigram[1]);
  out.push(mix(first, FAMILY.first[0]), FAMILY.first[1]);
  out.push(mix(tokens === 0 ? BOS : previous, FAMILY.last[0]), FAMILY.last[1]);
  const lengthShape = words <= 1 ? words : words <= 3 ? 2 : words <= 7 ? 3 : words <= 15 ? 4 : 5;
  out.push(mix(SHAPES[lengthShape]!, FAMILY.shape[0]), FAMILY.shape[1]);
  if (text.includes("?")) {
    const plain = mayHaveUrl(lower) ? lower.replace(URL_RE, " ") : lower; // a URL's query is no question
    if (plain.includes("?")) out.push(mix(SHAPES[6]!, FAMILY.shape[0]), FAMILY.shape[1]);
    if (plain.trimEnd().endsWith("?")) out.push(mix(SHAPES[7]!, FAMILY.shape[0]), FAMILY.shape[1]);
  }
}

/**
 * Calls `emit(hash, weight)` for every feature of a text: words, word bigrams (with start/end
 * markers), character 3- and 4-grams of words, first and last token, length bucket, "?" shape.
 */
export function forEachFeature(
  text: string,
  emit: (hash: number, weight: number) => void,
  charNgrams = true,
): void {
  const features = new FeatureList();
  extractFeatures(text, charNgrams, features);
  for (let i = 0; i < features.length; i++) emit(features.hashes[i]!, features.weights[i]!);
}

/** An embedder that also gives many texts' features as sparse rows (e.g. {@linkcode BuiltinEmbedder}). */
export interface SparseMatrixEmbedder extends Embedder {
  /** Sparse rows of many texts at once. */
  featurizeMany(texts: readonly string[], options?: EmbedOptions): SparseMatrix;
}

/** Whether `embedder` offers {@linkcode SparseMatrixEmbedder.featurizeMany}. */
export function isSparseMatrixEmbedder(embedder: Embedder): embedder is SparseMatrixEmbedder {
  return typeof (embedder as Partial<SparseMatrixEmbedder>).featurizeMany === "function";
}

// Math.log1p of the commonest bucket sums (a single word, char n-gram or bigram feature).
const LOG1P_1 = Math.log1p(FAMILY.word[1]);
const LOG1P_035 = Math.log1p(FAMILY.char[1]);
const LOG1P_08 = Math.log1p(FAMILY.bigram[1]);
const LOG1P_07 = Math.log1p(FAMILY.shape[1]);

/** A sparse vector with room for `dimension` entries. */
function newSparseVector(dimension: number): SparseVector {
  return { indices: new Int32Array(dimension), values: new Float32Array(dimension) };
}

/** Size of the buffers that {@linkcode BuiltinEmbedder.featurize} carves its results from. */
const SLAB_BYTES = 1 << 16;

/** The offline default embedder. */
export class BuiltinEmbedder implements Embedder {
  /** Number of hash buckets. */
  readonly dimension: number;
  /** What `createEmbedder` rebuilds this embedder from. */
  readonly config: BuiltinConfig;
  readonly id: string;
  #scratch: Float64Array;
  #touched: Int32Array;
  /** One bit per bucket: set while a text's features land in it. */
  #occupied: Int32Array;
  #features = new FeatureList();
  #delexFeatures = new FeatureList();
  #slab = new ArrayBuffer(0);
  #slabUsed = 0;
  #charNgrams: boolean;
  #delexicalize: boolean;
  /** `dimension - 1` when it is a power of two (hash & mask = hash % dimension, hashes being
   * non-negative: no integer division per feature), else -1. */
  #mask: number;
  /** Version 2's buffers: the text's half, its delexicalised form's half, and their sum. */
  #halves?: [SparseVector, SparseVector, SparseVector];
  /** {@linkcode featurizeFactored}'s buffers. */
  #factored?: {
    rawA: Float64Array;
    rawB: Float64Array;
    indicesA: Int32Array;
    indicesB: Int32Array;
    /** Per bucket: the share of its half-A (B) value that words' rows give. */
    ownA: Float64Array;
    ownB: Float64Array;
    /** Per bucket: its place in the sum being built, or -1. */
    place: Int32Array;
    /** The sum's buckets, values and values not covered by words' rows, by place. */
    buckets: Int32Array;
    total: Float64Array;
    rest: Float64Array;
    found: WordList;
    /** Per found word: whether the text says it once (then its row is read). */
    once: Uint8Array;
    /** Per table word: the call that last counted it, and how often the text says it. */
    stamps: Int32Array;
    counts: Int32Array;
    stamp: number;
    out: SparseVector;
  };

  /** Builds the featurizer; `dimension` must be in [16, 1048576]. */
  constructor(options: BuiltinOptions = {}) {
    const dimension = options.dimension ?? DEFAULT_BUILTIN_DIMENSION;
    if (!Number.isInteger(dimension) || dimension < 16 || dimension > 1 << 20) {
      throw new RangeError(
        `Cannot create builtin embedder: dimension must be an integer in [16, 1048576], got ${dimension}`,
      );
    }
    this.dimension = dimension;
    const version = options.version ?? BUILTIN_VERSION;
    if (!(BUILTIN_VERSIONS as readonly number[]).includes(version)) {
      throw new RangeError(
        `Cannot create builtin embedder: feature version ${version} is unknown (known: ${
          BUILTIN_VERSIONS.join(", ")
        })`,
      );
    }
    const charNgrams = options.charNgrams ?? true;
    this.#charNgrams = charNgrams;
    this.#delexicalize = version >= 2;
    this.config = { kind: "builtin", dimension, version, charNgrams };
    this.id = `builtin-v${version}-d${dimension}${charNgrams ? "" : "-words"}`;
    this.#scratch = new Float64Array(dimension);
    this.#touched = new Int32Array(dimension);
    this.#occupied = new Int32Array(Math.ceil(dimension / 32));
    this.#mask = (dimension & (dimension - 1)) === 0 ? dimension - 1 : -1;
  }

  /**
   * Sparse features of one text: bucket sums of feature weights, ln(1 + x), L2-normalised.
   * The arrays are views into a 64 KiB buffer shared with neighbouring calls (one allocation per
   * few hundred texts, not two per text): copy them before transferring their `buffer`.
   */
  featurize(text: string): SparseVector {
    const count = this.#delexicalize ? this.#combine(text) : this.#accumulate(text);
    const bytes = count * 4;
    if (this.#slabUsed + 2 * bytes > this.#slab.byteLength) {
      this.#slab = new ArrayBuffer(Math.max(SLAB_BYTES, 2 * bytes));
      this.#slabUsed = 0;
    }
    const indices = new Int32Array(this.#slab, this.#slabUsed, count);
    const values = new Float32Array(this.#slab, this.#slabUsed + bytes, count);
    this.#slabUsed += 2 * bytes;
    this.#emit(indices, values, count);
    return { indices, values };
  }

  /**
   * {@linkcode featurize} into caller-owned arrays (no allocation); returns how many entries it
   * wrote. Arrays of `dimension` entries always suffice.
   * @throws {RangeError} when the text has more non-zero buckets than the arrays hold
   */
  featurizeInto(text: string, indices: Int32Array, values: Float32Array): number {
    const count = this.#delexicalize ? this.#combine(text) : this.#accumulate(text);
    if (count > indices.length || count > values.length) {
      if (!this.#delexicalize) {
        for (let i = 0; i < count; i++) this.#scratch[this.#touched[i]!] = 0;
      }
      throw new RangeError(
        `Cannot featurize text: it has ${count} non-zero buckets, the arrays hold ${
          Math.min(indices.length, values.length)
        }`,
      );
    }
    this.#emit(indices, values, count);
    return count;
  }

  /** Writes the `count` entries computed last: version 2's sum, or version 1's scratch. */
  #emit(indices: Int32Array, values: Float32Array, count: number): void {
    if (this.#delexicalize) {
      const sum = this.#halves![2]!;
      for (let k = 0; k < count; k++) {
        indices[k] = sum.indices[k]!;
        values[k] = sum.values[k]!;
      }
      return;
    }
    const touched = this.#touched;
    for (let k = 0; k < count; k++) indices[k] = touched[k]!;
    this.#finish(indices, values, count);
  }

  /**
   * Version 2: the version-1 vector of the text plus the version-1 vector of its delexicalised
   * form (see {@linkcode delexicalize}), L2-normalised. The first half knows the words; the
   * second, which every text on any topic shares a vocabulary with, knows how the message is
   * built ("do you <w>", "<w> ?"). Returns how many entries the sum has.
   */
  #combine(text: string): number {
    const halves = this.#halves ??= [
      newSparseVector(this.dimension),
      newSparseVector(this.dimension),
      newSparseVector(this.dimension),
    ];
    const a = halves[0], b = halves[1], sum = halves[2];
    extractFeatures(text, this.#charNgrams, this.#features, this.#delexFeatures);
    const touched = this.#touched;
    const countA = this.#accumulateList(this.#features);
    for (let k = 0; k < countA; k++) a.indices[k] = touched[k]!;
    this.#finish(a.indices, a.values, countA);
    const countB = this.#accumulateList(this.#delexFeatures);
    for (let k = 0; k < countB; k++) b.indices[k] = touched[k]!;
    this.#finish(b.indices, b.values, countB);
    // merge two sorted index lists, adding values where they meet (no index reaches `end`)
    const end = this.dimension;
    let i = 0, j = 0, n = 0, norm = 0;
    while (i < countA || j < countB) {
      const ia = i < countA ? a.indices[i]! : end;
      const ib = j < countB ? b.indices[j]! : end;
      let v: number;
      if (ia === ib) {
        v = a.values[i++]! + b.values[j++]!;
        sum.indices[n] = ia;
      } else if (ia < ib) {
        v = a.values[i++]!;
        sum.indices[n] = ia;
      } else {
        v = b.values[j++]!;
        sum.indices[n] = ib;
      }
      sum.values[n++] = v;
      norm += v * v;
    }
    if (norm > 0) {
      const scale = 1 / Math.sqrt(norm);
      for (let k = 0; k < n; k++) sum.values[k]! *= scale;
    }
    return n;
  }

  /** Sums the text's feature weights into scratch; returns how many buckets, sorted in touched. */
  #accumulate(text: string): number {
    extractFeatures(text, this.#charNgrams, this.#features);
    return this.#accumulateList(this.#features);
  }

  /** Sums a feature list's weights into scratch; returns how many buckets, in `touched` (by
   * default the embedder's) in order of first use. */
  #accumulateUnsorted(features: FeatureList, touched = this.#touched): number {
    const scratch = this.#scratch;
    const dimension = this.dimension;
    const { hashes, weights } = features;
    const mask = this.#mask;
    let count = 0;
    for (let i = 0; i < features.length; i++) {
      const index = mask >= 0 ? hashes[i]! & mask : hashes[i]! % dimension;
      if (scratch[index] === 0) touched[count++] = index;
      scratch[index]! += weights[i]!;
    }
    return count;
  }

  /** Sums a feature list's weights into scratch; returns how many buckets, sorted in touched. */
  #accumulateList(features: FeatureList): number {
    const count = this.#accumulateUnsorted(features);
    const occupied = this.#occupied;
    const touched = this.#touched;
    if (occupied.length > 4 * count) { // a huge, sparse bitmap: sorting is cheaper than a scan
      touched.subarray(0, count).sort(); // typed-array sort is numeric and native
      return count;
    }
    for (let i = 0; i < count; i++) {
      const index = touched[i]!;
      occupied[index >>> 5]! |= 1 << (index & 31);
    }
    // reading the bitmap word by word yields the buckets in order, cheaper than sorting them
    let k = 0;
    for (let w = 0; k < count; w++) {
      let bits = occupied[w]!;
      if (bits === 0) continue;
      occupied[w] = 0;
      do {
        const lowest = bits & ((~bits + 1) | 0); // int32 all along (-bits overflows for bit 31)
        touched[k++] = (w << 5) | (31 - Math.clz32(lowest));
        bits ^= lowest;
      } while (bits !== 0);
    }
    return count;
  }

  /** Writes ln(1 + sum), L2-normalised, for the first `count` sorted indices; clears scratch. */
  #finish(indices: Int32Array, values: Float32Array, count: number): void {
    const norm = this.#finishRaw(indices, values, count);
    if (norm > 0) {
      const scale = 1 / norm;
      for (let i = 0; i < count; i++) values[i]! *= scale;
    }
  }

  /**
   * The words (tokens of two or more characters of `[a-z0-9_']` in normalised text) found at
   * least `minCount` times in `texts`, most frequent first (ties in order of appearance), at
   * most `max` of them: candidates for a {@linkcode wordTable}. Empty without char n-grams (a
   * word's own features are then its unigram alone: nothing to gather).
   */
  frequentWords(texts: readonly string[], minCount: number, max: number): string[] {
    if (!this.#charNgrams) return [];
    const counts = new Map<string, number>();
    for (const text of texts) {
      if (text.length > MAX_TEXT_LENGTH) continue;
      const s = normalizeText(text);
      forEachToken(s, (start, end) => {
        if (end - start < 2 || !(charClass(s.charCodeAt(start)) & WORD)) return;
        const word = s.slice(start, end);
        counts.set(word, (counts.get(word) ?? 0) + 1);
      });
    }
    return [...counts].filter(([, n]) => n >= minCount)
      .sort((a, b) => b[1] - a[1]) // stable: ties keep their order of appearance
      .slice(0, max).map(([word]) => word);
  }

  /**
   * A {@linkcode WordTable} of `words` for {@linkcode featurizeFactored}: each word's own
   * features (unigram and character n-grams) hashed once. Words that are not a single word
   * token of two or more characters, and repeats, are left out.
   */
  wordTable(words: readonly string[]): WordTable {
    const kept: string[] = [];
    const seen = new Set<string>();
    for (const word of words) {
      if (seen.has(word) || word.length < 2 || !this.#charNgrams) continue;
      let ok = true;
      for (let i = 0; i < word.length && ok; i++) ok = (charClass(word.charCodeAt(i)) & WORD) !== 0;
      if (!ok) continue;
      seen.add(word);
      kept.push(word);
    }
    const gramStarts = new Int32Array(kept.length + 1);
    const bucketStarts = new Int32Array(kept.length + 1);
    const grams: number[] = [];
    const buckets: number[] = [];
    const sums: number[] = [];
    const functionWord = new Uint8Array(kept.length);
    const ownGrams = new FeatureList();
    const mask = this.#mask;
    const bucketOf = (hash: number) => (mask >= 0 ? hash & mask : hash % this.dimension);
    kept.forEach((word, w) => {
      const h = fnv1a(word);
      functionWord[w] = this.#delexicalize && FUNCTION_HASHES.has(h) ? 1 : 0;
      // the word's own features in the order extractFeatures emits them: unigram, then n-grams
      ownGrams.length = 0;
      ownGrams.push(mix(h, FAMILY.word[0]), FAMILY.word[1]);
      pushCharGrams(codeUnits(word), 0, word.length, ownGrams, null);
      for (let i = 1; i < ownGrams.length; i++) grams.push(ownGrams.hashes[i]!);
      gramStarts[w + 1] = grams.length;
      // bucket sums added in that order from 0, as a text's scratch adds them (a word has a
      // dozen or so features: a scan of its buckets so far beats a map)
      const from = buckets.length;
      for (let i = 0; i < ownGrams.length; i++) {
        const b = bucketOf(ownGrams.hashes[i]!);
        let k = from;
        while (k < buckets.length && buckets[k] !== b) k++;
        if (k === buckets.length) {
          buckets.push(b);
          sums.push(0 + ownGrams.weights[i]!);
        } else sums[k]! += ownGrams.weights[i]!;
      }
      bucketStarts[w + 1] = buckets.length;
    });
    return new WordTable(this.id, kept, {
      gramStarts,
      grams: Int32Array.from(grams),
      bucketStarts,
      buckets: Int32Array.from(buckets),
      sums: Float64Array.from(sums),
      inBoth: functionWord,
    });
  }

  /**
   * {@linkcode featurize}'s vector with the words of `table` factored out: a word said once in
   * the text is one entry `(table.rows[w], c)` standing for its own features, `c` being the scale
   * they would have had, and each of its buckets keeps only the difference between its value
   * and the word's own share of it — 0, and no entry, unless another feature reaches the bucket
   * too (a shared n-gram, a hash collision). A word said twice is featurized as usual. So
   * `Σ values · rows` equals the vector's `Σ values · rows` once row `table.rows[w]` is
   * Σ ln(1 + own sums) · its buckets' rows (`table.ownFeatures(w)`), up to float rounding, while
   * naming fewer rows. Its indices are unique but not sorted; the arrays are reused by the next
   * call.
   * @throws {TypeError} when `table` was built by another embedder configuration
   */
  featurizeFactored(text: string, table: WordTable): SparseVector {
    if (table.embedderId !== this.id) {
      throw new TypeError(
        `Cannot featurize text: the word table is for "${table.embedderId}", not "${this.id}"`,
      );
    }
    const d = this.dimension;
    const f = this.#factored ??= {
      rawA: new Float64Array(d),
      rawB: new Float64Array(d),
      indicesA: new Int32Array(d),
      indicesB: new Int32Array(d),
      ownA: new Float64Array(d),
      ownB: new Float64Array(d),
      place: new Int32Array(d).fill(-1),
      buckets: new Int32Array(2 * d),
      total: new Float64Array(2 * d),
      rest: new Float64Array(2 * d),
      found: new WordList(),
      once: new Uint8Array(64),
      stamps: new Int32Array(0),
      counts: new Int32Array(0),
      stamp: 0,
      out: newSparseVector(d + 64),
    };
    const delex = this.#delexicalize;
    extractFeatures(
      text,
      this.#charNgrams,
      this.#features,
      delex ? this.#delexFeatures : null,
      table,
      f.found,
    );
    const found = f.found.words, nFound = f.found.length;
    // which found words the text says once: those are read through their rows
    if (f.once.length < nFound) f.once = new Uint8Array(nFound * 2);
    if (f.stamps.length < table.words.length) {
      f.stamps = new Int32Array(table.words.length);
      f.counts = new Int32Array(table.words.length);
      f.stamp = 0;
    }
    const { once, stamps, counts } = f;
    if (f.stamp === 0x3fffffff) { // before the stamps would wrap (after a billion texts)
      stamps.fill(0);
      f.stamp = 0;
    }
    const stamp = ++f.stamp;
    for (let k = 0; k < nFound; k++) {
      const w = found[k]!;
      if (stamps[w] !== stamp) {
        stamps[w] = stamp;
        counts[w] = 1;
      } else counts[w]!++;
    }
    // each bucket's share of those words' own features, per half (a function word's are in both)
    const { bucketStarts, buckets: wordBuckets, logs, inBoth } = table;
    const { ownA, ownB } = f;
    for (let k = 0; k < nFound; k++) {
      const w = found[k]!;
      once[k] = counts[w] === 1 ? 1 : 0;
      if (!once[k]) continue;
      const both = delex && inBoth[w] === 1;
      for (let q = bucketStarts[w]!, e = bucketStarts[w + 1]!; q < e; q++) {
        ownA[wordBuckets[q]!]! += logs[q]!;
        if (both) ownB[wordBuckets[q]!]! += logs[q]!;
      }
    }
    const countA = this.#accumulateUnsorted(this.#features, f.indicesA);
    const normA = this.#finishRaw(f.indicesA, f.rawA, countA);
    let countB = 0, normB = 0;
    if (delex) {
      countB = this.#accumulateUnsorted(this.#delexFeatures, f.indicesB);
      normB = this.#finishRaw(f.indicesB, f.rawB, countB);
    }
    const sA = normA > 0 ? 1 / normA : 0, sB = normB > 0 ? 1 / normB : 0;
    if (f.out.indices.length < countA + countB + nFound) {
      f.out = newSparseVector(2 * (countA + countB + nFound));
    }
    const { indices, values } = f.out;
    const { indicesA, indicesB, rawA, rawB, place, buckets, total, rest } = f;
    // the halves' sum, bucket by bucket in order of first use (the kernel needs no order), and
    // apart from it what words' rows do not cover (exactly 0 where a word's sums are the
    // bucket's: the same additions in the same order)
    let places = 0;
    for (let k = 0; k < countA; k++) {
      const b = indicesA[k]!;
      place[b] = places;
      buckets[places] = b;
      total[places] = rawA[k]! * sA;
      rest[places++] = (rawA[k]! - ownA[b]!) * sA;
      ownA[b] = 0;
    }
    for (let k = 0; k < countB; k++) {
      const b = indicesB[k]!;
      let at = place[b]!;
      if (at < 0) {
        at = places++;
        place[b] = at;
        buckets[at] = b;
        total[at] = 0;
        rest[at] = 0;
      }
      total[at]! += rawB[k]! * sB;
      rest[at]! += (rawB[k]! - ownB[b]!) * sB;
      ownB[b] = 0;
    }
    let norm = 0;
    for (let k = 0; k < places; k++) norm += total[k]! * total[k]!;
    // version 1 has one half, already normalised; version 2's sum is normalised again
    const scale = delex && norm > 0 ? 1 / Math.sqrt(norm) : 1;
    let n = 0;
    for (let k = 0; k < places; k++) {
      const b = buckets[k]!;
      place[b] = -1;
      if (rest[k] !== 0) {
        indices[n] = b;
        values[n++] = rest[k]! * scale;
      }
    }
    for (let k = 0; k < nFound; k++) {
      if (!once[k]) continue;
      const v = (sA + (delex && inBoth[found[k]!] === 1 ? sB : 0)) * scale;
      if (v === 0) continue;
      indices[n] = table.rows[found[k]!]!;
      values[n++] = v;
    }
    return { indices: indices.subarray(0, n), values: values.subarray(0, n) };
  }

  /** Writes ln(1 + sum) of the first `count` sorted indices into `raw`, clears scratch, returns
   * the L2 norm (not applied; summed from the unrounded logs, also when `raw` holds float32). */
  #finishRaw(indices: Int32Array, raw: Float32Array | Float64Array, count: number): number {
    const scratch = this.#scratch;
    let norm = 0;
    for (let i = 0; i < count; i++) {
      const x = scratch[indices[i]!]!;
      // most buckets hold one feature: its family's weight, whose log1p is known
      const v = x === 0.35
        ? LOG1P_035
        : x === 1
        ? LOG1P_1
        : x === 0.8
        ? LOG1P_08
        : x === 0.7
        ? LOG1P_07
        : Math.log1p(x);
      scratch[indices[i]!] = 0;
      raw[i] = v;
      norm += v * v;
    }
    return Math.sqrt(norm);
  }

  /**
   * Sparse rows of many texts at once (row i is `texts[i]`'s {@linkcode featurize}), the input
   * the trainer and the prediction routes take; never materialises `n × dimension` floats.
   */
  featurizeMany(texts: readonly string[], options: EmbedOptions = {}): SparseMatrix {
    const offsets = new Int32Array(texts.length + 1);
    let indices = new Int32Array(Math.max(64, texts.length * 64));
    let values = new Float32Array(indices.length);
    const step = Math.max(1, Math.floor(texts.length / 100));
    let at = 0;
    for (let row = 0; row < texts.length; row++) {
      options.signal?.throwIfAborted();
      const count = this.#delexicalize ? this.#combine(texts[row]!) : this.#accumulate(texts[row]!);
      if (at + count > indices.length) {
        const size = Math.max(at + count, indices.length * 2);
        const grownIndices = new Int32Array(size);
        grownIndices.set(indices.subarray(0, at));
        const grownValues = new Float32Array(size);
        grownValues.set(values.subarray(0, at));
        indices = grownIndices;
        values = grownValues;
      }
      this.#emit(indices.subarray(at, at + count), values.subarray(at, at + count), count);
      at += count;
      offsets[row + 1] = at;
      if ((row + 1) % step === 0 || row + 1 === texts.length) {
        options.onProgress?.(row + 1, texts.length);
      }
    }
    return {
      kind: "sparse",
      rows: texts.length,
      dimension: this.dimension,
      offsets,
      indices: indices.slice(0, at),
      values: values.slice(0, at),
    };
  }

  /** Dense `n × dimension` form of {@linkcode featurize}. */
  embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array> {
    // the executor turns an abort (or a throwing onProgress) into a rejection, not a sync throw
    return new Promise((resolve) => resolve(this.#dense(texts, options)));
  }

  #dense(texts: readonly string[], options: EmbedOptions): Float32Array {
    const out = new Float32Array(texts.length * this.dimension);
    const step = Math.max(1, Math.floor(texts.length / 100));
    for (let row = 0; row < texts.length; row++) {
      options.signal?.throwIfAborted();
      const { indices, values } = this.featurize(texts[row]!);
      const offset = row * this.dimension;
      for (let i = 0; i < indices.length; i++) out[offset + indices[i]!] = values[i]!;
      if ((row + 1) % step === 0 || row + 1 === texts.length) {
        options.onProgress?.(row + 1, texts.length);
      }
    }
    return out;
  }
}
