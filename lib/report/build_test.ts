import assert from "node:assert/strict";
import { readExport } from "../data/discord/read.ts";
import { type ChatMessage, emptyReadStats } from "../data/discord/types.ts";
import { LABELS } from "../data/types.ts";
import { handTruth, writeHandExport } from "./_hand_export.ts";
import { chatMessage } from "./_testing.ts";
import { buildReport, type BuildReportOptions, type MessageClassifier, quantile } from "./build.ts";
import { evaluateReport } from "./evaluate.ts";

/** A classifier that knows the truth: probability `p` on the true label. */
function oracle(labels: ReadonlyMap<string, string>, p = 1): MessageClassifier {
  return (messages: readonly ChatMessage[]) => {
    const out = new Float32Array(messages.length * 3).fill((1 - p) / 2);
    messages.forEach((m, i) => {
      out[i * 3 + LABELS.indexOf((labels.get(m.messageId) ?? "comment") as never)] = p;
    });
    return out;
  };
}

async function handReport(options: BuildReportOptions = {}, p = 1) {
  const dir = await Deno.makeTempDir();
  try {
    await writeHandExport(dir);
    const stats = emptyReadStats();
    const truth = handTruth();
    const report = await buildReport(readExport(dir, { stats }), oracle(truth.labels, p), {
      stats,
      sourcePath: "hand",
      now: () => new Date(0),
      ...options,
    });
    return { report, truth };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("buildReport() gives per-question records with exactly the agreed fields", async () => {
  const { report } = await handReport();
  assert.deepStrictEqual(report.questions[0], {
    id: "900000000000000102",
    channel: "python-help",
    author: "jjwalker",
    timestamp: "2024-03-04T09:03:00.000Z",
    text: "hey all, pandas keeps giving me SettingWithCopyWarning when I filter then assign. " +
      "how do I get rid of it",
    answered: true,
    firstAnswerId: "900000000000000103",
    secondsToFirstAnswer: 360,
    linkedBy: "reply",
  });
  assert.deepStrictEqual(
    report.questions.map((q) => [q.id.slice(-3), q.firstAnswerId?.slice(-3) ?? null, q.linkedBy]),
    [
      ["102", "103", "reply"],
      ["108", "201", "thread"],
      ["110", "112", "mention"],
      ["114", null, null],
      ["303", "304", "scored"],
      ["306", null, null],
      ["307", null, null],
    ],
  );
});

Deno.test("buildReport() sums up channels and the whole export", async () => {
  const { report } = await handReport();
  const o = report.overall;
  assert.equal(o.messages, 19);
  assert.equal(o.questions, 7);
  assert.equal(o.answered, 4);
  assert.equal(o.answeredShare, 4 / 7);
  // waits 300, 360, 480, 1800 s: median 420, p90 480 + 0.7 × 1320 (NumPy's linear quantile)
  assert.equal(o.medianSecondsToFirstAnswer, 420);
  assert.ok(Math.abs(o.p90SecondsToFirstAnswer! - 1404) < 1e-9);
  assert.deepStrictEqual(o.unanswered, [
    "900000000000000114",
    "900000000000000306",
    "900000000000000307",
  ]);
  assert.deepStrictEqual(o.topHelpers, [
    { name: "dev_tom", answers: 3 },
    { name: "carlos_analyst", answers: 1 },
    { name: "maya_codes", answers: 1 },
  ]);
  assert.deepStrictEqual(
    report.channels.map((c) => [c.channel, c.messages, c.questions, c.answered]),
    [["python-help", 12, 4, 3], ["job-search-support", 7, 3, 1]],
  );
  assert.equal(
    report.unansweredQuestions[0]!.url,
    "https://discord.com/channels/810000000000000001/820000000000000001/900000000000000114",
  );
  assert.deepStrictEqual(report.linkedBy, { reply: 1, thread: 2, mention: 1, scored: 1 });
  assert.deepStrictEqual(report.labels, { answer: 5, comment: 7, question: 7 });
  assert.equal(report.source.skipped["bot"], 1);
  // Monday 09:03, 10:35, 14:00, 19:00 UTC; Tuesday 09:10, 18:20; Wednesday 09:20
  assert.deepStrictEqual(report.questionsByWeekdayHour[0]!.flatMap((n, h) => n ? [h] : []), [
    9,
    10,
    14,
    19,
  ]);
  assert.equal(report.questionsByWeekdayHour.flat().reduce((a, b) => a + b, 0), 7);
});

Deno.test("buildReport() filters by channel and time, and drops unsure labels", async () => {
  const channel = await handReport({ channels: ["#job-search-support"] });
  assert.deepStrictEqual([channel.report.overall.messages, channel.report.overall.questions], [
    7,
    3,
  ]);
  const since = await handReport({ since: "2024-03-05", until: "2024-03-05T10:00:00Z" });
  assert.deepStrictEqual(
    [since.report.overall.messages, since.report.overall.questions],
    [4, 1],
  );
  const unsure = await handReport({ minConfidence: 0.7 }, 0.6);
  assert.equal(unsure.report.overall.questions, 0);
  assert.equal(unsure.report.labels.comment, 19);
  const byDefault = await handReport({}, 0.55);
  assert.equal(byDefault.report.options.minConfidence, 0.6);
  assert.equal(byDefault.report.overall.questions, 0, "labels under 0.6 count as comments");
  await assert.rejects(() => handReport({ since: "last week" }), {
    name: "RangeError",
    message: 'Cannot read --since: "last week" is not a date (e.g. 2024-03-01)',
  });
});

Deno.test("buildReport() names the export's channels when --channel matches none of them", async () => {
  // a typo in --channel used to give an empty report, as if the channel had no messages
  const { report } = await handReport();
  const names = report.channels.map((c) => c.channel).sort();
  await assert.rejects(() => handReport({ channels: ["#job-serach-support", "nope"] }), {
    name: "RangeError",
    message: `Cannot report on channel "#job-serach-support", "nope": the export has no such ` +
      `channel; its channels are ${names.join(", ")}`,
  });
  // one name that matches is enough: the report is of that channel
  const some = await handReport({ channels: ["nope", "job-search-support"] });
  assert.equal(some.report.overall.messages, 7);
});

Deno.test("buildReport() with true labels finds every unanswered question on the hand export", async () => {
  const { report, truth } = await handReport();
  const scores = evaluateReport(report, truth);
  assert.deepStrictEqual(
    [scores.unansweredPrecision, scores.unansweredRecall, scores.linkAccuracy, scores.links],
    [1, 1, 1, 4],
  );
});

/** Message `i` of one user saying "hi" in channel "c". */
function hi(i: number): ChatMessage {
  return chatMessage({ messageId: String(i), text: "hi" });
}

Deno.test("buildReport() stops between batches when its signal is aborted", async () => {
  const controller = new AbortController();
  const messages = (function* () {
    for (let i = 0; i < 100; i++) {
      if (i === 50) controller.abort();
      yield hi(i);
    }
  })();
  let classified = 0;
  await assert.rejects(
    () =>
      buildReport(messages, (batch) => {
        classified += batch.length;
        return new Float32Array(batch.length * 3).fill(1 / 3);
      }, { batchSize: 10, signal: controller.signal }),
    { name: "AbortError" },
  );
  assert.equal(classified, 50);
});

Deno.test("buildReport() reads ahead of a slow classifier by at most `concurrency` batches", async () => {
  let read = 0, absorbed = 0, outstanding = 0, mostOutstanding = 0, mostAhead = 0;
  const messages = (function* () {
    for (let i = 0; i < 500; i++) {
      read++;
      mostAhead = Math.max(mostAhead, read - absorbed);
      yield hi(i);
    }
  })();
  const report = await buildReport(messages, async (batch) => {
    mostOutstanding = Math.max(mostOutstanding, ++outstanding);
    await new Promise((resolve) => setTimeout(resolve, 2));
    outstanding--;
    return new Float32Array(batch.length * 3).fill(1 / 3);
  }, { batchSize: 10, concurrency: 3, onProgress: (n) => absorbed = n });
  assert.equal(report.overall.messages, 500);
  assert.equal(absorbed, 500);
  // batches overlap (the workers are kept busy) but the queue, and the messages held, are bounded
  assert.equal(mostOutstanding, 3);
  assert.ok(mostAhead <= 3 * 10 + 1, `read ${mostAhead} messages ahead of the linker`);
});

Deno.test("quantile() matches NumPy's linear interpolation", () => {
  // numpy.quantile([1, 2, 3, 4, 10], [0.5, 0.9]) → [3.0, 7.6]
  assert.equal(quantile([1, 2, 3, 4, 10], 0.5), 3);
  assert.ok(Math.abs(quantile([1, 2, 3, 4, 10], 0.9)! - 7.6) < 1e-12);
  assert.equal(quantile([], 0.5), null);
});
