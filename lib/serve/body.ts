/**
 * Reading a JSON request body within a byte limit, with the checks in the order clients expect:
 * 415 (media type) → 413 (size, declared then actual) → 400 (malformed JSON).
 * @module
 */

import { HttpError } from "./http_error.ts";

/** Whether a Content-Type header names JSON (`application/json` or `application/*+json`). */
export function isJsonMediaType(contentType: string | null): boolean {
  if (!contentType) return false;
  const essence = contentType.split(";")[0]!.trim().toLowerCase();
  return essence === "application/json" || /^application\/[\w.+-]+\+json$/.test(essence);
}

/**
 * Reads and parses the JSON body of `req`, never buffering more than `limit` bytes.
 * @throws {HttpError} 415 for a non-JSON Content-Type, 413 when the body exceeds `limit`
 * (by its Content-Length or as it streams in), 400 when it is not UTF-8 JSON or the client
 * hung up before sending all of it.
 */
export async function readJsonBody(req: Request, limit: number): Promise<unknown> {
  if (!isJsonMediaType(req.headers.get("content-type"))) {
    throw new HttpError(
      415,
      `Cannot read body: Content-Type must be application/json, got ${
        JSON.stringify(req.headers.get("content-type") ?? "(none)")
      }`,
    );
  }
  const tooLarge = () =>
    new HttpError(413, `Cannot read body: it is larger than the limit of ${limit} bytes`);
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge();
  // With a declared length the HTTP layer has bounded the body already: read it in one go,
  // which skips the stream reader's per-chunk cost (the common case, and the hot path).
  const bytes = declared !== null && req.body !== null
    ? await readAll(req, tooLarge, limit)
    : await readLimited(req.body, limit, tooLarge);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "Cannot parse body: it is not valid UTF-8");
  }
  if (text.trim() === "") throw new HttpError(400, "Cannot parse body: it is empty");
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : String(error);
    throw new HttpError(400, `Cannot parse body as JSON: ${reason}`);
  }
}

/** Reads a body whose length was declared, still refusing more than `limit` bytes. */
async function readAll(req: Request, tooLarge: () => HttpError, limit: number) {
  let bytes: Uint8Array;
  try {
    bytes = await req.bytes();
  } catch {
    throw new HttpError(400, "Cannot read body: the client closed the connection before its end");
  }
  if (bytes.byteLength > limit) throw tooLarge();
  return bytes;
}

/** Concatenates a stream's chunks, cancelling it as soon as it passes `limit` bytes. */
async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  tooLarge: () => HttpError,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  while (true) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      // The client hung up mid-body: nobody is left to answer, and it is not the server's fault.
      throw new HttpError(400, "Cannot read body: the client closed the connection before its end");
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
