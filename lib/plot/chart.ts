/**
 * The chart object every builder returns, and the small SVG plumbing they share: rendering an
 * Observable Plot figure without a browser, a class legend, and stacking SVGs side by side.
 * @module
 */

import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { LABELS } from "../data/types.ts";
import { CLASS_COLORS } from "./palette.ts";
import { svgToPng, toBase64 } from "./png.ts";

/** The key Deno's Jupyter kernel calls to get an object's MIME bundle (`Deno.jupyter.$display`). */
export const DISPLAY: unique symbol = Symbol.for("Jupyter.display");

/**
 * A chart: one Observable Plot definition, rendered to a standalone SVG, and the PNG every
 * viewer shows (nbconvert and sanitising viewers drop inline SVG).
 */
export interface Chart {
  /** Standalone SVG document (has `xmlns`, white background). */
  readonly svg: string;
  /** The SVG rendered to PNG at twice its size (computed once, on first use). */
  png(): Uint8Array;
  /** Jupyter's MIME bundle: an HTML `<img>` of the PNG, `image/png` (base64), the SVG, a title. */
  [DISPLAY](): Record<string, string>;
}

/** An HTML fragment (chat view, table) that displays itself in Jupyter. */
export interface HtmlView {
  readonly html: string;
  /** Plain-text fallback for terminals. */
  readonly text: string;
  [DISPLAY](): Record<string, string>;
}

export { CLASS_COLORS };

/** Plot's color scale option for the three classes in {@linkcode LABELS} order. */
export const CLASS_SCALE = {
  domain: [...LABELS] as string[],
  range: LABELS.map((label) => CLASS_COLORS[label]!),
};

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * Wraps a standalone SVG string into a {@linkcode Chart}. Its Jupyter bundle leads with an HTML
 * `<img>` of the PNG: nbconvert and JupyterLab prefer SVG to PNG when both are present, and
 * nbconvert's HTML and sanitising viewers lose inline SVG; the `<img>` also shows the double-
 * resolution PNG at the chart's own width. `image/png` and `image/svg+xml` stay for the others.
 */
export function createChart(svg: string): Chart {
  let png: Uint8Array | undefined;
  const chart: Chart = {
    svg,
    png: () => png ??= svgToPng(svg).bytes,
    [DISPLAY]() {
      const base64 = toBase64(chart.png());
      const title = chartTitle(svg);
      return {
        "text/html": `<img src="data:image/png;base64,${base64}" width="${
          attribute(svg, "width")
        }" alt="${escapeXml(title)}">`,
        "image/png": base64,
        "image/svg+xml": svg,
        "text/plain": title,
      };
    },
  };
  return chart;
}

/** The chart's heading (the first bold text, as drawn by {@linkcode stackSvgs}), or "chart". */
function chartTitle(svg: string): string {
  const match = /<text [^>]*font-weight="bold"[^>]*>([^<]*)<\/text>/.exec(svg);
  return match
    ? match[1]!.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)))
    : "chart";
}

/** Wraps an HTML fragment and its plain-text form into an {@linkcode HtmlView}. */
export function createHtmlView(html: string, text: string): HtmlView {
  return {
    html,
    text,
    [DISPLAY]() {
      return { "text/html": html, "text/plain": text };
    },
  };
}

/** Renders Observable Plot options to a standalone SVG string (no browser needed). */
export function renderPlot(options: Plot.PlotOptions): string {
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const node = Plot.plot({ ...options, document: document as unknown as Document });
  // With a title, caption or legend Plot returns a <figure>; the chart itself is its <svg>.
  const svg = node.tagName.toLowerCase() === "svg" ? node : node.querySelector("svg");
  if (!svg) throw new TypeError("Cannot render plot: Plot returned no <svg> element");
  return standalone(svg.outerHTML);
}

/** Adds the XML namespace and a white background, so the SVG reads on dark pages and as a file. */
function standalone(svg: string): string {
  const width = attribute(svg, "width");
  const height = attribute(svg, "height");
  return svg
    .replace(/^<svg /, `<svg xmlns="${SVG_NS}" `)
    .replace(/(<svg[^>]*>)/, `$1<rect width="${width}" height="${height}" fill="white"/>`);
}

function attribute(svg: string, name: string): number {
  const match = new RegExp(`^<svg[^>]*\\s${name}="([\\d.]+)"`).exec(svg);
  if (!match) throw new TypeError(`Cannot read SVG ${name}: no ${name} attribute on the root`);
  return Number(match[1]);
}

/** Options of {@linkcode stackSvgs}. */
export interface StackOptions {
  /** `"row"` places SVGs left to right, `"column"` top to bottom. @default "row" */
  direction?: "row" | "column";
  /** Space between SVGs in pixels. @default 10 */
  gap?: number;
  /** A heading drawn above everything. */
  title?: string;
}

/** Places standalone SVGs next to each other in one standalone SVG. */
export function stackSvgs(svgs: readonly string[], options: StackOptions = {}): string {
  const direction = options.direction ?? "row";
  const gap = options.gap ?? 10;
  const top = options.title ? 26 : 0;
  let x = 0;
  let y = top;
  let width = 0;
  let height = top;
  const parts: string[] = [];
  for (const svg of svgs) {
    const w = attribute(svg, "width");
    const h = attribute(svg, "height");
    // Nested <svg> elements keep their own viewBox; only position them.
    parts.push(svg.replace(/^<svg xmlns="[^"]*" /, `<svg x="${x}" y="${y}" `));
    if (direction === "row") {
      width = x + w;
      height = Math.max(height, top + h);
      x += w + gap;
    } else {
      width = Math.max(width, w);
      height = y + h;
      y += h + gap;
    }
  }
  const title = options.title
    ? `<text x="${width / 2}" y="18" text-anchor="middle" font-family="system-ui, sans-serif" ` +
      `font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`
    : "";
  return `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="${width}" height="${height}" fill="white"/>${title}${parts.join("")}</svg>`;
}

/** Options of {@linkcode legendSvg}. */
export interface LegendOptions {
  /** Colour of each entry. @default CLASS_COLORS */
  colors?: Readonly<Record<string, string>>;
  /** Swatch shape. @default "square" */
  swatch?: "square" | "line";
}

/** A one-row legend as a standalone SVG (Plot's own legends are HTML and do not survive as SVG). */
export function legendSvg(entries: readonly string[], options: LegendOptions = {}): string {
  const colors = options.colors ?? CLASS_COLORS;
  const line = options.swatch === "line";
  let x = 4;
  const items = entries.map((entry) => {
    const color = colors[entry] ?? "#999";
    const mark = line
      ? `<line x1="${x}" x2="${x + 14}" y1="10" y2="10" stroke="${color}" stroke-width="2"/>`
      : `<rect x="${x}" y="4" width="12" height="12" fill="${color}"/>`;
    const text = `<text x="${x + 18}" y="14">${escapeXml(entry)}</text>`;
    x += 18 + 7 * entry.length + 16; // rough width of a 11px sans-serif label
    return mark + text;
  });
  return `<svg xmlns="${SVG_NS}" width="${x}" height="20" viewBox="0 0 ${x} 20" ` +
    `font-family="system-ui, sans-serif" font-size="11"><rect width="${x}" height="20" ` +
    `fill="white"/>${items.join("")}</svg>`;
}

/** Escapes text for use inside XML/HTML element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
