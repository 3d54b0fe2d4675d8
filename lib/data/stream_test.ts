import assert from "node:assert/strict";
import type { CsvProblem } from "./csv.ts";
import {
  batches,
  detectFormat,
  openCsvStream,
  readJsonlRows,
  readLines,
  readTextRows,
  type StreamRow,
} from "./stream.ts";

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function tempFile(text: string, suffix: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix });
  await Deno.writeTextFile(path, text);
  return path;
}

Deno.test("detectFormat() goes by the file extension", () => {
  assert.equal(detectFormat("a/B.CSV"), "csv");
  assert.equal(detectFormat("x.jsonl"), "jsonl");
  assert.equal(detectFormat("x.ndjson"), "jsonl");
  assert.equal(detectFormat("x.txt"), "text");
  assert.equal(detectFormat("messages"), "text");
});

Deno.test("readLines() splits LF and CRLF lines, strips a BOM, keeps the last unterminated line", async () => {
  const path = await tempFile("\uFEFFone\r\ntwo\n\nthree", ".txt");
  const lines = await collect(readLines(path));
  assert.deepEqual(lines, [
    { line: 1, text: "one" },
    { line: 2, text: "two" },
    { line: 3, text: "" },
    { line: 4, text: "three" },
  ]);
  const rows = await collect(readTextRows(path));
  assert.deepEqual(rows.map((r) => [r.line, r.values.text]), [[1, "one"], [2, "two"], [
    4,
    "three",
  ]]);
  await Deno.remove(path);
});

Deno.test("readLines() rejects a missing file with a clear message", async () => {
  await assert.rejects(() => collect(readLines("/nonexistent/x.txt")), {
    name: "NotFound",
    message: 'Cannot read "/nonexistent/x.txt": no such file',
  });
});

Deno.test("readJsonlRows() yields objects and reports bad lines with their numbers", async () => {
  const path = await tempFile('{"text":"a"}\nnot json\n[1]\n\n{"text":"b","id":2}\n', ".jsonl");
  const problems: CsvProblem[] = [];
  const rows = await collect(readJsonlRows(path, { onProblem: (p) => problems.push(p) }));
  assert.deepEqual(rows, [
    { line: 1, values: { text: "a" } },
    { line: 5, values: { text: "b", id: 2 } },
  ]);
  assert.deepEqual(problems.map((p) => p.line), [2, 3]);
  assert.match(problems[0]!.reason, /^not JSON/);
  assert.equal(problems[1]!.reason, "not a JSON object");
  await Deno.remove(path);
});

Deno.test("openCsvStream() reads quoted multi-line fields with correct line numbers and reports ragged rows", async () => {
  const path = await tempFile('text,label\n"a, b",x\n"multi\nline",y\nragged\nlast,z\n', ".csv");
  const problems: CsvProblem[] = [];
  const { header, rows } = await openCsvStream(path, { onProblem: (p) => problems.push(p) });
  assert.deepEqual(header, ["text", "label"]);
  const all: StreamRow[] = await collect(rows);
  assert.deepEqual(all, [
    { line: 2, values: { text: "a, b", label: "x" } },
    { line: 3, values: { text: "multi\nline", label: "y" } },
    { line: 6, values: { text: "last", label: "z" } },
  ]);
  assert.deepEqual(problems, [{ line: 5, reason: "expected 2 fields, found 1" }]);
  await Deno.remove(path);
});

Deno.test("openCsvStream() throws SyntaxError on an empty file", async () => {
  const path = await tempFile("", ".csv");
  await assert.rejects(() => openCsvStream(path), {
    name: "SyntaxError",
    message: `Cannot parse "${path}": the file is empty`,
  });
  await Deno.remove(path);
});

Deno.test("batches() groups items and keeps a short tail", async () => {
  async function* numbers() {
    for (let i = 0; i < 7; i++) yield i;
  }
  assert.deepEqual(await collect(batches(numbers(), 3)), [[0, 1, 2], [3, 4, 5], [6]]);
  await assert.rejects(() => collect(batches(numbers(), 0)), { name: "RangeError" });
});

Deno.test("openCsvStream() streams 200k rows, yielding the first before reading most of the file", async () => {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  const file = await Deno.open(path, { write: true });
  const encoder = new TextEncoder();
  await file.write(encoder.encode("id,text\n"));
  for (let block = 0; block < 20; block++) {
    let chunk = "";
    for (let i = 0; i < 10_000; i++) {
      const n = block * 10_000 + i;
      chunk += `${n},"message number ${n}, with a comma and some padding text to be realistic"\n`;
    }
    await file.write(encoder.encode(chunk));
  }
  file.close();
  const size = (await Deno.stat(path)).size;
  let bytes = 0;
  const { rows } = await openCsvStream(path, { onBytes: (b) => bytes = b });
  let count = 0;
  let inOrder = true;
  let bytesAtFirstBatch = -1;
  for await (const batch of batches(rows, 2048)) {
    if (bytesAtFirstBatch < 0) bytesAtFirstBatch = bytes;
    for (const row of batch) {
      if (row.values.id !== String(count)) inOrder = false;
      count++;
    }
  }
  assert.equal(count, 200_000);
  assert.ok(inOrder);
  assert.equal(bytes, size);
  // Streaming, not slurping: the first rows arrive when only a small part of the file has been
  // read, so memory depends on the batch size, not the file size. (A heap or rss bound was tried
  // and is not discriminative here: under --parallel rss counts the other test files too.)
  assert.ok(
    bytesAtFirstBatch > 0 && bytesAtFirstBatch < size / 4,
    `read ${bytesAtFirstBatch} of ${size} bytes before the first batch`,
  );
  await Deno.remove(path);
});
