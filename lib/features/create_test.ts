import assert from "node:assert/strict";
import { BUILTIN_VERSION, BuiltinEmbedder, DEFAULT_BUILTIN_DIMENSION } from "./builtin.ts";
import { createEmbedder } from "./create.ts";
import type { EmbedderConfig } from "./embedder.ts";

Deno.test("createEmbedder() rebuilds a builtin embedder from its JSON config", async () => {
  const original = new BuiltinEmbedder({ dimension: 512 });
  const config = JSON.parse(JSON.stringify(original.config)) as EmbedderConfig;
  const rebuilt = await createEmbedder(config);
  assert.ok(rebuilt instanceof BuiltinEmbedder);
  assert.equal(rebuilt.id, original.id);
  assert.equal(rebuilt.dimension, 512);
  assert.deepEqual(rebuilt.config, original.config);
  const texts = ["how do i start?", "thanks!"];
  assert.deepEqual(await rebuilt.embed(texts), await original.embed(texts));
});

Deno.test("createEmbedder() gives a builtin config without dimension or version the defaults", async () => {
  const embedder = await createEmbedder({ kind: "builtin" });
  assert.equal(embedder.id, `builtin-v${BUILTIN_VERSION}-d${DEFAULT_BUILTIN_DIMENSION}`);
});

Deno.test("createEmbedder() throws RangeError listing the kinds for an unknown kind", async () => {
  await assert.rejects(
    () => createEmbedder({ kind: "word2vec" } as unknown as EmbedderConfig),
    {
      name: "RangeError",
      message:
        'Cannot create embedder: unknown kind "word2vec" (known: builtin, openai, transformers, glove)',
    },
  );
});

Deno.test("createEmbedder() refuses a builtin config from another feature version", async () => {
  await assert.rejects(
    () => createEmbedder({ kind: "builtin", dimension: 1024, version: 99 }),
    {
      name: "RangeError",
      message:
        "Cannot create builtin embedder: the model uses feature version 99, this qac computes versions 1, 2; update qac, or retrain with `deno task train`",
    },
  );
});

Deno.test("createEmbedder() builds the builtin feature version a config names", async () => {
  const v1 = await createEmbedder({ kind: "builtin", dimension: 64, version: 1 });
  const current = await createEmbedder({ kind: "builtin", dimension: 64 });
  assert.equal(v1.id, "builtin-v1-d64");
  assert.equal(current.id, `builtin-v${BUILTIN_VERSION}-d64`);
});

Deno.test("createEmbedder() rejects a builtin dimension that is not a number", async () => {
  await assert.rejects(() => createEmbedder({ kind: "builtin", dimension: "512" }), {
    name: "TypeError",
    message: 'Cannot create builtin embedder: dimension must be a number, got "512"',
  });
  await assert.rejects(() => createEmbedder({ kind: "builtin", dimension: 8 }), {
    name: "RangeError",
  });
});
