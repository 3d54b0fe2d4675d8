import assert from "node:assert/strict";
import { join } from "node:path";

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walk(path);
    else if (entry.isFile) yield path;
  }
}

/** Names that only exist inside tfjs' backends or Emscripten's module object. */
const PRIVATE = [
  /dataIdMap/,
  /\basm\??\.memory/,
  /Module\.asm\b/,
  /wasmExports/,
  /HEAP(F32|U8|32)/,
];

Deno.test("lib/ uses no private internals of tfjs or its wasm backend", async () => {
  const offenders: string[] = [];
  let files = 0;
  for await (const path of walk(new URL(".", import.meta.url).pathname)) {
    if (!path.endsWith(".ts") || path.endsWith("internals_test.ts")) continue;
    files++;
    const text = await Deno.readTextFile(path);
    for (const pattern of PRIVATE) {
      if (pattern.test(text)) offenders.push(`${path}: ${pattern}`);
    }
  }
  assert.ok(files > 50, `scanned only ${files} files`);
  assert.deepEqual(offenders, []);
});
