import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import type { Message } from "../data/types.ts";
import { loadBundle, saveBundle } from "../model/bundle.ts";
import { BuiltinEmbedder } from "../features/builtin.ts";
import {
  aloneContexts,
  assembleContexts,
  contextRows,
  DEFAULT_CONTEXT_RECIPE,
} from "../features/context.ts";
import { trainClassifier } from "../model/train.ts";
import { tinyBundle, tinyContextBundle } from "../serve/_testing.ts";
import type { ModelBundle } from "../model/bundle.ts";
import { initBackend } from "./backend.ts";
import { classifyFile, createBatchPredictor } from "./classify_file.ts";
import {
  createRowsPredictor,
  predictAlone,
  predictAssembled,
  predictInContext,
} from "./context.ts";
import { predictProbabilities } from "./predict.ts";
import { createSparsePool } from "./sparse_pool.ts";

await initBackend();

function msg(id: string, user: string, text: string, extra: Partial<Message> = {}): Message {
  return {
    messageId: id,
    conversationId: "c1",
    channel: "",
    userName: user,
    text,
    messageType: "",
    replyTo: null,
    timestamp: "",
    ...extra,
  };
}

const labelsOf = (p: Float32Array) =>
  Array.from({ length: p.length / 3 }, (_, i) => {
    const row = [...p.subarray(i * 3, i * 3 + 3)];
    return ["answer", "comment", "question"][row.indexOf(Math.max(...row))];
  });

const THREAD = [
  msg("q", "ana", "is the meetup on thursday?", { position: 0 }),
  msg("a", "ben", "it moved to friday", { position: 1 }),
  msg("x", "cy", "it moved to friday", { conversationId: "c2", position: 0 }),
];

Deno.test("predictInContext() reads a message after its context; alone it is another message", async () => {
  const bundle = tinyContextBundle();
  // in c1 the reply follows a question (answer); in c2 the same text opens the conversation
  assert.deepEqual(labelsOf(await predictInContext(bundle, THREAD)), [
    "question",
    "answer",
    "comment",
  ]);
  const alone = await predictInContext(bundle, THREAD, { alone: true });
  assert.deepEqual(labelsOf(alone), ["question", "comment", "comment"]);
  // a lone text through the ordinary route gets the same numbers as alone
  assert.deepEqual(await predictProbabilities(bundle, THREAD.map((m) => m.text)), alone);
  assert.deepEqual(await predictAlone(bundle, THREAD.map((m) => m.text)), alone);
});

Deno.test("predictInContext() gives each message the same probabilities whatever the input order", async () => {
  const bundle = tinyContextBundle();
  const forward = await predictInContext(bundle, THREAD);
  const reversed = await predictInContext(bundle, [...THREAD].reverse());
  for (let i = 0; i < THREAD.length; i++) {
    assert.deepEqual(
      [...reversed.subarray((THREAD.length - 1 - i) * 3, (THREAD.length - i) * 3)],
      [...forward.subarray(i * 3, i * 3 + 3)],
    );
  }
});

Deno.test("predictInContext() of a message-only model is its ordinary prediction", async () => {
  const bundle = tinyBundle();
  const inContext = await predictInContext(bundle, THREAD);
  const ordinary = await predictProbabilities(bundle, THREAD.map((m) => m.text));
  assert.equal(inContext.length, ordinary.length);
  for (let i = 0; i < ordinary.length; i++) {
    assert.ok(Math.abs(inContext[i]! - ordinary[i]!) < 1e-5, `${inContext[i]} vs ${ordinary[i]}`);
  }
});

/** A context model trained for a few epochs on builtin sparse features. */
async function trainedContextBundle(): Promise<ModelBundle> {
  const embedder = new BuiltinEmbedder({ dimension: 32 });
  const messages = [
    msg("1", "ana", "how do i pivot in pandas?", { position: 0 }),
    msg("2", "ben", "df.pivot_table works", { position: 1, replyTo: "0" }),
    msg("3", "ana", "thanks", { position: 2 }),
    msg("4", "cy", "any sql course?", { position: 3 }),
    msg("5", "dee", "mode analytics is free", { position: 4 }),
  ];
  const y = Int32Array.from([2, 0, 1, 2, 0]);
  const base = embedder.featurizeMany(messages.map((m) => m.text));
  const x = contextRows(base, [{
    assembly: assembleContexts(messages),
    rows: Int32Array.from([0, 1, 2, 3, 4]),
  }]);
  const { model, history } = await trainClassifier({ x, y }, { x, y }, {
    epochs: 3,
    hiddenUnits: 32,
  });
  return {
    model,
    embedder,
    labels: ["answer", "comment", "question"],
    metadata: {
      format: "qac-model/1",
      runId: "ctx-run",
      createdAt: "2025-01-01T00:00:00.000Z",
      labels: ["answer", "comment", "question"],
      embedder: embedder.config,
      embedderId: embedder.id,
      dimension: 32,
      hiddenUnits: 32,
      context: { recipe: DEFAULT_CONTEXT_RECIPE },
      training: { history },
      data: {},
      metrics: {},
      versions: { qac: "test" },
    },
  };
}

Deno.test("texts read alone by a context model get the feature-matrix route's numbers, also on a worker", async () => {
  const bundle = await trainedContextBundle();
  const texts = Array.from(
    { length: 60 },
    (_, i) =>
      ["how do i pivot in pandas?", "df.pivot_table works", "thanks!!", "any sql course??"][
        i % 4
      ] + ` ${i}`,
  );
  const expected = predictAssembled(
    bundle,
    (bundle.embedder as BuiltinEmbedder).featurizeMany(texts),
    aloneContexts(texts.map((text) => ({ text }))),
  );
  assert.deepEqual(await predictAlone(bundle, texts), expected);
  // the batch predictor's worker, and this thread while the worker starts
  const predict = createBatchPredictor(bundle, { workers: 1 });
  const pool = createSparsePool(bundle, { workers: 1, context: DEFAULT_CONTEXT_RECIPE })!;
  try {
    assert.equal(predict.route, "sparse wasm + 1 worker (context model, each text alone)");
    assert.deepEqual(await pool.predict(texts), expected);
    assert.equal(pool.state, "ready");
    const [first, second] = await Promise.all([
      predict(texts.slice(0, 25)),
      predict(texts.slice(25)),
    ]);
    assert.deepEqual(first, expected.subarray(0, 25 * 3));
    assert.deepEqual(second, expected.subarray(25 * 3));
  } finally {
    predict.close();
    pool.close();
    bundle.model.dispose();
  }
});

Deno.test("a batch predictor whose worker holds two batches writes a file in input order with the same numbers", async () => {
  const bundle = await trainedContextBundle();
  const texts = Array.from(
    { length: 60 },
    (_, i) => ["how do i start?", "thanks", "use sql"][i % 3] + ` ${i}`,
  );
  const expected = await predictAlone(bundle, texts);
  const dir = await Deno.makeTempDir();
  const predict = createBatchPredictor(bundle, { workers: 1, queue: 2 });
  try {
    await Deno.writeTextFile(join(dir, "in.txt"), texts.join("\n") + "\n");
    await classifyFile(predict, join(dir, "in.txt"), join(dir, "out.csv"), {
      batchSize: 7,
      concurrency: 6,
    });
    const rows = parse(await Deno.readTextFile(join(dir, "out.csv")), { columns: true }) as Record<
      string,
      string
    >[];
    assert.deepEqual(rows.map((r) => r.text), texts);
    assert.deepEqual(
      rows.map((r) => [r.p_answer, r.p_comment, r.p_question].map(Number)),
      texts.map((_, i) =>
        [...expected.subarray(i * 3, i * 3 + 3)].map((p) => Number(p.toFixed(6)))
      ),
    );
    assert.throws(() => createBatchPredictor(bundle, { workers: 1, queue: 0 }), {
      name: "RangeError",
      message: "Cannot create batch predictor: queue must be a positive integer, got 0",
    });
  } finally {
    predict.close();
    bundle.model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a context model's recipe survives save → load, and the loaded model predicts the same", async () => {
  const bundle = await trainedContextBundle();
  const dir = await Deno.makeTempDir({ prefix: "qac-ctx-" });
  try {
    await saveBundle(join(dir, "run"), bundle);
    const loaded = await loadBundle(join(dir, "run"));
    assert.deepEqual(loaded.metadata.context, { recipe: DEFAULT_CONTEXT_RECIPE });
    const before = await predictInContext(bundle, THREAD);
    const after = await predictInContext(loaded, THREAD);
    for (let i = 0; i < before.length; i++) assert.ok(Math.abs(before[i]! - after[i]!) < 1e-5);
    loaded.model.dispose();

    // a recipe this code does not know is refused, not silently rebuilt another way
    const path = join(dir, "run", "metadata.json");
    const metadata = JSON.parse(await Deno.readTextFile(path));
    metadata.context.recipe.version = 9;
    await Deno.writeTextFile(path, JSON.stringify(metadata));
    await assert.rejects(loadBundle(join(dir, "run")), {
      name: "TypeError",
      message:
        `Cannot load model "${dir}/run": metadata.json's context: Cannot use context recipe: version 9 is unknown (known: 1, 2, 3)`,
    });
  } finally {
    bundle.model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("classifying a conversation file with a context model keeps input order and columns", async () => {
  const bundle = tinyContextBundle();
  const input = await Deno.makeTempFile({ suffix: ".csv" });
  const out = input.replace(/\.csv$/, ".out.csv");
  // rows of two conversations, interleaved and out of position order
  await Deno.writeTextFile(
    input,
    [
      "text,speaker,conversation_id,position,reply_to",
      "it moved to friday,ben,c1,1,0",
      "it moved to friday,cy,c2,0,",
      "is the meetup on thursday?,ana,c1,0,",
    ].join("\n") + "\n",
  );
  const modes: string[] = [];
  await classifyFile(createBatchPredictor(bundle), input, out, {
    predictRows: createRowsPredictor(bundle, { onMode: (m) => modes.push(m) }),
  });
  const rows = parse(await Deno.readTextFile(out)) as string[][];
  assert.deepEqual(rows[0], [
    "text",
    "speaker",
    "conversation_id",
    "position",
    "reply_to",
    "predicted",
    "p_question",
    "p_answer",
    "p_comment",
  ]);
  assert.deepEqual(rows.slice(1).map((r) => [r[0], r[5]]), [
    ["it moved to friday", "answer"],
    ["it moved to friday", "comment"],
    ["is the meetup on thursday?", "question"],
  ]);
  assert.deepEqual(modes, ["context"]);
  await Deno.remove(input);
  await Deno.remove(out);
});

Deno.test("a conversation file longer than a batch reaches the context model whole, in one call", async () => {
  const bundle = tinyContextBundle();
  const input = await Deno.makeTempFile({ suffix: ".csv" });
  const out = input.replace(/\.csv$/, ".out.csv");
  // 2,100 rows: the answer past row 2,048 replies to the question in row 0, so splitting the
  // file (as the text route's first short batch does) would cut it from its context
  const lines = ["text,speaker,conversation_id,position,reply_to"];
  lines.push("is the meetup on thursday?,ana,c1,0,");
  for (let p = 1; p < 2_099; p++) lines.push(`lol,u${p % 7},c1,${p},`);
  lines.push("it moved to friday,ben,c1,2099,0");
  await Deno.writeTextFile(input, lines.join("\n") + "\n");
  const calls: number[] = [];
  const predictRows = createRowsPredictor(bundle);
  await classifyFile(createBatchPredictor(bundle), input, out, {
    predictRows: (rows, texts) => {
      calls.push(rows.length);
      return predictRows(rows, texts);
    },
  });
  assert.deepEqual(calls, [2_100]);
  const rows = parse(await Deno.readTextFile(out)) as string[][];
  assert.equal(rows.length, 2_101);
  assert.deepEqual([rows[2_100]![0], rows[2_100]![5]], ["it moved to friday", "answer"]);
  await Deno.remove(input);
  await Deno.remove(out);
});
