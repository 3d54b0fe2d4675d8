import assert from "node:assert/strict";
import { type JsonEvent, scanJsonObject } from "./json_stream.ts";

/** Asserts `fn` rejects with an error of `type` whose message starts with `message`. */
async function assertRejects(
  fn: () => Promise<unknown>,
  type: new (...args: never[]) => Error,
  message = "",
): Promise<void> {
  await assert.rejects(fn, (error: Error) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${error}`);
    assert.ok(error.message.startsWith(message), error.message);
    return true;
  });
}

async function collect(chunks: string[], key = "messages"): Promise<JsonEvent[]> {
  const events: JsonEvent[] = [];
  for await (const e of scanJsonObject(chunks, key, "test.json")) events.push(e);
  return events;
}

const DOC = `\uFEFF{ "guild": {"id": "1", "name": "a \\"quoted\\" {name}"},
  "channel": {"id": "2", "name": "general"}, "count": -12.5e1, "ok": true, "none": null,
  "messages": [ {"id": "10", "content": "brace } and bracket ] in \\\\ text \\" ok"},
    {"id": "11", "content": "second", "mentions": [{"name": "x"}]} , [1, 2], "str", 7 ],
  "messageCount": 2 }`;

Deno.test("scanJsonObject() yields the root fields and each array item, parsed", async () => {
  const events = await collect([DOC]);
  assert.deepStrictEqual(events, [
    { kind: "field", key: "guild", value: { id: "1", name: 'a "quoted" {name}' } },
    { kind: "field", key: "channel", value: { id: "2", name: "general" } },
    { kind: "field", key: "count", value: -125 },
    { kind: "field", key: "ok", value: true },
    { kind: "field", key: "none", value: null },
    { kind: "arrayStart", key: "messages" },
    {
      kind: "item",
      key: "messages",
      index: 0,
      value: { id: "10", content: 'brace } and bracket ] in \\ text " ok' },
    },
    {
      kind: "item",
      key: "messages",
      index: 1,
      value: { id: "11", content: "second", mentions: [{ name: "x" }] },
    },
    { kind: "item", key: "messages", index: 2, value: [1, 2] },
    { kind: "item", key: "messages", index: 3, value: "str" },
    { kind: "item", key: "messages", index: 4, value: 7 },
    { kind: "arrayEnd", key: "messages", count: 5 },
    { kind: "field", key: "messageCount", value: 2 },
  ]);
});

Deno.test("scanJsonObject() gives the same events however the text is cut into chunks", async () => {
  const whole = await collect([DOC]);
  for (let cut = 1; cut < DOC.length; cut++) {
    assert.deepStrictEqual(
      await collect([DOC.slice(0, cut), DOC.slice(cut)]),
      whole,
      `cut at ${cut}`,
    );
  }
  assert.deepStrictEqual(await collect([...DOC]), whole, "one character a chunk");
});

Deno.test("scanJsonObject() rejects what is not one JSON object, naming the input", async () => {
  await assertRejects(
    () => collect(["hello, world"]),
    SyntaxError,
    'Cannot parse test.json: not JSON (starts with "hello, world")',
  );
  await assertRejects(
    () => collect(['[{"id": 1}]']),
    SyntaxError,
    "Cannot parse test.json: the top level is an array, not an object",
  );
  await assertRejects(
    () => collect([""]),
    SyntaxError,
    "Cannot parse test.json: the file is empty",
  );
  await assertRejects(
    () => collect(['{"messages": [{"id": 1}, {"id": 2, "content": "cut']),
    SyntaxError,
    'Cannot parse test.json: the text ends inside "messages" after 1 items (truncated?)',
  );
  await assertRejects(
    () => collect(['{"messages": [{"id": 1}, {"id": 2 "x": 3}]}']),
    SyntaxError,
    "Cannot parse test.json: item 2 is not valid JSON",
  );
});

Deno.test("scanJsonObject() yields the items before a truncation", async () => {
  const seen: unknown[] = [];
  await assertRejects(async () => {
    for await (
      const e of scanJsonObject(['{"messages": [{"id": 1}, {"id": 2}, {"id'], "messages")
    ) {
      if (e.kind === "item") seen.push(e.value);
    }
  }, SyntaxError);
  assert.deepStrictEqual(seen, [{ id: 1 }, { id: 2 }]);
});
