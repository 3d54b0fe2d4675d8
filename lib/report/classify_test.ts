import assert from "node:assert/strict";
import { readExport } from "../data/discord/read.ts";
import { type ChatMessage, emptyReadStats } from "../data/discord/types.ts";
import { generateWindows } from "../data/generate/builtin.ts";
import { DiscordExportWriter } from "../data/generate/discord_export.ts";
import { LABELS } from "../data/types.ts";
import { BuiltinEmbedder } from "../features/builtin.ts";
import { randomContextBundle } from "../infer/_testing.ts";
import { initBackend } from "../infer/backend.ts";
import { predictInContext } from "../infer/context.ts";
import type { ModelBundle } from "../model/bundle.ts";
import { buildReport } from "./build.ts";
import { chatMessage } from "./_testing.ts";
import { createMessageClassifier, withAnswerContext } from "./classify.ts";

await initBackend();

function msg(id: string, user: string, extra: Partial<ChatMessage> = {}): ChatMessage {
  return chatMessage({ messageId: id, userName: user, ...extra });
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

/** A context model on builtin features with seeded random weights, spread wide enough that
 * labels vary message to message (which is all the comparisons below need). */
const contextBundle = (): ModelBundle =>
  randomContextBundle(new BuiltinEmbedder({ dimension: 128 }), 32, { seed: 7, spread: 4 });

Deno.test("a context model gives the same report on worker threads as on this thread", async () => {
  const dir = await Deno.makeTempDir();
  const bundle = contextBundle();
  try {
    const writer = await DiscordExportWriter.open(dir, { seed: 3 });
    for (const window of generateWindows({ conversations: 12, seed: 3 })) writer.add(window);
    await writer.close();
    const run = async (workers: number) => {
      const classify = createMessageClassifier(bundle, { workers, overlap: 4 });
      try {
        const stats = emptyReadStats();
        // small batches, several in flight: many batch edges, answered out of order
        return await buildReport(readExport(dir, { stats }), classify, {
          stats,
          batchSize: 25,
          concurrency: workers + 1,
          now: () => new Date(0),
        });
      } finally {
        classify.close();
      }
    };
    const alone = await run(0);
    assert.ok(alone.overall.messages > 150, `${alone.overall.messages} messages`);
    assert.ok(LABELS.every((label) => alone.labels[label] > 0), JSON.stringify(alone.labels));
    assert.deepEqual(await run(2), alone);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a context model reads a thread's first message after the question the thread was started from", async () => {
  const bundle = contextBundle();
  const starter = msg("s1", "ann", {
    text: "how do I read a 4GB csv without running out of memory?",
    timestamp: "2024-01-01T00:00:00Z",
    startsThread: true,
  });
  const reply = msg("t1", "bob", {
    text: "read it in chunks",
    conversationId: "s1",
    thread: true,
    timestamp: "2024-01-01T00:03:00Z",
  });
  const classify = createMessageClassifier(bundle, { overlap: 0 });
  try {
    await classify([starter]);
    const inThread = await classify([reply]);
    const withStarter = await predictInContext(bundle, [
      {
        ...starter,
        messageId: "s1:starter",
        conversationId: "s1",
        thread: true,
        startsThread: false,
      },
      reply,
    ]);
    const alone = await predictInContext(bundle, [reply]);
    const round = (p: Float32Array) => [...p].map((x) => Math.round(x * 1e5));
    assert.deepStrictEqual(round(inThread), round(withStarter.slice(3)));
    assert.notDeepStrictEqual(round(inThread), round(alone), "the starter changes the reading");
  } finally {
    classify.close();
  }
});

Deno.test("a thread read after more than 20,000 other questions, from a file named before its parent's, still gets its starter", async () => {
  const dir = await Deno.makeTempDir();
  const bundle = contextBundle();
  const file = (name: string, channel: object, messages: object[]) =>
    Deno.writeTextFile(
      `${dir}/Guild - ${name}.json`,
      JSON.stringify({ guild: { id: "1", name: "Guild" }, channel, messages }, null, 2),
    );
  const message = (id: number, text: string, minute: number) => ({
    id: String(id),
    type: "Default",
    timestamp: new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString(),
    content: text,
    author: { id: String(id % 7), name: `user${id % 7}`, isBot: false },
  });
  const starterText = "how do I read a 4GB csv without running out of memory?";
  try {
    // the old classifier kept the last 20,000 question-like channel messages as starters
    await file("Text - help [100]", { id: "100", type: "GuildTextChat", name: "help" }, [
      message(500, starterText, 0),
      ...Array.from({ length: 20_100 }, (_, i) => message(1000 + i, `which python ${i}?`, 1)),
    ]);
    // sorts before the parent's file
    await file("Archive - csv [500]", {
      id: "500",
      type: "GuildPublicThread",
      categoryId: "100",
      category: "help",
      name: "csv",
    }, [message(900, "read it in chunks", 3)]);
    const classify = createMessageClassifier(bundle, { overlap: 0 });
    let reply: ChatMessage | undefined;
    let got: Float32Array | undefined;
    try {
      let batch: ChatMessage[] = [];
      const flush = async () => {
        const p = await classify(batch);
        const at = batch.findIndex((m) => m.messageId === "900");
        if (at >= 0) [reply, got] = [batch[at], p.slice(at * 3, at * 3 + 3)];
        batch = [];
      };
      for await (const m of readExport(dir)) {
        // one conversation per batch, so only the starter's copy comes before the reply
        if (
          batch.length === 2000 || batch.length > 0 && batch[0]!.conversationId !== m.conversationId
        ) {
          await flush();
        }
        batch.push(m);
      }
      await flush();
    } finally {
      classify.close();
    }
    assert.ok(reply && got, "the thread's message was classified");
    const starter = {
      ...msg("500:starter", "user3", { text: starterText }),
      timestamp: new Date(Date.UTC(2024, 0, 1)).toISOString(),
      conversationId: "500",
      channel: "help",
      channelId: "100",
      guildId: "1",
      authorId: "3",
      displayName: "user3",
      thread: true,
      mentions: [],
    };
    const expected = (await predictInContext(bundle, [starter, reply])).slice(3);
    const alone = await predictInContext(bundle, [reply]);
    const round = (p: Float32Array) => [...p].map((x) => Math.round(x * 1e5));
    assert.notDeepStrictEqual(round(expected), round(alone), "the starter changes the reading");
    assert.deepStrictEqual(round(got), round(expected));
    assert.deepStrictEqual(classify.threads, { firsts: 1, withStarter: 1 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
