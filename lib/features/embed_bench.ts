/**
 * Embedding throughput: `deno bench -A lib/features/embed_bench.ts`. Each iteration embeds
 * 2,000 generated chat messages, so texts/s = 2000 / (time per iteration).
 * @module
 */

import { generateBuiltin } from "../data/generate/builtin.ts";
import { BuiltinEmbedder } from "./builtin.ts";
import { withCache } from "./cache.ts";
import { createGloveEmbedder, findGlovePackage } from "./glove.ts";

const texts = generateBuiltin({ conversations: 400, seed: 1 }).map((m) => m.text).slice(0, 2000);
const builtin = new BuiltinEmbedder();

const cacheDir = await Deno.makeTempDir();
const hot = withCache(builtin, cacheDir);
await hot.embed(texts); // fill: every later call is a hit

const cold = withCache(builtin, await Deno.makeTempDir({ dir: cacheDir }));
let missRound = 0;

Deno.bench("builtin embed (2000 texts)", { group: "embed", baseline: true }, async () => {
  await builtin.embed(texts);
});

Deno.bench("cache hit path, builtin inside (2000 texts)", { group: "embed" }, async () => {
  await hot.embed(texts);
});

Deno.bench("cache miss path: builtin + hashing + segment write (2000 texts)", {
  group: "embed",
}, async () => {
  // unique texts each round so every row is a miss
  const round = missRound++;
  await cold.embed(texts.map((t) => `${t} #${round}`));
});

const gloveDir = Deno.env.get("QAC_GLOVE_DIR") ?? "data/glove";
const glove = findGlovePackage() === undefined ? undefined : await createGloveEmbedder(
  { kind: "glove", withBuiltin: true },
  { modelDir: gloveDir },
);
Deno.bench({
  name: "glove + builtin embed (2000 texts)",
  group: "embed",
  ignore: glove === undefined,
  async fn() {
    await glove!.embed(texts);
  },
});

globalThis.addEventListener("unload", () => Deno.removeSync(cacheDir, { recursive: true }));
