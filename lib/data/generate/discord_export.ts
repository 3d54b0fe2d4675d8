/**
 * Writes generated messages as a DiscordChatExporter JSON export — one file per channel, the
 * fields and types DiscordChatExporter writes (`guild`, `channel`, `dateRange`, `exportedAt`,
 * `messages[]`, `messageCount`) — plus `truth.csv` beside it with each message's label, the
 * question an answer answers and its thread, so a report on the export can be scored.
 *
 * Like a real server, the export holds more than chat: members joining (`GuildMemberJoin`), a bot
 * (level-up messages), pins (`ChannelPinnedMessage`), screenshots sent with no text, edits and
 * reactions. Replies with a reply link are `Reply` messages with a `reference`. Ids are
 * snowflakes: the message time in their high bits, so they sort like the messages.
 *
 * Streams: windows are added one at a time and written through small per-channel buffers, so a
 * million-message export needs little memory. Files are written beside their final names and
 * renamed on {@linkcode DiscordExportWriter.close}; {@linkcode DiscordExportWriter.abort} removes
 * them, so an interrupted run leaves no partial export.
 * @module
 */

import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { makeFolder } from "../atomic.ts";
import { createPrng, pick, type Prng } from "../random.ts";
import type { Message } from "../types.ts";
import { CHANNEL_INFO } from "./channels.ts";

/** Discord's epoch (2015-01-01), the zero of snowflake timestamps. */
const DISCORD_EPOCH_MS = 1_420_070_400_000n;

/** Columns of `truth.csv`. */
export const TRUTH_COLUMNS = [
  "message_id",
  "channel",
  "kind",
  "label",
  "answers",
  "thread_id",
  "conversation_id",
  "source_id",
  "reply_to",
] as const;

/** What a row of the export is: chat (labelled) or one of the things a report must skip. */
export type ExportKind = "chat" | "join" | "bot" | "pin" | "attachment" | "thread";

/** A user as DiscordChatExporter writes it (author and mentions). */
export interface DiscordUser {
  id: string;
  name: string;
  discriminator: string;
  nickname: string;
  color: string | null;
  isBot: boolean;
  roles: { id: string; name: string; color: string | null; position: number }[];
  avatarUrl: string;
}

/** A message as DiscordChatExporter writes it (the fields qac fills). */
export interface DiscordMessage {
  id: string;
  type: "Default" | "Reply" | "GuildMemberJoin" | "ChannelPinnedMessage" | "ThreadCreated";
  timestamp: string;
  timestampEdited: string | null;
  callEndedTimestamp: null;
  isPinned: boolean;
  content: string;
  author: DiscordUser;
  attachments: { id: string; url: string; fileName: string; fileSizeBytes: number }[];
  embeds: never[];
  stickers: never[];
  reactions: {
    emoji: { id: null; name: string; code: string; isAnimated: false; imageUrl: string };
    count: number;
    users: never[];
  }[];
  mentions: DiscordUser[];
  reference?: { type: "Default"; messageId: string | null; channelId: string; guildId: string };
  inlineEmojis: never[];
}

/** The head of one channel file (everything but `messages` and `messageCount`). */
export interface DiscordChannelHead {
  guild: { id: string; name: string; iconUrl: string };
  /** A thread's `category` is its parent channel (as DiscordChatExporter writes it). */
  channel: {
    id: string;
    type: "GuildTextChat" | "GuildPublicThread";
    categoryId: string;
    category: string;
    name: string;
    topic: string | null;
  };
  dateRange: { after: null; before: null };
  exportedAt: string;
}

/** Options of {@linkcode DiscordExportWriter}. */
export interface DiscordExportOptions {
  /** @default "Break Into Data" */
  guildName?: string;
  /** Written as `exportedAt` (fixed, so the same input gives the same bytes). @default "2026-01-01T00:00:00.000+00:00" */
  exportedAt?: string;
  /** Seed of the extras (joins, bot, pins, attachments, edits, reactions). @default 42 */
  seed?: number;
  /** Add the non-chat extras. @default true */
  extras?: boolean;
}

/** What {@linkcode DiscordExportWriter.close} reports. */
export interface DiscordExportSummary {
  /** Channel files written (full paths). */
  files: string[];
  /** Path of the `truth.csv` written beside the channel files. */
  truth: string;
  /** Rows written, per kind. */
  counts: Record<ExportKind, number>;
}

interface Pending {
  time: number;
  seq: number;
  message: DiscordMessage;
  truth: string[];
}

interface ChannelFile {
  id: string;
  name: string;
  /** For a thread, its parent channel's name (truth rows name the parent). */
  parent: string | null;
  path: string;
  finished: boolean;
  file: Deno.FsFile;
  buffer: Pending[];
  written: number;
  out: string;
}

const encoder = new TextEncoder();
const FLUSH_CHARS = 1 << 20;

const BOT = "Lvl-Bot";
const REACTIONS: readonly [string, string][] = [
  ["👍", "thumbsup"],
  ["😂", "joy"],
  ["🔥", "fire"],
  ["❤️", "heart"],
  ["🎉", "tada"],
  ["👀", "eyes"],
];

/**
 * Writes a DiscordChatExporter export of generated stream windows into a folder.
 * @example
 * ```ts
 * const writer = await DiscordExportWriter.open("data/discord");
 * for (const window of generateWindows({ conversations: 50 })) writer.add(window);
 * const summary = await writer.close();
 * ```
 */
export class DiscordExportWriter {
  readonly #dir: string;
  /** Folders `open` created, innermost first: `abort` removes them when they hold nothing. */
  #created: string[] = [];
  readonly #guildId: string;
  readonly #guildName: string;
  readonly #exportedAt: string;
  readonly #extras: boolean;
  readonly #prng: Prng;
  readonly #channels = new Map<string, ChannelFile>();
  readonly #truth: { path: string; file: Deno.FsFile; out: string };
  readonly #counts: Record<ExportKind, number> = {
    chat: 0,
    join: 0,
    bot: 0,
    pin: 0,
    attachment: 0,
    thread: 0,
  };
  readonly #threads: ChannelFile[] = [];
  readonly #members = new Set<string>();
  #seq = 0;
  #closed = false;

  private constructor(dir: string, options: DiscordExportOptions) {
    this.#dir = dir;
    this.#guildName = options.guildName ?? "Break Into Data";
    this.#guildId = userId(`guild:${this.#guildName}`);
    this.#exportedAt = options.exportedAt ?? "2026-01-01T00:00:00.000+00:00";
    this.#extras = options.extras ?? true;
    this.#prng = createPrng(options.seed ?? 42);
    const path = join(dir, "truth.csv");
    this.#truth = {
      path,
      file: Deno.openSync(`${path}.tmp`, { write: true, create: true, truncate: true }),
      out: stringify([TRUTH_COLUMNS as unknown as string[]]),
    };
  }

  /**
   * Creates `dir` if needed and opens the truth file.
   * @throws {Deno.errors.AlreadyExists} when `dir` already holds an export (`.json` files or
   * `truth.csv`): files of two runs would mix.
   */
  static async open(dir: string, options: DiscordExportOptions = {}): Promise<DiscordExportWriter> {
    const created = await makeFolder(dir);
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.endsWith(".json") || entry.name === "truth.csv") {
        throw new Deno.errors.AlreadyExists(
          `Cannot write a Discord export to "${dir}": it already holds one ("${entry.name}"); remove it or choose another --out`,
        );
      }
    }
    const writer = new DiscordExportWriter(dir, options);
    writer.#created = created;
    return writer;
  }

  /**
   * Adds one stream window (messages of one channel, in stream order). Windows must come in the
   * order of their start times, as the generator yields them.
   */
  add(window: readonly Message[]): void {
    if (this.#closed) throw new Error("Cannot add to a Discord export: it is closed");
    const first = window[0];
    if (!first) return;
    const start = Date.parse(first.timestamp);
    // Nothing later can be earlier than this window's start: flush what is older.
    for (const channel of this.#channels.values()) this.#flush(channel, start);
    const parent = this.#channel(first.channel);
    const prng = this.#prng;
    // Reply links and answers stay within a window, so ids are looked up per window.
    const ids = new Map<string, string>(); // generator message id → snowflake
    // Some help threads continue in a Discord thread: the question stays in the channel, a
    // "ThreadCreated" notice follows it, and the rest of the thread goes to the thread's file.
    const opened = this.#extras ? this.#pickThreads(window) : new Map<string, string>();
    const threadFiles = new Map<string, ChannelFile>(); // logical thread id → thread file
    const homes = new Map<string, ChannelFile>(); // generator message id → file it is in
    for (const m of window) {
      const time = Date.parse(m.timestamp);
      const threadFile = m.threadId ? threadFiles.get(m.threadId) : undefined;
      const channel = threadFile ?? parent;
      if (this.#extras && !this.#members.has(m.userName)) {
        this.#members.add(m.userName);
        if (prng() < 0.04) {
          // A minute before their first message, but never before what was already flushed.
          const at = Math.max(start, time - 60_000);
          this.#push(parent, at, this.#join(m.userName, at));
        }
      }
      const id = this.#snowflake(time);
      ids.set(m.messageId, id);
      homes.set(m.messageId, channel);
      const replyTo = m.replyTo ? ids.get(m.replyTo) : undefined;
      const message: DiscordMessage = {
        id,
        type: replyTo ? "Reply" : "Default",
        timestamp: discordTime(time),
        timestampEdited: this.#extras && prng() < 0.03 ? discordTime(time + 45_000) : null,
        callEndedTimestamp: null,
        isPinned: false,
        content: m.text,
        author: user(m.userName, false),
        attachments: [],
        embeds: [],
        stickers: [],
        reactions: this.#extras && prng() < 0.06 ? [reaction(prng)] : [],
        mentions: (m.mentions ?? []).map((name) => user(name, false)),
        ...(replyTo ? { reference: this.#reference(replyTo, homes.get(m.replyTo!)!) } : {}),
        inlineEmojis: [],
      };
      if (m.threadId && opened.get(m.threadId) === m.messageId) {
        const thread = this.#openThread(parent, id, m.text);
        threadFiles.set(m.threadId, thread);
        const at = time + 1000;
        const notice = this.#system("ThreadCreated", message.author, at, "Started a thread.");
        notice.reference = {
          type: "Default",
          messageId: null,
          channelId: id,
          guildId: this.#guildId,
        };
        this.#push(parent, at, notice);
      }
      this.#push(channel, time, message, [
        id,
        m.channel,
        "chat",
        m.messageType,
        m.answers ? ids.get(m.answers) ?? "" : "",
        m.threadId ?? "",
        m.conversationId,
        m.messageId,
        replyTo ?? "",
      ]);
      if (!this.#extras) continue;
      const r = prng();
      if (r < 0.03 && m.messageType === "comment" && m.text.length > 25) {
        message.isPinned = true;
        this.#push(channel, time + 120_000, this.#pin(m.userName, id, channel, time + 120_000));
      } else if (r >= 0.03 && r < 0.045) {
        const at = time + 5_000;
        this.#push(channel, at, this.#attachment(m.userName, at));
      } else if (r >= 0.045 && r < 0.055) {
        const at = time + 2_000;
        this.#push(channel, at, this.#bot(m.userName, at));
      }
    }
    // A thread holds only its own window's messages: finish its file now.
    for (const thread of threadFiles.values()) this.#finish(thread);
  }

  /** Flushes everything, finishes every file and renames them into place. */
  async close(): Promise<DiscordExportSummary> {
    this.#closed = true;
    const all = [...this.#channels.values(), ...this.#threads];
    // every file complete before any is renamed: a write that fails (a full disk) leaves only
    // temp files, which abort() removes, never half an export
    for (const channel of all) this.#finish(channel);
    this.#writeTruth(true);
    this.#truth.file.close();
    const files: string[] = [];
    for (const channel of all) {
      await Deno.rename(`${channel.path}.tmp`, channel.path);
      files.push(channel.path);
    }
    await Deno.rename(`${this.#truth.path}.tmp`, this.#truth.path);
    return { files: files.sort(), truth: this.#truth.path, counts: { ...this.#counts } };
  }

  /** Closes and removes every file written so far, and the folders `open` created (an
   * interrupted run leaves nothing). */
  async abort(): Promise<void> {
    this.#closed = true;
    // after a failed close() some files are closed already
    const closeQuietly = (file: Deno.FsFile) => {
      try {
        file.close();
      } catch {
        // closed
      }
    };
    for (const channel of [...this.#channels.values(), ...this.#threads]) {
      if (!channel.finished) closeQuietly(channel.file);
      await Deno.remove(`${channel.path}.tmp`).catch(() => {});
    }
    closeQuietly(this.#truth.file);
    await Deno.remove(`${this.#truth.path}.tmp`).catch(() => {});
    // an empty export folder would look like a run that wrote one; a filled one is kept
    for (const folder of this.#created) await Deno.remove(folder).catch(() => {});
  }

  #channel(name: string): ChannelFile {
    let channel = this.#channels.get(name);
    if (channel) return channel;
    const id = userId(`channel:${name}`);
    channel = this.#file(id, name, null, {
      id,
      type: "GuildTextChat",
      categoryId: userId("category:Text Channels"),
      category: "Text Channels",
      name,
      topic: (CHANNEL_INFO as Record<string, { purpose: string }>)[name]?.purpose ?? "",
    }, `Text Channels - ${name}`);
    this.#channels.set(name, channel);
    return channel;
  }

  /** The help threads (a question with at least two replies) that get a Discord thread. */
  #pickThreads(window: readonly Message[]): Map<string, string> {
    const out = new Map<string, string>(); // logical thread id → id of its question
    const channel = window[0]?.channel;
    if (channel !== "sql-help" && channel !== "python-help" && channel !== "share-your-project") {
      return out;
    }
    const sizes = new Map<string, number>();
    const firsts = new Map<string, Message>();
    for (const m of window) {
      if (!m.threadId) continue;
      sizes.set(m.threadId, (sizes.get(m.threadId) ?? 0) + 1);
      if (!firsts.has(m.threadId)) firsts.set(m.threadId, m);
    }
    for (const [thread, first] of firsts) {
      if (first.messageType === "question" && sizes.get(thread)! >= 3 && this.#prng() < 0.15) {
        out.set(thread, first.messageId);
      }
    }
    return out;
  }

  /** A thread channel started from message `id` (Discord gives the thread the message's id). */
  #openThread(parent: ChannelFile, id: string, text: string): ChannelFile {
    const name = text.replace(/\s+/g, " ").slice(0, 48).trim() || "thread";
    const thread = this.#file(id, name, parent.name, {
      id,
      type: "GuildPublicThread",
      categoryId: parent.id,
      category: parent.name,
      name,
      topic: null,
    }, `${parent.name} - ${name.replace(/[^\w -]+/g, "").slice(0, 32).trim()}`);
    this.#threads.push(thread);
    return thread;
  }

  /** Writes what is left and the closing lines, and closes the file (once). */
  #finish(channel: ChannelFile): void {
    if (channel.finished) return;
    this.#flush(channel, Infinity);
    channel.out += `${
      channel.written === 0 ? "" : "\n  "
    }],\n  "messageCount": ${channel.written}\n}\n`;
    this.#write(channel.file, channel);
    channel.file.close();
    channel.finished = true;
  }

  #file(
    id: string,
    name: string,
    parent: string | null,
    head: DiscordChannelHead["channel"],
    title: string,
  ): ChannelFile {
    const path = join(this.#dir, `${this.#guildName} - ${title} [${id}].json`);
    const full: DiscordChannelHead = {
      guild: {
        id: this.#guildId,
        name: this.#guildName,
        iconUrl: "https://cdn.discordapp.com/embed/avatars/0.png",
      },
      channel: head,
      dateRange: { after: null, before: null },
      exportedAt: this.#exportedAt,
    };
    const text = JSON.stringify(full, null, 2);
    return {
      id,
      name,
      parent,
      path,
      finished: false,
      file: Deno.openSync(`${path}.tmp`, { write: true, create: true, truncate: true }),
      buffer: [],
      written: 0,
      out: `${text.slice(0, -2)},\n  "messages": [`,
    };
  }

  #push(channel: ChannelFile, time: number, message: DiscordMessage, truth?: string[]): void {
    const kind: ExportKind = truth
      ? "chat"
      : message.type === "ThreadCreated"
      ? "thread"
      : message.type === "GuildMemberJoin"
      ? "join"
      : message.type === "ChannelPinnedMessage"
      ? "pin"
      : message.author.isBot
      ? "bot"
      : "attachment";
    this.#counts[kind]++;
    channel.buffer.push({
      time,
      seq: this.#seq++,
      message,
      truth: truth ?? [message.id, channel.parent ?? channel.name, kind, "", "", "", "", "", ""],
    });
  }

  #flush(channel: ChannelFile, before: number): void {
    if (channel.buffer.length === 0) return;
    channel.buffer.sort((a, b) => a.time - b.time || a.seq - b.seq);
    let n = 0;
    while (n < channel.buffer.length && channel.buffer[n]!.time < before) n++;
    if (n === 0) return;
    const rows: string[][] = [];
    for (const pending of channel.buffer.splice(0, n)) {
      channel.out += (channel.written === 0 ? "\n" : ",\n") + indent(pending.message);
      channel.written++;
      rows.push(pending.truth);
    }
    this.#truth.out += stringify(rows);
    if (channel.out.length > FLUSH_CHARS) this.#write(channel.file, channel);
    this.#writeTruth(false);
  }

  #write(file: Deno.FsFile, holder: { out: string }): void {
    const bytes = encoder.encode(holder.out);
    let done = 0;
    while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
    holder.out = "";
  }

  #writeTruth(force: boolean): void {
    if (force || this.#truth.out.length > FLUSH_CHARS) this.#write(this.#truth.file, this.#truth);
  }

  /** A snowflake for `time`: milliseconds since Discord's epoch above a 22-bit counter. */
  #snowflake(time: number): string {
    const counter = BigInt(this.#seq++ & 0x3fffff);
    return ((BigInt(time) - DISCORD_EPOCH_MS) << 22n | counter).toString();
  }

  #reference(messageId: string, channel: ChannelFile) {
    return {
      type: "Default" as const,
      messageId,
      channelId: channel.id,
      guildId: this.#guildId,
    };
  }

  #system(
    type: DiscordMessage["type"],
    author: DiscordUser,
    time: number,
    content: string,
  ): DiscordMessage {
    return {
      id: this.#snowflake(time),
      type,
      timestamp: discordTime(time),
      timestampEdited: null,
      callEndedTimestamp: null,
      isPinned: false,
      content,
      author,
      attachments: [],
      embeds: [],
      stickers: [],
      reactions: [],
      mentions: [],
      inlineEmojis: [],
    };
  }

  #join(name: string, time: number): DiscordMessage {
    return this.#system("GuildMemberJoin", user(name, false), time, "Joined the server.");
  }

  #pin(name: string, pinned: string, channel: ChannelFile, time: number): DiscordMessage {
    const message = this.#system(
      "ChannelPinnedMessage",
      user(name, false),
      time,
      "Pinned a message.",
    );
    message.reference = this.#reference(pinned, channel);
    return message;
  }

  #attachment(name: string, time: number): DiscordMessage {
    const message = this.#system("Default", user(name, false), time, "");
    const id = this.#snowflake(time);
    const fileName = pick(
      ["image.png", "screenshot.png", "error.png", "Screen_Shot.jpg"],
      this.#prng,
    );
    message.attachments = [{
      id,
      url: `https://cdn.discordapp.com/attachments/${this.#guildId}/${id}/${fileName}`,
      fileName,
      fileSizeBytes: 20_000 + Math.floor(this.#prng() * 400_000),
    }];
    return message;
  }

  #bot(name: string, time: number): DiscordMessage {
    const message = this.#system(
      "Default",
      user(BOT, true),
      time,
      `GG @${name}, you just advanced to level ${2 + Math.floor(this.#prng() * 30)}!`,
    );
    message.mentions = [user(name, false)];
    return message;
  }
}

/** DiscordChatExporter's date format: ISO 8601 with milliseconds and an explicit offset. */
function discordTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+00:00");
}

/** A stable snowflake-like id for a name: a 31-bit hash above a 32-bit hash (fits int64). */
function userId(name: string): string {
  const a = fnv1a(name, 0x811c9dc5) & 0x7fffffff;
  const b = fnv1a(name, 0x01000193);
  return ((BigInt(a) << 32n) | BigInt(b)).toString();
}

function fnv1a(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const users = new Map<string, DiscordUser>();

function user(name: string, isBot: boolean): DiscordUser {
  let u = users.get(name);
  if (!u) {
    u = {
      id: userId(`user:${name}`),
      name,
      discriminator: "0000",
      nickname: name,
      color: null,
      isBot,
      roles: [],
      avatarUrl: "https://cdn.discordapp.com/embed/avatars/0.png",
    };
    if (users.size < 100_000) users.set(name, u);
  }
  return u;
}

function reaction(prng: Prng): DiscordMessage["reactions"][number] {
  const [name, code] = pick(REACTIONS, prng);
  return {
    emoji: {
      id: null,
      name,
      code,
      isAnimated: false,
      imageUrl: "https://cdn.jsdelivr.net/gh/twitter/twemoji@latest/assets/svg/1f44d.svg",
    },
    count: 1 + Math.floor(prng() * 4),
    users: [],
  };
}

/** A message as it sits in the `messages` array (DiscordChatExporter indents with two spaces). */
function indent(message: DiscordMessage): string {
  return "    " + JSON.stringify(message, null, 2).replaceAll("\n", "\n    ");
}
