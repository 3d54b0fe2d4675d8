/**
 * Shapes of chat read from real exports: a {@linkcode Message} plus what a community report needs
 * (guild and channel ids for jump links, the author's id and display name, thread or not), and the
 * tallies of what reading left out.
 * @module
 */

import type { Message } from "../types.ts";

/** A chat message from an export, in the project's {@linkcode Message} shape plus its origin. */
export interface ChatMessage extends Message {
  /** Discord guild (server) id, or "" when the export does not say (CSV flavour). */
  guildId: string;
  /** Id of the channel or thread the message was posted in (the jump link's middle part). */
  channelId: string;
  /** The author's stable id ("" when unknown); `userName` is their account name. */
  authorId: string;
  /** The name others see and type (server nickname, else account name). */
  displayName: string;
  /** Whether the message was posted in a thread (`conversationId` is then the thread id). */
  thread: boolean;
  /** Set on a channel message a thread of the export was started from (the thread's id is the
   * message's id), when the export was read as a folder. */
  startsThread?: boolean;
}

/** Why a message was left out, and how many times. Keys are stable words, e.g. `bot`. */
export type SkipCounts = Record<string, number>;

/** A file, or a part of one, that could not be read. */
export interface ReadProblem {
  /** Path (or name) of the file. */
  file: string;
  /** 1-based line, for CSV rows. */
  line?: number;
  /** What was wrong, in one line. */
  reason: string;
}

/** What reading an export saw: files, messages kept, messages left out by reason. */
export interface ReadStats {
  /** Files opened. */
  files: number;
  /** Files that could not be read at all. */
  failedFiles: number;
  /** Chat messages kept. */
  messages: number;
  /** Messages left out, by reason (bots, system messages, duplicates, …). */
  skipped: SkipCounts;
  /** Guild (server) name, when an export names it. */
  guildName: string | null;
}

/** A fresh, empty {@linkcode ReadStats}. */
export function emptyReadStats(): ReadStats {
  return { files: 0, failedFiles: 0, messages: 0, skipped: {}, guildName: null };
}

/** Adds one to `counts[reason]`. */
export function countSkip(counts: SkipCounts, reason: string): void {
  counts[reason] = (counts[reason] ?? 0) + 1;
}
