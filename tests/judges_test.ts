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

// The second annotator's labels of J4 (data/judges/second_annotator/j4.csv): the same rows, and the
// agreement the README's "Second annotator" table states.
const SECOND = new URL("../data/judges/second_annotator/j4.csv", import.meta.url).pathname;
const CLASSES = ["question", "answer", "comment"] as const;

/** The README's agreement table, by kind: rows both labelled, agreement, kappa, disagreements. */
function readmeAgreement(text: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const row =
    /^\|\s*(a|b|c|all)\s*\|\s*(\d+)\s*\|\s*(0\.\d{3})\s*\|\s*(0\.\d{3})\s*\|\s*(\d+)\s*\|$/gm;
  for (const m of text.matchAll(row)) out[m[1]!] = m.slice(2).map(Number);
  return out;
}

/** Raw agreement and Cohen's kappa of two label lists (same length, no empty labels). */
function kappa(first: string[], second: string[]): { agreement: number; kappa: number } {
  const n = first.length;
  const agreement = first.filter((label, i) => label === second[i]).length / n;
  const chance = CLASSES.reduce(
    (sum, c) =>
      sum + (first.filter((l) => l === c).length / n) * (second.filter((l) => l === c).length / n),
    0,
  );
  return { agreement, kappa: (agreement - chance) / (1 - chance) };
}

Deno.test("the second annotator's file holds J4's rows in J4's order, each labelled with a class or empty", async () => {
  const [first, second] = await Promise.all([readCsv(J4), readCsv(SECOND)]);
  assert.deepEqual(second.problems, []);
  assert.deepEqual(second.header, first.header);
  assert.equal(second.records.length, first.records.length);
  for (const [i, { values }] of second.records.entries()) {
    const j4 = first.records[i]!.values;
    for (const column of first.header.filter((c) => c !== "label")) {
      assert.equal(values[column], j4[column], `row ${i + 1}: ${column}`);
    }
    assert.ok(["", ...CLASSES].includes(values.label!), `row ${i + 1}: label "${values.label}"`);
  }
});

Deno.test("J4's agreement with the second annotator is the one data/judges/README.md states", async () => {
  const stated = readmeAgreement(await Deno.readTextFile(README));
  assert.deepEqual(Object.keys(stated).sort(), ["a", "all", "b", "c"]);
  const [first, second] = await Promise.all([readCsv(J4), readCsv(SECOND)]);
  for (const kind of ["a", "b", "c", "all"]) {
    const pairs = first.records
      .map(({ values }, i) => [values, second.records[i]!.values] as const)
      .filter(([a, b]) => a.label !== "" && b.label !== "" && (kind === "all" || a.kind === kind));
    const { agreement, kappa: k } = kappa(
      pairs.map(([a]) => a.label!),
      pairs.map(([, b]) => b.label!),
    );
    const disagreements = pairs.filter(([a, b]) => a.label !== b.label).length;
    assert.deepEqual(
      [pairs.length, Number(agreement.toFixed(3)), Number(k.toFixed(3)), disagreements],
      stated[kind],
      `kind ${kind}`,
    );
  }
});
