/**
 * The soak harness behind `deno task soak` and its small CI test: floods a running server on
 * loopback with idle connections and slowloris clients (request heads trickled a byte at a time),
 * while checking that `/health` still answers and counting how the excess was turned away.
 * Private to tasks/ and tests.
 * @module
 */

/** What to throw at the server. */
export interface SoakOptions {
  /** Idle connections opened at once (no byte sent). */
  connections: number;
  /** Slowloris connections: a request head sent one byte every `trickleMs`, never finished. */
  slowloris: number;
  /** How long to hold them, in ms. */
  holdMs: number;
  /** Interval between slowloris bytes. @default 500 */
  trickleMs?: number;
  /** Interval between `/health` probes during the hold. @default 250 */
  probeMs?: number;
}

/** What the server did under the flood. */
export interface SoakReport {
  /** Connections the client managed to open (idle + slowloris). */
  opened: number;
  /** Connections the client could not open (refused, or the client ran out of handles). */
  connectFailed: number;
  /** Connections answered 503 by the server. */
  answered503: number;
  /** Connections the server closed without an answer (idle eviction, timeouts). */
  closedByServer: number;
  /** Connections still open when the hold ended. */
  stillOpen: number;
  /** Slowloris connections the server closed before the hold ended. */
  slowlorisClosed: number;
  /** Health probes made during the hold, and how they went. */
  probes: { total: number; ok: number; status503: number; failed: number; maxMs: number };
  /** Whether `/health` answered 200 after the flood was released. */
  healthyAfter: boolean;
}

type Outcome = "503" | "closed" | "open";

/** Watches one connection: what the server sends first, or whether it closes it. */
function watch(conn: Deno.Conn, outcome: { value: Outcome }): Promise<void> {
  return (async () => {
    const buf = new Uint8Array(1024);
    try {
      const n = await conn.read(buf);
      if (n === null) {
        outcome.value = "closed";
        return;
      }
      const text = new TextDecoder().decode(buf.subarray(0, n));
      outcome.value = text.startsWith("HTTP/1.1 503") ? "503" : "closed";
    } catch {
      // reset by the server, or closed by us at the end of the hold
      if (outcome.value === "open") outcome.value = "closed";
    }
  })();
}

/** One GET /health over a fresh connection with a deadline. */
async function probe(url: string, timeoutMs: number): Promise<{ status: number; ms: number }> {
  const start = performance.now();
  try {
    const res = await fetch(`${url}health`, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { connection: "close" },
    });
    await res.body?.cancel();
    return { status: res.status, ms: performance.now() - start };
  } catch {
    return { status: 0, ms: performance.now() - start };
  }
}

/**
 * Runs the flood against `url` (must be loopback) and reports what happened.
 * @throws {RangeError} when `url` is not on 127.0.0.1 / localhost / ::1
 */
export async function soak(url: string, options: SoakOptions): Promise<SoakReport> {
  const target = new URL(url);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(target.hostname)) {
    throw new RangeError(`Cannot soak ${url}: only loopback servers are flooded`);
  }
  const hostname = target.hostname === "[::1]" ? "::1" : target.hostname;
  const port = Number(target.port);
  const trickleMs = options.trickleMs ?? 500;
  const probeMs = options.probeMs ?? 250;
  const conns: { conn: Deno.Conn; outcome: { value: Outcome }; slow: boolean }[] = [];
  let connectFailed = 0;
  const watchers: Promise<void>[] = [];

  const open = async (slow: boolean) => {
    try {
      const conn = await Deno.connect({ hostname, port });
      const entry = { conn, outcome: { value: "open" as Outcome }, slow };
      conns.push(entry);
      watchers.push(watch(conn, entry.outcome));
    } catch {
      connectFailed++;
    }
  };
  // Open in waves of 200 so the listen backlog is not the thing being measured.
  for (let i = 0; i < options.connections; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, options.connections - i) }, () => open(false)),
    );
  }
  for (let i = 0; i < options.slowloris; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, options.slowloris - i) }, () => open(true)),
    );
  }

  const head = new TextEncoder().encode(
    "POST /classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
      "X-Padding: " + "a".repeat(4000),
  );
  let sent = 0;
  const trickle = setInterval(() => {
    const byte = head.subarray(sent % head.length, sent % head.length + 1);
    sent++;
    for (const c of conns) {
      if (c.slow && c.outcome.value === "open") c.conn.write(byte).catch(() => {});
    }
  }, trickleMs);

  const probes = { total: 0, ok: 0, status503: 0, failed: 0, maxMs: 0 };
  const deadline = Date.now() + options.holdMs;
  while (Date.now() < deadline) {
    const { status, ms } = await probe(url, 5000);
    probes.total++;
    probes.maxMs = Math.max(probes.maxMs, Math.round(ms));
    if (status === 200) probes.ok++;
    else if (status === 503) probes.status503++;
    else probes.failed++;
    await new Promise((resolve) => setTimeout(resolve, probeMs));
  }
  clearInterval(trickle);

  const count = (value: Outcome, slow?: boolean) =>
    conns.filter((c) => c.outcome.value === value && (slow === undefined || c.slow === slow))
      .length;
  const report: Omit<SoakReport, "healthyAfter"> = {
    opened: conns.length,
    connectFailed,
    answered503: count("503"),
    closedByServer: count("closed"),
    stillOpen: count("open"),
    slowlorisClosed: conns.filter((c) => c.slow && c.outcome.value !== "open").length,
    probes,
  };
  for (const c of conns) {
    try {
      c.conn.close();
    } catch {
      // closed already
    }
  }
  await Promise.all(watchers);
  const after = await probe(url, 5000);
  return { ...report, healthyAfter: after.status === 200 };
}
