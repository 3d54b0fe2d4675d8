import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { conversationsToCsv, toCsv } from "./data/csv.ts";
import { generateBuiltin } from "./data/generate/builtin.ts";
import { LABELS } from "./data/types.ts";
import { readNpy } from "./features/npy.ts";
import { BUILTIN_VERSION } from "./features/builtin.ts";
import { DEFAULT_CONTEXT_RECIPE } from "./features/context.ts";
import { loadBundle } from "./model/bundle.ts";
import { predictProbabilities } from "./infer/predict.ts";
import { runTraining, type TrainingRunOptions } from "./pipeline.ts";

const SMALL = { embedder: { kind: "builtin", dimension: 64 }, train: { epochs: 3 } } as const;

async function setup(csv: string): Promise<{ dir: string; data: string }> {
  const dir = await Deno.makeTempDir({ prefix: "qac-pipeline-" });
  const data = join(dir, "conversations.csv");
  await Deno.writeTextFile(data, csv);
  return { dir, data };
}

function run(dir: string, data: string, extra: Partial<TrainingRunOptions> = {}) {
  return runTraining({
    dataPath: data,
    modelsDir: join(dir, "models"),
    vectorsDir: join(dir, "vectors"),
    ...SMALL,
    ...extra,
  });
}

Deno.test("runTraining() goes from a conversations CSV to a saved, loadable model", async () => {
  const { dir, data } = await setup(conversationsToCsv(generateBuiltin({ conversations: 80 })));
  const stages: string[] = [];
  const epochs: number[] = [];
  let extraCalls = 0;
  const report = await run(dir, data, {
    runId: "run-1",
    onStage: (stage) => stages.push(stage),
    onEpochEnd: (log) => epochs.push(log.epoch),
    evaluateExtra: () => {
      extraCalls++;
      return Promise.resolve({ realish: { macroF1: 0.5 } });
    },
  });
  assert.deepEqual(stages, ["clean", "split", "embed", "save"]);
  assert.ok(epochs.length >= 1 && epochs.length <= 3);
  assert.equal(extraCalls, 1);

  // vectors.npy holds every cleaned row, labels beside it
  const vectors = await readNpy(join(dir, "vectors", "vectors.npy"));
  const labels = await readNpy(join(dir, "vectors", "vectors.labels.npy"));
  const rows = report.clean.kept;
  assert.deepEqual(vectors.shape, [rows, 64]);
  // generated data has conversations: the model reads message ⊕ context ⊕ cues
  assert.deepEqual(report.metadata.context?.recipe, DEFAULT_CONTEXT_RECIPE);
  assert.deepEqual(labels.shape, [rows]);

  // splits are disjoint by conversation and add up to the cleaned rows
  const total = (part: Record<string, number>) => Object.values(part).reduce((a, b) => a + b, 0);
  assert.equal(
    total(report.split.train) + total(report.split.validation) + total(report.split.test),
    rows,
  );
  assert.equal(report.test.n, total(report.split.test));

  // the metadata says what was trained, on what, and how well
  const m = report.metadata;
  assert.equal(m.runId, "run-1");
  assert.deepEqual(m.labels, [...LABELS]);
  assert.equal(m.embedderId, `builtin-v${BUILTIN_VERSION}-d64`);
  assert.equal(m.training.seed, 42);
  assert.match(String(m.data.sha256), /^[0-9a-f]{64}$/);
  assert.ok(Array.isArray(m.data.testConversations) && m.data.testConversations.length > 0);
  assert.deepEqual(m.metrics.real, { realish: { macroF1: 0.5 } });

  // models/latest points at the run, and the saved model predicts like a fresh load
  const bundle = await loadBundle(join(dir, "models", "latest"));
  assert.equal(bundle.metadata.runId, "run-1");
  const p = await predictProbabilities(bundle, ["anyone know how to pivot in sql", "lol"]);
  assert.equal(p.length, 6);
  assert.ok(Math.abs(p[0]! + p[1]! + p[2]! - 1) < 1e-5);
  bundle.model.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runTraining() is deterministic for a seed and leaks no tensors", async () => {
  const { dir, data } = await setup(conversationsToCsv(generateBuiltin({ conversations: 40 })));
  const first = await run(dir, data, { runId: "a", vectorsDir: null });
  const tensors = tf.memory().numTensors;
  const second = await run(dir, data, { runId: "b", vectorsDir: null });
  assert.equal(tf.memory().numTensors, tensors);
  assert.deepEqual(second.test.confusion, first.test.confusion);
  assert.deepEqual(second.history.map((h) => h.loss), first.history.map((h) => h.loss));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runTraining() keeps the context model's hidden layer at the embedding size when the CLI leaves it unset", async () => {
  const { dir, data } = await setup(conversationsToCsv(generateBuiltin({ conversations: 30 })));
  // tasks/train.ts passes every flag; unset ones arrive as undefined
  const report = await run(dir, data, {
    runId: "h",
    vectorsDir: null,
    train: { epochs: 1, hiddenUnits: undefined, classWeights: undefined },
  });
  assert.ok(report.metadata.context, "generated data trains a context model");
  assert.equal(report.metadata.hiddenUnits, 64);
  assert.deepEqual(report.metadata.training.classWeights, [1, 1, 1]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runTraining() with a split column tests on exactly the column's test rows", async () => {
  const header = ["message", "message_type", "seed_split"];
  const rows: string[][] = [];
  for (let i = 0; i < 90; i++) {
    const label = LABELS[i % 3]!;
    const text = label === "question"
      ? `how do i fix error ${i}?`
      : label === "answer"
      ? `yes try version ${i}`
      : `nice work ${i} lol`;
    rows.push([text, label.toUpperCase(), i % 5 === 0 ? "test" : i % 7 === 0 ? "" : "train"]);
  }
  rows.push(["how do i fix error 0?", "question", "test"]); // duplicate text: kept, as the column says
  const { dir, data } = await setup(toCsv(header, rows));
  const report = await run(dir, data, { splitColumn: "seed_split", vectorsDir: null });
  assert.equal(report.test.n, 19);
  assert.equal(report.metadata.data.splitColumn, "seed_split");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runTraining() explains unusable data files", async () => {
  const { dir, data } = await setup("text,label\nhello,comment\n");
  await assert.rejects(() => run(dir, join(dir, "nope.csv")), {
    name: "NotFound",
    message: `Cannot read "${join(dir, "nope.csv")}": no such file`,
  });
  await assert.rejects(() => run(dir, data), {
    name: "RangeError",
    message: `Cannot train on "${data}": 1 rows are too few for a validation and a test set`,
  });
  await Deno.writeTextFile(data, "message,kind\nhello,comment\n");
  await assert.rejects(() => run(dir, data), {
    name: "SyntaxError",
    message: `Cannot train on "${data}": column "message_type" is missing (header: message,kind)`,
  });
  await Deno.writeTextFile(data, "message,message_type\nhello,greeting\n");
  await assert.rejects(() => run(dir, data), {
    name: "RangeError",
    message: `Cannot train on "${data}": no usable rows after cleaning`,
  });
  await assert.rejects(() => run(dir, data, { splitColumn: "seed_split" }), {
    name: "SyntaxError",
    message:
      `Cannot train on "${data}": column "seed_split" is missing (header: message,message_type)`,
  });
  await Deno.remove(dir, { recursive: true });
});
