/**
 * Messages in conversations from any table: which columns say conversation, order, speaker and
 * reply link (detected by name, overridable), and records → {@linkcode Message}s. A table
 * without a conversation column (and without order columns) is a list of lone messages.
 * @module
 */

import type { Message } from "./types.ts";

/** Column names for each conversation field; an absent field is `undefined`. */
export interface ConversationColumns {
  /** Groups rows into conversations. */
  conversation?: string;
  /** Order of a message within its conversation. */
  position?: string;
  /** When the message was sent. */
  timestamp?: string;
  /** Who wrote the message. */
  speaker?: string;
  /** Id of the message this one replies to. */
  replyTo?: string;
  /** The message's own id (what `replyTo` points at). */
  messageId?: string;
  /** Names or ids the message @mentions. */
  mentions?: string;
  /** Channel the message was posted in. */
  channel?: string;
}

/**
 * The names each field is detected by, first match wins. `thread_id` and `answers` are
 * deliberately absent: in generated data they are the truth, never an input.
 */
export const CONVERSATION_COLUMN_NAMES: Record<keyof ConversationColumns, readonly string[]> = {
  conversation: ["conversation_id", "conversation", "dialog_id"],
  position: ["position"],
  timestamp: ["timestamp", "time", "created_at"],
  speaker: ["speaker", "user_name", "author", "user"],
  replyTo: ["reply_to", "in_reply_to"],
  messageId: ["message_id", "id"],
  mentions: ["mentions"],
  channel: ["channel"],
};

/**
 * Finds the conversation columns of `header`; `overrides` name them explicitly (an override
 * naming a column the header lacks throws, an empty string turns detection of that field off).
 * @throws {SyntaxError} when an override names a missing column
 */
export function detectConversationColumns(
  header: readonly string[],
  overrides: Partial<ConversationColumns> = {},
): ConversationColumns {
  const found: ConversationColumns = {};
  for (const key of Object.keys(CONVERSATION_COLUMN_NAMES) as (keyof ConversationColumns)[]) {
    const override = overrides[key];
    if (override === "") continue;
    if (override !== undefined) {
      if (!header.includes(override)) {
        throw new SyntaxError(
          `Cannot read conversations: column "${override}" is missing (header: ${
            header.join(",")
          })`,
        );
      }
      found[key] = override;
      continue;
    }
    found[key] = CONVERSATION_COLUMN_NAMES[key].find((name) => header.includes(name));
  }
  return found;
}

/** Whether the columns place messages in conversations (else each message stands alone). */
export function hasConversations(columns: ConversationColumns): boolean {
  return columns.conversation !== undefined || columns.position !== undefined;
}

/** One row of a table: its fields by column name and the line it came from. */
export interface TableRow {
  values: Record<string, string>;
  line: number;
}

/**
 * Turns rows into messages. Without a conversation column, rows with order columns form one
 * conversation and rows without any are lone messages (`line-N` each).
 */
export function rowsToMessages(
  rows: readonly TableRow[],
  textColumn: string,
  columns: ConversationColumns,
): Message[] {
  const together = hasConversations(columns);
  return rows.map(({ values, line }) => {
    const get = (column: string | undefined) =>
      column === undefined ? "" : String(values[column] ?? "").trim();
    const position = Number.parseInt(get(columns.position), 10);
    const id = get(columns.messageId) ||
      (Number.isFinite(position) ? String(position) : `line-${line}`);
    const conversation = get(columns.conversation) || (together ? "" : `line-${line}`);
    const mentions = get(columns.mentions);
    const message: Message = {
      messageId: id,
      conversationId: conversation,
      channel: get(columns.channel),
      userName: get(columns.speaker),
      text: String(values[textColumn] ?? ""),
      messageType: "",
      replyTo: get(columns.replyTo) || null,
      timestamp: get(columns.timestamp),
    };
    if (Number.isFinite(position)) message.position = position;
    if (mentions) message.mentions = mentions.split(/[\s,;|]+/).filter((m) => m !== "");
    return message;
  });
}
