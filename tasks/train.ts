/**
 * `deno task train`: the headless pipeline — generate (if needed) → clean → split → embed →
 * train → evaluate → save. Reads flags and environment, then calls lib/.
 * @module
 */

import { handleInterrupt } from "./_interrupt.ts";
import { join } from "node:path";
import { writeConversations } from "../lib/data/csv.ts";
import { DEFAULT_CONVERSATIONS, generateBuiltin } from "../lib/data/generate/builtin.ts";
import { EMBEDDER_KINDS, type EmbedderConfig } from "../lib/features/embedder.ts";
import { runTraining } from "../lib/pipeline.ts";
import {
  CONTEXT_RECIPE_VERSIONS,
  type ContextRecipe,
  DEFAULT_CONTEXT_RECIPE,
} from "../lib/features/context.ts";
import {
  BUILTIN_VERSION,
  BUILTIN_VERSIONS,
  DEFAULT_BUILTIN_DIMENSION,
} from "../lib/features/builtin.ts";
import { formatMetricsTable, formatPerClassTable } from "../lib/eval/report.ts";
import { progressBar } from "./_progress.ts";
import {
  defaultRealEvalDir,
  exists,
  type FlagSpec,
  JUDGES_DIR,
  numberFlag,
  parseFlags,
  runMain,
  VENDORED_REAL_EVAL_DIR,
} from "./_cli.ts";
import {
  contextFlag,
  embedderRuntimeFromEnv,
  evaluateRealChat,
  writeRunReport,
} from "./_shared.ts";

const DEFAULT_DATA = "data/conversations.csv";
const DEFAULT_OUT = "models";

const FLAGS: FlagSpec = {
  data: { type: "string", default: DEFAULT_DATA, help: "labelled conversations CSV" },
  count: {
    type: "string",
    placeholder: "N",
    help:
      `stream windows (conversations) to generate when the default data file is absent (default: ${DEFAULT_CONVERSATIONS})`,
  },
  conversations: { type: "string", help: "deprecated name of --count" },
  "split-column": {
    type: "string",
    placeholder: "COLUMN",
    help: "use this column's train/validation/test values (e.g. seed_split)",
  },
  embedder: {
    type: "string",
    placeholder: "NAME",
    default: "builtin",
    help: `one of ${EMBEDDER_KINDS.join(", ")}`,
  },
  dimension: {
    type: "string",
    placeholder: "N",
    help: `vector size (builtin: ${DEFAULT_BUILTIN_DIMENSION}; openai: optional)`,
  },
  "feature-version": {
    type: "string",
    placeholder: "1|2",
    help: `builtin feature set, ${BUILTIN_VERSIONS.join(" or ")} (default: ${BUILTIN_VERSION})`,
  },
  "char-ngrams": {
    type: "string",
    placeholder: "on|off",
    help: "builtin: also hash character 3- and 4-grams of words (default: on)",
  },
  "embedding-model": {
    type: "string",
    placeholder: "NAME",
    help: "openai/transformers model name",
  },
  "model-dir": { type: "string", placeholder: "DIR", help: "local transformers model folder" },
  offline: { type: "boolean", help: "never let an embedder touch the network" },
  epochs: { type: "string", default: "40", help: "maximum epochs" },
  "batch-size": { type: "string", default: "32", help: "batch size" },
  "learning-rate": { type: "string", default: "0.001", help: "Adam learning rate" },
  patience: { type: "string", default: "3", help: "early-stopping patience (epochs)" },
  monitor: {
    type: "string",
    placeholder: "val_loss|val_accuracy",
    default: "val_loss",
    help: "val_loss or val_accuracy",
  },
  "class-weights": {
    type: "string",
    placeholder: "none|balanced",
    default: "none",
    help: "none or balanced (none measured better: bench/QUALITY_LOG.md round 4)",
  },
  "alone-share": {
    type: "string",
    placeholder: "S",
    default: "0.25",
    help: "share of training rows a context model also sees alone (no context), 0-1",
  },
  "context-recipe": {
    type: "string",
    placeholder: "1|2",
    help:
      `context recipe version (default: ${DEFAULT_CONTEXT_RECIPE.version}; lib/features/context.ts)`,
  },
  "context-window": {
    type: "string",
    placeholder: "N",
    help:
      `messages an unlinked message looks back for another speaker's line (default: ${DEFAULT_CONTEXT_RECIPE.window})`,
  },
  "context-question-window": {
    type: "string",
    placeholder: "N",
    help:
      `messages it looks back for another speaker's question-like line (default: ${DEFAULT_CONTEXT_RECIPE.questionWindow})`,
  },
  "context-max-gap": {
    type: "string",
    placeholder: "SECONDS",
    help:
      `an unlinked earlier message older than this is no context (default: ${DEFAULT_CONTEXT_RECIPE.maxGapSeconds})`,
  },
  "context-topic-window": {
    type: "string",
    placeholder: "N",
    help:
      "recipe 3: messages it looks back for a question-like line sharing its content words (default: 16)",
  },
  context: {
    type: "string",
    placeholder: "auto|off",
    default: "auto",
    help: "auto: with conversation columns, read each message with its context; off: message alone",
  },
  "hidden-units": {
    type: "string",
    placeholder: "N",
    help: "hidden layer size (default: embedding size)",
  },
  seed: { type: "string", default: "42", help: "seed for generation, split, init, shuffling" },
  out: {
    type: "string",
    default: DEFAULT_OUT,
    help: "folder for the run folders and its latest/ link",
    placeholder: "DIR",
  },
  "vectors-dir": {
    type: "string",
    help: "where vectors.npy is written (default: data, or the --out folder when --out is given)",
    placeholder: "DIR",
  },
  "real-eval": {
    type: "string",
    help:
      'folder of labelled real-chat CSVs to evaluate on, or "none" (default: data/real, the vendored Molweni, and ../shared/data/real when present)',
    placeholder: "DIR",
  },
  "judge-eval": {
    type: "string",
    help:
      'folder of hand-written judge CSVs to evaluate on (not real chat), or "none" (default: data/judges, J4)',
    placeholder: "DIR",
  },
};

await runMain(async () => {
  const flags = parseFlags(
    Deno.args,
    FLAGS,
    "Usage: deno task train [options]\n\nTrains a question/answer/comment classifier and saves it to models/<run>/.",
  );
  const started = performance.now();
  // counts checked before the data is read and embedded, in the flags' own names
  // (the trainer's "batchSize must be a positive integer" came after minutes of embedding)
  for (const name of ["epochs", "batch-size", "hidden-units", "count", "conversations"]) {
    numberFlag(flags, name, { min: 1, integer: true });
  }
  numberFlag(flags, "patience", { min: 0, integer: true });
  const seed = numberFlag(flags, "seed", { min: 0, integer: true }) ?? 42;
  const dataPath = String(flags.data);
  if (!(await exists(dataPath))) {
    if (dataPath !== DEFAULT_DATA) {
      throw new Deno.errors.NotFound(
        `Cannot train on "${dataPath}": no such file (omit --data to generate ${DEFAULT_DATA})`,
      );
    }
    if (flags.conversations !== undefined) {
      console.error("note: --conversations is deprecated: use --count");
    }
    const count = numberFlag(flags, "count") ?? numberFlag(flags, "conversations");
    const messages = generateBuiltin({ conversations: count, seed });
    const conversations = new Set(messages.map((m) => m.conversationId)).size;
    await writeConversations(dataPath, messages);
    console.log(
      `generate  ${messages.length} messages in ${conversations} conversations → ${dataPath} (built-in generator, seed ${seed})`,
    );
  }

  const kind = String(flags.embedder);
  if (!(EMBEDDER_KINDS as readonly string[]).includes(kind)) {
    throw new RangeError(
      `Cannot use embedder "${kind}": choose one of ${EMBEDDER_KINDS.join(", ")}`,
    );
  }
  const embedder: EmbedderConfig = { kind: kind as EmbedderConfig["kind"] };
  const dimension = numberFlag(flags, "dimension");
  if (dimension !== undefined) embedder.dimension = dimension;
  else if (kind === "builtin") embedder.dimension = DEFAULT_BUILTIN_DIMENSION;
  const charNgrams = flags["char-ngrams"];
  if (charNgrams !== undefined) {
    if (kind !== "builtin" || (charNgrams !== "on" && charNgrams !== "off")) {
      throw new RangeError(
        `Cannot use --char-ngrams ${charNgrams}: it takes on or off, with the builtin embedder`,
      );
    }
    embedder.charNgrams = charNgrams === "on";
  }
  if (flags["embedding-model"]) embedder.model = flags["embedding-model"];
  const featureVersion = numberFlag(flags, "feature-version");
  if (featureVersion !== undefined) {
    if (kind !== "builtin" || !(BUILTIN_VERSIONS as readonly number[]).includes(featureVersion)) {
      throw new RangeError(
        `Cannot use --feature-version ${featureVersion}: it takes ${
          BUILTIN_VERSIONS.join(" or ")
        }, with the builtin embedder`,
      );
    }
    embedder.version = featureVersion;
  }

  // The vendored Molweni file always; NPS Chat / Switchboard from ../shared when it is there.
  const realEval = flags["real-eval"] === undefined
    ? [VENDORED_REAL_EVAL_DIR, defaultRealEvalDir()]
    : String(flags["real-eval"]) === "none"
    ? []
    : [String(flags["real-eval"])];
  const judgeDir = flags["judge-eval"] === undefined ? JUDGES_DIR : String(flags["judge-eval"]);
  // a file where a folder is asked for would fail only after training, with no model saved
  for (const flag of ["real-eval", "judge-eval"]) {
    const dir = flags[flag];
    if (typeof dir === "string" && (await Deno.stat(dir).catch(() => undefined))?.isFile) {
      throw new TypeError(
        `Cannot use --${flag} "${dir}": it is a file; it takes a folder of labelled CSVs, or "none"`,
      );
    }
  }
  const out = String(flags.out);
  const vectorsDir = flags["vectors-dir"] === undefined
    ? (out === DEFAULT_OUT ? "data" : out)
    : String(flags["vectors-dir"]);
  const monitor = String(flags.monitor);
  const classWeights = String(flags["class-weights"]);

  // Ctrl-C stops embedding or training at the next batch: exit 130, no model folder written.
  using interrupt = handleInterrupt("train", { cooperative: true });
  const report = await runTraining({
    signal: interrupt.signal,
    dataPath,
    modelsDir: out,
    vectorsDir,
    embedder,
    runtime: embedderRuntimeFromEnv({
      modelDir: flags["model-dir"] as string | undefined,
      offline: flags.offline === true,
    }),
    splitColumn: flags["split-column"] as string | undefined,
    context: contextFlag(flags.context),
    aloneShare: shareFlag(String(flags["alone-share"])),
    contextRecipe: recipeFlags(flags),
    seed,
    train: {
      epochs: numberFlag(flags, "epochs"),
      batchSize: numberFlag(flags, "batch-size"),
      learningRate: numberFlag(flags, "learning-rate"),
      patience: numberFlag(flags, "patience"),
      hiddenUnits: numberFlag(flags, "hidden-units"),
      monitor: monitor as "val_loss" | "val_accuracy",
      classWeights: classWeights as "balanced" | "none",
    },
    evaluateExtra: realEval.length === 0 ? undefined : async (bundle, runDir) => {
      const results: Record<string, unknown> = {};
      const seen = new Map();
      for (const dir of realEval) {
        Object.assign(results, await evaluateRealChat(bundle, dir, join(runDir, "eval"), seen));
      }
      return results;
    },
    evaluateJudges: judgeDir === "none"
      ? undefined
      : (bundle, runDir) =>
        evaluateRealChat(bundle, judgeDir, join(runDir, "eval"), undefined, "judge-eval"),
    writeReport: writeRunReport,
    onStage: (stage, detail) => console.log(`${stage.padEnd(9)} ${detail}`),
    onEmbedProgress: progressBar("embed", 0),
    onEpochEnd: (e) =>
      console.log(
        `epoch ${String(e.epoch).padStart(2)}  loss ${e.loss.toFixed(4)}  acc ${
          e.accuracy.toFixed(4)
        }  val_loss ${e.valLoss.toFixed(4)}  val_acc ${e.valAccuracy.toFixed(4)}  ${
          e.seconds.toFixed(1)
        }s  ${Math.round(e.samplesPerSecond)} samples/s`,
      ),
  }).catch((error) => {
    if (interrupt.signal.aborted) interrupt.exit();
    throw error;
  });

  const training = report.metadata.training;
  console.log(
    `\nbest epoch ${training.bestEpoch}${training.stoppedEarly ? " (stopped early)" : ""}; ${
      Math.round(Number(training.samplesPerSecond))
    } training samples/s`,
  );
  console.log(
    `\nHeld-out test set (${report.test.n} messages of the training data's distribution, never trained on):`,
  );
  console.log(formatPerClassTable(report.test));
  const rows = [{ name: "test (held-out)", metrics: report.test }];
  const scored = [
    ...Object.entries(report.extra),
    ...Object.entries(report.judges).map(([name, value]) => [`${name} (hand-written)`, value]),
  ] as [string, unknown][];
  for (const [name, value] of scored) {
    const v = value as {
      metrics?: typeof report.test;
      baselines?: Record<string, typeof report.test>;
    };
    if (v.metrics) rows.push({ name, metrics: v.metrics });
    const alone = (v as { alone?: { metrics?: typeof report.test } }).alone;
    if (alone?.metrics) rows.push({ name: `  message alone`, metrics: alone.metrics });
    if (v.baselines?.questionMark) {
      rows.push({ name: `  "?" rule`, metrics: v.baselines.questionMark });
    }
  }
  console.log("\n" + formatMetricsTable(rows));
  console.log(
    `\nsaved ${report.runDir} (${join(out, "latest")}) in ${
      ((performance.now() - started) / 1000).toFixed(1)
    }s total`,
  );
});

/** The recipe of `--context-recipe` and the look-back flags (each unset one the default's). */
function recipeFlags(flags: Record<string, unknown>): ContextRecipe {
  const recipe = { ...DEFAULT_CONTEXT_RECIPE };
  const value = flags["context-recipe"];
  if (value !== undefined) {
    const version = Number(value);
    if (!CONTEXT_RECIPE_VERSIONS.includes(version as 1)) {
      throw new RangeError(
        `Cannot use --context-recipe ${value}: known versions are ${
          CONTEXT_RECIPE_VERSIONS.join(", ")
        }`,
      );
    }
    recipe.version = version as ContextRecipe["version"];
  }
  for (
    const [flag, key] of [
      ["context-window", "window"],
      ["context-question-window", "questionWindow"],
      ["context-max-gap", "maxGapSeconds"],
      ["context-topic-window", "topicWindow"],
    ] as const
  ) {
    const raw = flags[flag];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`Cannot use --${flag} ${raw}: it takes a whole number ≥ 0`);
    }
    recipe[key] = n;
  }
  if (recipe.version === 3) recipe.topicWindow ??= 16;
  else if (recipe.topicWindow !== undefined) {
    throw new RangeError(
      `Cannot use --context-topic-window with context recipe ${recipe.version}: only recipe 3 matches topics`,
    );
  }
  return recipe;
}

function shareFlag(value: string): number {
  const share = Number(value);
  if (!(share >= 0 && share <= 1)) {
    throw new RangeError(`Cannot use --alone-share ${value}: it takes a number from 0 to 1`);
  }
  return share;
}
