/**
 * Conversations rendered as a chat, with each message's label as a coloured tag, so a reader
 * sees what the classifier is asked to tell apart.
 * @module
 */

import type { Message } from "../data/types.ts";
import { CLASS_COLORS, createHtmlView, escapeXml, type HtmlView } from "./chart.ts";

/** Options of {@linkcode chatView}. */
export interface ChatViewOptions {
  /** Show at most this many conversations (the first ones, in file order). @default 3 */
  conversations?: number;
  /** Show at most this many messages per conversation. @default 12 */
  messagesPerConversation?: number;
}

/**
 * Renders the first conversations of `messages` as chat transcripts (HTML, with a plain-text
 * fallback). Replies name the user they answer.
 */
export function chatView(messages: readonly Message[], options: ChatViewOptions = {}): HtmlView {
  const maxConversations = options.conversations ?? 3;
  const maxMessages = options.messagesPerConversation ?? 12;
  const conversations = new Map<string, Message[]>();
  for (const message of messages) {
    const list = conversations.get(message.conversationId);
    if (list) list.push(message);
    else if (conversations.size < maxConversations) {
      conversations.set(message.conversationId, [message]);
    }
  }
  const byId = new Map(messages.map((m) => [m.messageId, m]));
  const html: string[] = [];
  const text: string[] = [];
  for (const [id, list] of conversations) {
    const channel = list[0]!.channel;
    html.push(
      `<div style="border:1px solid #ddd;border-radius:6px;padding:6px 10px;margin:6px 0;` +
        `max-width:720px;font-family:system-ui,sans-serif;font-size:13px">` +
        `<div style="color:#666;margin-bottom:4px"><b>#${escapeXml(channel)}</b> · ` +
        `${escapeXml(id)} · ${list.length} messages</div>`,
    );
    text.push(`#${channel} · ${id}`);
    for (const message of list.slice(0, maxMessages)) {
      const label = message.messageType.toLowerCase();
      const parent = message.replyTo ? byId.get(message.replyTo) : undefined;
      const reply = parent
        ? ` <span style="color:#888">↪ ${escapeXml(parent.userName)}</span>`
        : "";
      html.push(
        `<div style="margin:3px 0"><span style="background:${CLASS_COLORS[label] ?? "#999"};` +
          `color:white;border-radius:3px;padding:0 4px;font-size:11px">` +
          `${escapeXml(label)}</span> <b>${escapeXml(message.userName)}</b>${reply}: ` +
          `${escapeXml(message.text)}</div>`,
      );
      text.push(
        `  [${label}] ${message.userName}${parent ? ` → ${parent.userName}` : ""}: ${message.text}`,
      );
    }
    if (list.length > maxMessages) {
      html.push(`<div style="color:#888">… ${list.length - maxMessages} more</div>`);
      text.push(`  … ${list.length - maxMessages} more`);
    }
    html.push("</div>");
  }
  return createHtmlView(html.join("\n"), text.join("\n"));
}
