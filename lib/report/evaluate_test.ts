import assert from "node:assert/strict";
import { readExport } from "../data/discord/read.ts";
import { type ChatMessage, emptyReadStats } from "../data/discord/types.ts";
import { buildReport } from "./build.ts";
import { evaluateReport, readExportTruth, type ReportTruth, truthClassifier } from "./evaluate.ts";

const FIXTURE = new URL("../../tests/fixtures/discord/", import.meta.url).pathname;

Deno.test("the generator's Discord export reads whole: every chat message, the rest counted by kind", async () => {
  const truth = await readExportTruth(`${FIXTURE}truth.csv`);
  const kinds = new Map<string, number>();
  const csv = (await Deno.readTextFile(`${FIXTURE}truth.csv`)).trim().split("\n").slice(1);
  for (const line of csv) {
    const kind = line.split(",")[2]!;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const stats = emptyReadStats();
  const ids = (await Array.fromAsync(readExport(FIXTURE, { stats }))).map((m) => m.messageId);
  assert.deepStrictEqual(new Set(ids), new Set(truth.labels.keys()));
  assert.equal(stats.failedFiles, 0);
  assert.deepStrictEqual(
    stats.skipped,
    Object.fromEntries(
      [
        ["system:GuildMemberJoin", kinds.get("join")],
        ["bot", kinds.get("bot")],
        ["system:ChannelPinnedMessage", kinds.get("pin")],
        ["attachment only", kinds.get("attachment")],
        ["system:ThreadCreated", kinds.get("thread")],
      ].filter(([, n]) => n !== undefined),
    ),
  );
});

Deno.test("evaluateReport() scores the report against the generator's truth", async () => {
  const truth = await readExportTruth(`${FIXTURE}truth.csv`);
  const stats = emptyReadStats();
  const report = await buildReport(readExport(FIXTURE, { stats }), truthClassifier(truth), {
    stats,
  });
  const scores = evaluateReport(report, truth);
  const questions = [...truth.labels.values()].filter((l) => l === "question").length;
  const answered = new Set(truth.answers.values()).size;
  assert.equal(report.overall.questions, questions);
  assert.equal(scores.trueUnanswered, questions - answered);
  assert.equal(scores.listedUnanswered, report.overall.unanswered.length);
  assert.equal(scores.links, report.overall.answered);
  // the scores are shares of these counts
  assert.equal(scores.unansweredPrecision, scores.correctUnanswered / scores.listedUnanswered);
  assert.equal(scores.unansweredRecall, scores.correctUnanswered / scores.trueUnanswered);
  assert.equal(scores.linkAccuracy, scores.correctLinks / scores.links);
});

Deno.test("evaluateReport() counts a listed answered question and a wrong link against the report", () => {
  const truth: ReportTruth = {
    labels: new Map([["1", "question"], ["2", "question"], ["3", "answer"], ["4", "answer"]]),
    answers: new Map([["3", "1"], ["4", "1"]]),
  };
  const q = (id: string, firstAnswerId: string | null) => ({
    id,
    channel: "c",
    author: "a",
    timestamp: "",
    text: "",
    answered: firstAnswerId !== null,
    firstAnswerId,
    secondsToFirstAnswer: null,
    linkedBy: null,
  });
  const report = {
    questions: [q("1", null), q("2", "3")],
    unansweredQuestions: [{
      id: "1",
      channel: "c",
      channelId: "c",
      author: "a",
      timestamp: "",
      text: "",
      url: null,
    }],
  } as unknown as Parameters<typeof evaluateReport>[0];
  const s = evaluateReport(report, truth);
  assert.deepStrictEqual(
    [s.trueUnanswered, s.listedUnanswered, s.correctUnanswered, s.links, s.correctLinks],
    [1, 1, 0, 1, 0],
  );
  assert.deepStrictEqual([s.unansweredPrecision, s.unansweredRecall, s.linkAccuracy], [0, 0, 0]);
});

Deno.test("evaluateReport() tells label errors from linking errors", () => {
  const truth: ReportTruth = {
    labels: new Map([
      ["1", "question"],
      ["2", "question"],
      ["3", "answer"],
      ["4", "question"],
      ["5", "comment"],
      ["6", "answer"],
      ["7", "question"],
    ]),
    answers: new Map([["3", "1"], ["6", "4"]]),
  };
  // the model: 5 is a question, 6 a comment, 7 not a question; 3 linked to 2 instead of 1
  const predicted = new Map([
    ["1", "question"],
    ["2", "question"],
    ["3", "answer"],
    ["4", "question"],
    ["5", "question"],
    ["6", "comment"],
    ["7", "comment"],
  ]);
  const q = (id: string, firstAnswerId: string | null) => ({
    id,
    firstAnswerId,
    linkedBy: firstAnswerId ? "scored" : null,
  });
  const listed = ["1", "4", "5"].map((id) => ({ id }));
  const report = {
    questions: [q("1", null), q("2", "3"), q("4", null), q("5", null)],
    unansweredQuestions: listed,
  } as unknown as Parameters<typeof evaluateReport>[0];
  const s = evaluateReport(report, truth, predicted);
  assert.deepStrictEqual(s.errors, {
    listedNotQuestion: 1, // 5
    listedAnswersMissed: 1, // 4: its answer 6 was called a comment
    listedAnswerLinkedElsewhere: 1, // 1: its answer 3 went to 2
    missedNotLabelledQuestion: 1, // 7
    missedWronglyLinked: 1, // 2
    wrongLinkNotAnswer: {},
    wrongLinkOtherQuestion: { scored: 1 },
    linksByReason: { scored: [1, 0] },
  });
  assert.equal(s.trueUnanswered, 2);
});

Deno.test("truthClassifier() puts all the probability on each message's true label, comment when unlabelled", async () => {
  const truth: ReportTruth = {
    labels: new Map([["q", "question"], ["a", "answer"], ["c", "comment"]]),
    answers: new Map([["a", "q"]]),
  };
  const batch = ["a", "q", "unknown", "c"].map((messageId) => ({ messageId }) as ChatMessage);
  // columns: answer, comment, question
  assert.deepStrictEqual(
    await truthClassifier(truth)(batch),
    Float32Array.of(1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0),
  );
});
