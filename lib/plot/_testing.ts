/**
 * Snapshot assertion for chart tests: compares an SVG, with numbers rounded, against
 * `lib/plot/testdata/<name>.svg`. Run `deno test -A lib/plot/ -- --update` to rewrite snapshots.
 * @module
 */

import assert from "node:assert/strict";
import { type Chart, DISPLAY } from "./chart.ts";

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

/**
 * Asserts that a chart's Jupyter bundle carries its SVG, a PNG of twice its size, and an HTML
 * `<img>` of that PNG at the SVG's width (what nbconvert's HTML shows).
 */
export function assertPngBeside(chart: Chart): void {
  const bundle = chart[DISPLAY]();
  assert.equal(bundle["image/svg+xml"], chart.svg);
  assert.ok(
    bundle["text/html"]!.startsWith(`<img src="data:image/png;base64,${bundle["image/png"]}"`),
    "text/html is an <img> of the PNG",
  );
  const png = Uint8Array.from(atob(bundle["image/png"]!), (c) => c.charCodeAt(0));
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "PNG signature");
  const view = new DataView(png.buffer);
  const width = Number(/^<svg[^>]*\swidth="([\d.]+)"/.exec(chart.svg)![1]);
  assert.equal(view.getUint32(16), Math.round(2 * width), "PNG width (IHDR)");
  assert.match(bundle["text/html"]!, new RegExp(` width="${width}" alt="[^"]+">$`));
}
