/**
 * Builds an embedder from its serialisable config — how a saved model gets back the exact
 * embedder it was trained with.
 * @module
 */

import {
  BUILTIN_VERSION,
  BUILTIN_VERSIONS,
  BuiltinEmbedder,
  type BuiltinVersion,
} from "./builtin.ts";
import {
  type Embedder,
  EMBEDDER_KINDS,
  type EmbedderConfig,
  type EmbedderRuntime,
} from "./embedder.ts";

/**
 * Creates the embedder a config describes. Heavy providers are imported only when asked for.
 * @throws {RangeError} for an unknown kind, listing the known ones.
 */
export async function createEmbedder(
  config: EmbedderConfig,
  runtime: EmbedderRuntime = {},
): Promise<Embedder> {
  switch (config.kind) {
    case "builtin": {
      const version = config.version ?? BUILTIN_VERSION;
      if (!(BUILTIN_VERSIONS as readonly unknown[]).includes(version)) {
        throw new RangeError(
          `Cannot create builtin embedder: the model uses feature version ${
            JSON.stringify(version)
          }, this qac computes versions ${
            BUILTIN_VERSIONS.join(", ")
          }; update qac, or retrain with \`deno task train\``,
        );
      }
      if (config.dimension !== undefined && typeof config.dimension !== "number") {
        throw new TypeError(
          `Cannot create builtin embedder: dimension must be a number, got ${
            JSON.stringify(config.dimension)
          }`,
        );
      }
      return new BuiltinEmbedder({
        dimension: config.dimension,
        version: version as BuiltinVersion,
        charNgrams: config.charNgrams === undefined ? undefined : config.charNgrams === true,
      });
    }
    case "openai": {
      const { createOpenAIEmbedder } = await import("./openai.ts");
      return await createOpenAIEmbedder(config, runtime);
    }
    case "transformers": {
      const { createTransformersEmbedder } = await import("./transformers.ts");
      return await createTransformersEmbedder(config, runtime);
    }
    case "glove": {
      const { createGloveEmbedder } = await import("./glove.ts");
      return await createGloveEmbedder(config, runtime);
    }
    default:
      throw new RangeError(
        `Cannot create embedder: unknown kind ${JSON.stringify(config.kind)} (known: ${
          EMBEDDER_KINDS.join(", ")
        })`,
      );
  }
}
