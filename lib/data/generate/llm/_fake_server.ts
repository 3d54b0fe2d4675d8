/**
 * A local HTTP server speaking the OpenAI chat-completions API (also under Groq's
 * `/openai/v1/` prefix), answering from a script. Private to this folder's tests.
 * @module
 */

/** One scripted answer. */
export interface ScriptedReply {
  /** HTTP status; non-2xx answers send an error body. @default 200 */
  status?: number;
  /** The structured output to return (serialised as tool-call arguments or content). */
  output?: unknown;
  /** Raw arguments text, to send malformed JSON. */
  raw?: string;
  /** Wait before answering (cut short by `close()`). @default 0 */
  delayMs?: number;
  headers?: Record<string, string>;
}

/** A running fake server. */
export interface FakeServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Request bodies received, in order. */
  requests: Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * Starts the server; replies are used in order, the last one repeats. With `respond`, each reply
 * is computed from the request body and its number instead.
 */
export function startFakeServer(
  replies: ScriptedReply[],
  respond?: (body: Record<string, unknown>, n: number) => ScriptedReply,
): FakeServer {
  const requests: Record<string, unknown>[] = [];
  // Cuts pending delays on close, so shutdown does not wait for answers nobody reads.
  const closing = new AbortController();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.json() as Record<string, unknown>;
    const reply = respond
      ? respond(body, requests.length)
      : replies[Math.min(requests.length, replies.length - 1)] ?? {};
    requests.push(body);
    if (reply.delayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, reply.delayMs);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        closing.signal.addEventListener("abort", done, { once: true });
      });
    }
    const status = reply.status ?? 200;
    const headers = { "content-type": "application/json", ...reply.headers };
    if (status !== 200) {
      const error = { message: `scripted ${status}`, type: "scripted", code: String(status) };
      return new Response(JSON.stringify({ error }), { status, headers });
    }
    const args = reply.raw ?? JSON.stringify(reply.output);
    const tools = body.tools as { function: { name: string } }[] | undefined;
    const message = tools
      ? {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: "call_1",
          type: "function",
          function: { name: tools[0]!.function.name, arguments: args },
        }],
      }
      : { role: "assistant", content: args };
    return new Response(
      JSON.stringify({
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 1,
        model: String(body.model),
        choices: [{ index: 0, finish_reason: "stop", message }],
        usage: { prompt_tokens: 100, completion_tokens: 40, total_tokens: 140 },
      }),
      { headers },
    );
  });
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    requests,
    close: () => {
      closing.abort();
      return server.shutdown();
    },
  };
}
