/**
 * A DiscordChatExporter-style export of built-in generated conversations, with the truth beside
 * it, for the report's tests, evaluation and benchmark (private to lib/report and its callers).
 * Answers keep their reply reference only half the time (people often just type), a quarter of
 * the help-channel conversations continue in a thread, and joins, pins, bots and attachment-only
 * messages are mixed in, as in a real server.
 * @module
 */

import { join } from "node:path";
import { generateBuiltin } from "../data/generate/builtin.ts";
import { createPrng } from "../data/random.ts";
import type { Message } from "../data/types.ts";

/** Options of {@linkcode writeSyntheticExport}. */
export interface SyntheticExportOptions {
  /** Conversations to generate. @default 300 */
  conversations?: number;
  /** @default 1 */
  seed?: number;
  /** Conversations generated at a time (memory holds one batch). @default 5000 */
  batch?: number;
  /** Share of answers that keep their Discord reply reference. @default 0.5 */
  replyShare?: number;
}

/** The truth of a synthetic export: each chat message's label and, for answers, its question. */
export interface SyntheticTruth {
  labels: Map<string, string>;
  /** answer id → question id */
  answers: Map<string, string>;
  /** Messages written, chat and system. */
  written: number;
}

const GUILD = { id: "900000000000000001", name: "Data Careers (generated)", iconUrl: "" };
const THREAD_CHANNELS = new Set(["python-help", "sql-help", "job-search-support"]);

/** Writes the export (one JSON file per channel and per thread) into `dir`; returns the truth. */
export async function writeSyntheticExport(
  dir: string,
  options: SyntheticExportOptions = {},
): Promise<SyntheticTruth> {
  const total = options.conversations ?? 300;
  const batchSize = options.batch ?? 5000;
  const seed = options.seed ?? 1;
  const replyShare = options.replyShare ?? 0.5;
  const prng = createPrng(seed * 7919 + 1);
  await Deno.mkdir(dir, { recursive: true });
  const truth: SyntheticTruth = { labels: new Map(), answers: new Map(), written: 0 };
  let nextId = 1_100_000_000_000_000_000n;
  const snowflake = () => String(nextId++);
  const channels = new Map<string, { id: string; file: Deno.FsFile; count: number }>();
  const encoder = new TextEncoder();
  const header = (channel: object) =>
    `{"guild":${JSON.stringify(GUILD)},"channel":${JSON.stringify(channel)},` +
    `"dateRange":{"after":null,"before":null},"exportedAt":"2026-01-01T00:00:00+00:00",` +
    `"messages":[\n`;
  const channelFile = async (name: string) => {
    let c = channels.get(name);
    if (!c) {
      const id = String(800_000_000_000_000_000n + BigInt(channels.size + 1));
      const file = await Deno.open(
        join(dir, `Data Careers - Text Channels - ${name} [${id}].json`),
        {
          write: true,
          create: true,
          truncate: true,
        },
      );
      await writeAll(
        file,
        encoder.encode(header({
          id,
          type: "GuildTextChat",
          categoryId: "700000000000000001",
          category: "Text Channels",
          name,
          topic: null,
        })),
      );
      c = { id, file, count: 0 };
      channels.set(name, c);
    }
    return c;
  };
  const author = (name: string, bot = false) => ({
    id: String(500_000_000_000_000_000n + BigInt(hash(name))),
    name,
    discriminator: "0000",
    nickname: name,
    color: null,
    isBot: bot,
    roles: [],
    avatarUrl: "",
  });
  const dce = (
    id: string,
    type: string,
    time: number,
    who: ReturnType<typeof author>,
    content: string,
    reference: string | null,
    channelId: string,
    extra: Record<string, unknown> = {},
  ) => {
    const mentions = [...content.matchAll(/@([A-Za-z0-9_.]+)/g)].map((m) => author(m[1]!));
    return {
      id,
      type,
      timestamp: new Date(time).toISOString().replace("Z", "+00:00"),
      timestampEdited: null,
      callEndedTimestamp: null,
      isPinned: false,
      content,
      author: who,
      attachments: [],
      embeds: [],
      stickers: [],
      reactions: [],
      mentions,
      ...(reference ? { reference: { messageId: reference, channelId, guildId: GUILD.id } } : {}),
      ...extra,
    };
  };

  for (let start = 0, b = 0; start < total; start += batchSize, b++) {
    const n = Math.min(batchSize, total - start);
    const generated = generateBuiltin({ conversations: n, seed: seed * 1000 + b });
    // Each batch gets its own year, so files written batch after batch stay in time order.
    const shift = b * 366 * 86_400_000;
    const byConversation = new Map<string, Message[]>();
    for (const m of generated) {
      const list = byConversation.get(m.conversationId) ?? [];
      list.push(m);
      byConversation.set(m.conversationId, list);
    }
    // Per channel: [time, json] of this batch, sorted before writing.
    const out = new Map<string, { time: number; json: string }[]>();
    const push = (channel: string, time: number, value: unknown) => {
      const list = out.get(channel) ?? [];
      list.push({ time, json: JSON.stringify(value) });
      out.set(channel, list);
    };
    for (const messages of byConversation.values()) {
      const channel = messages[0]!.channel;
      const parent = await channelFile(channel);
      const ids = new Map(messages.map((m) => [m.messageId, snowflake()]));
      // A help thread whose opening question gets answers may continue in a Discord thread
      // (its id is the question's id, as when Discord starts a thread from a message).
      const threadOf = (m: Message) => m.threadId ?? m.conversationId;
      const firstOfThread = new Map<string, number>();
      messages.forEach((m, i) => {
        if (!firstOfThread.has(threadOf(m))) firstOfThread.set(threadOf(m), i);
      });
      const discordThreads = new Map<string, string>(); // logical thread → Discord thread id
      for (const [logical, i] of firstOfThread) {
        const first = messages[i]!;
        const answered = messages.some((m) => m.answers === first.messageId);
        if (
          THREAD_CHANNELS.has(channel) && first.messageType === "question" && answered &&
          prng() < 0.25
        ) {
          discordThreads.set(logical, ids.get(first.messageId)!);
        }
      }
      const threads = new Map<string, unknown[]>();
      const t0 = Date.parse(messages[0]!.timestamp) + shift;
      if (prng() < 0.1) {
        push(
          channel,
          t0 - 5000,
          dce(
            snowflake(),
            "GuildMemberJoin",
            t0 - 5000,
            author(messages[0]!.userName),
            "",
            null,
            parent.id,
          ),
        );
      }
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i]!;
        const id = ids.get(m.messageId)!;
        const time = Date.parse(m.timestamp) + shift;
        const threadId = discordThreads.get(threadOf(m)) ?? null;
        const inThread = threadId !== null && id !== threadId;
        let reference = m.replyTo ? ids.get(m.replyTo) ?? null : null;
        if (m.messageType === "answer" && reference && prng() >= replyShare) reference = null;
        if (inThread && reference === threadId && prng() < 0.8) reference = null;
        const value = dce(
          id,
          reference ? "Reply" : "Default",
          time,
          author(m.userName),
          m.text,
          reference,
          inThread ? threadId! : parent.id,
        );
        truth.labels.set(id, m.messageType);
        const answered = m.answers ?? (m.messageType === "answer" ? m.replyTo : undefined);
        if (m.messageType === "answer" && answered && ids.has(answered)) {
          truth.answers.set(id, ids.get(answered)!);
        }
        const list = inThread ? threads.get(threadId!) ?? [] : undefined;
        if (list) {
          list.push(value);
          threads.set(threadId!, list);
        } else push(channel, time, value);
        if (threadId !== null && !inThread) {
          push(
            channel,
            time + 1,
            dce(
              snowflake(),
              "ThreadCreated",
              time + 1,
              author(m.userName),
              "Started a thread.",
              null,
              parent.id,
            ),
          );
        }
        if (prng() < 0.03) {
          const at = time + 500;
          const bot = dce(
            snowflake(),
            "Default",
            at,
            author("CareerBot", true),
            "📌 Reminder: read #resources before asking!",
            null,
            parent.id,
          );
          if (list) list.push(bot);
          else push(channel, at, bot);
        }
        if (prng() < 0.03) {
          const at = time + 700;
          push(
            channel,
            at,
            dce(snowflake(), "Default", at, author(m.userName), "", null, parent.id, {
              attachments: [{
                id: snowflake(),
                url: "https://cdn.example/x.png",
                fileName: "screenshot.png",
                fileSizeBytes: 1234,
              }],
            }),
          );
        }
      }
      for (const [threadId, thread] of threads) {
        const q = messages.find((m) => ids.get(m.messageId) === threadId)!;
        const name = q.text.slice(0, 40);
        const path = join(
          dir,
          `Data Careers - ${channel} - ${name.replace(/[^\w -]/g, "")} [${threadId}].json`,
        );
        const text = header({
          id: threadId,
          type: "GuildPublicThread",
          categoryId: parent.id,
          category: channel,
          name,
          topic: null,
        }) + thread.map((t) => JSON.stringify(t)).join(",\n") +
          `\n],"messageCount":${thread.length}}\n`;
        await Deno.writeTextFile(path, text);
        truth.written += thread.length;
      }
    }
    for (const [channel, list] of out) {
      list.sort((a, b) => a.time - b.time);
      const c = channels.get(channel)!;
      const body = list.map((x) => x.json).join(",\n");
      await writeAll(c.file, encoder.encode((c.count > 0 ? ",\n" : "") + body));
      c.count += list.length;
      truth.written += list.length;
    }
  }
  for (const c of channels.values()) {
    await writeAll(c.file, encoder.encode(`\n],"messageCount":${c.count}}\n`));
    c.file.close();
  }
  return truth;
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}
