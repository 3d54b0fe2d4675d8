/// <reference lib="deno.unstable" />
/**
 * Notebook-only glue around `Deno.jupyter.display` (`lib/` never touches `Deno.jupyter`; this
 * file is the one place that does): {@linkcode show} for text and charts, and
 * {@linkcode liveDisplay} for output that updates in place, such as training curves.
 *
 * Why not `console.log` or a bare last expression? The Deno kernel may report a cell finished
 * before its last stdout line or result reaches Jupyter; headless runs (`deno task notebooks`)
 * then save the notebook without it. An awaited display is delivered before the cell ends.
 * @module
 */

/** Shows a chart, view or other displayable; a string is shown as plain text. */
export async function show(value: unknown): Promise<void> {
  if (typeof value === "string") {
    await Deno.jupyter.display({ "text/plain": value }, { raw: true });
  } else {
    await Deno.jupyter.display(value, { raw: false });
  }
  // Give the kernel's IOPub sender a moment, so a cell's last output leaves before "idle".
  await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Shows `initial` in the cell's output and returns a function that replaces it in place. */
export async function liveDisplay(initial: unknown): Promise<(next: unknown) => Promise<void>> {
  const id = `qac-live-${crypto.randomUUID()}`;
  await Deno.jupyter.display(initial, { raw: false, display_id: id });
  return (next) => Deno.jupyter.display(next, { raw: false, update: true, display_id: id });
}
