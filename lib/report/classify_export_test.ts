import assert from "node:assert/strict";
import { join } from "node:path";
import { readExport } from "../data/discord/read.ts";
import { type ChatMessage, emptyReadStats } from "../data/discord/types.ts";
import { LABELS } from "../data/types.ts";
import { BuiltinEmbedder } from "../features/builtin.ts";
import { randomBundle, randomContextBundle } from "../infer/_testing.ts";
import { initBackend } from "../infer/backend.ts";
import type { ModelBundle } from "../model/bundle.ts";
import { writeHandExport } from "./_hand_export.ts";
import { buildReport } from "./build.ts";
import {
  classifyExport,
  classifyMessages,
  EXPORT_COLUMNS,
  holdsDiscordExport,
} from "./classify_export.ts";
import { createMessageClassifier } from "./classify.ts";

await initBackend();

/** The committed generated export (channels and threads, with truth.csv beside them). */
const FIXTURE = new URL("../../tests/fixtures/discord", import.meta.url).pathname;

const embedder = new BuiltinEmbedder({ dimension: 128 });
/** Seeded random weights spread wide enough that labels vary message to message. */
const MODELS: [string, () => ModelBundle][] = [
  ["a context model", () => randomContextBundle(embedder, 32, { seed: 7, spread: 4 })],
  ["a message-only model", () => randomBundle(embedder, 32, { seed: 7, spread: 4 })],
];

/** Each message of the export at `dir` with the probabilities `deno task report`'s build gave it,
 * in the order the report read them. */
async function reportProbabilities(bundle: ModelBundle, dir: string, batchSize?: number) {
  const classify = createMessageClassifier(bundle);
  const seen: { id: string; p: number[] }[] = [];
  try {
    const stats = emptyReadStats();
    await buildReport(readExport(dir, { stats }), async (batch: readonly ChatMessage[]) => {
      const p = await classify(batch);
      batch.forEach((m, i) => seen.push({ id: m.messageId, p: [...p.subarray(i * 3, i * 3 + 3)] }));
      return p;
    }, { stats, batchSize });
  } finally {
    classify.close();
  }
  return seen;
}

/** What classifyMessages() gives each message of the export at `dir`, in order. */
async function classifiedProbabilities(bundle: ModelBundle, dir: string, batchSize?: number) {
  const classify = createMessageClassifier(bundle);
  const seen: { id: string; p: number[] }[] = [];
  try {
    for await (
      const { messages, probabilities: p } of classifyMessages(readExport(dir), classify, {
        batchSize,
      })
    ) {
      messages.forEach((m, i) =>
        seen.push({ id: m.messageId, p: [...p.subarray(i * 3, i * 3 + 3)] })
      );
    }
  } finally {
    classify.close();
  }
  return seen;
}

for (const [name, make] of MODELS) {
  Deno.test(`classifyMessages() gives every message of the fixture export the report's probabilities, with ${name}`, async () => {
    const bundle = make();
    try {
      // the report's batches, and small ones (a context model carries context across batch edges)
      for (const batchSize of [undefined, 25]) {
        const report = await reportProbabilities(bundle, FIXTURE, batchSize);
        assert.ok(report.length > 200, `${report.length} messages`);
        const labels = new Set(report.map(({ p }) => p.indexOf(Math.max(...p))));
        assert.equal(labels.size, 3, "the random model gives every label somewhere");
        assert.deepEqual(await classifiedProbabilities(bundle, FIXTURE, batchSize), report);
      }
    } finally {
      bundle.model.dispose();
    }
  });
}

Deno.test("classifyExport() writes the hand-built export as the report labels it, one row per chat message in reading order", async () => {
  const dir = await Deno.makeTempDir();
  const bundle = MODELS[0]![1]();
  try {
    await writeHandExport(join(dir, "export"));
    const report = await reportProbabilities(bundle, join(dir, "export"));
    const order: ChatMessage[] = await Array.fromAsync(readExport(join(dir, "export")));
    const classify = createMessageClassifier(bundle);
    const out = join(dir, "labels.jsonl");
    const summary = await classifyExport(readExport(join(dir, "export")), classify, out);
    classify.close();
    const rows = (await Deno.readTextFile(out)).trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.equal(summary.rows, 19); // the hand-built export's chat messages (bot, joins, … left out)
    assert.equal(summary.outputFormat, "jsonl");
    assert.deepEqual(rows.map((r) => r.message_id), order.map((m) => m.messageId));
    assert.deepEqual(rows.map((r) => r.message_id), report.map((r) => r.id));
    assert.deepEqual(Object.keys(rows[0]), [
      ...EXPORT_COLUMNS,
      "predicted",
      "p_question",
      "p_answer",
      "p_comment",
    ]);
    rows.forEach((row, i) => {
      const m = order[i]!;
      assert.deepEqual(
        [row.channel, row.author, row.timestamp, row.reply_to, row.text],
        [m.channel, m.userName, m.timestamp, m.replyTo, m.text],
      );
      const p = report[i]!.p;
      assert.equal(row.predicted, LABELS[p.indexOf(Math.max(...p))]);
      assert.deepEqual(
        [row.p_question, row.p_answer, row.p_comment],
        ["question", "answer", "comment"].map((l) =>
          Number(p[LABELS.indexOf(l as never)]!.toFixed(6))
        ),
      );
    });
    const counted: Record<string, number> = Object.fromEntries(LABELS.map((l) => [l, 0]));
    for (const row of rows) counted[row.predicted] = (counted[row.predicted] ?? 0) + 1;
    assert.deepEqual(summary.predicted, counted);
    // a thread's replies come right after its parent channel, as the report reads them
    const reply = rows.find((r) => r.reply_to !== null);
    assert.ok(reply, "a reply keeps its reply_to");
  } finally {
    bundle.model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("classifyExport() reads DiscordChatExporter's CSV flavour, leaving attachment-only rows out", async () => {
  const dir = await Deno.makeTempDir();
  const bundle = MODELS[1]![1]();
  try {
    const file = join(dir, "Break Into Data - Help - sql-help [777].csv");
    await Deno.writeTextFile(
      file,
      "AuthorID,Author,Date,Content,Attachments,Reactions\n" +
        '1,ann#0001,2024-01-01T10:00:00.000+00:00,"how do i join two tables, by id?",,\n' +
        "2,bob#0002,2024-01-01T10:01:00.000+00:00,,https://cdn.example/x.png,\n" +
        '2,bob#0002,05-Sep-20 01:23 PM,"use a ""left join"" on the id",,👍 (1)\n',
    );
    assert.equal(await holdsDiscordExport([file]), true);
    const classify = createMessageClassifier(bundle);
    const out = join(dir, "labels.csv");
    const stats = emptyReadStats();
    const summary = await classifyExport(readExport(file, { stats }), classify, out);
    classify.close();
    assert.equal(summary.rows, 2);
    assert.deepEqual(stats.skipped, { "attachment only": 1 });
    const lines = (await Deno.readTextFile(out)).trimEnd().split("\n");
    assert.equal(
      lines[0],
      "message_id,channel,author,timestamp,reply_to,text,predicted,p_question,p_answer,p_comment",
    );
    assert.match(
      lines[1]!,
      /^777:2,sql-help,ann#0001,2024-01-01T10:00:00\.000Z,,"how do i join two tables, by id\?",(question|answer|comment),\d\.\d{6},\d\.\d{6},\d\.\d{6}$/,
    );
    assert.match(
      lines[2]!,
      /^777:4,sql-help,bob#0002,2020-09-05T13:23:00\.000Z,,"use a ""left join"" on the id",(question|answer|comment),/,
    );
  } finally {
    bundle.model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("classifyExport() leaves no output behind when reading fails, and refuses a folder as output", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const failing = async function* (): AsyncGenerator<ChatMessage> {
      yield* [];
      throw new SyntaxError("Cannot parse x: broken");
    };
    const classify = () => new Float32Array(0);
    const out = join(dir, "labels.csv");
    await assert.rejects(classifyExport(failing(), classify, out), {
      name: "SyntaxError",
      message: "Cannot parse x: broken",
    });
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), []);
    await assert.rejects(classifyExport([], classify, dir), {
      name: "TypeError",
      message: `Cannot write "${dir}": it is a folder; name a file, e.g. "${
        join(dir, "classified.csv")
      }"`,
    });
    // nothing to read: the header alone
    await classifyExport([], classify, out);
    assert.equal(
      await Deno.readTextFile(out),
      "message_id,channel,author,timestamp,reply_to,text,predicted,p_question,p_answer,p_comment\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("holdsDiscordExport() tells an export's files from other JSON and CSV", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const other = join(dir, "metadata.json");
    await Deno.writeTextFile(other, '{"runId": "x", "labels": []}');
    const csv = join(dir, "chat.csv");
    await Deno.writeTextFile(csv, "text,label\nhi,comment\n");
    assert.equal(await holdsDiscordExport([other, csv]), false);
    assert.equal(await holdsDiscordExport([]), false);
    const [channel] = await writeHandExport(join(dir, "export"));
    assert.equal(await holdsDiscordExport([other, channel!]), true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
