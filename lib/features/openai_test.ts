import assert from "node:assert/strict";
import { createOpenAIEmbedder, estimateTokens, OpenAIEmbedder, planBatches } from "./openai.ts";

interface EmbeddingsRequest {
  model: string;
  input: string[];
  dimensions?: number;
  encoding_format?: string;
}

/** The vector the fake server returns for a text: recognisable per text, `dimension` long. */
function fakeVector(text: string, dimension: number): number[] {
  return Array.from({ length: dimension }, (_, i) => (text.length * 10 + i) / 1000);
}

function base64OfFloats(values: number[]): string {
  const bytes = new Uint8Array(Float32Array.from(values).buffer);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * A local `POST /v1/embeddings` that answers rows in REVERSED order (with `index`), and replays
 * `failures` (HTTP statuses) before answering normally.
 */
function startServer(
  options: { failures?: number[]; dimension?: number; delayMs?: number } = {},
) {
  const requests: EmbeddingsRequest[] = [];
  const inFlight = { now: 0, max: 0 };
  const failures = [...(options.failures ?? [])];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method !== "POST" || url.pathname !== "/v1/embeddings") {
      return new Response("not found", { status: 404 });
    }
    assert.equal(req.headers.get("authorization"), "Bearer test-key");
    const body = (await req.json()) as EmbeddingsRequest;
    requests.push(body);
    inFlight.max = Math.max(inFlight.max, ++inFlight.now);
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 0));
    inFlight.now--;
    const status = failures.shift();
    if (status !== undefined) {
      return Response.json({ error: { message: `simulated ${status}`, type: "server_error" } }, {
        status,
      });
    }
    const dimension = body.dimensions ?? options.dimension ?? 3072;
    const data = body.input.map((text, index) => {
      const vector = fakeVector(text, dimension);
      return {
        object: "embedding",
        index,
        embedding: body.encoding_format === "base64" ? base64OfFloats(vector) : vector,
      };
    }).reverse();
    return Response.json({
      object: "list",
      data,
      model: body.model,
      usage: { prompt_tokens: 1, total_tokens: 1 },
    });
  });
  const baseUrl = `http://127.0.0.1:${server.addr.port}/v1`;
  return { server, requests, baseUrl, inFlight };
}

Deno.test("OpenAIEmbedder batches requests and keeps row order when the server reorders", async () => {
  const { server, requests, baseUrl } = startServer();
  try {
    const embedder = await createOpenAIEmbedder(
      { kind: "openai", model: "text-embedding-3-small", dimensions: 8, batchSize: 4 },
      { apiKey: "test-key", baseUrl },
    );
    assert.equal(embedder.dimension, 8);
    assert.equal(embedder.id, "openai-text-embedding-3-small-d8");
    assert.deepEqual(embedder.config, {
      kind: "openai",
      model: "text-embedding-3-small",
      dimensions: 8,
      batchSize: 4,
    });
    const texts = Array.from({ length: 10 }, (_, i) => "x".repeat(i + 1));
    texts[3] = "";
    const progress: number[] = [];
    const out = await embedder.embed(texts, { onProgress: (done) => progress.push(done) });
    assert.equal(requests.length, 3); // 4 + 4 + 2
    assert.deepEqual(requests.map((r) => r.input.length), [4, 4, 2]);
    assert.ok(requests.every((r) => r.model === "text-embedding-3-small" && r.dimensions === 8));
    assert.equal(requests[0]!.input[3], " ", "an empty text is sent as one space");
    texts.forEach((text, row) => {
      const expected = Float32Array.from(fakeVector(text === "" ? " " : text, 8));
      assert.deepEqual(out.subarray(row * 8, row * 8 + 8), expected, `row ${row}`);
    });
    assert.equal(progress.at(-1), 10);
  } finally {
    await server.shutdown();
  }
});

Deno.test("OpenAIEmbedder keeps at most `concurrency` requests in flight", async () => {
  const { server, requests, baseUrl, inFlight } = startServer({ dimension: 2, delayMs: 20 });
  try {
    const embedder = new OpenAIEmbedder(
      { kind: "openai", model: "local", dimensions: 2, batchSize: 1, concurrency: 2 },
      { apiKey: "test-key", baseUrl },
    );
    const texts = ["a", "bb", "ccc", "dddd", "eeeee", "ffffff"];
    const out = await embedder.embed(texts);
    assert.equal(requests.length, 6);
    assert.equal(inFlight.max, 2);
    assert.deepEqual(out, Float32Array.from(texts.flatMap((t) => fakeVector(t, 2))));
  } finally {
    await server.shutdown();
  }
});

Deno.test("OpenAIEmbedder defaults to text-embedding-3-large with 3072 values", async () => {
  const { server, requests, baseUrl } = startServer();
  try {
    const embedder = await createOpenAIEmbedder({ kind: "openai" }, {
      apiKey: "test-key",
      baseUrl,
    });
    assert.equal(embedder.dimension, 3072);
    const out = await embedder.embed(["hello"]);
    assert.equal(out.length, 3072);
    assert.equal(requests[0]!.model, "text-embedding-3-large");
    assert.equal(requests[0]!.dimensions, undefined);
    assert.ok(Math.abs(out[3071]! - (50 + 3071) / 1000) < 1e-6);
  } finally {
    await server.shutdown();
  }
});

Deno.test("OpenAIEmbedder retries a 429 and a 503, then succeeds", async () => {
  const { server, requests, baseUrl } = startServer({ failures: [429, 503], dimension: 4 });
  try {
    const embedder = new OpenAIEmbedder(
      { kind: "openai", model: "local", dimensions: 4, retryDelayMs: 1 },
      { apiKey: "test-key", baseUrl },
    );
    const out = await embedder.embed(["a", "bb"]);
    assert.equal(requests.length, 3);
    assert.deepEqual(out, Float32Array.from([...fakeVector("a", 4), ...fakeVector("bb", 4)]));
  } finally {
    await server.shutdown();
  }
});

Deno.test("OpenAIEmbedder throws a clear error when a batch fails after all retries", async () => {
  const { server, requests, baseUrl } = startServer({ failures: [500, 500, 500, 500] });
  try {
    const embedder = new OpenAIEmbedder(
      { kind: "openai", dimensions: 4, batchSize: 2, maxRetries: 2, retryDelayMs: 1 },
      { apiKey: "test-key", baseUrl },
    );
    await assert.rejects(embedder.embed(["a", "b"]), {
      name: "Error",
      message:
        'Cannot embed rows 0–1 (batch 1/1) with OpenAI "text-embedding-3-large": HTTP 500 simulated 500 (after 3 attempts)',
    });
    assert.equal(requests.length, 3);
  } finally {
    await server.shutdown();
  }
});

Deno.test("OpenAIEmbedder does not retry a 400", async () => {
  const { server, requests, baseUrl } = startServer({ failures: [400] });
  try {
    const embedder = new OpenAIEmbedder(
      { kind: "openai", dimensions: 4, retryDelayMs: 1 },
      { apiKey: "test-key", baseUrl },
    );
    await assert.rejects(embedder.embed(["a"]), /^Error: Cannot embed rows 0–0 .*HTTP 400/);
    assert.equal(requests.length, 1);
  } finally {
    await server.shutdown();
  }
});

Deno.test("createOpenAIEmbedder() without a key says OPENAI_API_KEY is not set", async () => {
  await assert.rejects(createOpenAIEmbedder({ kind: "openai" }, {}), {
    name: "Error",
    message: "Cannot create OpenAI embedder: OPENAI_API_KEY is not set",
  });
});

Deno.test("createOpenAIEmbedder() rejects an unknown model without dimensions and bad options", async () => {
  await assert.rejects(
    createOpenAIEmbedder({ kind: "openai", model: "nomic-embed-text" }, { apiKey: "k" }),
    {
      name: "RangeError",
      message:
        /^Cannot create OpenAI embedder: the output size of model "nomic-embed-text" is unknown; set dimensions \(known models: text-embedding-3-large=3072/,
    },
  );
  await assert.rejects(
    createOpenAIEmbedder({ kind: "openai", batchSize: 5000 }, { apiKey: "k" }),
    {
      name: "RangeError",
      message: "Cannot create OpenAI embedder: batchSize must be an integer in [1, 2048], got 5000",
    },
  );
  await assert.rejects(
    createOpenAIEmbedder({ kind: "openai", model: "text-embedding-3-small", dimensions: 2000 }, {
      apiKey: "k",
    }),
    RangeError,
  );
});

Deno.test("planBatches() respects the input count and the token budget", () => {
  const texts = ["aaaa", "bb", "cccccc", "d", "eeeeeeeeee", "f"];
  assert.deepEqual(planBatches(texts, 3, 100), [{ start: 0, end: 3 }, { start: 3, end: 6 }]);
  assert.deepEqual(planBatches(texts, 10, 8), [
    { start: 0, end: 2 }, // 4 + 2 (+6 would exceed 8)
    { start: 2, end: 4 }, // 6 + 1
    { start: 4, end: 5 }, // 10 alone exceeds the budget but still gets its own batch
    { start: 5, end: 6 },
  ]);
  assert.deepEqual(planBatches([], 10, 8), []);
  assert.equal(estimateTokens("héllo"), 6);
  assert.equal(estimateTokens(""), 1);
});
