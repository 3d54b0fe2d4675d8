import assert from "node:assert/strict";
import { join } from "node:path";
import { conversationsToCsv } from "../lib/data/csv.ts";
import { generateBuiltin } from "../lib/data/generate/builtin.ts";
import type { Message } from "../lib/data/types.ts";
import {
  assembleContexts,
  type ContextRecipe,
  DEFAULT_CONTEXT_RECIPE,
  featureMatrix,
} from "../lib/features/context.ts";
import { predictAssembled, predictInContext } from "../lib/infer/context.ts";
import { loadBundle } from "../lib/model/bundle.ts";

const TRAIN = new URL("./train.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** Runs `deno task train`'s script with the task's permissions. */
async function train(args: string[], cwd: string) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--config=${CONFIG}`,
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-net=127.0.0.1,localhost",
      "--allow-sys",
      TRAIN,
      ...args,
    ],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

Deno.test("deno task train runs the pipeline and prints per-epoch lines and a metrics table", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qac-train-cli-" });
  await Deno.writeTextFile(
    join(dir, "conv.csv"),
    conversationsToCsv(generateBuiltin({ conversations: 60 })),
  );
  const { code, stdout, stderr } = await train(
    ["--data", "conv.csv", "--dimension", "64", "--epochs", "2", "--real-eval", "none"],
    dir,
  );
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^clean +\d+ of \d+ rows kept/m);
  assert.match(stdout, /^epoch {2}1 {2}loss \d\.\d{4}/m);
  assert.match(stdout, /^test \(held-out\) +\d+ +0\.\d{3} +0\.\d{3}/m);
  const latest = await Deno.readTextFile(join(dir, "models", "latest", "metadata.json"));
  assert.equal(JSON.parse(latest).training.epochs, 2);
  await Deno.stat(join(dir, "data", "vectors.npy"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("deno task train says what is wrong in one line, without a stack trace", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qac-train-cli-" });
  const cases: [string[], string][] = [
    [["--data", "missing.csv"], 'error: Cannot train on "missing.csv": no such file'],
    [["--embedder", "word2vec"], 'error: Cannot use embedder "word2vec": choose one of'],
    [["--epochs", "many"], 'error: Cannot read --epochs: "many" is not a number'],
    [["--feature-version", "3"], "error: Cannot use --feature-version 3: it takes 1 or 2"],
    [["--char-ngrams", "maybe"], "error: Cannot use --char-ngrams maybe: it takes on or off"],
    [["--bogus"], "error: Unknown option '--bogus'"],
    [
      ["--context-question-window", "2.5"],
      "error: Cannot use --context-question-window 2.5: it takes a whole number ≥ 0",
    ],
    [
      ["--context-topic-window", "8"],
      "error: Cannot use --context-topic-window with context recipe 1: only recipe 3 matches topics",
    ],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await train(args, dir);
    assert.equal(code, 1, args.join(" "));
    assert.ok(stderr.startsWith(message), `${args.join(" ")}: ${stderr}`);
    assert.equal(stderr.trim().split("\n").length, 1, stderr);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("deno task train refuses a bad count in the flag's own name, and a too long message by its line, before embedding", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qac-train-cli-" });
  try {
    await Deno.writeTextFile(
      join(dir, "conv.csv"),
      conversationsToCsv(generateBuiltin({ conversations: 20 })),
    );
    const cases: [string, string][] = [
      // these used to embed the data first, then say "batchSize must be a positive integer"
      ["--epochs=-1", 'error: Cannot use --epochs "-1": expected an integer >= 1'],
      ["--batch-size=0", 'error: Cannot use --batch-size "0": expected an integer >= 1'],
      ["--hidden-units=0", 'error: Cannot use --hidden-units "0": expected an integer >= 1'],
      ["--patience=1.5", 'error: Cannot use --patience "1.5": expected an integer >= 0'],
      ["--seed=-3", 'error: Cannot use --seed "-3": expected an integer >= 0'],
    ];
    // a message the featurizer refuses is named by its line before the embedding starts
    const long = join(dir, "long.csv");
    await Deno.writeTextFile(
      long,
      `message,message_type\nhi?,question\n${"a".repeat(100_001)},comment\n`,
    );
    const refused = await train(["--data", "long.csv", "--real-eval", "none"], dir);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr.trim(),
      'error: Cannot train on "long.csv": the message on line 3 has 100001 characters, more than ' +
        "the 100000 a message may have; shorten or split it, or remove the row",
    );
    await Deno.remove(long);
    for (const [flag, message] of cases) {
      const { code, stdout, stderr } = await train(
        ["--data", "conv.csv", "--dimension", "64", "--real-eval", "none", flag],
        dir,
      );
      assert.equal(code, 1, flag);
      assert.equal(stderr.trim(), message);
      assert.equal(stdout, "", stdout);
    }
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name), ["conv.csv"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task train's context recipe flags are recorded in the metadata and rebuilt at load", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qac-train-recipe-" });
  try {
    await Deno.writeTextFile(
      join(dir, "conv.csv"),
      conversationsToCsv(generateBuiltin({ conversations: 40 })),
    );
    const { code, stderr } = await train(
      [
        ...["--data", "conv.csv", "--dimension", "32", "--epochs", "1", "--real-eval", "none"],
        ...["--context-recipe", "3", "--context-question-window", "9", "--context-max-gap", "600"],
      ],
      dir,
    );
    assert.equal(code, 0, stderr);
    const bundle = await loadBundle(join(dir, "models", "latest"));
    const expected: ContextRecipe = {
      ...DEFAULT_CONTEXT_RECIPE,
      version: 3,
      questionWindow: 9,
      maxGapSeconds: 600,
      topicWindow: 16,
    };
    assert.deepEqual(bundle.metadata.context?.recipe, expected);
    // the loaded model reads a message with its context by that recipe: the topic match picks
    // the far question (version 1 would take the nearest one)
    const message = (id: string, user: string, text: string): Message => ({
      messageId: id,
      conversationId: "c",
      channel: "sql-help",
      messageType: "chat",
      userName: user,
      text,
      replyTo: "",
      timestamp: "",
    });
    const far = [
      message("q1", "ann", "how do i pivot rows into columns in sql?"),
      message("q2", "bob", "anyone going to the meetup?"),
      message("a", "cat", "use a case when per column to pivot the rows"),
    ];
    const byRecipe = assembleContexts(far, expected);
    const byVersion1 = assembleContexts(far, { ...expected, version: 1 });
    assert.deepEqual([...byRecipe.context], [-1, 0, 0]);
    assert.deepEqual([...byVersion1.context], [-1, 0, 1]);
    const base = await featureMatrix(bundle.embedder, far.map((m) => m.text));
    const p = await predictInContext(bundle, far);
    assert.deepEqual(p, predictAssembled(bundle, base, byRecipe));
    assert.notDeepEqual(p, predictAssembled(bundle, base, byVersion1));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task train with no --data generates data/conversations.csv first", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qac-train-cli-" });
  const { code, stdout, stderr } = await train(
    ["--count", "40", "--dimension", "32", "--epochs", "1", "--real-eval", "none"],
    dir,
  );
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^generate +\d+ messages in 40 conversations → data\/conversations\.csv/m);
  const csv = await Deno.readTextFile(join(dir, "data", "conversations.csv"));
  assert.ok(csv.startsWith("user_name,message,message_type,message_id,conversation_id,"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("deno task train still takes the deprecated --conversations and says to use --count", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qac-train-cli-" });
  const { code, stdout, stderr } = await train(
    ["--conversations", "20", "--dimension", "16", "--epochs", "1", "--real-eval", "none"],
    dir,
  );
  assert.equal(code, 0, stderr);
  assert.match(stderr, /--conversations is deprecated: use --count/);
  assert.match(stdout, /^generate +\d+ messages in 20 conversations/m);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("deno task train --out DIR keeps the run, latest/ and vectors under DIR, and scores the vendored Molweni chat and the J4 judge", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qac-train-out-" });
  try {
    await Deno.writeTextFile(
      join(dir, "conv.csv"),
      conversationsToCsv(generateBuiltin({ conversations: 60 })),
    );
    const { code, stdout, stderr } = await train(
      ["--data", "conv.csv", "--dimension", "64", "--epochs", "1", "--out", "runs"],
      dir,
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^saved runs\/[^ ]+ \(runs\/latest\) in /m);
    assert.doesNotMatch(stdout, /models\/latest/);
    await Deno.stat(join(dir, "runs", "vectors.npy"));
    await assert.rejects(Deno.stat(join(dir, "data", "vectors.npy")), Deno.errors.NotFound);
    assert.match(stdout, /^real-eval molweni: macro-F1 0\.\d{3} .* on \d+ rows/m);
    const latest = JSON.parse(
      await Deno.readTextFile(join(dir, "runs", "latest", "metadata.json")),
    );
    assert.ok(latest.metrics.real.molweni, "metadata records the Molweni score");
    // J4 is scored apart from real chat: its own line, its own metadata key, a table row
    assert.match(
      stdout,
      /^judge-eval j4: macro-F1 0\.\d{3} \(context; .*\) on 1185 rows; message alone 0\.\d{3}$/m,
    );
    assert.match(stdout, /^j4 \(hand-written\) +1185 /m);
    assert.equal(latest.metrics.judges.j4.metrics.n, 1185);
    assert.equal(latest.metrics.real.j4, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task train --real-eval or --judge-eval naming a file stops in one line before training", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qac-train-evalfile-" });
  try {
    await Deno.writeTextFile(
      join(dir, "conv.csv"),
      conversationsToCsv(generateBuiltin({ conversations: 20 })),
    );
    for (const flag of ["--real-eval", "--judge-eval"]) {
      const { code, stdout, stderr } = await train(
        ["--data", "conv.csv", "--dimension", "16", "--epochs", "1", flag, "conv.csv"],
        dir,
      );
      assert.equal(code, 1);
      assert.doesNotMatch(stdout, /^epoch/m, "it stops before training");
      assert.equal(
        stderr.trim(),
        `error: Cannot use ${flag} "conv.csv": it is a file; it takes a folder of labelled CSVs, ` +
          'or "none"',
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task train without the real-chat folder says so in one line and still succeeds", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qac-train-noreal-" });
  try {
    await Deno.writeTextFile(
      join(dir, "conv.csv"),
      conversationsToCsv(generateBuiltin({ conversations: 40 })),
    );
    const { code, stdout, stderr } = await train(
      ["--data", "conv.csv", "--dimension", "64", "--epochs", "1", "--real-eval", "absent"],
      dir,
    );
    assert.equal(code, 0, stderr);
    const skips = stdout.split("\n").filter((line) => line.includes("real-eval"));
    assert.deepEqual(skips.length, 1, skips.join("\n"));
    assert.match(
      skips[0]!,
      /^real-eval skipped: absent not found \(NPS Chat and Switchboard live in \.\.\/shared\/data\/real/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
