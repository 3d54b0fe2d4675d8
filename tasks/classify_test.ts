import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { writeTinyModel } from "../tests/e2e/_model.ts";
import { readExport } from "../lib/data/discord/read.ts";
import { type ChatMessage, emptyReadStats } from "../lib/data/discord/types.ts";
import { LABELS } from "../lib/data/types.ts";
import { loadWeightsBundle } from "../lib/model/bundle_files.ts";
import { writeHandExport } from "../lib/report/_hand_export.ts";
import { buildReport } from "../lib/report/build.ts";
import { createMessageClassifier } from "../lib/report/classify.ts";
import { checkClassifyRun } from "./_bench_run.ts";

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

Deno.test("deno task classify --in - draws one progress line, with the bytes read as the total", async () => {
  const text = "anyone know how to join two tables in sql\nthanks, that worked!\n";
  const { code, stderr } = await classify(["--model", modelDir, "--in", "-"], text, dir);
  assert.equal(code, 0, stderr);
  // was two: "100% 63/0 …" then "100% 0/0 …"
  const bars = stderr.split("\n").filter((line) => line.startsWith("classify (bytes)"));
  assert.equal(bars.length, 1, stderr);
  assert.match(bars[0]!, / 100% 63\/63 /);
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

/** The committed generated export: five channels and their threads. */
const FIXTURE = new URL("../tests/fixtures/discord", import.meta.url).pathname;

/** Each message of the export at `path` with the labels and probabilities (6 decimals, as
 * classify writes them) deno task report's classifier gives it with the tiny model, in order. */
async function reportRows(path: string): Promise<string[][]> {
  const classify = createMessageClassifier(await loadWeightsBundle(modelDir));
  const rows: string[][] = [];
  const stats = emptyReadStats();
  await buildReport(readExport(path, { stats }), async (batch: readonly ChatMessage[]) => {
    const p = await classify(batch);
    batch.forEach((m, i) => {
      const row = [...p.subarray(i * 3, i * 3 + 3)];
      rows.push([
        m.messageId,
        LABELS[row.indexOf(Math.max(...row))]!,
        ...["question", "answer", "comment"].map((l) =>
          row[LABELS.indexOf(l as never)]!.toFixed(6)
        ),
      ]);
    });
    return p;
  }, { stats });
  classify.close();
  return rows;
}

Deno.test("deno task classify --in EXPORT refuses a column flag and --context off in one line: an export's columns and reading are the report's", async () => {
  for (
    const [flag, value, why] of [
      ["--speaker-column", "who", "it names a column of a message file, and this is a chat export"],
      [
        "--text-column",
        "Content",
        "it names a column of a message file, and this is a chat export",
      ],
      ["--context", "off", "a chat export is read as deno task report reads it"],
    ]
  ) {
    const { code, stdout, stderr } = await classify(
      ["--model", modelDir, "--in", FIXTURE, flag!, value!, "--quiet"],
      "",
      dir,
    );
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.equal(stderr.trim().split("\n").length, 1, stderr);
    assert.ok(
      stderr.startsWith(
        `error: Cannot use ${flag}${flag === "--context" ? " off" : ""} ` +
          `with "${FIXTURE}": ${why}`,
      ),
      stderr,
    );
  }
});

Deno.test("deno task classify --in EXPORT_FOLDER labels every chat message as the report does, in export order", async () => {
  const out = join(dir, "fixture.csv");
  const { code, stderr } = await classify(
    ["--model", modelDir, "--in", FIXTURE, "--out", out, "--quiet"],
    "",
    dir,
  );
  assert.equal(code, 0, stderr);
  const expected = await reportRows(FIXTURE);
  assert.ok(expected.length > 200, `${expected.length} messages`);
  assert.equal(
    await checkClassifyRun(stderr, out, {
      messages: expected.length,
      runId: "e2e-tiny",
      route: "export folder",
    }),
    "export folder, as deno task report reads it: message-only model",
  );
  assert.match(
    stderr,
    /: answer \d+, comment \d+, question \d+ → .*fixture\.csv; 7 files read; left out: .*system:GuildMemberJoin \d+/,
  );
  assert.equal(stderr.trim().split("\n").length, 1, stderr);
  const rows = parse(await Deno.readTextFile(out), { columns: true }) as Record<string, string>[];
  assert.deepEqual(Object.keys(rows[0]!), [
    "message_id",
    "channel",
    "author",
    "timestamp",
    "reply_to",
    "text",
    "predicted",
    "p_question",
    "p_answer",
    "p_comment",
  ]);
  assert.deepEqual(
    rows.map((r) => [r.message_id, r.predicted, r.p_question, r.p_answer, r.p_comment]),
    expected,
  );
  // threads are read right after their parent channel, as the report reads them
  const threadRow = rows.findIndex((r) => r.message_id === "1191180502808133660");
  assert.ok(threadRow > 0 && rows[threadRow]!.channel === "sql-help");
});

Deno.test("deno task classify --in a DCE .json file writes JSONL; its CSV flavour goes to stdout", async () => {
  const exportDir = join(dir, "hand");
  const [file] = await writeHandExport(exportDir);
  const out = join(dir, "hand.jsonl");
  const json = await classify(
    ["--model", modelDir, "--in", file!, "--out", out, "--quiet"],
    "",
    dir,
  );
  assert.equal(json.code, 0, json.stderr);
  const rows = (await Deno.readTextFile(out)).trimEnd().split("\n").map((l) => JSON.parse(l));
  const expected = await reportRows(file!);
  assert.deepEqual(
    rows.map((r) => [
      r.message_id,
      r.predicted,
      ...[r.p_question, r.p_answer, r.p_comment].map((p: number) => p.toFixed(6)),
    ]),
    expected,
  );
  assert.match(json.stderr, /route discord-json, .*; 1 file read; left out: .*bot 1/);

  const csvFile = join(dir, "Break Into Data - Help - general [42].csv");
  await Deno.writeTextFile(
    csvFile,
    "AuthorID,Author,Date,Content,Attachments,Reactions\n" +
      "1,ann#0001,2024-01-01T10:00:00.000+00:00,how do i join two tables?,,\n" +
      "2,bob#0002,2024-01-01T10:01:00.000+00:00,,https://cdn.example/x.png,\n" +
      "2,bob#0002,2024-01-01T10:02:00.000+00:00,use a left join on the id,,\n",
  );
  const csv = await classify(["--model", modelDir, "--in", csvFile, "--quiet"], "", dir);
  assert.equal(csv.code, 0, csv.stderr);
  const written = parse(csv.stdout, { columns: true }) as Record<string, string>[];
  assert.deepEqual(
    written.map((r) => [r.message_id, r.channel, r.author, r.text]),
    [
      ["42:2", "general", "ann#0001", "how do i join two tables?"],
      ["42:4", "general", "bob#0002", "use a left join on the id"],
    ],
  );
  assert.match(
    csv.stderr,
    /^classified 2 messages .*route discord-csv, .*left out: attachment only 1$/m,
  );
});

Deno.test("deno task classify --in EXPORT_FOLDER gives a line per bad file and classifies the others", async () => {
  const exportDir = join(dir, "mixed");
  const [good, second] = await writeHandExport(exportDir);
  // a JSON of another shape, and a channel cut short (the messages before the cut are kept)
  await Deno.writeTextFile(join(exportDir, "notes.json"), '[{"text": "hi"}]');
  const full = await Deno.readTextFile(second!);
  await Deno.writeTextFile(second!, full.slice(0, full.indexOf('"messageCount"') - 200));
  const out = join(dir, "mixed.csv");
  const { code, stderr } = await classify(
    ["--model", modelDir, "--in", exportDir, "--out", out, "--quiet"],
    "",
    dir,
  );
  assert.equal(code, 0, stderr);
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 3, stderr);
  // files are read in name order: the thread cut short, then notes.json
  assert.equal(
    lines[0],
    `Cannot parse "${second}": the text ends inside "messages" after 2 items (truncated?)`,
  );
  assert.equal(
    lines[1],
    `Cannot parse "${join(exportDir, "notes.json")}": the top level is an array, not an object`,
  );
  assert.match(
    lines[2]!,
    /^classified \d+ messages .*; \d+ files read \(2 not to the end: see above\)/,
  );
  const ids = (parse(await Deno.readTextFile(out), { columns: true }) as Record<string, string>[])
    .map((r) => r.message_id);
  const goodIds = (await Array.fromAsync(readExport(good!))).map((m) => m.messageId);
  assert.ok(goodIds.every((id) => ids.includes(id)), "the good channel is classified whole");
  const cut = await Array.fromAsync(readExport(second!, { onProblem: () => {} }));
  assert.ok(cut.length > 0 && cut.every((m) => ids.includes(m.messageId)));
});

Deno.test("deno task classify on an unreadable .json or a folder that is no export fails with one line and writes nothing", async () => {
  const bad = join(dir, "other.json");
  await Deno.writeTextFile(bad, '{"results": [1, 2]}');
  const out = join(dir, "none.csv");
  const one = await classify(["--model", modelDir, "--in", bad, "--out", out, "--quiet"], "", dir);
  assert.equal(one.code, 1);
  assert.deepEqual(one.stderr.trim().split("\n"), [
    `error: Cannot read "${bad}": not a DiscordChatExporter export (no "messages" array); ` +
    "classify reads a .json file as a DiscordChatExporter export (guild, channel, messages) — " +
    "give other messages as CSV, JSONL or text",
  ]);
  await assert.rejects(Deno.stat(out), Deno.errors.NotFound);

  const folder = join(dir, "not-an-export");
  await Deno.mkdir(folder);
  await Deno.writeTextFile(join(folder, "metadata.json"), '{"runId": "x"}');
  const notExport = await classify(["--model", modelDir, "--in", folder, "--quiet"], "", dir);
  assert.equal(notExport.code, 1);
  assert.deepEqual(notExport.stderr.trim().split("\n"), [
    `error: Cannot classify "${folder}": the folder holds no DiscordChatExporter export (none of ` +
    "its 1 .json, .csv or .jsonl files is one); --in takes an export folder, a channel's .json " +
    "or .csv, or one CSV, JSONL or text file of messages",
  ]);
  assert.equal(notExport.stdout, "");
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
