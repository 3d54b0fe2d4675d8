import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CONVERSATION_COLUMNS,
  conversationsToCsv,
  parseCsv,
  readConversations,
  readCsv,
  recordToMessage,
  writeConversations,
} from "./csv.ts";
import type { Message } from "./types.ts";

const SEED_CSV = new URL("../../../shared/data/seed/conversations.csv", import.meta.url).pathname;

function message(i: number, text: string, overrides: Partial<Message> = {}): Message {
  return {
    messageId: `c000001-${String(i).padStart(3, "0")}`,
    conversationId: "c000001",
    channel: "help",
    userName: `user${i}`,
    text,
    messageType: "question",
    replyTo: i > 0 ? `c000001-${String(i - 1).padStart(3, "0")}` : null,
    timestamp: `2024-01-01T00:00:0${i}.000Z`,
    ...overrides,
  };
}

const TRICKY: Message[] = [
  message(0, "plain text"),
  message(1, "commas, everywhere, really", { messageType: "answer" }),
  message(2, 'she said "use pandas" and "numpy"', { messageType: "comment" }),
  message(3, "line one\nline two\n\nline four", { userName: 'O"Brien, Jr.' }),
  message(4, "windows\r\nline end and a trailing comma,"),
  message(5, "emoji 🎉🚀 and accents: café, naïve 日本語"),
  message(6, "  leading and trailing spaces  ", { channel: "" }),
  message(7, "yeah", {
    messageType: "answer",
    position: 7,
    threadId: "c000001-t02",
    answers: "c000001-000",
  }),
  message(8, "ok", { messageType: "comment", position: 0, threadId: "c000001-t01" }),
];

Deno.test("conversationsToCsv() → parseCsv() → recordToMessage() round-trips tricky text", () => {
  const text = conversationsToCsv(TRICKY);
  const table = parseCsv(text);
  assert.deepEqual(table.header, [...CONVERSATION_COLUMNS]);
  assert.deepEqual(table.problems, []);
  assert.deepEqual(table.records.map(recordToMessage), TRICKY);
});

Deno.test("parseCsv() gives each record the 1-based line it starts on, across embedded newlines", () => {
  const text = conversationsToCsv(TRICKY);
  const lines = text.split("\n");
  const table = parseCsv(text);
  for (const record of table.records) {
    const first = lines[record.line - 1]!;
    assert.ok(
      first.startsWith(csvField(record.values.user_name!)),
      `line ${record.line} is ${JSON.stringify(first)}`,
    );
  }
  assert.deepEqual(table.records.map((r) => r.line), [2, 3, 4, 5, 9, 11, 12, 13, 14]);
});

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

Deno.test("parseCsv() reports rows with the wrong field count by line and keeps the rest", () => {
  const text = [
    "message,message_type",
    '"first\nspans\nthree lines",question', // lines 2-4
    "too,many,fields", // line 5
    "ok,answer", // line 6
    '"also\nmulti",comment', // lines 7-8
    "lonely", // line 9
    "fine,comment", // line 10
  ].join("\n");
  const table = parseCsv(text);
  assert.deepEqual(table.problems, [
    { line: 5, reason: "expected 2 fields, found 3" },
    { line: 9, reason: "expected 2 fields, found 1" },
  ]);
  assert.deepEqual(table.records.map((r) => [r.line, r.values.message]), [
    [2, "first\nspans\nthree lines"],
    [6, "ok"],
    [7, "also\nmulti"],
    [10, "fine"],
  ]);
});

Deno.test("parseCsv() counts lines right with CRLF line ends and blank lines", () => {
  const text = 'a,b\r\n"x\r\ny",1\r\n\r\n\r\nbad\r\n2,3\r\n';
  const table = parseCsv(text);
  assert.deepEqual(table.problems, [{ line: 6, reason: "expected 2 fields, found 1" }]);
  assert.deepEqual(table.records.map((r) => r.line), [2, 7]);
});

Deno.test("parseCsv() throws SyntaxError for an unclosed quote", () => {
  assert.throws(
    () =>
      parseCsv('message,message_type\n"never closed,question\nnext,answer\n', { source: "x.csv" }),
    new SyntaxError(
      'Cannot parse x.csv: a quoted field is still open at the end of the file (line 3): a " ' +
        'opens a field that never closes; write each " inside a quoted field as "" (and quote a ' +
        "field that holds one)",
    ),
  );
});

Deno.test("parseCsv() throws SyntaxError for empty text", () => {
  assert.throws(() => parseCsv(""), {
    name: "SyntaxError",
    message: "Cannot parse CSV: the file is empty",
  });
});

Deno.test("parseCsv() throws SyntaxError naming a missing required column", () => {
  assert.throws(
    () => parseCsv("text,label\nhi,comment\n", { requiredColumns: ["message", "message_type"] }),
    {
      name: "SyntaxError",
      message: 'Cannot read CSV: column "message" is missing (header: text,label)',
    },
  );
});

Deno.test("parseCsv() strips a byte-order mark so the first column keeps its name", () => {
  const table = parseCsv("\uFEFFmessage,message_type\nhi,comment\n", {
    requiredColumns: ["message"],
  });
  assert.deepEqual(table.header, ["message", "message_type"]);
  assert.equal(table.records[0]!.values.message, "hi");
});

Deno.test("readCsv() throws NotFound with the path for a missing file", async () => {
  const path = join(await Deno.makeTempDir(), "nope.csv");
  try {
    await readCsv(path);
    assert.fail("expected NotFound");
  } catch (error) {
    assert.ok(error instanceof Deno.errors.NotFound);
    assert.equal(error.message, `Cannot read "${path}": no such file`);
  }
});

Deno.test("readCsv() names the file in parse errors", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "bad.csv");
  await Deno.writeTextFile(path, 'a,b\n"x,1\n');
  await assert.rejects(() => readCsv(path), (error: unknown) => {
    return error instanceof SyntaxError && error.message.startsWith(`Cannot parse "${path}": `);
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writeConversations() then readConversations() returns the same messages", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "nested", "conversations.csv");
  await writeConversations(path, TRICKY);
  const { messages, problems } = await readConversations(path);
  assert.deepEqual(problems, []);
  assert.deepEqual(messages, TRICKY);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("recordToMessage() fills columns the original four-column format lacks", () => {
  const { records } = parseCsv(
    "user_name,message,message_type,message_id\nann,hi?,Question,12345\n",
  );
  assert.deepEqual(recordToMessage(records[0]!), {
    messageId: "12345",
    conversationId: "line-2",
    channel: "",
    userName: "ann",
    text: "hi?",
    messageType: "Question",
    replyTo: null,
    timestamp: "",
  });
});

Deno.test("recordToMessage() reads a file from before position, thread_id and answers", () => {
  const { records } = parseCsv(
    "user_name,message,message_type,message_id,conversation_id,channel,reply_to,timestamp\n" +
      "ann,hi?,question,c1-000,c1,general,,2024-01-01T00:00:00.000Z\n",
  );
  const m = recordToMessage(records[0]!);
  assert.equal(m.conversationId, "c1");
  assert.ok(!("position" in m) && !("threadId" in m) && !("answers" in m), JSON.stringify(m));
  const bad = parseCsv("message,message_type,position\nhi,comment,-3\nho,comment,x\n");
  assert.deepEqual(bad.records.map((r) => recordToMessage(r).position), [undefined, undefined]);
});

Deno.test("readConversations() reads the seed project's file: 1,473 rows, no problems", async () => {
  try {
    await Deno.stat(SEED_CSV);
  } catch {
    console.log(`skipped: ${SEED_CSV} is absent`);
    return;
  }
  const { messages, problems } = await readConversations(SEED_CSV);
  assert.equal(messages.length, 1473);
  assert.deepEqual(problems, []);
  assert.equal(new Set(messages.map((m) => m.conversationId)).size, 1473);
});
