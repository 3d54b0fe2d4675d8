import assert from "node:assert/strict";
import { createPrng } from "../../random.ts";
import {
  backoffDelay,
  classifyError,
  InvalidOutputError,
  RequestTimeoutError,
  sleep,
} from "./retry.ts";

function httpError(status: number, message = `${status} status`, headers?: Headers) {
  return Object.assign(new Error(message), { status, headers });
}

Deno.test("classifyError() keeps the real cause of a connection failure in its reason", () => {
  const cause = new TypeError(
    "error sending request for url (http://127.0.0.1:9/v1/chat/completions): tcp connect error: Connection refused (os error 111)",
  );
  const error = Object.assign(new Error("Connection error.", { cause }), {
    name: "APIConnectionError",
  });
  assert.deepEqual(classifyError(error), {
    kind: "transient",
    reason: `network: Connection error.: ${cause.message}`,
  });
});

Deno.test("classifyError() sorts SDK, parser, network and timeout errors", () => {
  const kinds = [
    httpError(429, "rate", new Headers({ "retry-after": "2" })),
    httpError(503),
    httpError(408),
    httpError(401),
    httpError(404),
    httpError(400, "tool_use_failed: Failed to call a function"),
    new Error("[GoogleGenerativeAI Error]: [429 Too Many Requests] quota"),
    Object.assign(new Error("Connection error."), { name: "APIConnectionError" }),
    new TypeError("fetch failed"),
    new RequestTimeoutError(10),
    new DOMException("signal timed out", "TimeoutError"),
    new DOMException("aborted", "AbortError"),
    new InvalidOutputError("schema: x"),
    Object.assign(new Error("Failed to parse"), { name: "OutputParserException" }),
    new SyntaxError("Unexpected token"),
    new Error("something else"),
  ].map((e) => classifyError(e).kind);
  assert.deepEqual(kinds, [
    "rate_limit",
    "transient",
    "transient",
    "fatal",
    "fatal",
    "invalid",
    "rate_limit",
    "transient",
    "transient",
    "timeout",
    "timeout",
    "aborted",
    "invalid",
    "invalid",
    "invalid",
    "fatal",
  ]);
  assert.equal(
    classifyError(httpError(429, "r", new Headers({ "retry-after": "2" }))).retryAfterMs,
    2000,
  );
  assert.equal(
    classifyError(httpError(401, "Unauthorized\nmore")).reason,
    "HTTP 401: Unauthorized",
  );
});

Deno.test("backoffDelay() doubles per attempt, jitters in the upper half, caps, honours retry-after", () => {
  const prng = createPrng(1);
  for (let attempt = 0; attempt < 4; attempt++) {
    const d = backoffDelay(attempt, prng, { baseMs: 100, maxMs: 10_000 });
    assert.ok(d >= 50 * 2 ** attempt && d <= 100 * 2 ** attempt, `attempt ${attempt}: ${d}`);
  }
  assert.ok(backoffDelay(20, prng, { baseMs: 100, maxMs: 1000 }) <= 1000);
  assert.equal(backoffDelay(0, prng, { baseMs: 100, maxMs: 1000, retryAfterMs: 700 }), 700);
  assert.equal(backoffDelay(0, prng, { baseMs: 100, maxMs: 1000, retryAfterMs: 60_000 }), 1000);
});

Deno.test("sleep() rejects as soon as its signal aborts", async () => {
  const controller = new AbortController();
  const pending = sleep(10_000, controller.signal);
  controller.abort();
  await assert.rejects(pending, { name: "AbortError" });
  // No timing assert: had sleep() left its 10 s timer running, Deno's op sanitizer would fail
  // this test for leaking a timer.
});
