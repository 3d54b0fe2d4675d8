/**
 * Atomic file writes: write a sibling temporary file, then rename it over the target, so a crash
 * never leaves a half-written dataset, vector file or model behind.
 * @module
 */

import { dirname, resolve } from "node:path";

/**
 * Writes `data` to `path` atomically: a temp file in the same folder, flushed to disk (fsync)
 * before it is renamed over the target, so a crash leaves the old file or the new one, never a
 * renamed file whose blocks never reached the disk. The temp file is removed on any failure.
 * @throws {TypeError} when `path` is a folder
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await makeFolder(dirname(path));
  if ((await Deno.stat(path).catch(() => undefined))?.isDirectory) {
    throw new TypeError(`Cannot write "${path}": it is a folder, not a file`);
  }
  const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true });
    try {
      let offset = 0;
      while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw explainWriteError(error, path);
  }
}

/**
 * A write failure the user can fix, in the form `Cannot write "out.csv": <state>; <what to do>`
 * instead of the system's "Read-only file system (os error 30): open 'out.csv.1a2b3c4d.tmp'",
 * which names a temp file; any other error comes back as it is.
 */
export function explainWriteError(error: unknown, path: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const state = code === "EROFS"
    ? "its folder is on a read-only file system; choose another place"
    : code === "EACCES" || code === "EPERM"
    ? `there is no permission to write in "${dirname(path)}"; choose another place or allow it`
    : code === "ENOSPC" || code === "EDQUOT"
    ? "the disk is full (or the quota used up); free some space and run it again"
    : undefined;
  return state === undefined ? error : new Error(`Cannot write "${path}": ${state}`);
}

/**
 * Creates the folder `dir` and its parents unless they exist, and returns those it created,
 * innermost first: what a writer removes again when it fails before writing anything.
 * @throws {TypeError} when `dir`, or a folder on its path, is a file: `Cannot write into "x.csv":
 * it is a file, not a folder; …` instead of the system's "File exists (os error 17): mkdir"
 */
export async function makeFolder(dir: string): Promise<string[]> {
  const created = await missingFolders(dir);
  try {
    await Deno.mkdir(dir, { recursive: true });
    return created;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists || error instanceof Deno.errors.NotADirectory) {
      const state = error instanceof Deno.errors.AlreadyExists
        ? "it is a file, not a folder"
        : "a part of that path is a file, not a folder";
      throw new TypeError(
        `Cannot write into "${dir}": ${state}; name a folder that is not a file (or remove the file)`,
      );
    }
    throw explainWriteError(error, dir);
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

/** `dir` and each of its parents that do not exist yet, innermost first. */
async function missingFolders(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let folder = resolve(dir); folder !== dirname(folder); folder = dirname(folder)) {
    const absent = await Deno.lstat(folder).then(
      () => false,
      (error) => error instanceof Deno.errors.NotFound,
    );
    if (!absent) break;
    missing.push(folder);
  }
  return missing;
}
