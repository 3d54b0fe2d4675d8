import assert from "node:assert/strict";
import { join } from "node:path";
import { writeTinyModel } from "./_model.ts";
import { ROOT, startServer } from "./_server.ts";

const CHROMIUM = "/usr/lib/chromium/chromium";
const ARTIFACTS = join(ROOT, "test-artifacts");
const hasChromium = await Deno.stat(CHROMIUM).then(() => true, () => false);
if (!hasChromium) {
  console.log(`browser test skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);
}

Deno.test({
  name: "the page classifies a question with three bars, and Explore draws its charts",
  ignore: !hasChromium,
  async fn() {
    const { chromium } = await import("playwright-core");
    const dir = await Deno.makeTempDir({ prefix: "qac-browser-" });
    const tiny = await writeTinyModel(dir);
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const server = await startServer([dir], ["--model", tiny.modelDir, "--quiet"]);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
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
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
      page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
      page.on("request", (r) => {
        if (!r.url().startsWith(server.url)) problems.push(`external request: ${r.url()}`);
      });
      await page.goto(server.url);

      await page.fill("#text", "does anyone know a good course for learning SQL?");
      await page.click("#classify");
      await page.waitForSelector("#result:not([hidden])");
      assert.equal(await page.textContent("#label"), "question");
      assert.equal(await page.locator('#prob-chart g[aria-label="bar"] rect').count(), 3);
      await page.screenshot({ path: join(ARTIFACTS, "serve-classify.png"), fullPage: true });

      // Ctrl+Enter submits too; a whitespace-only text shows the server's 422 readably.
      await page.fill("#text", "   ");
      await page.press("#text", "Control+Enter");
      await page.waitForSelector("#error:not([hidden])");
      assert.match(await page.textContent("#error") ?? "", /422 .*text must not be empty/);

      await page.click("#tab-explore");
      for (const id of ["chart-mix", "chart-channels", "chart-lengths"]) {
        await page.waitForSelector(`#${id} svg`);
      }
      assert.equal(await page.locator('#chart-mix g[aria-label="bar"] rect').count(), 3);
      await page.waitForSelector(".thread .msg.wrong");
      assert.match(
        await page.textContent("#explore-stats") ?? "",
        /^[\d,]+ messages in 80 conversations/,
      );
      await page.screenshot({ path: join(ARTIFACTS, "serve-explore.png") });
      assert.deepEqual(problems.filter((p) => !p.includes("422")), []);
    } finally {
      await browser.close();
      await server.stop();
    }
  },
});
