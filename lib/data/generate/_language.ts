/**
 * The built-in generator's language: templates (`{slot}` fillers, `{a|b}` choices, `{a|}`
 * optional parts) and authors' typing styles (casing, "?" habits, abbreviations, typos, emoji),
 * which make one scripted line read differently from each author. Private to `generate/`.
 * @module
 */

import { pick, pickWeighted, type Prng } from "../random.ts";
import type { Label } from "../types.ts";
import type { QuestionKind } from "./_parts.ts";
import { VOCABULARY, type Vocabulary } from "./_vocab.ts";

/** Topic area a template is filled for: `{slot@domain}` vocabulary wins when present. */
export type Domain = "tech" | "career" | "content" | "project" | "life";

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

/** What {@linkcode expand} fills slots from. */
export interface ExpandContext {
  prng: Prng;
  vocabulary: Vocabulary;
  domain: Domain;
  /** Handles of other participants, used for `{name}`. */
  others: readonly string[];
}

/** Expands a template: choices picked, slots filled (recursively), with `ctx.prng`. */
export function expand(template: string, ctx: ExpandContext, depth = 0): string {
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

/** An author's typing habits, as probabilities. */
export interface Style {
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

/** A style drawn around one of four archetypes (texter, casual, proper, talker). */
export function randomStyle(prng: Prng): Style {
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
export function typeLike(
  text: string,
  style: Style,
  label: Label,
  kind: string,
  prng: Prng,
): string {
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
  else if (prng() > style.lower && !/^(https?:|`|@)/.test(out)) out = capitalise(out);
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
