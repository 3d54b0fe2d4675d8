/**
 * The shapes data takes on its way through the pipeline.
 * @module
 */

/** The three classes, in the order model outputs use (alphabetical, as the original's LabelEncoder). */
export const LABELS = ["answer", "comment", "question"] as const;

/** One of {@linkcode LABELS}. */
export type Label = typeof LABELS[number];

/** Whether `value` is one of {@linkcode LABELS}. */
export function isLabel(value: string): value is Label {
  return (LABELS as readonly string[]).includes(value);
}

/** A chat message as stored in `data/conversations.csv`. */
export interface Message {
  /** Stable id, e.g. `c000042-007` (conversation id + sequence). */
  messageId: string;
  /** The conversation (or stream window) the message belongs to; splits keep it on one side. */
  conversationId: string;
  /** Channel name the message was posted in, e.g. `sql-help`. */
  channel: string;
  /** The author's account name. */
  userName: string;
  /** The message text as written. */
  text: string;
  /** Label as written by the generator; cleaning lowercases and validates it. */
  messageType: string;
  /** `messageId` of the message this one replies to, or `null`. */
  replyTo: string | null;
  /** ISO 8601 time. */
  timestamp: string;
  /** 0-based order within `conversationId`, where the source gives one. */
  position?: number;
  /** Names or ids of the people the message addresses (@mentions), where the source gives them. */
  mentions?: string[];
  /**
   * Generated data only (truth, never a model input): the logical thread the message belongs to,
   * when several threads interleave in one `conversationId` stream.
   */
  threadId?: string;
  /** Generated data only (truth): for an answer, the `messageId` of the question it answers. */
  answers?: string;
}

/** A message reduced to what a classifier learns from. */
export interface LabeledText {
  /** The message text, trimmed. */
  text: string;
  /** The class to learn. */
  label: Label;
  /** Rows sharing a group (a conversation) always land on the same side of a split. */
  group: string;
  /** Value of the split column, when one was asked for (`train`, `validation`, `test`, …). */
  split?: string;
  /** 1-based line of the source file the row came from (header is line 1). */
  line?: number;
}

/** A row of a CSV file keyed by header name, with the line it started on. */
export interface CsvRecord {
  /** 1-based line the row starts on (the header is line 1). */
  line: number;
  /** Cell values keyed by header name. */
  values: Record<string, string>;
}
