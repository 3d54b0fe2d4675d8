/**
 * Wiring shared by the entry points: the embedder runtime from the environment, real-chat
 * evaluation of a fresh model, and the run's report charts. Private to tasks/.
 * @module
 */

import { join } from "node:path";
import type { ModelBundle } from "../lib/model/bundle.ts";
import { type EvalResult, evaluateLabelledCsv, writeEvalReport } from "../lib/eval/evaluate.ts";
import { writeReportCharts } from "../lib/plot/report.ts";
import { sha256File, type TrainingReport } from "../lib/pipeline.ts";
import { exists } from "./_cli.ts";

export { embedderRuntimeFromEnv } from "./_env.ts";

/**
 * Evaluates `bundle` on every `*.csv` in `dir` (real chat, or with `what` "judge-eval" the
 * hand-written judge sets of data/judges — evaluation only, never training), writing each report
 * to `evalDir/<file stem>/`. Skips with one line when `dir` is absent.
 * `seen` (by the file's SHA-256) lets calls over several folders score a file they share only
 * once: the vendored Molweni file is also `../shared/data/real/threads/molweni.csv`.
 */
export async function evaluateRealChat(
  bundle: ModelBundle,
  dir: string,
  evalDir: string,
  seen: Map<string, EvalResult & { alone?: EvalResult }> = new Map(),
  what: "real-eval" | "judge-eval" = "real-eval",
): Promise<Record<string, unknown>> {
  if (!(await exists(dir))) {
    console.log(
      what === "real-eval"
        ? `real-eval skipped: ${dir} not found (NPS Chat and Switchboard live in ../shared/data/real, outside the repository)`
        : `judge-eval skipped: ${dir} not found (J4 ships in the repository's data/judges)`,
    );
    return {};
  }
  const files: string[] = [];
  // dir/*.csv are messages alone; dir/threads/*.csv whole conversations (read with context)
  for (const [folder, prefix] of [[dir, ""], [join(dir, "threads"), "threads/"]] as const) {
    if (!(await exists(folder))) continue;
    for await (const entry of Deno.readDir(folder)) {
      // *_full.csv files are scale tests (182k rows); the standard held-out sets are enough here
      if (entry.isFile && entry.name.endsWith(".csv") && !entry.name.endsWith("_full.csv")) {
        files.push(prefix + entry.name);
      }
    }
  }
  const results: Record<string, unknown> = {};
  for (const file of files.sort()) {
    const path = join(dir, file);
    const name = file.replace(/\.csv$/, "");
    const digest = await sha256File(path);
    const earlier = seen.get(digest);
    const result: EvalResult & { alone?: EvalResult } = earlier
      ? { ...earlier, source: path }
      : await evaluateLabelledCsv(bundle, path);
    await writeEvalReport(join(evalDir, name), result);
    let line = `${what} ${name}: macro-F1 ${
      result.metrics.macroF1.toFixed(3)
    } (${result.mode}; the "?" rule: ${
      result.baselines.questionMark.macroF1.toFixed(3)
    }) on ${result.metrics.n} rows`;
    if (result.mode === "context") {
      // the same model and rows, each message read alone: what the context adds
      const alone = earlier?.alone ?? await evaluateLabelledCsv(bundle, path, { context: "off" });
      result.alone = alone;
      line += `; message alone ${alone.metrics.macroF1.toFixed(3)}`;
    }
    if (!earlier) seen.set(digest, result);
    results[name] = result;
    console.log(line);
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

export { contextFlag, CONVERSATION_FLAGS, conversationColumnFlags } from "./_conversation_flags.ts";
