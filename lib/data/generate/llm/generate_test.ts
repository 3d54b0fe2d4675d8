import assert from "node:assert/strict";
import { join } from "node:path";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { ChatGroq } from "@langchain/groq";
import { ChatOpenAI } from "@langchain/openai";
import { readConversations } from "../../csv.ts";
import { startFakeServer } from "./_fake_server.ts";
import { createPrng } from "../../random.ts";
import { formatSummary, type GenerateLlmOptions, generateWithLlm } from "./generate.ts";
import { loadPromptTemplate, planConversation, renderPrompt } from "./prompt.ts";

const GOOD = {
  messages: [
    {
      user_name: "priya_sql",
      message: "anyone know how to pivot in sql",
      message_type: "question",
      reply_to: null,
    },
    {
      user_name: "kev99",
      message: "try crosstab in postgres",
      message_type: "answer",
      reply_to: 0,
    },
    { user_name: "priya_sql", message: "thx!", message_type: "comment", reply_to: 1 },
  ],
};
const BAD_SCHEMA = {
  messages: [{ user_name: "a", message: "hi", message_type: "greeting", reply_to: null }],
};
const BAD_REPLY = {
  messages: [
    { user_name: "a", message: "hi", message_type: "comment", reply_to: 1 },
    { user_name: "b", message: "yo", message_type: "comment", reply_to: null },
  ],
};

/** Fast settings: tiny backoff, one worker (deterministic order). */
function fast(dir: string, extra: GenerateLlmOptions = {}): GenerateLlmOptions {
  return {
    out: join(dir, "conversations.csv"),
    concurrency: 1,
    retryBaseMs: 1,
    retryMaxMs: 5,
    timeoutMs: 2000,
    ...extra,
  };
}

function fakeModel(outputs: unknown[]): FakeListChatModel {
  return new FakeListChatModel({
    responses: outputs.map((o) => typeof o === "string" ? o : JSON.stringify(o)),
  });
}

Deno.test("generateWithLlm() writes valid conversations with stable ids, reply ids and rising times", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const summary = await generateWithLlm(fakeModel([GOOD]), fast(dir, { count: 2 }));
    assert.equal(summary.conversations, 2);
    assert.equal(summary.messages, 6);
    assert.deepEqual(summary.mix, { answer: 2, comment: 2, question: 2 });
    assert.equal(summary.skipped, 0);
    const { messages, problems } = await readConversations(join(dir, "conversations.csv"));
    assert.deepEqual(problems, []);
    assert.deepEqual(messages.map((m) => m.messageId), [
      "llm-000000-000",
      "llm-000000-001",
      "llm-000000-002",
      "llm-000001-000",
      "llm-000001-001",
      "llm-000001-002",
    ]);
    const first = messages.slice(0, 3);
    assert.deepEqual(first.map((m) => m.replyTo), [null, "llm-000000-000", "llm-000000-001"]);
    assert.deepEqual(first.map((m) => m.text), GOOD.messages.map((m) => m.message));
    assert.deepEqual(first.map((m) => m.messageType), ["question", "answer", "comment"]);
    assert.ok(first[0]!.channel.length > 0);
    const times = first.map((m) => Date.parse(m.timestamp));
    assert.ok(times[0]! < times[1]! && times[1]! < times[2]!, `times not increasing: ${times}`);
    assert.match(formatSummary(summary), /class mix: +answer 2 \(33\.3%\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generateWithLlm() retries malformed output, then skips and counts it without writing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Plan 0: not JSON, then wrong enum → skipped. Plan 1: reply_to points forward, then good.
    const model = fakeModel(["{not json", BAD_SCHEMA, BAD_REPLY, GOOD]);
    const summary = await generateWithLlm(model, fast(dir, { count: 1, maxInvalidRetries: 1 }));
    assert.equal(summary.conversations, 1);
    assert.equal(summary.skipped, 1);
    assert.equal(summary.retries.invalid, 2);
    assert.equal(summary.requests, 4);
    assert.deepEqual(Object.values(summary.skipReasons), [1]);
    assert.match(Object.keys(summary.skipReasons)[0]!, /^invalid output: .*message_type/);
    const { messages } = await readConversations(join(dir, "conversations.csv"));
    assert.deepEqual(messages.map((m) => m.text), GOOD.messages.map((m) => m.message));
    // Plan 0 was skipped: the conversation written is plan 1's, and keeps plan 1's id, so a
    // later run still asks plan 0.
    assert.equal(messages[0]!.conversationId, "llm-000001");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generateWithLlm() stops after maxSkipped skipped conversations and, with nothing written, fails", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      generateWithLlm(
        fakeModel([BAD_SCHEMA]),
        fast(dir, { count: 5, maxInvalidRetries: 0, maxSkipped: 3 }),
      ),
      /^Error: Cannot generate conversations: invalid output: .*message_type.* \(3 skipped, nothing written to ".*conversations\.csv"\)$/,
    );
    await assert.rejects(Deno.stat(join(dir, "conversations.csv")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generateWithLlm() retries a Groq 429 and a 500, counts the retries and the tokens", async () => {
  const server = startFakeServer([
    { status: 429, headers: { "retry-after": "0" } },
    { status: 500 },
    { output: GOOD },
  ]);
  const dir = await Deno.makeTempDir();
  try {
    const model = new ChatGroq({
      model: "llama-3.3-70b-versatile",
      apiKey: "test",
      baseUrl: server.origin,
      maxRetries: 0,
    });
    const summary = await generateWithLlm(model, fast(dir, { count: 2 }));
    assert.equal(summary.conversations, 2);
    assert.deepEqual(summary.retries, {
      rateLimit: 1,
      transient: 1,
      timeout: 0,
      invalid: 0,
      total: 2,
    });
    assert.equal(summary.requests, 4);
    assert.deepEqual(summary.usage, {
      inputTokens: 200,
      outputTokens: 80,
      totalTokens: 280,
      calls: 2,
    });
    // The prompt reached the server and varied between the two conversations.
    const userTexts = server.requests.map((r) =>
      (r.messages as { role: string; content: string }[]).find((m) => m.role === "user")!.content
    );
    assert.match(userTexts[0]!, /Write a stretch of the #/);
    assert.notEqual(userTexts[2], userTexts[3]);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generateWithLlm() times out a slow OpenAI request and retries it", async () => {
  const server = startFakeServer([{ delayMs: 5000, output: GOOD }, { output: GOOD }]);
  const dir = await Deno.makeTempDir();
  try {
    const model = new ChatOpenAI({
      model: "gpt-4o-mini",
      apiKey: "test",
      configuration: { baseURL: `${server.origin}/v1` },
      maxRetries: 0,
    });
    const summary = await generateWithLlm(model, fast(dir, { count: 1, timeoutMs: 150 }));
    // Behaviour, not a stopwatch: the slow request was abandoned as a timeout and the retry
    // (the second request) wrote the conversation.
    assert.equal(summary.conversations, 1);
    assert.equal(summary.retries.timeout, 1);
    assert.equal(server.requests.length, 2);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generateWithLlm() stops when the first request times out on every retry", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const model = new FakeListChatModel({ responses: [JSON.stringify(GOOD)], sleep: 1000 });
    await assert.rejects(
      generateWithLlm(model, fast(dir, { count: 1, timeoutMs: 20, maxRetries: 1 })),
      /^Error: Cannot generate conversations: timeout \(0 written to ".*" before it\)$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generateWithLlm() stops on HTTP 401 with a clear error", async () => {
  const server = startFakeServer([{ status: 401 }]);
  const dir = await Deno.makeTempDir();
  try {
    const model = new ChatGroq({
      model: "m",
      apiKey: "test",
      baseUrl: server.origin,
      maxRetries: 0,
    });
    await assert.rejects(
      generateWithLlm(model, fast(dir, { count: 3, concurrency: 2 })),
      /^Error: Cannot generate conversations: HTTP 401: .*\(0 written to ".*conversations\.csv" before it\)$/,
    );
    assert.ok(server.requests.length <= 2, `kept going after 401: ${server.requests.length}`);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generateWithLlm() resumes an interrupted run without duplicates and respects count", async () => {
  const dir = await Deno.makeTempDir();
  const out = join(dir, "conversations.csv");
  try {
    const controller = new AbortController();
    const first = await generateWithLlm(
      fakeModel([GOOD]),
      fast(dir, {
        count: 5,
        concurrency: 2,
        signal: controller.signal,
        onProgress: (done) => done >= 2 && controller.abort(),
      }),
    );
    assert.equal(first.interrupted, true);
    assert.ok(first.conversations >= 2 && first.conversations < 5);

    const second = await generateWithLlm(
      fakeModel([GOOD]),
      fast(dir, { count: 5, concurrency: 3 }),
    );
    assert.equal(second.existing, first.conversations);
    assert.equal(second.conversations, 5 - first.conversations);
    assert.equal(second.interrupted, false);

    const third = await generateWithLlm(fakeModel([GOOD]), fast(dir, { count: 4 }));
    assert.equal(third.conversations, 0, "the file already holds more than asked");

    const { messages } = await readConversations(out);
    const ids = messages.map((m) => m.messageId);
    assert.equal(new Set(ids).size, ids.length, "duplicate message ids");
    assert.deepEqual(
      [...new Set(messages.map((m) => m.conversationId))].sort(),
      ["llm-000000", "llm-000001", "llm-000002", "llm-000003", "llm-000004"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generateWithLlm() against an unreachable provider fails with the connection error and writes no file", async () => {
  // A port that was just free: nothing listens there.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const dir = await Deno.makeTempDir();
  try {
    const model = new ChatOpenAI({
      model: "gpt-4o-mini",
      apiKey: "test",
      configuration: { baseURL: `http://127.0.0.1:${port}/v1` },
      maxRetries: 0,
    });
    await assert.rejects(
      generateWithLlm(model, fast(dir, { count: 3, maxRetries: 1 })),
      (error: Error) => {
        assert.match(error.message, /^Cannot generate conversations: network: /);
        assert.match(error.message, /refused|connect/i);
        return true;
      },
    );
    await assert.rejects(Deno.stat(join(dir, "conversations.csv")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generateWithLlm() resumed under varied latency asks every plan exactly once", async () => {
  // Each reply names the prompt it answers and arrives after a varied delay, so requests finish
  // out of order; the run is interrupted, resumed twice, and every plan must appear once.
  const prng = createPrng(5);
  const server = startFakeServer([], (body) => {
    const messages = body.messages as { role: string; content: string }[];
    const prompt = messages.find((m) => m.role === "user")!.content;
    return {
      delayMs: Math.floor(prng() * 60),
      output: {
        messages: [
          {
            user_name: "a",
            message: fingerprint(prompt),
            message_type: "question",
            reply_to: null,
          },
          { user_name: "b", message: "yeah", message_type: "answer", reply_to: null, answers: 0 },
        ],
      },
    };
  });
  const dir = await Deno.makeTempDir();
  const out = join(dir, "conversations.csv");
  try {
    const model = new ChatOpenAI({
      model: "gpt-4o-mini",
      apiKey: "test",
      configuration: { baseURL: `${server.origin}/v1` },
      maxRetries: 0,
    });
    for (const stopAt of [5, 11]) {
      const controller = new AbortController();
      const summary = await generateWithLlm(
        model,
        fast(dir, {
          count: 16,
          concurrency: 4,
          signal: controller.signal,
          onProgress: (done) => done >= stopAt && controller.abort(),
        }),
      );
      assert.equal(summary.interrupted, true);
    }
    await generateWithLlm(model, fast(dir, { count: 16, concurrency: 4 }));
    const { messages } = await readConversations(out);
    const template = await loadPromptTemplate();
    const expected = Array.from({ length: 16 }, (_, i) => {
      const plan = planConversation(i, { seed: 42 });
      return [`llm-${String(i).padStart(6, "0")}`, fingerprint(renderPrompt(template, plan).user)];
    });
    const got = messages.filter((m) => m.messageType === "question")
      .map((m) => [m.conversationId, m.text])
      .sort((a, b) => a[0]!.localeCompare(b[0]!));
    assert.deepEqual(got, expected);
    assert.ok(
      messages.filter((m) => m.messageType === "answer").every((m) =>
        m.answers === `${m.conversationId}-000`
      ),
    );
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/** A short stable digest of a prompt. */
function fingerprint(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `prompt ${h.toString(16)}`;
}
