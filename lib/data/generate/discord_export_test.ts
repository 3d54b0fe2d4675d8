import assert from "node:assert/strict";
import { join } from "node:path";
import { parseCsv } from "../csv.ts";
import { generateBuiltin, generateWindows } from "./builtin.ts";
import { DiscordExportWriter, TRUTH_COLUMNS } from "./discord_export.ts";

async function exportTo(dir: string, windows: number, seed = 3) {
  const writer = await DiscordExportWriter.open(dir, { seed });
  for (const window of generateWindows({ conversations: windows, seed })) writer.add(window);
  return await writer.close();
}

async function readDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const entry of Deno.readDir(dir)) {
    out[entry.name] = await Deno.readTextFile(join(dir, entry.name));
  }
  return out;
}

const SNOWFLAKE = /^[1-9]\d{15,18}$/;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/;

Deno.test("DiscordExportWriter writes DiscordChatExporter JSON whose truth covers every message", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const summary = await exportTo(dir, 150);
    assert.ok(Object.values(summary.counts).every((n) => n > 0), JSON.stringify(summary.counts));
    const truth = parseCsv(await Deno.readTextFile(summary.truth), {
      requiredColumns: TRUTH_COLUMNS,
    });
    assert.deepEqual(truth.problems, []);
    const truthById = new Map(truth.records.map((r) => [r.values.message_id!, r.values]));
    const seen = new Map<string, string>(); // message id → channel id, over files read so far
    const threadsStarted = new Set<string>();
    const threadFiles: string[] = [];
    let total = 0;
    // Channels first, then threads: a thread's messages reply to its question in the channel.
    const files = await Promise.all(
      summary.files.map(async (path) => JSON.parse(await Deno.readTextFile(path))),
    );
    files.sort((a, b) =>
      (a.channel.type === "GuildPublicThread" ? 1 : 0) -
      (b.channel.type === "GuildPublicThread" ? 1 : 0)
    );
    for (const json of files) {
      if (json.channel.type === "GuildPublicThread") {
        threadFiles.push(json.channel.id);
        assert.equal(
          json.channel.categoryId,
          seen.get(json.channel.id),
          "parent holds the starter",
        );
      } else {
        assert.equal(json.channel.type, "GuildTextChat");
      }
      assert.deepEqual(Object.keys(json), [
        "guild",
        "channel",
        "dateRange",
        "exportedAt",
        "messages",
        "messageCount",
      ]);
      assert.deepEqual(Object.keys(json.guild), ["id", "name", "iconUrl"]);
      assert.deepEqual(Object.keys(json.channel), [
        "id",
        "type",
        "categoryId",
        "category",
        "name",
        "topic",
      ]);
      assert.match(json.channel.id, SNOWFLAKE);
      assert.equal(json.messageCount, json.messages.length);
      const ids = new Set<string>();
      let lastTime = 0;
      for (const m of json.messages) {
        assert.match(m.id, SNOWFLAKE);
        assert.ok(!ids.has(m.id), `duplicate ${m.id}`);
        ids.add(m.id);
        assert.match(m.timestamp, TIME);
        const time = Date.parse(m.timestamp);
        assert.ok(time >= lastTime, `out of order at ${m.id}`);
        lastTime = time;
        assert.ok(
          ["Default", "Reply", "GuildMemberJoin", "ChannelPinnedMessage", "ThreadCreated"]
            .includes(m.type),
          m.type,
        );
        assert.equal(typeof m.isPinned, "boolean");
        assert.equal(typeof m.content, "string");
        assert.deepEqual(Object.keys(m.author), [
          "id",
          "name",
          "discriminator",
          "nickname",
          "color",
          "isBot",
          "roles",
          "avatarUrl",
        ]);
        assert.ok(Array.isArray(m.attachments) && Array.isArray(m.reactions));
        for (const u of m.mentions) assert.ok(m.content.includes(`@${u.name}`), m.content);
        if (m.type === "Reply" || m.type === "ChannelPinnedMessage") {
          const target = m.reference.messageId;
          assert.ok(seen.has(target), `${m.id} references a later/unknown message`);
          assert.equal(m.reference.channelId, seen.get(target), "the target's channel");
        } else if (m.type === "ThreadCreated") {
          assert.equal(m.reference.messageId, null);
          threadsStarted.add(m.reference.channelId);
        } else {
          assert.equal(m.reference, undefined);
        }
        seen.set(m.id, json.channel.id);
        if (m.content === "") assert.ok(m.attachments.length > 0 || m.type !== "Default");
        const row = truthById.get(m.id);
        assert.ok(row, `no truth for ${m.id}`);
        assert.equal(
          row.channel,
          json.channel.category === "Text Channels" ? json.channel.name : json.channel.category,
        );
        assert.equal(row.kind === "chat", row.label !== "", m.id);
        assert.equal(row.kind === "bot", m.author.isBot, m.id);
        if (row.label === "answer") {
          const question = truthById.get(row.answers!);
          assert.equal(question?.label, "question", `${m.id} answers ${row.answers}`);
          assert.ok(seen.has(row.answers!), "the question comes earlier");
        }
        total++;
      }
    }
    assert.equal(total, truth.records.length);
    assert.ok(threadFiles.length > 0);
    assert.deepEqual([...threadsStarted].sort(), threadFiles.sort());
    assert.equal(summary.counts.chat, generateBuiltin({ conversations: 150, seed: 3 }).length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("DiscordExportWriter gives the same bytes for the same input", async () => {
  const [a, b] = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  try {
    await exportTo(a, 30);
    await exportTo(b, 30);
    assert.deepEqual(await readDir(a), await readDir(b));
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});

Deno.test("DiscordExportWriter.open() refuses a folder that already holds an export", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "README.md"), "notes"); // other files are fine
    await (await DiscordExportWriter.open(dir)).abort();
    await Deno.writeTextFile(join(dir, "truth.csv"), "old");
    await assert.rejects(DiscordExportWriter.open(dir), {
      name: "AlreadyExists",
      message:
        `Cannot write a Discord export to "${dir}": it already holds one ("truth.csv"); remove it or choose another --out`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("DiscordExportWriter.abort() leaves no file behind", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const writer = await DiscordExportWriter.open(dir);
    for (const window of generateWindows({ conversations: 10 })) writer.add(window);
    await writer.abort();
    assert.deepEqual(await readDir(dir), {});
    assert.throws(() => writer.add([]), /^Error: Cannot add to a Discord export: it is closed$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const FIXTURES = new URL("../../../tests/fixtures/discord/", import.meta.url).pathname;

Deno.test("tests/fixtures/discord is what its README's command writes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Keep in step with tests/fixtures/discord/README.md.
    const writer = await DiscordExportWriter.open(dir, { seed: 7 });
    // The fixture keeps the answer style it was made with (before round 9's default).
    const windows = generateWindows({ conversations: 12, seed: 7, answers: "plain" });
    for (const window of windows) writer.add(window);
    await writer.close();
    const committed = await readDir(FIXTURES);
    delete committed["README.md"];
    assert.deepEqual(await readDir(dir), committed);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
