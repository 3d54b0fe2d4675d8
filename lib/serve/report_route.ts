/**
 * `POST /report`: a chat export in the body (DiscordChatExporter JSON or CSV, or a conversations
 * CSV/JSONL), the community report out — the same `report.json`, `unanswered.csv` and HTML page
 * `deno task report` writes. The body is read as a stream by the same streaming readers, never
 * written to disk (serve.ts's HTTP server holds a body whole, up to this route's limit, before
 * the handler runs): nothing is kept after the response.
 * @module
 */

import { readExportBytes } from "../data/discord/read.ts";
import { emptyReadStats, type ReadProblem } from "../data/discord/types.ts";
import { buildReport, type CommunityReport } from "../report/build.ts";
import { withAnswerContext } from "../report/classify.ts";
import { reportFiles } from "../report/write.ts";
import type { PredictFn } from "./classifier.ts";
import { HttpError } from "./http_error.ts";

/** Largest export `POST /report` accepts by default: 20 MiB. */
export const DEFAULT_REPORT_BODY_LIMIT = 20 * 1024 * 1024;

/** What `POST /report` answers. */
export interface ReportResponse {
  report: CommunityReport;
  /** The report as the standalone page `deno task report` writes as index.html. */
  html: string;
  /** `unanswered.csv` text. */
  unansweredCsv: string;
  /** Rows or parts of the file that could not be read (the rest was). */
  problems: { line?: number; reason: string }[];
}

/** Options of {@linkcode handleReport}. */
export interface ReportRouteOptions {
  /** Largest accepted body in bytes. @default DEFAULT_REPORT_BODY_LIMIT */
  bodyLimit?: number;
  /** Model run id, shown in the report. */
  model?: string;
}

const EXTENSIONS: Record<string, string> = {
  "application/json": ".json",
  "text/csv": ".csv",
  "application/x-ndjson": ".jsonl",
  "application/jsonl": ".jsonl",
};

/**
 * Handles `POST /report?name=FILE[&since=…&until=…&channel=…&minConfidence=…]`. The file type
 * comes from `name`'s extension, else from the Content-Type.
 * @throws {HttpError} 415 for another media type, 413 over the body limit, 422 when the file is
 * not an export of a known shape (the message says what is wrong)
 */
export async function handleReport(
  req: Request,
  url: URL,
  predict: PredictFn,
  options: ReportRouteOptions = {},
): Promise<Response> {
  const limit = options.bodyLimit ?? DEFAULT_REPORT_BODY_LIMIT;
  const name = (url.searchParams.get("name") ?? "").replace(/[\\/]/g, "_").slice(0, 200);
  const mediaType = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const nameExt = /\.(json|csv|jsonl|ndjson)$/i.exec(name)?.[0]?.toLowerCase();
  const ext = nameExt ?? EXTENSIONS[mediaType];
  if (!ext) {
    throw new HttpError(
      415,
      `Cannot read the upload: send a .json, .csv or .jsonl export (got ${
        name ? `"${name}"` : `Content-Type "${mediaType || "none"}"`
      })`,
    );
  }
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const label = nameExt ? name : `${name || "upload"}${ext}`;
  if (!req.body) throw new HttpError(400, "Cannot read the upload: the body is empty");
  const stats = emptyReadStats();
  const problems: ReadProblem[] = [];
  const since = url.searchParams.get("since") ?? undefined;
  const until = url.searchParams.get("until") ?? undefined;
  const channel = url.searchParams.get("channel");
  const minConfidence = url.searchParams.get("minConfidence");
  let report: CommunityReport;
  try {
    report = await buildReport(
      readExportBytes(label, limited(req.body, limit), {
        stats,
        onProblem: (p) => problems.push(p),
      }),
      withAnswerContext(async (messages) => {
        // let other requests run between batches: a sync predictor would hold the loop
        await new Promise((resolve) => setTimeout(resolve, 0));
        return predict(messages.map((m) => m.text));
      }, 20),
      {
        stats,
        sourcePath: label,
        model: options.model,
        since: since || undefined,
        until: until || undefined,
        channels: channel ? channel.split(",").map((c) => c.trim()).filter(Boolean) : undefined,
        minConfidence: minConfidence ? confidenceParam(minConfidence) : undefined,
        batchSize: 512,
      },
    );
  } catch (error) {
    if (error instanceof RangeError) throw new HttpError(422, error.message);
    throw error;
  }
  if (stats.failedFiles > 0) {
    throw new HttpError(422, problems.at(-1)?.reason ?? `Cannot read "${label}"`);
  }
  const files = reportFiles(report);
  const body: ReportResponse = {
    report,
    html: files["index.html"]!,
    unansweredCsv: files["unanswered.csv"]!,
    problems: problems.map((p) => ({
      ...(p.line === undefined ? {} : { line: p.line }),
      reason: p.reason,
    })),
  };
  return new Response(JSON.stringify(body), {
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    `Cannot read the upload: it is larger than ${limit} bytes (${
      Math.round(limit / 1048576)
    } MiB); run \`deno task report --in EXPORT\` for bigger exports`,
  );
}

/** `minConfidence` as a number; its text in the message when it is none ("NaN" said nothing). */
function confidenceParam(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw new RangeError(`Cannot use minConfidence "${text}": it must be a number in [0, 1]`);
  }
  return value;
}

/** The body's bytes, stopping with 413 past `limit` and 400 when there are none. */
async function* limited(
  body: ReadableStream<Uint8Array>,
  limit: number,
): AsyncGenerator<Uint8Array> {
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge(limit);
    yield chunk;
  }
  if (size === 0) throw new HttpError(400, "Cannot read the upload: the body is empty");
}

/** The OpenAPI path item of `POST /report`. */
export function reportOpenApiPath(limit: number): Record<string, unknown> {
  const problem = (description: string) => ({
    description,
    content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  });
  const text = { schema: { type: "string" } };
  return {
    post: {
      summary: "Community report of a chat export (DiscordChatExporter JSON or CSV, or a " +
        `conversations CSV/JSONL), at most ${limit} bytes; nothing is stored`,
      parameters: [
        { name: "name", in: "query", schema: { type: "string" }, description: "file name" },
        { name: "since", in: "query", schema: { type: "string", format: "date-time" } },
        { name: "until", in: "query", schema: { type: "string", format: "date-time" } },
        { name: "channel", in: "query", schema: { type: "string" } },
        { name: "minConfidence", in: "query", schema: { type: "number", minimum: 0, maximum: 1 } },
      ],
      requestBody: {
        required: true,
        content: {
          "application/json": text,
          "text/csv": text,
          "application/x-ndjson": text,
          "application/octet-stream": text,
        },
      },
      responses: {
        "200": {
          description: "The report, its page (HTML) and unanswered.csv",
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["report", "html", "unansweredCsv", "problems"],
                properties: {
                  report: { type: "object" },
                  html: { type: "string" },
                  unansweredCsv: { type: "string" },
                  problems: { type: "array", items: { type: "object" } },
                },
              },
            },
          },
        },
        "400": problem("The body is empty"),
        "413": problem(`The export is larger than ${limit} bytes`),
        "415": problem("Not a .json, .csv or .jsonl export"),
        "422": problem("The file is not an export of a known shape, or a filter is invalid"),
        "503": problem("The model is still loading"),
      },
    },
  };
}
