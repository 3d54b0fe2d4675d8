import assert from "node:assert/strict";
import { join } from "node:path";
import { writeHandExport } from "../../report/_hand_export.ts";
import { channelFromFileName, parseDceDate, readExport } from "./read.ts";
import { type ChatMessage, emptyReadStats, type ReadProblem } from "./types.ts";

async function readAll(path: string) {
  const stats = emptyReadStats();
  const problems: ReadProblem[] = [];
  const messages: ChatMessage[] = [];
  for await (const m of readExport(path, { stats, onProblem: (p) => problems.push(p) })) {
    messages.push(m);
  }
  return { messages, stats, problems };
}

Deno.test("readExport() reads a DiscordChatExporter folder: chat kept, the rest counted", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeHandExport(dir);
    const { messages, stats, problems } = await readAll(dir);
    assert.deepStrictEqual(problems, []);
    assert.equal(stats.files, 4);
    assert.equal(stats.guildName, "Breaking Into Data");
    assert.deepStrictEqual(stats.skipped, {
      "system:GuildMemberJoin": 1,
      "attachment only": 1,
      bot: 1,
      "system:ThreadCreated": 1,
      "system:ChannelPinnedMessage": 1,
      "unknown type": 1,
      "duplicate id": 1,
    });
    assert.equal(messages.length, 19);
    assert.equal(stats.messages, 19);
    const byId = new Map(messages.map((m) => [m.messageId, m]));
    const answer = byId.get("900000000000000103")!;
    assert.equal(answer.replyTo, "900000000000000102");
    assert.equal(answer.userName, "dev_tom");
    assert.equal(answer.displayName, "Tom");
    assert.equal(answer.channel, "python-help");
    assert.equal(answer.guildId, "810000000000000001");
    assert.equal(answer.timestamp, "2024-03-04T09:09:00.000Z");
    // a thread: its own conversation, reported under its parent channel
    const inThread = byId.get("900000000000000201")!;
    assert.equal(inThread.thread, true);
    assert.equal(inThread.conversationId, "900000000000000108");
    assert.equal(inThread.channelId, "900000000000000108");
    assert.equal(inThread.channel, "python-help");
    // the message the thread was started from is marked, and the thread is read right after
    // its parent channel
    const starter = byId.get("900000000000000108")!;
    assert.deepStrictEqual(messages.filter((m) => m.startsThread), [starter]);
    const conversations = [...new Set(messages.map((m) => m.conversationId))];
    assert.equal(
      conversations[conversations.indexOf("900000000000000108") - 1],
      starter.conversationId,
    );
    assert.deepStrictEqual(byId.get("900000000000000112")!.mentions, ["maya_codes", "Maya"]);
    // a reply to a deleted message keeps its reference; nothing resolves it
    assert.equal(byId.get("900000000000000305")!.replyTo, "900000000000000999");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readExport() gives every message's time in ISO form, in UTC", async () => {
  const stamps = [
    "2024-01-02T01:31:36.000+00:00",
    "2024-02-28T23:59:59.999+00:00",
    "2024-02-29T12:00:00.000+00:00",
    "2023-02-29T12:00:00.000+00:00", // no such day: whatever Date makes of it
    "2024-12-31T23:59:59.123+00:00",
    "2024-03-31T01:30:00.000+02:00",
    "2024-03-04T09:09:00+00:00",
    "2024-03-04T09:09:00.5+00:00",
    "2024-03-04T24:00:00.000+00:00",
    "2024-03-04T09:09:00.000Z",
  ];
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "times.json"),
      JSON.stringify({
        guild: { id: "1", name: "g" },
        channel: { id: "2", type: "GuildTextChat", name: "general" },
        messages: stamps.map((timestamp, i) => ({
          id: String(100 + i),
          type: "Default",
          timestamp,
          content: `message ${i}`,
          author: { id: "3", name: "ana" },
        })),
      }),
    );
    const { messages } = await readAll(dir);
    const expected = stamps
      .filter((t) => !Number.isNaN(Date.parse(t)))
      .map((t) => new Date(Date.parse(t)).toISOString());
    assert.ok(expected.length >= 8);
    assert.deepStrictEqual(messages.map((m) => m.timestamp), expected);
    assert.equal(messages[0]!.timestamp, "2024-01-02T01:31:36.000Z");
    assert.equal(messages[5]!.timestamp, "2024-03-30T23:30:00.000Z");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readExport() reports a bad file in one line and goes on with the others", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = JSON.stringify({
      guild: { id: "1", name: "g" },
      channel: { id: "2", type: "GuildTextChat", name: "general" },
      messages: [
        { id: "10", type: "Default", timestamp: "2024-01-01T00:00:00+00:00", content: "hi" },
        { id: "11", type: "Default", timestamp: "2024-01-01T00:01:00+00:00", content: "yo" },
      ],
    });
    await Deno.writeTextFile(join(dir, "a_not_json.json"), "this is not json");
    await Deno.writeTextFile(join(dir, "b_array.json"), "[1, 2, 3]");
    await Deno.writeTextFile(join(dir, "c_other_shape.json"), '{"users": [{"id": 1}]}');
    await Deno.writeTextFile(join(dir, "d_truncated.json"), good.slice(0, good.indexOf('"11"')));
    await Deno.writeTextFile(join(dir, "e_empty_channel.json"), good.replace(/\[.*\]/, "[]"));
    await Deno.writeTextFile(join(dir, "f_good.json"), good);
    await Deno.writeTextFile(join(dir, "g_no_channel.json"), '{"messages": [{"id": "1"}]}');
    await Deno.writeTextFile(join(dir, "h_foreign.csv"), "name,age\nann,3\n");
    const { messages, stats, problems } = await readAll(dir);
    const lines = problems.map((p) => `${p.file.slice(dir.length + 1)}: ${p.reason}`);
    assert.deepStrictEqual(lines, [
      `a_not_json.json: Cannot parse "${dir}/a_not_json.json": not JSON (starts with "this is not ")`,
      `b_array.json: Cannot parse "${dir}/b_array.json": the top level is an array, not an object`,
      `c_other_shape.json: Cannot read "${dir}/c_other_shape.json": not a DiscordChatExporter ` +
      'export (no "messages" array)',
      `d_truncated.json: Cannot parse "${dir}/d_truncated.json": the text ends inside "messages" ` +
      "after 1 items (truncated?)",
      `g_no_channel.json: Cannot read "${dir}/g_no_channel.json": not a DiscordChatExporter ` +
      'export (no "channel")',
      `h_foreign.csv: Cannot read "${dir}/h_foreign.csv": neither a DiscordChatExporter CSV ` +
      "(AuthorID,Author,Date,Content) nor a conversations CSV (message or text column); " +
      "header: name,age",
    ]);
    // the truncated file's first message is kept; the good file is read whole
    assert.deepStrictEqual(messages.map((m) => m.text), ["hi", "hi", "yo"]);
    assert.equal(stats.files, 8);
    assert.equal(stats.failedFiles, 6);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readExport() reads DCE's CSV flavour, and a non-UTF-8 CSV as Windows-1252", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const csv = "AuthorID,Author,Date,Content,Attachments,Reactions\n" +
      '1,ann#1234,2024-01-01T10:00:00.000+00:00,"how do I join tables, in sql?",,\n' +
      "2,bob,05-Sep-20 01:23 PM,use JOIN ... ON,,\n" +
      "2,bob,2024-01-01T10:05:00+00:00,,https://cdn/x.png,\n" +
      "3,cyd,not a date,hello,,\n";
    const path = join(dir, "Server - Help - sql-help [555].csv");
    await Deno.writeTextFile(path, csv);
    // "café" in Windows-1252: é is the single byte 0xE9, invalid as UTF-8
    const latin = new Uint8Array([
      ...new TextEncoder().encode("AuthorID,Author,Date,Content,Attachments,Reactions\n"),
      ...new TextEncoder().encode("1,ann,2024-01-01T10:00:00Z,caf"),
      0xe9,
      ...new TextEncoder().encode(" tonight?,,\n"),
    ]);
    await Deno.writeFile(join(dir, "latin.csv"), latin);
    const { messages, stats, problems } = await readAll(dir);
    assert.deepStrictEqual(messages.map((m) => [m.channel, m.messageId, m.userName, m.text]), [
      ["sql-help", "555:2", "ann#1234", "how do I join tables, in sql?"],
      ["sql-help", "555:3", "bob", "use JOIN ... ON"],
      ["latin", "latin:2", "ann", "café tonight?"],
    ]);
    assert.equal(messages[0]!.displayName, "ann");
    assert.equal(messages[1]!.timestamp, "2020-09-05T13:23:00.000Z");
    assert.deepStrictEqual(stats.skipped, { "attachment only": 1, "bad date": 1 });
    assert.deepStrictEqual(problems.map((p) => [p.line ?? null, p.reason]), [
      [5, 'cannot read date "not a date"'],
      [
        null,
        "not UTF-8 (a bad byte in the block from byte 0 on); read the file from there on as " +
        "Windows-1252",
      ],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readExport() reads the project's conversations CSV and JSONL", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "conversations.csv"),
      "user_name,message,message_type,message_id,conversation_id,channel,reply_to,timestamp\n" +
        "ann,how do I start?,Question,c1-001,c1,general,,2024-01-01T00:00:00Z\n" +
        "bob,take the course,answer,c1-002,c1,general,c1-001,2024-01-01T00:01:00Z\n",
    );
    await Deno.writeTextFile(
      join(dir, "more.jsonl"),
      '{"userName":"cyd","text":"anyone here?","messageId":"x1","conversationId":"c2"}\n' +
        "not json\n",
    );
    const { messages, problems } = await readAll(dir);
    assert.deepStrictEqual(
      messages.map((m) => [m.messageId, m.conversationId, m.channel, m.messageType, m.replyTo]),
      [
        ["c1-001", "c1", "general", "question", null],
        ["c1-002", "c1", "general", "answer", "c1-001"],
        ["x1", "c2", "more", "", null],
      ],
    );
    assert.deepStrictEqual(problems.map((p) => [p.line, p.reason]), [[2, "not JSON"]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readExport() names a missing path", async () => {
  await assert.rejects(() => readAll("/nonexistent/export"), {
    name: "NotFound",
    message: 'Cannot read "/nonexistent/export": no such file or folder',
  });
});

Deno.test("channelFromFileName() and parseDceDate() read DCE's names and dates", () => {
  assert.deepStrictEqual(channelFromFileName("/x/Guild - Help - sql-help [123].csv"), {
    channelName: "sql-help",
    channelId: "123",
  });
  assert.deepStrictEqual(channelFromFileName("general.json"), {
    channelName: "general",
    channelId: "general",
  });
  assert.equal(parseDceDate("05-Sep-20 01:23 PM"), Date.UTC(2020, 8, 5, 13, 23));
  assert.equal(parseDceDate("12-Jan-2021 12:05 AM"), Date.UTC(2021, 0, 12, 0, 5));
  assert.equal(parseDceDate("yesterday"), null);
});

Deno.test("readExport() never reads its run's own output, nor qac's outputs left in the folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeHandExport(dir);
    // a report written inside the export, and a classify CSV beside it
    await Deno.mkdir(join(dir, "report"));
    await Deno.writeTextFile(join(dir, "report", "report.json"), '{"overall": {}}');
    await Deno.writeTextFile(
      join(dir, "report", "unanswered.csv"),
      "id,channel,author,timestamp,text,link\n1,general,ana,2024-03-04T09:00:00Z,hi?,\n",
    );
    await Deno.writeTextFile(
      join(dir, "labels.csv"),
      "message_id,channel,author,timestamp,reply_to,text,predicted,p_question,p_answer,p_comment\n" +
        "1,general,ana,2024-03-04T09:00:00Z,,hi?,question,0.9,0.05,0.05\n",
    );
    // excluded: the run's own output folder and file are not even opened
    const stats = emptyReadStats();
    const problems: ReadProblem[] = [];
    const excluded = await Array.fromAsync(readExport(dir, {
      stats,
      onProblem: (p) => problems.push(p),
      exclude: [join(dir, "report"), join(dir, "labels.csv")],
    }));
    assert.equal(excluded.length, 19);
    assert.equal(stats.files, 4);
    assert.deepStrictEqual(problems, []);
    // not excluded: each output gets one line and none of their rows is read as chat
    const { messages, problems: lines } = await readAll(dir);
    assert.equal(messages.length, 19);
    assert.deepStrictEqual(lines.map((p) => p.file.slice(dir.length + 1)).sort(), [
      "labels.csv",
      "report/report.json",
      "report/unanswered.csv",
    ]);
    assert.match(lines.find((p) => p.file.endsWith("labels.csv"))!.reason, /qac's output/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readExport() leaves out a message too long to classify, names it and reads on", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "general.csv");
    await Deno.writeTextFile(
      file,
      "AuthorID,Author,Date,Content,Attachments,Reactions\n" +
        "1,ana,2024-03-01T10:00:00Z,anyone know sql?,,\n" +
        `2,ben,2024-03-01T10:01:00Z,${"a".repeat(100_001)},,\n` +
        "2,ben,2024-03-01T10:02:00Z,try a join,,\n",
    );
    // it used to reach the featurizer, whose RangeError stopped the whole report
    const { messages, stats, problems } = await readAll(file);
    assert.deepStrictEqual(messages.map((m) => m.text), ["anyone know sql?", "try a join"]);
    assert.deepStrictEqual(stats.skipped, { "too long": 1 });
    assert.equal(stats.failedFiles, 0);
    assert.deepStrictEqual(messages.map((m) => m.messageId), ["general:2", "general:4"]);
    assert.deepStrictEqual(problems, [{
      file,
      reason: "message general:3 has 100001 characters, more than the 100000 a message may have; " +
        "left out",
    }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readExport() reads a UTF-16 export (with its byte-order mark) as the same messages", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const text = "AuthorID,Author,Date,Content,Attachments,Reactions\n" +
      "1,ana,2024-03-01T10:00:00Z,café: anyone know sql? 🙂,,\n" +
      "2,ben,2024-03-01T10:01:00Z,try a join,,\n";
    const utf8 = join(dir, "utf8", "general.csv");
    const le = join(dir, "le", "general.csv");
    const be = join(dir, "be", "general.csv");
    for (const path of [utf8, le, be]) await Deno.mkdir(join(path, ".."));
    await Deno.writeTextFile(utf8, text);
    const units = Uint16Array.from(("\ufeff" + text).split("").map((c) => c.charCodeAt(0)));
    const bytes = new Uint8Array(units.length * 2);
    const view = new DataView(bytes.buffer);
    units.forEach((u, i) => view.setUint16(2 * i, u, true));
    await Deno.writeFile(le, bytes);
    units.forEach((u, i) => view.setUint16(2 * i, u, false));
    await Deno.writeFile(be, bytes);
    const expected = await readAll(utf8);
    assert.equal(expected.messages.length, 2);
    for (const path of [le, be]) {
      // read as Windows-1252, its header was "ÿþA\0u\0t…": not an export at all
      const { messages, problems } = await readAll(path);
      assert.deepStrictEqual(problems, []);
      assert.deepStrictEqual(messages, expected.messages);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
