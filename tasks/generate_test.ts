import assert from "node:assert/strict";
import { join } from "node:path";
import { readConversations } from "../lib/data/csv.ts";
import { startFakeServer } from "../lib/data/generate/llm/_fake_server.ts";
import { main, type MainIo, parseGenerateArgs } from "./generate.ts";

function io(env: Record<string, string> = {}): MainIo & { lines: string[] } {
  const lines: string[] = [];
  return { env: (name) => env[name], print: (line) => lines.push(line), lines };
}

Deno.test("parseGenerateArgs() resolves defaults and flags", () => {
  const args = parseGenerateArgs([
    "--provider",
    "groq",
    "--count=7",
    "--mix",
    "1,1,2",
    "--timeout-ms",
    "500",
  ]);
  assert.equal(args.provider, "groq");
  assert.equal(args.count, 7);
  assert.deepEqual(args.mix, { question: 0.25, answer: 0.25, comment: 0.5 });
  assert.equal(args.timeoutMs, 500);
  assert.equal(args.out, "data/conversations.csv");
  assert.equal(args.seed, 42);
  assert.equal(args.concurrency, 4);
  assert.equal(parseGenerateArgs([]).provider, null);
});

Deno.test("parseGenerateArgs() explains bad flags", () => {
  assert.throws(
    () => parseGenerateArgs(["--provider", "gpt"]),
    new RangeError(
      'Cannot use --provider "gpt": unknown provider (allowed: groq, openai, anthropic, google, ollama)',
    ),
  );
  assert.throws(() => parseGenerateArgs(["--cont", "3"]), {
    name: "TypeError",
    message: /^Cannot parse flags: Unknown option '--cont' \(see --help\)$/,
  });
  assert.throws(
    () => parseGenerateArgs(["--count", "0"]),
    new RangeError('Cannot use --count "0": expected an integer >= 1'),
  );
  assert.throws(() => parseGenerateArgs(["--mix", "1,2"]), /^RangeError: Cannot use --mix "1,2"/);
  assert.throws(() => parseGenerateArgs(["--temperature", "3"]), /expected a number from 0 to 2/);
});

Deno.test("main() prints help listing every flag", async () => {
  const out = io();
  assert.equal(await main(["--help"], out), 0);
  for (
    const flag of [
      "--provider",
      "--model",
      "--count",
      "--seed",
      "--out",
      "--mix",
      "--concurrency",
      "--timeout-ms",
      "--max-retries",
      "--temperature",
      "--base-url",
    ]
  ) {
    assert.ok(out.lines[0]!.includes(flag), flag);
  }
  assert.equal(await main(["--nope"], out), 2);
});

Deno.test("main() names the missing key variable and exits 1", async () => {
  const out = io();
  assert.equal(await main(["--provider", "anthropic"], out), 1);
  assert.deepEqual(out.lines, [
    "Cannot create anthropic chat model: ANTHROPIC_API_KEY is not set (e.g. ANTHROPIC_API_KEY=... deno task generate --provider anthropic)",
  ]);
});

Deno.test("main() without a provider writes the built-in generator's conversations", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = io();
    const path = join(dir, "c.csv");
    assert.equal(await main(["--count", "5", "--seed", "3", "--out", path], out), 0);
    const { messages, problems } = await readConversations(path);
    assert.deepEqual(problems, []);
    assert.equal(new Set(messages.map((m) => m.conversationId)).size, 5);
    assert.match(out.lines.join("\n"), /conversations: 5 written/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main() runs the LLM path against OPENAI_BASE_URL without printing the key", async () => {
  const output = {
    messages: [
      { user_name: "a", message: "how do i pivot", message_type: "question", reply_to: null },
      { user_name: "b", message: "crosstab", message_type: "answer", reply_to: 0 },
    ],
  };
  const server = startFakeServer([{ output }]);
  const dir = await Deno.makeTempDir();
  try {
    const secret = "sk-secret-for-test";
    const out = io({ OPENAI_API_KEY: secret, OPENAI_BASE_URL: `${server.origin}/v1` });
    const path = join(dir, "llm.csv");
    const code = await main(["--provider", "openai", "--count", "3", "--out", path], out);
    assert.equal(code, 0, out.lines.join("\n"));
    const { messages } = await readConversations(path);
    assert.equal(messages.length, 6);
    const printed = out.lines.join("\n");
    assert.match(printed, /conversations: 3 written, 3\/3/);
    assert.match(printed, /tokens: +300 in \+ 120 out = 420/);
    assert.ok(!printed.includes(secret));
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
