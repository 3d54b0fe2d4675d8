import assert from "node:assert/strict";
import { createBufferedLog, formatRequestLine, withRawRequestLog, withRequestLog } from "./log.ts";

Deno.test("formatRequestLine() logs method, path, status and ms — never query or body", () => {
  const req = new Request("http://x/classify?text=my%20secret", { method: "POST", body: "secret" });
  assert.equal(formatRequestLine(req, 200, 1.234), "POST /classify 200 1.2ms");
});

Deno.test("withRequestLog() logs one line per request after it is answered", async () => {
  const lines: string[] = [];
  const handler = withRequestLog(
    () => Promise.resolve(new Response(null, { status: 204 })),
    (l) => lines.push(l),
  );
  await handler(new Request("http://x/health"));
  await handler(new Request("http://x/model", { method: "HEAD" }));
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^GET \/health 204 \d+\.\dms$/);
  assert.match(lines[1]!, /^HEAD \/model 204 \d+\.\dms$/);
});

Deno.test("createBufferedLog() writes a burst of lines at once, and everything on flush", async () => {
  const writes: string[] = [];
  const log = createBufferedLog((text) => writes.push(text), 5);
  log("a");
  log("b");
  assert.deepEqual(writes, []);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(writes, ["a\nb\n"]);
  log("c");
  log.flush();
  log.flush();
  assert.deepEqual(writes, ["a\nb\n", "c\n"]);
});

Deno.test("withRawRequestLog() logs the requests its route answers, as withRequestLog() does", async () => {
  const lines: string[] = [];
  const route = withRawRequestLog(
    (req) =>
      req.target.startsWith("/classify")
        ? Promise.resolve({ status: 200, headers: "", body: "{}" })
        : undefined,
    (l) => lines.push(l),
  );
  const raw = (target: string) => ({ method: "POST", target, headers: [], body: undefined });
  await route(raw("/classify"));
  await route(raw("/classify?text=my%20secret"));
  assert.equal(route(raw("/other")), undefined);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^POST \/classify 200 \d+\.\dms$/);
  assert.match(lines[1]!, /^POST \/classify 200 \d+\.\dms$/);
});
