/**
 * Per-request prompts: a seeded plan varies channel, topic, personas, skill, tone, length, class
 * mix and style for every conversation, and the text of `../prompt.md` is filled with it.
 * @module
 */

import { createPrng, pick, type Prng, shuffle } from "../../random.ts";
import { mixSeed } from "./schema.ts";
import { type Channel, CHANNEL_INFO, CHANNELS, type ClassMix, DEFAULT_MIX } from "../channels.ts";

export { type Channel, CHANNELS, type ClassMix, DEFAULT_MIX };

const PERSONAS = [
  "career switcher from teaching, eager, over-explains a bit",
  "bootcamp student, asks lots of short questions",
  "senior data engineer, terse, answers in a few words",
  "data analyst with 2 years experience, helpful, uses emoji",
  "CS undergrad, jokes a lot, lowercase only",
  "lurker who mostly reacts with one word or an emoji",
  "moderator, friendly, points people to channels",
  "self-taught learner, frequent typos, writes fast",
  "data scientist at a startup, sarcastic but kind",
  "recent graduate job hunting, a bit stressed",
  "non-native English speaker, simple sentences",
  "hiring manager who drops by with blunt advice",
  "content creator who posts on LinkedIn daily",
  "night-owl student, sends many short messages in a row",
] as const;

const NAME_PARTS = {
  first: [
    "sam",
    "alex",
    "priya",
    "jay",
    "mo",
    "lena",
    "kev",
    "ana",
    "tom",
    "zoe",
    "raj",
    "em",
    "chris",
    "nina",
    "dev",
    "omar",
    "mei",
    "luis",
    "kat",
    "ben",
    "ife",
    "yuki",
    "sara",
    "max",
  ],
  second: [
    "data",
    "sql",
    "codes",
    "py",
    "analyst",
    "dev",
    "stats",
    "bi",
    "viz",
    "learns",
    "x",
    "",
  ],
  suffix: ["", "", "", "_", "99", "22", "01", "_dev", "7", "404", "xo", "_"],
} as const;

const SKILLS = [
  "complete beginners",
  "beginners a few weeks in",
  "intermediate, working on projects",
  "mixed: beginners asking, experienced people answering",
  "advanced practitioners",
] as const;

const TONES = [
  "chill and friendly",
  "joking around, lots of banter",
  "frustrated, someone is stuck and annoyed",
  "hyped, celebrating something",
  "supportive, someone is discouraged",
  "blunt and to the point",
  "late-night, tired, sloppy typing",
  "busy, people answer in fragments",
] as const;

const STYLES = [
  "many typos and no capital letters",
  "lots of emoji and one-word reactions",
  "very short messages, several people reacting with 'lol', 'same', 'fr'",
  "one person sends several short messages in a row instead of one long one",
  "include one inline code fragment and one link",
  "someone mentions another channel like #resources and someone uses @mentions",
  "mostly clean typing but very casual, with slang like 'ngl', 'tbh', 'rn'",
  "a short code snippet gets pasted and corrected",
  "someone greets the channel and someone says thanks at the end",
  "one longer explanation among many tiny messages",
] as const;

/** Everything chosen for one request. */
export interface ConversationPlan {
  /** Request index the plan was seeded with. */
  index: number;
  channel: Channel;
  topic: string;
  participants: { name: string; persona: string }[];
  skill: string;
  tone: string;
  length: number;
  counts: { question: number; answer: number; comment: number };
  /** Share of questions to write without "?", 0-1. */
  noQuestionMark: number;
  /** Comments to write as rhetorical lines ending in "?". */
  rhetorical: number;
  style: string[];
  /** Threads interleaved in the stream (1 for short streams). */
  threads: number;
  /** Questions nobody answers. */
  unanswered: number;
  /** Answers that use the reply button (`reply_to`); the others have none. */
  replyLinks: number;
  /** Answers that arrive late, after side talk. */
  lateAnswers: number;
}

/** Options of {@linkcode planConversation}. */
export interface PlanOptions {
  /** @default 42 */
  seed?: number;
  /** Target class mix across conversations; each plan varies around it. @default DEFAULT_MIX */
  mix?: ClassMix;
}

/**
 * Chooses, from `(seed, index)` alone, the channel, topic, participants, skill, tone, length,
 * class counts and style of conversation `index`. Same seed and index, same plan.
 */
export function planConversation(index: number, options: PlanOptions = {}): ConversationPlan {
  const prng = createPrng(mixSeed(options.seed ?? 42, index));
  const mix = options.mix ?? DEFAULT_MIX;
  const channel = pick(CHANNELS, prng);
  const info = CHANNEL_INFO[channel];
  const length = pickLength(prng);
  const people = Math.min(length, 2 + Math.floor(prng() * 5));
  const personas = shuffle([...PERSONAS], prng).slice(0, people);
  const names = new Set<string>();
  while (names.size < people) names.add(userName(prng));
  const participants = [...names].map((name, i) => ({ name, persona: personas[i]! }));

  // Vary the mix per conversation (help channels carry more questions) around the target.
  const total = mix.question + mix.answer + mix.comment;
  const q = (mix.question / total) * info.questionWeight * (0.4 + prng() * 1.2);
  const a = (mix.answer / total) * info.questionWeight * (0.4 + prng() * 1.2);
  let questions = Math.min(length - 1, Math.round(length * q));
  const answers = Math.min(length - 1 - questions, Math.round(length * a));
  // An answer needs something to answer.
  if (answers > 0 && questions === 0) questions = 1;
  const comments = length - questions - answers;
  const style = shuffle([...STYLES], prng).slice(0, 1 + Math.floor(prng() * 2));
  // Stream structure, as in the built-in generator: a few threads interleave, about a quarter
  // of the questions go unanswered, and about a third of the answers use the reply button.
  const threads = length < 8 ? 1 : Math.min(4, Math.max(2, Math.round(length / 8 + prng())));
  const unanswered = questions > 1 ? Math.round(questions * (0.15 + prng() * 0.2)) : 0;
  const replyLinks = Math.round(answers * (0.2 + prng() * 0.2));
  const lateAnswers = answers > 1 ? 1 + Math.floor(prng() * Math.min(2, answers - 1)) : 0;
  return {
    index,
    channel,
    topic: pick(info.topics, prng),
    participants,
    skill: pick(SKILLS, prng),
    tone: pick(TONES, prng),
    length,
    counts: { question: questions, answer: answers, comment: comments },
    noQuestionMark: Math.round((0.4 + prng() * 0.4) * 10) / 10,
    rhetorical: comments >= 5 ? 1 + Math.floor(prng() * 2) : 0,
    style,
    threads,
    unanswered,
    replyLinks,
    lateAnswers,
  };
}

/** Stream stretches: short ones are common, some run long enough for several threads. */
function pickLength(prng: Prng): number {
  const r = prng();
  if (r < 0.3) return 5 + Math.floor(prng() * 6); // 5-10
  if (r < 0.8) return 11 + Math.floor(prng() * 14); // 11-24
  return 25 + Math.floor(prng() * 16); // 25-40
}

/** A Discord-style handle composed from parts, e.g. `priya_sql99`. */
function userName(prng: Prng): string {
  const first = pick(NAME_PARTS.first, prng);
  const second = pick(NAME_PARTS.second, prng);
  const joiner = second === "" ? "" : pick(["", "_", "."], prng);
  const name = `${first}${joiner}${second}${pick(NAME_PARTS.suffix, prng)}`;
  return prng() < 0.2 ? name[0]!.toUpperCase() + name.slice(1) : name;
}

/** The two parts of `prompt.md`. */
export interface PromptTemplate {
  /** Text of the `## System` section: the system message of every request. */
  system: string;
  /**
   * Text of the `## Request` section, with `{{name}}` placeholders that {@linkcode renderPrompt}
   * fills from a plan.
   */
  request: string;
}

/** The system and human messages of one request. */
export interface RenderedPrompt {
  system: string;
  user: string;
}

/** Where the prompt text lives, resolved against this module (works from any cwd). */
export const PROMPT_URL: URL = new URL("../prompt.md", import.meta.url);

/** Reads and splits `prompt.md` (or another file with the same two headings). */
export async function loadPromptTemplate(url: URL | string = PROMPT_URL): Promise<PromptTemplate> {
  return parsePromptTemplate(await Deno.readTextFile(url), String(url));
}

/**
 * Splits prompt text at its `## System` and `## Request` headings.
 * @throws {SyntaxError} when a heading is missing.
 */
export function parsePromptTemplate(text: string, source = "prompt"): PromptTemplate {
  const system = text.search(/^## System\s*$/m);
  const request = text.search(/^## Request\s*$/m);
  if (system < 0 || request < 0 || request < system) {
    throw new SyntaxError(
      `Cannot parse ${source}: expected "## System" then "## Request" headings`,
    );
  }
  const body = (from: number, to: number) =>
    text.slice(from, to).replace(/^## \w+\s*\n/, "").trim();
  return { system: body(system, request), request: body(request, text.length) };
}

/**
 * Fills the template with a plan.
 * @throws {RangeError} when the template uses a placeholder the plan does not provide.
 */
export function renderPrompt(template: PromptTemplate, plan: ConversationPlan): RenderedPrompt {
  const values: Record<string, string> = {
    channel: plan.channel,
    channel_purpose: CHANNEL_INFO[plan.channel].purpose,
    topic: plan.topic,
    participants: plan.participants.map((p) => `${p.name} (${p.persona})`).join("; "),
    skill: plan.skill,
    tone: plan.tone,
    length: String(plan.length),
    mix: describeMix(plan),
    style: plan.style.join("; "),
    structure: describeStructure(plan),
  };
  const fill = (text: string) =>
    text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
      const value = values[key];
      if (value === undefined) {
        throw new RangeError(
          `Cannot render prompt: unknown placeholder "{{${key}}}" (known: ${
            Object.keys(values).join(", ")
          })`,
        );
      }
      return value;
    });
  return { system: fill(template.system), user: fill(template.request) };
}

const NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

/** "about 2 questions, 1 answer and 7 comments. …" with the question-mark and rhetorical asks. */
function describeMix(plan: ConversationPlan): string {
  const { question, answer, comment } = plan.counts;
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  const parts = [
    `about ${n(question, "question")}, ${n(answer, "answer")} and ${n(comment, "comment")}.`,
  ];
  if (question === 1) {
    parts.push(
      plan.noQuestionMark >= 0.5
        ? "The question has no question mark."
        : 'The question may end with "?".',
    );
  } else if (question > 1) {
    const bare = Math.max(1, Math.round(question * plan.noQuestionMark));
    parts.push(
      `${bare === question ? "None" : capitalize(NUMBER_WORDS[bare] ?? String(bare))} of the ` +
        `${question} questions ${bare === question ? "has a" : "have no"} question mark.`,
    );
  }
  if (plan.rhetorical > 0) {
    parts.push(
      `${capitalize(NUMBER_WORDS[plan.rhetorical] ?? String(plan.rhetorical))} of the comments ` +
        `${
          plan.rhetorical === 1
            ? "is a rhetorical or joking line"
            : "are rhetorical or joking lines"
        } ` +
        `ending in "?" that ${plan.rhetorical === 1 ? "expects" : "expect"} no answer.`,
    );
  }
  return parts.join(" ");
}

/** "3 threads interleaved; 1 question gets no answer; …" for the request. */
function describeStructure(plan: ConversationPlan): string {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const parts = [
    plan.threads === 1
      ? "one thread, with side remarks"
      : `${plan.threads} threads interleaved: start a new topic before the previous one is ` +
        "finished, and let replies to an earlier thread come after messages of another",
  ];
  if (plan.unanswered > 0) {
    parts.push(`${n(plan.unanswered, "question gets", "questions get")} no answer at all`);
  }
  if (plan.lateAnswers > 0) {
    parts.push(
      `${n(plan.lateAnswers, "answer comes", "answers come")} late, after other messages`,
    );
  }
  parts.push(
    `only ${n(plan.replyLinks, "answer uses", "answers use")} the reply button (reply_to); ` +
      "all other messages have reply_to null",
  );
  return parts.join("; ") + ".";
}

function capitalize(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}
