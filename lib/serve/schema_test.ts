import assert from "node:assert/strict";
import { classifyRequestSchema, quickClassifyRequest } from "./schema.ts";

const limits = { maxBatch: 3, maxTextLength: 10 };
const schema = classifyRequestSchema(limits);

/** Bodies the schema accepts, in shapes the quick check must take too (it is the hot path). */
const VALID: unknown[] = [
  { text: "hi?" },
  { text: "x" },
  { text: "0123456789" }, // exactly the longest
  { text: "  é  " },
  { text: "日本語" },
  { text: "\u200bok" },
  { texts: ["a"] },
  { texts: ["a", "b", "c"] }, // exactly the largest batch
  { text: "a", threshold: 0 },
  { text: "a", threshold: 1 },
  { text: "a", threshold: 0.5 },
  { text: "a", threshold: -0 },
  { threshold: 0.7, texts: ["a", "b"] },
];

/** Bodies the quick check must leave to the schema: invalid ones, and contexts. */
const LEFT_TO_SCHEMA: unknown[] = [
  null,
  "text",
  42,
  true,
  [],
  [{ text: "a" }],
  {},
  { text: "" },
  { text: "   " },
  { text: "\u200b\u200b" },
  { text: "\t\n" },
  { text: "01234567890" }, // one too long
  { text: 5 },
  { text: null },
  { text: ["a"] },
  { texts: [] },
  { texts: ["a", "b", "c", "d"] },
  { texts: ["a", ""] },
  { texts: ["a", 1] },
  { texts: "a" },
  { texts: { 0: "a", length: 1 } },
  { text: "a", texts: ["b"] },
  { text: "a", threshold: 1.0000001 },
  { text: "a", threshold: -0.1 },
  { text: "a", threshold: "0.5" },
  { text: "a", threshold: null },
  { text: "a", txt: "b" },
  { txt: "a" },
  JSON.parse('{"text":"a","__proto__":{"x":1}}'),
  { text: "a", context: { speaker: "ann" } },
  { texts: ["a"], contexts: [null] },
];

Deno.test("quickClassifyRequest() takes every valid shape it claims, with the schema's data", () => {
  for (const body of VALID) {
    const expected = schema.safeParse(body);
    assert.ok(expected.success, `the schema accepts ${JSON.stringify(body)}`);
    assert.deepEqual(quickClassifyRequest(body, limits), expected.data, JSON.stringify(body));
  }
});

Deno.test("quickClassifyRequest() leaves invalid bodies and contexts to the schema", () => {
  for (const body of LEFT_TO_SCHEMA) {
    assert.equal(quickClassifyRequest(body, limits), undefined, JSON.stringify(body));
  }
  // the schema itself accepts the context shapes: leaving them is a choice, not a rejection
  assert.ok(schema.safeParse({ text: "a", context: { speaker: "ann" } }).success);
});

Deno.test("quickClassifyRequest() never accepts what the schema rejects, over 20,000 random bodies", () => {
  // seeded xorshift: the same bodies every run
  let seed = 0x2545f491;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const strings = ["", " ", "a", "0123456789", "01234567890", "\u200b", "é?", "\u00a0", "\u2028"];
  const value = (depth: number): unknown =>
    pick([
      () => pick(strings),
      () => pick([0, 1, 0.5, -1, 2, 1e-9, -0]),
      () => null,
      () => pick([true, false]),
      () => depth > 1 ? [] : Array.from({ length: Math.floor(rand() * 5) }, () => value(depth + 1)),
      () => depth > 1 ? {} : body(depth + 1),
    ])();
  const body = (depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    // each field is usually near-valid (so many bodies are valid), else anything
    const plausible: Record<string, () => unknown> = {
      text: () => pick(strings),
      texts: () => Array.from({ length: Math.floor(rand() * 5) }, () => pick(strings)),
      threshold: () => pick([0, 1, 0.5, -1, 2, 1e-9, -0]),
    };
    for (const key of ["text", "texts", "threshold", "context", "contexts", "extra"]) {
      const p = key === "text" || key === "texts" ? 0.5 : key === "threshold" ? 0.4 : 0.1;
      if (rand() < p) out[key] = plausible[key] && rand() < 0.8 ? plausible[key]() : value(depth);
    }
    return out;
  };
  let taken = 0;
  for (let i = 0; i < 20_000; i++) {
    const candidate = rand() < 0.9 ? body(0) : value(0);
    const quick = quickClassifyRequest(candidate, limits);
    if (quick === undefined) continue;
    taken++;
    const expected = schema.safeParse(candidate);
    assert.ok(expected.success, `the schema rejects ${JSON.stringify(candidate)}`);
    assert.deepEqual(quick, expected.data, JSON.stringify(candidate));
  }
  assert.ok(taken > 100, `only ${taken} random bodies were valid: the test checked little`);
});
