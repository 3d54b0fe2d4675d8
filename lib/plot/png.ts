/**
 * SVG → PNG with resvg (WebAssembly) and a bundled font (DejaVu Sans, Bitstream Vera licence in
 * `fonts/LICENSE-DejaVu`), so a chart shows in every notebook viewer — nbconvert and GitHub drop
 * or sanitise inline SVG — with its text, whatever fonts the machine has.
 * @module
 */

import { initWasm, Resvg } from "@resvg/resvg-wasm";
import { createRequire } from "node:module";

const FONT_URL = new URL("./fonts/DejaVuSans.ttf", import.meta.url);

async function init(): Promise<Uint8Array | Error> {
  try {
    const wasm = createRequire(import.meta.url).resolve("@resvg/resvg-wasm/index_bg.wasm");
    await initWasm(await Deno.readFile(wasm));
    return await Deno.readFile(FONT_URL);
  } catch (error) {
    // e.g. the server, which may read only its page and model: it draws SVG and never PNG, so
    // loading must not fail there; svgToPng() reports this error if it is ever called.
    return error instanceof Error ? error : new Error(String(error));
  }
}

// Top-level await: after this module loads, svgToPng() is synchronous, as Jupyter's display
// hook must be.
const font: Uint8Array | Error = await init();

/** Options of {@linkcode svgToPng}. */
export interface PngOptions {
  /** Pixels per SVG unit; 2 stays sharp on high-density screens. @default 2 */
  scale?: number;
}

/** A rendered PNG: its bytes and pixel size. */
export interface Png {
  bytes: Uint8Array;
  width: number;
  height: number;
}

/**
 * Renders a standalone SVG to PNG, every font family drawn with DejaVu Sans.
 * @throws {SyntaxError} when resvg cannot parse the SVG.
 */
export function svgToPng(svg: string, options: PngOptions = {}): Png {
  if (font instanceof Error) {
    throw new Error(`Cannot render SVG as PNG: resvg or its font did not load (${font.message})`);
  }
  let resvg: InstanceType<typeof Resvg>;
  try {
    resvg = new Resvg(svg, {
      fitTo: { mode: "zoom", value: options.scale ?? 2 },
      font: {
        fontBuffers: [font],
        loadSystemFonts: false,
        defaultFontFamily: "DejaVu Sans",
        sansSerifFamily: "DejaVu Sans",
      },
    });
  } catch (error) {
    throw new SyntaxError(
      `Cannot render SVG as PNG: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    const image = resvg.render();
    const png = { bytes: image.asPng(), width: image.width, height: image.height };
    image.free();
    return png;
  } finally {
    resvg.free();
  }
}

/** Base64 of the bytes, as Jupyter's `image/png` output wants it. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
