import assert from "node:assert/strict";
import { type ExtraName, EXTRAS, extraSpecifier, findExtra, importExtra } from "./extras.ts";

Deno.test("extras.ts imports exactly the pinned extras, so `deno task extras` installs them", async () => {
  const source = await Deno.readTextFile(new URL("../../extras.ts", import.meta.url));
  const imported = [...source.matchAll(/^import "(npm:[^"]+)";$/gm)].map((m) => m[1]).sort();
  const expected = (Object.keys(EXTRAS) as ExtraName[]).map(extraSpecifier).sort();
  assert.deepEqual(imported, expected);
});

Deno.test("deno.json's import map holds no extra, so a default install stays light", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  const packages = Object.values(config.imports as Record<string, string>)
    .map((target) => /^npm:\/?(@?[^@]+)@/.exec(target)?.[1]);
  for (const extra of Object.values(EXTRAS)) assert.ok(!packages.includes(extra.name), extra.name);
});

Deno.test({
  name: "importExtra() names the install command when the package is absent",
  ignore: findExtra("transformers") !== undefined,
  async fn() {
    await assert.rejects(importExtra("transformers"), {
      message:
        "Cannot load npm:@huggingface/transformers@4.3.2: the optional package is not installed; install the extras once with `deno task extras`",
    });
  },
});
