/**
 * Request schemas of the API, and the one place that turns a schema violation into a 422 naming
 * the offending field.
 * @module
 */

import { z } from "zod";
import { HttpError } from "./http_error.ts";

/** Limits the request schemas enforce; resolved from handler options. */
export interface RequestLimits {
  /** Most texts in one `{"texts": [...]}` request. */
  maxBatch: number;
  /** Longest accepted text, in UTF-16 code units (Discord's own limit is 4,000). */
  maxTextLength: number;
  /** Most earlier messages in one text's `context.previous`. @default 20 */
  maxContext?: number;
}

/** Whitespace, control and format (zero-width) characters: nothing a reader sees. */
const INVISIBLE = /^[\p{White_Space}\p{Cc}\p{Cf}]*$/u;

/** A text with something visible in it, of bounded length. */
/** Longest speaker name accepted in a context. */
export const MAX_SPEAKER_LENGTH = 100;

/** An earlier message given as context: its text, and who wrote it and when, if known. */
function contextMessageSchema(maxTextLength: number) {
  return z.strictObject({
    text: textSchema(maxTextLength),
    speaker: z.string().max(MAX_SPEAKER_LENGTH, `must be at most ${MAX_SPEAKER_LENGTH} characters`)
      .optional(),
    timestamp: z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time" })
      .optional(),
  });
}

/**
 * A text's conversation: who wrote it (`speaker`), when (`timestamp`), the message it replies
 * to (`reply_to`) and/or the messages before it (`previous`, oldest first).
 */
export function contextSchema(limits: RequestLimits) {
  const maxContext = limits.maxContext ?? 20;
  const message = contextMessageSchema(limits.maxTextLength);
  return z.strictObject({
    speaker: z.string().max(MAX_SPEAKER_LENGTH, `must be at most ${MAX_SPEAKER_LENGTH} characters`)
      .optional(),
    timestamp: z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time" })
      .optional(),
    reply_to: message.optional(),
    previous: z.array(message)
      .max(maxContext, `must hold at most ${maxContext} messages`)
      .optional(),
  });
}

/** A validated `context` of `POST /classify`. */
export type ClassifyContext = z.infer<ReturnType<typeof contextSchema>>;

/** A non-empty, non-whitespace text of bounded length. */
function textSchema(maxTextLength: number) {
  return z.string()
    .max(maxTextLength, `must be at most ${maxTextLength} characters`)
    .refine((s) => !INVISIBLE.test(s), "must not be empty or only whitespace");
}

/**
 * The body of `POST /classify`: exactly one of `text` or `texts`, an optional `threshold`.
 * Unknown fields are rejected (a typo such as `"txt"` should not silently classify nothing).
 */
export function classifyRequestSchema(limits: RequestLimits) {
  return z.strictObject({
    text: textSchema(limits.maxTextLength).optional(),
    texts: z.array(textSchema(limits.maxTextLength))
      .min(1, "must hold at least one text")
      .max(limits.maxBatch, `must hold at most ${limits.maxBatch} texts`)
      .optional(),
    threshold: z.number()
      .min(0, "must be between 0 and 1")
      .max(1, "must be between 0 and 1")
      .optional(),
    context: contextSchema(limits).optional(),
    contexts: z.array(contextSchema(limits).nullable())
      .max(limits.maxBatch, `must hold at most ${limits.maxBatch} contexts`)
      .optional(),
  }).superRefine((body, ctx) => {
    if (body.context !== undefined && body.text === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["context"],
        message: 'goes with "text"; with "texts" send "contexts"',
      });
    }
    if (body.contexts !== undefined) {
      if (body.texts === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["contexts"],
          message: 'goes with "texts"; with "text" send "context"',
        });
      } else if (body.contexts.length !== body.texts.length) {
        ctx.addIssue({
          code: "custom",
          path: ["contexts"],
          message:
            `must hold one context (or null) per text: ${body.texts.length}, got ${body.contexts.length}`,
        });
      }
    }
    if ((body.text === undefined) === (body.texts === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: body.text === undefined ? ["text"] : ["texts"],
        message: body.text === undefined
          ? 'is required (or send "texts" for a batch)'
          : 'cannot be combined with "text"; send one or the other',
      });
    }
  });
}

/** A validated `POST /classify` body. */
export type ClassifyRequest = z.infer<ReturnType<typeof classifyRequestSchema>>;

/** Visible printable ASCII: a text holding one is not blank, whatever else it holds. */
const VISIBLE_ASCII = /[!-~]/;

/**
 * The hot path's check of a `POST /classify` body without contexts: returns the body when it is
 * certainly valid — an object with `text` or `texts` and optionally `threshold`, as
 * {@linkcode classifyRequestSchema} accepts it — and `undefined` for anything else (invalid, or
 * a shape this check leaves to the schema, such as `context`). Callers then run the schema,
 * which accepts or gives the 422, so answers never differ from the schema's; zod costs ~10 µs
 * a request, this ~1 µs.
 */
export function quickClassifyRequest(
  value: unknown,
  limits: RequestLimits,
): ClassifyRequest | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  let text: string | undefined;
  let texts: string[] | undefined;
  let threshold: number | undefined;
  let keys = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return undefined;
    const field = (value as Record<string, unknown>)[key];
    if (key === "text") {
      if (!isText(field, limits.maxTextLength)) return undefined;
      text = field;
    } else if (key === "texts") {
      if (!Array.isArray(field) || field.length < 1 || field.length > limits.maxBatch) {
        return undefined;
      }
      for (let i = 0; i < field.length; i++) {
        if (!isText(field[i], limits.maxTextLength)) return undefined;
      }
      texts = field;
    } else if (key === "threshold") {
      if (typeof field !== "number" || !(field >= 0 && field <= 1)) return undefined;
      threshold = field;
    } else {
      return undefined;
    }
    keys++;
  }
  // `for…in` skips non-enumerable and symbol keys, which JSON never makes; count them anyway
  if (keys !== Reflect.ownKeys(value).length) return undefined;
  if ((text === undefined) === (texts === undefined)) return undefined;
  const body: ClassifyRequest = text !== undefined ? { text } : { texts };
  if (threshold !== undefined) body.threshold = threshold;
  return body;
}

/** Whether `value` is a text the schema accepts: a string, short enough, not blank. */
function isText(value: unknown, maxTextLength: number): value is string {
  return typeof value === "string" && value.length <= maxTextLength &&
    (VISIBLE_ASCII.test(value) || !INVISIBLE.test(value));
}

/** Query of `GET /data/conversations`. */
export const conversationsQuerySchema = z.strictObject({
  offset: z.coerce.number().int("must be an integer").min(0, "must be ≥ 0").default(0),
  limit: z.coerce.number().int("must be an integer").min(1, "must be ≥ 1")
    .max(100, "must be ≤ 100").default(20),
  filter: z.enum(["all", "misclassified"], 'must be "all" or "misclassified"').default("all"),
  channel: z.string().optional(),
});

/** A validated `GET /data/conversations` query. */
export type ConversationsQuery = z.infer<typeof conversationsQuerySchema>;

/** Formats a zod issue path as `texts[2]`, or `(body)` for the root. */
export function fieldName(path: readonly PropertyKey[], root = "(body)"): string {
  let name = "";
  for (const key of path) {
    name += typeof key === "number" ? `[${key}]` : `${name ? "." : ""}${String(key)}`;
  }
  return name || root;
}

/** Most issues a 422 lists; the detail says how many more there were. */
export const MAX_LISTED_ISSUES = 10;

/**
 * Parses `value` with `schema`, or throws a 422 {@linkcode HttpError} whose detail names every
 * offending field.
 */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, root = "(body)"): T {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        field: fieldName([...issue.path, key], root),
        message: "is not a known field",
      }));
    }
    const message = issue.code === "invalid_type"
      ? `must be ${article(issue.expected)}, got ${jsonType(issue.input)}`
      : issue.message;
    return [{ field: fieldName(issue.path, root), message }];
  });
  // Bounded: a small request must not draw a huge answer (256 bad texts, a 60 KB field name).
  const shown = errors.slice(0, MAX_LISTED_ISSUES).map((e) => ({
    field: e.field.length > 80 ? `${e.field.slice(0, 80)}…` : e.field,
    message: e.message.length > 200 ? `${e.message.slice(0, 200)}…` : e.message,
  }));
  const more = errors.length - shown.length;
  const detail = shown.map((e) => `${e.field} ${e.message}`).join("; ") +
    (more > 0 ? `; and ${more} more` : "");
  throw new HttpError(422, `Invalid request: ${detail}`, { errors: shown });
}

/** "a string", "an array", … */
function article(type: string): string {
  return `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`;
}

/** The JSON type name of a parsed value: null, array, object, string, number, boolean. */
function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  return article(typeof value);
}
