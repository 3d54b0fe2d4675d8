/**
 * The built-in offline generator: seeded, whole Discord-style conversations of a data-careers
 * community, written to look like real chat (short, lowercase, typos, slang, emoji, code, links)
 * rather than like polite LLM prose, so that a model trained on it transfers to human messages.
 *
 * Design, in one paragraph: every author gets a typing style (texter, casual, proper, talker) that
 * decides casing, "?" habits, abbreviations, typos and emoji; texts are composed from templates
 * × slot fillers (`_parts.ts`, `_vocab.ts`); a conversation is a sequence of turns whose labels
 * follow the requested class mix, with answers replying to open questions and the answer's kind
 * following the question's kind (yes-no questions draw "yeah"/"nope"…).
 *
 * @module
 */

import { createPrng, pick, pickWeighted, type Prng } from "../random.ts";
import type { Label, Message } from "../types.ts";
import {
  type AnswerKind,
  ANSWERS,
  type CommentKind,
  COMMENTS,
  type QuestionKind,
  QUESTIONS,
} from "./_parts.ts";
import { USER_NAME_PARTS, VOCABULARY, type Vocabulary } from "./_vocab.ts";

/** Share of each class among generated messages (any positive scale; normalised). */
export interface ClassMix {
  question: number;
  answer: number;
  comment: number;
}

/**
 * Default class mix: close to real chat, where most lines are comments. Training uses balanced
 * class weights, so the mix mainly sets how many distinct examples each class gets; both 8% and
 * 22% answers scored worse on real chat than 15% (bench/QUALITY_LOG.md).
 */
export const DEFAULT_MIX: Readonly<ClassMix> = { question: 0.15, answer: 0.15, comment: 0.7 };

/** The server's channels, as they appear in the `channel` column. */
export const CHANNELS = [
  "general",
  "job-search-support",
  "content-creation",
  "share-your-project",
  "resources",
  "sql-help",
  "python-help",
] as const;

/** Options of {@linkcode generateBuiltin}. */
export interface BuiltinGenerateOptions {
  /** Number of conversations (about 10 messages each). @default 2500 */
  conversations?: number;
  /** Seed of every random choice. @default 42 */
  seed?: number;
  /** Target class mix. @default DEFAULT_MIX (15% question, 15% answer, 70% comment) */
  mix?: ClassMix;
  /** Number of the first conversation, so a caller can continue an earlier run's ids. @default 0 */
  startIndex?: number;
}

/**
 * Generates labelled conversations; the same options always give the same messages.
 *
 * @throws {RangeError} when `conversations` or `startIndex` is not a non-negative integer, or the
 * mix is not usable (negative, all zero, or answers without questions).
 * @example
 * ```ts
 * const messages = generateBuiltin({ conversations: 10, seed: 7 });
 * console.log(messages[0]!.text, messages[0]!.messageType);
 * ```
 */
export function generateBuiltin(options: BuiltinGenerateOptions = {}): Message[] {
  const conversations = options.conversations ?? 2500;
  const startIndex = options.startIndex ?? 0;
  const seed = options.seed ?? 42;
  for (const [name, value] of [["conversations", conversations], ["startIndex", startIndex]]) {
    if (!Number.isInteger(value) || (value as number) < 0) {
      throw new RangeError(
        `Cannot generate conversations: ${name} must be a non-negative integer, got ${value}`,
      );
    }
  }
  const target = normaliseMix(options.mix ?? DEFAULT_MIX);
  const prng = createPrng(seed);
  const counts: Record<Label, number> = { question: 0, answer: 0, comment: 0 };
  const messages: Message[] = [];
  for (let i = 0; i < conversations; i++) {
    const id = `gen-${String(startIndex + i).padStart(6, "0")}`;
    new Conversation(id, prng, target, counts).run(messages);
  }
  return messages;
}

function normaliseMix(mix: ClassMix): ClassMix {
  const values = [mix.question, mix.answer, mix.comment];
  const total = values.reduce((a, b) => a + b, 0);
  if (values.some((v) => !Number.isFinite(v) || v < 0) || !(total > 0)) {
    throw new RangeError(
      `Cannot use class mix ${
        JSON.stringify(mix)
      }: shares must be non-negative with a positive sum`,
    );
  }
  if (mix.answer > 0 && mix.question === 0) {
    throw new RangeError(
      `Cannot use class mix ${JSON.stringify(mix)}: answers need questions to reply to`,
    );
  }
  return {
    question: mix.question / total,
    answer: mix.answer / total,
    comment: mix.comment / total,
  };
}

// ---------------------------------------------------------------------------------------------
// Templates: "{slot}", "{a|b|c}", "{a|}" (optional). Compiled once, cached.

type Node = string | { slot: string } | { choice: Node[][] };

const compiled = new Map<string, Node[]>();

function compile(template: string): Node[] {
  let nodes = compiled.get(template);
  if (!nodes) {
    const [parsed, end] = parseSequence(template, 0, false);
    if (end !== template.length) {
      throw new SyntaxError(`Cannot parse template "${template}": unexpected "}" at ${end}`);
    }
    nodes = parsed;
    compiled.set(template, nodes);
  }
  return nodes;
}

/** Parses until the end, or (nested) until an unmatched "|" or "}". */
function parseSequence(s: string, start: number, nested: boolean): [Node[], number] {
  const nodes: Node[] = [];
  let literal = "";
  let i = start;
  while (i < s.length) {
    const c = s[i]!;
    if (nested && (c === "|" || c === "}")) break;
    if (!nested && c === "}") break;
    if (c !== "{") {
      literal += c;
      i++;
      continue;
    }
    if (literal) nodes.push(literal), literal = "";
    const close = s.indexOf("}", i);
    const inner = s.slice(i + 1, close);
    if (close > i && /^[a-z]+$/.test(inner)) {
      nodes.push({ slot: inner });
      i = close + 1;
      continue;
    }
    const options: Node[][] = [];
    i++;
    for (;;) {
      const [option, end] = parseSequence(s, i, true);
      options.push(option);
      if (s[end] === "|") {
        i = end + 1;
        continue;
      }
      if (s[end] !== "}") throw new SyntaxError(`Cannot parse template "${s}": unclosed "{"`);
      i = end + 1;
      break;
    }
    nodes.push({ choice: options });
  }
  if (literal) nodes.push(literal);
  return [nodes, i];
}

/** Slot names a template refers to, for checking that the vocabulary covers them. */
export function templateSlots(template: string): string[] {
  const out: string[] = [];
  const walk = (nodes: Node[]) => {
    for (const node of nodes) {
      if (typeof node === "string") continue;
      if ("slot" in node) out.push(node.slot);
      else node.choice.forEach(walk);
    }
  };
  walk(compile(template));
  return out;
}

interface ExpandContext {
  prng: Prng;
  vocabulary: Vocabulary;
  domain: Domain;
  /** Handles of other participants, used for `{name}`. */
  others: readonly string[];
}

function expand(template: string, ctx: ExpandContext, depth = 0): string {
  let out = "";
  const walk = (nodes: Node[]) => {
    for (const node of nodes) {
      if (typeof node === "string") out += node;
      else if ("choice" in node) walk(pick(node.choice, ctx.prng));
      else out += expand(fillSlot(node.slot, ctx), ctx, depth + 1);
    }
  };
  if (depth > 6) return template.replace(/[{}|]/g, "");
  walk(compile(template));
  return out;
}

function fillSlot(slot: string, ctx: ExpandContext): string {
  if (slot === "name" && ctx.others.length > 0 && ctx.prng() < 0.7) {
    return pick(ctx.others, ctx.prng);
  }
  const special = ctx.vocabulary[`${slot}@${ctx.domain}`];
  if (special && ctx.prng() < 0.7) return pick(special, ctx.prng);
  const values = ctx.vocabulary[slot];
  if (!values) throw new RangeError(`Cannot fill slot "{${slot}}": it is not in the vocabulary`);
  return pick(values, ctx.prng);
}

// ---------------------------------------------------------------------------------------------
// Authors' typing styles.

interface Style {
  /** Probability of writing all lowercase. */
  lower: number;
  /** Probability that a question gets a "?". */
  questionMark: number;
  /** Probability that a statement ends with ".". */
  period: number;
  /** Probability per eligible word of a chat abbreviation ("u", "pls", "tbh"). */
  abbreviate: number;
  /** Probability per word of dropping an apostrophe ("dont"). */
  dropApostrophe: number;
  /** Probability per long word of a typo. */
  typo: number;
  /** Probability of an emoji / emoticon at the end. */
  emoji: number;
  /** Probability of stretching a short word ("sooo", "yesss"). */
  elongate: number;
  /** Probability of SHOUTING a short message. */
  shout: number;
  /** Probability of a spoken-style filler ("uh,", "well,", "i mean"). */
  filler: number;
  /** Probability per eligible word of writing the long form ("I don't know" for "idk"). */
  expand: number;
}

const ARCHETYPES: Record<"texter" | "casual" | "proper" | "talker", Style> = {
  texter: {
    lower: 0.95,
    questionMark: 0.8,
    period: 0.03,
    abbreviate: 0.5,
    dropApostrophe: 0.8,
    typo: 0.04,
    emoji: 0.15,
    elongate: 0.15,
    shout: 0.04,
    filler: 0.03,
    expand: 0,
  },
  casual: {
    lower: 0.6,
    questionMark: 0.9,
    period: 0.15,
    abbreviate: 0.2,
    dropApostrophe: 0.4,
    typo: 0.02,
    emoji: 0.1,
    elongate: 0.08,
    shout: 0.02,
    filler: 0.06,
    expand: 0.1,
  },
  proper: {
    lower: 0.05,
    questionMark: 0.97,
    period: 0.6,
    abbreviate: 0.02,
    dropApostrophe: 0.05,
    typo: 0.01,
    emoji: 0.05,
    elongate: 0.02,
    shout: 0.01,
    filler: 0.05,
    expand: 0.6,
  },
  talker: {
    lower: 0.3,
    questionMark: 0.9,
    period: 0.4,
    abbreviate: 0.05,
    dropApostrophe: 0.2,
    typo: 0.01,
    emoji: 0.02,
    elongate: 0.03,
    shout: 0,
    filler: 0.35,
    expand: 0.3,
  },
};

function randomStyle(prng: Prng): Style {
  const base = ARCHETYPES[
    pickWeighted({ texter: 0.35, casual: 0.3, proper: 0.2, talker: 0.15 }, prng)
  ];
  const style = { ...base };
  for (const key of Object.keys(style) as (keyof Style)[]) {
    style[key] = Math.min(1, style[key] * (0.6 + 0.8 * prng()));
  }
  return style;
}

const ABBREVIATIONS: Readonly<Record<string, readonly string[]>> = {
  you: ["u"],
  your: ["ur"],
  "you're": ["ur", "youre"],
  are: ["r"],
  please: ["pls", "plz"],
  thanks: ["thx", "thnx", "ty"],
  probably: ["prob", "prolly"],
  because: ["bc", "cuz", "cause"],
  okay: ["ok", "k", "kk"],
  really: ["rly", "realy"],
  people: ["ppl"],
  something: ["smth", "sth"],
  though: ["tho"],
  about: ["abt"],
  tomorrow: ["tmrw", "tmr"],
  tonight: ["tn", "2nite"],
  "to be honest": ["tbh"],
  "in my opinion": ["imo"],
  "i don't know": ["idk", "dunno"],
  "right now": ["rn"],
  "going to": ["gonna"],
  "want to": ["wanna"],
  "oh my god": ["omg"],
  "for real": ["fr"],
  with: ["w/"],
  what: ["wat", "wut"],
  "what's up": ["sup", "wassup"],
  "be right back": ["brb"],
  "i'm": ["im", "i'm"],
  love: ["luv"],
  know: ["kno"],
  "to": ["2"],
  "for": ["4"],
  and: ["n", "&"],
  see: ["c"],
  why: ["y"],
  definitely: ["def", "deff"],
  "let me know": ["lmk"],
  "no problem": ["np"],
  "not gonna lie": ["ngl"],
};

const EXPANSIONS: Readonly<Record<string, string>> = {
  u: "you",
  ur: "your",
  r: "are",
  pls: "please",
  plz: "please",
  thx: "thanks",
  ty: "thank you",
  im: "I'm",
  dont: "don't",
  cant: "can't",
  whats: "what's",
  thats: "that's",
  wanna: "want to",
  gonna: "going to",
  idk: "I don't know",
  tbh: "to be honest",
  imo: "in my opinion",
  yep: "yes",
  yeah: "yes",
  nah: "no",
  rn: "right now",
  def: "definitely",
  ok: "okay",
  lmk: "let me know",
  hows: "how's",
  ngl: "honestly",
};

const PHRASES = Object.keys(ABBREVIATIONS).filter((k) => k.includes(" "));
const PHRASE_PATTERN = new RegExp(`\\b(${PHRASES.join("|")})\\b`, "g");

/** Makes `text` look typed by an author with `style`. */
function typeLike(text: string, style: Style, label: Label, kind: string, prng: Prng): string {
  const technical = /`|https?:|\n/.test(text);
  let out = text;
  if (!technical && prng() < style.filler && out.length > 3) {
    out = pick(["uh, ", "um, ", "well, ", "so ", "oh ", "i mean ", "like ", "uh ", "so, "], prng) +
      out;
  }
  if (prng() < style.abbreviate) {
    out = out.replace(
      PHRASE_PATTERN,
      (m) => prng() < 0.7 ? pick(ABBREVIATIONS[m]!, prng) : m,
    );
  }
  const words = out.split(" ");
  for (let i = 0; i < words.length; i++) {
    let w = words[i]!;
    if (!/^[a-z']+[,.!]?$/.test(w)) continue;
    const trail = /[,.!]$/.test(w) ? w.slice(-1) : "";
    if (trail) w = w.slice(0, -1);
    const abbreviations = ABBREVIATIONS[w];
    if (abbreviations && prng() < style.abbreviate * 0.6) w = pick(abbreviations, prng);
    else if (EXPANSIONS[w] && prng() < style.expand) w = EXPANSIONS[w]!;
    if (w.includes("'") && prng() < style.dropApostrophe) w = w.replaceAll("'", "");
    if (w.length >= 4 && prng() < style.typo) w = typo(w, prng);
    words[i] = w + trail;
  }
  out = words.join(" ");
  if (out.split(" ").length <= 3 && prng() < style.elongate) out = elongate(out, prng);
  out = punctuate(out, style, label, kind, prng);
  const shortEnough = out.length <= 24 && !technical;
  if (shortEnough && prng() < style.shout) out = out.toUpperCase();
  else if (prng() > style.lower) out = capitalise(out);
  if (prng() < style.emoji && !out.endsWith("`")) {
    const kindOfEmoji = pickWeighted({ emoji: 0.5, emoticon: 0.35, shortcode: 0.15 }, prng);
    out += " " + pick(VOCABULARY[kindOfEmoji]!, prng);
  }
  return out;
}

function typo(word: string, prng: Prng): string {
  const i = 1 + Math.floor(prng() * (word.length - 2));
  switch (Math.floor(prng() * 4)) {
    case 0: // dropped letter
      return word.slice(0, i) + word.slice(i + 1);
    case 1: // swapped neighbours
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    case 2: // doubled letter
      return word.slice(0, i) + word[i] + word.slice(i);
    default: // neighbouring key
      return word.slice(0, i) + pick(NEIGHBOURS[word[i]!] ?? [word[i]!], prng) + word.slice(i + 1);
  }
}

const NEIGHBOURS: Readonly<Record<string, readonly string[]>> = {
  a: ["s", "q"],
  e: ["r", "w"],
  i: ["o", "u"],
  o: ["i", "p"],
  u: ["y", "i"],
  n: ["m", "b"],
  m: ["n"],
  s: ["a", "d"],
  t: ["r", "y"],
  r: ["e", "t"],
  l: ["k"],
  h: ["g", "j"],
};

function elongate(text: string, prng: Prng): string {
  const match = /([aeiouyhs])([^aeiouyhs]*)$/i.exec(text);
  if (!match) return text;
  const times = 2 + Math.floor(prng() * 4);
  return text.slice(0, match.index) + match[1]!.repeat(times) + match[2];
}

function capitalise(text: string): string {
  const out = text.replace(
    /(^|\. |\? |! )([a-z])/g,
    (_, a: string, b: string) => a + b.toUpperCase(),
  );
  return out.replace(/\bi\b(?!\.)/g, "I").replace(/\bi'/g, "I'");
}

/** Probability that a question of a kind carries "?", relative to the author's habit. */
const QUESTION_MARK_FACTOR: Record<QuestionKind, number> = {
  yesno: 1,
  wh: 0.95,
  declarative: 1.3,
  or: 1.1,
  clarify: 1.2,
  request: 0.6,
};

function punctuate(text: string, style: Style, label: Label, kind: string, prng: Prng): string {
  if (/[?!.,:;)(`\]>*/|^]$|\p{Extended_Pictographic}\uFE0F?$/u.test(text)) return text;
  if (label === "question") {
    const p = style.questionMark * (QUESTION_MARK_FACTOR[kind as QuestionKind] ?? 1);
    if (prng() < p) {
      return text +
        pickWeighted({ "?": 0.8, "??": 0.1, "???": 0.04, "?!": 0.03, " ?": 0.03 }, prng);
    }
    return prng() < 0.05 ? text + "." : text;
  }
  const r = prng();
  if (r < style.period) return text + ".";
  if (r < style.period + 0.07) return text + pick(["!", "!!", "!!!"], prng);
  if (r < style.period + 0.1) return text + pick(["...", "..", ","], prng);
  return text;
}

// ---------------------------------------------------------------------------------------------
// Conversations.

type Domain = "tech" | "career" | "content" | "project" | "life";

const CHANNEL_WEIGHTS: Record<(typeof CHANNELS)[number], number> = {
  general: 0.3,
  "job-search-support": 0.18,
  "content-creation": 0.07,
  "share-your-project": 0.08,
  resources: 0.09,
  "sql-help": 0.14,
  "python-help": 0.14,
};

const CHANNEL_DOMAINS: Record<(typeof CHANNELS)[number], Partial<Record<Domain, number>>> = {
  general: { life: 0.4, career: 0.35, tech: 0.15, content: 0.1 },
  "job-search-support": { career: 1 },
  "content-creation": { content: 0.9, career: 0.1 },
  "share-your-project": { project: 0.8, tech: 0.2 },
  resources: { tech: 0.6, career: 0.4 },
  "sql-help": { tech: 1 },
  "python-help": { tech: 1 },
};

const QUESTION_KINDS: Record<QuestionKind, number> = {
  yesno: 0.44,
  wh: 0.26,
  declarative: 0.1,
  or: 0.06,
  clarify: 0.06,
  request: 0.08,
};

const ANSWER_KINDS: Record<QuestionKind, Partial<Record<AnswerKind, number>>> = {
  yesno: { yes: 0.57, no: 0.38, pointer: 0.05 },
  declarative: { yes: 0.62, no: 0.38 },
  wh: { pointer: 0.7, explain: 0.1, fact: 0.15, unsure: 0.05 },
  or: { choice: 0.85, explain: 0.05, unsure: 0.1 },
  clarify: { explain: 0.4, yes: 0.3, no: 0.3 },
  request: { pointer: 0.6, explain: 0.1, yes: 0.3 },
};

/** Share of questions of each kind that nobody answers. */
const UNANSWERED: Partial<Record<QuestionKind, number>> = { wh: 0.4, clarify: 0.6, request: 0.2 };

const COMMENT_KINDS: Record<CommentKind, number> = {
  reaction: 0.18,
  agree: 0.2,
  statement: 0.12,
  aside: 0.08,
  agreeMore: 0.1,
  opinion: 0.06,
  rhetorical: 0.05,
  greet: 0.05,
  bye: 0.03,
  thanks: 0.03,
  announce: 0.02,
  continuation: 0.04,
  code: 0.02,
  mention: 0.02,
  hype: 0.03,
  life: 0.04,
  narrative: 0.07,
  preface: 0.01,
  shrug: 0.01,
  story: 0.04,
  // a bare name, number, face or odd word: in chat such lines are comments far more often than
  // answers, and without them the model read any unfamiliar one-word line as a short answer
  fragment: 0.06,
};

/**
 * `{tail}` is what follows "yeah," or "nope," in a message. After an answer's yes/no it is a
 * short elaboration; after an agreeing "yeah," (a comment) it is any statement, since agreeing
 * and going on talking is far more common in chat than answering a yes/no question.
 */
const ANSWER_VOCABULARY: Vocabulary = { ...VOCABULARY, tail: VOCABULARY.elab! };
const COMMENT_VOCABULARY: Vocabulary = {
  ...VOCABULARY,
  tail: [
    ...VOCABULARY.elab!,
    ...COMMENTS.statement,
    ...COMMENTS.narrative,
    ...COMMENTS.opinion,
    ...COMMENTS.life,
    ...COMMENTS.aside,
  ],
};

interface Author {
  handle: string;
  style: Style;
}

interface OpenQuestion {
  messageId: string;
  kind: QuestionKind;
  author: number;
  answers: number;
  maxAnswers: number;
  askedAt: number;
}

/** A comment queued by context (thanks after an answer, the rest of a split message). */
interface Pending {
  author: number;
  kind: CommentKind;
  replyTo: string | null;
  text?: string;
}

class Conversation {
  readonly #id: string;
  readonly #prng: Prng;
  readonly #target: ClassMix;
  readonly #counts: Record<Label, number>;
  readonly #channel: (typeof CHANNELS)[number];
  readonly #domain: Domain;
  readonly #authors: Author[];
  readonly #messages: Message[] = [];
  readonly #authorOf: number[] = [];
  #open: OpenQuestion[] = [];
  #pending: Pending[] = [];
  #time: number;

  constructor(id: string, prng: Prng, target: ClassMix, counts: Record<Label, number>) {
    this.#id = id;
    this.#prng = prng;
    this.#target = target;
    this.#counts = counts;
    this.#channel = pickWeighted(CHANNEL_WEIGHTS, prng);
    this.#domain = pickWeighted(CHANNEL_DOMAINS[this.#channel] as Record<Domain, number>, prng);
    const people = 2 + Math.floor(prng() * prng() * 6);
    this.#authors = [];
    const taken = new Set<string>();
    while (this.#authors.length < people) {
      const handle = userName(prng);
      if (taken.has(handle)) continue;
      taken.add(handle);
      this.#authors.push({ handle, style: randomStyle(prng) });
    }
    this.#time = Date.UTC(2024, 0, 1) + Math.floor(prng() * 360 * 86_400) * 1000;
  }

  run(out: Message[]): void {
    const prng = this.#prng;
    const mean = this.#channel === "general" ? 11 : 7;
    const length = 2 + Math.min(60, Math.floor(-Math.log(1 - prng()) * mean));
    while (this.#messages.length < length) this.#step();
    out.push(...this.#messages);
  }

  #step(): void {
    const label = this.#chooseLabel();
    if (label === "question") this.#ask();
    else if (label === "answer") this.#answer();
    else this.#comment();
    this.#open = this.#open.filter((q) =>
      q.answers < q.maxAnswers && this.#messages.length - q.askedAt < 7
    );
  }

  /** Samples a label, leaning towards whichever class is behind its target share overall. */
  #chooseLabel(): Label {
    const total = this.#counts.question + this.#counts.answer + this.#counts.comment;
    const weight = (label: Label) =>
      Math.max(0, this.#target[label] * (total + 1) - this.#counts[label]) +
      0.5 * this.#target[label];
    const last = this.#messages.at(-1);
    const answerable = this.#open.some((q) => this.#answerers(q).length > 0);
    const weights: Record<Label, number> = {
      question: weight("question") * (this.#open.length > 0 ? 0.4 : 1) *
        (this.#messages.length === 0 && this.#domain !== "life" ? 2 : 1),
      answer: answerable ? weight("answer") * (last?.messageType === "question" ? 4 : 1) : 0,
      comment: weight("comment") * (this.#pending.length > 0 ? 2 : 1),
    };
    return pickWeighted(weights, this.#prng);
  }

  #answerers(q: OpenQuestion): number[] {
    return this.#authors.map((_, i) => i).filter((i) => i !== q.author);
  }

  #ask(): void {
    const prng = this.#prng;
    const author = this.#speaker();
    this.#pending = [];
    if (prng() < 0.1) this.#emit(author, "comment", "preface", null);
    const kind = pickWeighted(QUESTION_KINDS, prng);
    const last = this.#messages.at(-1);
    // Follow-ups and clarifications reply to what prompted them.
    const replyTo = last && (kind === "clarify" || prng() < 0.15) ? last.messageId : null;
    const id = this.#emit(author, "question", kind, replyTo);
    // Open questions in chat often get no answer at all, just shrugs or a rephrase.
    if (prng() < (UNANSWERED[kind] ?? 0)) {
      if (prng() < 0.5) this.#pending.push({ author: this.#speaker(), kind: "shrug", replyTo: id });
      return;
    }
    this.#open.push({
      messageId: id,
      kind,
      author,
      answers: 0,
      maxAnswers: 1 + Math.floor(prng() * prng() * 3),
      askedAt: this.#messages.length - 1,
    });
  }

  #answer(): void {
    const prng = this.#prng;
    const candidates = this.#open.filter((q) => this.#answerers(q).length > 0);
    const q = prng() < 0.8 ? candidates.at(-1)! : pick(candidates, prng);
    const answerers = this.#answerers(q);
    const lastAuthor = this.#authorOf.at(-1);
    const others = answerers.filter((i) => i !== lastAuthor);
    const author = pick(others.length > 0 ? others : answerers, prng);
    const kind = pickWeighted(ANSWER_KINDS[q.kind] as Record<AnswerKind, number>, prng);
    q.answers++;
    const split = (kind === "yes" || kind === "no") && prng() < 0.15;
    const mention = prng() < 0.08 ? `@${this.#authors[q.author]!.handle} ` : "";
    let text: string | undefined;
    if (split) {
      const head = kind === "yes"
        ? pick(["yes", "yes", "yep", "yup", "sure", "yeah"], prng)
        : pick(["no", "nope", "nah", "not really"], prng);
      text = mention + head + pick(["", ",", "", "."], prng);
    }
    const id = this.#emit(author, "answer", kind, q.messageId, text, mention);
    if (split) {
      this.#pending.unshift({ author, kind: "continuation", replyTo: null, text: "{tail}" });
    }
    if (prng() < 0.35) {
      this.#pending.push({
        author: q.author,
        kind: prng() < 0.7 ? "thanks" : "agree",
        replyTo: prng() < 0.5 ? id : null,
      });
    }
  }

  #comment(): void {
    const prng = this.#prng;
    const pending = this.#pending.shift();
    if (pending) {
      this.#emit(pending.author, "comment", pending.kind, pending.replyTo, pending.text);
      return;
    }
    const last = this.#messages.at(-1);
    const lastAuthor = this.#authorOf.at(-1);
    // People split a thought over several lines.
    if (
      last && lastAuthor !== undefined && last.messageType === "comment" &&
      last.text.length > 25 && prng() < 0.2
    ) {
      this.#emit(lastAuthor, "comment", "continuation", null);
      return;
    }
    let kind = pickWeighted(COMMENT_KINDS, prng);
    if (kind === "agreeMore" && prng() < 0.25) {
      // "yeah," then the rest of the thought on its own line
      const author = this.#speaker();
      const head = pick(["yeah", "yes", "oh", "well", "no", "right", "okay", "so", "yep"], prng);
      this.#emit(author, "comment", kind, null, head + pick([",", "", "..."], prng));
      this.#pending.unshift({ author, kind: "continuation", replyTo: null, text: "{tail}" });
      return;
    }
    if (this.#messages.length === 0 && prng() < 0.5) kind = prng() < 0.7 ? "greet" : "announce";
    if (this.#domain === "life" && (kind === "code" || kind === "announce")) kind = "life";
    const reacting = kind === "reaction" || kind === "agree" || kind === "hype";
    const replyTo = last && reacting && prng() < 0.3 ? last.messageId : null;
    const author = this.#speaker();
    // People address whoever they react to, whatever the label.
    const address = last && lastAuthor !== author && prng() < 0.06
      ? `@${this.#authors[lastAuthor!]!.handle} `
      : "";
    this.#emit(author, "comment", kind, replyTo, undefined, address);
  }

  /** Picks who talks next: usually not whoever just spoke. */
  #speaker(): number {
    const last = this.#authorOf.at(-1);
    for (;;) {
      const i = Math.floor(this.#prng() * this.#authors.length);
      if (i !== last || this.#prng() < 0.2) return i;
    }
  }

  #emit(
    author: number,
    label: Label,
    kind: string,
    replyTo: string | null,
    template?: string,
    prefix = "",
  ): string {
    const prng = this.#prng;
    const { handle, style } = this.#authors[author]!;
    const ctx: ExpandContext = {
      prng,
      vocabulary: label === "answer" ? ANSWER_VOCABULARY : COMMENT_VOCABULARY,
      domain: this.#domain,
      others: this.#authors.filter((_, i) => i !== author).map((a) => a.handle),
    };
    const templates = label === "question"
      ? QUESTIONS[kind as QuestionKind]
      : label === "answer"
      ? ANSWERS[kind as AnswerKind]
      : COMMENTS[kind as CommentKind];
    const raw = expand(template ?? pick(templates, prng), ctx);
    let text = typeLike(raw, style, label, kind, prng);
    if (prefix && !text.startsWith("@")) text = prefix + text;
    const seq = this.#messages.length + 1;
    const messageId = `${this.#id}-${String(seq).padStart(3, "0")}`;
    this.#time += 1000 * (3 + Math.floor(Math.exp(prng() * 7)));
    this.#messages.push({
      messageId,
      conversationId: this.#id,
      channel: this.#channel,
      userName: handle,
      text,
      messageType: label,
      replyTo,
      timestamp: new Date(this.#time).toISOString(),
    });
    this.#authorOf.push(author);
    this.#counts[label]++;
    return messageId;
  }
}

function userName(prng: Prng): string {
  const name = pick(VOCABULARY.name!, prng);
  return pick(USER_NAME_PARTS.prefixes, prng) + name + pick(USER_NAME_PARTS.suffixes, prng);
}
