/**
 * Start-up checks of the server: every file it will read is resolved and checked before it
 * listens, so a missing permission is one clear line at start — never a terminal prompt while
 * clients wait, nor a 500 on every `/data/*` later.
 * @module
 */

/** Why `path` cannot be read by this process, or undefined when it can. */
export async function readProblem(path: string): Promise<string | undefined> {
  const { state } = await Deno.permissions.query({ name: "read", path });
  if (state !== "granted") {
    return `no read permission (allow it with --allow-read=${path}, or start with \`deno task serve\`)`;
  }
  try {
    await Deno.stat(path);
    return undefined;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "it does not exist";
    return error instanceof Error ? error.message : String(error);
  }
}
