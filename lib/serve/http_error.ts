/**
 * HTTP errors: thrown anywhere as {@linkcode HttpError}, turned into `application/problem+json`
 * (RFC 9457) in one place, {@linkcode problemResponse}.
 * @module
 */

/** Reason phrases of the statuses this server sends; also the problem `title`. */
export const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Media type of every error body. */
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** An RFC 9457 problem details object as this server writes it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** For 422: the offending fields, e.g. `[{ "field": "texts[2]", "message": "..." }]`. */
  errors?: { field: string; message: string }[];
}

/** Options of {@linkcode HttpError}. */
export interface HttpErrorOptions {
  /** Extra response headers, e.g. `Allow` for 405 or `Retry-After` for 503. @default {} */
  headers?: Record<string, string>;
  /** Per-field details, for 422. @default undefined */
  errors?: { field: string; message: string }[];
  cause?: unknown;
}

/** An error that maps to an HTTP status; its message is safe to show to clients. */
export class HttpError extends Error {
  /** The HTTP status code, 4xx or 5xx. */
  readonly status: number;
  /** Headers the response must carry. */
  readonly headers: Record<string, string>;
  /** Per-field details (422). */
  readonly errors?: { field: string; message: string }[];

  /** Creates an error for `status` whose `detail` is shown to the client. */
  constructor(status: number, detail: string, options: HttpErrorOptions = {}) {
    super(detail, { cause: options.cause });
    this.name = "HttpError";
    this.status = status;
    this.headers = options.headers ?? {};
    this.errors = options.errors;
  }
}

/** Builds the problem+json response for `error`; anything but an HttpError becomes a bare 500. */
export function problemResponse(error: unknown, instance?: string): Response {
  const http = error instanceof HttpError
    ? error
    : new HttpError(500, "The server failed to handle the request; see its log.");
  const body: Problem = {
    type: "about:blank",
    title: STATUS_TITLES[http.status] ?? "Error",
    status: http.status,
    detail: http.message,
  };
  if (instance !== undefined) body.instance = instance;
  if (http.errors) body.errors = http.errors;
  return new Response(JSON.stringify(body), {
    status: http.status,
    headers: { ...http.headers, "content-type": PROBLEM_CONTENT_TYPE },
  });
}
