/**
 * `deno task eval --model models/latest --data FILE.csv`: scores a saved model on any labelled
 * CSV beside the "?" rule and the majority class, prints the tables and writes JSON + SVG charts
 * to `<model>/eval/<file stem>/`. A generated chat export (with `truth.csv` beside it) goes to
 * tasks/_eval_export.ts instead.
 * @module
 */

import { handleInterrupt } from "./_interrupt.ts";
import { basename, extname, join } from "node:path";
import { evaluateLabelledCsv, writeEvalReport } from "../lib/eval/evaluate.ts";
import { formatEvalResult } from "../lib/eval/report.ts";
import { loadBundle } from "../lib/model/bundle.ts";
import { detectExport } from "../lib/data/discord/detect.ts";
import { exists, type FlagSpec, loadModel, parseFlags, runMain } from "./_cli.ts";
import {
  contextFlag,
  CONVERSATION_FLAGS,
  conversationColumnFlags,
  embedderRuntimeFromEnv,
} from "./_shared.ts";

const FLAGS: FlagSpec = {
  model: { type: "string", placeholder: "DIR", default: "models/latest", help: "model folder" },
  data: {
    type: "string",
    placeholder: "FILE.csv|EXPORT|-",
    help: "labelled CSV (text,label or message,message_type); - reads it from stdin; or a " +
      "generated chat export (a folder, or a channel's .json/.csv) with truth.csv beside it",
  },
  out: {
    type: "string",
    placeholder: "DIR",
    help: "report folder (default: <model>/eval/<file stem>)",
  },
  "text-column": { type: "string", placeholder: "COLUMN", help: "column holding the message" },
  "label-column": { type: "string", placeholder: "COLUMN", help: "column holding the label" },
  ...CONVERSATION_FLAGS,
  where: {
    type: "string",
    placeholder: "COLUMN=VALUE",
    help: "keep only rows with COLUMN=VALUE, e.g. seed_split=test",
  },
};

await runMain(async () => {
  const flags = parseFlags(
    Deno.args,
    FLAGS,
    "Usage: deno task eval --model models/latest --data FILE.csv|EXPORT [options]\n\n" +
      'Evaluates a saved model on a labelled CSV, beside the "?" rule and the majority class.\n' +
      "On a chat export (deno task generate --format discord-json), each message is read in its " +
      "channel as\ndeno task report reads it, and scored against the truth.csv beside it.",
  );
  if (typeof flags.data !== "string") {
    throw new TypeError("Cannot evaluate: --data FILE.csv (or an export folder) is required");
  }
  const fromStdin = flags.data === "-";
  // The evaluation reads its whole file anyway, so stdin is copied to a temporary CSV first.
  const data = fromStdin ? await stdinToTempFile() : flags.data;
  try {
    await evaluate(flags, data, fromStdin ? "stdin" : data);
  } finally {
    if (fromStdin) await Deno.remove(data).catch(() => {});
  }
});

/** Copies stdin into a temporary `.csv` file and returns its path. */
async function stdinToTempFile(): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "qac-eval-stdin-", suffix: ".csv" });
  const file = await Deno.open(path, { write: true, truncate: true });
  await Deno.stdin.readable.pipeTo(file.writable);
  return path;
}

/** Scores the model on `data` (`name` is how the report folder and messages call it). */
async function evaluate(
  flags: Record<string, string | boolean | undefined>,
  data: string,
  name: string,
): Promise<void> {
  if (!(await exists(data))) {
    throw new Deno.errors.NotFound(
      `Cannot evaluate on "${data}": no such file` +
        (data.includes("shared")
          ? " (NPS Chat, Switchboard and the original's conversations are not in the repository: " +
            "they live in ../shared beside it; data/real/molweni.csv is real chat that is)"
          : ""),
    );
  }
  const exportKind = name === "stdin" ? null : await detectExport(data);
  if (exportKind !== null) {
    const { evaluateExportCli } = await import("./_eval_export.ts");
    return await evaluateExportCli(flags, data);
  }
  let filter: ((r: { values: Record<string, string> }) => boolean) | undefined;
  // what --where saw, to say why it kept no row
  const where: WhereSeen = { column: "", value: "", matched: 0, values: new Map() };
  if (typeof flags.where === "string") {
    const match = /^([^=]+)=(.*)$/.exec(flags.where);
    if (!match) {
      throw new TypeError(`Cannot read --where: "${flags.where}" is not COLUMN=VALUE`);
    }
    const [, column, value] = match as unknown as [string, string, string];
    filter = (r) => {
      const cell = (r.values[column] ?? "").trim();
      if (where.columns === undefined) where.columns = Object.keys(r.values);
      where.values.set(cell, (where.values.get(cell) ?? 0) + 1);
      if (cell !== value) return false;
      where.matched++;
      return true;
    };
    where.column = column;
    where.value = value;
  }
  // Ctrl-C exits 130 at once; while the report is being written, right after it.
  using interrupt = handleInterrupt("eval");
  const modelDir = await Deno.realPath(String(flags.model)).catch(() => String(flags.model));
  const bundle = await loadModel(modelDir, (dir) => loadBundle(dir, embedderRuntimeFromEnv()));
  const scored = await evaluateLabelledCsv(bundle, data, {
    textColumn: flags["text-column"] as string | undefined,
    labelColumn: flags["label-column"] as string | undefined,
    filter,
    context: contextFlag(flags.context),
    conversationColumns: conversationColumnFlags(flags),
  }).catch((error) => {
    // "no scorable rows (0 skipped of 0)" would not say the filter is what emptied the file
    if (filter && where.columns !== undefined && where.matched === 0) {
      throw new RangeError(`Cannot evaluate on "${name}": ${noMatch(where)}`);
    }
    throw error;
  });
  // only once rows were picked: a split note is no help when --where matched nothing
  const hint = splitHint(bundle.metadata.data?.splitColumn, flags.where);
  if (hint) console.error(hint);
  const result = { ...scored, source: name };
  const outDir = typeof flags.out === "string" ? flags.out : join(
    modelDir,
    "eval",
    basename(name, extname(name)) +
      (flags.where ? `-${flags.where.toString().replace(/[^\w.-]+/g, "_")}` : ""),
  );
  const written = await interrupt.protect(() => writeEvalReport(outDir, result));
  console.log(formatEvalResult(result));
  console.log(
    `\nmodel ${bundle.metadata.runId} (${bundle.embedder.id}${
      bundle.metadata.context ? ", context model" : ""
    }); messages read ${result.mode === "context" ? "in their conversations" : "alone"}; ${
      Math.round(result.messagesPerSecond)
    } msgs/s; report: ${written.join(", ")}`,
  );
}

/** What the --where filter saw of the file: the column's values and how many rows matched. */
interface WhereSeen {
  column: string;
  value: string;
  matched: number;
  /** Each value of `column` (trimmed) with its row count. */
  values: Map<string, number>;
  /** The file's columns, once a row was read. */
  columns?: string[];
}

/** Why --where kept no row: the column is not in the file, or which values it does hold. */
function noMatch(seen: WhereSeen): string {
  if (!seen.columns!.includes(seen.column)) {
    return `--where names the column "${seen.column}", which the file does not have (its columns: ${
      seen.columns!.join(", ")
    })`;
  }
  const top = [...seen.values].sort((a, b) => b[1] - a[1]);
  const listed = top.slice(0, 10).map(([value, count]) => `${JSON.stringify(value)} (${count})`);
  return `--where ${seen.column}=${seen.value} matched no row; the column holds ${
    listed.join(", ")
  }${top.length > 10 ? ` and ${top.length - 10} other values` : ""}`;
}

/**
 * When rows are picked by a split column the model was not trained with (the original's
 * `seed_split=test`), they are not its held-out rows: say how to train a model that has them.
 */
function splitHint(trainedSplit: unknown, where: unknown): string | undefined {
  const column = typeof where === "string" ? /^([^=]+)=/.exec(where)?.[1] : undefined;
  if (column === undefined || column === trainedSplit) return undefined;
  return `note: this model was not trained with --split-column ${column}, so these rows are not ` +
    `its held-out test set (it may even have trained on some); to score the original's split, ` +
    `train first: deno task train --data ../shared/data/seed/conversations.csv --split-column ${column}`;
}
