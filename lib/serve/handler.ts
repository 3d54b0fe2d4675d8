/**
 * The HTTP handler: routes, validation and responses, as a pure `(Request) => Promise<Response>`
 * that tests call directly and serve.ts hands to `Deno.serve`.
 * @module
 */

import type { ModelBundle } from "../model/bundle.ts";
import { predictProbabilities } from "../infer/predict.ts";
import { predictInContext } from "../infer/context.ts";
import type { Message } from "../data/types.ts";
import { contextMessages } from "./context.ts";
import { createSparsePredictor } from "../infer/sparse.ts";
import { createSparsePool } from "../infer/sparse_pool.ts";
import { readAsset, type StaticAsset } from "./assets.ts";
import { paletteCss } from "../plot/palette.ts";
import { pageFiles, vendorFiles } from "./assets.ts";
import { isJsonMediaType, readJsonBody } from "./body.ts";
import { createMicroBatcher, type PredictFn, toResultJson } from "./classifier.ts";
import { buildExplore, type ExploreData } from "./explore.ts";
import { HttpError, problemResponse } from "./http_error.ts";
import { openApiDocument } from "./openapi.ts";
import { DEFAULT_REPORT_BODY_LIMIT, handleReport } from "./report_route.ts";
import type { RawResponse, RawRoute } from "./http1.ts";
import {
  type ClassifyRequest,
  classifyRequestSchema,
  conversationsQuerySchema,
  parseOrThrow,
  quickClassifyRequest,
} from "./schema.ts";

/** A request handler, as `Deno.serve` takes it. */
export type Handler = (req: Request) => Promise<Response>;

/**
 * What {@linkcode createHandler} returns: the handler, and `raw`, the same answers to the hot
 * `POST /classify` without `Request`/`Response` objects, for `serveHttp1`'s `raw` option.
 */
export interface ServerHandler extends Handler {
  /** Answers a valid `POST /classify` without contexts as the handler would; leaves any other
   * request (including every one the handler would refuse) to the handler. */
  readonly raw: RawRoute;
}

/** Options of {@linkcode createHandler}. */
export interface HandlerOptions {
  /** `Access-Control-Allow-Origin` value (an origin or `*`); unset sends no CORS headers.
   * @default undefined */
  cors?: string;
  /** Largest accepted request body, in bytes. @default 65536 */
  bodyLimit?: number;
  /** Most texts in one batch request. @default 256 */
  maxBatch?: number;
  /** Longest accepted text, in characters. @default 4000 */
  maxTextLength?: number;
  /** Predict sparse embedders (builtin) in plain JS, skipping tfjs' per-call overhead; the
   * numbers are the tfjs model's. Ignored when `predict` is given. @default true */
  fastPath?: boolean;
  /** Merge concurrent requests into one tfjs call (the fast path needs no batching).
   * @default true */
  microBatch?: boolean;
  /** Largest chat export `POST /report` (the "Your server" tab) accepts, in bytes.
   * @default DEFAULT_REPORT_BODY_LIMIT (20 MiB) */
  reportBodyLimit?: number;
  /** Predict sparse embedders (context models too) on this many worker threads, merging
   * concurrent requests into one batch per worker call, so HTTP and prediction use different
   * cores; 0 predicts on the calling thread. Ignored when `predict` is given. @default 0 */
  predictWorkers?: number;
  /** Conversations CSV behind Explore; `null` turns Explore off.
   * @default the model's `metadata.data.path`, else "data/conversations.csv" */
  dataPath?: string | null;
  /** Start computing Explore's predictions as soon as the model is ready, instead of on the
   * first visit (requests are still served in between). @default false */
  preloadExplore?: boolean;
  /** URL path → file of the page and vendor scripts. @default pageFiles() + vendorFiles() */
  assets?: Record<string, string>;
  /** Computes probabilities; a seam for tests. @default predictProbabilities */
  predict?: (bundle: ModelBundle, texts: readonly string[]) => Promise<Float32Array>;
  /** Computes probabilities of messages in conversations (requests with a `context`), for a
   * context model. @default predictInContext */
  predictInContext?: (bundle: ModelBundle, messages: readonly Message[]) => Promise<Float32Array>;
  /** Called with every 5xx cause (client errors are not logged). @default console.error */
  onServerError?: (error: unknown, req: Request) => void;
}

type Route = (req: Request, url: URL, bundle: () => ModelBundle) => Promise<Response> | Response;

const JSON_HEADERS = { "content-type": "application/json" };
const JSON_INIT = { headers: JSON_HEADERS };
const PAGE_CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "frame-ancestors 'none'";

/** Keys of the metadata too big, or too internal, for `GET /model`. */
const PRIVATE_KEYS = new Set(["roc", "testConversations", "history"]);

/**
 * The model's metadata as `GET /model` shows it: no filesystem paths (a path shows as its file
 * name), no ROC curves or held-out id lists — a few KB instead of ~200.
 */
export function publicMetadata(bundle: ModelBundle): unknown {
  const scrub = (value: unknown): unknown => {
    if (typeof value === "string") {
      return /^(\/|[A-Za-z]:[\\/])/.test(value) ? value.split(/[\\/]/).at(-1) : value;
    }
    if (Array.isArray(value)) return value.map(scrub);
    if (value && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value).filter(([key]) => !PRIVATE_KEYS.has(key)).map((
          [key, inner],
        ) => [
          key,
          key === "path" && typeof inner === "string" ? inner.split(/[\\/]/).at(-1) : scrub(inner),
        ]),
      );
    }
    return value;
  };
  return scrub(bundle.metadata);
}

/** A header value a `Request` refuses (`Headers` rejects NUL, CR and LF). */
const UNSAFE_HEADER_VALUE = /[\0\r\n]/;

/** A JSON response. */
function json(data: unknown, status = 200): Response {
  return new Response(JSON.stringify(data), { status, headers: JSON_HEADERS });
}

/**
 * Creates the server's handler. `bundle` may still be loading: until it resolves, `/health` and
 * the model routes answer 503 so a load balancer waits.
 *
 * @example
 * ```ts
 * const handler = createHandler(await loadBundle("models/latest"));
 * const res = await handler(new Request("http://x/classify", {
 *   method: "POST", headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ text: "anyone know a good SQL course?" }),
 * }));
 * ```
 */
export function createHandler(
  bundle: ModelBundle | Promise<ModelBundle>,
  options: HandlerOptions = {},
): ServerHandler {
  const limits = {
    maxBatch: options.maxBatch ?? 256,
    maxTextLength: options.maxTextLength ?? 4000,
  };
  const bodyLimit = options.bodyLimit ?? 65536;
  const predictWith = options.predict ?? predictProbabilities;
  const onServerError = options.onServerError ??
    ((error: unknown, req: Request) =>
      console.error(`${req.method} ${new URL(req.url).pathname} failed:`, error));
  const classifySchema = classifyRequestSchema(limits);
  const reportBodyLimit = options.reportBodyLimit ?? DEFAULT_REPORT_BODY_LIMIT;
  const openApi = JSON.stringify(openApiDocument({ ...limits, bodyLimit, reportBodyLimit }));
  const assetFiles = options.assets ?? { ...pageFiles(), ...vendorFiles() };

  let ready: ModelBundle | undefined;
  let loadError: unknown;
  let predict: PredictFn | undefined;
  const settle = (loaded: ModelBundle) => {
    const workers = options.predict ? 0 : options.predictWorkers ?? 0;
    const threads = workers > 0
      ? createSparsePool(loaded, {
        workers,
        ...(loaded.metadata.context ? { context: loaded.metadata.context.recipe } : {}),
      })
      : undefined;
    const sparse = options.predict || options.fastPath === false || loaded.metadata.context ||
        threads
      ? undefined
      : createSparsePredictor(loaded);
    if (threads) {
      // one batch per worker at a time: what arrives meanwhile goes in the next, larger one
      predict = createMicroBatcher((texts) => threads.predict(texts), loaded.labels.length, {
        maxTexts: limits.maxBatch,
        maxInFlight: workers,
      });
    } else if (sparse) {
      // one kernel call per batch: the weight rows common texts share stay in cache
      predict = createMicroBatcher(
        (texts) => Promise.resolve(sparse(texts)),
        loaded.labels.length,
        { maxTexts: limits.maxBatch },
      );
    } else {
      // tfjs costs ~1 ms per call whatever the batch size, so concurrent requests share calls.
      const direct: PredictFn = (texts) => predictWith(loaded, texts);
      predict = options.microBatch ?? true
        ? createMicroBatcher(direct, loaded.labels.length, { maxTexts: limits.maxBatch })
        : direct;
    }
    ready = loaded;
  };
  if (bundle instanceof Promise) {
    bundle.then(settle, (error) => loadError = error);
  } else {
    settle(bundle);
  }
  const current = (): ModelBundle => {
    if (ready) return ready;
    throw new HttpError(
      503,
      loadError ? "The model failed to load; see the server log" : "The model is still loading",
      { headers: { "retry-after": "1" } },
    );
  };

  let explore: Promise<ExploreData> | undefined;
  const exploreData = (loaded: ModelBundle): Promise<ExploreData> => {
    const path = options.dataPath === undefined
      ? (typeof loaded.metadata.data?.path === "string"
        ? loaded.metadata.data.path
        : "data/conversations.csv")
      : options.dataPath;
    if (path === null) {
      return Promise.reject(new HttpError(404, "Explore is turned off on this server"));
    }
    const testConversations = loaded.metadata.data?.testConversations;
    const heldOut = Array.isArray(testConversations)
      ? new Set(testConversations.map(String))
      : undefined;
    explore ??= buildExplore(path, predict!, { labels: loaded.labels, heldOut }).catch((error) => {
      explore = undefined; // the file may appear later (e.g. after `deno task generate`)
      if (error instanceof Deno.errors.NotFound) {
        throw new HttpError(
          404,
          `No training data to explore: "${path}" does not exist (run \`deno task generate\`)`,
        );
      }
      if (error instanceof SyntaxError || error instanceof TypeError) {
        // a file the readers refuse (not CSV, not an export, binary): a bare 500 and a stack
        // trace said nothing to the person who opened Explore
        throw new HttpError(
          503,
          `Cannot show Explore: its data cannot be read (${error.message}); start serve with ` +
            "another --data, or fix the file",
        );
      }
      throw error;
    });
    return explore;
  };

  /** What `/health` says of Explore's data: ready only once it is loaded. */
  let dataState: "off" | "on-demand" | "loading" | "ready" | "unavailable" =
    options.dataPath === null ? "off" : options.preloadExplore ? "loading" : "on-demand";
  if (options.preloadExplore && options.dataPath !== null) {
    // Failures (e.g. no data file) are reported when someone opens Explore.
    Promise.resolve(bundle).then((loaded) => exploreData(loaded)).then(
      () => dataState = "ready",
      () => dataState = "unavailable",
    );
  }
  let modelJson: string | undefined;
  const modelView = (loaded: ModelBundle) => modelJson ??= JSON.stringify(publicMetadata(loaded));

  const assetCache = new Map<string, Promise<StaticAsset | undefined>>();
  const serveAsset: Route = async (_req, url) => {
    const file = assetFiles[url.pathname]!;
    let pending = assetCache.get(url.pathname);
    if (!pending) {
      pending = readAsset(file, url.pathname.startsWith("/vendor/"));
      assetCache.set(url.pathname, pending);
      pending.catch(() => assetCache.delete(url.pathname));
    }
    const asset = await pending;
    if (!asset) {
      assetCache.delete(url.pathname);
      throw new HttpError(
        404,
        `Cannot serve ${url.pathname}: its file is missing (run \`deno install\`)`,
      );
    }
    const headers: Record<string, string> = {
      "content-type": asset.contentType,
      "cache-control": asset.cacheControl,
    };
    if (url.pathname === "/") headers["content-security-policy"] = PAGE_CSP;
    return new Response(asset.body, { headers });
  };

  const routes: Record<string, Record<string, Route>> = {
    "/health": {
      GET: (_req, _url, model) => {
        const runId = model().metadata.runId;
        if (dataState === "loading") {
          throw new HttpError(503, "The training data for Explore is still loading", {
            headers: { "retry-after": "1" },
          });
        }
        return json({
          status: dataState === "unavailable" ? "degraded" : "ready",
          model: runId,
          data: dataState,
        });
      },
    },
    "/model": { GET: (_req, _url, model) => new Response(modelView(model()), JSON_INIT) },
    "/palette.css": {
      GET: () =>
        new Response(paletteCss(), { headers: { "content-type": "text/css; charset=utf-8" } }),
    },
    "/openapi.json": {
      GET: () => new Response(openApi, { headers: JSON_HEADERS }),
    },
    "/classify": {
      POST: async (req, _url, model) => {
        const loaded = model();
        const body = parseOrThrow(classifySchema, await readJsonBody(req, bodyLimit));
        const texts = body.texts ?? [body.text!];
        const contexts = body.contexts ?? (body.context ? [body.context] : undefined);
        let probabilities: Float32Array;
        if (loaded.metadata.context && contexts?.some((c) => c)) {
          // a context model reads each text after its context; a message-only model ignores it
          const { messages, rows } = contextMessages(texts, contexts);
          const all = await (options.predictInContext ?? predictInContext)(loaded, messages);
          const k = loaded.labels.length;
          probabilities = new Float32Array(texts.length * k);
          rows.forEach((r, i) => probabilities.set(all.subarray(r * k, (r + 1) * k), i * k));
        } else {
          probabilities = await predict!(texts);
        }
        return new Response(classifyJson(loaded, body, probabilities), JSON_INIT);
      },
    },
    "/report": {
      POST: (req, url, model) =>
        handleReport(req, url, predict!, {
          bodyLimit: reportBodyLimit,
          model: model().metadata.runId,
        }),
    },
    "/data/summary": {
      GET: async (_req, _url, model) => json((await exploreData(model())).summary),
    },
    "/data/conversations": {
      GET: async (_req, url, model) => {
        const loaded = model();
        const query = parseOrThrow(
          conversationsQuerySchema,
          Object.fromEntries(url.searchParams),
          "(query)",
        );
        const { conversations } = await exploreData(loaded);
        const matching = conversations.filter((c) =>
          (query.filter === "all" || c.misclassified > 0) &&
          (query.channel === undefined || query.channel === "" || c.channel === query.channel)
        );
        return json({
          total: matching.length,
          offset: query.offset,
          limit: query.limit,
          conversations: matching.slice(query.offset, query.offset + query.limit),
        });
      },
    },
  };
  for (const path of Object.keys(assetFiles)) routes[path] = { GET: serveAsset };

  const corsHeaders = (headers: Headers) => {
    if (!options.cors) return;
    headers.set("access-control-allow-origin", options.cors);
    if (options.cors !== "*") headers.append("vary", "origin");
  };

  // The raw route's answer carries what the handler's would (in the order `Headers` lists them).
  const rawHeaders = (options.cors ? `access-control-allow-origin: ${options.cors}\r\n` : "") +
    "content-type: application/json\r\n" +
    (options.cors && options.cors !== "*" ? "vary: origin\r\n" : "") +
    "x-content-type-options: nosniff\r\n";
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const raw: RawRoute = (req) => {
    if (req.method !== "POST" || req.target !== "/classify" || !req.body) return undefined;
    const loaded = ready;
    if (!loaded || !predict || req.body.length > bodyLimit) return undefined;
    let contentType: string | null = null;
    for (const [name, value] of req.headers) {
      if (UNSAFE_HEADER_VALUE.test(value)) return undefined;
      if (name.length === 12 && name.toLowerCase() === "content-type") {
        if (contentType !== null) return undefined; // the handler sees them joined
        contentType = value;
      }
    }
    if (!isJsonMediaType(contentType)) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(utf8.decode(req.body));
    } catch {
      return undefined;
    }
    const body = quickClassifyRequest(value, limits);
    if (!body) return undefined;
    return predict(body.texts ?? [body.text!]).then(
      (probabilities): RawResponse => ({
        status: 200,
        headers: rawHeaders,
        body: classifyJson(loaded, body, probabilities),
      }),
      (error) => {
        onServerError(error, new Request("http://localhost/classify", { method: "POST" }));
        const response = problemResponse(error, "/classify");
        response.headers.set("x-content-type-options", "nosniff");
        corsHeaders(response.headers);
        return response;
      },
    );
  };

  return Object.assign(async (req: Request) => {
    const url = new URL(req.url);
    let response: Response;
    try {
      const route = routes[url.pathname];
      if (!route) throw new HttpError(404, `Cannot find ${url.pathname}: no such route`);
      const allow = [...Object.keys(route), ...("GET" in route ? ["HEAD"] : []), "OPTIONS"];
      if (req.method === "OPTIONS") {
        response = new Response(null, { status: 204, headers: { allow: allow.join(", ") } });
        if (options.cors) {
          response.headers.set("access-control-allow-methods", allow.join(", "));
          response.headers.set("access-control-allow-headers", "content-type");
          response.headers.set("access-control-max-age", "600");
        }
      } else {
        const method = req.method === "HEAD" ? "GET" : req.method;
        const handle = route[method];
        if (!handle) {
          throw new HttpError(
            405,
            `Cannot ${req.method} ${url.pathname}: allowed are ${allow.join(", ")}`,
            {
              headers: { allow: allow.join(", ") },
            },
          );
        }
        response = await handle(req, url, current);
        if (req.method === "HEAD") {
          response = new Response(null, { status: response.status, headers: response.headers });
        }
      }
    } catch (error) {
      if (!(error instanceof HttpError) || error.status >= 500 && error.status !== 503) {
        onServerError(error, req);
      }
      response = problemResponse(error, url.pathname);
    }
    response.headers.set("x-content-type-options", "nosniff");
    corsHeaders(response.headers);
    return response;
  }, { raw });
}

/** The JSON answer of `POST /classify` for `body`, given its texts' probabilities. */
function classifyJson(
  loaded: ModelBundle,
  body: ClassifyRequest,
  probabilities: Float32Array,
): string {
  const model = JSON.stringify(loaded.metadata.runId);
  if (!body.texts) {
    const result = toResultJson(probabilities, 0, loaded.labels, body.threshold);
    return `${result.slice(0, -1)},"model":${model}}`;
  }
  const results = body.texts.map((_, i) =>
    toResultJson(probabilities, i, loaded.labels, body.threshold)
  );
  return `{"results":[${results.join(",")}],"model":${model}}`;
}
