// J4, the hand-written judge set (data/judges/): the file reads as conversations the way eval
// reads it, and its counts are the ones its README states.
import assert from "node:assert/strict";
import { readCsv } from "../lib/data/csv.ts";
import { detectConversationColumns, rowsToMessages } from "../lib/data/conversation.ts";
import { loadLabelledCsv } from "../lib/eval/evaluate.ts";

const J4 = new URL("../data/judges/j4.csv", import.meta.url).pathname;
const README = new URL("../data/judges/README.md", import.meta.url).pathname;

interface Counts {
  conversations: number;
  rows: number;
  question: number;
  answer: number;
  comment: number;
  contextOnly: number;
  replies: number;
}

/** The README's count table, by kind ("a", "b", "c", "all"). */
function readmeCounts(text: string): Record<string, Counts> {
  const out: Record<string, Counts> = {};
  const row =
    /^\|\s*(a|b|c|all)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+) \/ (\d+) \/ (\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|$/gm;
  for (const m of text.matchAll(row)) {
    const [c, r, q, a, co, ctx, rep] = m.slice(2).map(Number) as number[];
    out[m[1]!] = {
      conversations: c!,
      rows: r!,
      question: q!,
      answer: a!,
      comment: co!,
      contextOnly: ctx!,
      replies: rep!,
    };
  }
  return out;
}

Deno.test("J4 has the counts per kind and class that data/judges/README.md states", async () => {
  const stated = readmeCounts(await Deno.readTextFile(README));
  assert.deepEqual(Object.keys(stated).sort(), ["a", "all", "b", "c"]);
  const table = await readCsv(J4);
  assert.deepEqual(table.problems, []);
  const counted: Record<string, Counts> = {};
  const conversations: Record<string, Set<string>> = {};
  for (const { values } of table.records) {
    for (const kind of [values.kind!, "all"]) {
      const c = counted[kind] ??= {
        conversations: 0,
        rows: 0,
        question: 0,
        answer: 0,
        comment: 0,
        contextOnly: 0,
        replies: 0,
      };
      (conversations[kind] ??= new Set()).add(values.conversation_id!);
      c.conversations = conversations[kind].size;
      c.rows++;
      const label = values.label!;
      if (label === "") c.contextOnly++;
      else c[label as "question" | "answer" | "comment"]++;
      if (values.reply_to !== "") c.replies++;
    }
  }
  assert.deepEqual(counted, stated);
});

Deno.test("eval reads J4 with no skipped rows, its empty labels as context only", async () => {
  const rows = await loadLabelledCsv(J4);
  const stated = readmeCounts(await Deno.readTextFile(README)).all!;
  assert.equal(rows.texts.length, stated.question + stated.answer + stated.comment);
  assert.equal(rows.skipped.total, 0);
  assert.equal(rows.skipped.contextOnly, stated.contextOnly);
  assert.equal(rows.records.length, stated.rows);
});

Deno.test("J4's conversations are ordered, timed and linked backwards to another speaker", async () => {
  const table = await readCsv(J4);
  const columns = detectConversationColumns(table.header);
  assert.deepEqual(columns, {
    conversation: "conversation_id",
    position: "position",
    timestamp: "timestamp",
    speaker: "speaker",
    replyTo: "reply_to",
    messageId: undefined,
    mentions: undefined,
    channel: undefined,
  });
  const messages = rowsToMessages(table.records, "text", columns);
  const seen = new Map<string, { position: number; time: number; speakers: string[] }>();
  for (const m of messages) {
    const where = `${m.conversationId} position ${m.position}`;
    const time = Date.parse(m.timestamp);
    assert.match(m.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, where);
    assert.ok(m.text.trim() !== "" && m.userName !== "", where);
    const before = seen.get(m.conversationId);
    assert.equal(m.position, before ? before.position + 1 : 0, `${where}: positions run 0, 1, …`);
    assert.ok(!before || time >= before.time, `${where}: time goes forward`);
    const speakers = before?.speakers ?? [];
    if (m.replyTo !== null) {
      const target = Number(m.replyTo);
      assert.ok(target < m.position!, `${where}: replies to an earlier message`);
      assert.notEqual(speakers[target], m.userName, `${where}: replies to someone else`);
    }
    speakers.push(m.userName);
    seen.set(m.conversationId, { position: m.position!, time, speakers });
  }
  assert.equal(seen.size, 50);
});
