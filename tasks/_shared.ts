/**
 * Wiring shared by the entry points: the embedder runtime from the environment, real-chat
 * evaluation of a fresh model, and the run's report charts. Private to tasks/.
 * @module
 */

import { basename, join } from "node:path";
import type { ModelBundle } from "../lib/model/bundle.ts";
import { evaluateLabelledCsv, writeEvalReport } from "../lib/eval/evaluate.ts";
import { writeReportCharts } from "../lib/plot/report.ts";
import type { TrainingReport } from "../lib/pipeline.ts";
import { exists } from "./_cli.ts";

export { embedderRuntimeFromEnv } from "./_env.ts";

/**
 * Evaluates `bundle` on every `*.csv` in `dir` (real chat — evaluation only, never training),
 * writing each report to `evalDir/<file stem>/`. Skips with one line when `dir` is absent.
 */
export async function evaluateRealChat(
  bundle: ModelBundle,
  dir: string,
  evalDir: string,
): Promise<Record<string, unknown>> {
  if (!(await exists(dir))) {
    console.log(
      `real-eval skipped: ${dir} not found (NPS Chat and Switchboard live in ../shared/data/real, outside the repository)`,
    );
    return {};
  }
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    // *_full.csv files are scale tests (182k rows); the standard held-out sets are enough here
    if (entry.isFile && entry.name.endsWith(".csv") && !entry.name.endsWith("_full.csv")) {
      files.push(join(dir, entry.name));
    }
  }
  const results: Record<string, unknown> = {};
  for (const path of files.sort()) {
    const name = basename(path, ".csv");
    const result = await evaluateLabelledCsv(bundle, path);
    await writeEvalReport(join(evalDir, name), result);
    results[name] = result;
    console.log(
      `real-eval ${name}: macro-F1 ${result.metrics.macroF1.toFixed(3)} (the "?" rule: ${
        result.baselines.questionMark.macroF1.toFixed(3)
      }) on ${result.metrics.n} rows`,
    );
  }
  return results;
}

/** Writes the run's report charts (confusion matrix, ROC, training curves, per-class scores). */
export function writeRunReport(dir: string, report: TrainingReport): Promise<string[]> {
  return writeReportCharts(dir, {
    metrics: report.test,
    history: report.history,
    bestEpoch: Number(report.metadata.training.bestEpoch),
  });
}
