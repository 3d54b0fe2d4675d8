import assert from "node:assert/strict";
import { detectConversationColumns, hasConversations, rowsToMessages } from "./conversation.ts";

Deno.test("detectConversationColumns() finds the threads files' columns and the generator's", () => {
  assert.deepEqual(
    detectConversationColumns([
      "text",
      "label",
      "source",
      "conversation_id",
      "position",
      "speaker",
      "reply_to",
    ]),
    {
      conversation: "conversation_id",
      position: "position",
      timestamp: undefined,
      speaker: "speaker",
      replyTo: "reply_to",
      messageId: undefined,
      mentions: undefined,
      channel: undefined,
    },
  );
  const generated = detectConversationColumns([
    "user_name",
    "message",
    "message_type",
    "message_id",
    "conversation_id",
    "channel",
    "reply_to",
    "timestamp",
    "position",
    "thread_id",
    "answers",
  ]);
  assert.equal(generated.speaker, "user_name");
  assert.equal(generated.messageId, "message_id");
  // the generator's truth columns are never inputs
  assert.ok(!Object.values(generated).includes("thread_id"));
  assert.ok(!Object.values(generated).includes("answers"));
});

Deno.test("detectConversationColumns() takes overrides, and names a missing one", () => {
  const columns = detectConversationColumns(["text", "room", "who"], {
    conversation: "room",
    speaker: "who",
  });
  assert.equal(columns.conversation, "room");
  assert.equal(columns.speaker, "who");
  assert.equal(hasConversations(detectConversationColumns(["text", "label"])), false);
  assert.equal(
    hasConversations(detectConversationColumns(["text", "conversation_id"], { conversation: "" })),
    false,
  );
  assert.throws(() => detectConversationColumns(["text"], { position: "pos" }), {
    name: "SyntaxError",
    message: 'Cannot read conversations: column "pos" is missing (header: text)',
  });
});

Deno.test("rowsToMessages() keeps lone rows apart and fills ids from positions", () => {
  const rows = [
    { line: 2, values: { text: "hi", position: "0", speaker: "ann", conversation_id: "c" } },
    { line: 3, values: { text: "yo", position: "1", speaker: "bob", conversation_id: "c" } },
  ];
  const columns = detectConversationColumns(Object.keys(rows[0]!.values));
  const [a, b] = rowsToMessages(rows, "text", columns);
  assert.deepEqual([a!.messageId, a!.position, a!.userName, a!.conversationId], [
    "0",
    0,
    "ann",
    "c",
  ]);
  assert.equal(b!.messageId, "1");
  const lone = rowsToMessages(rows, "text", detectConversationColumns(["text"]));
  assert.deepEqual(lone.map((m) => m.conversationId), ["line-2", "line-3"]);
});
