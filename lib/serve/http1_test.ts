import assert from "node:assert/strict";
import { type Http1Options, serveHttp1 } from "./http1.ts";

/** Starts a server on a free loopback port; `events` collects its event lines. */
function start(
  handler: (req: Request) => Response | Promise<Response>,
  options: Http1Options = {},
) {
  const events: string[] = [];
  const server = serveHttp1(handler, {
    port: 0,
    hostname: "127.0.0.1",
    onEvent: (line) => events.push(line),
    ...options,
  });
  return { server, events, port: server.addr.port };
}

/** Sends `text` on a new connection and reads until the server closes it or `until` matches. */
async function exchange(port: number, text: string, until = /\r\n\r\n[\s\S]*$/): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(text));
    let out = "";
    const buf = new Uint8Array(65536);
    const timer = setTimeout(() => conn.close(), 5000);
    try {
      while (!until.test(out)) {
        const n = await conn.read(buf);
        if (n === null) break;
        out += new TextDecoder().decode(buf.subarray(0, n));
      }
    } catch {
      // closed
    } finally {
      clearTimeout(timer);
    }
    return out;
  } finally {
    try {
      conn.close();
    } catch {
      // closed by the timer
    }
  }
}

Deno.test("serveHttp1() answers 503 with Retry-After at the connection cap when no connection is idle", async () => {
  const { server, port } = start(() => new Response("ok"), { maxConnections: 2 });
  const busy = await Promise.all([0, 1].map(() => Deno.connect({ hostname: "127.0.0.1", port })));
  try {
    // Half a request head each: not idle, so not evicted.
    for (const conn of busy) await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHo"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answer = await exchange(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", /\}$/);
    assert.match(answer, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.match(answer, /\r\nretry-after: 1\r\n/);
    assert.equal(server.stats().rejectedConnections, 1);
  } finally {
    for (const conn of busy) conn.close();
    await server.shutdown();
  }
});

Deno.test("serveHttp1() closes an idle keep-alive connection to make room at the cap", async () => {
  const { server, port } = start(() => new Response("ok"), { maxConnections: 1 });
  const idle = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answer = await exchange(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", /\r\n\r\nok$/);
    assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(await idle.read(new Uint8Array(16)), null, "the idle one was closed");
    assert.equal(server.stats().evicted, 1);
  } finally {
    idle.close();
    await server.shutdown();
  }
});

Deno.test("serveHttp1() cuts off a client that trickles its request head past the deadline", async () => {
  const { server, port, events } = start(() => new Response("ok"), { headerTimeoutMs: 300 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const started = Date.now();
    const trickle = setInterval(
      () => conn.write(new TextEncoder().encode("x")).catch(() => {}),
      50,
    );
    await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nX-Slow: "));
    const n = await conn.read(new Uint8Array(16)).catch(() => null);
    clearInterval(trickle);
    assert.equal(n, null);
    assert.ok(Date.now() - started < 3000);
    assert.equal(server.stats().timedOut, 1);
    assert.match(events.join("\n"), /timed out in its head/);
  } finally {
    conn.close();
    await server.shutdown();
  }
});

/**
 * Sends a `size`-byte body to `/upload` in `step`-byte writes `everyMs` apart (stopping after
 * `sent` bytes when given) and returns the response, or "" when the server closed, with the time.
 */
async function pacedUpload(
  port: number,
  size: number,
  step: number,
  everyMs: number,
  sent = size,
): Promise<{ answer: string; ms: number }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const started = Date.now();
  let over = false;
  const writing = (async () => {
    await conn.write(
      new TextEncoder().encode(
        `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`,
      ),
    );
    for (let done = 0; done < sent && !over; done += step) {
      await conn.write(new Uint8Array(Math.min(step, sent - done)).fill(97));
      // in short sleeps, so a stalled writer stops soon after the answer
      for (let slept = 0; slept < everyMs && !over; slept += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  })().catch(() => {}); // the server may close mid-body
  let answer = "";
  const buf = new Uint8Array(4096);
  const timer = setTimeout(() => conn.close(), 8000);
  try {
    while (!/\r\n\r\ngot \d+$/.test(answer)) {
      const n = await conn.read(buf);
      if (n === null) break;
      answer += new TextDecoder().decode(buf.subarray(0, n));
    }
  } catch {
    // closed by the server or the timer
  } finally {
    clearTimeout(timer);
  }
  const ms = Date.now() - started;
  over = true;
  await writing;
  try {
    conn.close();
  } catch {
    // already closed
  }
  return { answer, ms };
}

Deno.test("serveHttp1() lets a body that keeps arriving at minBodyBytesPerSecond run past bodyTimeoutMs", async () => {
  const { server, port } = start(
    async (req) => new Response(`got ${(await req.bytes()).length}`),
    {
      bodyTimeoutMs: 300,
      minBodyBytesPerSecond: 500,
      maxBodyBytes: 100,
      bodyLimits: { "/upload": 4000 },
    },
  );
  try {
    // 2000 bytes at ~1000 B/s: about 2 s, far past the 300 ms a body had before, so a slow
    // line's 20 MiB export to POST /report was cut off
    const { answer, ms } = await pacedUpload(port, 2000, 100, 100);
    assert.match(answer, /^HTTP\/1\.1 200 OK\r\n[\s\S]*got 2000$/);
    assert.ok(ms > 1000, `the upload took ${ms} ms`);
    assert.equal(server.stats().timedOut, 0);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveHttp1() still cuts a body that trickles slower than minBodyBytesPerSecond, or stalls", async () => {
  const { server, port, events } = start(
    async (req) => new Response(`got ${(await req.bytes()).length}`),
    {
      bodyTimeoutMs: 300,
      minBodyBytesPerSecond: 500,
      maxBodyBytes: 100,
      bodyLimits: { "/upload": 4000 },
    },
  );
  try {
    // ~100 B/s: cut after about 300 / (1 - 100/500) = 375 ms, long before its 20 s
    const trickle = await pacedUpload(port, 2000, 10, 100);
    assert.equal(trickle.answer, "");
    assert.ok(trickle.ms < 3000, `cut after ${trickle.ms} ms`);
    // 1900 bytes at once earn 3.8 s, but a stall is cut after bodyTimeoutMs
    const stall = await pacedUpload(port, 2000, 1900, 5000, 1900);
    assert.equal(stall.answer, "");
    assert.ok(stall.ms < 2500, `cut after ${stall.ms} ms`);
    assert.equal(server.stats().timedOut, 2);
    assert.match(events.join("\n"), /timed out in its body/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveHttp1() answers 503 when the handler passes its deadline", async () => {
  const { server, port } = start(() => new Promise<Response>(() => {}), { requestTimeoutMs: 200 });
  try {
    const answer = await exchange(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", /\}$/);
    assert.match(answer, /^HTTP\/1\.1 503 /);
    assert.match(answer, /The request took too long; retry shortly/);
    assert.match(answer, /\r\nconnection: close\r\n/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveHttp1() reads chunked bodies and answers Expect: 100-continue", async () => {
  const { server, port } = start(async (req) => new Response(`got ${await req.text()}`));
  try {
    const chunked = await exchange(
      port,
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
      /got abcde$/,
    );
    assert.match(chunked, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\ngot abcde$/);
    const continued = await exchange(
      port,
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nhi",
      /got hi$/,
    );
    assert.match(continued, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveHttp1() refuses broken framing with a 4xx and closes: smuggling, bad lengths, huge heads", async () => {
  const { server, port } = start(() => new Response("ok"), { maxHeaderBytes: 1024 });
  try {
    const cases: [string, number][] = [
      ["POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400],
      ["POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400],
      ["POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400],
      ["POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 400],
      [`GET / HTTP/1.1\r\nX: ${"a".repeat(2000)}\r\n\r\n`, 431],
      ["GARBAGE\r\n\r\n", 400],
      ["POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", 413],
    ];
    for (const [text, status] of cases) {
      const answer = await exchange(port, text, /\}$/);
      assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `), text.slice(0, 60));
      assert.match(answer, /\r\nconnection: close\r\n/);
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveHttp1() answers from the raw route when it takes a request, else from the handler", async () => {
  const seen: string[] = [];
  const { server, port } = start(async (req) => {
    seen.push(`${req.method} ${new URL(req.url).pathname} ${await req.text()}`);
    return new Response("from handler");
  }, {
    raw: (req) =>
      req.target === "/fast"
        ? Promise.resolve({
          status: 200,
          headers: "content-type: text/plain\r\n",
          body: `raw ${req.method} ${new TextDecoder().decode(req.body)} ${
            req.headers.find(([name]) => name === "X-Test")?.[1]
          } é`,
        })
        : undefined,
  });
  try {
    const fast = await exchange(
      port,
      "POST /fast HTTP/1.1\r\nHost: x\r\nX-Test: yes\r\nContent-Length: 3\r\n\r\nabc" +
        "GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      /from handler$/,
    );
    const [first, second] = fast.split(/(?=HTTP\/1\.1 )/);
    assert.match(first!, /^HTTP\/1\.1 200 OK\r\ndate: .+ GMT\r\ncontent-type: text\/plain\r\n/);
    // the length counts bytes: "é" is two
    assert.match(first!, /\r\ncontent-length: 19\r\n\r\nraw POST abc yes é$/);
    assert.match(second!, /^HTTP\/1\.1 200 OK\r\n[\s\S]*connection: close\r\n\r\nfrom handler$/);
    assert.deepEqual(seen, ["GET /slow "]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveHttp1() holds the raw route to the handler's deadline and turns its failures into 500", async () => {
  const errors: unknown[] = [];
  const { server, port } = start(() => new Response("handler"), {
    requestTimeoutMs: 200,
    onError: (error) => errors.push(error),
    raw: (req) =>
      req.target === "/hang"
        ? new Promise(() => {})
        : req.target === "/fail"
        ? Promise.reject(new Error("boom"))
        : req.target === "/throw"
        ? (() => {
          throw new Error("thrown");
        })()
        : undefined,
  });
  try {
    const hang = await exchange(port, "GET /hang HTTP/1.1\r\nHost: x\r\n\r\n", /\}$/);
    assert.match(hang, /^HTTP\/1\.1 503 /);
    assert.match(hang, /The request took too long; retry shortly/);
    const fail = await exchange(port, "GET /fail HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.match(fail, /^HTTP\/1\.1 500 /);
    assert.equal(String(errors[0]), "Error: boom");
    const thrown = await exchange(
      port,
      "GET /throw HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert.match(thrown, /^HTTP\/1\.1 500 /);
    assert.equal(String(errors[1]), "Error: thrown");
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveHttp1() reads a bigger body on a path with its own limit, at most maxLargeBodies at once (503 + Retry-After)", async () => {
  let release = () => {};
  const held = new Promise<void>((resolve) => release = resolve);
  const { server, port, events } = start(async (req) => {
    const body = await req.bytes();
    if (new URL(req.url).searchParams.has("hold")) await held;
    return new Response(`got ${body.length}`);
  }, { maxBodyBytes: 100, bodyLimits: { "/upload": 1000 }, maxLargeBodies: 1 });
  const post = (target: string, size: number) =>
    `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n${"a".repeat(size)}`;
  try {
    // before bodyLimits, every path had maxBodyBytes: an export over 1 MiB got 413 from serve
    assert.match(
      await exchange(port, post("/upload?name=a.json", 500), /got 500$/),
      /^HTTP\/1\.1 200 /,
    );
    assert.match(
      await exchange(port, post("/other", 101), /\}$/),
      /^HTTP\/1\.1 413 [\s\S]*larger than 100 bytes/,
    );
    assert.match(
      await exchange(port, post("/upload", 1001), /\}$/),
      /^HTTP\/1\.1 413 [\s\S]*larger than 1000 bytes/,
    );
    const chunked = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
      `c8\r\n${"a".repeat(200)}\r\n0\r\n\r\n`;
    assert.match(await exchange(port, chunked, /got 200$/), /^HTTP\/1\.1 200 /);

    // one large body in the handler holds the only slot: the next is shed, a small one is not
    const first = exchange(port, post("/upload?hold", 500), /got 500$/);
    while (server.stats().inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    const shed = await exchange(port, post("/upload", 500), /\}$/);
    assert.match(shed, /^HTTP\/1\.1 503 [\s\S]*\r\nretry-after: 5\r\n[\s\S]*retry shortly/);
    assert.match(await exchange(port, post("/other", 50), /got 50$/), /^HTTP\/1\.1 200 /);
    release();
    assert.match(await first, /^HTTP\/1\.1 200 /);
    // the slot is free again once the answer is out
    assert.match(await exchange(port, post("/upload", 500), /got 500$/), /^HTTP\/1\.1 200 /);
    assert.equal(server.stats().rejectedRequests, 1);
    assert.ok(events.some((e) => e.includes("1 large bodies in progress")), events.join("\n"));
  } finally {
    release();
    await server.shutdown();
  }
});
