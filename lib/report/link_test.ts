import assert from "node:assert/strict";
import type { ChatMessage } from "../data/discord/types.ts";
import type { Label } from "../data/types.ts";
import { Linker } from "./link.ts";

let clock = Date.UTC(2024, 0, 1);

function msg(
  id: string,
  user: string,
  text: string,
  extra: Partial<ChatMessage> = {},
): ChatMessage {
  clock += 60_000;
  return {
    messageId: id,
    conversationId: "general",
    channel: "general",
    userName: user,
    displayName: user,
    text,
    messageType: "",
    replyTo: null,
    timestamp: new Date(clock).toISOString(),
    guildId: "1",
    channelId: "2",
    authorId: "",
    thread: false,
    mentions: [],
    ...extra,
  };
}

function link(items: [ChatMessage, Label][], windowSeconds?: number) {
  const linker = new Linker({ windowSeconds });
  for (const [message, label] of items) linker.add({ message, label, confidence: 0.9 });
  linker.finish();
  return linker;
}

Deno.test("Linker links by reply first, whatever question is nearer", () => {
  const { questions } = link([
    [msg("q1", "ann", "how do I join two tables"), "question"],
    [msg("q2", "cyd", "is sql hard"), "question"],
    [msg("a1", "bob", "use JOIN ... ON", { replyTo: "q1" }), "answer"],
  ]);
  assert.deepStrictEqual(
    questions.map((q) => [q.id, q.firstAnswerId, q.linkedBy, q.secondsToFirstAnswer]),
    [["q1", "a1", "reply", 120], ["q2", null, null, null]],
  );
});

Deno.test("Linker: a reply labelled comment (+1, mine too) answers nothing", () => {
  const { questions, links } = link([
    [msg("q1", "ann", "why does pandas warn me"), "question"],
    [msg("c1", "bob", "+1, mine does that too", { replyTo: "q1" }), "comment"],
  ]);
  assert.equal(questions[0]!.firstAnswerId, null);
  assert.deepStrictEqual(links, []);
});

Deno.test("Linker links a thread's answers to the question the thread started from", () => {
  const { questions } = link([
    // the thread is read before its parent channel: linked when the question shows up
    [msg("a1", "bob", "read it in chunks", { thread: true, conversationId: "q1" }), "answer"],
    [msg("q1", "ann", "how do I read a 4GB csv"), "question"],
    [msg("q2", "cyd", "anyone used duckdb"), "question"],
    [msg("a2", "dan", "chunksize works", { thread: true, conversationId: "q2" }), "answer"],
  ]);
  assert.deepStrictEqual(questions.map((q) => [q.id, q.firstAnswerId, q.linkedBy]), [
    ["q1", "a1", "thread"],
    ["q2", "a2", "thread"],
  ]);
});

Deno.test("Linker links by @mention, then by name, over the nearest question", () => {
  const { questions } = link([
    [msg("q1", "maya_codes", "why does my kernel die", { displayName: "Maya" }), "question"],
    [msg("q2", "cyd", "what's a left join"), "question"],
    [msg("a1", "bob", "you're out of RAM", { mentions: ["maya_codes"] }), "answer"],
    [msg("q3", "eve", "which course first"), "question"],
    [msg("a2", "bob", "cyd: it keeps rows from the left table"), "answer"],
    [msg("a3", "bob", "the google one"), "answer"],
  ]);
  assert.deepStrictEqual(questions.map((q) => [q.id, q.firstAnswerId, q.linkedBy]), [
    ["q1", "a1", "mention"],
    ["q2", "a2", "name"],
    ["q3", "a3", "nearest"],
  ]);
});

Deno.test("Linker never links an answer to its author's own question, nor outside the window", () => {
  const { questions } = link([
    [msg("q1", "ann", "how do I start"), "question"],
    [msg("a1", "ann", "oh wait, found it"), "answer"],
  ]);
  assert.equal(questions[0]!.firstAnswerId, null);
  clock = Date.UTC(2024, 0, 1);
  const late = link([
    [msg("q1", "ann", "how do I start"), "question"],
    [msg("a1", "bob", "take the course", { timestamp: "2024-01-02T00:00:00.000Z" }), "answer"],
  ], 3600);
  assert.equal(late.questions[0]!.firstAnswerId, null);
});

Deno.test("Linker keeps conversations apart and keeps the earliest answer as the first", () => {
  const { questions } = link([
    [msg("q1", "ann", "help with sql?", { conversationId: "sql" }), "question"],
    [msg("a0", "bob", "in python use pandas", { conversationId: "python" }), "answer"],
    [msg("a1", "bob", "use a CTE", { conversationId: "sql" }), "answer"],
    [msg("a2", "cyd", "or a subquery", { conversationId: "sql" }), "answer"],
  ]);
  assert.deepStrictEqual(
    questions.map((q) => [q.id, q.answers, q.firstAnswerId, q.firstAnswerAuthor]),
    [["q1", 2, "a1", "bob"]],
  );
});
