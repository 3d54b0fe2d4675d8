import assert from "node:assert/strict";
import type { ModelBundle } from "../model/bundle.ts";
import {
  evaluateLabelledCsv,
  loadLabelledCsv,
  scoreBaselines,
  thinRoc,
  trainingLabelCounts,
  writeEvalReport,
} from "./evaluate.ts";

// Lines 6 (empty text), 7 (unknown label) and 9 (three fields) cannot be scored.
const FIXTURE = [
  "text,label,source",
  "how do I start?,question,a",
  "what is sql,question,b",
  "use python,answer,c",
  "nice,comment,d",
  ",comment,e",
  "hello?,Greeting,f",
  "ok?,comment,g",
  "a,b,c,d",
  "try pandas,answer,h",
].join("\n") + "\n";

/** question for "?" or "what…", answer for "use…", else comment; probabilities favour it. */
function fakePredict(texts: readonly string[]): Float32Array {
  const out = new Float32Array(texts.length * 3);
  texts.forEach((t, i) => {
    const c = t.includes("?") || t.startsWith("what") ? 2 : t.startsWith("use") ? 0 : 1;
    out.set([0.1, 0.1, 0.1], i * 3);
    out[i * 3 + c] = 0.8;
  });
  return out;
}

function fakeBundle(train?: Record<string, number>): ModelBundle {
  return {
    metadata: { runId: "run-1", data: train ? { rows: { train } } : {} },
  } as unknown as ModelBundle;
}

async function fixturePath(): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  await Deno.writeTextFile(path, FIXTURE);
  return path;
}

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-4, `${actual} vs ${expected}`);

Deno.test("evaluateLabelledCsv() scores the model and both baselines on the same rows (hand-checked)", async () => {
  const path = await fixturePath();
  const result = await evaluateLabelledCsv(
    fakeBundle({ question: 5, answer: 2, comment: 1 }),
    path,
    {
      predict: fakePredict,
    },
  );
  assert.equal(result.n, 6);
  assert.equal(result.runId, "run-1");
  assert.deepEqual(result.labelCounts, { answer: 2, comment: 2, question: 2 });
  // model: 4/6 right; F1 question 0.8, answer 2/3, comment 0.5
  close(result.metrics.accuracy, 4 / 6);
  close(result.metrics.perClass.question.f1, 0.8);
  close(result.metrics.perClass.answer.f1, 2 / 3);
  close(result.metrics.perClass.comment.f1, 0.5);
  close(result.metrics.macroF1, (0.8 + 2 / 3 + 0.5) / 3);
  assert.deepEqual(result.metrics.confusion, [[1, 1, 0], [0, 1, 1], [0, 0, 2]]);
  assert.ok(result.metrics.roc);
  // "?" rule: 2/6 right; F1 question 0.5, answer 0, comment 1/3
  const rule = result.baselines.questionMark;
  close(rule.accuracy, 2 / 6);
  close(rule.macroF1, (0.5 + 0 + 1 / 3) / 3);
  // majority of the training labels is question: F1 question 0.5, others 0
  assert.equal(result.baselines.majorityLabel, "question");
  assert.equal(result.baselines.majorityFrom, "training");
  close(result.baselines.majority.accuracy, 2 / 6);
  close(result.baselines.majority.macroF1, 0.5 / 3);
  await Deno.remove(path);
});

Deno.test("evaluateLabelledCsv() reports unscorable rows with their line numbers", async () => {
  const path = await fixturePath();
  const result = await evaluateLabelledCsv(fakeBundle(), path, { predict: fakePredict });
  assert.deepEqual(result.skipped, {
    total: 3,
    malformed: 1,
    unknownLabels: { greeting: 1 },
    emptyText: 1,
    examples: [
      { line: 6, reason: "empty text" },
      { line: 7, reason: 'unknown label "Greeting"' },
      { line: 9, reason: "expected 3 fields, found 4" },
    ],
  });
  // Without training counts the majority comes from the evaluated rows (a 2/2/2 tie → answer).
  assert.equal(result.baselines.majorityFrom, "evaluation");
  assert.equal(result.baselines.majorityLabel, "answer");
  await Deno.remove(path);
});

Deno.test("loadLabelledCsv() keeps duplicates, applies a filter and reads the original's columns", async () => {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  await Deno.writeTextFile(
    path,
    "message,message_type,seed_split\nhi?,Question,test\nhi?,Question,test\nyo,Comment,train\n",
  );
  const rows = await loadLabelledCsv(path, { filter: (r) => r.values.seed_split === "test" });
  assert.deepEqual(rows.texts, ["hi?", "hi?"]);
  assert.deepEqual([...rows.y], [2, 2]);
  assert.deepEqual(rows.lines, [2, 3]);
  assert.equal(rows.textColumn, "message");
  await Deno.remove(path);
});

Deno.test("loadLabelledCsv() rejects a file without its label column", async () => {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  await Deno.writeTextFile(path, "text,kind\nhi,x\n");
  await assert.rejects(() => loadLabelledCsv(path), {
    name: "SyntaxError",
    message: `Cannot evaluate on "${path}": column "message_type" is missing (header: text,kind)`,
  });
  await Deno.remove(path);
});

Deno.test("loadLabelledCsv() names the line of a message too long to featurize, before any work", async () => {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  // it used to fail inside the featurizer: "Cannot featurize text: it has 100001 characters"
  await Deno.writeTextFile(path, `text,label\nhi?,question\n"${"a".repeat(100_001)}",comment\n`);
  await assert.rejects(() => loadLabelledCsv(path), {
    name: "RangeError",
    message: `Cannot evaluate on "${path}": the message on line 3 has 100001 characters, more ` +
      "than the 100000 a message may have; shorten or split it, or remove the row",
  });
  await Deno.remove(path);
});

Deno.test("scoreBaselines() and trainingLabelCounts() read the training majority from metadata", () => {
  assert.deepEqual(trainingLabelCounts({ data: { rows: { train: { answer: 3, comment: 9 } } } }), {
    answer: 3,
    comment: 9,
  });
  assert.equal(trainingLabelCounts({ data: {} }), undefined);
  const b = scoreBaselines(["a?", "b"], Int32Array.of(2, 1), { answer: 3, comment: 9 });
  assert.equal(b.majorityLabel, "comment");
  assert.equal(b.questionMark.accuracy, 1);
});

Deno.test("writeEvalReport() writes metrics.json and SVG charts", async () => {
  const path = await fixturePath();
  const result = await evaluateLabelledCsv(fakeBundle(), path, { predict: fakePredict });
  const dir = await Deno.makeTempDir();
  const written = await writeEvalReport(dir, result);
  assert.deepEqual(written.map((p) => p.slice(dir.length + 1)), [
    "metrics.json",
    "confusion.svg",
    "roc.svg",
    "per_class.svg",
  ]);
  const json = JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`));
  assert.equal(json.n, 6);
  assert.match(await Deno.readTextFile(`${dir}/confusion.svg`), /^<svg/);
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(path);
});

Deno.test("thinRoc() keeps at most n points, the ends and the exact AUC", () => {
  const fpr = Array.from({ length: 11 }, (_, i) => i / 10);
  const curve = { fpr, tpr: fpr, thresholds: fpr.map((x) => 1 - x), auc: 0.5 };
  const metrics = {
    roc: { answer: curve, comment: curve, question: curve },
  } as unknown as Parameters<
    typeof thinRoc
  >[0];
  const thin = thinRoc(metrics, 3).roc!.answer;
  assert.deepEqual(thin.fpr, [0, 0.5, 1]);
  assert.equal(thin.auc, 0.5);
  assert.equal(thinRoc(metrics, 20).roc!.answer.fpr.length, 11);
});

Deno.test("evaluateLabelledCsv() uses unlabelled rows as context only and scores the labelled ones", async () => {
  const { tinyContextBundle } = await import("../serve/_testing.ts");
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  await Deno.writeTextFile(
    path,
    [
      "text,label,conversation_id,position,speaker,reply_to",
      "is the meetup on thursday?,,c1,0,ana,",
      "it moved to friday,answer,c1,1,ben,0",
      "lol nice,comment,c1,2,cy,",
      "it moved to friday,comment,c2,0,dee,",
    ].join("\n") + "\n",
  );
  const bundle = tinyContextBundle();
  const result = await evaluateLabelledCsv(bundle, path);
  assert.equal(result.mode, "context");
  assert.equal(result.n, 3);
  assert.equal(result.skipped.total, 0);
  assert.equal(result.skipped.contextOnly, 1);
  assert.equal(result.metrics.accuracy, 1);
  // each message alone: the answer loses its question and reads as a comment
  const alone = await evaluateLabelledCsv(bundle, path, { context: "off" });
  assert.equal(alone.mode, "alone");
  assert.equal(alone.n, 3);
  close(alone.metrics.accuracy, 2 / 3);
  await Deno.remove(path);
});
