/**
 * Debian's Chromium for the browser tests, found and launched one way for every test file.
 * @module
 */

import type { Browser } from "playwright-core";

/**
 * Debian's Chromium (never a downloaded one): `QAC_CHROMIUM` when set, else the first of the
 * usual install paths that exists.
 */
export async function findChromium(): Promise<string | undefined> {
  const candidates = [
    Deno.env.get("QAC_CHROMIUM"),
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
  ].filter((path): path is string => path !== undefined && path !== "");
  for (const path of candidates) {
    if (await Deno.stat(path).then((s) => s.isFile, () => false)) return path;
  }
  return undefined;
}

/** Where the browser tests look, for their one-line skip message. */
export const CHROMIUM_HINT =
  "no Chromium at /usr/lib/chromium/chromium or QAC_CHROMIUM (apt-get install -y chromium)";

/** Launches headless Chromium at `executablePath` with no network extras and no sandbox. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return await chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
