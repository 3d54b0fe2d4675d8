/**
 * Context features: what a message is depends on what came before it ("postgres has
 * generate_series for that" answers "how do i make a row per day?" and is a comment anywhere
 * else). For every message this module picks ONE earlier message as its context and computes a
 * few structural cues; the model's input is then
 * `features(message) ⊕ features(context) ⊕ cues` (an empty context is a zero block).
 *
 * The recipe, all of it pure and recorded in model metadata so eval, classify, serve and the
 * report rebuild it exactly:
 * 1. Messages are ordered within their conversation by `position` (when every message has one),
 *    else by `timestamp` (when every message has a parseable one), else by input order.
 * 2. A message that replies to an earlier message of its conversation (`replyTo` = that
 *    message's id, or its position) takes it as context: the user said what they answer.
 * 3. Otherwise the context is the nearest earlier question-like message by another speaker
 *    within `questionWindow` messages and `maxGapSeconds`; failing that, the nearest earlier
 *    message by another speaker within `window` messages and `maxGapSeconds`. In a busy room the
 *    previous line is often another conversation, which is why the distance, the time gap and
 *    whether the message addresses the context's author are cues, so the model can discount a
 *    far or unrelated context. Version 3 first looks `topicWindow` messages back for another
 *    speaker's question-like line sharing a content word with the message (the most shared,
 *    then the nearest); version 2 ends the look-back at the author's previous line. The
 *    report's classifier re-reads 16 messages across its batches, so look-backs up to 16 are
 *    exact there.
 * 4. The first message of a conversation, a reply whose target is unknown or later, and a
 *    message with no other speaker in reach have an empty context.
 * @module
 */

import type { Message } from "../data/types.ts";
import type { EmbedOptions } from "./embedder.ts";
import type { FeatureMatrix, SparseMatrix } from "./matrix.ts";
import { FUNCTION_WORDS } from "./_function_words.ts";

/** The structural cues, in input order (each is 0 or 1). */
export const CONTEXT_CUES = [
  "has_context",
  "is_reply",
  "linked_context",
  "same_speaker_as_context",
  "addresses_context_speaker",
  "addresses_someone",
  "distance_1",
  "distance_2_3",
  "distance_4_plus",
  "gap_under_1m",
  "gap_1m_10m",
  "gap_over_10m",
  "context_question_like",
  "context_has_question_mark",
  "first_in_conversation",
  "follows_own_message",
  "own_question_mark",
] as const;

/** One of {@linkcode CONTEXT_CUES}. */
export type ContextCue = typeof CONTEXT_CUES[number];

/** Context recipe versions this code rebuilds. */
export const CONTEXT_RECIPE_VERSIONS = [1, 2, 3] as const;

/** How contexts are chosen; stored in model metadata as it is. */
export interface ContextRecipe {
  /**
   * Bumped whenever the rules or the cues change meaning. Version 2 bounds an unlinked
   * message's look-back by its author's turn: it passes over the author's own lines just before
   * it, then stops at the author's previous line (what came before that was already answered
   * or let go). Version 3 is version 1 with a topic match first: an unlinked message takes the
   * question-like line by another speaker within `topicWindow` messages that shares the most
   * content words with it (the nearest on a tie), and only when none shares a word falls back
   * to version 1's rule — in a channel where threads interleave, the nearest question is often
   * another thread's.
   */
  version: 1 | 2 | 3;
  /** How many earlier messages an unlinked message looks back for another speaker's line. */
  window: number;
  /** How many earlier messages it looks back for another speaker's question-like line. */
  questionWindow: number;
  /** An unlinked earlier message further back than this (seconds) is no context. */
  maxGapSeconds: number;
  /** Version 3: how many earlier messages it looks back for a question-like line on its topic. */
  topicWindow?: number;
  /** Cue names in input order; must equal {@linkcode CONTEXT_CUES} for this version. */
  cues: string[];
}

/** The recipe `deno task train` uses. */
export const DEFAULT_CONTEXT_RECIPE: ContextRecipe = {
  version: 1,
  window: 3,
  questionWindow: 6,
  maxGapSeconds: 1800,
  cues: [...CONTEXT_CUES],
};

/**
 * Checks a recipe read from metadata.
 * @throws {TypeError} when a field is missing or the version / cues are not this code's
 */
export function checkContextRecipe(value: unknown): ContextRecipe {
  const fail = (state: string) => new TypeError(`Cannot use context recipe: ${state}`);
  if (typeof value !== "object" || value === null) throw fail("it is not an object");
  const recipe = value as Partial<ContextRecipe>;
  if (!CONTEXT_RECIPE_VERSIONS.includes(recipe.version as 1)) {
    throw fail(
      `version ${JSON.stringify(recipe.version)} is unknown (known: ${
        CONTEXT_RECIPE_VERSIONS.join(", ")
      })`,
    );
  }
  const keys = ["window", "questionWindow", "maxGapSeconds"] as const;
  for (const key of recipe.version === 3 ? [...keys, "topicWindow" as const] : keys) {
    const n = recipe[key];
    if (typeof n !== "number" || !(n >= 0)) {
      throw fail(`${key} must be a non-negative number, got ${JSON.stringify(n)}`);
    }
  }
  if (JSON.stringify(recipe.cues) !== JSON.stringify(CONTEXT_CUES)) {
    throw fail(`cues ${JSON.stringify(recipe.cues)} are not this version's`);
  }
  return recipe as ContextRecipe;
}

/** What {@linkcode assembleContexts} returns for `n` messages. */
export interface ContextAssembly {
  /** `context[i]` = index (into the input) of message i's context, or -1 for none. */
  context: Int32Array;
  /** `n × CONTEXT_CUES.length`, row-major, 0 or 1. */
  cues: Float32Array;
}

const QUESTION_START =
  /^(?:@\S+\s+|\S+[:,]\s+)?(?:how|what|why|where|when|who|whom|which|whats|hows|anyone|anybody|does|do|did|is|are|was|were|can|could|would|should|will|shall|has|have|any|ideas?|is there|r u|u)\b/i;

/** How many earlier lines' authors a message may address by name. */
const RECENT = 20;

/**
 * The content words of a text (recipe version 3's topic match): lowercased words of three or
 * more letters or digits outside {@linkcode FUNCTION_WORDS}, a final "s" dropped from words of
 * five or more ("tables" and "table" match).
 */
export function contentWords(text: string): Set<string> {
  const words = new Set<string>();
  for (const raw of text.toLowerCase().match(/[\p{L}\p{N}_']+/gu) ?? []) {
    const word = raw.replace(/^'+|'+$/g, "");
    if (word.length < 3 || FUNCTION_WORDS.has(word)) continue;
    words.add(word.length >= 5 && word.endsWith("s") ? word.slice(0, -1) : word);
  }
  return words;
}

/** Whether a text reads like a question: it has "?" or opens with a question word. */
export function isQuestionLike(text: string): boolean {
  return text.includes("?") || QUESTION_START.test(text.trim());
}

/** The speaker of a message, or "" when unknown. */
function speakerOf(message: Message): string {
  return message.userName.trim().toLowerCase();
}

/** The order of messages within each conversation (step 1 of the recipe). */
export function conversationOrder(messages: readonly Message[]): number[][] {
  const groups = new Map<string, number[]>();
  messages.forEach((message, i) => {
    const group = groups.get(message.conversationId);
    if (group) group.push(i);
    else groups.set(message.conversationId, [i]);
  });
  const ordered: number[][] = [];
  for (const group of groups.values()) {
    if (group.every((i) => Number.isFinite(messages[i]!.position))) {
      group.sort((a, b) => messages[a]!.position! - messages[b]!.position! || a - b);
    } else {
      const times = group.map((i) => Date.parse(messages[i]!.timestamp));
      if (times.every(Number.isFinite)) {
        const at = new Map(group.map((i, k) => [i, times[k]!]));
        group.sort((a, b) => at.get(a)! - at.get(b)! || a - b);
      }
    }
    ordered.push(group);
  }
  return ordered;
}

/** Whether `text` (lowercased) names `name` as a word, or `mentions` lists it. */
function addresses(message: Message, lower: string, name: string): boolean {
  if (name.length < 2) return false;
  if (message.mentions?.some((m) => m.trim().toLowerCase().replace(/^@/, "") === name)) {
    return true;
  }
  let from = 0;
  while (true) {
    const at = lower.indexOf(name, from);
    if (at < 0) return false;
    const before = at === 0 ? "" : lower[at - 1]!;
    const after = lower[at + name.length] ?? "";
    if (!/[\p{L}\p{N}_]/u.test(before) && !/[\p{L}\p{N}_]/u.test(after)) return true;
    from = at + 1;
  }
}

/**
 * Picks each message's context and computes its cues (the module's recipe). Pure; messages may
 * come in any order and from many conversations.
 */
export function assembleContexts(
  messages: readonly Message[],
  recipe: ContextRecipe = DEFAULT_CONTEXT_RECIPE,
): ContextAssembly {
  const n = messages.length;
  const k = CONTEXT_CUES.length;
  const context = new Int32Array(n).fill(-1);
  const cues = new Float32Array(n * k);
  const cue = Object.fromEntries(CONTEXT_CUES.map((name, i) => [name, i])) as Record<
    ContextCue,
    number
  >;
  const questionLike = messages.map((m) => isQuestionLike(m.text));
  const topic: (Set<string> | undefined)[] = [];
  const wordsOf = (i: number) => (topic[i] ??= contentWords(messages[i]!.text));
  for (const order of conversationOrder(messages)) {
    const rank = new Map<string, number>(); // message id → rank in `order`
    const byPosition = new Map<number, number>();
    order.forEach((i, r) => {
      const m = messages[i]!;
      if (!rank.has(m.messageId)) rank.set(m.messageId, r);
      if (Number.isFinite(m.position) && !byPosition.has(m.position!)) {
        byPosition.set(m.position!, r);
      }
    });
    const times = order.map((i) => Date.parse(messages[i]!.timestamp));
    // who may be addressed by name: the authors of the last RECENT lines (bounded, so a channel
    // with thousands of members costs the same per message as a small one)
    const recentSpeakers = (r: number) => {
      const names = new Set<string>();
      for (let t = Math.max(0, r - RECENT); t < r; t++) {
        const s = speakerOf(messages[order[t]!]!);
        if (s) names.add(s);
      }
      return [...names];
    };
    for (let r = 0; r < order.length; r++) {
      const i = order[r]!;
      const m = messages[i]!;
      const row = i * k;
      const set = (name: ContextCue) => (cues[row + cue[name]] = 1);
      const speaker = speakerOf(m);
      const lower = m.text.toLowerCase();
      if (r === 0) set("first_in_conversation");
      if (m.text.includes("?")) set("own_question_mark");
      if (r > 0 && speaker && speakerOf(messages[order[r - 1]!]!) === speaker) {
        set("follows_own_message");
      }
      const mentionsSomeone = (m.mentions?.length ?? 0) > 0 || /(^|\s)@\S/.test(m.text) ||
        recentSpeakers(r).some((s) => s !== speaker && addresses(m, lower, s));
      if (mentionsSomeone) set("addresses_someone");

      let target = -1; // rank of the context
      let linked = false;
      const replyTo = m.replyTo?.trim() ?? "";
      if (replyTo !== "") {
        set("is_reply");
        const byId = rank.get(replyTo);
        const byPos = /^\d+$/.test(replyTo) ? byPosition.get(Number(replyTo)) : undefined;
        const t = byId ?? byPos;
        if (t !== undefined && t < r) {
          target = t;
          linked = true;
        }
      }
      if (target < 0) {
        const inReach = (t: number, limit: number) =>
          r - t <= limit &&
          !(Number.isFinite(times[r]!) && Number.isFinite(times[t]!) &&
            (times[r]! - times[t]!) / 1000 > recipe.maxGapSeconds);
        const other = (t: number) => {
          const s = speakerOf(messages[order[t]!]!);
          return !speaker || !s || s !== speaker;
        };
        // version 2: the look-back ends at the author's previous turn
        let floor = -1;
        if (recipe.version >= 2 && speaker) {
          let t = r - 1;
          while (t >= 0 && !other(t)) t--;
          while (t >= 0 && other(t)) t--;
          floor = t;
        }
        // version 3: the question-like line sharing the most content words, nearest on a tie
        if (recipe.version === 3 && (recipe.topicWindow ?? 0) > 0) {
          const own = wordsOf(i);
          let most = 0;
          for (let t = r - 1; t >= 0 && own.size > 0 && r - t <= recipe.topicWindow!; t--) {
            if (!other(t) || !questionLike[order[t]!]! || !inReach(t, recipe.topicWindow!)) {
              continue;
            }
            let shared = 0;
            for (const w of wordsOf(order[t]!)) if (own.has(w)) shared++;
            if (shared > most) {
              most = shared;
              target = t;
            }
          }
        }
        const reach = Math.max(recipe.window, recipe.questionWindow);
        for (let t = r - 1; target < 0 && t > floor && r - t <= reach; t--) {
          if (!other(t)) continue;
          if (questionLike[order[t]!]! && inReach(t, recipe.questionWindow)) {
            target = t;
            break;
          }
        }
        if (target < 0) {
          for (let t = r - 1; t > floor && r - t <= recipe.window; t--) {
            if (other(t) && inReach(t, recipe.window)) {
              target = t;
              break;
            }
          }
        }
      }
      if (target < 0) continue;
      const c = order[target]!;
      const cm = messages[c]!;
      context[i] = c;
      set("has_context");
      if (linked) set("linked_context");
      const contextSpeaker = speakerOf(cm);
      if (speaker && contextSpeaker === speaker) set("same_speaker_as_context");
      if (contextSpeaker && contextSpeaker !== speaker && addresses(m, lower, contextSpeaker)) {
        set("addresses_context_speaker");
      }
      const distance = r - target;
      set(distance === 1 ? "distance_1" : distance <= 3 ? "distance_2_3" : "distance_4_plus");
      const gap = (times[r]! - times[target]!) / 1000;
      if (Number.isFinite(gap)) {
        set(gap < 60 ? "gap_under_1m" : gap <= 600 ? "gap_1m_10m" : "gap_over_10m");
      }
      if (questionLike[c]) set("context_question_like");
      if (cm.text.includes("?")) set("context_has_question_mark");
    }
  }
  return { context, cues };
}

/** Input width of a context model over `dimension`-wide message features. */
export function contextInputWidth(dimension: number): number {
  return 2 * dimension + CONTEXT_CUES.length;
}

/**
 * Builds the model input `features(message) ⊕ features(context) ⊕ cues` for every message from
 * the messages' own feature rows (each message featurized once; its row is reused as the
 * context of later messages). Sparse rows stay sparse.
 * @throws {TypeError} when `base` does not have one row per message of the assembly
 */
export function contextMatrix(base: FeatureMatrix, assembly: ContextAssembly): FeatureMatrix {
  const n = assembly.context.length;
  if (base.rows !== n) {
    throw new TypeError(
      `Cannot build context features: ${base.rows} feature rows for ${n} messages`,
    );
  }
  const d = base.dimension;
  const k = CONTEXT_CUES.length;
  const width = contextInputWidth(d);
  if (base.kind === "dense") {
    const data = new Float32Array(n * width);
    for (let i = 0; i < n; i++) {
      const out = i * width;
      data.set(base.data.subarray(i * d, (i + 1) * d), out);
      const c = assembly.context[i]!;
      if (c >= 0) data.set(base.data.subarray(c * d, (c + 1) * d), out + d);
      data.set(assembly.cues.subarray(i * k, (i + 1) * k), out + 2 * d);
    }
    return { kind: "dense", rows: n, dimension: width, data };
  }
  const length = (r: number) => base.offsets[r + 1]! - base.offsets[r]!;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const c = assembly.context[i]!;
    total += length(i) + (c >= 0 ? length(c) : 0);
    for (let j = 0; j < k; j++) if (assembly.cues[i * k + j] !== 0) total++;
  }
  const out: SparseMatrix = {
    kind: "sparse",
    rows: n,
    dimension: width,
    offsets: new Int32Array(n + 1),
    indices: new Int32Array(total),
    values: new Float32Array(total),
  };
  let at = 0;
  const copy = (r: number, shift: number) => {
    for (let p = base.offsets[r]!; p < base.offsets[r + 1]!; p++) {
      out.indices[at] = base.indices[p]! + shift;
      out.values[at++] = base.values[p]!;
    }
  };
  for (let i = 0; i < n; i++) {
    copy(i, 0);
    const c = assembly.context[i]!;
    if (c >= 0) copy(c, d);
    for (let j = 0; j < k; j++) {
      const v = assembly.cues[i * k + j]!;
      if (v !== 0) {
        out.indices[at] = 2 * d + j;
        out.values[at++] = v;
      }
    }
    out.offsets[i + 1] = at;
  }
  return out;
}

/**
 * The assembly of messages taken one by one (no conversation known): no context, and of the
 * cues only the message's own (its "?"). Training adds such copies of some rows so a context
 * model still classifies a lone message.
 */
export function aloneContexts(messages: readonly Pick<Message, "text">[]): ContextAssembly {
  const k = CONTEXT_CUES.length;
  const own = CONTEXT_CUES.indexOf("own_question_mark");
  const cues = new Float32Array(messages.length * k);
  messages.forEach((m, i) => {
    if (m.text.includes("?")) cues[i * k + own] = 1;
  });
  return { context: new Int32Array(messages.length).fill(-1), cues };
}

/** An embedder that can give one text's features in sparse form (the builtin featurizer). */
interface SparseFeaturizer {
  dimension: number;
  featurize(text: string): { indices: Int32Array; values: Float32Array };
}

/** An embedder that gives many texts' features as one sparse matrix (the builtin featurizer). */
interface ManyFeaturizer {
  featurizeMany(texts: readonly string[], options?: EmbedOptions): SparseMatrix;
}

/** What {@linkcode featureMatrix} needs of an embedder. */
export interface MatrixEmbedder {
  dimension: number;
  embed(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array>;
}

/**
 * Each text's features once, as a sparse matrix when the embedder has sparse features
 * (builtin), else dense rows from `embed`.
 */
export async function featureMatrix(
  embedder: MatrixEmbedder,
  texts: readonly string[],
  options: EmbedOptions = {},
): Promise<FeatureMatrix> {
  const d = embedder.dimension;
  const many = (embedder as Partial<ManyFeaturizer>).featurizeMany;
  if (typeof many === "function") return many.call(embedder, texts, options);
  if (typeof (embedder as Partial<SparseFeaturizer>).featurize !== "function") {
    const data = await embedder.embed(texts, options);
    return { kind: "dense", rows: texts.length, dimension: d, data };
  }
  const sparse = embedder as unknown as SparseFeaturizer;
  const offsets = new Int32Array(texts.length + 1);
  let indices = new Int32Array(Math.max(1024, texts.length * 64));
  let values = new Float32Array(indices.length);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    const f = sparse.featurize(texts[i]!);
    if (at + f.indices.length > indices.length) {
      const size = Math.max(indices.length * 2, at + f.indices.length);
      const grownIndices = new Int32Array(size);
      grownIndices.set(indices.subarray(0, at));
      const grownValues = new Float32Array(size);
      grownValues.set(values.subarray(0, at));
      indices = grownIndices;
      values = grownValues;
    }
    indices.set(f.indices, at);
    values.set(f.values, at);
    at += f.indices.length;
    offsets[i + 1] = at;
    if (options.onProgress && (i + 1) % 4096 === 0) options.onProgress(i + 1, texts.length);
  }
  options.onProgress?.(texts.length, texts.length);
  return {
    kind: "sparse",
    rows: texts.length,
    dimension: d,
    offsets,
    indices: indices.slice(0, at),
    values: values.slice(0, at),
  };
}

/**
 * Row `i` of {@linkcode contextMatrix} without building the whole matrix (the fast inference
 * path builds each input when the kernel asks for it).
 */
export function sparseContextRow(
  base: SparseMatrix,
  assembly: ContextAssembly,
  i: number,
): { indices: Int32Array; values: Float32Array } {
  const d = base.dimension;
  const k = CONTEXT_CUES.length;
  const c = assembly.context[i]!;
  const from = base.offsets[i]!, to = base.offsets[i + 1]!;
  const cFrom = c >= 0 ? base.offsets[c]! : 0, cTo = c >= 0 ? base.offsets[c + 1]! : 0;
  let cueCount = 0;
  for (let j = 0; j < k; j++) if (assembly.cues[i * k + j] !== 0) cueCount++;
  const n = to - from + cTo - cFrom + cueCount;
  const indices = new Int32Array(n);
  const values = new Float32Array(n);
  indices.set(base.indices.subarray(from, to));
  values.set(base.values.subarray(from, to));
  let at = to - from;
  for (let p = cFrom; p < cTo; p++) {
    indices[at] = base.indices[p]! + d;
    values[at++] = base.values[p]!;
  }
  for (let j = 0; j < k; j++) {
    const v = assembly.cues[i * k + j]!;
    if (v !== 0) {
      indices[at] = 2 * d + j;
      values[at++] = v;
    }
  }
  return { indices, values };
}

/** Rows `rows` of `matrix`, in that order, as a matrix of their own (copies). */
export function selectRows(matrix: FeatureMatrix, rows: Int32Array): FeatureMatrix {
  const d = matrix.dimension;
  if (matrix.kind === "dense") {
    const data = new Float32Array(rows.length * d);
    rows.forEach((r, j) => data.set(matrix.data.subarray(r * d, (r + 1) * d), j * d));
    return { kind: "dense", rows: rows.length, dimension: d, data };
  }
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((r, j) => {
    offsets[j + 1] = offsets[j]! + matrix.offsets[r + 1]! - matrix.offsets[r]!;
  });
  const indices = new Int32Array(offsets[rows.length]!);
  const values = new Float32Array(indices.length);
  rows.forEach((r, j) => {
    const from = matrix.offsets[r]!, to = matrix.offsets[r + 1]!;
    indices.set(matrix.indices.subarray(from, to), offsets[j]!);
    values.set(matrix.values.subarray(from, to), offsets[j]!);
  });
  return { kind: "sparse", rows: rows.length, dimension: d, offsets, indices, values };
}

/**
 * Rows of {@linkcode contextMatrix} for chosen messages only, part after part (each part with
 * its own assembly, e.g. in context and alone), without building the whole matrix. Sparse
 * message features give sparse rows, dense give dense.
 */
export function contextRows(
  base: FeatureMatrix,
  parts: readonly { assembly: ContextAssembly; rows: Int32Array }[],
): FeatureMatrix {
  const d = base.dimension;
  const k = CONTEXT_CUES.length;
  const width = contextInputWidth(d);
  const n = parts.reduce((sum, part) => sum + part.rows.length, 0);
  if (base.kind === "dense") {
    const data = new Float32Array(n * width);
    let j = 0;
    for (const { assembly, rows } of parts) {
      for (const i of rows) {
        const out = j++ * width;
        data.set(base.data.subarray(i * d, (i + 1) * d), out);
        const c = assembly.context[i]!;
        if (c >= 0) data.set(base.data.subarray(c * d, (c + 1) * d), out + d);
        data.set(assembly.cues.subarray(i * k, (i + 1) * k), out + 2 * d);
      }
    }
    return { kind: "dense", rows: n, dimension: width, data };
  }
  const offsets = new Int32Array(n + 1);
  const built: { indices: Int32Array; values: Float32Array }[] = [];
  for (const { assembly, rows } of parts) {
    for (const i of rows) {
      const row = sparseContextRow(base, assembly, i);
      offsets[built.length + 1] = offsets[built.length]! + row.indices.length;
      built.push(row);
    }
  }
  const indices = new Int32Array(offsets[n]!);
  const values = new Float32Array(indices.length);
  built.forEach((row, j) => {
    indices.set(row.indices, offsets[j]!);
    values.set(row.values, offsets[j]!);
  });
  return { kind: "sparse", rows: n, dimension: width, offsets, indices, values };
}
