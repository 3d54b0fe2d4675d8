/**
 * The OpenAPI 3.1 description of the server, built from the same limits and schemas the
 * handler enforces so the two cannot drift apart.
 * @module
 */

import { z } from "zod";
import { DEFAULT_REPORT_BODY_LIMIT, reportOpenApiPath } from "./report_route.ts";
import { classifyRequestSchema, type RequestLimits } from "./schema.ts";

/** Options of {@linkcode openApiDocument}. */
export interface OpenApiOptions extends RequestLimits {
  /** Request body limit in bytes. */
  bodyLimit: number;
  /** Body limit of `POST /report` in bytes. @default DEFAULT_REPORT_BODY_LIMIT */
  reportBodyLimit?: number;
  /** Package version shown as `info.version`. @default "0.1.0" */
  version?: string;
}

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string): Json => ({
  description,
  content: { "application/problem+json": { schema: ref("Problem") } },
});
const json = (description: string, schema: Json): Json => ({
  description,
  content: { "application/json": { schema } },
});
const probability = { type: "number", minimum: 0, maximum: 1 };
const labelEnum = { type: "string", enum: ["answer", "comment", "question"] };

/** Builds the OpenAPI 3.1 document served at `GET /openapi.json`. */
export function openApiDocument(options: OpenApiOptions): Json {
  const { $schema: _, ...requestSchema } = z.toJSONSchema(classifyRequestSchema(options), {
    io: "input",
  }) as Json;
  const unavailable = problem("The model is still loading (see `Retry-After`).");
  return {
    openapi: "3.1.0",
    info: {
      title: "qac — question / answer / comment classifier",
      version: options.version ?? "0.1.0",
      description: "Classifies chat messages as question, answer or comment. Errors are " +
        "RFC 9457 problem details. Request bodies are limited to " +
        `${options.bodyLimit} bytes, texts to ${options.maxTextLength} characters, batches to ` +
        `${options.maxBatch} texts. Unknown request fields are rejected with 422.`,
    },
    paths: {
      "/": {
        get: {
          summary: "The web page (Classify and Explore tabs)",
          responses: { "200": { description: "HTML page", content: { "text/html": {} } } },
        },
      },
      "/health": {
        get: {
          summary: "Readiness: 200 once the model and Explore's data are loaded",
          responses: { "200": json("Ready", ref("Health")), "503": unavailable },
        },
      },
      "/model": {
        get: {
          summary: "The served model's metadata and metrics",
          responses: { "200": json("Model metadata", ref("ModelMetadata")), "503": unavailable },
        },
      },
      "/openapi.json": {
        get: {
          summary: "This document",
          responses: { "200": json("OpenAPI 3.1 document", { type: "object" }) },
        },
      },
      "/classify": {
        post: {
          summary: "Classify one text (`text`) or a batch (`texts`)",
          description: "Send exactly one of `text` or `texts`. With `threshold`, a text whose " +
            'top probability is below it gets the label "unsure". `result` repeats the ' +
            "probabilities in the original service's order: answer, comment, question. " +
            "`context` (with `text`) or `contexts` (with `texts`, one context or null per text) " +
            "gives a text's conversation: the message it replies to (`reply_to`), earlier " +
            `messages (\`previous\`, oldest first, at most ${options.maxContext ?? 20}) and its ` +
            "author (`speaker`); a context model reads the text after it, a message-only model " +
            "(no `context` in `GET /model`) ignores it.",
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  ...requestSchema,
                  oneOf: [{ required: ["text"] }, { required: ["texts"] }],
                },
                examples: {
                  single: { value: { text: "how do I get started with SQL?" } },
                  batch: { value: { texts: ["thanks!", "try the free course"], threshold: 0.6 } },
                  withContext: {
                    value: {
                      text: "it moved to friday",
                      context: {
                        speaker: "ben",
                        reply_to: { text: "is the meetup on thursday?", speaker: "ana" },
                      },
                    },
                  },
                },
              },
            },
          },
          responses: {
            "200": json("Classification", {
              oneOf: [ref("ClassifyResponse"), ref("BatchClassifyResponse")],
            }),
            "400": problem("The body is not valid JSON"),
            "413": problem(`The body is larger than ${options.bodyLimit} bytes`),
            "415": problem("Content-Type is not application/json"),
            "422": problem("The JSON does not match the schema; `errors` names the fields"),
            "503": unavailable,
          },
        },
      },
      "/report": reportOpenApiPath(options.reportBodyLimit ?? DEFAULT_REPORT_BODY_LIMIT),
      "/data/summary": {
        get: {
          summary: "Class mix, channels and lengths of the training conversations (Explore)",
          responses: {
            "200": json("Summary", ref("DataSummary")),
            "404": problem("The model's training data file is not available"),
            "503": unavailable,
          },
        },
      },
      "/data/conversations": {
        get: {
          summary: "Training conversations with true and predicted labels, misclassified first",
          parameters: [
            { name: "offset", in: "query", schema: { type: "integer", minimum: 0, default: 0 } },
            {
              name: "limit",
              in: "query",
              schema: { type: "integer", minimum: 1, maximum: 100, default: 20 },
            },
            {
              name: "filter",
              in: "query",
              schema: { type: "string", enum: ["all", "misclassified"], default: "all" },
            },
            { name: "channel", in: "query", schema: { type: "string" } },
          ],
          responses: {
            "200": json("A page of conversations", ref("ConversationsPage")),
            "404": problem("The model's training data file is not available"),
            "422": problem("A query parameter is invalid"),
            "503": unavailable,
          },
        },
      },
    },
    components: { schemas: SCHEMAS },
  };
}

const RESULT_PROPERTIES = {
  label: { type: "string", enum: ["answer", "comment", "question", "unsure"] },
  probabilities: {
    type: "object",
    required: ["question", "answer", "comment"],
    properties: { question: probability, answer: probability, comment: probability },
    additionalProperties: false,
  },
  result: {
    type: "array",
    items: probability,
    minItems: 3,
    maxItems: 3,
    description: "Probabilities of answer, comment, question (the original's order)",
  },
};

const MESSAGE_VIEW = {
  type: "object",
  required: ["id", "user", "text", "timestamp", "replyTo", "label", "predicted", "confidence"],
  properties: {
    id: { type: "string" },
    user: { type: "string" },
    text: { type: "string" },
    timestamp: { type: "string" },
    replyTo: { type: ["string", "null"] },
    label: labelEnum,
    predicted: labelEnum,
    confidence: probability,
  },
};

const SCHEMAS: Record<string, Json> = {
  Problem: {
    type: "object",
    description: "RFC 9457 problem details",
    required: ["type", "title", "status", "detail"],
    properties: {
      type: { type: "string" },
      title: { type: "string" },
      status: { type: "integer" },
      detail: { type: "string" },
      instance: { type: "string" },
      errors: {
        type: "array",
        items: {
          type: "object",
          required: ["field", "message"],
          properties: { field: { type: "string" }, message: { type: "string" } },
        },
      },
    },
  },
  Health: {
    type: "object",
    required: ["status", "model", "data"],
    properties: {
      status: {
        type: "string",
        enum: ["ready", "degraded"],
        description: "degraded: the model answers but Explore's data could not be read",
      },
      model: { type: "string" },
      data: { type: "string", enum: ["ready", "off", "on-demand", "unavailable"] },
    },
  },
  ModelMetadata: {
    type: "object",
    required: ["format", "runId", "createdAt", "labels", "embedder", "metrics"],
    properties: {
      format: { type: "string" },
      runId: { type: "string" },
      createdAt: { type: "string" },
      labels: { type: "array", items: labelEnum },
      embedder: { type: "object" },
      embedderId: { type: "string" },
      dimension: { type: "integer" },
      hiddenUnits: { type: "integer" },
      training: { type: "object" },
      data: { type: "object" },
      metrics: { type: "object" },
      versions: { type: "object" },
    },
  },
  ClassifyResponse: {
    type: "object",
    required: ["label", "probabilities", "result", "model"],
    properties: { ...RESULT_PROPERTIES, model: { type: "string" } },
    additionalProperties: false,
  },
  BatchClassifyResponse: {
    type: "object",
    required: ["results", "model"],
    properties: {
      results: {
        type: "array",
        items: {
          type: "object",
          required: ["label", "probabilities", "result"],
          properties: RESULT_PROPERTIES,
          additionalProperties: false,
        },
      },
      model: { type: "string" },
    },
    additionalProperties: false,
  },
  DataSummary: {
    type: "object",
    required: [
      "path",
      "messages",
      "conversations",
      "skipped",
      "labelled",
      "accuracy",
      "misclassified",
      "heldOut",
      "classMix",
      "channels",
      "lengths",
      "lengthBinWidth",
      "confusion",
      "labels",
    ],
    properties: {
      path: { type: "string" },
      messages: { type: "integer" },
      conversations: { type: "integer" },
      skipped: { type: "integer" },
      labelled: {
        type: "boolean",
        description: "false for a chat export without labels: classes are the predictions",
      },
      accuracy: probability,
      misclassified: { type: "integer" },
      heldOut: {
        description: "Accuracy on the model's test-split conversations alone (never trained on)",
        oneOf: [
          {
            type: "object",
            required: ["messages", "accuracy"],
            properties: { messages: { type: "integer" }, accuracy: probability },
          },
          { type: "null" },
        ],
      },
      classMix: {
        type: "array",
        items: {
          type: "object",
          required: ["label", "count"],
          properties: { label: labelEnum, count: { type: "integer" } },
        },
      },
      channels: {
        type: "array",
        items: {
          type: "object",
          required: ["channel", "label", "count"],
          properties: { channel: { type: "string" }, label: labelEnum, count: { type: "integer" } },
        },
      },
      lengths: {
        type: "array",
        items: {
          type: "object",
          required: ["label", "bin", "count", "share"],
          properties: {
            label: labelEnum,
            bin: { type: "integer" },
            count: { type: "integer" },
            share: probability,
          },
        },
      },
      lengthBinWidth: { type: "integer" },
      confusion: { type: "array", items: { type: "array", items: { type: "integer" } } },
      labels: { type: "array", items: labelEnum },
    },
  },
  ConversationsPage: {
    type: "object",
    required: ["total", "offset", "limit", "conversations"],
    properties: {
      total: { type: "integer" },
      offset: { type: "integer" },
      limit: { type: "integer" },
      conversations: {
        type: "array",
        items: {
          type: "object",
          required: ["id", "channel", "misclassified", "messages"],
          properties: {
            id: { type: "string" },
            channel: { type: "string" },
            misclassified: { type: "integer" },
            messages: { type: "array", items: MESSAGE_VIEW },
          },
        },
      },
    },
  },
};
