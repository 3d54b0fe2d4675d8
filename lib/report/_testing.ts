/**
 * Test fixtures of the report's tests.
 * @module
 */

import type { ChatMessage } from "../data/discord/types.ts";

/**
 * A chat message for tests: user "u" posting its id as text in channel "c" (its conversation)
 * at 2024-01-01T00:00:00Z, no reply, not in a thread; `fields` replace any of these, and the
 * display name follows the user name unless given.
 */
export function chatMessage(fields: Partial<ChatMessage> & { messageId: string }): ChatMessage {
  const userName = fields.userName ?? "u";
  return {
    conversationId: "c",
    channel: "c",
    userName,
    displayName: userName,
    text: fields.messageId,
    messageType: "",
    replyTo: null,
    timestamp: "2024-01-01T00:00:00Z",
    guildId: "",
    channelId: "c",
    authorId: "",
    thread: false,
    ...fields,
  };
}
