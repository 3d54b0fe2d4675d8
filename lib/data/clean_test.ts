import assert from "node:assert/strict";
import { cleanRecords, describeCleanReport, detectColumns } from "./clean.ts";
import type { CsvRecord } from "./types.ts";

function rows(...pairs: [string, string, string?][]): CsvRecord[] {
  return pairs.map(([message, type, conversation], i) => ({
    line: i + 2,
    values: { message, message_type: type, conversation_id: conversation ?? "" },
  }));
}

Deno.test("cleanRecords() lowercases and trims labels", () => {
  const { items, report } = cleanRecords(
    rows(["a", "Question"], ["b", " ANSWER "], ["c", "comment"]),
  );
  assert.deepEqual(items.map((i) => i.label), ["question", "answer", "comment"]);
  assert.equal(report.kept, 3);
});

Deno.test("cleanRecords() drops unknown labels and counts each one", () => {
  const { items, report } = cleanRecords(
    rows(["a", "Response"], ["b", "response"], ["c", "Spam"], ["d", ""], ["e", "question"]),
  );
  assert.deepEqual(items.map((i) => i.text), ["e"]);
  assert.deepEqual(report.unknownLabels, { response: 2, spam: 1, "": 1 });
  assert.equal(report.input, 5);
  assert.equal(report.kept, 1);
});

Deno.test("cleanRecords() drops empty and whitespace-only texts and trims the rest", () => {
  const { items, report } = cleanRecords(
    rows(["", "question"], ["   \n\t ", "answer"], ["  hi there \n", "comment"]),
  );
  assert.deepEqual(items.map((i) => i.text), ["hi there"]);
  assert.equal(report.emptyText, 2);
});

Deno.test("cleanRecords() keeps the first of exact duplicate texts and counts conflicting labels", () => {
  const { items, report } = cleanRecords(
    rows(
      ["same", "question"],
      ["other", "answer"],
      ["same", "question"], // plain duplicate
      [" same ", "comment"], // duplicate after trimming, with another label
      ["Same", "comment"], // differs in case: not a duplicate
    ),
  );
  assert.deepEqual(items.map((i) => [i.text, i.label, i.line]), [
    ["same", "question", 2],
    ["other", "answer", 3],
    ["Same", "comment", 6],
  ]);
  assert.equal(report.duplicates, 2);
  assert.equal(report.conflictingDuplicates, 1);
});

Deno.test("cleanRecords() gives a duplicated text the majority label of its copies", () => {
  const input = rows(
    ["yeah", "comment"],
    ["ok", "comment"],
    ["yeah", "answer"],
    ["yeah", "answer"],
    ["ok", "answer"], // a tie goes to the earliest label
  );
  const { items, report } = cleanRecords(input);
  assert.deepEqual(items.map((i) => [i.text, i.label, i.line]), [
    ["yeah", "answer", 2],
    ["ok", "comment", 3],
  ]);
  assert.equal(report.relabelled, 1);
  assert.equal(report.conflictingDuplicates, 3);
  const first = cleanRecords(input, { conflicts: "first" });
  assert.deepEqual(first.items.map((i) => i.label), ["comment", "comment"]);
  assert.equal(first.report.relabelled, 0);
});

Deno.test("cleanRecords() keeps duplicates when dropDuplicates is false", () => {
  const { items, report } = cleanRecords(rows(["same", "question"], ["same", "answer"]), {
    dropDuplicates: false,
  });
  assert.equal(items.length, 2);
  assert.equal(report.duplicates, 0);
});

Deno.test("cleanRecords() groups by conversation_id, else gives each row its own group", () => {
  const { items } = cleanRecords(
    rows(["a", "question", "c1"], ["b", "answer", "c1"], ["c", "comment"]),
  );
  assert.deepEqual(items.map((i) => i.group), ["c1", "c1", "line-4"]);
});

Deno.test("cleanRecords() reads the columns it is told and copies the split column", () => {
  const records: CsvRecord[] = [
    { line: 2, values: { text: "hi", label: "Comment", thread: "t1", seed_split: " test " } },
    { line: 3, values: { text: "yo", label: "answer", thread: "t2" } },
  ];
  const { items } = cleanRecords(records, {
    textColumn: "text",
    labelColumn: "label",
    groupColumn: "thread",
    splitColumn: "seed_split",
  });
  assert.deepEqual(items, [
    { text: "hi", label: "comment", group: "t1", line: 2, split: "test" },
    { text: "yo", label: "answer", group: "t2", line: 3, split: "" },
  ]);
});

Deno.test("detectColumns() prefers text/label and falls back to the original's columns", () => {
  assert.deepEqual(detectColumns(["id", "text", "label"]), {
    textColumn: "text",
    labelColumn: "label",
  });
  assert.deepEqual(detectColumns(["user_name", "message", "message_type", "message_id"]), {
    textColumn: "message",
    labelColumn: "message_type",
  });
  assert.deepEqual(detectColumns(["text", "message", "message_type"]), {
    textColumn: "message",
    labelColumn: "message_type",
  });
});

Deno.test("describeCleanReport() says what was kept and why the rest was dropped", () => {
  const { report } = cleanRecords(
    rows(
      ["a", "question"],
      ["a", "answer"],
      ["", "comment"],
      ["b", "Response"],
      ["c", "response"],
      ["d", "spam"],
      ["e", "comment"],
    ),
  );
  assert.equal(
    describeCleanReport(report),
    'kept 2 of 7 rows; 3 with a label other than question/answer/comment ("response"×2, "spam"×1); ' +
      "1 with empty text; 1 duplicate texts (1 with another label)",
  );
  assert.equal(
    describeCleanReport(cleanRecords(rows(["x", "question"])).report),
    "kept 1 of 1 rows",
  );
});
