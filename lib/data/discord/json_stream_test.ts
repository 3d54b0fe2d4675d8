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

Deno.test("scanJsonObject() reads pretty-printed items the same as compact ones, however laid out", async () => {
  const items = [
    { id: "1", content: 'a "}" and an escaped line break \n    } inside', n: [1, { x: 2 }] },
    { id: "2", author: { name: "b", roles: [] }, content: "" },
    { id: "3", content: "last" },
  ];
  const pretty = JSON.stringify({ channel: { id: "9" }, messages: items }, null, 2);
  // a nested object that closes at the items' own indentation: the first "\n    }" is not the
  // end of item 1, so the fast path's slice does not parse and the scan takes over
  const odd = pretty.replace(
    '"n": [\n        1,\n        {\n          "x": 2\n        }',
    '"n": [1, {"x": 2\n    }',
  );
  assert.notEqual(odd, pretty);
  const compact = JSON.stringify({ channel: { id: "9" }, messages: items });
  const expected = await collect([compact]);
  assert.equal(expected.filter((e) => e.kind === "item").length, 3);
  for (const text of [pretty, odd, pretty.replaceAll("\n", "\r\n")]) {
    assert.deepStrictEqual(await collect([text]), expected);
    // cut anywhere: items split across chunks are read the same
    for (const cut of [40, 97, 150, 233]) {
      assert.deepStrictEqual(await collect([text.slice(0, cut), text.slice(cut)]), expected);
    }
  }
});

Deno.test("scanJsonObject() still names a broken pretty-printed item", async () => {
  const text = '{\n  "messages": [\n    {\n      "id": "1",\n      "x": tru\n    }\n  ]\n}';
  await assertRejects(
    () => collect([text]),
    SyntaxError,
    "Cannot parse test.json: item 1 is not valid JSON",
  );
});
