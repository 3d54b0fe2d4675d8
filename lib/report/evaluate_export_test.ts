import assert from "node:assert/strict";
import { join } from "node:path";
import { readExport } from "../data/discord/read.ts";
import { type ChatMessage, emptyReadStats } from "../data/discord/types.ts";
import { generateWindows } from "../data/generate/builtin.ts";
import { DiscordExportWriter } from "../data/generate/discord_export.ts";
import { LABELS } from "../data/types.ts";
import { BuiltinEmbedder } from "../features/builtin.ts";
import { randomContextBundle } from "../infer/_testing.ts";
import { initBackend } from "../infer/backend.ts";
import { buildReport } from "./build.ts";
import { createMessageClassifier } from "./classify.ts";
import { readExportTruth } from "./evaluate.ts";
import { evaluateExport } from "./evaluate_export.ts";

await initBackend();

const dir = await Deno.makeTempDir({ prefix: "qac-evaluate-export-" });
const exportDir = join(dir, "export");
const writer = await DiscordExportWriter.open(exportDir, { seed: 5 });
for (const window of generateWindows({ conversations: 10, seed: 5 })) writer.add(window);
await writer.close();
const bundle = randomContextBundle(new BuiltinEmbedder({ dimension: 128 }), 32, {
  seed: 7,
  spread: 4,
});

/** The label the report's classifier gives each message of the export, by id. */
async function reportLabels(path: string): Promise<Map<string, string>> {
  const classify = createMessageClassifier(bundle);
  const labels = new Map<string, string>();
  const stats = emptyReadStats();
  await buildReport(readExport(path, { stats }), async (batch: readonly ChatMessage[]) => {
    const p = await classify(batch);
    batch.forEach((m, i) => {
      const row = [...p.subarray(i * 3, i * 3 + 3)];
      labels.set(m.messageId, LABELS[row.indexOf(Math.max(...row))]!);
    });
    return p;
  }, { stats });
  classify.close();
  return labels;
}

Deno.test("evaluateExport() scores every message against truth.csv, each labelled as the report labels it", async () => {
  const truth = await readExportTruth(join(exportDir, "truth.csv"));
  const predicted = await reportLabels(exportDir);
  const result = await evaluateExport(bundle, exportDir);
  const scored = [...predicted.keys()].filter((id) => truth.labels.has(id));
  assert.ok(scored.length > 150, `${scored.length} messages`);
  assert.equal(result.n, scored.length);
  assert.equal(result.skipped.contextOnly, undefined); // every chat message has its truth
  const counts = Object.fromEntries(LABELS.map((l) => [l, 0]));
  for (const id of scored) counts[truth.labels.get(id)!]! += 1;
  assert.deepEqual(result.labelCounts, counts);
  const right = scored.filter((id) => predicted.get(id) === truth.labels.get(id)).length;
  assert.ok(Math.abs(result.metrics.accuracy - right / scored.length) < 1e-12);
  for (const [i, label] of LABELS.entries()) {
    const truly = scored.filter((id) => truth.labels.get(id) === label);
    assert.equal(result.metrics.perClass[label].support, truly.length);
    assert.equal(
      result.metrics.confusion[i]![i],
      truly.filter((id) => predicted.get(id) === label).length,
    );
  }
  assert.equal(result.mode, "context");
  assert.equal(result.labelColumn, "truth.csv label");
  assert.equal(result.baselines.questionMark.n, scored.length);
});

Deno.test("evaluateExport() reads messages the truth does not label as context only", async () => {
  const partial = join(dir, "partial");
  await Deno.mkdir(partial);
  for await (const entry of Deno.readDir(exportDir)) {
    if (entry.name.endsWith(".json")) {
      await Deno.copyFile(join(exportDir, entry.name), join(partial, entry.name));
    }
  }
  // the truth of one channel only (and its threads: truth.csv names the parent)
  const lines = (await Deno.readTextFile(join(exportDir, "truth.csv"))).trimEnd().split("\n");
  const kept = lines.filter((l, i) => i === 0 || l.split(",")[1] === "sql-help");
  await Deno.writeTextFile(join(partial, "truth.csv"), kept.join("\n") + "\n");
  const truth = await readExportTruth(join(partial, "truth.csv"));
  const messages = await Array.fromAsync(readExport(partial));
  const scored = messages.filter((m) => truth.labels.has(m.messageId)).length;
  assert.ok(scored > 0 && scored < messages.length, `${scored} of ${messages.length}`);
  const result = await evaluateExport(bundle, partial);
  assert.equal(result.n, scored);
  assert.equal(result.skipped.contextOnly, messages.length - scored);
});

Deno.test("evaluateExport() without truth.csv says eval needs labels and points to classify", async () => {
  const file = (await Array.fromAsync(Deno.readDir(exportDir))).find((e) =>
    e.name.endsWith(".json")
  )!;
  const bare = join(dir, "bare");
  await Deno.mkdir(bare);
  await Deno.copyFile(join(exportDir, file.name), join(bare, file.name));
  await assert.rejects(evaluateExport(bundle, bare), {
    name: "NotFound",
    message:
      `Cannot evaluate on "${bare}": it is a chat export without true labels (no truth.csv ` +
      "beside it, as deno task generate --format discord-json writes); eval needs labels — to " +
      `label its messages instead, run: deno task classify --in "${bare}" --out labels.csv`,
  });
});

globalThis.addEventListener("unload", () => {
  bundle.model.dispose();
  Deno.removeSync(dir, { recursive: true });
});
