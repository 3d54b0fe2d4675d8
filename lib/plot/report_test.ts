import assert from "node:assert/strict";
import { join } from "node:path";
import { HISTORY, METRICS } from "./_fixtures.ts";
import { writeReportCharts } from "./report.ts";

Deno.test("writeReportCharts() writes the four report SVGs and returns their paths", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const report = join(dir, "run", "report");
    const paths = await writeReportCharts(report, {
      metrics: METRICS,
      history: HISTORY,
      bestEpoch: 3,
    });
    assert.deepEqual(
      paths,
      ["confusion.svg", "roc.svg", "training.svg", "per_class.svg"].map((f) => join(report, f)),
    );
    for (const path of paths) assert.match(await Deno.readTextFile(path), /^<svg xmlns=/);
    assert.match(await Deno.readTextFile(paths[0]!), /Confusion matrix on test \(n=10\)/);
    assert.deepEqual((await Array.fromAsync(Deno.readDir(report))).length, 4, "no temp files left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeReportCharts() skips roc.svg when the metrics have no ROC curves", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const paths = await writeReportCharts(dir, {
      metrics: { ...METRICS, roc: undefined },
      history: HISTORY,
      setName: "validation",
    });
    assert.deepEqual(paths.map((p) => p.slice(dir.length + 1)), [
      "confusion.svg",
      "training.svg",
      "per_class.svg",
    ]);
    assert.match(await Deno.readTextFile(paths[2]!), /on validation/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
