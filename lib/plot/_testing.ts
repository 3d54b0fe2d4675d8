/**
 * Snapshot assertion for chart tests: compares an SVG, with numbers rounded, against
 * `lib/plot/testdata/<name>.svg`. Run `deno test -A lib/plot/ -- --update` to rewrite snapshots.
 * @module
 */

import assert from "node:assert/strict";

const DIR = new URL("./testdata/", import.meta.url);

/** Rounds every decimal number to one decimal, so float noise does not break snapshots. */
export function roundNumbers(svg: string): string {
  return svg.replace(/-?\d+\.\d+/g, (n) => {
    const rounded = Number(Number(n).toFixed(1));
    return String(Object.is(rounded, -0) ? 0 : rounded);
  });
}

/** Asserts that `svg` matches the stored snapshot `name` (or writes it under `--update`). */
export async function assertSvgSnapshot(name: string, svg: string): Promise<void> {
  const url = new URL(`${name}.svg`, DIR);
  const actual = roundNumbers(svg).replace(/></g, ">\n<") + "\n";
  if (Deno.args.includes("--update")) {
    await Deno.mkdir(DIR, { recursive: true });
    await Deno.writeTextFile(url, actual);
    return;
  }
  let expected: string;
  try {
    expected = await Deno.readTextFile(url);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`Snapshot ${name}.svg is missing: run deno test -A lib/plot/ -- --update`);
    }
    throw error;
  }
  assert.equal(actual, expected, `SVG snapshot ${name}.svg differs (update with -- --update)`);
}

/** Compiles a Vega-Lite spec and renders it headless; returns the SVG (throws if invalid). */
export async function renderVegaLite(spec: object): Promise<string> {
  const vl = await import("vega-lite");
  const vega = await import("vega");
  // deno-lint-ignore no-explicit-any
  const compiled = vl.compile(spec as any).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
