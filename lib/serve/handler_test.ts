import assert from "node:assert/strict";
import { CLASS_COLORS } from "../plot/palette.ts";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../infer/backend.ts";
import type { ModelBundle } from "../model/bundle.ts";
import { predictProbabilities } from "../infer/predict.ts";
import { BuiltinEmbedder } from "../features/builtin.ts";
import { createHandler, type HandlerOptions } from "./handler.ts";
import type { RawResponse } from "./http1.ts";
import { TINY_CONVERSATIONS_CSV, tinyBundle, tinyContextBundle } from "./_testing.ts";

await initBackend();
const dir = await Deno.makeTempDir({ prefix: "qac-serve-" });
const csvPath = `${dir}/conversations.csv`;
await Deno.writeTextFile(csvPath, TINY_CONVERSATIONS_CSV);
const bundle = tinyBundle(csvPath);

/** A handler over the tiny bundle that records what it would log as server errors. */
function setup(options: HandlerOptions = {}, model: ModelBundle | Promise<ModelBundle> = bundle) {
  const serverErrors: unknown[] = [];
  const handler = createHandler(model, {
    onServerError: (error) => serverErrors.push(error),
    ...options,
  });
  return { handler, serverErrors };
}

function post(body: BodyInit | null, headers: Record<string, string> = {}, path = "/classify") {
  return new Request(`http://qac.test${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

const postJson = (value: unknown) => post(JSON.stringify(value));

async function problem(response: Response, status: number) {
  assert.equal(response.status, status);
  assert.equal(response.headers.get("content-type"), "application/problem+json");
  const body = await response.json();
  assert.equal(body.status, status);
  assert.equal(body.type, "about:blank");
  assert.equal(typeof body.title, "string");
  assert.equal(typeof body.detail, "string");
  assert.ok(!/\bat .*\.ts:\d+/.test(body.detail), "no stack trace in detail");
  return body;
}

Deno.test("POST /classify labels one text and keeps the original's result order", async () => {
  const { handler } = setup();
  const res = await handler(postJson({ text: "how do I learn SQL?" }));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ["label", "probabilities", "result", "model"]);
  assert.equal(body.label, "question");
  assert.equal(body.model, "test-run");
  const { question, answer, comment } = body.probabilities;
  assert.ok(Math.abs(question + answer + comment - 1) < 1e-5);
  assert.ok(question > 0.9);
  // answer, comment, question: sklearn LabelEncoder's alphabetical order.
  assert.deepEqual(body.result, [answer, comment, question]);
});

Deno.test("POST /classify with texts returns one result per text, in order", async () => {
  const { handler } = setup();
  const res = await handler(
    postJson({ texts: ["try the docs", "thanks!", "why?", "ok"] }),
  );
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.model, "test-run");
  assert.deepEqual(body.results.map((r: { label: string }) => r.label), [
    "answer",
    "comment",
    "question",
    "comment",
  ]);
  for (const r of body.results) assert.equal(r.result.length, 3);
});

Deno.test("POST /classify reads a text after its context with a context model", async () => {
  const { handler } = setup({}, tinyContextBundle(csvPath));
  const label = async (value: unknown) => (await (await handler(postJson(value))).json());
  const text = "it moved to friday";
  assert.equal((await label({ text })).label, "comment");
  const replied = { reply_to: { text: "is the meetup on thursday?", speaker: "ana" } };
  assert.equal((await label({ text, context: { ...replied, speaker: "ben" } })).label, "answer");
  const previous = { previous: [{ text: "is the meetup on thursday?", speaker: "ana" }] };
  assert.equal((await label({ text, context: { ...previous, speaker: "ben" } })).label, "answer");
  // a batch: each text with its own context (or none), results in order
  const batch = await label({ texts: [text, text], contexts: [null, replied] });
  assert.deepEqual(batch.results.map((r: { label: string }) => r.label), ["comment", "answer"]);
});

Deno.test("POST /classify ignores a context when the model reads messages alone", async () => {
  const { handler } = setup();
  const body = await (await handler(postJson({
    text: "thanks!",
    context: { previous: [{ text: "how do I learn SQL?" }] },
  }))).json();
  assert.equal(body.label, "comment");
});

Deno.test("POST /classify says unsure when the top probability is below threshold", async () => {
  const { handler } = setup();
  // "ok" → comment with e/(e+2) ≈ 0.58.
  const low = await (await handler(postJson({ text: "ok", threshold: 0.9 }))).json();
  assert.equal(low.label, "unsure");
  assert.ok(low.probabilities.comment > 0.5);
  const high = await (await handler(postJson({ text: "ok", threshold: 0.5 }))).json();
  assert.equal(high.label, "comment");
});

Deno.test("concurrent requests are micro-batched into one model call with the same answers", async () => {
  let calls = 0;
  const { handler } = setup({
    predict: (b, texts) => {
      calls++;
      return predictProbabilities(b, texts);
    },
  });
  const texts = ["why?", "try this", "how?", "use pandas", "what?"];
  const bodies = await Promise.all(
    texts.map(async (text) => (await handler(postJson({ text }))).json()),
  );
  assert.equal(calls, 1);
  assert.deepEqual(bodies.map((b) => b.label), [
    "question",
    "answer",
    "question",
    "answer",
    "question",
  ]);
});

Deno.test("POST /classify does not leak tensors", async () => {
  const { handler } = setup({ microBatch: false });
  await (await handler(postJson({ text: "warm up?" }))).json();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 20; i++) {
    await (await handler(postJson({ texts: [`question ${i}?`, "thanks"] }))).json();
  }
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("a builtin bundle is served on the sparse fast path with the tfjs model's numbers", async () => {
  const embedder = new BuiltinEmbedder({ dimension: 64 });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 8,
        activation: "relu",
        inputShape: [64],
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        biasInitializer: tf.initializers.constant({ value: 0.1 }),
      }),
      tf.layers.dense({
        units: 3,
        activation: "softmax",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
  const builtin: ModelBundle = { ...bundle, model, embedder };
  const texts = ["how do I learn SQL?", "thanks!", "try the pandas docs"];
  const expected = await predictProbabilities(builtin, texts);
  const { handler } = setup({}, builtin);
  let tfjsCalls = 0;
  const tfjsPredict = model.predict.bind(model);
  model.predict = (...args) => (tfjsCalls++, tfjsPredict(...args));
  const body = await (await handler(postJson({ texts }))).json();
  assert.equal(tfjsCalls, 0);
  body.results.forEach((r: { result: number[] }, i: number) =>
    r.result.forEach((p, j) => assert.ok(Math.abs(p - expected[i * 3 + j]!) < 1e-5))
  );
  model.dispose();
});

Deno.test("GET /health is 503 until the model has loaded, then 200", async () => {
  let resolve!: (b: ModelBundle) => void;
  const { handler } = setup({}, new Promise<ModelBundle>((r) => resolve = r));
  const loading = await handler(new Request("http://qac.test/health"));
  const body = await problem(loading, 503);
  assert.equal(loading.headers.get("retry-after"), "1");
  assert.equal(body.detail, "The model is still loading");
  await problem(await handler(postJson({ text: "hi" })), 503);
  resolve(bundle);
  await Promise.resolve();
  const ready = await handler(new Request("http://qac.test/health"));
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: "ready", model: "test-run", data: "on-demand" });
});

Deno.test("GET /health says ready only once Explore's data is loaded too", async () => {
  const { handler } = setup({ preloadExplore: true });
  const loading = await problem(await handler(new Request("http://qac.test/health")), 503);
  assert.equal(loading.detail, "The training data for Explore is still loading");
  let res = loading as unknown as Response | undefined;
  for (let i = 0; i < 200; i++) {
    res = await handler(new Request("http://qac.test/health"));
    if (res.status === 200) break;
    await res.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.deepEqual(await res!.json(), { status: "ready", model: "test-run", data: "ready" });
});

Deno.test("GET /health is degraded, not ready, when Explore's data cannot be read", async () => {
  const { handler } = setup({ preloadExplore: true, dataPath: `${dir}/missing.csv` });
  let res: Response | undefined;
  for (let i = 0; i < 200; i++) {
    res = await handler(new Request("http://qac.test/health"));
    if (res.status === 200) break;
    await res.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.deepEqual(await res!.json(), {
    status: "degraded",
    model: "test-run",
    data: "unavailable",
  });
});

Deno.test("GET /health is 200 with Explore turned off", async () => {
  const { handler } = setup({ preloadExplore: true, dataPath: null });
  const res = await handler(new Request("http://qac.test/health"));
  assert.deepEqual(await res.json(), { status: "ready", model: "test-run", data: "off" });
});

Deno.test("GET /health is 503 for good when the model failed to load", async () => {
  const { handler } = setup({}, Promise.reject(new Error("boom")));
  await Promise.resolve();
  const body = await problem(await handler(new Request("http://qac.test/health")), 503);
  assert.equal(body.detail, "The model failed to load; see the server log");
});

Deno.test("GET /model returns the metadata with its metrics", async () => {
  const { handler } = setup();
  const res = await handler(new Request("http://qac.test/model"));
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.runId, "test-run");
  assert.deepEqual(body.metrics, bundle.metadata.metrics);
  assert.deepEqual(body.labels, bundle.metadata.labels);
});

Deno.test("GET /model shows no filesystem path and stays small with ROC curves and id lists", async () => {
  const big = tinyBundle("/home/someone/secret/conversations.csv");
  const roc = Array.from({ length: 5000 }, (_, i) => ({ fpr: i / 5000, tpr: i / 5000 }));
  big.metadata.metrics = {
    ...big.metadata.metrics,
    real: { nps: { path: "/home/someone/shared/nps.csv", accuracy: 0.5, roc } },
  };
  big.metadata.data.testConversations = Array.from({ length: 5000 }, (_, i) => `conv-${i}`);
  big.metadata.training = { ...big.metadata.training, history: roc };
  const { handler } = setup({}, big);
  const text = await (await handler(new Request("http://qac.test/model"))).text();
  assert.ok(text.length < 4000, `${text.length} bytes`);
  assert.ok(!text.includes("/home"), text);
  const body = JSON.parse(text);
  assert.equal(body.data.path, "conversations.csv");
  assert.equal(body.metrics.real.nps.path, "nps.csv");
  assert.equal(body.metrics.real.nps.accuracy, 0.5);
});

Deno.test("a client hanging up mid-body is a 400, not a logged server error", async () => {
  const { handler, serverErrors } = setup();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"text": "how do'));
      controller.error(new TypeError("connection reset"));
    },
  });
  const res = await handler(post(body));
  const problemBody = await problem(res, 400);
  assert.equal(
    problemBody.detail,
    "Cannot read body: the client closed the connection before its end",
  );
  assert.deepEqual(serverErrors, []);
});

Deno.test("a 422 lists at most 10 issues and shortens huge field names", async () => {
  const { handler } = setup();
  const request = JSON.stringify({
    texts: Array.from({ length: 256 }, () => 0),
    ["k".repeat(60_000)]: 1,
  });
  const res = await handler(post(request));
  const text = await res.clone().text();
  assert.ok(text.length < 3000, `${text.length} bytes for a ${request.length}-byte request`);
  const body = await problem(res, 422);
  assert.equal(body.errors.length, 10);
  assert.match(body.detail, /; and 247 more$/);
});

Deno.test("HEAD answers like GET without a body; OPTIONS lists the allowed methods", async () => {
  const { handler } = setup();
  const head = await handler(new Request("http://qac.test/health", { method: "HEAD" }));
  assert.equal(head.status, 200);
  assert.equal(head.body, null);
  const options = await handler(new Request("http://qac.test/classify", { method: "OPTIONS" }));
  assert.equal(options.status, 204);
  assert.equal(options.headers.get("allow"), "POST, OPTIONS");
  assert.equal(options.headers.get("access-control-allow-origin"), null);
});

Deno.test("CORS headers are sent only when an origin is configured", async () => {
  const { handler } = setup({ cors: "https://app.example" });
  const res = await handler(postJson({ text: "hi" }));
  assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example");
  assert.equal(res.headers.get("vary"), "origin");
  await res.body?.cancel();
  const preflight = await handler(new Request("http://qac.test/classify", { method: "OPTIONS" }));
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-methods"), "POST, OPTIONS");
  assert.equal(preflight.headers.get("access-control-allow-headers"), "content-type");
  const error = await handler(new Request("http://qac.test/nope"));
  assert.equal(error.headers.get("access-control-allow-origin"), "https://app.example");
  await error.body?.cancel();
});

Deno.test("unknown paths are 404 problems naming the path", async () => {
  const { handler } = setup();
  const body = await problem(await handler(new Request("http://qac.test/nope?x=1")), 404);
  assert.equal(body.detail, "Cannot find /nope: no such route");
  assert.equal(body.instance, "/nope");
});

Deno.test("a wrong method is 405 with Allow, checked before the body", async () => {
  const { handler } = setup();
  const get = await handler(new Request("http://qac.test/classify"));
  assert.equal(get.headers.get("allow"), "POST, OPTIONS");
  const body = await problem(get, 405);
  assert.equal(body.detail, "Cannot GET /classify: allowed are POST, OPTIONS");
  const postHealth = await handler(post("not json", {}, "/health"));
  assert.equal(postHealth.headers.get("allow"), "GET, HEAD, OPTIONS");
  await problem(postHealth, 405);
});

Deno.test("a non-JSON Content-Type is 415, before size and syntax", async () => {
  const { handler } = setup();
  const plain = await problem(
    await handler(post("text=hi", { "content-type": "application/x-www-form-urlencoded" })),
    415,
  );
  assert.equal(
    plain.detail,
    'Cannot read body: Content-Type must be application/json, got "application/x-www-form-urlencoded"',
  );
  const none = new Request("http://qac.test/classify", { method: "POST", body: "{}" });
  none.headers.delete("content-type");
  await problem(await handler(none), 415);
  await problem(await handler(post("x".repeat(100_000), { "content-type": "text/plain" })), 415);
  const charset = await handler(
    post(JSON.stringify({ text: "hi" }), { "content-type": "application/json; charset=utf-8" }),
  );
  assert.equal(charset.status, 200);
  await charset.body?.cancel();
});

Deno.test("a body over the limit is 413, by Content-Length or as it streams", async () => {
  const { handler } = setup({ bodyLimit: 1000 });
  const declared = await problem(
    await handler(post(JSON.stringify({ text: "x".repeat(2000) }))),
    413,
  );
  assert.equal(declared.detail, "Cannot read body: it is larger than the limit of 1000 bytes");
  // No Content-Length: the limit must hold while streaming, even for malformed JSON.
  const chunk = new TextEncoder().encode("{".repeat(400));
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(chunk);
    },
  });
  await problem(await handler(post(stream)), 413);
});

Deno.test("the default limits: 64 KiB bodies, 4000-character texts, 256 texts", async () => {
  const { handler } = setup();
  await problem(await handler(postJson({ text: "a".repeat(70_000) })), 413);
  const long = await problem(await handler(postJson({ text: "a".repeat(4001) })), 422);
  assert.deepEqual(long.errors, [{ field: "text", message: "must be at most 4000 characters" }]);
  const batch = await problem(
    await handler(postJson({ texts: Array.from({ length: 257 }, () => "a") })),
    422,
  );
  assert.deepEqual(batch.errors, [{ field: "texts", message: "must hold at most 256 texts" }]);
  const ok = await handler(postJson({ texts: Array.from({ length: 256 }, (_, i) => `t${i}`) }));
  assert.equal((await ok.json()).results.length, 256);
});

Deno.test("malformed JSON is 400", async () => {
  const { handler } = setup();
  const body = await problem(await handler(post('{"text": "unterminated')), 400);
  assert.match(body.detail, /^Cannot parse body as JSON: /);
  assert.equal(
    (await problem(await handler(post("")), 400)).detail,
    "Cannot parse body: it is empty",
  );
  assert.equal(
    (await problem(await handler(post(new Uint8Array([0x7b, 0xff, 0x7d]))), 400)).detail,
    "Cannot parse body: it is not valid UTF-8",
  );
});

const INVALID: [string, unknown, { field: string; message: string }[]][] = [
  ["empty text", { text: "" }, [{
    field: "text",
    message: "must not be empty or only whitespace",
  }]],
  ["whitespace", { text: " \n\t " }, [{
    field: "text",
    message: "must not be empty or only whitespace",
  }]],
  ["null text", { text: null }, [{ field: "text", message: "must be a string, got null" }]],
  ["number text", { text: 42 }, [{ field: "text", message: "must be a string, got a number" }]],
  ["no text", {}, [{ field: "text", message: 'is required (or send "texts" for a batch)' }]],
  ["both", { text: "a", texts: ["b"] }, [{
    field: "texts",
    message: 'cannot be combined with "text"; send one or the other',
  }]],
  ["extra field", { text: "a", lang: "en" }, [{ field: "lang", message: "is not a known field" }]],
  ["empty batch", { texts: [] }, [{ field: "texts", message: "must hold at least one text" }]],
  ["zero-width text", { text: "\u200b\u200d\ufeff" }, [{
    field: "text",
    message: "must not be empty or only whitespace",
  }]],
  ["control-only text", { text: "\u0000\u0007\u001b" }, [{
    field: "text",
    message: "must not be empty or only whitespace",
  }]],
  ["bad batch item", { texts: ["ok", "fine", null] }, [{
    field: "texts[2]",
    message: "must be a string, got null",
  }]],
  ["blank batch item", { texts: ["ok", " "] }, [{
    field: "texts[1]",
    message: "must not be empty or only whitespace",
  }]],
  ["texts not array", { texts: "a" }, [{
    field: "texts",
    message: "must be an array, got a string",
  }]],
  ["threshold > 1", { text: "a", threshold: 1.5 }, [{
    field: "threshold",
    message: "must be between 0 and 1",
  }]],
  ["threshold string", { text: "a", threshold: "0.5" }, [{
    field: "threshold",
    message: "must be a number, got a string",
  }]],
  ["context with texts", { texts: ["a"], context: { previous: [{ text: "b" }] } }, [{
    field: "context",
    message: 'goes with "text"; with "texts" send "contexts"',
  }]],
  ["contexts of another length", { texts: ["a", "b"], contexts: [null] }, [{
    field: "contexts",
    message: "must hold one context (or null) per text: 2, got 1",
  }]],
  ["too many previous messages", {
    text: "a",
    context: { previous: Array.from({ length: 21 }, () => ({ text: "x" })) },
  }, [{ field: "context.previous", message: "must hold at most 20 messages" }]],
  ["blank context text", { text: "a", context: { reply_to: { text: " " } } }, [{
    field: "context.reply_to.text",
    message: "must not be empty or only whitespace",
  }]],
  ["unknown context field", { text: "a", context: { before: [] } }, [{
    field: "context.before",
    message: "is not a known field",
  }]],
  ["bad context timestamp", { text: "a", context: { timestamp: "yesterday" } }, [{
    field: "context.timestamp",
    message: "must be an ISO 8601 date-time",
  }]],
  ["array body", ["a"], [{ field: "(body)", message: "must be an object, got an array" }]],
  ["null body", null, [{ field: "(body)", message: "must be an object, got null" }]],
];

for (const [name, value, errors] of INVALID) {
  Deno.test(`POST /classify rejects ${name} with 422 naming the field`, async () => {
    const { handler, serverErrors } = setup();
    const body = await problem(await handler(postJson(value)), 422);
    assert.deepEqual(body.errors, errors);
    assert.equal(
      body.detail,
      `Invalid request: ${errors.map((e) => `${e.field} ${e.message}`).join("; ")}`,
    );
    assert.equal(serverErrors.length, 0);
  });
}

Deno.test("a failing model is a logged 500 whose body reveals nothing", async () => {
  const { handler, serverErrors } = setup({
    predict: () => Promise.reject(new Error("secret internals at /srv/x.ts:1:1")),
  });
  const body = await problem(await handler(postJson({ text: "hi" })), 500);
  assert.equal(body.detail, "The server failed to handle the request; see its log.");
  assert.equal(serverErrors.length, 1);
});

Deno.test("GET /openapi.json is an OpenAPI 3.1 document", async () => {
  const { handler } = setup();
  const res = await handler(new Request("http://qac.test/openapi.json"));
  assert.equal(res.status, 200);
  const doc = await res.json();
  assert.equal(doc.openapi, "3.1.0");
  assert.ok(doc.paths["/classify"].post.responses["422"]);
});

Deno.test("GET / serves the page with a self-only CSP, and its scripts", async () => {
  const { handler } = setup();
  const page = await handler(new Request("http://qac.test/"));
  assert.equal(page.status, 200);
  assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
  assert.match(page.headers.get("content-security-policy")!, /default-src 'self'/);
  const html = await page.text();
  assert.ok(!/src="https?:/.test(html), "no external scripts");
  for (const path of ["/app.js", "/style.css", "/vendor/plot.umd.min.js", "/vendor/d3.min.js"]) {
    assert.match(html, new RegExp(`"${path.replaceAll(".", "\\.")}"`));
    const res = await handler(new Request(`http://qac.test${path}`));
    assert.equal(res.status, 200, path);
    assert.ok((await res.arrayBuffer()).byteLength > 100, path);
  }
});

Deno.test("GET /palette.css gives the page the class colours of lib/plot/palette.ts", async () => {
  const { handler } = setup();
  const page = await (await handler(new Request("http://qac.test/"))).text();
  assert.match(page, /href="\/palette\.css"/);
  const res = await handler(new Request("http://qac.test/palette.css"));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/css; charset=utf-8");
  const css = await res.text();
  for (const [label, color] of Object.entries(CLASS_COLORS)) {
    assert.ok(css.includes(`--${label}: ${color};`), label);
  }
});

Deno.test("a missing asset file is a 404 that says how to fix it", async () => {
  const { handler } = setup({ assets: { "/vendor/x.js": `${dir}/missing.js` } });
  const body = await problem(await handler(new Request("http://qac.test/vendor/x.js")), 404);
  assert.equal(body.detail, "Cannot serve /vendor/x.js: its file is missing (run `deno install`)");
});

Deno.test("GET /data/summary summarises the training CSV with predictions", async () => {
  const { handler } = setup();
  const res = await handler(new Request("http://qac.test/data/summary"));
  assert.equal(res.status, 200);
  const s = await res.json();
  assert.equal(s.path, csvPath);
  assert.equal(s.messages, 6);
  assert.equal(s.conversations, 3);
  assert.equal(s.skipped, 2);
  assert.equal(s.misclassified, 1);
  assert.ok(Math.abs(s.accuracy - 5 / 6) < 1e-9);
  // only thread c3 is the model's test split: one of its two messages is right
  assert.deepEqual(s.heldOut, { messages: 2, accuracy: 0.5 });
  assert.deepEqual(s.classMix, [
    { label: "answer", count: 2 },
    { label: "comment", count: 2 },
    { label: "question", count: 2 },
  ]);
  assert.deepEqual(s.channels, [
    { channel: "general", label: "comment", count: 1 },
    { channel: "help", label: "answer", count: 2 },
    { channel: "help", label: "comment", count: 1 },
    { channel: "help", label: "question", count: 2 },
  ]);
  // [true][predicted]: the "really, why not?" answer was called a question.
  assert.deepEqual(s.confusion, [[1, 0, 1], [0, 2, 0], [0, 0, 2]]);
  const answerLengths = s.lengths.filter((l: { label: string }) => l.label === "answer");
  assert.deepEqual(answerLengths, [
    { label: "answer", bin: 2, count: 1, share: 0.5 },
    { label: "answer", bin: 4, count: 1, share: 0.5 },
  ]);
});

Deno.test("GET /data/conversations puts threads with mistakes first and pages", async () => {
  const { handler } = setup();
  const all = await (await handler(new Request("http://qac.test/data/conversations"))).json();
  assert.equal(all.total, 3);
  assert.deepEqual(all.conversations.map((c: { id: string }) => c.id), ["c3", "c1", "c2"]);
  const wrong = all.conversations[0].messages[1];
  assert.deepEqual(
    { label: wrong.label, predicted: wrong.predicted, text: wrong.text, replyTo: wrong.replyTo },
    { label: "answer", predicted: "question", text: "really, why not?", replyTo: "c3-1" },
  );
  const mistakes = await (await handler(
    new Request("http://qac.test/data/conversations?filter=misclassified"),
  )).json();
  assert.deepEqual(mistakes.conversations.map((c: { id: string }) => c.id), ["c3"]);
  const page = await (await handler(
    new Request("http://qac.test/data/conversations?offset=1&limit=1&channel=help"),
  )).json();
  assert.deepEqual(
    { total: page.total, ids: page.conversations.map((c: { id: string }) => c.id) },
    { total: 2, ids: ["c1"] },
  );
});

Deno.test("GET /data/conversations rejects bad query parameters with 422", async () => {
  const { handler } = setup();
  const body = await problem(
    await handler(new Request("http://qac.test/data/conversations?limit=1000&offset=x&sort=1")),
    422,
  );
  assert.deepEqual(body.errors.map((e: { field: string }) => e.field).sort(), [
    "limit",
    "offset",
    "sort",
  ]);
});

Deno.test("preloadExplore predicts the training data before anyone asks", async () => {
  let predicted = 0;
  setup({
    preloadExplore: true,
    predict: (b, texts) => {
      predicted += texts.length;
      return predictProbabilities(b, texts);
    },
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(predicted, 6);
});

Deno.test("Explore says so when the training data is missing or turned off", async () => {
  const missing = setup({ dataPath: `${dir}/absent.csv` }).handler;
  const body = await problem(await missing(new Request("http://qac.test/data/summary")), 404);
  assert.equal(
    body.detail,
    `No training data to explore: "${dir}/absent.csv" does not exist (run \`deno task generate\`)`,
  );
  const off = setup({ dataPath: null }).handler;
  await problem(await off(new Request("http://qac.test/data/conversations")), 404);
  // a file it cannot read: was a 500 "see its log", with a stack trace in the log
  const notJson = `${dir}/notes.json`;
  await Deno.writeTextFile(notJson, "not json at all");
  const unreadable = setup({ dataPath: notJson });
  const refused = await problem(
    await unreadable.handler(new Request("http://qac.test/data/summary")),
    503,
  );
  assert.equal(
    refused.detail,
    `Cannot show Explore: its data cannot be read (Cannot parse "${notJson}": not JSON (starts ` +
      'with "not json at ")); start serve with another --data, or fix the file',
  );
  assert.deepEqual(unreadable.serverErrors, []);
});

/** The same request as a `Request` (for the handler) and as `serveHttp1` hands it to `raw`. */
function bothForms(
  body: string | Uint8Array<ArrayBuffer>,
  headers: [string, string][] = [["Content-Type", "application/json"]],
  { method = "POST", target = "/classify" } = {},
) {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  return {
    request: () =>
      new Request(`http://qac.test${target}`, {
        method,
        headers,
        body: bytes.length > 0 && method !== "GET" ? bytes : undefined,
      }),
    raw: { method, target, headers, body: bytes.length > 0 ? bytes : undefined },
  };
}

/** A response's status, header lines (sorted, as `Headers` lists them) and body. */
async function answerOf(response: Response | RawResponse) {
  if (response instanceof Response) {
    return {
      status: response.status,
      headers: [...response.headers].map(([name, value]) => `${name}: ${value}`),
      body: await response.text(),
    };
  }
  return {
    status: response.status,
    headers: response.headers.split("\r\n").filter((line) => line !== ""),
    body: response.body,
  };
}

Deno.test("handler.raw answers valid POST /classify bodies exactly as the handler does", async () => {
  const bodies = [
    { text: "how do I learn SQL?" },
    { text: "thanks!", threshold: 0.99 },
    { texts: ["how do I learn SQL?", "try sqlbolt", "cool"] },
    { texts: ["ok"], threshold: 0 },
  ];
  for (const cors of [undefined, "*", "https://example.com"]) {
    for (const model of [bundle, tinyContextBundle(csvPath)]) {
      const { handler } = setup({ cors }, model);
      for (const value of bodies) {
        const { request, raw } = bothForms(JSON.stringify(value), [
          ["Content-Type", "application/json; charset=utf-8"],
          ["X-Other", "1"],
        ]);
        const quick = handler.raw(raw);
        assert.ok(quick, `raw takes ${JSON.stringify(value)}`);
        const expected = await answerOf(await handler(request()));
        assert.equal(expected.status, 200);
        assert.deepEqual(await answerOf(await quick), expected);
      }
    }
  }
});

Deno.test("handler.raw leaves every request the handler refuses, and contexts, to the handler", async () => {
  const { handler } = setup({ bodyLimit: 100 });
  const json = [["content-type", "application/json"]] as [string, string][];
  const cases = [
    bothForms("{", json), // 400
    bothForms(new Uint8Array([0x7b, 0xff, 0x7d]), json), // not UTF-8: 400
    bothForms("", json), // empty: 400
    bothForms(JSON.stringify({ text: "" }), json), // 422
    bothForms(JSON.stringify({ text: "a", txt: "b" }), json), // 422
    bothForms(JSON.stringify({ text: "a".repeat(200) }), json), // 413
    bothForms(JSON.stringify({ text: "a" }), [["content-type", "text/plain"]]), // 415
    bothForms(JSON.stringify({ text: "a" }), [...json, ["Content-Type", "application/json"]]),
    bothForms(JSON.stringify({ text: "a", context: { speaker: "ann" } }), json),
    bothForms(JSON.stringify({ text: "a" }), json, { method: "GET" }), // 405
    bothForms(JSON.stringify({ text: "a" }), json, { target: "/classify?x=1" }),
    bothForms(JSON.stringify({ text: "a" }), json, { target: "/health" }),
  ];
  for (const { raw, request } of cases) {
    assert.equal(handler.raw(raw), undefined, new TextDecoder().decode(raw.body));
    await (await handler(request())).body?.cancel();
  }
  // a value `Request` would refuse (serveHttp1 answers 400 before the handler)
  const bad = bothForms(JSON.stringify({ text: "a" }), [...json, ["x-bad", "a\nb"]]);
  assert.equal(handler.raw(bad.raw), undefined);
  // still loading: the handler's 503
  const loading = setup({}, new Promise<ModelBundle>(() => {})).handler;
  assert.equal(loading.raw(bothForms(JSON.stringify({ text: "a" }), json).raw), undefined);
});
