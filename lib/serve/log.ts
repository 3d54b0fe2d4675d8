/**
 * Request logging: one line per request with method, path, status and duration — never the
 * query string or body, which may hold the user's text.
 * @module
 */

import type { Handler } from "./handler.ts";
import type { RawRoute } from "./http1.ts";

/** Formats one log line, e.g. `POST /classify 200 0.8ms`. */
export function formatRequestLine(req: Request, status: number, ms: number): string {
  return `${req.method} ${new URL(req.url).pathname} ${status} ${ms.toFixed(1)}ms`;
}

/** Wraps `handler` so every request is reported to `log` once it has been answered. */
export function withRequestLog(handler: Handler, log: (line: string) => void): Handler {
  return async (req) => {
    const start = performance.now();
    const response = await handler(req);
    log(formatRequestLine(req, response.status, performance.now() - start));
    return response;
  };
}

/** Path of a request target (`/a?b` → `/a`), as `new URL(…).pathname` gives it. */
function pathOf(target: string): string {
  return /^\/[\w/-]*$/.test(target) ? target : new URL(target, "http://localhost").pathname;
}

/** Wraps a raw route so every request it answers is reported to `log`, as
 * {@linkcode withRequestLog} reports the handler's. */
export function withRawRequestLog(route: RawRoute, log: (line: string) => void): RawRoute {
  return (req) => {
    const start = performance.now();
    return route(req)?.then((response) => {
      log(
        `${req.method} ${pathOf(req.target)} ${response.status} ${
          (performance.now() - start).toFixed(1)
        }ms`,
      );
      return response;
    });
  };
}

/** A line logger that batches writes; call `flush()` before exiting. */
export interface BufferedLog {
  (line: string): void;
  flush(): void;
}

/**
 * Collects lines and hands them to `write` together, at most every `intervalMs`: one write per
 * burst instead of one per request keeps logging from halving throughput under load.
 */
export function createBufferedLog(write: (text: string) => void, intervalMs = 50): BufferedLog {
  let lines: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (lines.length === 0) return;
    const text = lines.join("\n") + "\n";
    lines = [];
    write(text);
  };
  const log = (line: string) => {
    lines.push(line);
    timer ??= setTimeout(flush, intervalMs);
  };
  return Object.assign(log, { flush });
}
