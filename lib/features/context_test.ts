import assert from "node:assert/strict";
import type { Message } from "../data/types.ts";
import {
  assembleContexts,
  checkContextRecipe,
  contentWords,
  CONTEXT_CUES,
  contextInputWidth,
  contextMatrix,
  DEFAULT_CONTEXT_RECIPE,
  isQuestionLike,
} from "./context.ts";
import { toDense } from "./matrix.ts";

const assertEquals = (actual: unknown, expected: unknown) =>
  assert.deepStrictEqual(actual, expected);
const assertThrows = (fn: () => unknown, type: ErrorConstructor, includes = "") =>
  assert.throws(fn, (error: unknown) => error instanceof type && error.message.includes(includes));

function msg(
  id: string,
  user: string,
  text: string,
  extra: Partial<Message> = {},
): Message {
  return {
    messageId: id,
    conversationId: "c1",
    channel: "general",
    userName: user,
    text,
    messageType: "",
    replyTo: null,
    timestamp: "",
    ...extra,
  };
}

const cueOf = (cues: Float32Array, i: number) => {
  const k = CONTEXT_CUES.length;
  return CONTEXT_CUES.filter((_, j) => cues[i * k + j] === 1);
};

Deno.test("assembleContexts() gives the first message of a conversation an empty context", () => {
  const { context, cues } = assembleContexts([msg("a", "ann", "hi all")]);
  assertEquals([...context], [-1]);
  assertEquals(cueOf(cues, 0), ["first_in_conversation"]);
});

Deno.test("assembleContexts() takes the replied-to message even when it is far back", () => {
  const messages = [
    msg("q", "ann", "how do i make a row per day?"),
    ...Array.from({ length: 8 }, (_, i) => msg(`x${i}`, `u${i}`, "lol")),
    msg("a", "bob", "postgres has generate_series for that", { replyTo: "q" }),
  ];
  const { context, cues } = assembleContexts(messages);
  assertEquals(context[9], 0);
  assertEquals(cueOf(cues, 9), [
    "has_context",
    "is_reply",
    "linked_context",
    "distance_4_plus",
    "context_question_like",
    "context_has_question_mark",
  ]);
});

Deno.test("assembleContexts() resolves a reply given as a position", () => {
  const messages = [
    msg("m0", "ann", "is the meetup on thursday", { position: 0 }),
    msg("m1", "cat", "nice", { position: 1 }),
    msg("m2", "bob", "it moved to friday", { position: 2, replyTo: "0" }),
  ];
  assertEquals(assembleContexts(messages).context[2], 0);
});

Deno.test("assembleContexts() falls back to the recipe when the reply target is unknown or later", () => {
  const messages = [
    msg("a", "ann", "anyone know a good sql course"),
    msg("b", "bob", "try mode analytics", { replyTo: "missing" }),
    msg("c", "cat", "thanks", { replyTo: "d" }),
    msg("d", "dan", "later line"),
  ];
  const { context, cues } = assembleContexts(messages);
  assertEquals(context[1], 0); // nearest question-like message by another speaker
  assertEquals(cueOf(cues, 1).includes("is_reply"), true);
  assertEquals(cueOf(cues, 1).includes("linked_context"), false);
  assertEquals(context[2], 0); // "d" comes later: not a context
});

Deno.test("assembleContexts() skips another thread's lines and the speaker's own lines in an interleaved channel", () => {
  const messages = [
    msg("q1", "ann", "how do i pivot in pandas?"),
    msg("s1", "cat", "the webinar was great"),
    msg("s2", "dan", "agreed"),
    msg("f1", "ann", "it's a long table"),
    msg("a1", "bob", "df.pivot_table(index='day')"),
  ];
  const { context, cues } = assembleContexts(messages);
  // a1: nearest question-like line by someone else within the question window is q1
  assertEquals(context[4], 0);
  assertEquals(cueOf(cues, 4).includes("distance_4_plus"), true);
  // f1 (ann): her own question is not her context; nearest other speaker is dan
  assertEquals(context[3], 2);
  assertEquals(cueOf(cues, 3).includes("same_speaker_as_context"), false);
  // s2: the open question two lines up, not the side remark right before it
  assertEquals(context[2], 0);
});

Deno.test("assembleContexts() version 2 looks back only to the speaker's previous turn", () => {
  const messages = [
    msg("q1", "ann", "do you have kids?"),
    msg("a1", "bob", "yeah two"),
    msg("s1", "ann", "mine are 5 and 7"),
    msg("b1", "bob", "yeah."), // backchannel to s1, not a second answer to q1
    msg("b2", "bob", "they grow fast"), // bob's own line before: his turn goes back past it
    msg("s2", "cat", "what?"),
    msg("s3", "ann", "lol"),
    msg("x1", "bob", "no,"),
  ];
  const version1 = assembleContexts(messages);
  const version2 = assembleContexts(messages, { ...DEFAULT_CONTEXT_RECIPE, version: 2 });
  // version 1: the open question three lines up; version 2: bob answered it already
  assertEquals(version1.context[3], 0);
  assertEquals(version2.context[3], 2);
  assertEquals(cueOf(version2.cues, 3).includes("context_question_like"), false);
  // b2 follows bob's own b1: the look-back passes over it and still ends at bob's a1
  assertEquals(version2.context[4], 2);
  // x1: cat's "what?" and ann's "lol" came after bob's last line; the question-like one wins
  assertEquals(version2.context[7], 5);
  // the first answer is the same in both
  assertEquals(version1.context[1], 0);
  assertEquals(version2.context[1], 0);
});

Deno.test("assembleContexts() version 3 takes the question on the message's topic, else version 1's", () => {
  const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, minutes)).toISOString();
  const messages = [
    msg("q1", "ann", "how do i rank rows within each group in sql?", { timestamp: at(0) }),
    msg("q2", "bob", "anyone tried the tableau cert?", { timestamp: at(1) }),
    msg("c1", "cat", "lol same", { timestamp: at(2) }),
    msg("a1", "dan", "rank() over (partition by group order by x) ranks rows", {
      timestamp: at(3),
    }),
    msg("a2", "eve", "yes, it was easy", { timestamp: at(4) }),
    msg("q3", "ann", "what about ties in the rank?", { timestamp: at(40) }),
    msg("a3", "bob", "worth it, the cert got me interviews", { timestamp: at(41) }),
    msg("a4", "dan", "the rank of a tie", { timestamp: at(80) }),
  ];
  const recipe = { ...DEFAULT_CONTEXT_RECIPE, version: 3 as const, topicWindow: 16 };
  const v1 = assembleContexts(messages);
  const v3 = assembleContexts(messages, recipe);
  // a1 shares "rank" and "row" with ann's question three lines up; version 1 takes bob's nearer one
  assertEquals(v1.context[3], 1);
  assertEquals(v3.context[3], 0);
  assertEquals(cueOf(v3.cues, 3).includes("distance_2_3"), true);
  // a2 shares no content word with any question: version 1's rule, the nearest question
  assertEquals(v3.context[4], 1);
  // a3 (bob): "cert" matches his own question, which is never a context; ann's q3 is next door
  assertEquals(v3.context[6], 5);
  // a4: ann's q3 shares "rank" and "tie" but is 40 minutes back: past maxGapSeconds, no context
  assertEquals(v3.context[7], -1);
  // a topic window of 0 is version 1
  assertEquals(
    [...assembleContexts(messages, { ...recipe, topicWindow: 0 }).context],
    [...v1.context],
  );
});

Deno.test("contentWords() keeps topic words, drops function words, short words and plural s", () => {
  assertEquals(
    [...contentWords("How do I join two tables in SQL? it's 3 tables")].sort(),
    ["join", "sql", "table", "two"],
  );
});

Deno.test("assembleContexts() keeps conversations apart and orders by position, not input order", () => {
  const messages = [
    msg("b", "bob", "use window functions", { position: 1 }),
    msg("x", "zed", "what time is it?", { conversationId: "c2", position: 0 }),
    msg("a", "ann", "how do i rank rows?", { position: 0 }),
  ];
  const { context } = assembleContexts(messages);
  assertEquals([...context], [2, -1, -1]);
});

Deno.test("assembleContexts() drops an unlinked context that is too old and marks time gaps", () => {
  const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, minutes)).toISOString();
  const messages = [
    msg("a", "ann", "anyone around?", { timestamp: at(0) }),
    msg("b", "bob", "yes", { timestamp: at(45) }),
    msg("c", "cat", "ok then", { timestamp: at(50) }),
  ];
  const { context, cues } = assembleContexts(messages);
  assertEquals(context[1], -1); // 45 minutes > maxGapSeconds
  assertEquals(context[2], 1);
  assertEquals(cueOf(cues, 2).includes("gap_1m_10m"), true);
});

Deno.test("assembleContexts() sees who is addressed by name or @mention", () => {
  const messages = [
    msg("a", "llutz", "you need a bridge?"),
    msg("b", "z3r0", "llutz , i want to switch without dropping vpn"),
    msg("c", "ann", "@bob did you try it"),
  ];
  const { cues } = assembleContexts(messages);
  assertEquals(cueOf(cues, 1).includes("addresses_context_speaker"), true);
  assertEquals(cueOf(cues, 1).includes("addresses_someone"), true);
  assertEquals(cueOf(cues, 2).includes("addresses_context_speaker"), false);
  assertEquals(cueOf(cues, 2).includes("addresses_someone"), true);
});

Deno.test("isQuestionLike() reads a question without a question mark", () => {
  assertEquals(isQuestionLike("anyone know how to pivot in sql"), true);
  assertEquals(isQuestionLike("bob: how do you do that"), true);
  assertEquals(isQuestionLike("i know how to do it"), false);
});

Deno.test("contextMatrix() lays out message ⊕ context ⊕ cues the same for sparse and dense rows", () => {
  const messages = [msg("q", "ann", "how?"), msg("a", "bob", "like this")];
  const assembly = assembleContexts(messages);
  const sparse = {
    kind: "sparse" as const,
    rows: 2,
    dimension: 4,
    offsets: Int32Array.from([0, 2, 3]),
    indices: Int32Array.from([0, 3, 1]),
    values: Float32Array.from([0.6, 0.8, 1]),
  };
  const fromSparse = toDense(contextMatrix(sparse, assembly));
  const fromDense = contextMatrix(toDense(sparse), assembly);
  assertEquals(fromSparse, fromDense);
  const width = contextInputWidth(4);
  assertEquals(fromDense.dimension, width);
  const row1 = [...(fromDense as { data: Float32Array }).data.subarray(width, 2 * width)];
  assertEquals(row1.slice(0, 4), [0, 1, 0, 0]);
  assertEquals(row1.slice(4, 8), [0.6000000238418579, 0, 0, 0.800000011920929]);
  assertEquals(row1[8 + CONTEXT_CUES.indexOf("has_context")], 1);
  assertThrows(() => contextMatrix(sparse, assembleContexts([messages[0]!])), TypeError);
});

Deno.test("checkContextRecipe() accepts the default and rejects other versions or cues", () => {
  const roundTrip = JSON.parse(JSON.stringify(DEFAULT_CONTEXT_RECIPE));
  assertEquals(checkContextRecipe(roundTrip), DEFAULT_CONTEXT_RECIPE);
  const version2 = { ...roundTrip, version: 2 };
  assertEquals(checkContextRecipe(JSON.parse(JSON.stringify(version2))), version2);
  const version3 = { ...roundTrip, version: 3, topicWindow: 16, questionWindow: 10 };
  assertEquals(checkContextRecipe(JSON.parse(JSON.stringify(version3))), version3);
  assertThrows(
    () => checkContextRecipe({ ...roundTrip, version: 3 }),
    TypeError,
    "Cannot use context recipe: topicWindow must be a non-negative number, got undefined",
  );
  assertThrows(
    () => checkContextRecipe({ ...roundTrip, version: 4 }),
    TypeError,
    "Cannot use context recipe: version 4 is unknown (known: 1, 2, 3)",
  );
  assertThrows(
    () => checkContextRecipe({ ...roundTrip, cues: ["has_context"] }),
    TypeError,
    "are not this version's",
  );
});
