import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { scanCsv, type ScannedRecord } from "./_csv_scan.ts";

/** What csv-parse reads, as openCsvStream called it: records with info.lines, or its error. */
function csvParse(text: string): { records: ScannedRecord[] } | { error: string } {
  try {
    const records = parse(text, { relax_column_count: true, skip_empty_lines: true, info: true });
    return {
      records: (records as unknown as { record: string[]; info: { lines: number } }[]).map((r) => ({
        record: r.record,
        lines: r.info.lines,
      })),
    };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

async function scanned(
  text: string,
  size: () => number,
): Promise<{ records: ScannedRecord[] } | { error: string }> {
  async function* chunks() {
    for (let at = 0; at < text.length;) {
      const n = size();
      yield text.slice(at, at + n);
      at += n;
    }
  }
  const records: ScannedRecord[] = [];
  try {
    for await (const part of scanCsv(chunks())) records.push(...part);
  } catch (error) {
    return { error: (error as Error).message };
  }
  return { records };
}

Deno.test("scanCsv() reads what csv-parse reads — records, lines and errors — however the text is cut", async () => {
  let seed = 12345;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  // any characters CSV cares about, and (mostly) valid records with every line ending
  const pieces = ["a", "b", ",", '"', "\n", "\r", "\r\n", " ", "é", "🙂", "\0", '""', ',"', '",'];
  const generators = [
    () => Array.from({ length: Math.floor(random() * 30) }, () => pick(pieces)).join(""),
    () => {
      const end = pick(["\n", "\r\n", "\r"]);
      const rows = Array.from(
        { length: Math.floor(random() * 6) },
        () =>
          Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
            const plain = pick(["", "a", "bc", "é🙂", " x ", "a\rb", "a\nb"]);
            return random() < 0.4
              ? `"${pick(["", "a", 'q""q', "x,y", "l1\nl2", "c\r\nd", "\r", plain])}"`
              : plain;
          }).join(",") + (random() < 0.2 ? pick([end, "\n", "\r", end + end]) : ""),
      );
      return rows.join(end) + (random() < 0.5 ? end : "") +
        (random() < 0.05 ? pick(['"', 'a"', '"a"b']) : "");
    },
  ];
  let errors = 0;
  for (let k = 0; k < 4000; k++) {
    const text = generators[k % 2]!();
    const expected = csvParse(text);
    if ("error" in expected) errors++;
    for (const size of [() => 1 << 16, () => 1 + Math.floor(random() * 4)]) {
      assert.deepEqual(await scanned(text, size), expected, JSON.stringify(text));
    }
  }
  assert.ok(errors > 500 && errors < 3500, `${errors} errors`); // both kinds were compared
});

Deno.test("scanCsv() closes its source when its reader stops early", async () => {
  let closed = false;
  async function* chunks() {
    try {
      yield "a,b\n1,2\n";
      yield "3,4\n";
    } finally {
      closed = true;
    }
  }
  const scanner = scanCsv(chunks());
  assert.deepEqual((await scanner.next()).value, [
    { record: ["a", "b"], lines: 1 },
  ]);
  await scanner.return(undefined);
  assert.equal(closed, true);
});
