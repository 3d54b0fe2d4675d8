import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { writeTinyModel } from "../tests/e2e/_model.ts";

const CLASSIFY = new URL("./classify.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** Runs `deno task classify`'s script with the task's permissions, feeding `stdin`. */
async function classify(args: string[], stdin: string, cwd: string) {
  const child = new Deno.Command(Deno.execPath(), {
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

const dir = await Deno.makeTempDir({ prefix: "qac-classify-cli-" });
const { modelDir } = await writeTinyModel(dir);

Deno.test("deno task classify --in - --out - reads messages from stdin and writes CSV to stdout", async () => {
  const { code, stdout, stderr } = await classify(
    ["--model", modelDir, "--in", "-", "--out", "-", "--quiet"],
    "anyone know how to join two tables in sql\nthanks, that worked!\n",
    dir,
  );
  assert.equal(code, 0, stderr);
  const rows = parse(stdout, { columns: true }) as Record<string, string>[];
  assert.deepEqual(rows.map((r) => r.text), [
    "anyone know how to join two tables in sql",
    "thanks, that worked!",
  ]);
  for (const row of rows) {
    assert.ok(["question", "answer", "comment"].includes(row.predicted!), String(row.predicted));
    const sum = Number(row.p_question) + Number(row.p_answer) + Number(row.p_comment);
    assert.ok(Math.abs(sum - 1) < 1e-4, String(sum));
  }
  assert.match(stderr, /^classified 2 messages/m);
});

Deno.test("deno task classify --in - --format csv reads a CSV from stdin, keeping its columns", async () => {
  const { code, stdout, stderr } = await classify(
    ["--model", modelDir, "--in", "-", "--format", "csv", "--quiet"],
    'id,message\n1,"is there a python channel?"\n2,"welcome everyone"\n',
    dir,
  );
  assert.equal(code, 0, stderr);
  const rows = parse(stdout, { columns: true }) as Record<string, string>[];
  assert.deepEqual(rows.map((r) => [r.id, r.message]), [
    ["1", "is there a python channel?"],
    ["2", "welcome everyone"],
  ]);
  assert.ok(rows.every((r) => r.predicted !== undefined));
});

Deno.test("deno task classify --out FILE writes the file and keeps stdout empty", async () => {
  const out = join(dir, "labelled.csv");
  const { code, stdout, stderr } = await classify(
    ["--model", modelDir, "--in", "-", "--out", out, "--quiet"],
    "what is a left join?\n",
    dir,
  );
  assert.equal(code, 0, stderr);
  assert.equal(stdout, "");
  assert.match(await Deno.readTextFile(out), /^text,predicted,p_question,p_answer,p_comment\n/);
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
