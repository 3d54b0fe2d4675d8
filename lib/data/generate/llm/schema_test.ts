import assert from "node:assert/strict";
import { conversationId, messageId, toMessages, validateConversation } from "./schema.ts";

const message = (reply_to: number | null, extra: Record<string, unknown> = {}) => ({
  user_name: "kev99",
  message: "try df.merge",
  message_type: "answer",
  reply_to,
  ...extra,
});

Deno.test("validateConversation() accepts a well-formed conversation", () => {
  const result = validateConversation({ messages: [message(null), message(0)] });
  assert.equal(result.ok, true);
});

Deno.test("validateConversation() names the rule a bad conversation breaks", () => {
  const reasons = [
    { messages: [message(null), message(0, { message_type: "greeting" })] },
    { messages: [message(null)] },
    { messages: [message(null), message(1)] },
    { messages: [message(null), message(5)] },
    { messages: [message(null), message(null, { message: "   " })] },
    { messages: [message(null), message(null, { user_name: "" })] },
    { messages: [message(null), message(0.5)] },
    "not an object",
  ].map((value) => {
    const result = validateConversation(value);
    return result.ok ? "ok" : result.reason.split(":")[0];
  });
  assert.deepEqual(reasons, [
    "schema",
    "length",
    "reply_to",
    "reply_to",
    "message",
    "user_name",
    "schema",
    "schema",
  ]);
});

Deno.test("conversationId() and messageId() pad to stable widths", () => {
  assert.equal(conversationId(42), "llm-000042");
  assert.equal(messageId(conversationId(42), 7), "llm-000042-007");
});

Deno.test("toMessages() maps reply indices to ids and gives seeded, increasing timestamps", () => {
  const conversation = {
    messages: [
      {
        user_name: " priya ",
        message: " anyone know how to pivot\r\nin sql ",
        message_type: "question" as const,
        reply_to: null,
      },
      { user_name: "kev", message: "crosstab", message_type: "answer" as const, reply_to: 0 },
      { user_name: "priya", message: "ty", message_type: "comment" as const, reply_to: 1 },
    ],
  };
  const rows = toMessages(conversation, 3, "sql-help", { seed: 7 });
  assert.deepEqual(rows.map((m) => [m.messageId, m.replyTo]), [
    ["llm-000003-000", null],
    ["llm-000003-001", "llm-000003-000"],
    ["llm-000003-002", "llm-000003-001"],
  ]);
  assert.equal(rows[0]!.userName, "priya");
  assert.equal(rows[0]!.text, "anyone know how to pivot\nin sql");
  assert.ok(rows.every((m) => m.channel === "sql-help" && m.conversationId === "llm-000003"));
  const times = rows.map((m) => Date.parse(m.timestamp));
  assert.ok(times[0]! >= Date.parse("2024-01-01T00:00:00Z"));
  assert.ok(times[0]! < times[1]! && times[1]! < times[2]!);
  assert.deepEqual(toMessages(conversation, 3, "sql-help", { seed: 7 }), rows);
  assert.notEqual(
    toMessages(conversation, 4, "sql-help", { seed: 7 })[0]!.timestamp,
    rows[0]!.timestamp,
  );
});

Deno.test("validateConversation() accepts answers that point at an earlier question, and nothing else", () => {
  const question = { ...message(null), message_type: "question" };
  const reason = (value: unknown) => {
    const result = validateConversation(value);
    return result.ok ? "ok" : result.reason;
  };
  assert.equal(reason({ messages: [question, message(null, { answers: 0, thread: 1 })] }), "ok");
  assert.equal(
    reason({ messages: [message(null), message(null, { answers: 0 })] }),
    "answers: messages.1 points at 0, not an earlier question",
  );
  assert.equal(
    reason({ messages: [question, message(null, { answers: 0, message_type: "comment" })] }),
    "answers: messages.1 is a comment, not an answer",
  );
  assert.equal(
    reason({ messages: [question, message(null, { answers: 1 })] }),
    "answers: messages.1 points at 1, not an earlier question",
  );
});

Deno.test("toMessages() fills position, thread, @mentions and the question each answer answers", () => {
  const q = (user: string, text: string) => ({
    user_name: user,
    message: text,
    message_type: "question" as const,
    reply_to: null,
  });
  const a = (user: string, text: string, extra: { answers?: number; reply_to?: number }) => ({
    user_name: user,
    message: text,
    message_type: "answer" as const,
    reply_to: extra.reply_to ?? null,
    ...(extra.answers === undefined ? {} : { answers: extra.answers }),
  });
  const rows = toMessages(
    {
      messages: [
        { ...q("ann", "how do i pivot"), thread: 1 },
        { ...q("bob", "is the workshop recorded"), thread: 2 },
        { ...a("cat", "@ann crosstab", { answers: 0 }), thread: 1 }, // given by the model
        a("dan", "yep", { reply_to: 1 }), // from the reply link to a question
        a("eve", "sum(case when …)", {}), // nearest earlier question by someone else
      ],
    },
    0,
    "sql-help",
  );
  assert.deepEqual(rows.map((m) => m.position), [0, 1, 2, 3, 4]);
  assert.deepEqual(rows.map((m) => m.answers), [
    undefined,
    undefined,
    "llm-000000-000",
    "llm-000000-001",
    "llm-000000-001",
  ]);
  assert.deepEqual(rows.map((m) => m.threadId), [
    "llm-000000-t01",
    "llm-000000-t02",
    "llm-000000-t01",
    undefined,
    undefined,
  ]);
  assert.deepEqual(rows[2]!.mentions, ["ann"]);
  assert.equal(rows[3]!.mentions, undefined);
});
