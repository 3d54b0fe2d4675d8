import assert from "node:assert/strict";
import { HAND_CHANNELS, handChannelJson } from "../report/_hand_export.ts";
import { tinyBundle } from "./_testing.ts";
import { createHandler } from "./handler.ts";
import type { ReportResponse } from "./report_route.ts";

const pythonHelp = handChannelJson(HAND_CHANNELS[0]!);

function post(
  handler: ReturnType<typeof createHandler>,
  query: string,
  body: BodyInit,
  type = "application/json",
) {
  return handler(
    new Request(`http://x/report?${query}`, {
      method: "POST",
      headers: { "content-type": type },
      body,
    }),
  );
}

Deno.test("POST /report answers a DiscordChatExporter channel with its report, page and CSV", async () => {
  const handler = createHandler(tinyBundle(), { dataPath: null });
  const res = await post(handler, "name=python-help.json", pythonHelp);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-store");
  const body = await res.json() as ReportResponse;
  assert.equal(body.report.overall.messages, 9);
  assert.equal(body.report.source.path, "python-help.json");
  assert.equal(body.report.source.skipped.bot, 1);
  assert.equal(body.report.options.model, "test-run");
  // the tiny model calls every line with "?" a question
  assert.deepStrictEqual(body.report.questions.map((q) => q.id.slice(-3)), ["108", "114"]);
  assert.match(body.html, /^<!doctype html>/);
  assert.match(body.unansweredCsv, /^id,channel,author,timestamp,text,link\n/);
  assert.deepStrictEqual(body.problems, []);
});

Deno.test("POST /report reads the CSV flavour and sends the filters on", async () => {
  const handler = createHandler(tinyBundle(), { dataPath: null });
  const csv = "AuthorID,Author,Date,Content,Attachments,Reactions\n" +
    "1,ann,2024-01-01T10:00:00Z,how do I learn SQL?,,\n" +
    "2,ben,2024-01-01T10:01:00Z,try the free course,,\n" +
    "1,ann,2024-01-03T10:00:00Z,is pandas worth it?,,\n";
  const res = await post(handler, "name=help.csv&until=2024-01-02", csv, "text/csv");
  assert.equal(res.status, 200);
  const { report } = await res.json() as ReportResponse;
  assert.equal(report.overall.messages, 2);
  assert.deepStrictEqual(report.questions.map((q) => [q.text, q.firstAnswerId]), [
    ["how do I learn SQL?", "help:3"],
  ]);
});

Deno.test("POST /report says clearly what is wrong with a bad upload", async () => {
  const handler = createHandler(tinyBundle(), { dataPath: null, reportBodyLimit: 1000 });
  const cases: [string, BodyInit, string, number, string][] = [
    [
      "name=notes.json",
      "this is not json",
      "application/json",
      422,
      'Cannot parse "notes.json": not JSON (starts with "this is not ")',
    ],
    [
      "name=users.json",
      '{"users": []}',
      "application/json",
      422,
      'Cannot read "users.json": not a DiscordChatExporter export (no "messages" array)',
    ],
    [
      "name=cut.json",
      pythonHelp.slice(0, 900),
      "application/json",
      422,
      'Cannot parse "cut.json": the text ends inside "messages" after 0 items (truncated?)',
    ],
    [
      "name=big.json",
      pythonHelp,
      "application/json",
      413,
      "Cannot read the upload: it is larger than 1000 bytes (0 MiB); run `deno task report " +
      "--in EXPORT` for bigger exports",
    ],
    [
      "name=photo.png",
      "x",
      "image/png",
      415,
      'Cannot read the upload: send a .json, .csv or .jsonl export (got "photo.png")',
    ],
    [
      "name=a.json&since=soon",
      "{}",
      "application/json",
      422,
      'Cannot read --since: "soon" is not a date (e.g. 2024-03-01)',
    ],
    // these two used to answer 200 with an empty report, and "min confidence NaN"
    [
      "name=a.csv&since=2024-03-01&until=2024-01-01",
      "AuthorID,Author,Date,Content,Attachments,Reactions\n1,ann,2024-01-01T10:00:00Z,hi?,,\n",
      "text/csv",
      422,
      "Cannot use --since 2024-03-01 with --until 2024-01-01: no message can be at or after the " +
      "first and before the second; swap them",
    ],
    [
      "name=a.json&minConfidence=high",
      "{}",
      "application/json",
      422,
      'Cannot use minConfidence "high": it must be a number in [0, 1]',
    ],
  ];
  for (const [query, body, type, status, detail] of cases) {
    const res = await post(handler, query, body, type);
    assert.equal(res.status, status, query);
    assert.equal(res.headers.get("content-type"), "application/problem+json");
    assert.equal((await res.json()).detail, detail, query);
  }
});

Deno.test("GET /openapi.json describes POST /report with its body limit", async () => {
  const handler = createHandler(tinyBundle(), { dataPath: null, reportBodyLimit: 5000 });
  const doc = await (await handler(new Request("http://x/openapi.json"))).json();
  assert.match(doc.paths["/report"].post.summary, /at most 5000 bytes; nothing is stored/);
  assert.equal(
    doc.paths["/report"].post.responses["413"].description,
    "The export is larger than 5000 bytes",
  );
});
