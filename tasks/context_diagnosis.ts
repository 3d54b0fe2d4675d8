/**
 * Where a context model's missed answers on a generated export got their context from:
 * `deno run -A tasks/context_diagnosis.ts --in data/eval/s99 [--model models/latest] [--json]
 * [--examples N] [--recipe '{"version":3,"topicWindow":16}']`.
 *
 * Each message is classified in its channel as `deno task report` classifies it; for every true
 * answer (truth.csv), and apart for those the model calls a comment ("missed"), the context the
 * model's recipe picked is sorted into: none, the true question, another message of the
 * answer's own thread, or a message of another thread (linked by a reply or not), and the true
 * question's distance back (messages of the conversation, seconds) is bucketed. `--recipe`
 * overrides recipe fields for the contexts counted (the labels stay the model's): what another
 * recipe would pick, without training. `--examples N` prints N missed answers with their
 * context and true question. The recipe is rebuilt as the report's classifier runs
 * it (a Discord thread's first message sees a copy of its starter); the report's batch overlap
 * (16 messages) is ignored, which changes nothing for look-backs of 16 or fewer.
 * @module
 */

import { parseArgs } from "node:util";
import { readExport } from "../lib/data/discord/read.ts";
import type { ChatMessage } from "../lib/data/discord/types.ts";
import { LABELS } from "../lib/data/types.ts";
import { readCsv } from "../lib/data/csv.ts";
import {
  assembleContexts,
  checkContextRecipe,
  CONTEXT_CUES,
  conversationOrder,
} from "../lib/features/context.ts";
import { loadWeightsBundle } from "../lib/model/bundle_files.ts";
import { classifyMessages } from "../lib/report/classify_export.ts";
import { createMessageClassifier, starterCopy } from "../lib/report/classify.ts";
import { exportTruthPath } from "../lib/report/evaluate_export.ts";
import { embedderRuntimeFromEnv } from "./_env.ts";

const { values: flags } = parseArgs({
  options: {
    in: { type: "string" },
    model: { type: "string", default: "models/latest" },
    json: { type: "boolean", default: false },
    examples: { type: "string", default: "0" },
    recipe: { type: "string" },
  },
});
if (!flags.in) {
  console.error(
    "Cannot diagnose contexts: --in EXPORT (a generated export with truth.csv) is needed",
  );
  Deno.exit(2);
}

const truthTable = await readCsv(await exportTruthPath(flags.in), {
  requiredColumns: ["message_id", "kind", "label", "answers", "thread_id"],
});
const truth = new Map<string, { label: string; answers: string; thread: string }>();
for (const { values } of truthTable.records) {
  if (values.kind !== "chat") continue;
  truth.set(values.message_id!, {
    label: values.label!,
    answers: values.answers ?? "",
    thread: values.thread_id ?? "",
  });
}

const bundle = await loadWeightsBundle(flags.model!, embedderRuntimeFromEnv());
// --recipe '{"version":3,"topicWindow":16}' changes the contexts counted (not the model's labels)
const recipe = checkContextRecipe({
  ...bundle.metadata.context?.recipe,
  ...(flags.recipe ? JSON.parse(flags.recipe) : {}),
});
const messages: ChatMessage[] = [];
for await (const m of readExport(flags.in)) messages.push(m);

// the model's labels, as the report gets them
const classify = createMessageClassifier(bundle);
const predicted = new Map<string, Float32Array>();
for await (const { messages: batch, probabilities } of classifyMessages(messages, classify)) {
  batch.forEach((m, i) => predicted.set(m.messageId, probabilities.slice(i * 3, i * 3 + 3)));
}
classify.close();

// the stream the classifier assembles contexts over: a thread's first message after a copy of
// its starter (lib/report/classify.ts, withOverlap)
const stream: ChatMessage[] = [];
const starters = new Map<string, ChatMessage>();
let previous = "";
for (const m of messages) {
  if (m.thread && m.conversationId !== previous) {
    const starter = starters.get(m.conversationId);
    if (starter) stream.push(starterCopy(starter, m.conversationId));
  }
  previous = m.conversationId;
  stream.push(m);
  if (m.startsThread) starters.set(m.messageId, m);
}
const assembly = assembleContexts(stream, recipe);
const rankOf = new Map<number, number>();
for (const order of conversationOrder(stream)) order.forEach((i, r) => rankOf.set(i, r));
const indexOf = new Map<string, number>();
stream.forEach((m, i) => {
  if (!indexOf.has(m.messageId)) indexOf.set(m.messageId, i);
});
const idOf = (m: ChatMessage) => m.messageId.replace(/:starter$/, "");

const CUES = CONTEXT_CUES.length;
const LINKED = CONTEXT_CUES.indexOf("linked_context");
const ADDRESSES = CONTEXT_CUES.indexOf("addresses_someone");
const ANSWER = LABELS.indexOf("answer");
const COMMENT = LABELS.indexOf("comment");
const tally = new Map<string, number>();
const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
let answers = 0;
let missed = 0;
const examples: string[] = [];
stream.forEach((m, i) => {
  if (m.messageId.endsWith(":starter")) return;
  const t = truth.get(m.messageId);
  if (t?.label !== "answer") return;
  answers++;
  const p = predicted.get(m.messageId)!;
  let best = 0;
  for (let c = 1; c < 3; c++) if (p[c]! > p[best]!) best = c;
  const isMissed = best === COMMENT;
  if (isMissed) missed++;
  const add = (key: string) => {
    count(`all answers | ${key}`);
    if (isMissed) count(`missed | ${key}`);
  };
  const c = assembly.context[i]!;
  const linked = assembly.cues[i * CUES + LINKED] === 1;
  let picked: string;
  if (c < 0) picked = "none";
  else if (idOf(stream[c]!) === t.answers) picked = "the true question";
  else {
    const ct = truth.get(idOf(stream[c]!));
    picked = ct && ct.thread !== "" && ct.thread === t.thread
      ? `same thread, not the question (${ct.label})`
      : `another thread's message (${ct?.label ?? "?"})`;
  }
  add(`context: ${picked}${linked ? ", reply link" : ""}`);
  if (assembly.cues[i * CUES + ADDRESSES] === 1) {
    add(`addresses someone; context: ${picked.replace(/ \(.*/, "")}`);
  }
  // the true question: in this conversation (or as a starter copy), how far back
  let q = indexOf.get(`${t.answers}:starter`);
  if (q === undefined || stream[q]!.conversationId !== m.conversationId) q = indexOf.get(t.answers);
  let where: string;
  if (q === undefined) where = "not in the export";
  else if (stream[q]!.conversationId !== m.conversationId) where = "in another conversation";
  else {
    where = "in the conversation";
    const back = rankOf.get(i)! - rankOf.get(q)!;
    const seconds = (Date.parse(m.timestamp) - Date.parse(stream[q]!.timestamp)) / 1000;
    const b = back <= 0
      ? "after it"
      : back <= 3
      ? "1-3"
      : back <= 6
      ? "4-6"
      : back <= 10
      ? "7-10"
      : back <= 16
      ? "11-16"
      : back <= 30
      ? "17-30"
      : "31+";
    const s = !Number.isFinite(seconds)
      ? "?"
      : seconds <= 600
      ? "≤10 min"
      : seconds <= 1800
      ? "10-30 min"
      : seconds <= 3600
      ? "30-60 min"
      : seconds <= 6 * 3600
      ? "1-6 h"
      : "6 h+";
    add(`question back: ${b} messages`);
    add(`question back: ${s}`);
    add(`question back: ${b} messages, ${s}`);
    add(`${picked.replace(/ \(.*/, "")} × question back ${b} messages, ${s}`);
    const anotherQuestion = c >= 0 && idOf(stream[c]!) !== t.answers &&
      truth.get(idOf(stream[c]!))?.label === "question";
    if (anotherQuestion) add("context is another question (not this answer's)");
    if (isMissed && examples.length < Number(flags.examples)) {
      examples.push(
        `${p[ANSWER]!.toFixed(3)} | ${picked} | ${m.text.slice(0, 70)} | ctx: ${
          c >= 0 ? stream[c]!.text.slice(0, 50) : "-"
        } | q ${back} back ${Math.round(seconds)} s: ${stream[q]!.text.slice(0, 50)}`,
      );
    }
  }
  add(`question: ${where}`);
});

const rows = [...tally.entries()].sort((a, b) => a[0].localeCompare(b[0]));
if (flags.json) {
  console.log(
    JSON.stringify({
      export: flags.in,
      model: bundle.metadata.runId,
      recipe,
      answers,
      missed,
      counts: Object.fromEntries(rows),
    }),
  );
} else {
  console.log(
    `${flags.in}: model ${bundle.metadata.runId}, recipe ${
      JSON.stringify({ ...recipe, cues: undefined })
    }`,
  );
  console.log(`true answers ${answers}, called comment ${missed}`);
  for (const [key, n] of rows) console.log(`${String(n).padStart(5)}  ${key}`);
  for (const e of examples) console.log(e);
}
