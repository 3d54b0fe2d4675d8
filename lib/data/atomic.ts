/**
 * Atomic file writes: write a sibling temporary file, then rename it over the target, so a crash
 * never leaves a half-written dataset, vector file or model behind.
 * @module
 */

import { dirname } from "node:path";

/** Writes `data` to `path` atomically (temp file in the same folder + rename). */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/** Appends `text` to `path` as one write after fsync of the existing content is not needed:
 * the whole new file is written beside it and renamed, so readers see the old or the new file. */
export async function appendFileAtomic(path: string, text: string): Promise<void> {
  let old = "";
  try {
    old = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await writeFileAtomic(path, old + text);
}
