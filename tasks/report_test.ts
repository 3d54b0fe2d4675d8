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

    const bad = await run(["--in", exportDir, "--out", out, "--since", "someday"]);
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr.trim().split("\n").at(-1),
      'error: Cannot read --since: "someday" is not a date (e.g. 2024-03-01)',
    );

    // Only foreign files: one line per file, then one saying nothing was written (an empty
    // report would pass for a server with no messages).
    const foreign = join(dir, "foreign");
    await Deno.mkdir(foreign);
    await Deno.writeTextFile(join(foreign, "a.json"), '{"foo": 1}');
    await Deno.writeTextFile(join(foreign, "b.json"), "not json");
    const none = join(dir, "none");
    const refused = await run(["--in", foreign, "--out", none, "--model", modelDir]);
    assert.equal(refused.code, 1, refused.stderr);
    const lines = refused.stderr.trim().split("\n");
    assert.equal(lines.filter((l) => /^\S+\/(a|b)\.json: Cannot (read|parse) /.test(l)).length, 2);
    assert.match(
      lines.at(-1)!,
      /^error: Cannot report on \S+: none of its 2 file\(s\) could be read/,
    );
    await assert.rejects(() => Deno.stat(none), Deno.errors.NotFound);

    // A pipe keeps the report waiting for input; Ctrl-C while it waits stops it.
    const fifo = join(dir, "pipe.json");
    const mkfifo = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(mkfifo.success);
    const interrupted = join(dir, "interrupted");
    // Opening the pipe to write returns once the report opens it to read: by then the model is
    // loaded and Ctrl-C is handled, however slow the machine.
    const writerOpen = Deno.open(fifo, { write: true });
    const child = start(["--in", fifo, "--out", interrupted, "--model", modelDir]);
    const first = await Promise.race([
      writerOpen.then(() => "reading"),
      child.status.then(() => "exited"),
    ]);
    if (first === "exited") {
      (await Deno.open(fifo, { read: true })).close(); // lets the pending open return
      (await writerOpen).close();
      const { stderr } = await child.output();
      assert.fail(`report exited before reading: ${new TextDecoder().decode(stderr)}`);
    }
    const writer = await writerOpen;
    child.kill("SIGINT"); // the report stops while its read still waits: the pipe stays open
    const { code, stderr } = await child.output();
    writer.close();
    assert.equal(code, 130, new TextDecoder().decode(stderr));
    assert.match(new TextDecoder().decode(stderr), /report: interrupted, nothing written/);
    await assert.rejects(() => Deno.stat(interrupted), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task report starts with the task's own V8 heap flags (a Deno that lacks one fails here)", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", `--config=${CONFIG}`, "report", "--help"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const task = JSON.parse(await Deno.readTextFile(CONFIG)).tasks.report as string;
  assert.match(task, /--v8-flags=\S*--sqrt-allocation-limits/);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.match(new TextDecoder().decode(stdout), /^Usage: deno task report/m);
});

Deno.test("deno task report refuses an --out that would read or hold nothing, and bad counts, with one line and nothing written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qac-report-refuse-" });
  try {
    const { modelDir } = await writeTinyModel(dir);
    const exportDir = join(dir, "export");
    await writeHandExport(exportDir);
    const before = (await Array.fromAsync(Deno.readDir(exportDir))).map((e) => e.name).sort();
    const file = join(dir, "notes.txt");
    await Deno.writeTextFile(file, "keep me\n");
    const empty = join(dir, "empty");
    await Deno.mkdir(empty);
    const out = join(dir, "out");
    const cases: [string[], string][] = [
      // the reader leaves --out's files out of the export: it used to write an empty report
      [
        ["--in", exportDir, "--out", exportDir],
        `Cannot write the report into "${exportDir}": it is the export`,
      ],
      [
        ["--in", exportDir, "--out", dir],
        `Cannot write the report into "${dir}": it holds the export`,
      ],
      [["--in", exportDir, "--out", file], `Cannot write the report into "${file}": it is a file`],
      [["--in", empty, "--out", out], `Cannot report on ${empty}: it holds no export file`],
      [
        ["--in", exportDir, "--out", out, "--workers=-1"],
        `Cannot use --workers "-1": expected an integer in 0..64`,
      ],
      [
        ["--in", exportDir, "--out", out, "--window=-5"],
        `Cannot use --window "-5": expected a number >= 0`,
      ],
      [
        ["--in", exportDir, "--out", out, "--since", "2024-03-01", "--until", "2024-01-01"],
        "Cannot use --since 2024-03-01 with --until 2024-01-01",
      ],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await run([...args, "--model", modelDir]);
      const lines = stderr.trim().split("\n");
      assert.equal(code, 1, stderr);
      assert.equal(lines.length, 1, stderr);
      assert.ok(lines[0]!.startsWith(`error: ${message}`), stderr);
    }
    assert.equal(await Deno.readTextFile(file), "keep me\n");
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(exportDir))).map((e) => e.name).sort(),
      before,
    );
    await assert.rejects(() => Deno.stat(out), Deno.errors.NotFound);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(empty)), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
