import assert from "node:assert/strict";
import { Validator } from "@cfworker/json-schema";
import { initBackend } from "../infer/backend.ts";
import type { ModelBundle } from "../model/bundle.ts";
import { createHandler } from "./handler.ts";
import { openApiDocument } from "./openapi.ts";
import { TINY_CONVERSATIONS_CSV, tinyBundle } from "./_testing.ts";

type Schema = Record<string, unknown>;

/**
 * Validates `value` against `schema` (JSON Schema 2020-12, OpenAPI 3.1's dialect) with
 * @cfworker/json-schema, resolving `#/components/schemas/…` refs in the document `root`.
 * Returns the problems found, each with its JSON path.
 */
function validate(value: unknown, schema: Schema, root: Schema): string[] {
  const validator = new Validator({ ...schema, components: root.components } as never, "2020-12");
  return validator.validate(value).errors.map((e) => `${e.instanceLocation}: ${e.error}`);
}

await initBackend();
const dir = await Deno.makeTempDir({ prefix: "qac-openapi-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
await Deno.writeTextFile(`${dir}/c.csv`, TINY_CONVERSATIONS_CSV);
const ready = createHandler(tinyBundle(`${dir}/c.csv`), { onServerError: () => {} });
const loading = createHandler(new Promise<ModelBundle>(() => {}), { onServerError: () => {} });
const noData = createHandler(tinyBundle(`${dir}/absent.csv`), { onServerError: () => {} });
const doc = await (await ready(new Request("http://x/openapi.json"))).json();
const smallUploads = createHandler(tinyBundle(`${dir}/c.csv`), { reportBodyLimit: 10 });
const channelExport = JSON.stringify({
  guild: { id: "1", name: "g" },
  channel: { id: "2", type: "GuildTextChat", name: "help" },
  messages: [
    { id: "3", type: "Default", timestamp: "2024-01-01T00:00:00Z", content: "why?" },
    { id: "4", type: "Default", timestamp: "2024-01-01T00:01:00Z", content: "try this" },
  ],
});

const json = (path: string, value: unknown, type = "application/json") =>
  new Request(`http://x${path}`, {
    method: "POST",
    headers: { "content-type": type },
    body: typeof value === "string" ? value : JSON.stringify(value),
  });
const get = (path: string) => new Request(`http://x${path}`);

/** One request per documented (path, method, status). */
const SCENARIOS: [string, string, string, typeof ready, Request][] = [
  ["/", "get", "200", ready, get("/")],
  ["/health", "get", "200", ready, get("/health")],
  ["/health", "get", "503", loading, get("/health")],
  ["/model", "get", "200", ready, get("/model")],
  ["/model", "get", "503", loading, get("/model")],
  ["/openapi.json", "get", "200", ready, get("/openapi.json")],
  ["/classify", "post", "200", ready, json("/classify", { text: "why?" })],
  ["/classify", "post", "200", ready, json("/classify", { texts: ["a", "b?"], threshold: 0.9 })],
  ["/classify", "post", "400", ready, json("/classify", "{oops")],
  ["/classify", "post", "413", ready, json("/classify", { text: "x".repeat(70_000) })],
  ["/classify", "post", "415", ready, json("/classify", { text: "a" }, "text/plain")],
  ["/classify", "post", "422", ready, json("/classify", { text: 1 })],
  ["/classify", "post", "503", loading, json("/classify", { text: "a" })],
  ["/data/summary", "get", "200", ready, get("/data/summary")],
  ["/data/summary", "get", "404", noData, get("/data/summary")],
  ["/data/summary", "get", "503", loading, get("/data/summary")],
  ["/data/conversations", "get", "200", ready, get("/data/conversations?limit=2")],
  ["/data/conversations", "get", "404", noData, get("/data/conversations")],
  ["/data/conversations", "get", "422", ready, get("/data/conversations?limit=0")],
  ["/data/conversations", "get", "503", loading, get("/data/conversations")],
  ["/report", "post", "200", ready, json("/report?name=help.json", channelExport)],
  ["/report", "post", "400", ready, json("/report?name=help.json", "")],
  ["/report", "post", "413", smallUploads, json("/report?name=help.json", channelExport)],
  ["/report", "post", "415", ready, json("/report", "hello", "text/plain")],
  ["/report", "post", "422", ready, json("/report?name=help.json", "hello")],
  ["/report", "post", "503", loading, json("/report?name=help.json", channelExport)],
];

Deno.test("openApiDocument() documents the request schema the handler enforces", () => {
  const built = openApiDocument({ maxBatch: 7, maxTextLength: 9, bodyLimit: 100 });
  const body = (built.paths as Schema)["/classify"] as {
    post: { requestBody: { content: { "application/json": { schema: Schema } } } };
  };
  const schema = body.post.requestBody.content["application/json"].schema;
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(
    (schema.properties as Record<string, Schema>).texts!.maxItems,
    7,
  );
  assert.deepEqual((schema.properties as Record<string, Schema>).text!.maxLength, 9);
  assert.deepEqual(validate({ text: "hi" }, schema, built), []);
  assert.notDeepEqual(validate({ text: "hi", texts: ["a"] }, schema, built), []);
  assert.notDeepEqual(validate({ text: "hi", extra: 1 }, schema, built), []);
});

Deno.test("every documented route and status happens, with a body matching its schema", async () => {
  const documented = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Schema>)) {
    for (const [method, operation] of Object.entries(item)) {
      for (const status of Object.keys((operation as { responses: Schema }).responses)) {
        documented.add(`${method.toUpperCase()} ${path} ${status}`);
      }
    }
  }
  const exercised = new Set<string>();
  for (const [path, method, status, handler, request] of SCENARIOS) {
    const key = `${method.toUpperCase()} ${path} ${status}`;
    const response = await handler(request);
    assert.equal(String(response.status), status, key);
    exercised.add(key);
    const spec = doc.paths[path][method].responses[status];
    assert.ok(spec, `${key} is not documented`);
    const [mediaType, media] = Object.entries(spec.content ?? {})[0] as [string, Schema];
    assert.equal(response.headers.get("content-type")?.split(";")[0], mediaType, key);
    if (media?.schema) {
      assert.deepEqual(validate(await response.json(), media.schema as Schema, doc), [], key);
    } else {
      await response.body?.cancel();
    }
  }
  assert.deepEqual([...documented].filter((k) => !exercised.has(k)), []);
});

Deno.test("the handler answers no API route the document leaves out", async () => {
  for (const path of ["/classify", "/health", "/model", "/data/summary", "/data/conversations"]) {
    assert.ok(doc.paths[path], path);
    const options = await ready(new Request(`http://x${path}`, { method: "OPTIONS" }));
    const allowed = options.headers.get("allow")!.split(", ")
      .filter((m) => m !== "HEAD" && m !== "OPTIONS").map((m) => m.toLowerCase());
    assert.deepEqual(allowed.sort(), Object.keys(doc.paths[path]).sort(), path);
  }
  const unknown = await ready(get("/predict"));
  assert.equal(unknown.status, 404);
  await unknown.body?.cancel();
});

Deno.test("validate() follows the document's $refs: a /classify 200 body without a label fails", () => {
  const spec = doc.paths["/classify"].post.responses["200"].content["application/json"].schema;
  const good = { label: "question", probabilities: { question: 1, answer: 0, comment: 0 } };
  const errors = validate({ probabilities: good.probabilities }, spec, doc);
  assert.ok(errors.some((e) => e.includes("label")), errors.join("; "));
});
