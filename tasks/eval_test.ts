import assert from "node:assert/strict";
import { join } from "node:path";
import { writeTinyModel } from "../tests/e2e/_model.ts";

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

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
