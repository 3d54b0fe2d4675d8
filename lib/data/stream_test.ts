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

Deno.test("readLines() reads a 40 MB line with memory linear in its length", async () => {
  // The old reader re-scanned (and re-flattened) its growing buffer on every 64 KB chunk:
  // 3.4 GB and 28.6 s for a 50 MB line (895 MB and 18 s for this one); now ~60 MB.
  const path = await Deno.makeTempFile({ suffix: ".txt" });
  try {
    const word = new TextEncoder().encode("words ");
    const line = new Uint8Array(40 * 1024 * 1024);
    for (let i = 0; i < line.length; i += word.length) {
      line.set(word.subarray(0, line.length - i), i);
    }
    await Deno.writeFile(path, line);
    await Deno.writeTextFile(path, "\nshort\n", { append: true });
    const before = Deno.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 20);
    const lengths: number[] = [];
    try {
      for await (const { text } of readLines(path)) lengths.push(text.length);
    } finally {
      clearInterval(sampler);
    }
    assert.deepEqual(lengths, [line.length, 5]);
    const grownMb = (Math.max(peak, Deno.memoryUsage().rss) - before) / 2 ** 20;
    assert.ok(grownMb < 300, `memory grew by ${grownMb.toFixed(0)} MB for a 40 MB line`);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("readLines() warns with the line number of bytes that are not UTF-8, and keeps the row", async () => {
  const path = await Deno.makeTempFile({ suffix: ".txt" });
  try {
    const bytes = [
      ...new TextEncoder().encode("fine\n"),
      0x66,
      0xff,
      0x67,
      0x0a,
      ...new TextEncoder().encode("caf\u00e9 \u20ac \u{1f642}\n"),
      0xc3, // a 2-byte sequence cut by a newline
      0x0a,
      0xed,
      0xa0,
      0x80, // an encoded surrogate, not UTF-8
      0x0a,
    ];
    await Deno.writeFile(path, Uint8Array.from(bytes));
    const warnings: CsvProblem[] = [];
    const lines = await collect(readLines(path, { onWarning: (p) => warnings.push(p) }));
    assert.deepEqual(lines.map((l) => l.text), [
      "fine",
      "f\ufffdg",
      "caf\u00e9 \u20ac \u{1f642}",
      "\ufffd",
      "\ufffd\ufffd\ufffd",
    ]);
    assert.deepEqual(warnings.map((w) => w.line), [2, 4, 5]);
    assert.equal(warnings[0]!.reason, "not valid UTF-8; the bad bytes read as U+FFFD");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("readLines() accepts a multi-byte character split across read chunks", async () => {
  const path = await Deno.makeTempFile({ suffix: ".txt" });
  try {
    // Characters of 2, 3 and 4 bytes straddle every power-of-two boundary up to 1 MB.
    await Deno.writeTextFile(path, "\u00e9\u20ac\u{1f642}".repeat(150_000) + "\n");
    const warnings: CsvProblem[] = [];
    const lines = await collect(readLines(path, { onWarning: (p) => warnings.push(p) }));
    assert.equal(lines.length, 1);
    assert.deepEqual(warnings, []);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("readLines() refuses a binary file with one line", async () => {
  const path = await Deno.makeTempFile({ suffix: ".txt" });
  try {
    await Deno.writeFile(path, Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]));
    await assert.rejects(
      () => collect(readLines(path)),
      new TypeError(
        `Cannot read "${path}": it looks binary (a NUL byte at offset 7), not UTF-8 text; ` +
          "give a CSV, JSONL or text file saved as UTF-8",
      ),
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("openCsvStream() names a UTF-16 file and how to convert it, in one 'Cannot read' (not 'Cannot parse: Cannot read')", async () => {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    const units = Array.from("\ufefftext\nhow do I join?\n", (c) => c.charCodeAt(0));
    await Deno.writeFile(path, new Uint8Array(Uint16Array.from(units).buffer)); // little-endian
    await assert.rejects(
      () => openCsvStream(path),
      new TypeError(
        `Cannot read "${path}": it is UTF-16 text (a UTF-16 byte-order mark), not UTF-8; save ` +
          "it as UTF-8, e.g. iconv -f UTF-16 -t UTF-8 in.csv > out.csv",
      ),
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("openCsvStream() says what is wrong with a stray or unclosed quote and what to do", async () => {
  const hint = 'write each " inside a quoted field as "" (and quote a field that holds one)';
  const cases: [string, string][] = [
    // was csv-parse's "Quote Not Closed: the parsing is finished with an opening quote at line 3"
    [
      'text\n"how do I join?\nthanks\n',
      `a quoted field is still open at the end of the file (line 3): a " opens a field that never closes; ${hint}`,
    ],
    [
      'text\nhe said "hi" there\n',
      `line 2: a " in the middle of field 1, which is not quoted; ${hint}`,
    ],
    [
      'text,n\n"hi"x,1\n',
      `line 2: a quoted field's closing " is followed by "x", not a comma or the end of the line; ${hint}`,
    ],
  ];
  for (const [text, reason] of cases) {
    const path = await tempFile(text, ".csv");
    try {
      await assert.rejects(async () => {
        const csv = await openCsvStream(path);
        await collect(csv.rows);
      }, new SyntaxError(`Cannot parse "${path}": ${reason}`));
    } finally {
      await Deno.remove(path);
    }
  }
});
