/**
 * Per-request prompts: a seeded plan varies channel, topic, personas, skill, tone, length, class
 * mix and style for every conversation, and the text of `../prompt.md` is filled with it.
 * @module
 */

import { createPrng, pick, type Prng, shuffle } from "../../random.ts";
import { mixSeed } from "./schema.ts";

/** Channels of the server, with what each is for and what people talk about there. */
export const CHANNELS = {
  "general": {
    purpose: "hanging out, banter, random chat about data work and life",
    topics: [
      "what everyone is working on this week",
      "a meme about Excel being the real database",
      "Monday mood and coffee",
      "someone's first week as a junior analyst",
      "whether AI will replace data analysts",
      "favourite keyboard shortcuts and IDEs",
      "a conference or meetup someone went to",
      "dark mode vs light mode in Jupyter",
      "someone finished a course and is celebrating",
      "weekend plans and burnout",
    ],
    questionWeight: 0.7,
  },
  "job-search-support": {
    purpose: "job hunting: resumes, interviews, offers, rejections, networking",
    topics: [
      "resume review for a first data analyst role",
      "a take-home SQL assignment with a 48h deadline",
      "how to answer 'tell me about a project' in interviews",
      "salary negotiation for an entry-level offer",
      "getting ghosted after a final round",
      "LinkedIn outreach to hiring managers",
      "switching from teaching to data analytics",
      "whether a master's degree is worth it",
      "applying with no experience and a bootcamp certificate",
      "a technical screen with window functions",
    ],
    questionWeight: 1.3,
  },
  "content-creation": {
    purpose: "people who post data content: LinkedIn posts, YouTube, blogs, newsletters",
    topics: [
      "what to post on LinkedIn as a beginner",
      "editing a first YouTube tutorial on pandas",
      "growing a data newsletter",
      "a post that went viral and the comments",
      "thumbnail and title ideas for a SQL video",
      "posting consistency and imposter syndrome",
      "choosing between Medium and a personal blog",
      "turning a Kaggle notebook into a post",
    ],
    questionWeight: 0.9,
  },
  "share-your-project": {
    purpose: "people show portfolio projects and get feedback",
    topics: [
      "a Power BI dashboard of city bike rentals",
      "a Tableau viz of NBA stats",
      "a web scraper for job postings built with Python",
      "an end-to-end dbt + Airflow pipeline",
      "a churn prediction model in scikit-learn",
      "a Streamlit app for personal finance",
      "a SQL analysis of a pizza sales dataset",
      "a GitHub portfolio README",
    ],
    questionWeight: 0.8,
  },
  "resources": {
    purpose: "sharing and asking for courses, books, datasets, cheat sheets",
    topics: [
      "free SQL practice sites",
      "best statistics book for beginners",
      "where to find messy real-world datasets",
      "Google Data Analytics certificate worth it",
      "a cheat sheet for pandas",
      "YouTube channels for learning Power BI",
      "Kaggle competitions for beginners",
      "interview prep question banks",
    ],
    questionWeight: 1.0,
  },
  "sql-help": {
    purpose: "help with SQL queries and databases",
    topics: [
      "a LEFT JOIN returning duplicate rows",
      "GROUP BY error 'column must appear in the group by clause'",
      "window functions: ROW_NUMBER vs RANK",
      "pivoting rows to columns in Postgres",
      "a slow query and indexes",
      "CTE vs subquery",
      "NULLs breaking a WHERE filter",
      "date truncation to month in BigQuery",
      "deleting duplicate rows but keeping one",
      "installing MySQL on a Mac",
    ],
    questionWeight: 1.5,
  },
  "python-help": {
    purpose: "help with Python, pandas, notebooks and environments",
    topics: [
      "pandas merge creating NaN columns",
      "SettingWithCopyWarning in pandas",
      "pip install fails in a virtual environment",
      "reading a huge CSV without running out of memory",
      "matplotlib plot not showing in a script",
      "a KeyError after groupby",
      "list comprehension vs for loop",
      "converting strings to datetime in pandas",
      "Jupyter kernel keeps dying",
      "apply() is slow, how to vectorise",
    ],
    questionWeight: 1.5,
  },
} as const satisfies Record<
  string,
  { purpose: string; topics: readonly string[]; questionWeight: number }
>;

/** A channel name. */
export type Channel = keyof typeof CHANNELS;

/** Channel names. */
export const CHANNEL_NAMES = Object.keys(CHANNELS) as Channel[];

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

/** Share of each class in a conversation; sums to 1. */
export interface ClassMix {
  question: number;
  answer: number;
  comment: number;
}

/** Default target mix, close to real chat (about one message in ten is a question). */
export const DEFAULT_MIX: ClassMix = { question: 0.15, answer: 0.15, comment: 0.7 };

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
  const channel = pick(CHANNEL_NAMES, prng);
  const info = CHANNELS[channel];
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
  };
}

/** Short chats dominate; some run long. */
function pickLength(prng: Prng): number {
  const r = prng();
  if (r < 0.4) return 4 + Math.floor(prng() * 6); // 4-9
  if (r < 0.8) return 10 + Math.floor(prng() * 8); // 10-17
  return 18 + Math.floor(prng() * 13); // 18-30
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
  system: string;
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
    channel_purpose: CHANNELS[plan.channel].purpose,
    topic: plan.topic,
    participants: plan.participants.map((p) => `${p.name} (${p.persona})`).join("; "),
    skill: plan.skill,
    tone: plan.tone,
    length: String(plan.length),
    mix: describeMix(plan),
    style: plan.style.join("; "),
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

function capitalize(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}
