import assert from "node:assert/strict";
import { join } from "node:path";
import { readExport } from "../data/discord/read.ts";
import { emptyReadStats } from "../data/discord/types.ts";
import { LABELS } from "../data/types.ts";
import { handTruth, writeHandExport } from "./_hand_export.ts";
import { buildReport, type CommunityReport } from "./build.ts";
import { parseCsv } from "../data/csv.ts";
import { reportJsonChunks, unansweredCsvChunks, writeReport } from "./write.ts";

async function handReport(): Promise<CommunityReport> {
  const dir = await Deno.makeTempDir();
  try {
    await writeHandExport(dir);
    const { labels } = handTruth();
    const stats = emptyReadStats();
    return await buildReport(readExport(dir, { stats }), (batch) => {
      const p = new Float32Array(batch.length * 3);
      batch.forEach((m, i) =>
        p[i * 3 + LABELS.indexOf((labels.get(m.messageId) ?? "comment") as never)] = 1
      );
      return p;
    }, { stats, now: () => new Date(0) });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("reportJsonChunks() pieces together into the report's JSON, however small the pieces", async () => {
  const report = await handReport();
  for (const size of [1, 2, 1000]) {
    assert.deepStrictEqual(JSON.parse([...reportJsonChunks(report, size)].join("")), report);
  }
  const empty = { ...report, questions: [], unansweredQuestions: [] };
  assert.deepStrictEqual(JSON.parse([...reportJsonChunks(empty)].join("")), empty);
});

Deno.test("unansweredCsvChunks() pieces together into one CSV with one header, however small the pieces", async () => {
  const report = await handReport();
  assert.ok(report.unansweredQuestions.length >= 2, "the hand export has unanswered questions");
  const whole = [...unansweredCsvChunks(report, 1000)].join("");
  for (const size of [1, 2]) assert.equal([...unansweredCsvChunks(report, size)].join(""), whole);
  const { records: rows, problems } = parseCsv(whole);
  assert.deepEqual(problems, []);
  assert.deepEqual(rows.map((r) => r.values.id), report.unansweredQuestions.map((q) => q.id));
  assert.deepEqual(rows.map((r) => r.values.text), report.unansweredQuestions.map((q) => q.text));
  const empty = { ...report, unansweredQuestions: [] };
  assert.equal(
    [...unansweredCsvChunks(empty, 1)].join(""),
    "id,channel,author,timestamp,text,link\n",
  );
});

Deno.test("writeReport() writes the three files and no temporary ones", async () => {
  const report = await handReport();
  const dir = await Deno.makeTempDir();
  try {
    await writeReport(dir, report);
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    assert.deepStrictEqual(names, ["index.html", "report.json", "unanswered.csv"]);
    const csv = (await Deno.readTextFile(join(dir, "unanswered.csv"))).trim().split("\n");
    assert.deepStrictEqual(csv, [
      "id,channel,author,timestamp,text,link",
      "900000000000000114,python-help,carlos_analyst,2024-03-04T19:00:00.000Z,what's the difference " +
      "between apply and map in pandas?,https://discord.com/channels/810000000000000001/820000000000000001/900000000000000114",
      "900000000000000306,job-search-support,jjwalker,2024-03-05T18:20:00.000Z,how many projects " +
      "should be on my portfolio before I start applying?,https://discord.com/channels/810000000000000001/820000000000000002/900000000000000306",
      "900000000000000307,job-search-support,dev_tom,2024-03-06T09:20:00.000Z,Should I learn " +
      "Power BI or Tableau first?,https://discord.com/channels/810000000000000001/820000000000000002/900000000000000307",
    ]);
    const html = await Deno.readTextFile(join(dir, "index.html"));
    assert.match(html, /<div class="v">57%<\/div><div class="k">answered<\/div>/);
    assert.match(html, /what&#39;s the difference between apply and map in pandas\?/);
    assert.match(html, /<svg[^>]*>/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeReport() with an aborted signal leaves the folder's previous report as it was", async () => {
  const report = await handReport();
  const dir = await Deno.makeTempDir();
  try {
    const old = { "report.json": "{}\n", "unanswered.csv": "old\n", "index.html": "<p>old</p>\n" };
    for (const [name, text] of Object.entries(old)) await Deno.writeTextFile(join(dir, name), text);
    // Ctrl-C while deno task report wrote: it used to finish, replace the old files, then
    // delete the new ones, leaving neither report
    const signal = AbortSignal.abort(new DOMException("interrupted", "AbortError"));
    await assert.rejects(() => writeReport(dir, report, { signal }), { name: "AbortError" });
    for (const [name, text] of Object.entries(old)) {
      assert.equal(await Deno.readTextFile(join(dir, name)), text, name);
    }
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort(), [
      "index.html",
      "report.json",
      "unanswered.csv",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeReport() that fails before any file is complete removes the folders it made, not one that was there", async () => {
  const report = await handReport();
  // a question JSON cannot hold: the first file fails mid-write, as on a full disk
  const broken = { ...report, questions: [{ id: 1n }] } as unknown as CommunityReport;
  const root = await Deno.makeTempDir();
  try {
    const dir = join(root, "data", "report");
    await assert.rejects(() => writeReport(dir, broken), TypeError);
    // was an empty data/report/, which looks like a report that was written
    assert.deepEqual(await Array.fromAsync(Deno.readDir(root)), []);
    const there = join(root, "there");
    await Deno.mkdir(there);
    await assert.rejects(() => writeReport(there, broken), TypeError);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(there)), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
