import assert from "node:assert/strict";
import { join } from "node:path";
import { LABELS } from "../lib/data/types.ts";
import { BuiltinEmbedder } from "../lib/features/builtin.ts";
import { type ModelMetadata, saveBundle } from "../lib/model/bundle.ts";
import { trainClassifier } from "../lib/model/train.ts";
import { assembleContexts, contextRows, DEFAULT_CONTEXT_RECIPE } from "../lib/features/context.ts";

const CLASSIFY = new URL("./classify.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** A tiny trained model saved under `dir` (a minute of the real thing would prove nothing more). */
async function tinyModel(dir: string, options: { context?: boolean } = {}): Promise<void> {
  const embedder = new BuiltinEmbedder({ dimension: 64 });
  const texts = ["how do I start?", "use pandas", "lol", "any tips?", "try sql first", "thanks"];
  const y = Int32Array.from([2, 0, 1, 2, 0, 1]);
  const features = embedder.featurizeMany(texts);
  // a context model reads each text after the ones before it, one conversation
  const messages = texts.map((text, i) => ({
    messageId: String(i),
    conversationId: "c1",
    channel: "",
    userName: i % 2 ? "ben" : "ana",
    text,
    messageType: "",
    replyTo: null,
    timestamp: "",
    position: i,
  }));
  const x = options.context
    ? contextRows(features, [{
      assembly: assembleContexts(messages),
      rows: Int32Array.from(texts.keys()),
    }])
    : features;
  const set = { x, y };
  const { model } = await trainClassifier(set, set, { epochs: 1, hiddenUnits: 8 });
  const metadata: ModelMetadata = {
    format: "qac-model/1",
    runId: "tiny",
    createdAt: new Date(0).toISOString(),
    labels: [...LABELS],
    embedder: embedder.config,
    embedderId: embedder.id,
    dimension: 64,
    hiddenUnits: 8,
    ...(options.context ? { context: { recipe: DEFAULT_CONTEXT_RECIPE } } : {}),
    training: {},
    data: {},
    metrics: {},
    versions: {},
  };
  await saveBundle(dir, { model, embedder, labels: LABELS, metadata });
  model.dispose();
}

function classify(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--config=${CONFIG}`,
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
      CLASSIFY,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function names(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) found.push(entry.name);
  return found.sort();
}

async function withFiles(test: (dir: string, model: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "qac-classify-cli-" });
  const model = await Deno.makeTempDir({ prefix: "qac-classify-model-" });
  try {
    await tinyModel(model);
    await test(dir, model);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(model, { recursive: true });
  }
}

Deno.test("classify refuses --out equal to --in, a folder, or a format it does not write, with one line and exit 1", async () => {
  await withFiles(async (dir, model) => {
    const input = join(dir, "chat.csv");
    await Deno.writeTextFile(input, "text\nhow do I start?\nthanks\n");
    for (
      const [out, message] of [
        [input, `error: Cannot classify "${input}": the output "${input}" is the input file`],
        [dir, `error: Cannot write "${dir}": it is a folder; name a file`],
        // was written as CSV under a name that says otherwise
        [
          join(dir, "out.parquet"),
          `error: Cannot write "${join(dir, "out.parquet")}": classify writes CSV or JSON Lines; ` +
          "name the output .csv, .jsonl or .ndjson",
        ],
      ]
    ) {
      const { code, stderr } = await classify(["--model", model, "--in", input, "--out", out!])
        .output();
      const lines = new TextDecoder().decode(stderr).trim().split("\n");
      assert.equal(code, 1);
      assert.equal(lines.length, 1, lines.join("\n"));
      assert.ok(lines[0]!.startsWith(message!), `${lines[0]}`);
    }
    assert.equal(await Deno.readTextFile(input), "text\nhow do I start?\nthanks\n");
    assert.deepEqual(await names(dir), ["chat.csv"]);
  });
});

Deno.test("classify refuses a corrupt weights.bin with one line and exit 1, writing nothing", async () => {
  await withFiles(async (dir, model) => {
    const input = join(dir, "chat.txt");
    await Deno.writeTextFile(input, "how do I start?\nthanks\n");
    // one flipped bit: still finite and the right size, so only the SHA-256 (computed as the
    // file is read) tells
    const weights = await Deno.readFile(join(model, "weights.bin"));
    weights[weights.length - 7]! ^= 0x01;
    await Deno.writeFile(join(model, "weights.bin"), weights);
    const out = join(dir, "out.csv");
    const { code, stdout, stderr } = await classify([
      "--model",
      model,
      "--in",
      input,
      "--out",
      out,
      "--workers",
      "1",
    ]).output();
    const lines = new TextDecoder().decode(stderr).trim().split("\n");
    assert.equal(code, 1);
    assert.deepEqual(lines, [
      `error: Cannot load model "${model}": weights.bin does not match the SHA-256 in metadata.json (changed or corrupt)`,
    ]);
    assert.equal(stdout.length, 0);
    assert.deepEqual(await names(dir), ["chat.txt"]);
  });
});

Deno.test("classify stopped by SIGINT exits 130 and leaves no output and no temp file", async () => {
  await withFiles(async (dir, model) => {
    const input = join(dir, "chat.txt");
    const line = "how do I join two tables in sql, and why is it slow?\n";
    await Deno.writeTextFile(input, line.repeat(400_000));
    const out = join(dir, "out.csv");
    const child = classify(["--model", model, "--in", input, "--out", out, "--workers", "0"]);
    // the temp output exists once classification is under way (and the handler installed)
    const deadline = Date.now() + 60_000;
    while (!(await names(dir)).some((name) => name.endsWith(".tmp"))) {
      if (Date.now() > deadline) throw new Error("classify never started writing");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGINT");
    const { code, stderr } = await child.output();
    assert.equal(code, 130, new TextDecoder().decode(stderr));
    assert.match(new TextDecoder().decode(stderr), /interrupted; no output written/);
    assert.deepEqual(await names(dir), ["chat.txt"]);
  });
});

Deno.test("classify refuses a bad --workers or --batch-size with one line naming the flag", async () => {
  await withFiles(async (dir, model) => {
    const input = join(dir, "chat.txt");
    await Deno.writeTextFile(input, "how do I start?\nthanks\n");
    for (
      const [flag, message] of [
        // these used to fail deep inside ("concurrency must be a positive integer, got -5461")
        // or start a thousand threads
        ["--batch-size=0", 'Cannot use --batch-size "0": expected an integer >= 1'],
        ["--batch-size=-3", 'Cannot use --batch-size "-3": expected an integer >= 1'],
        ["--workers=-1", 'Cannot use --workers "-1": expected an integer in 0..64'],
        ["--workers=1000", 'Cannot use --workers "1000": expected an integer in 0..64'],
      ]
    ) {
      const { code, stderr } = await classify(["--model", model, "--in", input, flag!]).output();
      const text = new TextDecoder().decode(stderr).trim();
      assert.equal(code, 1, text);
      assert.equal(text, `error: ${message}`);
    }
    assert.deepEqual(await names(dir), ["chat.txt"]);
  });
});

Deno.test("classify names the line of a message too long to featurize, and writes nothing", async () => {
  await withFiles(async (dir, model) => {
    const input = join(dir, "chat.csv");
    // a 5 MB line used to stop the run with "Cannot featurize text: it has 5000000 characters",
    // naming neither the file nor the row
    await Deno.writeTextFile(input, `text\nhow do I start?\n${"a".repeat(200_001)}\nthanks\n`);
    const out = join(dir, "out.csv");
    const { code, stderr } = await classify([
      "--model",
      model,
      "--in",
      input,
      "--out",
      out,
      "--quiet",
    ])
      .output();
    const text = new TextDecoder().decode(stderr).trim();
    assert.equal(code, 1, text);
    assert.equal(
      text,
      `error: Cannot classify "${input}": the message on line 3 has 200001 characters, more than ` +
        "the 100000 a message may have; shorten or split it, or remove the row",
    );
    assert.deepEqual(await names(dir), ["chat.csv"]);
  });
});

Deno.test("classify warns once per line of bytes that are not UTF-8 (a context model's header peek used to warn too)", async () => {
  await withFiles(async (dir) => {
    const model = join(dir, "context-model");
    await tinyModel(model, { context: true });
    const input = join(dir, "latin1.csv");
    await Deno.writeFile(
      input,
      new TextEncoder().encode("text\ncaf\u0000 is open?\nthanks\n").map((b) => b === 0 ? 0xe9 : b),
    );
    const { code, stdout, stderr } = await classify(["--model", model, "--in", input, "--quiet"])
      .output();
    const lines = new TextDecoder().decode(stderr).trim().split("\n");
    assert.equal(code, 0, lines.join("\n"));
    assert.deepEqual(lines.filter((l) => l.startsWith("warning:")), [
      `warning: "${input}" line 2: not valid UTF-8; the bad bytes read as U+FFFD`,
    ]);
    assert.equal(new TextDecoder().decode(stdout).trim().split("\n").length, 3);
    await Deno.remove(model, { recursive: true });
  });
});

Deno.test("classify reads a named pipe once, in the format of its name (it used to hang after peeking at it)", async () => {
  await withFiles(async (dir) => {
    // a context model looks for conversation columns in a CSV's header first
    const model = join(dir, "context-model");
    await tinyModel(model, { context: true });
    const pipe = join(dir, "chat.csv");
    const made = await new Deno.Command("mkfifo", { args: [pipe] }).output();
    assert.ok(made.success);
    const child = classify(["--model", model, "--in", pipe, "--quiet"]);
    // one writer, as a shell's `> chat.csv` is: the export sniffing took its data, and the read
    // after it waited for a second writer forever
    const writer = await Deno.open(pipe, { write: true });
    await writer.write(new TextEncoder().encode("text\nhow do I start?\nthanks\n"));
    writer.close();
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    try {
      const { code, stdout, stderr } = await child.output();
      assert.equal(
        code,
        0,
        `exit ${code} (killed after 15 s if hung): ${new TextDecoder().decode(stderr)}`,
      );
      const lines = new TextDecoder().decode(stdout).trim().split("\n");
      assert.deepEqual(lines.map((l) => l.split(",")[0]), ["text", "how do I start?", "thanks"]);
    } finally {
      clearTimeout(timer);
    }
  });
});

Deno.test("classify names a missing model folder with what to do, and a file given as --model", async () => {
  await withFiles(async (dir) => {
    const input = join(dir, "chat.txt");
    await Deno.writeTextFile(input, "how do I start?\n");
    const missing = join(dir, "models", "latest");
    for (
      const [model, message] of [
        [
          missing,
          `error: Cannot load model "${missing}": the folder does not exist; train one with ` +
          "`deno task train`, or name one with --model",
        ],
        // was the system's "Not a directory (os error 20)"
        [
          input,
          `error: Cannot load model "${input}": it is a file; --model takes a model folder ` +
          "(metadata.json, model.json, weights.bin)",
        ],
      ]
    ) {
      const { code, stderr } = await classify(["--model", model!, "--in", input]).output();
      assert.equal(code, 1);
      assert.equal(new TextDecoder().decode(stderr).trim(), message);
    }
  });
});
