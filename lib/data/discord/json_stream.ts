/**
 * A streaming reader for one large JSON object whose bulk is one array (a DiscordChatExporter
 * export: `{ "guild": …, "channel": …, "messages": [ … ] }`). It cuts the text into the root's
 * values and the array's items without building the whole document, and `JSON.parse`s each piece
 * alone, so memory stays at the size of one item however large the file is.
 * @module
 */

/** What {@linkcode scanJsonObject} yields, in file order. */
export type JsonEvent =
  /** A value of the root object other than the streamed array, parsed. */
  | { kind: "field"; key: string; value: unknown }
  /** The streamed array begins (its key was seen). */
  | { kind: "arrayStart"; key: string }
  /** One item of the streamed array, parsed; `index` is 0-based. */
  | { kind: "item"; key: string; index: number; value: unknown }
  /** The streamed array ended after `count` items. */
  | { kind: "arrayEnd"; key: string; count: number };

const QUOTE = 34, BACKSLASH = 92, OPEN_BRACE = 123, CLOSE_BRACE = 125;
const OPEN_BRACKET = 91, CLOSE_BRACKET = 93, COMMA = 44, COLON = 58;

/**
 * Fast path for pretty-printed exports (DiscordChatExporter indents by two spaces, so each
 * message of `messages` is an object opening after a line break and N spaces and closing at a line
 * break, the same N spaces and `}`): the end (exclusive) of the item starting at `pos` found with
 * one native search, or -1 when the text is not laid out that way or the item's end is not in
 * `buf` yet. A raw line break cannot occur inside a JSON string, so the first such line is the
 * item's end whenever the layout is consistent; the caller parses the slice and falls back to the
 * scan when it is not one JSON value, so a file laid out otherwise is read the same, only slower.
 */
const CLOSE_AT = Array.from({ length: 17 }, (_, n) => "\n" + " ".repeat(n) + "}");

function indentedItemEnd(buf: string, pos: number): number {
  let indent = 0;
  while (indent < 16 && buf.charCodeAt(pos - 1 - indent) === 32) indent++;
  if (indent === 0 || buf.charCodeAt(pos - 1 - indent) !== 10) return -1;
  const close = CLOSE_AT[indent]!;
  const at = buf.indexOf(close, pos);
  return at === -1 ? -1 : at + close.length;
}

/** `JSON.parse(text)`, or undefined when it is not JSON (the scan then says why). */
function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The characters that change a scan's state inside a container. */
const STRUCTURE = /["{}[\]]/g;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

type State =
  | "root" // before the opening brace
  | "key" // in the root object, before a key (or its end)
  | "colon" // after a key
  | "value" // after the colon
  | "items" // in the streamed array, before an item (or its end)
  | "done";

/**
 * Yields the root object's fields and the items of its array `arrayKey`, parsing each alone.
 * @throws {SyntaxError} `Cannot parse <name>: <state>` — when the text is not JSON, the root is
 * not an object, a piece does not parse, or the text ends early (after the items read so far,
 * which were already yielded).
 * @example
 * ```ts
 * for await (const e of scanJsonObject(readTextChunks("general.json"), "messages")) {
 *   if (e.kind === "item") console.log(e.value);
 * }
 * ```
 */
export async function* scanJsonObject(
  chunks: AsyncIterable<string> | Iterable<string>,
  arrayKey: string,
  name = "input",
): AsyncGenerator<JsonEvent> {
  let buf = "";
  let pos = 0; // next unread character in buf
  let state: State = "root";
  let key = "";
  let items = 0;
  // An unfinished piece: where it starts in buf, how deep we are in it, whether in a string.
  let start = -1;
  let depth = 0;
  let inString = false;
  let target: "key" | "value" | "item" = "value";

  const fail = (what: string): never => {
    throw new SyntaxError(`Cannot parse ${name}: ${what}`);
  };
  const parse = (text: string, what: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (error) {
      return fail(`${what} is not valid JSON (${(error as Error).message})`);
    }
  };

  /** Scans the piece starting at `start` from `pos`; returns its end (exclusive) or -1. */
  const scanPiece = (): number => {
    const n = buf.length;
    while (pos < n) {
      if (inString) {
        const q = buf.indexOf('"', pos);
        if (q === -1) {
          pos = n;
          return -1;
        }
        let slashes = 0;
        for (let b = q - 1; b >= 0 && buf.charCodeAt(b) === BACKSLASH; b--) slashes++;
        pos = q + 1;
        if (slashes % 2 === 0) {
          inString = false;
          if (depth === 0) return pos; // a bare string value ends with its quote
        }
        continue;
      }
      if (depth > 0) {
        // Inside a container only quotes and brackets matter: jump to the next one (natively,
        // rather than a character at a time; most of a message is keys, numbers and literals).
        STRUCTURE.lastIndex = pos;
        if (!STRUCTURE.test(buf)) {
          pos = n;
          return -1;
        }
        pos = STRUCTURE.lastIndex - 1;
      }
      const c = buf.charCodeAt(pos);
      if (c === QUOTE) {
        inString = true;
        pos++;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
        pos++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth === 0) return pos; // end of a number/literal right before the container closes
        depth--;
        pos++;
        if (depth === 0) return pos;
      } else if (depth === 0 && (c === COMMA || isSpace(c))) {
        return pos; // end of a number or literal
      } else {
        pos++;
      }
    }
    return -1;
  };

  const beginPiece = () => {
    start = pos;
    depth = 0;
    inString = false;
  };

  for await (const chunk of chunks) {
    // Drop what is consumed, keeping an unfinished piece, before appending.
    const keep = start >= 0 ? start : pos;
    if (keep > 0) {
      buf = buf.slice(keep);
      pos -= keep;
      if (start >= 0) start = 0;
    }
    buf += chunk;
    while (pos < buf.length && state !== "done") {
      if (start >= 0) {
        const end = scanPiece();
        if (end === -1) break; // need more text
        const text = buf.slice(start, end);
        start = -1;
        if (target === "key") {
          const k = parse(text, "a key");
          if (typeof k !== "string") fail("a key is not a string");
          key = k as string;
          state = "colon";
        } else if (target === "item") {
          const value = parse(text, `item ${items + 1}`);
          yield { kind: "item", key, index: items++, value };
          state = "items";
        } else {
          yield { kind: "field", key, value: parse(text, `the value of "${key}"`) };
          state = "key";
        }
        continue;
      }
      const c = buf.charCodeAt(pos);
      if (isSpace(c)) {
        pos++;
        continue;
      }
      switch (state) {
        case "root":
          if (c === OPEN_BRACE) {
            state = "key";
            pos++;
          } else if (c === OPEN_BRACKET) {
            fail("the top level is an array, not an object");
          } else if (c === 0xfeff) {
            pos++;
          } else {
            fail(`not JSON (starts with ${JSON.stringify(buf.slice(pos, pos + 12))})`);
          }
          break;
        case "key":
          if (c === COMMA) pos++;
          else if (c === CLOSE_BRACE) {
            state = "done";
            pos++;
          } else if (c === QUOTE) {
            target = "key";
            beginPiece();
            inString = true;
            pos++;
          } else fail(`unexpected ${JSON.stringify(buf[pos])} where a key should be`);
          break;
        case "colon":
          if (c !== COLON) fail(`expected ":" after "${key}"`);
          pos++;
          state = "value";
          break;
        case "value":
          if (key === arrayKey && c === OPEN_BRACKET) {
            pos++;
            items = 0;
            state = "items";
            yield { kind: "arrayStart", key };
          } else {
            target = "value";
            beginPiece();
          }
          break;
        case "items":
          if (c === COMMA) pos++;
          else if (c === CLOSE_BRACKET) {
            pos++;
            state = "key";
            yield { kind: "arrayEnd", key, count: items };
          } else {
            const end = c === OPEN_BRACE ? indentedItemEnd(buf, pos) : -1;
            const value = end === -1 ? undefined : tryParse(buf.slice(pos, end));
            if (value !== undefined) {
              pos = end;
              yield { kind: "item", key, index: items++, value };
              break;
            }
            target = "item";
            beginPiece();
          }
          break;
      }
    }
  }
  if (state !== "done") {
    if (state === "root") fail("the file is empty");
    // A number at the very end has no terminator: only a complete document is accepted.
    fail(
      state === "items" || (start >= 0 && target === "item")
        ? `the text ends inside "${arrayKey}" after ${items} items (truncated?)`
        : "the text ends before the object closes (truncated?)",
    );
  }
}
