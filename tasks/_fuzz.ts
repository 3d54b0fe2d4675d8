/**
 * The fuzz harness behind `deno task fuzz` and its small CI test: seeded malformed and odd
 * requests — bad JSON, wrong types, huge and deep bodies, bad content types, odd methods and
 * paths, zero-width and control-only texts, broken HTTP framing over raw TCP, clients that hang
 * up mid-body — sent to a running server on loopback, counting answers by status.
 * Private to tasks/ and tests.
 * @module
 */

/** Options of {@linkcode fuzz}. */
export interface FuzzOptions {
  /** Requests to send. */
  requests: number;
  /** Seed of the case generator. @default 1 */
  seed?: number;
  /** Requests in flight at once. @default 16 */
  concurrency?: number;
}

/** What the server answered. */
export interface FuzzReport {
  requests: number;
  /** Count per status code; 0 = no answer (the server closed the connection). */
  statuses: Record<string, number>;
  /** Count of 5xx answers, and the first few cases that drew one. */
  serverErrors: number;
  examples: string[];
  /** Count per case kind. */
  kinds: Record<string, number>;
}

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One request to send: either through fetch, or raw bytes over TCP. */
type Case =
  | { kind: string; method: string; path: string; headers: Record<string, string>; body?: BodyInit }
  | { kind: string; raw: Uint8Array; hangUp?: boolean };

const ODD_TEXTS = [
  "",
  " ",
  "\u200b",
  "\u200b\u200c\u200d\ufeff",
  "\u0000",
  "\u0000\u0001\u0007",
  "\t\n\r",
  "\u00a0\u2028\u2029",
  "\u0301\u0301",
  "\ud800",
  "🙂",
  "a".repeat(4001),
  "how do I learn SQL?",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "%s%s%n",
  "\\u0000",
];
const PATHS = [
  "/",
  "/classify",
  "/classify/",
  "//classify",
  "/health",
  "/model",
  "/openapi.json",
  "/data/summary",
  "/data/conversations",
  "/data/conversations?offset=-1&limit=abc",
  "/data/conversations?limit=1000000&filter=x&channel=%00",
  "/data/conversations?offset=1e309",
  "/app.js",
  "/vendor/plot.umd.min.js",
  "/nope",
  "/%2e%2e/%2e%2e/etc/passwd",
  "/../../etc/passwd",
  "/%00",
  "/%",
  "/classify?text=hi",
  "/" + "x".repeat(8000),
  "/ü",
];
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "FOO", "get"];
const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "application/problem+json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=latin1",
  "",
  "application/",
  "APPLICATION/JSON",
];

/** Makes the case generator. */
function cases(seed: number): () => Case {
  const rand = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const int = (n: number) => Math.floor(rand() * n);
  const value = (depth: number): unknown => {
    switch (int(depth > 3 ? 6 : 9)) {
      case 0:
        return null;
      case 1:
        return rand() < 0.5;
      case 2:
        return pick([0, -1, 1e308, -0, 0.5, 2, 1.5e-300, 123456789012345680000]);
      case 3:
        return pick(ODD_TEXTS);
      case 4:
        return String.fromCharCode(...Array.from({ length: int(40) }, () => int(0x3000)));
      case 5:
        return "word ".repeat(int(50));
      case 6:
        return Array.from({ length: int(5) }, () => value(depth + 1));
      case 7:
        return Object.fromEntries(
          Array.from(
            { length: int(4) },
            () => [pick(["text", "texts", "threshold", "x", "__proto__"]), value(depth + 1)],
          ),
        );
      default:
        return { text: value(depth + 1) };
    }
  };
  const json = (body: string, kind: string): Case => ({
    kind,
    method: "POST",
    path: "/classify",
    headers: { "content-type": "application/json" },
    body,
  });
  const raw = (text: string, kind: string, hangUp = false): Case => ({
    kind,
    raw: new TextEncoder().encode(text),
    hangUp,
  });
  const utf8 = (text: string) => new TextEncoder().encode(text).length;

  return () => {
    const r = int(100);
    if (r < 25) {
      // Well-formed JSON of random shape.
      const body: Record<string, unknown> = {};
      if (rand() < 0.7) body.text = rand() < 0.6 ? pick(ODD_TEXTS) : value(0);
      if (rand() < 0.3) {
        body.texts = rand() < 0.1
          ? Array.from({ length: 257 }, () => "hi")
          : Array.from({ length: int(6) }, () => rand() < 0.5 ? pick(ODD_TEXTS) : value(1));
      }
      if (rand() < 0.3) body.threshold = value(1);
      if (rand() < 0.1) body[pick(["txt", "Text", "context", "__proto__"])] = value(1);
      return json(JSON.stringify(rand() < 0.1 ? value(0) : body), "json-shape");
    }
    if (r < 40) {
      // Malformed JSON: truncated, mangled, not JSON at all.
      const valid = JSON.stringify({ text: pick(ODD_TEXTS), threshold: 0.5 });
      const bodies = [
        valid.slice(0, int(valid.length)),
        valid.replace(/"/g, "'"),
        valid + "}",
        "{" + valid,
        "NaN",
        '{"text": "a", "text": 1}',
        "\u0000",
        "[".repeat(int(5000)),
        '{"text":"\\ud800"}',
        '{"text":"\\u0000"}',
        '{"text":"\\u200b"}',
      ];
      return json(pick(bodies), "json-malformed");
    }
    if (r < 45) {
      const bytes = Uint8Array.from({ length: int(64) }, () => int(256));
      return {
        kind: "body-binary",
        method: "POST",
        path: "/classify",
        headers: { "content-type": "application/json" },
        body: bytes,
      };
    }
    if (r < 50) {
      const size = pick([65_537, 70_000, 200_000]);
      return json(JSON.stringify({ text: "a".repeat(size) }), "body-huge");
    }
    if (r < 53) return json("[".repeat(30_000) + "]".repeat(30_000), "body-deep");
    if (r < 63) {
      return {
        kind: "content-type",
        method: "POST",
        path: "/classify",
        headers: rand() < 0.1 ? {} : { "content-type": pick(CONTENT_TYPES) },
        body: JSON.stringify({ text: pick(ODD_TEXTS) }),
      };
    }
    if (r < 80) {
      const method = pick(METHODS);
      return {
        kind: "method-path",
        method,
        path: pick(PATHS),
        headers: { "content-type": "application/json" },
        body: method === "GET" || method === "HEAD" || method === "get"
          ? undefined
          : JSON.stringify({ text: "hi" }),
      };
    }
    // Raw HTTP over TCP.
    const body = JSON.stringify({ text: "is there a SQL course?" });
    const rawCases = [
      () =>
        raw(
          String.fromCharCode(...Array.from({ length: int(200) }, () => int(256))),
          "raw-garbage",
        ),
      () => raw("GET / HTTP/1.1\r\nHost: x\r\nno-colon-here\r\n\r\n", "raw-bad-header"),
      () => raw("GET /\r\n\r\n", "raw-http09"),
      () => raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "raw-h2-preface"),
      () =>
        raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, "raw-huge-head"),
      () =>
        raw(
          `POST /classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n${body}`,
          "raw-bad-length",
        ),
      () =>
        raw(
          `POST /classify HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n${body}`,
          "raw-two-lengths",
        ),
      () =>
        raw(
          `POST /classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${
            utf8(body).toString(16)
          }\r\n${body}\r\n0\r\n\r\n`,
          "raw-chunked",
        ),
      () =>
        raw(
          `POST /classify HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`,
          "raw-bad-chunk",
        ),
      () =>
        raw(
          `POST /classify HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n${body}`,
          "raw-bad-coding",
        ),
      () =>
        raw(
          `POST /classify HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
          "raw-smuggle",
        ),
      () =>
        raw(
          `POST /classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${
            utf8(body) + 100
          }\r\n\r\n${body}`,
          "raw-abort-mid-body",
          true,
        ),
      () =>
        raw(
          `POST /classify HTTP/1.1\r\nHost: \u0000\r\nContent-Type: application/json\r\nContent-Length: ${
            utf8(body)
          }\r\nExpect: 100-continue\r\n\r\n${body}`,
          "raw-odd-host",
        ),
      () => raw(`GET /health HTTP/1.0\r\n\r\n`, "raw-http10"),
      () => raw(`TRACE / HTTP/1.1\r\nHost: x\r\n\r\n`, "raw-trace"),
      () => raw(`CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n`, "raw-connect"),
      () => raw(`GET http://evil/health HTTP/1.1\r\nHost: x\r\n\r\n`, "raw-absolute"),
    ];
    return pick(rawCases)();
  };
}

/** Sends raw bytes; returns the status of the first response line, or 0 if none came. */
async function sendRaw(
  hostname: string,
  port: number,
  bytes: Uint8Array,
  hangUp: boolean,
): Promise<number> {
  const conn = await Deno.connect({ hostname, port });
  const timer = setTimeout(() => conn.close(), 3000);
  try {
    await conn.write(bytes);
    if (hangUp) return 0; // close mid-body: the server must shrug it off
    let text = "";
    const buf = new Uint8Array(4096);
    while (!text.includes("\r\n")) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    // A 100 Continue is interim; the final status follows.
    const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
    return statuses.find((s) => s !== 100) ?? 0;
  } catch {
    return 0;
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // closed by the timer or the server
    }
  }
}

/**
 * Sends `options.requests` generated cases to `url` (loopback only) and counts the answers.
 * @throws {RangeError} when `url` is not on loopback
 */
export async function fuzz(url: string, options: FuzzOptions): Promise<FuzzReport> {
  const target = new URL(url);
  if (!["127.0.0.1", "localhost"].includes(target.hostname)) {
    throw new RangeError(`Cannot fuzz ${url}: only loopback servers are fuzzed`);
  }
  const next = cases(options.seed ?? 1);
  const report: FuzzReport = {
    requests: 0,
    statuses: {},
    serverErrors: 0,
    examples: [],
    kinds: {},
  };
  const client = Deno.createHttpClient({});
  const one = async (c: Case) => {
    let status: number;
    let describe: string;
    if ("raw" in c) {
      status = await sendRaw(target.hostname, Number(target.port), c.raw, c.hangUp ?? false);
      describe = `${c.kind}: ${JSON.stringify(new TextDecoder().decode(c.raw.subarray(0, 120)))}`;
    } else {
      describe = `${c.kind}: ${c.method} ${c.path.slice(0, 80)} ${JSON.stringify(c.headers)} ${
        typeof c.body === "string" ? c.body.slice(0, 120) : ""
      }`;
      try {
        const res = await fetch(new URL(c.path, url), {
          method: c.method,
          headers: c.headers,
          body: c.body,
          client,
          signal: AbortSignal.timeout(10_000),
        });
        await res.body?.cancel();
        status = res.status;
      } catch {
        status = 0;
      }
    }
    report.requests++;
    report.kinds[c.kind] = (report.kinds[c.kind] ?? 0) + 1;
    report.statuses[status] = (report.statuses[status] ?? 0) + 1;
    if (status >= 500) {
      report.serverErrors++;
      if (report.examples.length < 5) report.examples.push(`${status} ← ${describe}`);
    }
  };
  let sent = 0;
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, async () => {
    while (sent < options.requests) {
      sent++;
      await one(next());
    }
  }));
  client.close();
  return report;
}
