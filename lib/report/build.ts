/**
 * The community report: messages in (streamed), classified in batches, answers linked to
 * questions, then per-channel and overall figures — answered share, time to first answer,
 * unanswered questions oldest first, top helpers — plus one record per question. Memory holds
 * the questions and a few sample conversations, never the whole chat.
 * @module
 */

import { type Label, LABELS } from "../data/types.ts";
import type { ChatMessage, ReadStats } from "../data/discord/types.ts";
import { Linker, type LinkerOptions, type LinkReason, type QuestionRecord } from "./link.ts";

const ANSWER = LABELS.indexOf("answer");

/** Class probabilities `n × 3` in {@linkcode LABELS} order for a batch of messages, in order. */
export type MessageClassifier = (
  messages: readonly ChatMessage[],
) => Float32Array | Promise<Float32Array>;

/** One question in `report.json` (these field names are read by other tools: keep them). */
export interface ReportQuestion {
  /** The question's message id. */
  id: string;
  /** Channel name it was asked in. */
  channel: string;
  /** The asker's account name. */
  author: string;
  /** When it was asked (ISO 8601, as in the export). */
  timestamp: string;
  /** The question's text. */
  text: string;
  /** Whether an answer was linked to it. */
  answered: boolean;
  /** Message id of the first linked answer, or null. */
  firstAnswerId: string | null;
  /** Seconds from the question to its first linked answer, or null. */
  secondsToFirstAnswer: number | null;
  /** The rule that linked the first answer, or null. */
  linkedBy: LinkReason | null;
}

/** An unanswered question with where to find it. */
export interface UnansweredQuestion {
  /** The question's message id. */
  id: string;
  /** Channel name it was asked in. */
  channel: string;
  /** The channel or thread it was asked in. */
  channelId: string;
  /** The asker's account name. */
  author: string;
  /** When it was asked (ISO 8601, as in the export). */
  timestamp: string;
  /** The question's text. */
  text: string;
  /** Discord jump link, or null when the export has no guild id (CSV flavour). */
  url: string | null;
}

/** A person who answered others' questions. */
export interface Helper {
  /** The answerer's account name. */
  name: string;
  /** Questions they answered (linked answers). */
  answers: number;
}

/** Figures of one channel, or of the whole export. */
export interface ReportFigures {
  /** Chat messages in the report (after the filters). */
  messages: number;
  /** Messages the model labelled question. */
  questions: number;
  /** Questions with at least one linked answer. */
  answered: number;
  /** answered / questions (0 when there are no questions). */
  answeredShare: number;
  /** Over answered questions with times; null when there are none. */
  medianSecondsToFirstAnswer: number | null;
  /** 90th percentile of the same times; null when there are none. */
  p90SecondsToFirstAnswer: number | null;
  /** Ids of unanswered questions, oldest first. */
  unanswered: string[];
  /** Who answered most, most answers first. */
  topHelpers: Helper[];
}

/** A short stretch of a conversation around a question, for the page's viewer. */
export interface SampleConversation {
  /** Channel name. */
  channel: string;
  /** The conversation (channel or thread) the stretch comes from. */
  conversationId: string;
  /** The messages, in reading order, with the model's label and its probability. */
  messages: {
    id: string;
    user: string;
    text: string;
    timestamp: string;
    replyTo: string | null;
    predicted: Label;
    confidence: number;
    /** For an answer: the question it was linked to. */
    answers?: string;
  }[];
}

/** What `report.json` holds. */
export interface CommunityReport {
  /** Version of this shape. */
  format: "qac-report/1";
  /** When the report was built (ISO 8601). */
  generatedAt: string;
  /** What was read: the export, its guild, and what reading left out. */
  source: {
    path: string;
    guild: string | null;
    guildId: string | null;
    files: number;
    failedFiles: number;
    /** Chat messages read (before the --since/--until/--channel filters). */
    messagesRead: number;
    skipped: Record<string, number>;
  };
  /** The settings the report was built with. */
  options: {
    since: string | null;
    until: string | null;
    channels: string[] | null;
    minConfidence: number;
    windowSeconds: number;
    model: string | null;
  };
  /** Figures over every channel. */
  overall: ReportFigures;
  /** Figures per channel. */
  channels: (ReportFigures & { channel: string })[];
  /** Predicted labels of the messages in the report. */
  labels: Record<Label, number>;
  /** Linked answers by rule. */
  linkedBy: Record<string, number>;
  /** Questions asked per weekday (0 = Monday) and hour, UTC: `[weekday][hour]`. */
  questionsByWeekdayHour: number[][];
  /** Every question, oldest first. */
  questions: ReportQuestion[];
  /** Every unanswered question, oldest first, with its Discord jump link. */
  unansweredQuestions: UnansweredQuestion[];
  /** A few conversations around questions, with predicted labels. */
  samples: SampleConversation[];
}

/** Options of {@linkcode buildReport}. */
export interface BuildReportOptions {
  /** Only messages at or after this time (ISO 8601). */
  since?: string;
  /** Only messages before this time (ISO 8601). */
  until?: string;
  /** Only these channels (names or ids). */
  channels?: readonly string[];
  /** Questions and answers below this probability count as comments (on generated exports,
   * most messages the default model labels question or answer at under 0.6 are comments, and
   * dropping them gave more right links and a truer unanswered list). @default 0.6 */
  minConfidence?: number;
  /** How long a question stays open for the mention, name and evidence rules. @default 21600 (6 h) */
  windowSeconds?: number;
  /** How answers are linked besides the window (rule, weights, a decision hook). @default the
   * evidence rule with its fitted weights */
  linking?: Omit<LinkerOptions, "windowSeconds">;
  /** Messages per classifier call. @default 4096 */
  batchSize?: number;
  /** Batches being classified at once while later ones are read; more than 1 pays off with a
   * classifier on worker threads. @default 1 */
  concurrency?: number;
  /** Helpers listed per channel. @default 10 */
  topHelpers?: number;
  /** Sample conversations kept for the viewer. @default 40 */
  samples?: number;
  /** What reading saw; copied into `source`. */
  stats?: ReadStats;
  /** The export's path, for `source.path`. */
  sourcePath?: string;
  /** Model run id, for `options.model`. */
  model?: string;
  /** Called after each batch with messages classified so far. */
  onProgress?: (messages: number) => void;
  /** Stops the work between batches (e.g. Ctrl-C); the promise then rejects. */
  signal?: AbortSignal;
  /** Fixed clock for `generatedAt`, for tests. */
  now?: () => Date;
}

/**
 * Builds the community report from a stream of chat messages (messages of one conversation in
 * time order, as exports give them).
 * @throws {RangeError} when `since`/`until` are not dates or `minConfidence` is outside [0, 1]
 * @example
 * ```ts
 * const stats = emptyReadStats();
 * const report = await buildReport(readExport("exports/", { stats }), classifierFor(bundle), {
 *   stats,
 * });
 * report.overall.answeredShare; // e.g. 0.71
 * ```
 */
export async function buildReport(
  messages: AsyncIterable<ChatMessage> | Iterable<ChatMessage>,
  classify: MessageClassifier,
  options: BuildReportOptions = {},
): Promise<CommunityReport> {
  const { since, until } = parseTimeRange(options.since, options.until);
  const minConfidence = options.minConfidence ?? 0.6;
  if (!(minConfidence >= 0 && minConfidence <= 1)) {
    throw new RangeError(`Cannot use min confidence ${minConfidence}: it must be in [0, 1]`);
  }
  const windowSeconds = options.windowSeconds ?? 6 * 3600;
  const batchSize = options.batchSize ?? 4096;
  const channelFilter = options.channels && options.channels.length > 0
    ? new Set(options.channels.map((c) => c.replace(/^#/, "").toLowerCase()))
    : null;
  const linker = new Linker({ ...options.linking, windowSeconds });
  const perChannel = new Map<string, { messages: number }>();
  const labels = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  const weekHour = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  const sampler = new Sampler(options.samples ?? 40);
  let guildId: string | null = null;
  let done = 0;

  const concurrency = options.concurrency ?? 1;
  const inFlight: { batch: ChatMessage[]; probabilities: Promise<Float32Array> }[] = [];
  const submit = async (batch: ChatMessage[]) => {
    options.signal?.throwIfAborted();
    const probabilities = Promise.resolve(classify(batch));
    probabilities.catch(() => {}); // awaited below, in order
    inFlight.push({ batch, probabilities });
    while (inFlight.length >= concurrency) {
      const oldest = inFlight.shift()!;
      absorb(oldest.batch, await oldest.probabilities);
    }
  };
  const absorb = (batch: ChatMessage[], p: Float32Array) => {
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i]!;
      let best = 0;
      for (let c = 1; c < 3; c++) if (p[i * 3 + c]! > p[i * 3 + best]!) best = c;
      let label = LABELS[best]!;
      const confidence = p[i * 3 + best]!;
      if (label !== "comment" && confidence < minConfidence) label = "comment";
      labels[label]++;
      linker.add({ message: m, label, confidence, pAnswer: p[i * 3 + ANSWER]! });
      if (label === "question" && m.timestamp) {
        const d = new Date(m.timestamp);
        weekHour[(d.getUTCDay() + 6) % 7]![d.getUTCHours()]!++;
      }
      sampler.add(m, label, confidence);
    }
    done += batch.length;
    options.onProgress?.(done);
  };

  let batch: ChatMessage[] = [];
  // the channels --channel left out, to name them when it matched none (a typo, most likely)
  const otherChannels = new Set<string>();
  let channelMatched = false;
  for await (const m of messages) {
    if (channelFilter) {
      if (!channelFilter.has(m.channel.toLowerCase()) && !channelFilter.has(m.channelId)) {
        otherChannels.add(m.channel);
        continue;
      }
      channelMatched = true;
    }
    if (since !== null || until !== null) {
      const t = Date.parse(m.timestamp);
      if (since !== null && !(t >= since)) continue;
      if (until !== null && !(t < until)) continue;
    }
    guildId ??= m.guildId || null;
    const c = perChannel.get(m.channel) ?? { messages: 0 };
    c.messages++;
    perChannel.set(m.channel, c);
    batch.push(m);
    if (batch.length >= batchSize) {
      await submit(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await submit(batch);
  if (channelFilter && !channelMatched && otherChannels.size > 0) {
    const names = [...otherChannels].sort();
    throw new RangeError(
      `Cannot report on channel ${options.channels!.map((c) => `"${c}"`).join(", ")}: the ` +
        `export has no such channel; its channels are ${names.slice(0, 20).join(", ")}${
          names.length > 20 ? `, … (${names.length} in all)` : ""
        }`,
    );
  }
  for (const { batch, probabilities } of inFlight.splice(0)) absorb(batch, await probabilities);
  options.signal?.throwIfAborted();
  linker.finish();

  const linkedBy: Record<string, number> = {};
  for (const link of linker.links) linkedBy[link.reason] = (linkedBy[link.reason] ?? 0) + 1;
  // the viewer shows what each answer was linked to (some links are decided a few messages on)
  // (a map of the sampled messages, not of every link: the last link of an answer counts)
  const views = new Map<string, SampleConversation["messages"]>();
  for (const view of sampler.samples.flatMap((s) => s.messages)) {
    views.set(view.id, [...(views.get(view.id) ?? []), view]);
  }
  for (const link of linker.links) {
    for (const view of views.get(link.answerId) ?? []) view.answers = link.questionId;
  }
  const helpersIn = new Map<string, Map<string, number>>();
  const allHelpers = new Map<string, number>();
  const questionChannel = new Map<string, string>();
  for (const q of linker.questions) questionChannel.set(q.id, q.channel);
  for (const link of linker.links) {
    const channel = questionChannel.get(link.questionId)!;
    const map = helpersIn.get(channel) ?? new Map<string, number>();
    map.set(link.answerAuthor, (map.get(link.answerAuthor) ?? 0) + 1);
    helpersIn.set(channel, map);
    allHelpers.set(link.answerAuthor, (allHelpers.get(link.answerAuthor) ?? 0) + 1);
  }
  const topN = options.topHelpers ?? 10;
  const byChannel = new Map<string, QuestionRecord[]>();
  for (const q of linker.questions) {
    const list = byChannel.get(q.channel) ?? [];
    list.push(q);
    byChannel.set(q.channel, list);
  }
  const channels = [...perChannel.entries()]
    .sort((a, b) => b[1].messages - a[1].messages || (a[0] < b[0] ? -1 : 1))
    .map(([channel, c]) => ({
      channel,
      ...figures(c.messages, byChannel.get(channel) ?? [], helpersIn.get(channel), topN),
    }));
  const totalMessages = channels.reduce((s, c) => s + c.messages, 0);
  const stats = options.stats;
  return {
    format: "qac-report/1",
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    source: {
      path: options.sourcePath ?? "",
      guild: stats?.guildName ?? null,
      guildId,
      files: stats?.files ?? 0,
      failedFiles: stats?.failedFiles ?? 0,
      messagesRead: stats?.messages ?? totalMessages,
      skipped: { ...(stats?.skipped ?? {}) },
    },
    options: {
      since: since === null ? null : new Date(since).toISOString(),
      until: until === null ? null : new Date(until).toISOString(),
      channels: channelFilter ? [...options.channels!] : null,
      minConfidence,
      windowSeconds,
      model: options.model ?? null,
    },
    overall: figures(totalMessages, linker.questions, allHelpers, topN),
    channels,
    labels,
    linkedBy,
    questionsByWeekdayHour: weekHour,
    // oldest first (files are read channel by channel); stable for equal times
    questions: [...linker.questions].sort(compareTime).map(toReportQuestion),
    unansweredQuestions: linker.questions.filter((q) => q.firstAnswerId === null)
      .sort(compareTime)
      .map((q) => ({
        id: q.id,
        channel: q.channel,
        channelId: q.channelId,
        author: q.author,
        timestamp: q.timestamp,
        text: q.text,
        url: jumpLink(q.guildId, q.channelId, q.id),
      })),
    samples: sampler.samples,
  };
}

/**
 * `https://discord.com/channels/<guild>/<channel>/<message>`, or null when an id is missing or
 * not a Discord snowflake (numeric).
 */
export function jumpLink(guildId: string, channelId: string, messageId: string): string | null {
  const snowflake = /^\d+$/;
  if (![guildId, channelId, messageId].every((id) => snowflake.test(id))) return null;
  return `https://discord.com/channels/${guildId}/${channelId}/${messageId}`;
}

function toReportQuestion(q: QuestionRecord): ReportQuestion {
  return {
    id: q.id,
    channel: q.channel,
    author: q.author,
    timestamp: q.timestamp,
    text: q.text,
    answered: q.firstAnswerId !== null,
    firstAnswerId: q.firstAnswerId,
    secondsToFirstAnswer: q.secondsToFirstAnswer === null
      ? null
      : Math.round(q.secondsToFirstAnswer * 1000) / 1000,
    linkedBy: q.linkedBy,
  };
}

function figures(
  messages: number,
  questions: readonly QuestionRecord[],
  helpers: Map<string, number> | undefined,
  topN: number,
): ReportFigures {
  const answered = questions.filter((q) => q.firstAnswerId !== null);
  const waits = answered.flatMap((q) =>
    q.secondsToFirstAnswer === null ? [] : [q.secondsToFirstAnswer]
  ).sort((a, b) => a - b);
  const unanswered = questions.filter((q) => q.firstAnswerId === null)
    .sort((a, b) => compareTime(a, b))
    .map((q) => q.id);
  return {
    messages,
    questions: questions.length,
    answered: answered.length,
    answeredShare: questions.length === 0 ? 0 : answered.length / questions.length,
    medianSecondsToFirstAnswer: quantile(waits, 0.5),
    p90SecondsToFirstAnswer: quantile(waits, 0.9),
    unanswered,
    topHelpers: [...(helpers ?? new Map<string, number>()).entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, topN)
      .map(([name, answers]) => ({ name, answers })),
  };
}

/** Oldest first; questions without a time go last, in reading order. */
function compareTime(a: QuestionRecord, b: QuestionRecord): number {
  const ta = Number.isFinite(a.time) ? a.time : Infinity;
  const tb = Number.isFinite(b.time) ? b.time : Infinity;
  return ta - tb;
}

/**
 * The `q`-quantile of sorted values, linear between closest ranks (NumPy's default), or null
 * when there are none.
 */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/**
 * Reads a `--since`/`--until` value as epoch milliseconds; empty or absent is `null`.
 * @throws {RangeError} when the value is not a date
 */
export function parseTime(value: string | undefined, name: string): number | null {
  if (value === undefined || value === "") return null;
  const t = Date.parse(value);
  if (Number.isNaN(t)) {
    throw new RangeError(`Cannot read --${name}: "${value}" is not a date (e.g. 2024-03-01)`);
  }
  return t;
}

/**
 * `since` and `until` as milliseconds (null when not given).
 * @throws {RangeError} when one is not a date, or `since` is not before `until` (no message
 * could be in the report: it would read as a quiet server, not as a mistake)
 */
export function parseTimeRange(
  since: string | undefined,
  until: string | undefined,
): { since: number | null; until: number | null } {
  const from = parseTime(since, "since");
  const to = parseTime(until, "until");
  if (from !== null && to !== null && from >= to) {
    throw new RangeError(
      `Cannot use --since ${since} with --until ${until}: no message can be at or after the ` +
        `first and before the second; swap them`,
    );
  }
  return { since: from, until: to };
}

/**
 * Keeps a few stretches of conversation around questions: the 4 messages before a question and
 * the 10 after it in the same conversation, for the first `limit` questions spread over channels.
 */
class Sampler {
  readonly samples: SampleConversation[] = [];
  readonly #limit: number;
  readonly #recent = new Map<string, SampleConversation["messages"]>();
  readonly #active = new Map<string, { sample: SampleConversation; left: number }>();
  readonly #perChannel = new Map<string, number>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(m: ChatMessage, label: Label, confidence: number): void {
    if (this.#limit === 0) return;
    const active = this.#active.get(m.conversationId);
    if (!active && this.samples.length >= this.#limit) {
      this.#recent.clear();
      return; // all samples taken: nothing to keep for this message
    }
    const view: SampleConversation["messages"][number] = {
      id: m.messageId,
      user: m.displayName || m.userName,
      text: m.text.length > 600 ? m.text.slice(0, 600) + "…" : m.text,
      timestamp: m.timestamp,
      replyTo: m.replyTo,
      predicted: label,
      confidence: Math.round(confidence * 1000) / 1000,
    };
    if (active) {
      active.sample.messages.push(view);
      if (--active.left <= 0) this.#active.delete(m.conversationId);
      return;
    }
    const recent = this.#recent.get(m.conversationId) ?? [];
    const taken = this.#perChannel.get(m.channel) ?? 0;
    // At most a quarter of the samples from one channel, so small channels show too.
    if (
      label === "question" && this.samples.length < this.#limit &&
      taken < Math.max(2, Math.ceil(this.#limit / 4))
    ) {
      const sample = {
        channel: m.channel,
        conversationId: m.conversationId,
        messages: [...recent, view],
      };
      this.samples.push(sample);
      this.#perChannel.set(m.channel, taken + 1);
      this.#active.set(m.conversationId, { sample, left: 10 });
      this.#recent.delete(m.conversationId);
      return;
    }
    if (this.samples.length >= this.#limit) {
      this.#recent.clear();
      return;
    }
    recent.push(view);
    if (recent.length > 4) recent.shift();
    this.#recent.set(m.conversationId, recent);
  }
}
