/**
 * A small HTTP/1.1 server over `Deno.listen` that, unlike `Deno.serve`, bounds what clients can
 * hold: a connection cap (at the cap the oldest idle keep-alive connection is closed to make room;
 * with none idle the newcomer is answered 503 with `Retry-After` and closed), an in-flight
 * cap, a deadline for the request head (slowloris), for the body (extended while it keeps
 * arriving at a minimum rate, so a steady large upload is not cut) and for the handler, and an
 * accept loop that survives running out of file handles (EMFILE) by logging and shedding load.
 *
 * Bodies are read whole (up to `maxBodyBytes`) before the handler runs, so a client that hangs up
 * mid-body never reaches the handler: the connection is closed and counted, nothing is a 500.
 * @module
 */

/** A request handler, as `Deno.serve` takes it. */
export type FetchHandler = (req: Request) => Response | Promise<Response>;

/** A request as read off the wire, before any `Request` object is built. */
export interface RawRequest {
  /** E.g. `POST`. */
  method: string;
  /** The request target as sent, e.g. `/classify` (query included). */
  target: string;
  /** Header fields in the order sent, names as sent, values trimmed. */
  headers: readonly (readonly [string, string])[];
  /** The whole body, or undefined when there is none. */
  body: Uint8Array | undefined;
}

/** A response written as is: no `Response` object, no body stream. */
export interface RawResponse {
  /** The HTTP status, e.g. 200. */
  status: number;
  /** Header lines, each `name: value\r\n` (the server adds date, content-length, connection). */
  headers: string;
  /** The body. */
  body: string;
}

/**
 * Answers the requests it knows (e.g. the hot `POST /classify`) without building `Request` and
 * `Response` objects, which cost more than the rest of such a request; returns `undefined` for
 * every other request, which then goes to the handler. Deadlines, caps and errors apply alike.
 */
export type RawRoute = (req: RawRequest) => Promise<RawResponse | Response> | undefined;

/** Options of {@linkcode serveHttp1}. */
export interface Http1Options {
  /** Port to listen on; 0 picks a free one. @default 8000 */
  port?: number;
  /** Address to listen on. @default "0.0.0.0" */
  hostname?: string;
  /** Most open connections; more are answered 503 and closed at once. @default 512 */
  maxConnections?: number;
  /** Most requests inside the handler at once; more are answered 503. @default 256 */
  maxInFlight?: number;
  /** Time allowed for a request head to arrive, counted from the end of the previous response
   * (or the connection's start): also the keep-alive idle time. @default 10000 */
  headerTimeoutMs?: number;
  /** Time allowed for a request body to arrive once its head is in, before it earns more by
   * arriving steadily (see `minBodyBytesPerSecond`). @default 10000 */
  bodyTimeoutMs?: number;
  /**
   * Slowest body the server waits for past `bodyTimeoutMs`: each byte received earns
   * `1 / minBodyBytesPerSecond` s more, so a steady upload (a 20 MiB export over a slow line) is
   * never cut, while a trickle slower than this, or a body that stalls for `bodyTimeoutMs`, still
   * is. @default 16384
   */
  minBodyBytesPerSecond?: number;
  /** Time the handler may take before the client gets a 503 and the connection closes.
   * @default 30000 */
  requestTimeoutMs?: number;
  /** Largest request head (request line and headers), in bytes; larger gets 431. @default 16384 */
  maxHeaderBytes?: number;
  /** Largest request body read, in bytes; larger gets 413 and the connection closes.
   * @default 1048576 */
  maxBodyBytes?: number;
  /**
   * Paths (query ignored) allowed a bigger body than `maxBodyBytes`, with their limit, e.g.
   * `{ "/report": 20 << 20 }` for an uploaded chat export. @default {}
   */
  bodyLimits?: Readonly<Record<string, number>>;
  /**
   * Most bodies larger than `maxBodyBytes` read or handled at once (bodies are held whole in
   * memory); another gets 503 with `Retry-After`, so many uploads cannot exhaust memory.
   * @default 2
   */
  maxLargeBodies?: number;
  /** Called with every handler failure (the client gets a bare 500). @default console.error */
  onError?: (error: unknown, req: Request) => void;
  /** Tried before the handler for every request (see {@linkcode RawRoute}). @default undefined */
  raw?: RawRoute;
  /** Receives one line per notable event: shedding, EMFILE, timeouts (rate-limited).
   * @default console.error */
  onEvent?: (line: string) => void;
}

/** Counters of what the server refused or cut, for logs and tests. */
export interface Http1Stats {
  /** Connections open now. */
  connections: number;
  /** Requests inside the handler now. */
  inFlight: number;
  /** Connections accepted since start. */
  accepted: number;
  /** Idle keep-alive connections closed to make room for a new one at the cap. */
  evicted: number;
  /** Connections answered 503 at accept because the cap was reached and none was idle. */
  rejectedConnections: number;
  /** Requests answered 503 because `maxInFlight` were running. */
  rejectedRequests: number;
  /** Connections closed because a head, body or handler deadline passed. */
  timedOut: number;
  /** Connections whose client hung up before its request body was complete. */
  abortedBodies: number;
  /** Requests refused before the handler as malformed (400, 413, 431). */
  malformed: number;
  /** Accept errors such as EMFILE (each one backed off). */
  acceptErrors: number;
}

/** A running server. */
export interface Http1Server {
  /** The address it listens on (the real port when 0 was asked). */
  readonly addr: Deno.NetAddr;
  /** Resolves once the server has stopped; never rejects. */
  readonly finished: Promise<void>;
  /** Stops accepting, lets requests in the handler finish, closes every connection. */
  shutdown(): Promise<void>;
  /** Current counters. */
  stats(): Http1Stats;
}

const REASONS: Record<number, string> = {
  100: "Continue",
  200: "OK",
  201: "Created",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  304: "Not Modified",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  411: "Length Required",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
};

const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.([01])$/;
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const CONTINUE = encoder.encode("HTTP/1.1 100 Continue\r\n\r\n");

/** Which deadline a connection is under. */
type Phase = "head" | "body" | "handler" | "write";

interface Connection {
  conn: Deno.Conn;
  phase: Phase;
  /** `Date.now()` after which the sweeper acts. */
  deadline: number;
  /** Set while the handler runs: answers the request with a 503 when its deadline passes. */
  expire?: () => void;
  closed: boolean;
  /** Waiting for a request with no byte of it received: the first to go when full. */
  idle: boolean;
  /** Holds one of the `maxLargeBodies` slots for its current request. */
  large: boolean;
}

/** A problem+json response body built without the handler (e.g. 503 when full). */
function problemBytes(status: number, detail: string, extra: Record<string, string> = {}) {
  const body = JSON.stringify({
    type: "about:blank",
    title: REASONS[status] ?? "Error",
    status,
    detail,
  });
  let head = `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\n` +
    `content-type: application/problem+json\r\ncontent-length: ${encoder.encode(body).length}\r\n`;
  for (const [name, value] of Object.entries(extra)) head += `${name}: ${value}\r\n`;
  return encoder.encode(`${head}\r\n${body}`);
}

/** Index of `\r\n\r\n` in `buf[from, to)`, or -1. */
function findHeadEnd(buf: Uint8Array, from: number, to: number): number {
  for (let i = Math.max(from, 0); i + 3 < to; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  }
  return -1;
}

/** Thrown inside a connection for a request refused before the handler. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * Starts the server. `handler` gets standard `Request`s whose body is already in memory.
 *
 * @example
 * ```ts ignore
 * const server = serveHttp1(() => new Response("hi"), { port: 0, maxConnections: 100 });
 * await server.shutdown();
 * ```
 */
export function serveHttp1(handler: FetchHandler, options: Http1Options = {}): Http1Server {
  const config = {
    maxConnections: options.maxConnections ?? 512,
    maxInFlight: options.maxInFlight ?? 256,
    headerTimeoutMs: options.headerTimeoutMs ?? 10_000,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 10_000,
    minBodyBytesPerSecond: options.minBodyBytesPerSecond ?? 16_384,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    maxHeaderBytes: options.maxHeaderBytes ?? 16_384,
    maxBodyBytes: options.maxBodyBytes ?? 1_048_576,
    maxLargeBodies: options.maxLargeBodies ?? 2,
  };
  const bodyLimits = new Map(Object.entries(options.bodyLimits ?? {}));
  let largeBodies = 0;
  /** Takes a large-body slot for `c`'s request, or refuses it with 503 when none is free. */
  const takeLargeSlot = (c: Connection) => {
    if (c.large) return;
    if (largeBodies >= config.maxLargeBodies) {
      stats.rejectedRequests++;
      event("large", `serve: ${config.maxLargeBodies} large bodies in progress; answering 503`);
      throw new Refusal(503, "The server is busy with other uploads; retry shortly", {
        "retry-after": "5",
      });
    }
    largeBodies++;
    c.large = true;
  };
  /** A body of `size` past maxBodyBytes: 413 over its path's limit, else a large-body slot. */
  const takeLargeBody = (c: Connection, target: string, size: number) => {
    const query = target.indexOf("?");
    const max = bodyLimits.get(query === -1 ? target : target.slice(0, query)) ??
      config.maxBodyBytes;
    if (size > max) throw new Refusal(413, `Cannot read body: it is larger than ${max} bytes`);
    takeLargeSlot(c);
  };
  const msPerBodyByte = 1000 / config.minBodyBytesPerSecond;
  /**
   * Moves the body deadline of `c` (whose body started at `since`) for `received` bytes: the time
   * they earned at the slowest allowed rate, but never more than `bodyTimeoutMs` past now, so a
   * stall is cut as soon as a trickle. Only bodies that need more than one read come here.
   */
  const earn = (c: Connection, since: number, received: number) => {
    c.deadline = Math.min(
      since + config.bodyTimeoutMs + received * msPerBodyByte,
      Date.now() + config.bodyTimeoutMs,
    );
  };
  const releaseLargeSlot = (c: Connection) => {
    if (!c.large) return;
    c.large = false;
    largeBodies--;
  };
  const onError = options.onError ??
    ((error: unknown, req: Request) =>
      console.error(`${req.method} ${new URL(req.url).pathname} failed:`, error));
  const onEvent = options.onEvent ?? ((line: string) => console.error(line));
  const listener = Deno.listen({
    port: options.port ?? 8000,
    hostname: options.hostname ?? "0.0.0.0",
  });
  const addr = listener.addr as Deno.NetAddr;
  const base = `http://${
    addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname
  }:${addr.port}`;
  const stats: Http1Stats = {
    connections: 0,
    inFlight: 0,
    accepted: 0,
    evicted: 0,
    rejectedConnections: 0,
    rejectedRequests: 0,
    timedOut: 0,
    abortedBodies: 0,
    malformed: 0,
    acceptErrors: 0,
  };
  const open = new Set<Connection>();
  const full = problemBytes(503, "The server is at its connection limit; retry shortly", {
    "retry-after": "1",
    connection: "close",
  });
  let stopping = false;
  let idleWaiters: (() => void)[] = [];

  // Events that can come in floods (shedding, EMFILE) are reported at most once a second.
  const lastEvent = new Map<string, number>();
  const suppressed = new Map<string, number>();
  const event = (kind: string, line: string) => {
    const now = Date.now();
    if (now - (lastEvent.get(kind) ?? 0) < 1000) {
      suppressed.set(kind, (suppressed.get(kind) ?? 0) + 1);
      return;
    }
    const more = suppressed.get(kind) ?? 0;
    suppressed.delete(kind);
    lastEvent.set(kind, now);
    onEvent(more > 0 ? `${line} (+${more} more since the last report)` : line);
  };

  let date = new Date().toUTCString();
  const sweepEvery = Math.max(
    50,
    Math.min(
      1000,
      config.headerTimeoutMs / 4,
      config.bodyTimeoutMs / 4,
      config.requestTimeoutMs / 4,
    ),
  );
  const sweeper = setInterval(() => {
    const now = Date.now();
    date = new Date(now).toUTCString();
    for (const c of open) {
      if (now <= c.deadline || c.closed) continue;
      stats.timedOut++;
      if (c.phase === "handler" && c.expire) {
        c.expire();
      } else {
        event("timeout", `serve: closed a connection that timed out in its ${c.phase}`);
        close(c);
      }
    }
  }, sweepEvery);
  Deno.unrefTimer(sweeper);

  function close(c: Connection) {
    if (c.closed) return;
    c.closed = true;
    releaseLargeSlot(c);
    open.delete(c);
    stats.connections--;
    try {
      c.conn.close();
    } catch {
      // already closed by the peer
    }
    if (open.size === 0 && idleWaiters.length > 0) {
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    }
  }

  async function writeAll(c: Connection, bytes: Uint8Array) {
    for (let done = 0; done < bytes.length;) done += await c.conn.write(bytes.subarray(done));
  }

  async function serveConnection(c: Connection) {
    let buf: Uint8Array<ArrayBuffer> = new Uint8Array(4096);
    let start = 0; // first unread byte of the current request
    let end = 0; // end of the bytes read so far
    const read = async (): Promise<boolean> => {
      if (end === buf.length) {
        if (start > 0) {
          buf.copyWithin(0, start, end);
          end -= start;
          start = 0;
        } else {
          const bigger = new Uint8Array(buf.length * 2);
          bigger.set(buf);
          buf = bigger;
        }
      }
      const n = await c.conn.read(buf.subarray(end));
      if (n === null) return false;
      end += n;
      return true;
    };

    while (!c.closed && !stopping) {
      if (c.large) releaseLargeSlot(c); // the previous request on this connection is answered
      // --- head ---
      c.phase = "head";
      c.deadline = Date.now() + config.headerTimeoutMs;
      let headEnd = findHeadEnd(buf, start, end);
      let scanned = end;
      while (headEnd === -1) {
        if (end - start > config.maxHeaderBytes) {
          throw new Refusal(431, "Cannot read request: its head is larger than the limit");
        }
        c.idle = start === end;
        const more = await read();
        c.idle = false;
        if (!more) return; // the client closed between requests: normal
        headEnd = findHeadEnd(buf, scanned - 3, end);
        scanned = end;
      }
      if (headEnd - start > config.maxHeaderBytes) {
        throw new Refusal(431, "Cannot read request: its head is larger than the limit");
      }
      const lines = latin1.decode(buf.subarray(start, headEnd)).split("\r\n");
      start = headEnd + 4;
      const requestLine = REQUEST_LINE.exec(lines[0]!);
      if (!requestLine) throw new Refusal(400, "Cannot read request: malformed request line");
      const [, method, target, minor] = requestLine as unknown as [string, string, string, string];
      const headers: [string, string][] = [];
      let contentLength: number | undefined;
      let chunked = false;
      let keepAlive = minor === "1";
      let expectContinue = false;
      let host: string | undefined;
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i]!;
        const colon = line.indexOf(":");
        const name = colon > 0 ? line.slice(0, colon) : "";
        if (!TOKEN.test(name)) throw new Refusal(400, "Cannot read request: malformed header");
        const value = line.slice(colon + 1).trim();
        const lower = name.toLowerCase();
        if (lower === "content-length") {
          if (
            !/^\d{1,15}$/.test(value) || contentLength !== undefined && contentLength !== +value
          ) {
            throw new Refusal(400, "Cannot read request: malformed Content-Length");
          }
          contentLength = Number(value);
        } else if (lower === "transfer-encoding") {
          if (value.toLowerCase() !== "chunked" || chunked) {
            // 400 rather than 501, as Node does: the client's framing is unusable.
            throw new Refusal(
              400,
              "Cannot read request: only chunked transfer coding is supported",
            );
          }
          chunked = true;
        } else if (lower === "connection") {
          const tokens = value.toLowerCase();
          if (tokens.includes("close")) keepAlive = false;
          else if (tokens.includes("keep-alive")) keepAlive = true;
        } else if (lower === "expect") {
          if (value.toLowerCase() !== "100-continue") {
            throw new Refusal(400, "Cannot read request: unsupported Expect");
          }
          expectContinue = true;
        } else if (lower === "host") {
          host = value;
        }
        headers.push([name, value]);
      }
      if (chunked && contentLength !== undefined) {
        throw new Refusal(400, "Cannot read request: both Content-Length and Transfer-Encoding");
      }
      if (!target.startsWith("/") && !/^https?:\/\//i.test(target)) {
        throw new Refusal(400, "Cannot read request: unsupported request target");
      }
      // built only for the handler (a raw route needs no URL)
      const url = () =>
        target.startsWith("/")
          ? `${host !== undefined && HOST.test(host) ? `http://${host}` : base}${target}`
          : target;

      // --- body ---
      let body: Uint8Array<ArrayBuffer> | undefined;
      // Only a body past maxBodyBytes looks up its path's own limit: the hot path is unchanged.
      if (contentLength !== undefined && contentLength > config.maxBodyBytes) {
        takeLargeBody(c, target, contentLength);
      }
      if ((contentLength ?? 0) > 0 || chunked) {
        c.phase = "body";
        const since = Date.now();
        c.deadline = since + config.bodyTimeoutMs;
        if (expectContinue) await writeAll(c, CONTINUE);
        if (chunked) {
          const parts: Uint8Array<ArrayBuffer>[] = [];
          let size = 0;
          while (true) {
            let lineEnd: number;
            while ((lineEnd = indexOfCrlf(buf, start, end)) === -1) {
              if (end - start > 1024) throw new Refusal(400, "Cannot read body: bad chunk");
              if (!await read()) return aborted();
              earn(c, since, size + end - start);
            }
            const sizeText = latin1.decode(buf.subarray(start, lineEnd)).split(";")[0]!.trim();
            if (!/^[0-9A-Fa-f]{1,8}$/.test(sizeText)) {
              throw new Refusal(400, "Cannot read body: bad chunk size");
            }
            const chunkSize = parseInt(sizeText, 16);
            start = lineEnd + 2;
            if (size + chunkSize > config.maxBodyBytes) takeLargeBody(c, target, size + chunkSize);
            if (chunkSize === 0) {
              // Trailers (ignored) end with an empty line.
              while (true) {
                while ((lineEnd = indexOfCrlf(buf, start, end)) === -1) {
                  if (end - start > config.maxHeaderBytes) {
                    throw new Refusal(431, "Cannot read body: trailers too large");
                  }
                  if (!await read()) return aborted();
                }
                const empty = lineEnd === start;
                start = lineEnd + 2;
                if (empty) break;
              }
              break;
            }
            while (end - start < chunkSize + 2) {
              if (!await read()) return aborted();
              earn(c, since, size + end - start);
            }
            if (buf[start + chunkSize] !== 13 || buf[start + chunkSize + 1] !== 10) {
              throw new Refusal(400, "Cannot read body: bad chunk terminator");
            }
            parts.push(buf.slice(start, start + chunkSize));
            size += chunkSize;
            start += chunkSize + 2;
          }
          body = new Uint8Array(size);
          let offset = 0;
          for (const part of parts) {
            body.set(part, offset);
            offset += part.length;
          }
        } else {
          const length = contentLength!;
          if (end - start >= length) {
            body = buf.slice(start, start + length);
            start += length;
          } else {
            body = new Uint8Array(length);
            let got = end - start;
            body.set(buf.subarray(start, end));
            start = end = 0;
            while (got < length) {
              const n = await c.conn.read(body.subarray(got));
              if (n === null) return aborted();
              got += n;
              earn(c, since, got);
            }
          }
        }
      }
      if (start === end) start = end = 0;

      // --- handler ---
      const head = method === "HEAD";
      let response: Response | RawResponse;
      let closeAfter = !keepAlive;
      if (stats.inFlight >= config.maxInFlight) {
        stats.rejectedRequests++;
        event("shed", `serve: ${config.maxInFlight} requests in flight; answering 503`);
        await writeAll(
          c,
          problemBytes(503, "The server is busy; retry shortly", {
            "retry-after": "1",
            ...(closeAfter ? { connection: "close" } : {}),
          }),
        );
        if (closeAfter) return close(c);
        continue;
      }
      let quick: Promise<Response | RawResponse> | undefined;
      try {
        quick = options.raw?.({ method, target, headers, body });
      } catch (error) {
        quick = Promise.reject(error); // a bug in the route: a 500, as from the handler
      }
      let req: Request | undefined;
      // what onError is told of a request the raw route took
      const described = () => {
        try {
          return new Request(url(), { method });
        } catch {
          return new Request(url()); // a method `Request` refuses, e.g. CONNECT
        }
      };
      if (!quick) {
        try {
          req = new Request(url(), {
            method,
            headers,
            body: body && method !== "GET" && !head ? body : undefined,
          });
        } catch (error) {
          throw new Refusal(
            400,
            `Cannot read request: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
      c.phase = "handler";
      c.deadline = Date.now() + config.requestTimeoutMs;
      stats.inFlight++;
      try {
        response = await new Promise<Response | RawResponse>((resolve, reject) => {
          c.expire = () => {
            closeAfter = true;
            event("deadline", `serve: ${method} ${new URL(url()).pathname} passed its deadline`);
            resolve(
              new Response(
                JSON.stringify({
                  type: "about:blank",
                  title: "Service Unavailable",
                  status: 503,
                  detail: "The request took too long; retry shortly",
                }),
                {
                  status: 503,
                  headers: { "content-type": "application/problem+json", "retry-after": "1" },
                },
              ),
            );
          };
          try {
            Promise.resolve(quick ?? handler(req!)).then(resolve, reject);
          } catch (error) {
            reject(error);
          }
        });
      } catch (error) {
        onError(error, req ?? described());
        response = new Response("Internal Server Error", { status: 500 });
      } finally {
        stats.inFlight--;
        c.expire = undefined;
      }
      if (c.closed) return;

      // --- write ---
      c.phase = "write";
      c.deadline = Date.now() + config.requestTimeoutMs;
      if (stopping) closeAfter = true;
      if (!(response instanceof Response)) {
        await writeAll(c, rawBytes(response, date, closeAfter));
        if (closeAfter) return close(c);
        continue;
      }
      let payload: Uint8Array;
      try {
        payload = response.body && !head ? await response.bytes() : new Uint8Array(0);
      } catch (error) {
        onError(error, req ?? described());
        response = new Response(null, { status: 500 });
        payload = new Uint8Array(0);
      }
      const status = response.status;
      let text = `HTTP/1.1 ${status} ${REASONS[status] ?? response.statusText ?? "Status"}\r\n` +
        `date: ${date}\r\n`;
      for (const [name, value] of response.headers) {
        if (name === "content-length" || name === "connection" || name === "transfer-encoding") {
          continue;
        }
        text += `${name}: ${value}\r\n`;
      }
      if (status !== 204 && status !== 304 && !(head && response.body === null)) {
        text += `content-length: ${
          head ? response.headers.get("content-length") ?? 0 : payload.length
        }\r\n`;
      }
      if (closeAfter) text += "connection: close\r\n";
      text += "\r\n";
      const headBytes = encoder.encode(text);
      const out = new Uint8Array(headBytes.length + payload.length);
      out.set(headBytes);
      out.set(payload, headBytes.length);
      await writeAll(c, out);
      if (closeAfter) return close(c);
    }

    function aborted() {
      stats.abortedBodies++;
      event("aborted", "serve: a client closed its connection mid-body");
    }
  }

  async function handleConnection(conn: Deno.Conn) {
    const c: Connection = {
      conn,
      phase: "head",
      deadline: 0,
      closed: false,
      idle: true,
      large: false,
    };
    open.add(c);
    stats.connections++;
    try {
      (conn as Deno.TcpConn).setNoDelay(true);
    } catch {
      // not a TCP socket
    }
    try {
      await serveConnection(c);
    } catch (error) {
      if (error instanceof Refusal && !c.closed) {
        if (error.status !== 503) stats.malformed++;
        try {
          await writeAll(
            c,
            problemBytes(error.status, error.message, { ...error.headers, connection: "close" }),
          );
        } catch {
          // the client is gone
        }
      }
      // Anything else is the peer resetting or a deadline closing the socket.
    } finally {
      close(c);
    }
  }

  /** Closes the oldest connection that is waiting without a byte of a request; false if none. */
  function evictIdle(): boolean {
    for (const c of open) {
      if (c.idle && !c.closed) {
        stats.evicted++;
        event("evict", `serve: ${config.maxConnections} connections open; closing idle ones`);
        close(c);
        return true;
      }
    }
    return false;
  }

  function reject(conn: Deno.Conn) {
    stats.rejectedConnections++;
    event("full", `serve: ${config.maxConnections} connections open; answering 503`);
    conn.write(full).catch(() => {}).finally(() => {
      try {
        conn.close();
      } catch {
        // already closed
      }
    });
  }

  const finished = (async () => {
    while (!stopping) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopping || error instanceof Deno.errors.BadResource) break;
        stats.acceptErrors++;
        event(
          "accept",
          `serve: cannot accept a connection: ${
            error instanceof Error ? error.message : String(error)
          }; shedding load`,
        );
        // Usually EMFILE: wait for handles to free instead of spinning.
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      stats.accepted++;
      if (open.size >= config.maxConnections && !evictIdle()) reject(conn);
      else void handleConnection(conn);
    }
  })();

  let stopped: Promise<void> | undefined;
  const shutdown = () => {
    stopped ??= (async () => {
      stopping = true;
      try {
        listener.close();
      } catch {
        // already closed
      }
      await finished;
      // Idle connections go now; busy ones once their response is written (or after 5 s).
      for (const c of open) if (c.phase === "head") close(c);
      if (open.size > 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          new Promise<void>((resolve) => idleWaiters.push(resolve)),
          new Promise<void>((resolve) => timer = setTimeout(resolve, 5000)),
        ]);
        clearTimeout(timer);
        for (const c of open) close(c);
      }
      clearInterval(sweeper);
    })();
    return stopped;
  };

  const whenStopped = finished.then(() => shutdown());
  return {
    addr,
    finished: whenStopped,
    shutdown,
    stats: () => ({ ...stats }),
  };
}

/** The bytes of a raw response: status line, its headers, date, length, body. */
function rawBytes(response: RawResponse, date: string, closeAfter: boolean): Uint8Array {
  const body = encoder.encode(response.body);
  const head = `HTTP/1.1 ${response.status} ${REASONS[response.status] ?? "Status"}\r\n` +
    `date: ${date}\r\n${response.headers}content-length: ${body.length}\r\n` +
    (closeAfter ? "connection: close\r\n\r\n" : "\r\n");
  const headBytes = encoder.encode(head);
  const out = new Uint8Array(headBytes.length + body.length);
  out.set(headBytes);
  out.set(body, headBytes.length);
  return out;
}

/** Index of `\r\n` in `buf[from, to)`, or -1. */
function indexOfCrlf(buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i + 1 < to; i++) if (buf[i] === 13 && buf[i + 1] === 10) return i;
  return -1;
}
