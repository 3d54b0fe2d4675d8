/**
 * `POST /classify` contexts → messages in conversations, for `predictInContext`.
 * @module
 */

import type { Message } from "../data/types.ts";
import type { ClassifyContext } from "./schema.ts";

/** What {@linkcode contextMessages} returns. */
export interface RequestConversations {
  /** Every message: each text's context messages, then the text itself. */
  messages: Message[];
  /** `rows[i]` = index in `messages` of `texts[i]`. */
  rows: number[];
}

/**
 * Builds one conversation per text: its `reply_to` message (if any), its `previous` messages
 * (oldest first), then the text, which replies to the `reply_to` message when one is given. A
 * text without a context is a conversation of one.
 */
export function contextMessages(
  texts: readonly string[],
  contexts: readonly (ClassifyContext | null | undefined)[],
): RequestConversations {
  const messages: Message[] = [];
  const rows: number[] = [];
  texts.forEach((text, i) => {
    const context = contexts[i] ?? undefined;
    const conversationId = `request-${i}`;
    const add = (
      m: { text: string; speaker?: string; timestamp?: string },
      id: string,
      replyTo: string | null = null,
    ) => {
      messages.push({
        messageId: id,
        conversationId,
        channel: "",
        userName: m.speaker ?? "",
        text: m.text,
        messageType: "",
        replyTo,
        timestamp: m.timestamp ?? "",
        position: messages.length,
      });
    };
    if (context?.reply_to) add(context.reply_to, "reply_to");
    context?.previous?.forEach((m, p) => add(m, `previous-${p}`));
    rows.push(messages.length);
    add(
      { text, speaker: context?.speaker, timestamp: context?.timestamp },
      "text",
      context?.reply_to ? "reply_to" : null,
    );
  });
  return { messages, rows };
}
