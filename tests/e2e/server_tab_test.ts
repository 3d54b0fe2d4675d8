import assert from "node:assert/strict";
import { join } from "node:path";
import { HAND_CHANNELS, handChannelJson } from "../../lib/report/_hand_export.ts";
import { writeTinyModel } from "./_model.ts";
import { ROOT, startServer } from "./_server.ts";
import { CHROMIUM_HINT, findChromium, launchChromium } from "./_browser.ts";

const ARTIFACTS = join(ROOT, "test-artifacts");
const chromiumPath = await findChromium();
if (chromiumPath === undefined) console.log(`server tab browser test skipped: ${CHROMIUM_HINT}`);

Deno.test({
  name: "the 'Your server' tab reports an uploaded export, downloads it, and explains a bad file",
  ignore: chromiumPath === undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "qac-server-tab-" });
    const tiny = await writeTinyModel(dir);
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const exportPath = join(
      dir,
      "Breaking Into Data - Help - python-help [820000000000000001].json",
    );
    await Deno.writeTextFile(exportPath, handChannelJson(HAND_CHANNELS[0]!));
    const badPath = join(dir, "notes.json");
    await Deno.writeTextFile(badPath, "these are my notes, not an export");
    // serve.ts may read the model and its Explore data only (no write permission at all): the
    // upload is processed as a stream, never saved
    const server = await startServer([tiny.modelDir, tiny.dataPath], [
      "--model",
      tiny.modelDir,
      "--quiet",
    ]);
    const browser = await launchChromium(chromiumPath!);
    try {
      const page = await browser.newPage({
        viewport: { width: 1200, height: 900 },
        acceptDownloads: true,
      });
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
      page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
      page.on("request", (r) => {
        const url = r.url();
        if (!url.startsWith(server.url) && !url.startsWith("blob:") && !url.startsWith("about:")) {
          problems.push(`external request: ${url}`);
        }
      });
      await page.goto(server.url);
      await page.click("#tab-server");
      assert.equal(await page.isVisible("#panel-server"), true);
      assert.equal(await page.isVisible("#panel-classify"), false);
      assert.match(await page.textContent("#panel-server") ?? "", /up to 20 MiB/);

      await page.setInputFiles("#server-file", exportPath);
      await page.waitForSelector("#server-result:not([hidden])");
      assert.match(
        await page.textContent("#server-status") ?? "",
        /^Breaking Into Data - Help - python-help \[820000000000000001\]\.json: 9 messages, \d+ questions, \d+% answered, \d+ unanswered\. Nothing was kept on the server\.$/,
      );
      const frame = page.frameLocator("#server-frame");
      assert.match(
        await frame.locator("h1").textContent() ?? "",
        /^Community report — Breaking Into Data$/,
      );
      assert.equal(await frame.locator("table tbody tr").count(), 1);
      assert.ok(await frame.locator("svg").count() >= 2);
      await page.screenshot({ path: join(ARTIFACTS, "serve-your-server.png"), fullPage: true });

      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click("#server-download-json"),
      ]);
      assert.equal(download.suggestedFilename(), "report.json");
      const saved = join(dir, "downloaded.json");
      await download.saveAs(saved);
      const report = JSON.parse(await Deno.readTextFile(saved));
      assert.equal(report.overall.messages, 9);
      assert.deepStrictEqual(Object.keys(report.questions[0]), [
        "id",
        "channel",
        "author",
        "timestamp",
        "text",
        "answered",
        "firstAnswerId",
        "secondsToFirstAnswer",
        "linkedBy",
      ]);
      const [csv] = await Promise.all([
        page.waitForEvent("download"),
        page.click("#server-download-csv"),
      ]);
      assert.equal(csv.suggestedFilename(), "unanswered.csv");
      const csvPath = join(dir, "unanswered.csv");
      await csv.saveAs(csvPath);
      assert.match(await Deno.readTextFile(csvPath), /^id,channel,author,timestamp,text,link\n/);

      await page.setInputFiles("#server-file", badPath);
      await page.waitForSelector("#server-error:not([hidden])");
      assert.equal(
        await page.textContent("#server-error"),
        'Cannot parse "notes.json": not JSON (starts with "these are my")',
      );
      assert.equal(await page.isVisible("#server-result"), false);
      assert.deepEqual(problems.filter((p) => !p.includes("422")), []);
    } finally {
      await browser.close();
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
