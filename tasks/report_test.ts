import assert from "node:assert/strict";
import { join } from "node:path";
import { writeHandExport } from "../lib/report/_hand_export.ts";
import { writeTinyModel } from "../tests/e2e/_model.ts";

const REPORT = new URL("./report.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** Starts `deno task report`'s script with the task's permissions. */
function start(args: string[]) {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--config=${CONFIG}`,
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
      REPORT,
      "--quiet",
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function run(args: string[]) {
  const { code, stderr } = await start(args).output();
  return { code, stderr: new TextDecoder().decode(stderr) };
}

Deno.test("deno task report writes report.json, unanswered.csv and index.html; Ctrl-C writes nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qac-report-cli-" });
  try {
    const { modelDir } = await writeTinyModel(dir);
    const exportDir = join(dir, "export");
    await writeHandExport(exportDir);
    const out = join(dir, "out");
    const ok = await run(["--in", exportDir, "--out", out, "--model", modelDir]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      ok.stderr,
      /^report \(message-only model\): 19 messages, \d+ questions, \d+% answered, \d+ unanswered; left out: /m,
    );
    const report = JSON.parse(await Deno.readTextFile(join(out, "report.json")));
    assert.equal(report.overall.messages, 19);
    for (const q of report.questions) {
      assert.deepStrictEqual(Object.keys(q), [
        "id",
        "channel",
        "author",
        "timestamp",
        "text",
        "answered",
        "firstAnswerId",
        "secondsToFirstAnswer",
        "linkedBy",
      ]);
    }
    const csv = await Deno.readTextFile(join(out, "unanswered.csv"));
    assert.equal(csv.split("\n")[0], "id,channel,author,timestamp,text,link");
    assert.equal(csv.trim().split("\n").length, report.overall.unanswered.length + 1);
    const html = await Deno.readTextFile(join(out, "index.html"));
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /<script|<link |src="http/); // self-contained, offline
    assert.equal(
      (await Array.fromAsync(Deno.readDir(out))).map((e) => e.name).sort().join(","),
      "index.html,report.json,unanswered.csv",
    );

    const bad = await run([
      "--in",
      exportDir,
      "--out",
      out,
      "--model",
      modelDir,
      "--since",
      "someday",
    ]);
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr.trim().split("\n").at(-1),
      'error: Cannot read --since: "someday" is not a date (e.g. 2024-03-01)',
    );

    // A pipe nobody writes to keeps the report waiting for input; Ctrl-C then stops it.
    const fifo = join(dir, "pipe.json");
    const mkfifo = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(mkfifo.success);
    const interrupted = join(dir, "interrupted");
    const child = start(["--in", fifo, "--out", interrupted, "--model", modelDir]);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // model loaded, reading the pipe
    child.kill("SIGINT");
    // open the pipe's other end so the reader's open() returns, then close it
    const writer = await Deno.open(fifo, { write: true });
    writer.close();
    const { code, stderr } = await child.output();
    assert.equal(code, 130, new TextDecoder().decode(stderr));
    assert.match(new TextDecoder().decode(stderr), /report: interrupted, nothing written/);
    await assert.rejects(() => Deno.stat(interrupted), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
