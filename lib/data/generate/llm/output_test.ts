import assert from "node:assert/strict";
import { join } from "node:path";
import { CONVERSATION_COLUMNS, readConversations } from "../../csv.ts";
import type { Message } from "../../types.ts";
import { openConversationLog } from "./output.ts";

function conversation(id: string, n: number): Message[] {
  return Array.from({ length: n }, (_, i) => ({
    messageId: `${id}-${String(i).padStart(3, "0")}`,
    conversationId: id,
    channel: "general",
    userName: "u",
    text: i === 1 ? 'multi\nline, "quoted"' : `m${i}`,
    messageType: "comment",
    replyTo: null,
    timestamp: "2024-01-01T00:00:00.000Z",
  }));
}

Deno.test("openConversationLog() creates the file with a header and appends whole conversations", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "sub", "c.csv");
  try {
    const log = await openConversationLog(path);
    assert.deepEqual(log.existing.conversationIds, []);
    await Promise.all([
      log.append(conversation("llm-000000", 3)),
      log.append(conversation("llm-000001", 2)),
    ]);
    const { messages, problems } = await readConversations(path);
    assert.deepEqual(problems, []);
    assert.deepEqual(messages, [
      ...conversation("llm-000000", 3),
      ...conversation("llm-000001", 2),
    ]);
    const again = await openConversationLog(path);
    assert.deepEqual(again.existing.conversationIds, ["llm-000000", "llm-000001"]);
    assert.equal(again.existing.messages, 5);
    assert.equal(again.existing.nextIndex, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openConversationLog() drops a conversation torn mid-write and keeps the rest", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "c.csv");
  try {
    const log = await openConversationLog(path);
    await log.append(conversation("llm-000000", 3));
    await log.append(conversation("llm-000007", 3));
    const whole = await Deno.readTextFile(path);
    // Cut inside the quoted multi-line field of the second conversation, and at a bare row end.
    for (
      const cut of [whole.lastIndexOf("multi") + 8, whole.lastIndexOf("\n", whole.length - 2) + 5]
    ) {
      await Deno.writeTextFile(path, whole.slice(0, cut));
      const reopened = await openConversationLog(path);
      assert.deepEqual(reopened.existing.conversationIds, ["llm-000000"]);
      assert.equal(reopened.existing.droppedConversation, "llm-000007");
      assert.ok(reopened.existing.repairedBytes > 0);
      assert.equal(reopened.existing.nextIndex, 1);
      const { messages, problems } = await readConversations(path);
      assert.deepEqual(problems, []);
      assert.deepEqual(messages, conversation("llm-000000", 3));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openConversationLog() refuses a file with another header", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "c.csv");
  try {
    await Deno.writeTextFile(path, "user_name,message,message_type\nu,hi,comment\n");
    await assert.rejects(
      openConversationLog(path),
      new SyntaxError(
        `Cannot append to "${path}": its header is "user_name,message,message_type", ` +
          `expected "${CONVERSATION_COLUMNS.join(",")}"`,
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openConversationLog() counts other generators' ids and continues llm ids after the highest", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "c.csv");
  try {
    const log = await openConversationLog(path);
    await log.append(conversation("c000001", 2));
    await log.append(conversation("llm-000041", 1));
    const reopened = await openConversationLog(path);
    assert.equal(reopened.existing.conversationIds.length, 2);
    assert.equal(reopened.existing.nextIndex, 42);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
