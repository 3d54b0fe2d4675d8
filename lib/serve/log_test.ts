import assert from "node:assert/strict";
import { formatRequestLine, withRequestLog } from "./log.ts";

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
