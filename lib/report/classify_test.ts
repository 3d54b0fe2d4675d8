import assert from "node:assert/strict";
import type { ChatMessage } from "../data/discord/types.ts";
import { withAnswerContext } from "./classify.ts";

function msg(id: string, user: string, extra: Partial<ChatMessage> = {}): ChatMessage {
  return {
    messageId: id,
    conversationId: "c",
    channel: "c",
    userName: user,
    displayName: user,
    text: id,
    messageType: "",
    replyTo: null,
    timestamp: "2024-01-01T00:00:00Z",
    guildId: "",
    channelId: "c",
    authorId: "",
    thread: false,
    ...extra,
  };
}

// answer, comment, question — "q…" ids look like questions, the rest like unsure comments
const base = (messages: readonly ChatMessage[]) =>
  Float32Array.from(
    messages.flatMap((m) => m.messageId.startsWith("q") ? [0, 0.1, 0.9] : [0.05, 0.95, 0]),
  );

Deno.test("withAnswerContext() raises the answer odds right after someone else's question", async () => {
  const classify = withAnswerContext(base, 20);
  const p = await classify([
    msg("q1", "ann"),
    msg("r1", "bob"), // after ann's question: 0.05 × 20 = 1 vs 0.95 → answer
    msg("r2", "ann"), // ann after her own question: no
    msg("r3", "cyd"),
    msg("r4", "dan"), // three messages after the question: too far
    msg("r5", "eve", { replyTo: "q1" }), // a reply to the question is close whatever the distance
  ]);
  const answer = (i: number) => Math.round(p[i * 3]! * 1000) / 1000;
  assert.deepStrictEqual([1, 2, 3, 4, 5].map(answer), [0.513, 0.05, 0.513, 0.05, 0.513]);
  const sum = p[3]! + p[4]! + p[5]!;
  assert.ok(Math.abs(sum - 1) < 1e-6);
});

Deno.test("withAnswerContext() applies context in batch order when batches finish out of order", async () => {
  let call = 0;
  const slowFirst = async (messages: readonly ChatMessage[]) => {
    const delay = call++ === 0 ? 30 : 0;
    await new Promise((resolve) => setTimeout(resolve, delay));
    return base(messages);
  };
  const classify = withAnswerContext(slowFirst, 20);
  const [first, second] = await Promise.all([
    classify([msg("q1", "ann")]),
    classify([msg("r1", "bob")]),
  ]);
  assert.equal(Math.round(first![2]! * 10), 9);
  assert.equal(Math.round(second![0]! * 1000), 513); // saw ann's question from the first batch
});
