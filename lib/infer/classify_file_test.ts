import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { join } from "node:path";
import { classifyFile, fixedFormatter } from "./classify_file.ts";

/** "?" → question; otherwise answer if the text starts with "use", else comment; fixed odds. */
function fakePredict(texts: readonly string[]): Float32Array {
  const out = new Float32Array(texts.length * 3); // answer, comment, question
  texts.forEach((t, i) => {
    const winner = t.includes("?") ? 2 : t.startsWith("use") ? 0 : 1;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = c === winner ? 0.8 : 0.1;
  });
  return out;
}

async function temp(text: string, suffix: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix });
  await Deno.writeTextFile(path, text);
  return path;
}

Deno.test("classifyFile() keeps CSV columns and order and appends predicted + probabilities", async () => {
  const input = await temp(
    'id,message,user\n1,how do I merge?,ann\n2,"use pd.merge, it ""works""",bob\n3,"thanks\nall",cy\n',
    ".csv",
  );
  const out = input.replace(/\.csv$/, ".out.csv");
  const summary = await classifyFile(fakePredict, input, out, { batchSize: 2 });
  const rows = parse(await Deno.readTextFile(out)) as string[][];
  assert.deepEqual(rows, [
    ["id", "message", "user", "predicted", "p_question", "p_answer", "p_comment"],
    ["1", "how do I merge?", "ann", "question", "0.800000", "0.100000", "0.100000"],
    ["2", 'use pd.merge, it "works"', "bob", "answer", "0.100000", "0.800000", "0.100000"],
    ["3", "thanks\nall", "cy", "comment", "0.100000", "0.100000", "0.800000"],
  ]);
  assert.equal(summary.rows, 3);
  assert.deepEqual(summary.predicted, { answer: 1, comment: 1, question: 1 });
  await Deno.remove(input);
  await Deno.remove(out);
});

Deno.test("classifyFile() reports ragged CSV rows with their line and goes on", async () => {
  const input = await temp("text,label\nhi?,x\nbroken\nok,y\n", ".csv");
  const out = input + ".out.csv";
  const lines: number[] = [];
  const summary = await classifyFile(fakePredict, input, out, {
    onProblem: (p) => lines.push(p.line),
  });
  assert.deepEqual(lines, [3]);
  assert.equal(summary.rows, 2);
  assert.equal(summary.problems, 1);
  await Deno.remove(input);
  await Deno.remove(out);
});

Deno.test("classifyFile() writes JSONL with the input fields plus numeric probabilities", async () => {
  const input = await temp('{"text":"why?","id":7}\n{"text":"use x"}\n', ".jsonl");
  const out = input.replace(/\.jsonl$/, ".out.jsonl");
  await classifyFile(fakePredict, input, out);
  const rows = (await Deno.readTextFile(out)).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(rows, [
    { text: "why?", id: 7, predicted: "question", p_question: 0.8, p_answer: 0.1, p_comment: 0.1 },
    { text: "use x", predicted: "answer", p_question: 0.1, p_answer: 0.8, p_comment: 0.1 },
  ]);
  await Deno.remove(input);
  await Deno.remove(out);
});

Deno.test('classifyFile() reads a JSONL message from "message" too, and refuses a file with neither field', async () => {
  // both used to be classified as empty messages: every row "comment"
  const input = await temp(
    '{"message":"why?","id":7}\n{"message":null}\n{"message":"use x"}\n',
    ".jsonl",
  );
  const out = input.replace(/\.jsonl$/, ".out.jsonl");
  const problems: unknown[] = [];
  const summary = await classifyFile(fakePredict, input, out, {
    onProblem: (p) => problems.push(p),
  });
  const rows = (await Deno.readTextFile(out)).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((r) => [r.message, r.predicted]), [["why?", "question"], [
    "use x",
    "answer",
  ]]);
  assert.deepEqual(problems, [{ line: 2, reason: 'no text in "message" (null)' }]);
  assert.equal(summary.problems, 1);
  const content = await temp('{"content":"why?"}\n', ".jsonl");
  await assert.rejects(() => classifyFile(fakePredict, content, content + ".out.jsonl"), {
    name: "SyntaxError",
    message: `Cannot classify "${content}": line 1 has no "text" field (fields: content); name ` +
      "the message's field with --text-column",
  });
  await assert.rejects(() => Deno.stat(content + ".out.jsonl"), Deno.errors.NotFound);
  for (const path of [input, out, content]) await Deno.remove(path);
});

Deno.test("classifyFile() turns a text file into text + prediction columns, skipping blank lines", async () => {
  const input = await temp("first?\n\nsecond, with comma\n", ".txt");
  let text = "";
  const decoder = new TextDecoder();
  const stream = new WritableStream<Uint8Array>({
    write: (c) => void (text += decoder.decode(c, { stream: true })),
  });
  const summary = await classifyFile(fakePredict, input, stream);
  assert.equal(
    text,
    "text,predicted,p_question,p_answer,p_comment\n" +
      "first?,question,0.800000,0.100000,0.100000\n" +
      '"second, with comma",comment,0.100000,0.100000,0.800000\n',
  );
  assert.equal(summary.outputFormat, "csv");
  await Deno.remove(input);
});

Deno.test("classifyFile() rejects a CSV without a text or message column", async () => {
  const input = await temp("body,label\nx,y\n", ".csv");
  await assert.rejects(() => classifyFile(fakePredict, input, input + ".out.csv"), {
    name: "SyntaxError",
    message: `Cannot classify "${input}": no column "message" (header: body,label)`,
  });
  await Deno.remove(input);
});

Deno.test("classifyFile() streams 200k lines in order with bounded memory", async () => {
  const input = await Deno.makeTempFile({ suffix: ".txt" });
  const lines = Array.from({ length: 200_000 }, (_, i) => `message ${i}${i % 3 ? "" : "?"}`);
  await Deno.writeTextFile(input, lines.join("\n") + "\n");
  lines.length = 0;
  const out = input + ".out.csv";
  const before = Deno.memoryUsage().rss;
  let calls = 0;
  const summary = await classifyFile(fakePredict, input, out, { onProgress: () => calls++ });
  const growth = Deno.memoryUsage().rss - before;
  assert.equal(summary.rows, 200_000);
  assert.ok(calls >= 200_000 / 2048);
  assert.ok(growth < 160 * 2 ** 20, `rss grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
  let row = -1;
  let inOrder = true;
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of (await Deno.open(out)).readable) {
    pending += decoder.decode(chunk, { stream: true });
    const parts = pending.split("\n");
    pending = parts.pop()!;
    for (const line of parts) {
      if (row >= 0) {
        const expected = `message ${row}${row % 3 ? ",comment" : "?,question"}`;
        if (!line.startsWith(expected + ",")) inOrder = false;
      }
      row++;
    }
  }
  assert.equal(row, 200_000);
  assert.ok(inOrder);
  await Deno.remove(input);
  await Deno.remove(out);
});

Deno.test("classifyFile() with concurrency keeps input order when batches finish out of order", async () => {
  const texts = Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? `q${i}?` : `use ${i}`));
  const input = await temp(texts.join("\n") + "\n", ".txt");
  const out = input + ".out.csv";
  let inFlight = 0;
  let most = 0;
  let call = 0;
  // later batches finish first: batch k waits (5 - k % 5) ms
  const slow = async (batch: readonly string[]) => {
    const delay = 5 - (call++ % 5);
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, delay));
    inFlight--;
    return fakePredict(batch);
  };
  const summary = await classifyFile(slow, input, out, { batchSize: 4, concurrency: 3 });
  assert.equal(summary.rows, 50);
  assert.equal(most, 3);
  const rows = parse(await Deno.readTextFile(out)) as string[][];
  assert.deepEqual(rows.slice(1).map((r) => r[0]), texts);
  assert.deepEqual(
    rows.slice(1).map((r) => r[1]),
    texts.map((t) => (t.includes("?") ? "question" : "answer")),
  );
  await assert.rejects(classifyFile(slow, input, out, { concurrency: 0 }), {
    name: "RangeError",
    message: `Cannot classify "${input}": concurrency must be a positive integer, got 0`,
  });
  await Deno.remove(input);
  await Deno.remove(out);
});

Deno.test("classifyFile() lets a predictor help before each wait, draining once the input is read", async () => {
  const texts = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? `q${i}?` : `use ${i}`));
  const input = await temp(texts.join("\n") + "\n", ".txt");
  const out = input + ".out.csv";
  // as a staged pool with a slow worker: a batch resolves after 20 ms, or when helped (the
  // newest first, always leaving one unless draining)
  const pending: { batch: readonly string[]; resolve: (p: Float32Array) => void }[] = [];
  const helps: boolean[] = [];
  const predict = Object.assign(
    (batch: readonly string[]) =>
      new Promise<Float32Array>((resolve) => {
        const entry = { batch, resolve };
        pending.push(entry);
        setTimeout(() => {
          if (pending.includes(entry)) pending.splice(pending.indexOf(entry), 1);
          resolve(fakePredict(batch));
        }, 20);
      }),
    {
      help: (draining = false) => {
        if (pending.length <= (draining ? 0 : 1)) return false;
        const newest = pending.pop()!;
        helps.push(draining);
        newest.resolve(fakePredict(newest.batch));
        return true;
      },
    },
  );
  const summary = await classifyFile(predict, input, out, { batchSize: 4, concurrency: 3 });
  assert.equal(summary.rows, 40);
  const drained = helps.indexOf(true);
  assert.ok(drained > 0, `helps: ${helps}`); // helped while reading, then drained
  assert.ok(helps.slice(drained).every((d) => d), `helps: ${helps}`);
  const rows = parse(await Deno.readTextFile(out)) as string[][];
  assert.deepEqual(rows.slice(1).map((r) => r[0]), texts);
  await Deno.remove(input);
  await Deno.remove(out);
});

async function names(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) found.push(entry.name);
  return found.sort();
}

Deno.test("classifyFile() refuses an output that is the input file, also through a link", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qac-classify-" });
  try {
    const input = join(dir, "chat.csv");
    const original = "id,text\n1,how do I merge?\n2,thanks\n";
    await Deno.writeTextFile(input, original);
    await Deno.link(input, join(dir, "alias.csv"));
    for (const out of [input, join(dir, "alias.csv"), join(dir, ".", "chat.csv")]) {
      await assert.rejects(classifyFile(fakePredict, input, out), {
        name: "TypeError",
        message:
          `Cannot classify "${input}": the output "${out}" is the input file; write to another file`,
      });
    }
    assert.equal(await Deno.readTextFile(input), original);
    assert.deepEqual(await names(dir), ["alias.csv", "chat.csv"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("classifyFile() refuses a folder as output with one line and leaves no temp file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qac-classify-" });
  try {
    const input = join(dir, "chat.csv");
    await Deno.writeTextFile(input, "id,text\n1,how do I merge?\n");
    const out = join(dir, "results");
    await Deno.mkdir(out);
    await assert.rejects(classifyFile(fakePredict, input, out), {
      name: "TypeError",
      message: `Cannot write "${out}": it is a folder; name a file, e.g. "${
        join(out, "classified.csv")
      }"`,
    });
    assert.deepEqual(await names(dir), ["chat.csv", "results"]);
    assert.deepEqual(await names(out), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("classifyFile() removes its temp file when aborted or when prediction fails", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qac-classify-" });
  try {
    const input = join(dir, "chat.txt");
    await Deno.writeTextFile(input, Array.from({ length: 50 }, (_, i) => `line ${i}`).join("\n"));
    const out = join(dir, "out.csv");
    const controller = new AbortController();
    let calls = 0;
    const interrupted = (texts: readonly string[]) => {
      if (++calls === 2) controller.abort(new Error("interrupted"));
      return fakePredict(texts);
    };
    await assert.rejects(
      classifyFile(interrupted, input, out, { batchSize: 10, signal: controller.signal }),
      { message: "interrupted" },
    );
    assert.deepEqual(await names(dir), ["chat.txt"]);
    const failing = () => {
      throw new RangeError("model broke");
    };
    await assert.rejects(classifyFile(failing, input, out), { message: "model broke" });
    assert.deepEqual(await names(dir), ["chat.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// The CSV writer quotes by hand: on 100k rows csv-stringify took 470-755 ms against 186-222 ms
// (load 10, 2 cores), ~8% of a whole classify run. So its output is pinned to csv-stringify's.
Deno.test("classifyFile() writes exactly the CSV csv-stringify writes for the same fields", async () => {
  const texts = [
    "plain",
    'has "quotes" inside',
    "comma, here",
    "line\nbreak",
    "carriage\rreturn",
    "crlf\r\nend",
    " leading and trailing ",
    "emoji 🙂 and ünïcödé",
    '"',
    "",
    "semi;colon\ttab",
  ];
  const input = await temp(
    stringify([["id", "text", "user,name"], ...texts.map((t, i) => [String(i), t, `u"${i}`])]),
    ".csv",
  );
  const out = input.replace(/\.csv$/, ".out.csv");
  try {
    await classifyFile(fakePredict, input, out, { batchSize: 4 });
    const probabilities = fakePredict(texts.map((t) => t === "" ? "" : t));
    const rows = texts.map((text, i) => {
      const p = probabilities.subarray(i * 3, i * 3 + 3);
      const label = ["answer", "comment", "question"][p.indexOf(Math.max(...p))]!;
      return [
        String(i),
        text,
        `u"${i}`,
        label,
        p[2]!.toFixed(6),
        p[0]!.toFixed(6),
        p[1]!.toFixed(6),
      ];
    });
    const header = ["id", "text", "user,name", "predicted", "p_question", "p_answer", "p_comment"];
    assert.equal(await Deno.readTextFile(out), stringify([header, ...rows]));
  } finally {
    await Deno.remove(input);
    await Deno.remove(out).catch(() => {});
  }
});

Deno.test("fixedFormatter() writes what toFixed() writes for float32 values, ties and edges included", () => {
  const bits = new Uint32Array(1);
  const f32 = new Float32Array(bits.buffer);
  for (let digits = 0; digits <= 10; digits++) {
    const fixed = fixedFormatter(digits);
    const check = (x: number) => {
      f32[0] = x;
      const v = f32[0]!;
      if (fixed(v) !== v.toFixed(digits)) {
        assert.fail(`digits ${digits}, ${v}: ${fixed(v)} against ${v.toFixed(digits)}`);
      }
    };
    // exact ties (k + ½ units of the last digit that a float32 holds, e.g. 1/128 at 6 digits),
    // the ends of [0, 1] and values outside it (toFixed's own strings)
    for (const x of [0, -0, 1, 0.5, 1 / 128, 3 / 128, 5e-7, 0.9999995, 1e-45, NaN, -1e-9, 1.5, 2]) {
      check(x);
    }
    // the float32 values either side of each k + ½ of the last digit, and spread over [0, 1]
    for (let k = 0; k < 3000; k++) {
      f32[0] = (k + 0.5) / 10 ** Math.max(digits, 1);
      const base = bits[0]!;
      for (let d = -2; d <= 2; d++) {
        bits[0] = base + d;
        check(f32[0]!);
      }
    }
    for (let b = 0; b <= 0x3f800000; b += 0x3f800000 / 20000 | 0) {
      bits[0] = b;
      check(f32[0]!);
    }
  }
});
