/**
 * The embedder runtime from the environment, apart from `_shared.ts` so light entry points
 * (classify) do not load evaluation and chart code (~0.2 s of start-up). Private to tasks/.
 * @module
 */

import type { EmbedderRuntime } from "../lib/features/embedder.ts";

/** Reads embedder secrets and settings from the environment (never printed). */
export function embedderRuntimeFromEnv(
  overrides: { modelDir?: string; offline?: boolean } = {},
): EmbedderRuntime {
  const env = (name: string) => Deno.env.get(name) || undefined;
  return {
    apiKey: env("OPENAI_API_KEY"),
    baseUrl: env("OPENAI_BASE_URL"),
    modelDir: overrides.modelDir ?? env("QAC_MODEL_DIR"),
    offline: overrides.offline || env("HF_HUB_OFFLINE") === "1" || undefined,
    cacheDir: "data/cache",
  };
}
