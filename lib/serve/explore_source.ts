/**
 * What Explore reads: a labelled conversations CSV (the training data), or any chat export the
 * report reads — DiscordChatExporter JSON or CSV, a folder of them, JSONL — whose messages have
 * no labels. An unlabelled channel is cut into conversations at quiet gaps, so the viewer pages
 * through stretches of talk rather than one endless channel.
 * @module
 */

import { readConversations } from "../data/csv.ts";
import { readExport } from "../data/discord/read.ts";
import { emptyReadStats } from "../data/discord/types.ts";
import type { Message } from "../data/types.ts";

/** Messages for Explore, and whether they carry true labels. */
export interface ExploreSource {
  messages: Message[];
  /** Rows or messages left out while reading (unreadable, system, bots, …). */
  skipped: number;
  /** False for a chat export: `messageType` is empty and Explore shows predictions only. */
  labelled: boolean;
}

/** Options of {@linkcode readExploreSource}. */
export interface ExploreSourceOptions {
  /** Quiet time that starts a new conversation in an unlabelled channel. @default 1800 */
  gapSeconds?: number;
}

/**
 * Reads `path` for Explore: a CSV with `message` and `message_type` columns as labelled data,
 * anything else through the export readers.
 * @throws {Deno.errors.NotFound} when `path` does not exist; SyntaxError when nothing in it
 * could be read
 */
export async function readExploreSource(
  path: string,
  options: ExploreSourceOptions = {},
): Promise<ExploreSource> {
  if (/\.csv$/i.test(path)) {
    try {
      const file = await readConversations(path);
      return { messages: file.messages, skipped: file.problems.length, labelled: true };
    } catch (error) {
      // not the labelled columns: read it as an export below; a missing file stays an error
      if (!(error instanceof SyntaxError || error instanceof TypeError)) throw error;
    }
  }
  const stats = emptyReadStats();
  const problems: string[] = [];
  const gapMs = (options.gapSeconds ?? 1800) * 1000;
  const last = new Map<string, { time: number; segment: number }>();
  const messages: Message[] = [];
  for await (const m of readExport(path, { stats, onProblem: (p) => problems.push(p.reason) })) {
    const time = Date.parse(m.timestamp);
    const seen = last.get(m.conversationId);
    let segment = seen?.segment ?? 0;
    if (seen && Number.isFinite(time) && time - seen.time > gapMs) segment++;
    last.set(m.conversationId, { time: Number.isFinite(time) ? time : seen?.time ?? 0, segment });
    messages.push({
      messageId: m.messageId,
      conversationId: m.thread ? m.conversationId : `${m.conversationId}#${segment + 1}`,
      channel: m.channel,
      userName: m.displayName || m.userName,
      text: m.text,
      messageType: m.messageType,
      replyTo: m.replyTo,
      timestamp: m.timestamp,
    });
  }
  if (stats.failedFiles === stats.files && stats.files > 0) {
    throw new SyntaxError(problems.at(-1) ?? `Cannot read "${path}"`);
  }
  const skipped = Object.values(stats.skipped).reduce((a, b) => a + b, 0);
  return { messages, skipped, labelled: false };
}
