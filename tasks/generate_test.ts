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
  assert.equal(args.exchanges, false);
  assert.equal(parseGenerateArgs(["--exchanges"]).exchanges, true);
  assert.equal(args.hangout, false);
  assert.equal(parseGenerateArgs(["--hangout", "on"]).hangout, true);
  assert.equal(parseGenerateArgs(["--hangout", "off"]).hangout, false);
  assert.equal(parseGenerateArgs(["--hangout", "questions"]).hangout, "questions");
  assert.equal(parseGenerateArgs(["--hangout", "channels"]).hangout, "channels");
  assert.equal(parseGenerateArgs(["--hangout", "extra"]).hangout, "extra");
  assert.equal(args.answers, "framed-replies");
  assert.equal(parseGenerateArgs(["--answers", "plain"]).answers, "plain");
  assert.equal(parseGenerateArgs(["--answers", "framed"]).answers, "framed");
  assert.equal(
    parseGenerateArgs(["--answers", "framed-replies"]).answers,
    "framed-replies",
  );
  // Unset, the generator's default casual style (pooled) applies.
  assert.equal(args.casual, undefined);
  assert.equal(parseGenerateArgs(["--casual", "pooled"]).casual, "pooled");
  assert.equal(parseGenerateArgs(["--casual", "paired"]).casual, "paired");
  assert.equal(parseGenerateArgs(["--casual", "paired-help"]).casual, "paired-help");
  assert.throws(
    () => parseGenerateArgs(["--casual", "mixed"]),
    new RangeError('Cannot use --casual "mixed": expected paired, paired-help or pooled'),
  );
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
    message: "Unknown option '--cont' (see --help)",
  });
  assert.throws(
    () => parseGenerateArgs(["--format", "xml"]),
    new RangeError('Cannot use --format "xml": unknown format (allowed: csv, discord-json)'),
  );
  assert.throws(
    () => parseGenerateArgs(["--format", "discord-json", "--provider", "groq"]),
    /^RangeError: Cannot use --format discord-json with --provider/,
  );
  assert.throws(
    () => parseGenerateArgs(["--count", "0"]),
    new RangeError('Cannot use --count "0": expected an integer >= 1'),
  );
  assert.throws(() => parseGenerateArgs(["--mix", "1,2"]), /^RangeError: Cannot use --mix "1,2"/);
  assert.throws(() => parseGenerateArgs(["--temperature", "3"]), /expected a number from 0 to 2/);
  assert.throws(
    () => parseGenerateArgs(["--hangout", "yes"]),
    new RangeError(
      'Cannot use --hangout "yes": expected on, off, questions, channels or extra',
    ),
  );
  assert.throws(
    () => parseGenerateArgs(["--answers", "long"]),
    new RangeError('Cannot use --answers "long": expected plain, framed or framed-replies'),
  );
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
      "--format",
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
    assert.ok(messages.every((m) => m.position !== undefined && m.threadId !== undefined));
    assert.match(out.lines.join("\n"), /conversations: 5 channel stream windows written to/);
    assert.match(out.lines.join("\n"), /answers next to their question \d+\.\d%/);
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((f) => f.name), [
      "c.csv",
    ]);
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

Deno.test("--conversations still works as a deprecated name of --count", async () => {
  assert.equal(parseGenerateArgs(["--conversations", "7"]).count, 7);
  assert.deepEqual(parseGenerateArgs(["--conversations", "7"]).notes, [
    "--conversations is deprecated: use --count",
  ]);
  assert.equal(parseGenerateArgs(["--count", "3", "--conversations", "7"]).count, 3);
  const dir = await Deno.makeTempDir();
  try {
    const out = io();
    const path = join(dir, "c.csv");
    assert.equal(await main(["--conversations", "2", "--out", path], out), 0);
    assert.equal(out.lines[0], "--conversations is deprecated: use --count");
    const { messages } = await readConversations(path);
    assert.equal(new Set(messages.map((m) => m.conversationId)).size, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main() --format discord-json writes one export file per channel and the truth", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = io();
    assert.equal(await main(["--format", "discord-json", "--count", "20", "--out", dir], out), 0);
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    assert.ok(names.includes("truth.csv"), names.join());
    const files = names.filter((n) => n.endsWith(".json"));
    assert.ok(files.length >= 3, files.join());
    assert.ok(!names.some((n) => n.endsWith(".tmp")));
    for (const name of files) {
      const json = JSON.parse(await Deno.readTextFile(join(dir, name)));
      assert.equal(json.messageCount, json.messages.length);
      assert.ok(name.endsWith(` [${json.channel.id}].json`), name);
    }
    assert.match(
      out.lines.join("\n"),
      /\d+ channel and \d+ thread files \(DiscordChatExporter JSON\) \+ truth\.csv/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main() says the disk is full when it fills mid-run, and leaves no partial output", async () => {
  const dir = await Deno.makeTempDir();
  const realWrite = Deno.FsFile.prototype.writeSync;
  let room = 0;
  // a disk with `room` bytes left: what Deno throws then (checked on a 200 KiB tmpfs)
  Deno.FsFile.prototype.writeSync = function (this: Deno.FsFile, bytes: Uint8Array) {
    if (bytes.length > room) {
      throw Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
    }
    room -= bytes.length;
    return realWrite.call(this, bytes);
  };
  try {
    const full = (path: string) =>
      `Cannot write "${path}": the disk is full (or the quota used up); free some space and run ` +
      "it again";
    // mid-run (a 1 MiB flush) and in the last writes; a CSV and an export
    for (
      const [args, name, left] of [
        [["--count", "3000"], "big.csv", 50_000],
        [["--count", "5"], "small.csv", 1_000],
        [["--count", "20", "--format", "discord-json"], "export", 50_000],
      ] as const
    ) {
      room = left;
      const path = join(dir, name);
      const out = io();
      assert.equal(await main([...args, "--out", path], out), 1, name);
      // was the system's "No space left on device (os error 28)"
      assert.equal(out.lines.at(-1), full(path));
      // the export was half written: the files renamed before the failing one, temp files
      assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), [], name);
    }
  } finally {
    Deno.FsFile.prototype.writeSync = realWrite;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main() with an aborted signal stops the built-in generator with 130 and writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const controller = new AbortController();
    const out = {
      ...io(),
      signal: controller.signal,
      onProgress: (done: number) => done >= 64 && controller.abort(),
    };
    const path = join(dir, "c.csv");
    assert.equal(await main(["--count", "5000", "--out", path], out), 130);
    assert.match(out.lines.at(-1)!, /^interrupted after 64 of 5000 windows: nothing written to /);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "Ctrl-C (SIGINT) stops `deno task generate` with exit code 130 and no partial output",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = join(dir, "big.csv");
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("./generate.ts", import.meta.url).pathname,
          "--count",
          "200000",
          "--out",
          path,
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // Wait for the start line: the signal listener is installed before it is printed.
      const reader = child.stdout.getReader();
      let seen = "";
      while (!seen.includes("stream windows →")) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += new TextDecoder().decode(value);
      }
      child.kill("SIGINT");
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += new TextDecoder().decode(value);
      }
      const status = await child.status;
      await child.stderr.cancel();
      assert.equal(status.code, 130, seen);
      assert.match(seen, /interrupted after \d+ of 200000 windows: nothing written to /);
      assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("main() with an unreachable provider exits 1 with the connection error and writes nothing", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there now
  const dir = await Deno.makeTempDir();
  try {
    const out = io({ OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` });
    const path = join(dir, "llm.csv");
    const code = await main(
      ["--provider", "openai", "--count", "3", "--max-retries", "0", "--out", path],
      out,
    );
    assert.equal(code, 1);
    const error = out.lines.at(-1)!;
    assert.match(error, /^Cannot generate conversations: network: .*(refused|connect)/i);
    assert.ok(!error.includes("sk-test"));
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main() refuses an --out that is a folder (CSV) or a file (discord-json) with one line, leaving nothing behind", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "notes.txt");
    await Deno.writeTextFile(file, "keep me\n");
    const csv = io();
    // used to finish, then fail on the rename with "Is a directory (os error 21)" and leave a
    // finished temp file beside the folder
    assert.equal(await main(["--count", "2", "--out", dir], csv), 1);
    assert.deepEqual(csv.lines, [
      `Cannot write "${dir}": it is a folder; name a CSV file, e.g. "${
        join(dir, "conversations.csv")
      }"`,
    ]);
    const json = io();
    assert.equal(await main(["--format", "discord-json", "--count", "2", "--out", file], json), 1);
    assert.deepEqual(json.lines, [
      `Cannot write into "${file}": it is a file, not a folder; name a folder that is not a file (or remove the file)`,
    ]);
    assert.equal(await Deno.readTextFile(file), "keep me\n");
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((f) => f.name), ["notes.txt"]);
    const parent = await Deno.readDir(join(dir, "..")); // no temp file beside the folder either
    for await (const entry of parent) {
      assert.ok(!entry.name.startsWith(`${dir.split("/").at(-1)}.`));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
