/**
 * The flags that read a file in its conversations (`--context`, `--*-column`), in a module of
 * their own so `deno task classify` does not load the evaluation and chart code of `_shared.ts`.
 * Private to tasks/.
 * @module
 */

import type { ConversationColumns } from "../lib/data/conversation.ts";
import type { FlagSpec } from "./_cli.ts";

/** Reads a `--context auto|off` flag. */
export function contextFlag(value: unknown): "auto" | "off" {
  const text = value === undefined ? "auto" : String(value);
  if (text !== "auto" && text !== "off") {
    throw new RangeError(`Cannot use --context "${text}": choose auto or off`);
  }
  return text;
}

/** The flags that read a file in its conversations, shared by classify and eval. */
export const CONVERSATION_FLAGS: FlagSpec = {
  context: {
    type: "string",
    placeholder: "auto|off",
    default: "auto",
    help: "auto: a context model reads each message in its conversation; off: each alone",
  },
  "conversation-column": {
    type: "string",
    placeholder: "COLUMN",
    help: "column grouping messages (conversation_id)",
  },
  "position-column": {
    type: "string",
    placeholder: "COLUMN",
    help: "column ordering them (position)",
  },
  "speaker-column": {
    type: "string",
    placeholder: "COLUMN",
    help: "column naming the author (speaker, user_name)",
  },
  "reply-column": {
    type: "string",
    placeholder: "COLUMN",
    help: "column with the replied-to position or id (reply_to)",
  },
};

/** The flags naming a message file's columns: `--text-column` and the conversation columns. */
export const COLUMN_FLAGS: readonly string[] = [
  "text-column",
  ...Object.keys(CONVERSATION_FLAGS).filter((name) => name.endsWith("-column")),
];

/**
 * Refuses, for the chat export `input` (read as `deno task report` reads it), each of `names`
 * that was given — flags for a message file, which `why` explains — and `--context off`.
 * @throws {TypeError} naming the first such flag
 */
export function refuseFileFlags(
  flags: Record<string, unknown>,
  input: string,
  names: readonly string[],
  why: string,
): void {
  const given = names.find((name) => flags[name] !== undefined);
  if (given !== undefined) {
    throw new TypeError(`Cannot use --${given} with "${input}": ${why}`);
  }
  if (flags.context === "off") {
    throw new TypeError(
      `Cannot use --context off with "${input}": a chat export is read as deno task report reads ` +
        "it, each message in its channel",
    );
  }
}

/** The `--conversation-column`, `--position-column`, `--speaker-column`, `--reply-column` flags. */
export function conversationColumnFlags(
  flags: Record<string, unknown>,
): Partial<ConversationColumns> {
  const columns: Partial<ConversationColumns> = {};
  const names = {
    conversation: "conversation-column",
    position: "position-column",
    speaker: "speaker-column",
    replyTo: "reply-column",
  } as const;
  for (const [key, flag] of Object.entries(names)) {
    if (typeof flags[flag] === "string") columns[key as keyof typeof names] = flags[flag];
  }
  return columns;
}
