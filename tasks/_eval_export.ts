/**
 * `deno task eval --data EXPORT`: the route for a generated chat export with `truth.csv` beside
 * it, loaded by tasks/eval.ts only for one. Private to tasks/.
 * @module
 */

import { basename, join } from "node:path";
import { exportFiles } from "../lib/data/discord/read.ts";
import { emptyReadStats } from "../lib/data/discord/types.ts";
import { holdsDiscordExport } from "../lib/report/classify_export.ts";
import { writeEvalReport } from "../lib/eval/evaluate.ts";
import { formatEvalResult } from "../lib/eval/report.ts";
import { loadWeightsBundle } from "../lib/model/bundle_files.ts";
import { evaluateExport } from "../lib/report/evaluate_export.ts";
import { loadModel } from "./_cli.ts";
import { COLUMN_FLAGS, refuseFileFlags } from "./_conversation_flags.ts";
import { embedderRuntimeFromEnv } from "./_env.ts";
import { handleInterrupt } from "./_interrupt.ts";

/** Flags of eval that only apply to a labelled CSV. */
const CSV_ONLY_FLAGS = ["where", "label-column", ...COLUMN_FLAGS];

/**
 * Scores the model on the export at `data` against its `truth.csv` and prints and writes eval's
 * usual report (to `--out`, else `<model>/eval/<export name>/`).
 */
export async function evaluateExportCli(
  flags: Record<string, string | boolean | undefined>,
  data: string,
): Promise<void> {
  refuseFileFlags(
    flags,
    data,
    CSV_ONLY_FLAGS,
    "it applies to a labelled CSV, and this is a chat export (scored against its truth.csv)",
  );
  if ((await Deno.stat(data)).isDirectory && !(await holdsDiscordExport(await exportFiles(data)))) {
    throw new TypeError(
      `Cannot evaluate on "${data}": the folder holds no DiscordChatExporter export; --data ` +
        "takes a labelled CSV, or a generated export (a folder with truth.csv beside its channels)",
    );
  }
  using interrupt = handleInterrupt("eval", { cooperative: true });
  const modelDir = await Deno.realPath(String(flags.model)).catch(() => String(flags.model));
  // weights only, as deno task report loads it: the same probabilities as the report's
  const bundle = await loadModel(
    modelDir,
    (dir) => loadWeightsBundle(dir, embedderRuntimeFromEnv()),
  );
  const stats = emptyReadStats();
  let problems = 0;
  const result = await evaluateExport(bundle, data, {
    stats,
    signal: interrupt.signal,
    onProblem: (p) => {
      problems++;
      console.error(
        p.line !== undefined
          ? `${p.file}:${p.line}: ${p.reason}`
          : p.reason.includes(p.file)
          ? p.reason
          : `${p.file}: ${p.reason}`,
      );
    },
  }).catch((error) => {
    if (interrupt.signal.aborted) interrupt.exit();
    throw error;
  });
  const name = basename(data.replace(/\/+$/, "")).replace(/\.(json|csv)$/i, "");
  const outDir = typeof flags.out === "string" ? flags.out : join(modelDir, "eval", name);
  const written = await interrupt.protect(() => writeEvalReport(outDir, result));
  console.log(formatEvalResult(result));
  const skipped = Object.entries(stats.skipped).map(([k, v]) => `${k} ${v}`).join(", ");
  console.log(
    `\nmodel ${bundle.metadata.runId} (${bundle.embedder.id}${
      bundle.metadata.context ? ", context model" : ""
    }); export read as deno task report reads it (${stats.files} file${
      stats.files === 1 ? "" : "s"
    }, ${stats.messages} chat messages; left out: ${skipped || "nothing"}${
      problems > 0 ? `; ${problems} problem(s) above` : ""
    }), each message classified in its channel; ${
      Math.round(result.messagesPerSecond)
    } msgs/s read and classified; report: ${written.join(", ")}`,
  );
}
