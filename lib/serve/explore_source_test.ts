import assert from "node:assert/strict";
import { join } from "node:path";
import { writeHandExport } from "../report/_hand_export.ts";
import { TINY_CONVERSATIONS_CSV, tinyBundle } from "./_testing.ts";
import { readExploreSource } from "./explore_source.ts";
import { createHandler } from "./handler.ts";

const DCE_CSV = "AuthorID,Author,Date,Content,Attachments,Reactions\n" +
  "1,ann,2024-01-01T10:00:00Z,how do I learn SQL?,,\n" +
  "2,ben,2024-01-01T10:01:00Z,try the free course,,\n" +
  "3,cy,2024-01-01T10:02:00Z,,https://cdn/x.png,\n" +
  "1,ann,2024-01-01T14:00:00Z,is pandas worth it?,,\n";

Deno.test("readExploreSource() reads labelled CSVs as before and exports as unlabelled", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "train.csv"), TINY_CONVERSATIONS_CSV);
    const labelled = await readExploreSource(join(dir, "train.csv"));
    assert.equal(labelled.labelled, true);
    assert.equal(labelled.messages.length, 8); // every row; Explore drops unlabelled ones

    await Deno.writeTextFile(join(dir, "Guild - Help - sql-help [55].csv"), DCE_CSV);
    const csv = await readExploreSource(join(dir, "Guild - Help - sql-help [55].csv"));
    assert.equal(csv.labelled, false);
    assert.equal(csv.skipped, 1);
    // four hours of quiet start a new conversation
    assert.deepStrictEqual(csv.messages.map((m) => [m.conversationId, m.channel, m.text]), [
      ["55#1", "sql-help", "how do I learn SQL?"],
      ["55#1", "sql-help", "try the free course"],
      ["55#2", "sql-help", "is pandas worth it?"],
    ]);

    const folder = join(dir, "export");
    await writeHandExport(folder);
    const hand = await readExploreSource(folder);
    assert.equal(hand.messages.length, 19);
    assert.equal(hand.messages.filter((m) => m.conversationId === "900000000000000108").length, 3);

    await Deno.writeTextFile(join(dir, "notes.json"), "not json");
    await assert.rejects(() => readExploreSource(join(dir, "notes.json")), {
      name: "SyntaxError",
      message: `Cannot parse "${dir}/notes.json": not JSON (starts with "not json")`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Explore serves a DiscordChatExporter CSV given as --data, with predictions as classes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "Guild - Help - sql-help [55].csv");
    await Deno.writeTextFile(path, DCE_CSV);
    const handler = createHandler(tinyBundle(path), { dataPath: path });
    const res = await handler(new Request("http://x/data/summary"));
    assert.equal(res.status, 200);
    const summary = await res.json();
    assert.deepStrictEqual(
      [summary.labelled, summary.messages, summary.conversations, summary.misclassified],
      [false, 3, 2, 0],
    );
    // the tiny model: "?" → question, "try" → answer
    assert.deepStrictEqual(summary.classMix, [
      { label: "answer", count: 1 },
      { label: "comment", count: 0 },
      { label: "question", count: 2 },
    ]);
    const page = await handler(new Request("http://x/data/conversations?filter=all"));
    assert.equal((await page.json()).total, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
