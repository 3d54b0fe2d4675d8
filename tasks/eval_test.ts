import assert from "node:assert/strict";
import { join } from "node:path";
import { writeTinyModel } from "../tests/e2e/_model.ts";
import { readExport } from "../lib/data/discord/read.ts";
import { generateWindows } from "../lib/data/generate/builtin.ts";
import { DiscordExportWriter } from "../lib/data/generate/discord_export.ts";
import { readExportTruth } from "../lib/report/evaluate.ts";

const EVAL = new URL("./eval.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** Runs `deno task eval`'s script with the task's permissions, feeding `stdin`. */
async function evaluate(args: string[], cwd: string, stdin = "") {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--config=${CONFIG}`,
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
      EVAL,
      ...args,
    ],
    cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

const dir = await Deno.makeTempDir({ prefix: "qac-eval-cli-" });
const { modelDir } = await writeTinyModel(dir);
await Deno.writeTextFile(
  join(dir, "seed.csv"),
  "message,message_type,seed_split\nhow do I learn sql?,question,test\nuse sqlzoo,answer,test\n" +
    "nice,comment,test\nthanks all,comment,train\n",
);

Deno.test("deno task eval --where seed_split=test says to train with --split-column seed_split first", async () => {
  const { code, stdout, stderr } = await evaluate(
    ["--model", modelDir, "--data", "seed.csv", "--where", "seed_split=test", "--out", "report"],
    dir,
  );
  assert.equal(code, 0, stderr);
  assert.match(
    stderr,
    /^note: this model was not trained with --split-column seed_split, .* deno task train --data \.\.\/shared\/data\/seed\/conversations\.csv --split-column seed_split$/m,
  );
  assert.match(stdout, /macro/i);
});

Deno.test("deno task eval --where that matches no row says so and shows the column's values", async () => {
  const typo = await evaluate(
    ["--model", modelDir, "--data", "seed.csv", "--where", "seed_split=tset", "--out", "report"],
    dir,
  );
  assert.equal(typo.code, 1);
  // was "no scorable rows (0 skipped of 0)" after a --split-column note that did not apply
  assert.equal(
    typo.stderr,
    'error: Cannot evaluate on "seed.csv": --where seed_split=tset matched no row; the column ' +
      'holds "test" (3), "train" (1)\n',
  );
  const column = await evaluate(
    ["--model", modelDir, "--data", "seed.csv", "--where", "split=test", "--out", "report"],
    dir,
  );
  assert.equal(column.code, 1);
  assert.equal(
    column.stderr,
    'error: Cannot evaluate on "seed.csv": --where names the column "split", which the file ' +
      "does not have (its columns: message, message_type, seed_split)\n",
  );
});

Deno.test("deno task eval on a ../shared file that is absent says where such files live, in one line", async () => {
  const { code, stderr } = await evaluate(
    ["--model", modelDir, "--data", "../shared/data/real/none_here.csv"],
    dir,
  );
  assert.equal(code, 1);
  assert.equal(stderr.trim().split("\n").length, 1, stderr);
  assert.match(
    stderr,
    /^error: Cannot evaluate on "\.\.\/shared\/data\/real\/none_here\.csv": no such file \(.*live in \.\.\/shared beside it; data\/real\/molweni\.csv is real chat that is\)/,
  );
});

Deno.test("deno task eval --data - scores a labelled CSV read from stdin", async () => {
  const csv = "text,label\nhow do I learn sql?,question\nuse sqlzoo,answer\nnice,comment\n";
  const { code, stdout, stderr } = await evaluate(["--model", modelDir, "--data", "-"], dir, csv);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /macro/i);
  assert.match(stdout, new RegExp(`report: ${modelDir}/eval/stdin/`));
  assert.match(stdout, /^stdin: 3 rows scored$/m);
  await Deno.stat(join(modelDir, "eval", "stdin", "metrics.json"));
});

Deno.test("deno task eval --data EXPORT scores a generated export against its truth.csv", async () => {
  const exportDir = join(dir, "export");
  const writer = await DiscordExportWriter.open(exportDir, { seed: 5 });
  for (const window of generateWindows({ conversations: 8, seed: 5 })) writer.add(window);
  await writer.close();
  const truth = await readExportTruth(join(exportDir, "truth.csv"));
  const read = await Array.fromAsync(readExport(exportDir));
  const counts: Record<string, number> = { answer: 0, comment: 0, question: 0 };
  for (const m of read) counts[truth.labels.get(m.messageId)!]! += 1;
  const { code, stdout, stderr } = await evaluate(
    ["--model", modelDir, "--data", exportDir, "--out", "export-report"],
    dir,
  );
  assert.equal(code, 0, stderr);
  assert.match(stdout, new RegExp(`^${exportDir}: ${read.length} rows scored\n`));
  assert.match(stdout, /^model +\d+ +\d\.\d{3} +\d\.\d{3}/m);
  assert.match(stdout, /^true \\ predicted +answer +comment +question$/m);
  assert.match(
    stdout,
    /export read as deno task report reads it \(\d+ files, \d+ chat messages; left out: /,
  );
  const metrics = JSON.parse(await Deno.readTextFile(join(dir, "export-report", "metrics.json")));
  assert.equal(metrics.n, read.length);
  assert.deepEqual(metrics.labelCounts, counts);
  assert.equal(metrics.labelColumn, "truth.csv label");

  // flags for a labelled CSV, and --context off, are refused in one line each
  for (
    const [flag, value, why] of [
      ["--where", "kind=a", "it applies to a labelled CSV, and this is a chat export"],
      ["--label-column", "kind", "it applies to a labelled CSV, and this is a chat export"],
      ["--context", "off", "a chat export is read as deno task report reads it"],
    ]
  ) {
    const refused = await evaluate(["--model", modelDir, "--data", exportDir, flag!, value!], dir);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
    assert.ok(
      refused.stderr.startsWith(
        `error: Cannot use ${flag}${flag === "--context" ? " off" : ""} ` +
          `with "${exportDir}": ${why}`,
      ),
      refused.stderr,
    );
  }

  // without its truth, eval says it needs labels and points to classify, in one line
  await Deno.remove(join(exportDir, "truth.csv"));
  const bare = await evaluate(["--model", modelDir, "--data", exportDir], dir);
  assert.equal(bare.code, 1);
  assert.deepEqual(bare.stderr.trim().split("\n"), [
    `error: Cannot evaluate on "${exportDir}": it is a chat export without true labels (no ` +
    "truth.csv beside it, as deno task generate --format discord-json writes); eval needs " +
    `labels — to label its messages instead, run: deno task classify --in "${exportDir}" ` +
    "--out labels.csv",
  ]);
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
