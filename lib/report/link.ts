/**
 * Links answers to the questions they answer, message by message in time order, keeping only
 * the open questions of each conversation in memory. The rules, first match wins:
 *
 * 1. `reply` — the answer replies (Discord reference) to a question by someone else;
 * 2. `chain` — the answer replies to a message of a question's exchange (an answer to it, or a
 *    reply into it, however deep): it belongs to that exchange;
 * 3. `thread` — the answer is in a thread started from a question (thread id = question id);
 * 4. `mention` — the answer @mentions the author of an open question (of several by them, the
 *    one the evidence scores highest);
 * 5. `name` — the answer names the author of an open question (display name as a word);
 * 6. `scored` — the open question (by someone else, within the window, the 24 newest) with the
 *    best evidence score (`LINK_WEIGHTS` in `link_evidence.ts`: shared words, who took part or
 *    was just talking with the asker, what came just before, yes/no and answer-type fit, time,
 *    how many questions since, answered already, which answer words went with which question
 *    words in the export's own replies, thread answers and mentions, and the asker's reply or
 *    thanks right after, or the asker being the next to speak — such an answer waits up to 8
 *    messages or 30 minutes before it is decided); when no candidate scores above "none", the
 *    answer links to nothing;
 * 7. `thanks` — a question nothing above answered, whose asker thanked someone within 20 minutes
 *    of asking ("ty, that worked"), is linked to the message thanked (the one the thanks replies
 *    to, else the likeliest answer among the last few messages by others since the question),
 *    whatever its label: the model calls some answers comments, the asker's thanks does not.
 *
 * And the asker's bump ("bump", "anyone?", "still stuck on this") on a question they have not
 * thanked anyone for takes back the links rule 6 alone made to it: nothing answered it yet.
 *
 * With `rule: "nearest"` the former rules apply instead (kept to compare against): no `chain`,
 * `thanks` or bump, a mention or name picks the asker's latest question, and step 6 is `nearest` — the latest open
 * question by someone else, whatever the evidence.
 *
 * Only messages labelled "answer" link by rules 1–6. A reply labelled comment ("+1, mine does
 * that too") answers nothing — unless the model still gives it "answer" a fair probability
 * (`replyAnswerProbability`, 0.3): a comment-labelled reply to a question by someone else, or a
 * message in a thread started from one, then answers it (`reply` / `thread`), as short or
 * off-script answers there often are; a plain comment-labelled message (no reply, no thread) at
 * that probability (`plainAnswerProbability`) is weighed by rule 6, marked so that it needs more
 * evidence than a message labelled answer.
 * @module
 */

import type { Label } from "../data/types.ts";
import type { ChatMessage } from "../data/discord/types.ts";
import { RecentMap } from "./_recent_map.ts";
import {
  contentWords,
  expectedAnswerTypes,
  expectedCueOf,
  hashWords,
  isYesNoReply,
  LINK_FEATURES,
  type LinkFeatureVector,
  linkScore,
  overlap,
  type QuestionForm,
  questionForm,
  WordAssociations,
  wordCount,
} from "./link_evidence.ts";

/** Why an answer was linked to its question. */
export type LinkReason =
  | "reply"
  | "chain"
  | "thread"
  | "mention"
  | "name"
  | "scored"
  | "thanks"
  | "nearest";

/** Every {@linkcode LinkReason}, in rule order. */
export const LINK_REASONS: readonly LinkReason[] = [
  "reply",
  "chain",
  "thread",
  "mention",
  "name",
  "scored",
  "thanks",
  "nearest",
];

/** A question as the linker tracks it. */
export interface QuestionRecord {
  /** The question's message id. */
  id: string;
  /** Channel name. */
  channel: string;
  /** Id of the channel or thread it was asked in. */
  channelId: string;
  /** Discord guild id, or "" when the export does not say. */
  guildId: string;
  /** The conversation it belongs to. */
  conversationId: string;
  /** The asker's account name. */
  author: string;
  /** The name others see and @mention. */
  displayName: string;
  /** When it was asked (ISO 8601, as in the export). */
  timestamp: string;
  /** Milliseconds since the epoch, NaN when the source has no time. */
  time: number;
  /** The question's text. */
  text: string;
  /** The model's probability of "question". */
  confidence: number;
  /** Answers linked to it so far. */
  answers: number;
  /** Message id of the first linked answer, or null. */
  firstAnswerId: string | null;
  /** Account name of the first answer's author, or null. */
  firstAnswerAuthor: string | null;
  /** Seconds from the question to its first linked answer. */
  secondsToFirstAnswer: number | null;
  /** The rule that linked the first answer, or null. */
  linkedBy: LinkReason | null;
}

/** A message with the model's label, ready for linking. */
export interface LabelledMessage {
  /** The message. */
  message: ChatMessage;
  /** The model's label. */
  label: Label;
  /** The model's probability of `label`. */
  confidence: number;
  /** The model's probability of "answer", when `label` is not answer (see
   * {@linkcode LinkerOptions.replyAnswerProbability}). @default 0 */
  pAnswer?: number;
}

/** One link the linker made. */
export interface AnswerLink {
  /** The answer's message id. */
  answerId: string;
  /** The answer author's account name. */
  answerAuthor: string;
  /** The question's message id. */
  questionId: string;
  /** The rule that made the link. */
  reason: LinkReason;
}

/** The candidates the evidence rule weighed for one answer (for fitting its weights). */
export interface LinkDecision {
  /** The answer's message id. */
  answerId: string;
  /** Open questions by others, oldest first, with their evidence. */
  candidates: { questionId: string; features: LinkFeatureVector }[];
  /** The question linked, or null when none scored above "none". */
  chosen: string | null;
}

/** Options of {@linkcode Linker}. */
export interface LinkerOptions {
  /** How long a question stays open for the mention, name and last rules. @default 6 hours */
  windowSeconds?: number;
  /** The last rule: weigh the evidence (`scored`) or take the latest open question
   * (`nearest`, the former rule). @default "scored" */
  rule?: "scored" | "nearest";
  /** Weights of the evidence, in {@linkcode LINK_FEATURES} order. @default LINK_WEIGHTS */
  weights?: ArrayLike<number>;
  /** Called with every decision of the evidence rule (for fitting its weights). */
  onDecision?: (decision: LinkDecision) => void;
  /** A message labelled comment that replies to a question by someone else, or is posted in a
   * thread started from one, answers it when the model gives "answer" at least this
   * probability (the argmax misses answers there that are short or off-script). 1 turns it off.
   * @default 0.3 */
  replyAnswerProbability?: number;
  /** A plain message labelled comment (no reply, not in a thread) is weighed by the evidence
   * rule like a plain answer — marked as labelled comment, which the weights make it need more
   * evidence for — when the model gives "answer" at least this probability (on generated
   * exports about a quarter of such messages at 0.3–0.6 are answers). 1 turns it off.
   * @default 0.3 */
  plainAnswerProbability?: number;
  /** A question nothing else answers, whose asker thanks someone within 20 minutes of asking
   * ("ty, that worked"), is linked to the message thanked (`thanks`): the one the thanks
   * replies to, else of the last few messages by others since the question the one the model
   * gives the highest p(answer) (at least 0.1). @default true */
  thanks?: boolean;
  /** The asker's bump ("bump", "anyone?", "still stuck on this") on a question they have not
   * thanked anyone for takes back the links the evidence rule alone (`scored`) made to it:
   * nothing answered it yet. @default true */
  bumps?: boolean;
}

/** An open question with what the evidence rule needs about its exchange. */
interface OpenQuestion {
  record: QuestionRecord;
  /** Its content words, worked out when first weighed, and their hashes. */
  words: Set<string> | null;
  hashes: Uint32Array | null;
  /** The asker's account and display names, lowercased (for mentions and names). */
  names: [string, string];
  /** The same with "@" before each ("" for an empty name, which no text mentions). */
  atNames: [string, string];
  form: QuestionForm;
  /** Answer types it expects (see `expectedAnswerTypes`). */
  expects: number[];
  /** Content words of the answers linked to it so far (the first few). */
  answerWords: Set<string>[];
  /** Who took part in its exchange besides the asker (answers, replies into it). */
  people: Set<string>;
  /** Messages of its conversation read before it. */
  position: number;
  /** The message its asker thanked for after it (see {@linkcode LinkerOptions.thanks}). */
  thanked: Turn | null;
  /** Whether its asker thanked anyone since (a later bump is then about something else). */
  acknowledged: boolean;
  /** Links to it on evidence alone (`scored`), which the asker's bump takes back; null once
   * a link by reply, thread, mention or name came. */
  weakLinks: AnswerLink[] | null;
}

/** A recent message of a conversation, for an asker's thanks to point back at. */
interface Turn {
  id: string;
  author: string;
  time: number;
  label: Label;
  pAnswer: number;
  /** Messages of its conversation read before it. */
  position: number;
  /** Its entry in the recent messages (which exchange it joined), when remembered. */
  entry: RecentMessage | undefined;
}

/** A plain answer waiting a few messages for what follows it (the asker's "thanks, that
 * worked" tells which question it answered). */
interface PendingAnswer {
  message: ChatMessage;
  words: Set<string>;
  time: number;
  /** Open questions by others when it came, with their evidence then. */
  candidates: { open: OpenQuestion; features: LinkFeatureVector }[];
  /** Later messages of the conversation seen. */
  seen: number;
  /** Who replied to it, and who acknowledged (thanks, worked) soon after it. */
  repliedBy: Set<string>;
  acknowledgedBy: Set<string>;
  /** The first person besides its author to post after it. */
  nextAuthor: string | null;
}

interface Conversation {
  open: OpenQuestion[];
  /** Plain answers waiting for what follows them, oldest first. */
  pending: PendingAnswer[];
  /** Exchange (question id) of the previous message, or null. */
  previousExchange: string | null;
  previousAuthor: string;
  /** Messages read in it so far. */
  messages: number;
  /** Its last few messages (for the asker's thanks), a ring: the oldest at `turnAt` once full. */
  turns: Turn[];
  turnAt: number;
  /** Each asker's latest open question (for their thanks and bumps). */
  askers: Map<string, OpenQuestion>;
}

/** A recent message: its author and the exchange (question id) it belongs to. */
interface RecentMessage {
  author: string;
  exchange: string | null;
}

interface PendingThreadAnswer {
  answerId: string;
  author: string;
  time: number;
}

/** Recent messages remembered for reply chains: replies rarely point further back. */
const RECENT_LIMIT = 50_000;
/** People numbered below this make a pair key `x · PEOPLE_KEYED + y` (exact in a double); any
 * further ones a string. */
const PEOPLE_KEYED = 1 << 26;
/** Answers per question whose words are kept as evidence. */
const ANSWER_WORDS_KEPT = 3;
/** Open questions the evidence rule weighs for one answer, newest first. */
const MAX_CANDIDATES = 24;
/** The asker bumping their question: nothing answered it yet. */
const BUMP =
  /^\s*(?:bump(?:ing)?(?: this)?|anyone|any(?:one| ideas| help| luck)\s*\?|still (?:stuck|need help)(?: on this)?|\^+)\W*$/i;
/** How long after a question its asker's thanks still tells it was answered. */
const THANKS_MS = 20 * 60_000;
/** The least p(answer) of a message a plain thanks (no reply) may be for. */
const THANKS_MIN_P_ANSWER = 0.1;
/** Recent messages of a conversation an asker's thanks may point back at. */
const TURNS_KEPT = 12;
/** How long a plain answer waits for what follows it: this many later messages… */
const LOOKAHEAD_MESSAGES = 8;
/** … or this long, whichever comes first. */
const LOOKAHEAD_MS = 30 * 60_000;
/** An asker's acknowledgement of an answer. */
const ACKNOWLEDGES =
  /\b(?:thanks|thank you|thank u|thx|ty|tysm|cheers|worked|works now|got it|makes sense|that did it|fixed it|perfect|legend|life ?saver|appreciate it)\b/i;
const FEATURE = Object.fromEntries(LINK_FEATURES.map((f, i) => [f, i])) as Record<
  (typeof LINK_FEATURES)[number],
  number
>;

/**
 * Streams labelled messages through the linking rules; questions are kept (for the report),
 * other messages are not.
 * @example
 * ```ts
 * const linker = new Linker();
 * for (const m of labelled) linker.add(m);
 * linker.finish();
 * linker.questions; // every question with firstAnswerId, linkedBy, …
 * ```
 */
export class Linker {
  /** Every question seen, in reading order. */
  readonly questions: QuestionRecord[] = [];
  /** Answers linked to a question, as decided (a plain answer a few messages after it). */
  readonly links: AnswerLink[] = [];
  readonly #byId = new Map<string, QuestionRecord>();
  readonly #conversations = new Map<string, Conversation>();
  /** message id → its author and the question whose exchange it belongs to (recent messages
   * only, for replies; the evidence rule only). */
  readonly #recent = new RecentMap<RecentMessage>(RECENT_LIMIT);
  /** The message being added and its entry in `#recent` (saves looking it up again). */
  #latestId = "";
  #latest: RecentMessage | undefined;
  /** The entry in `#recent` of the message it replies to, once it is remembered. */
  #repliedEntry: RecentMessage | undefined;
  /** Two people (`#pairKey`) → when they last talked: a reply, or an answer linked. */
  readonly #talked = new RecentMap<number, number | string>(RECENT_LIMIT);
  /** Account name → a number of its own, for the keys of `#talked`: a number is hashed at once,
   * where a key string built for every weighed candidate was among the linker's largest costs. */
  readonly #people = new Map<string, number>();
  /** question id → its open state, while it is open. */
  readonly #openById = new Map<string, OpenQuestion>();
  /** Thread answers whose starter question was not read yet (it is in another file). */
  readonly #threadAnswers = new Map<string, PendingThreadAnswer>();
  readonly #windowMs: number;
  readonly #rule: "scored" | "nearest";
  readonly #weights: ArrayLike<number> | undefined;
  readonly #onDecision: ((decision: LinkDecision) => void) | undefined;
  readonly #replyAnswer: number;
  readonly #plainAnswer: number;
  readonly #thanks: boolean;
  readonly #bumps: boolean;
  /** Word associations learnt from the export's explicit links (reply, thread, mention, name). */
  readonly #associations = new WordAssociations();

  /** Starts with no questions; `windowSeconds` bounds how long one stays open. */
  constructor(options: LinkerOptions = {}) {
    this.#windowMs = (options.windowSeconds ?? 6 * 3600) * 1000;
    this.#rule = options.rule ?? "scored";
    this.#weights = options.weights;
    if (this.#weights && this.#weights.length !== LINK_FEATURES.length) {
      throw new RangeError(
        `Cannot use ${this.#weights.length} link weights: there are ${LINK_FEATURES.length} features`,
      );
    }
    this.#onDecision = options.onDecision;
    this.#replyAnswer = options.replyAnswerProbability ?? 0.3;
    this.#plainAnswer = options.plainAnswerProbability ?? 0.3;
    // (both read what the evidence rule keeps: the former rules stay as they were)
    this.#thanks = (options.thanks ?? true) && this.#rule === "scored";
    this.#bumps = (options.bumps ?? true) && this.#rule === "scored";
  }

  /** Feeds the next message (messages of one conversation must come in time order). */
  add(item: LabelledMessage): void {
    const m = item.message;
    const time = m.timestamp ? Date.parse(m.timestamp) : NaN;
    const conversation = this.#conversationOf(m.conversationId, time);
    // (the asker's own words after their question: tested only when they have one open)
    const asked = this.#rule === "scored" ? conversation.askers.get(m.userName) : undefined;
    const acknowledges = (conversation.pending.length > 0 || asked !== undefined) &&
      ACKNOWLEDGES.test(m.text);
    this.#observe(conversation, m, time, acknowledges);
    if (asked && acknowledges && item.label !== "question") {
      this.#thank(conversation, asked, m, time);
    }
    if (asked && this.#bumps && BUMP.test(m.text)) this.#bump(asked, m);
    if (this.#rule === "scored") {
      const to = m.replyTo ? this.#recent.get(m.replyTo) : undefined;
      if (to !== undefined) this.#noteTalk(m.userName, to.author, time);
      const entry: RecentMessage = { author: m.userName, exchange: null };
      const forgot = this.#recent.set(m.messageId, entry);
      this.#latestId = m.messageId;
      this.#latest = entry;
      // the lookup above still holds unless the set replaced it or forgot its generation
      this.#repliedEntry = m.replyTo && (forgot || m.replyTo === m.messageId)
        ? this.#recent.get(m.replyTo)
        : to;
    } else {
      this.#repliedEntry = undefined;
    }
    let exchange: string | null = null;
    if (item.label === "question") {
      const q: QuestionRecord = {
        id: m.messageId,
        channel: m.channel,
        channelId: m.channelId,
        guildId: m.guildId,
        conversationId: m.conversationId,
        author: m.userName,
        displayName: m.displayName,
        timestamp: m.timestamp,
        time,
        text: m.text,
        confidence: item.confidence,
        answers: 0,
        firstAnswerId: null,
        firstAnswerAuthor: null,
        secondsToFirstAnswer: null,
        linkedBy: null,
      };
      this.questions.push(q);
      this.#byId.set(q.id, q);
      const names: [string, string] = [m.userName.toLowerCase(), m.displayName.toLowerCase()];
      const open: OpenQuestion = {
        record: q,
        words: null,
        hashes: null,
        names,
        atNames: [names[0] && "@" + names[0], names[1] && "@" + names[1]],
        form: this.#rule === "scored" ? questionForm(m.text) : "other",
        expects: this.#rule === "scored" ? expectedAnswerTypes(m.text) : [],
        answerWords: [],
        people: new Set(),
        position: conversation.messages,
        thanked: null,
        acknowledged: false,
        weakLinks: [],
      };
      conversation.open.push(open);
      conversation.askers.set(q.author, open);
      this.#openById.set(q.id, open);
      exchange = q.id;
    } else if (item.label === "answer") {
      const found = this.#find(m, item.confidence, conversation, time);
      if (found.pending) conversation.pending.push(found.pending);
      else if (found.question && found.reason) {
        this.#attach(found.question, m, time, found.reason);
        exchange = found.question.id;
      }
    } else {
      const pAnswer = item.pAnswer ?? 0;
      const q = pAnswer >= this.#replyAnswer ? this.#repliedQuestion(m) : null;
      if (q) {
        this.#attach(q.question, m, time, q.reason);
        exchange = q.question.id;
      } else if (
        pAnswer >= this.#plainAnswer && this.#rule === "scored" && !m.replyTo && !m.thread
      ) {
        const others = conversation.open.filter((o) => o.record.author !== m.userName);
        if (others.length > 0) {
          conversation.pending.push(this.#pending(m, pAnswer, others, conversation, time, true));
        }
      }
    }
    // a comment joins the exchange it replies into (or its thread's)
    exchange ??= this.#replyExchange() ??
      (m.thread && this.#byId.has(m.conversationId) ? m.conversationId : null);
    if (exchange !== null) {
      if (item.label === "comment") this.#openById.get(exchange)?.people.add(m.userName);
      this.#remember(m.messageId, exchange);
    }
    if (this.#thanks) this.#turn(conversation, item, time);
    conversation.messages++;
    conversation.previousExchange = exchange;
    conversation.previousAuthor = m.userName;
  }

  /** Decides the answers still waiting, and links thread answers whose starter question came
   * later in the input. */
  finish(): void {
    for (const conversation of this.#conversations.values()) {
      while (conversation.pending.length > 0) this.#decide(conversation.pending.shift()!);
      for (const open of conversation.open) this.#close(open);
    }
    for (const [threadId, pending] of this.#threadAnswers) {
      const q = this.#byId.get(threadId);
      if (q && q.author !== pending.author) {
        this.#link(q, pending.answerId, pending.author, pending.time, "thread");
      }
    }
    this.#threadAnswers.clear();
    this.#conversations.clear();
    this.#openById.clear();
    this.#recent.clear();
    this.#latestId = "";
    this.#latest = this.#repliedEntry = undefined;
    this.#talked.clear();
    this.#people.clear();
  }

  /** Links an answer and makes it part of the question's exchange. */
  #attach(
    question: QuestionRecord,
    m: ChatMessage,
    time: number,
    reason: LinkReason,
    words?: Set<string>,
  ): void {
    this.#link(question, m.messageId, m.userName, time, reason);
    this.#remember(m.messageId, question.id);
    if (this.#rule === "scored") this.#noteTalk(m.userName, question.author, time);
    const open = this.#openById.get(question.id);
    if (open) {
      if (this.#rule === "scored" && reason !== "scored" && reason !== "chain") {
        open.hashes ??= hashWords(open.words ??= contentWords(question.text));
        this.#associations.learn(open.hashes, hashWords(words ??= contentWords(m.text)));
      }
      open.people.add(m.userName);
      if (this.#rule === "scored" && open.answerWords.length < ANSWER_WORDS_KEPT) {
        open.answerWords.push(words ?? contentWords(m.text));
      }
    }
  }

  /** Notes what `m` says about the answers waiting in its conversation; decides those whose
   * wait is over. */
  #observe(
    conversation: Conversation,
    m: ChatMessage,
    time: number,
    acknowledges: boolean,
  ): void {
    const pending = conversation.pending;
    if (pending.length === 0) return;
    for (const p of pending) {
      p.seen++;
      if (m.userName === p.message.userName) continue;
      p.nextAuthor ??= m.userName;
      if (m.replyTo === p.message.messageId) p.repliedBy.add(m.userName);
      else if (acknowledges && !m.replyTo) p.acknowledgedBy.add(m.userName);
    }
    while (
      pending.length > 0 &&
      (pending[0]!.seen >= LOOKAHEAD_MESSAGES || time - pending[0]!.time > LOOKAHEAD_MS)
    ) {
      this.#decide(pending.shift()!);
    }
  }

  /** The evidence rule's decision on a waiting answer, with what followed it. */
  #decide(p: PendingAnswer): void {
    const { message: m, words } = p;
    let best: { open: OpenQuestion; score: number } | undefined;
    for (const { open, features } of p.candidates) {
      // what may have changed while it waited: answers linked since, who took part
      let answerOverlap = 0;
      for (const a of open.answerWords) answerOverlap = Math.max(answerOverlap, overlap(words, a));
      features[FEATURE.alreadyAnswered] = open.record.answers > 0 ? 1 : 0;
      features[FEATURE.answerOverlap] = answerOverlap;
      features[FEATURE.answererTookPart] = open.people.has(m.userName) ? 1 : 0;
      features[FEATURE.talkedWithAsker] = this.#talkedSince(m.userName, open.record.author, p.time);
      features[FEATURE.askerRepliedToAnswer] = p.repliedBy.has(open.record.author) ? 1 : 0;
      features[FEATURE.askerAcknowledged] = p.acknowledgedBy.has(open.record.author) ? 1 : 0;
      features[FEATURE.askerSpokeNext] = p.nextAuthor === open.record.author ? 1 : 0;
      const score = linkScore(features, this.#weights);
      if (score > 0 && (!best || score > best.score)) best = { open, score };
    }
    this.#onDecision?.({
      answerId: m.messageId,
      candidates: p.candidates.map(({ open, features }) => ({
        questionId: open.record.id,
        features,
      })),
      chosen: best?.open.record.id ?? null,
    });
    if (best) this.#attach(best.open.record, m, p.time, "scored", words);
  }

  /** Keeps the message in its conversation's last few (reusing the oldest's record). */
  #turn(conversation: Conversation, item: LabelledMessage, time: number): void {
    const m = item.message;
    const turns = conversation.turns;
    const pAnswer = item.pAnswer ?? (item.label === "answer" ? item.confidence : 0);
    const entry = this.#latestId === m.messageId ? this.#latest : undefined;
    const position = conversation.messages;
    if (turns.length < TURNS_KEPT) {
      turns.push({
        id: m.messageId,
        author: m.userName,
        time,
        label: item.label,
        pAnswer,
        position,
        entry,
      });
      return;
    }
    const t = turns[conversation.turnAt]!;
    conversation.turnAt = (conversation.turnAt + 1) % TURNS_KEPT;
    t.id = m.messageId;
    t.author = m.userName;
    t.time = time;
    t.label = item.label;
    t.pAnswer = pAnswer;
    t.position = position;
    t.entry = entry;
  }

  /**
   * The asker's thanks after their question: remembers which message it thanks (the one it
   * replies to, else of the recent messages by others since the question the likeliest answer)
   * for the asker's latest open question, should nothing else answer it.
   */
  #thank(conversation: Conversation, open: OpenQuestion, m: ChatMessage, time: number): void {
    open.acknowledged = true;
    if (!this.#thanks || open.thanked || open.record.answers > 0) return;
    if (!(time - open.record.time <= THANKS_MS)) return;
    let thanked: Turn | undefined;
    const turns = conversation.turns;
    for (let k = 0; k < turns.length; k++) {
      const turn = turns[(conversation.turnAt + k) % turns.length]!; // oldest first
      if (turn.position <= open.position || turn.author === m.userName) continue;
      // a message that belongs to another question's exchange is thanked for that one
      const exchange = turn.entry?.exchange;
      if (exchange && exchange !== open.record.id) continue;
      if (m.replyTo) {
        if (turn.id === m.replyTo) thanked = turn;
        continue;
      }
      if (turn.label === "question" || turn.pAnswer < THANKS_MIN_P_ANSWER) continue;
      if (!thanked || turn.pAnswer >= thanked.pAnswer) thanked = turn;
    }
    if (thanked) open.thanked = { ...thanked }; // (the ring reuses its records)
  }

  /**
   * The asker's "bump" / "anyone?" on their question says nothing answered it yet: links made
   * to it on evidence alone were wrong, and are taken back.
   */
  #bump(latest: OpenQuestion, m: ChatMessage): void {
    const replied = m.replyTo ? this.#openById.get(m.replyTo) : undefined;
    if (replied && replied.record.author !== m.userName) return;
    const open = replied ?? latest;
    const weak = open.weakLinks;
    if (open.acknowledged || !weak || weak.length === 0) return;
    for (const link of weak) {
      const at = this.links.lastIndexOf(link);
      if (at !== -1) this.links.splice(at, 1);
    }
    weak.length = 0;
    const q = open.record;
    q.answers = 0;
    q.firstAnswerId =
      q.firstAnswerAuthor =
      q.secondsToFirstAnswer =
      q.linkedBy =
        null;
  }

  /** Links a question leaving the open ones to the message its asker thanked, if nothing else
   * answered it. */
  #close(open: OpenQuestion): void {
    const t = open.thanked;
    if (t && open.record.answers === 0) this.#link(open.record, t.id, t.author, t.time, "thanks");
  }

  /** Notes that two people talked (a reply, an answer) at `time`. */
  #noteTalk(a: string, b: string, time: number): void {
    if (a === b || !Number.isFinite(time)) return;
    this.#talked.set(this.#pairKey(a, b), time);
  }

  /** 1 when `a` and `b` talked within the window before `time`. */
  #talkedSince(a: string, b: string, time: number): number {
    const at = this.#talked.get(this.#pairKey(a, b));
    return at !== undefined && at <= time && time - at <= this.#windowMs ? 1 : 0;
  }

  /** The key of two people in `#talked`, the same in either order. */
  #pairKey(a: string, b: string): number | string {
    const x = this.#person(a);
    const y = this.#person(b);
    if (x >= PEOPLE_KEYED || y >= PEOPLE_KEYED) return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    return x < y ? x * PEOPLE_KEYED + y : y * PEOPLE_KEYED + x;
  }

  #person(name: string): number {
    let id = this.#people.get(name);
    if (id === undefined) this.#people.set(name, id = this.#people.size);
    return id;
  }

  #remember(messageId: string, exchange: string): void {
    const entry = messageId === this.#latestId ? this.#latest : this.#recent.get(messageId);
    if (entry) entry.exchange = exchange;
  }

  /** The question by someone else that `m` replies to or is in the thread of (not yet read
   * thread starters aside). */
  #repliedQuestion(m: ChatMessage): { question: QuestionRecord; reason: LinkReason } | null {
    const replied = m.replyTo ? this.#byId.get(m.replyTo) : undefined;
    if (replied && replied.author !== m.userName) return { question: replied, reason: "reply" };
    const started = m.thread ? this.#byId.get(m.conversationId) : undefined;
    if (started && started.author !== m.userName) return { question: started, reason: "thread" };
    return null;
  }

  /** The exchange (question id) the message being added replies into, if it replies to one. */
  #replyExchange(): string | null {
    return this.#repliedEntry?.exchange ?? null;
  }

  #find(
    m: ChatMessage,
    confidence: number,
    conversation: Conversation,
    time: number,
  ): { question?: QuestionRecord; reason?: LinkReason; pending?: PendingAnswer } {
    const author = m.userName;
    if (m.replyTo) {
      const q = this.#byId.get(m.replyTo);
      if (q && q.author !== author) return { question: q, reason: "reply" };
      const into = q || this.#rule === "nearest" ? undefined : this.#replyExchange();
      const chained = into === undefined || into === null ? undefined : this.#byId.get(into);
      if (chained && chained.author !== author) return { question: chained, reason: "chain" };
    }
    if (m.thread) {
      const q = this.#byId.get(m.conversationId);
      if (q) {
        if (q.author !== author) return { question: q, reason: "thread" };
      } else if (!this.#threadAnswers.has(m.conversationId)) {
        this.#threadAnswers.set(m.conversationId, { answerId: m.messageId, author, time });
      }
    }
    const others = conversation.open.filter((q) => q.record.author !== author);
    if (others.length === 0) return {};
    const mentioned = new Set((m.mentions ?? []).map((n) => n.toLowerCase()));
    const lower = m.text.toLowerCase();
    const byMention = others.filter(({ names, atNames }) =>
      mentioned.has(names[0]) || (atNames[0] !== "" && lower.includes(atNames[0])) ||
      mentioned.has(names[1]) || (atNames[1] !== "" && lower.includes(atNames[1]))
    );
    if (byMention.length > 0) {
      return { question: this.#best(m, byMention, others, conversation, time), reason: "mention" };
    }
    const byName = others.filter(({ names }) => namesWord(lower, names[1]));
    if (byName.length > 0) {
      return { question: this.#best(m, byName, others, conversation, time), reason: "name" };
    }
    if (this.#rule === "nearest") return { question: others.at(-1)!.record, reason: "nearest" };
    return { pending: this.#pending(m, confidence, others, conversation, time, false) };
  }

  /** A plain answer waiting to be weighed against the open questions by others. */
  #pending(
    m: ChatMessage,
    confidence: number,
    others: OpenQuestion[],
    conversation: Conversation,
    time: number,
    labelledComment: boolean,
  ): PendingAnswer {
    const words = contentWords(m.text);
    // The newest few only: a busy channel can hold a hundred open questions, and an answer to
    // one asked 25 questions ago without a reply or mention is too rare to weigh them all.
    const candidates = others.length > MAX_CANDIDATES ? others.slice(-MAX_CANDIDATES) : others;
    return {
      message: m,
      words,
      time,
      candidates: this.#score(
        m,
        words,
        confidence,
        candidates,
        conversation,
        time,
        labelledComment,
      ),
      seen: 0,
      repliedBy: new Set(),
      acknowledgedBy: new Set(),
      nextAuthor: null,
    };
  }

  /** Of the candidates a mention or name picked, the one with the best evidence (the latest
   * one with the former rule). */
  #best(
    m: ChatMessage,
    picked: OpenQuestion[],
    others: OpenQuestion[],
    conversation: Conversation,
    time: number,
  ): QuestionRecord {
    if (picked.length === 1 || this.#rule === "nearest") return picked.at(-1)!.record;
    const scored = this.#score(m, contentWords(m.text), 1, others, conversation, time)
      .filter((c) => picked.includes(c.open));
    return scored.reduce((a, b) => (b.score > a.score ? b : a)).open.record;
  }

  /** Evidence features and scores of each candidate (oldest first). */
  #score(
    m: ChatMessage,
    words: Set<string>,
    confidence: number,
    others: OpenQuestion[],
    conversation: Conversation,
    time: number,
    labelledComment = false,
  ): { open: OpenQuestion; features: LinkFeatureVector; score: number }[] {
    const mentionsSomeone = (m.mentions?.length ?? 0) > 0 || /(^|\s)@\w/.test(m.text) ? 1 : 0;
    const yesNo = isYesNoReply(m.text);
    const long = wordCount(m.text) >= 6;
    const hashes = hashWords(words);
    const expectedCue = expectedCueOf(m.text);
    return others.map((open, i) => {
      const q = open.record;
      const minutes = Number.isFinite(time) && Number.isFinite(q.time)
        ? Math.max(0, (time - q.time) / 60_000)
        : 0;
      let answerOverlap = 0;
      for (const a of open.answerWords) answerOverlap = Math.max(answerOverlap, overlap(words, a));
      const features = Float64Array.of(
        1,
        Math.log1p(minutes),
        Math.log1p(others.length - 1 - i),
        Math.log1p(conversation.messages - open.position - 1),
        q.answers > 0 ? 1 : 0,
        overlap(words, open.words ??= contentWords(q.text)),
        answerOverlap,
        open.people.has(m.userName) ? 1 : 0,
        this.#talkedSince(m.userName, q.author, time),
        conversation.previousExchange === q.id ? 1 : 0,
        conversation.previousAuthor === q.author ? 1 : 0,
        confidence,
        mentionsSomeone,
        yesNo && open.form === "polar" ? 1 : 0,
        yesNo && open.form === "open" ? 1 : 0,
        long && open.form === "open" ? 1 : 0,
        expectedCue(open.expects) ? 1 : 0,
        0, // askerRepliedToAnswer: known once later messages are read
        0, // askerAcknowledged: likewise
        confidence >= 0.95 ? 1 : 0,
        i === others.length - 1 ? 1 : 0,
        minutes < 2 ? 1 : 0,
        minutes > 60 ? 1 : 0,
        this.#associations.score(open.hashes ??= hashWords(open.words), hashes),
        labelledComment ? 1 : 0,
        0, // askerSpokeNext: known once later messages are read
      );
      return { open, features, score: linkScore(features, this.#weights) };
    });
  }

  #link(q: QuestionRecord, answerId: string, author: string, time: number, reason: LinkReason) {
    q.answers++;
    const link: AnswerLink = { answerId, answerAuthor: author, questionId: q.id, reason };
    this.links.push(link);
    const open = this.#openById.get(q.id);
    if (open?.weakLinks) {
      if (reason === "scored") open.weakLinks.push(link);
      else open.weakLinks = null;
    }
    const seconds = Number.isFinite(time) && Number.isFinite(q.time)
      ? Math.max(0, (time - q.time) / 1000)
      : null;
    const earlier = q.firstAnswerId === null ||
      (seconds !== null && q.secondsToFirstAnswer !== null && seconds < q.secondsToFirstAnswer);
    if (earlier) {
      q.firstAnswerId = answerId;
      q.firstAnswerAuthor = author;
      q.secondsToFirstAnswer = seconds;
      q.linkedBy = reason;
    }
  }

  /** The conversation's state, with questions older than the window closed. */
  #conversationOf(conversationId: string, time: number): Conversation {
    let c = this.#conversations.get(conversationId);
    if (!c) {
      c = {
        open: [],
        pending: [],
        previousExchange: null,
        previousAuthor: "",
        messages: 0,
        turns: [],
        turnAt: 0,
        askers: new Map(),
      };
      this.#conversations.set(conversationId, c);
    }
    const open = c.open;
    let drop = 0;
    if (Number.isFinite(time)) {
      while (drop < open.length && time - open[drop]!.record.time > this.#windowMs) drop++;
    } else if (open.length > 20) {
      drop = open.length - 20; // no times: keep the last few questions open
    }
    if (drop > 0) {
      for (const q of open.splice(0, drop)) {
        this.#openById.delete(q.record.id);
        if (c.askers.get(q.record.author) === q) c.askers.delete(q.record.author);
        this.#close(q);
      }
    }
    return c;
  }
}

/** Whether `name` (3+ characters) occurs in `text` as a whole word. */
function namesWord(text: string, name: string): boolean {
  if (name.length < 3) return false;
  let from = 0;
  for (;;) {
    const at = text.indexOf(name, from);
    if (at === -1) return false;
    const before = at === 0 ? "" : text[at - 1]!;
    const after = text[at + name.length] ?? "";
    if (!/[\p{L}\p{N}_]/u.test(before) && !/[\p{L}\p{N}_]/u.test(after)) return true;
    from = at + 1;
  }
}
