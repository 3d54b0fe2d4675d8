/**
 * Readers for real chat exports, streamed: DiscordChatExporter JSON (one file per channel or
 * thread), its CSV flavour (`AuthorID,Author,Date,Content,Attachments,Reactions`), and the
 * project's own conversations CSV / JSONL. A folder is read file by file in name order.
 *
 * What is not chat is left out and counted by reason: system messages (`system:<type>`), bots,
 * attachment-only messages, unknown message types, duplicate ids, rows without a usable date,
 * messages too long to classify (also reported).
 * A file that cannot be read gives one {@linkcode ReadProblem} and the other files go on.
 * @module
 */

import { basename, extname, join, resolve, sep } from "node:path";
import { MAX_TEXT_LENGTH } from "../../features/builtin.ts";
import { csvStreamFromChunks } from "../stream.ts";
import { DISCORD_CSV_COLUMNS } from "./detect.ts";
import { scanJsonObject } from "./json_stream.ts";
import {
  type ChatMessage,
  countSkip,
  emptyReadStats,
  type ReadProblem,
  type ReadStats,
} from "./types.ts";

/** Options of {@linkcode readExport}. */
export interface ReadExportOptions {
  /** Called for every file or row that cannot be read; reading goes on. */
  onProblem?: (problem: ReadProblem) => void;
  /** Called as bytes are read, with the running total over all files and the total size. */
  onBytes?: (bytesRead: number, totalBytes: number) => void;
  /** Filled in while reading (files, messages, skipped by reason). @default a fresh one */
  stats?: ReadStats;
  /**
   * Files or folders never read: the run's own output, which may lie inside the export folder
   * (a second run would otherwise read the first one's CSV as chat).
   */
  exclude?: readonly string[];
}

/** DiscordChatExporter message types that are people talking. */
const CHAT_TYPES = new Set(["Default", "Reply"]);
/** DiscordChatExporter's other (system) message types; anything else is "unknown". */
const SYSTEM_TYPES = new Set([
  "RecipientAdd",
  "RecipientRemove",
  "Call",
  "ChannelNameChange",
  "ChannelIconChange",
  "ChannelPinnedMessage",
  "GuildMemberJoin",
  "ThreadCreated",
  "ThreadStarterMessage",
  "GuildBoost",
  "GuildBoostTier1",
  "GuildBoostTier2",
  "GuildBoostTier3",
  "ChannelFollowAdd",
  "GuildDiscoveryDisqualified",
  "GuildDiscoveryRequalified",
  "ChatInputCommand",
  "ContextMenuCommand",
  "AutoModerationAction",
  "GuildApplicationPremiumSubscription",
]);

/**
 * Lists the files an export path stands for: the file itself, or a folder's readable files but
 * those in `exclude` (files, or folders and everything under them).
 */
export async function exportFiles(
  path: string,
  exclude: readonly string[] = [],
): Promise<string[]> {
  const info = await Deno.stat(path).catch((error) => {
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`Cannot read "${path}": no such file or folder`);
    }
    throw error;
  });
  if (!info.isDirectory) return [path]; // a file, or a pipe
  const excluded = exclude.map((e) => resolve(e));
  const isExcluded = (full: string) => {
    const abs = resolve(full);
    return excluded.some((e) => abs === e || abs.startsWith(e + sep));
  };
  const files: string[] = [];
  const walk = async (dir: string) => {
    const entries = [];
    for await (const entry of Deno.readDir(dir)) entries.push(entry);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (isExcluded(full)) continue;
      if (entry.isDirectory) await walk(full);
      // `truth.csv` is what `generate --format discord-json` writes beside its export: not chat
      else if (/\.(json|csv|jsonl|ndjson)$/i.test(entry.name) && entry.name !== "truth.csv") {
        files.push(full);
      }
    }
  };
  await walk(path);
  return files;
}

/**
 * Streams every chat message of an export (a file or a folder of them), in file order.
 * Unreadable files are reported through `onProblem` and skipped; the rest are read.
 * @example
 * ```ts
 * const stats = emptyReadStats();
 * for await (const m of readExport("exports/", { stats })) console.log(m.channel, m.text);
 * console.log(stats.skipped); // { bot: 12, "system:GuildMemberJoin": 40, … }
 * ```
 */
export async function* readExport(
  path: string,
  options: ReadExportOptions = {},
): AsyncGenerator<ChatMessage> {
  const stats = options.stats ?? emptyReadStats();
  const { files, threadIds } = await planThreads(await exportFiles(path, options.exclude));
  const sizes = await Promise.all(files.map((f) => Deno.stat(f).then((s) => s.size)));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  let before = 0;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    stats.files++;
    const onBytes = (b: number) => options.onBytes?.(before + b, totalBytes);
    yield* readSource(file, { ...options, onBytes, stats, threadIds });
    before += sizes[i]!;
    options.onBytes?.(before, totalBytes);
  }
}

/** A DiscordChatExporter file's channel, as its header says. */
interface ChannelHeader {
  id: string;
  name: string;
  thread: boolean;
  /** For a thread, its parent channel's id and name (DCE writes them as the category). */
  parentId: string;
  parentName: string;
}

/**
 * Reads the `channel` object of a DiscordChatExporter JSON file, which comes before its
 * `messages`: a few kilobytes, however large the file. Null when the file is not such a file
 * or names its channel after its messages (the full read reports what is wrong, once).
 */
export async function readChannelHeader(file: string): Promise<ChannelHeader | null> {
  if (extname(file).toLowerCase() !== ".json") return null;
  try {
    // the readers' own decoding (byte-order mark, Windows-1252 fallback); leaving the loop
    // closes the file
    for await (const event of scanJsonObject(readDecodedChunks(file, {}), "messages")) {
      if (event.kind !== "field") return null;
      if (event.key !== "channel") continue;
      const c = event.value;
      if (!isObject(c) || str(c.id) === "") return null;
      const thread = /thread/i.test(str(c.type));
      return {
        id: str(c.id),
        name: str(c.name) || str(c.id),
        thread,
        parentId: thread ? str(c.categoryId) : "",
        parentName: thread ? str(c.category) : "",
      };
    }
    return null;
  } catch {
    return null;
  }
}

/**
 * Puts each thread's file right after its parent channel's file (Discord gives a thread started
 * from a message that message's id, so the starter is then read just before its thread), and
 * lists the thread ids, so a reader can mark the messages threads were started from. Only the
 * JSON files' headers are read. Threads whose parent is not in the export keep their place.
 */
async function planThreads(
  files: string[],
): Promise<{ files: string[]; threadIds: ReadonlySet<string> }> {
  if (files.length < 2) return { files, threadIds: new Set() }; // one file: maybe a pipe
  const headers: (ChannelHeader | null)[] = [];
  for (const file of files) headers.push(await readChannelHeader(file)); // one open file at a time
  const threadIds = new Set<string>();
  const byId = new Map<string, number>();
  const byName = new Map<string, number | null>(); // null: more than one channel of that name
  headers.forEach((h, i) => {
    if (!h) return;
    if (h.thread) threadIds.add(h.id);
    else {
      byId.set(h.id, i);
      byName.set(h.name, byName.has(h.name) ? null : i);
    }
  });
  const threadsOf = new Map<number, number[]>();
  const placed = new Set<number>();
  headers.forEach((h, i) => {
    if (!h?.thread) return;
    const parent = byId.get(h.parentId) ?? byName.get(h.parentName) ?? undefined;
    if (parent === undefined) return;
    threadsOf.set(parent, [...threadsOf.get(parent) ?? [], i]);
    placed.add(i);
  });
  const ordered: string[] = [];
  files.forEach((file, i) => {
    if (placed.has(i)) return;
    ordered.push(file);
    for (const t of threadsOf.get(i) ?? []) ordered.push(files[t]!);
  });
  return { files: ordered, threadIds };
}

/**
 * Streams the chat messages of one export given as bytes (e.g. an upload), named `name` (its
 * extension picks the reader; a DCE CSV's name gives its channel). Like {@linkcode readExport},
 * a file that cannot be read is reported through `onProblem` and counted in `stats.failedFiles`.
 */
export async function* readExportBytes(
  name: string,
  bytes: AsyncIterable<Uint8Array>,
  options: ReadExportOptions & { onBytes?: (bytesRead: number) => void } = {},
): AsyncGenerator<ChatMessage> {
  const stats = options.stats ?? emptyReadStats();
  stats.files++;
  yield* readSource(name, { ...options, stats, bytes });
}

/** One file: duplicates left out, an unreadable file reported, messages counted. */
async function* readSource(
  file: string,
  options: ReadExportFileOptions & { stats: ReadStats },
): AsyncGenerator<ChatMessage> {
  const { stats } = options;
  const seen = new Set<string>();
  try {
    for await (const m of readExportFile(file, options)) {
      if (seen.has(m.messageId)) {
        countSkip(stats.skipped, "duplicate id");
        continue;
      }
      seen.add(m.messageId);
      if (m.text.length > MAX_TEXT_LENGTH) {
        // the featurizer refuses it, which would stop the whole report over one message
        countSkip(stats.skipped, "too long");
        options.onProblem?.({
          file,
          reason: `message ${m.messageId} has ${m.text.length} characters, more than the ` +
            `${MAX_TEXT_LENGTH} a message may have; left out`,
        });
        continue;
      }
      stats.messages++;
      yield m;
    }
  } catch (error) {
    if (!(error instanceof SyntaxError || error instanceof TypeError)) throw error;
    stats.failedFiles++;
    options.onProblem?.({ file, reason: error.message });
  }
}

/** Options of {@linkcode readExportFile}. */
export interface ReadExportFileOptions {
  /** Ids of the export's threads: a channel message with one of these ids started that thread
   * and is marked `startsThread`. @default none */
  threadIds?: ReadonlySet<string>;
  /** Called for every row that cannot be read; reading goes on. */
  onProblem?: (problem: ReadProblem) => void;
  /** Called as the file is read, with the bytes read so far. */
  onBytes?: (bytesRead: number) => void;
  /** Gets the skipped messages by reason and the guild name. @default a fresh one */
  stats?: ReadStats;
  /** The file's bytes from elsewhere (e.g. a request body); `file` is then only its name. */
  bytes?: AsyncIterable<Uint8Array>;
}

/**
 * Streams the chat messages of one export file.
 * @throws {SyntaxError} when the file is not of a known shape (the message names the file);
 * messages read before a problem late in the file (e.g. a truncated JSON) were already yielded.
 */
export async function* readExportFile(
  file: string,
  options: ReadExportFileOptions = {},
): AsyncGenerator<ChatMessage> {
  const stats = options.stats ?? emptyReadStats();
  const ext = extname(file).toLowerCase();
  if (ext === ".json") {
    yield* readDiscordJson(file, options, stats);
  } else if (ext === ".jsonl" || ext === ".ndjson") {
    yield* readJsonl(file, options, stats);
  } else if (ext === ".csv") {
    yield* readCsv(file, options, stats);
  } else {
    throw new SyntaxError(`Cannot read "${file}": expected .json, .csv or .jsonl`);
  }
}

// ---------------------------------------------------------------- DiscordChatExporter JSON

interface DceAuthor {
  id?: unknown;
  name?: unknown;
  nickname?: unknown;
  isBot?: unknown;
}

/** Reads one DiscordChatExporter JSON file. */
async function* readDiscordJson(
  file: string,
  options: ReadExportFileOptions,
  stats: ReadStats,
): AsyncGenerator<ChatMessage> {
  let guildId = "";
  let channel: { id: string; name: string; thread: boolean; parent: string } | null = null;
  let sawMessages = false;
  const pending: unknown[] = []; // messages seen before the channel (not DCE's order, but valid)
  const label = `"${file}"`;
  const chunks = readDecodedChunks(file, options);
  for await (const event of scanJsonObject(chunks, "messages", label)) {
    if (event.kind === "field") {
      if (event.key === "guild" && isObject(event.value)) {
        guildId = str(event.value.id);
        if (typeof event.value.name === "string") stats.guildName ??= event.value.name;
      } else if (event.key === "channel") {
        if (!isObject(event.value) || str(event.value.id) === "") {
          throw new SyntaxError(`Cannot read ${label}: "channel" has no id`);
        }
        const c = event.value;
        const type = str(c.type);
        const thread = /thread/i.test(type);
        const name = str(c.name) || str(c.id);
        channel = {
          id: str(c.id),
          name,
          thread,
          // DCE gives a thread's parent channel as its category
          parent: thread ? str(c.category) || name : name,
        };
        for (const raw of pending.splice(0)) {
          const m = toChatMessage(raw, channel, guildId, stats);
          if (m) yield markStarter(m, options.threadIds);
        }
      }
    } else if (event.kind === "arrayStart") {
      sawMessages = true;
    } else if (event.kind === "item") {
      if (channel === null) {
        pending.push(event.value);
        continue;
      }
      const m = toChatMessage(event.value, channel, guildId, stats);
      if (m) yield markStarter(m, options.threadIds);
    }
  }
  if (!sawMessages) {
    throw new SyntaxError(
      `Cannot read ${label}: not a DiscordChatExporter export (no "messages" array)`,
    );
  }
  if (channel === null) {
    throw new SyntaxError(`Cannot read ${label}: not a DiscordChatExporter export (no "channel")`);
  }
}

/** `m`, marked when a thread of the export was started from it. */
function markStarter(m: ChatMessage, threadIds: ReadonlySet<string> | undefined): ChatMessage {
  if (!m.thread && threadIds?.has(m.messageId)) m.startsThread = true;
  return m;
}

/** Maps one DCE message to a ChatMessage, or counts why it is left out. */
function toChatMessage(
  raw: unknown,
  channel: { id: string; name: string; thread: boolean; parent: string },
  guildId: string,
  stats: ReadStats,
): ChatMessage | null {
  if (!isObject(raw) || str(raw.id) === "" || typeof raw.timestamp !== "string") {
    countSkip(stats.skipped, "malformed message");
    return null;
  }
  const type = str(raw.type) || "Default";
  if (!CHAT_TYPES.has(type)) {
    countSkip(stats.skipped, SYSTEM_TYPES.has(type) ? `system:${type}` : "unknown type");
    return null;
  }
  const author = (isObject(raw.author) ? raw.author : {}) as DceAuthor;
  if (author.isBot === true) {
    countSkip(stats.skipped, "bot");
    return null;
  }
  const text = typeof raw.content === "string" ? raw.content : "";
  if (text.trim() === "") {
    countSkip(
      stats.skipped,
      Array.isArray(raw.attachments) && raw.attachments.length > 0 ||
        Array.isArray(raw.stickers) && raw.stickers.length > 0 ||
        Array.isArray(raw.embeds) && raw.embeds.length > 0
        ? "attachment only"
        : "empty",
    );
    return null;
  }
  const time = Date.parse(raw.timestamp);
  if (Number.isNaN(time)) {
    countSkip(stats.skipped, "bad date");
    return null;
  }
  const reference = isObject(raw.reference) ? str(raw.reference.messageId) : "";
  const mentions: string[] = [];
  if (Array.isArray(raw.mentions)) {
    for (const who of raw.mentions) {
      if (!isObject(who)) continue;
      const name = str(who.name);
      if (name) mentions.push(name);
      const nick = str(who.nickname);
      if (nick && nick !== name) mentions.push(nick);
    }
  }
  const userName = str(author.name) || str(author.id) || "unknown";
  return {
    messageId: str(raw.id),
    conversationId: channel.id,
    channel: channel.parent,
    userName,
    displayName: str(author.nickname) || userName,
    authorId: str(author.id),
    text,
    messageType: "",
    replyTo: reference || null,
    timestamp: isoTime(raw.timestamp, time),
    mentions,
    guildId,
    channelId: channel.id,
    thread: channel.thread,
  };
}

/** DCE's timestamps in UTC ("2024-01-02T01:31:36.000+00:00"), with a valid time of day and a
 * day of the month no month lacks: exactly the ISO form of their time once "+00:00" is "Z". */
const DCE_UTC =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}\+00:00$/;

/** `new Date(time).toISOString()` of a DCE timestamp `text` that parsed to `time`, without the
 * Date for the usual form (formatting a Date took a fifth of the reader's own time). */
function isoTime(text: string, time: number): string {
  return DCE_UTC.test(text) ? text.slice(0, 23) + "Z" : new Date(time).toISOString();
}

// ---------------------------------------------------------------- CSV: DCE flavour or ours

/** Reads a CSV: DiscordChatExporter's columns, or the project's conversations columns. */
async function* readCsv(
  file: string,
  options: ReadExportFileOptions,
  stats: ReadStats,
): AsyncGenerator<ChatMessage> {
  const csv = await openCsv(file, options);
  const label = `"${file}"`;
  const has = (c: string) => csv.header.includes(c);
  const { channelName, channelId } = channelFromFileName(file);
  if (DISCORD_CSV_COLUMNS.every(has)) {
    for await (const { line, values } of csv.rows) {
      const time = parseDceDate(values.Date ?? "");
      if (time === null) {
        countSkip(stats.skipped, "bad date");
        options.onProblem?.({ file, line, reason: `cannot read date "${values.Date}"` });
        continue;
      }
      const text = values.Content ?? "";
      if (text.trim() === "") {
        countSkip(stats.skipped, (values.Attachments ?? "").trim() ? "attachment only" : "empty");
        continue;
      }
      const userName = values.Author ?? "";
      yield {
        // The CSV flavour has no message ids: the line number stands in (stable per file).
        messageId: `${channelId}:${line}`,
        conversationId: channelId,
        channel: channelName,
        userName,
        displayName: userName.replace(/#\d{4}$/, ""),
        authorId: values.AuthorID ?? "",
        text,
        messageType: "",
        replyTo: null,
        timestamp: new Date(time).toISOString(),
        mentions: [],
        guildId: "",
        channelId,
        thread: false,
      };
    }
    return;
  }
  // qac's own output beside the export (a classify CSV, the report's unanswered.csv) has a text
  // column but is not chat: read as such it would count every message twice
  if (
    (has("predicted") && has("p_question")) ||
    csv.header.join(",") === "id,channel,author,timestamp,text,link"
  ) {
    throw new SyntaxError(
      `Cannot read ${label} as chat: it is qac's output (${
        has("predicted") ? "deno task classify's labels" : "the report's unanswered.csv"
      }); keep outputs out of the export folder`,
    );
  }
  const textColumn = has("message") ? "message" : has("text") ? "text" : null;
  if (textColumn === null) {
    throw new SyntaxError(
      `Cannot read ${label}: neither a DiscordChatExporter CSV (${
        DISCORD_CSV_COLUMNS.join(",")
      }) nor a conversations CSV (message or text column); header: ${csv.header.join(",")}`,
    );
  }
  for await (const { line, values } of csv.rows) {
    const m = recordToChat({ ...values, message: values[textColumn] }, line, channelName, stats);
    if (m) yield m;
  }
}

/** A CSV stream: its header, then rows keyed by header with their first line. */
function openCsv(file: string, options: ReadExportFileOptions) {
  return csvStreamFromChunks(
    readDecodedChunks(file, options),
    file,
    (p) => options.onProblem?.({ file, ...p }),
  );
}

/** Reads the project's JSONL (one message object a line, snake_case or camelCase keys). */
async function* readJsonl(
  file: string,
  options: ReadExportFileOptions,
  stats: ReadStats,
): AsyncGenerator<ChatMessage> {
  const { channelName } = channelFromFileName(file);
  let line = 0;
  let pending = "";
  const handle = (text: string): ChatMessage | null => {
    line++;
    if (text.trim() === "") return null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      options.onProblem?.({ file, line, reason: "not JSON" });
      countSkip(stats.skipped, "unreadable row");
      return null;
    }
    if (!isObject(value)) {
      options.onProblem?.({ file, line, reason: "not a JSON object" });
      countSkip(stats.skipped, "unreadable row");
      return null;
    }
    const v: Record<string, string> = {};
    for (const [k, x] of Object.entries(value)) {
      v[k.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())] = x === null ? "" : str(x);
    }
    if (v.message === undefined) v.message = v.text ?? "";
    return recordToChat(v, line, channelName, stats);
  };
  for await (const chunk of readDecodedChunks(file, options)) {
    pending += chunk;
    let start = 0;
    let end: number;
    while ((end = pending.indexOf("\n", start)) !== -1) {
      const m = handle(pending.slice(start, end));
      if (m) yield m;
      start = end + 1;
    }
    pending = pending.slice(start);
  }
  if (pending !== "") {
    const m = handle(pending);
    if (m) yield m;
  }
}

/** A conversations row (CSV columns of `data/conversations.csv`) as a ChatMessage. */
function recordToChat(
  v: Record<string, string | undefined>,
  line: number,
  fallbackChannel: string,
  stats: ReadStats,
): ChatMessage | null {
  const text = v.message ?? "";
  if (text.trim() === "") {
    countSkip(stats.skipped, "empty");
    return null;
  }
  const rawTime = v.timestamp ?? "";
  const time = rawTime === "" ? NaN : Date.parse(rawTime);
  const channel = v.channel || fallbackChannel;
  const conversationId = v.conversation_id || channel;
  const userName = v.user_name || v.author || "";
  const mentions = (v.mentions ?? "").split(/[;|]/).map((s) => s.trim()).filter(Boolean);
  return {
    messageId: v.message_id || `line-${line}`,
    conversationId,
    channel,
    userName,
    displayName: userName,
    authorId: "",
    text,
    messageType: (v.message_type ?? "").trim().toLowerCase(),
    replyTo: v.reply_to || null,
    // Rows without a time keep file order through `position`; time-to-answer is then unknown.
    timestamp: Number.isNaN(time) ? "" : new Date(time).toISOString(),
    position: line,
    mentions,
    guildId: "",
    channelId: conversationId,
    thread: false,
  };
}

/** DCE's default file name: `Guild - Category - channel [123].csv`; else the bare name. */
export function channelFromFileName(file: string): { channelName: string; channelId: string } {
  const stem = basename(file).replace(/\.[^.]+$/, "");
  const match = /^(.*?)\s*\[(\d+)\]$/.exec(stem);
  const name = (match ? match[1]! : stem).split(" - ").at(-1)!.trim() || stem;
  return { channelName: name, channelId: match ? match[2]! : stem };
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** Parses a DCE CSV date: ISO 8601, or the older `05-Sep-20 01:23 PM` (read as UTC). */
export function parseDceDate(text: string): number | null {
  const iso = Date.parse(text);
  if (!Number.isNaN(iso)) return iso;
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?$/i.exec(
    text.trim(),
  );
  if (!m) return null;
  const month = MONTHS.indexOf(m[2]!.toLowerCase());
  if (month < 0) return null;
  let year = Number(m[3]);
  if (year < 100) year += 2000;
  let hour = Number(m[4]);
  if (m[7]) hour = (hour % 12) + (m[7].toUpperCase() === "PM" ? 12 : 0);
  return Date.UTC(year, month, Number(m[1]), hour, Number(m[5]), Number(m[6] ?? 0));
}

// ---------------------------------------------------------------- decoding

/**
 * The decoder of every reader here: UTF-8, and when a file turns out not to be
 * UTF-8, the rest is read as Windows-1252 (Excel's usual re-save) with one problem reported —
 * no text is lost to replacement characters silently.
 */
function decodeFallback(
  file: string,
  options: ReadExportFileOptions,
): (bytes: Uint8Array, offset: number, last: boolean) => string {
  let utf8: TextDecoder | null = new TextDecoder("utf-8", { fatal: true });
  let legacy = new TextDecoder("windows-1252");
  return (bytes, offset, last) => {
    // A UTF-16 byte-order mark (Excel's "Unicode text", PowerShell): read the file as UTF-16
    // rather than as Windows-1252 garbage with a NUL after every letter.
    const bom = offset === 0 && bytes.length >= 2 ? bytes[0]! << 8 | bytes[1]! : 0;
    if (bom === 0xfffe || bom === 0xfeff) {
      utf8 = null;
      legacy = new TextDecoder(bom === 0xfffe ? "utf-16le" : "utf-16be");
    }
    if (utf8) {
      try {
        return utf8.decode(bytes, { stream: !last });
      } catch {
        utf8 = null;
        options.onProblem?.({
          file,
          reason: `not UTF-8 (a bad byte in the block from byte ${offset} on); ` +
            "read the file from there on as Windows-1252",
        });
      }
    }
    return legacy.decode(bytes, { stream: !last });
  };
}

/**
 * Yields a file's text (or that of `options.bytes`) with {@linkcode decodeFallback}, without a
 * leading byte-order mark, reporting bytes read.
 */
async function* readDecodedChunks(
  file: string,
  options: ReadExportFileOptions,
): AsyncGenerator<string> {
  const decode = decodeFallback(file, options);
  const handle = options.bytes ? undefined : await Deno.open(file);
  let bytes = 0;
  let first = true;
  try {
    for await (const chunk of options.bytes ?? fileBlocks(handle!)) {
      let text = decode(chunk, bytes, false);
      bytes += chunk.byteLength;
      if (first && text !== "") {
        text = text.replace(/^\uFEFF/, "");
        first = false;
      }
      if (text !== "") yield text;
      options.onBytes?.(bytes);
    }
    const rest = decode(new Uint8Array(0), bytes, true);
    if (rest !== "") yield rest;
  } finally {
    handle?.close();
  }
}

/** A file's bytes in blocks of up to 64 KiB, read into one reused buffer (the decoder copies what
 * it needs before the next read), rather than through the file's `readable` (a new buffer per
 * chunk and the streams machinery). Larger blocks read with less CPU but cost memory: at 256 KiB
 * the decoded pieces took reading a 100 MB export from 88 to 131 MB peak RSS. */
async function* fileBlocks(handle: Deno.FsFile): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(1 << 16);
  for (;;) {
    const n = await handle.read(buffer);
    if (n === null) return;
    yield buffer.subarray(0, n);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string or number field as text ("" when absent or of another type). */
function str(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}
