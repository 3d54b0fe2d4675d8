/**
 * Request logging: one line per request with method, path, status and duration — never the
 * query string or body, which may hold the user's text.
 * @module
 */

import type { Handler } from "./handler.ts";

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
