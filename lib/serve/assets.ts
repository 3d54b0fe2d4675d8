/**
 * The web page's static files: our own page (lib/serve/page/) and the chart library, served
 * from node_modules so the page loads nothing from a CDN and needs no build step.
 * @module
 */

import { join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

/** A file the server sends as-is. */
export interface StaticAsset {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  cacheControl: string;
}

/** Where each served path's file lives. */
export type AssetFiles = Record<string, string>;

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** The page's own files, keyed by URL path. */
export function pageFiles(pageDir = fromFileUrl(new URL("./page/", import.meta.url))): AssetFiles {
  return {
    "/": join(pageDir, "index.html"),
    "/app.js": join(pageDir, "app.js"),
    "/style.css": join(pageDir, "style.css"),
    "/server_tab.js": join(pageDir, "server_tab.js"),
  };
}

/**
 * Observable Plot's UMD bundle (it inlines its small dependencies) and d3, which it expects as
 * the global `d3`. d3 is Plot's dependency, so it sits beside Plot in Deno's node_modules layout.
 * @param nodeModules the project's node_modules directory
 */
export function vendorFiles(
  nodeModules = fromFileUrl(new URL("../../node_modules/", import.meta.url)),
): AssetFiles {
  const plot = join(nodeModules, "@observablehq", "plot");
  let d3 = join(nodeModules, "d3");
  try {
    d3 = join(Deno.realPathSync(plot), "..", "..", "d3");
  } catch {
    // Plot is not installed; the 404 for its file says how to fix that.
  }
  return {
    "/vendor/plot.umd.min.js": join(plot, "dist", "plot.umd.min.js"),
    "/vendor/d3.min.js": join(d3, "dist", "d3.min.js"),
  };
}

/** Reads `path` as a {@linkcode StaticAsset}, or returns undefined when it does not exist. */
export async function readAsset(path: string, immutable = false): Promise<StaticAsset | undefined> {
  let body: Uint8Array<ArrayBuffer>;
  try {
    body = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  const extension = path.slice(path.lastIndexOf("."));
  return {
    body,
    contentType: CONTENT_TYPES[extension] ?? "application/octet-stream",
    // Vendor files are pinned by the lockfile; the page's own files change as we edit them.
    cacheControl: immutable ? "public, max-age=86400" : "no-cache",
  };
}
