/**
 * The whole training run — data → clean → split → embed → train → evaluate → save — as one
 * function that `deno task train` and the notebooks call. Stages live in their own modules;
 * this file only wires them and records what happened in the model's metadata.
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { join, relative, resolve } from "node:path";
import { readCsv, tooLongRow } from "./data/csv.ts";
import { cleanRecords, type CleanReport, detectColumns } from "./data/clean.ts";
import { countLabels, type Split, splitByColumn, splitByGroup } from "./data/split.ts";
import { type CsvRecord, type Label, LABELS } from "./data/types.ts";
import {
  type ConversationColumns,
  detectConversationColumns,
  hasConversations,
  rowsToMessages,
} from "./data/conversation.ts";
import { createPrng } from "./data/random.ts";
import type { EmbedderConfig, EmbedderRuntime } from "./features/embedder.ts";
import { createEmbedder } from "./features/create.ts";
import { writeNpy } from "./features/npy.ts";
import { withCache } from "./features/cache.ts";
import { DEFAULT_BUILTIN_DIMENSION } from "./features/builtin.ts";
import {
  aloneContexts,
  assembleContexts,
  type ContextRecipe,
  contextRows,
  DEFAULT_CONTEXT_RECIPE,
  featureMatrix,
  selectRows,
} from "./features/context.ts";
import {
  type EpochLog,
  type LabeledMatrix,
  trainClassifier,
  type TrainOptions,
} from "./model/train.ts";
import { linkLatest, type ModelBundle, type ModelMetadata, saveBundle } from "./model/bundle.ts";
import { predictMatrix } from "./infer/sparse.ts";
import { type FeatureMatrix, sliceRows, toDense } from "./features/matrix.ts";
import { computeMetrics, type Metrics } from "./eval/metrics.ts";

/** Version of qac written into model metadata. */
export const QAC_VERSION = "0.1.0";

/** Options of {@linkcode runTraining}. */
export interface TrainingRunOptions {
  /** Labelled conversations CSV. */
  dataPath: string;
  /** Where run folders go. @default "models" */
  modelsDir?: string;
  /** Where `vectors.npy` goes; `null` skips writing it. @default "data" */
  vectorsDir?: string | null;
  /** How texts become vectors. @default { kind: "builtin", dimension: 2048 } */
  embedder?: EmbedderConfig;
  /** Secrets and local paths for the embedder (read from env by the entry point). */
  runtime?: EmbedderRuntime;
  /** Use this column's train/validation/test values instead of a random grouped split. */
  splitColumn?: string;
  /** Shares of the grouped split. @default { validation: 0.1, test: 0.2 } */
  shares?: { validation: number; test: number };
  /** Seeds the split, weight init and shuffling. @default 42 */
  seed?: number;
  /**
   * `"auto"`: when the data has conversation columns (`conversation_id` or `position`), train a
   * context model (message ⊕ context ⊕ cues, `lib/features/context.ts`); `"off"`: the message
   * alone. @default "auto"
   */
  context?: "auto" | "off";
  /** Conversation column names, when detection by name is not enough. */
  conversationColumns?: Partial<ConversationColumns>;
  /** Context recipe. @default DEFAULT_CONTEXT_RECIPE */
  contextRecipe?: ContextRecipe;
  /**
   * Share of training rows added a second time as a lone message (no context, no
   * conversation cues), so a context model still classifies a message on its own. @default 0.25
   */
  aloneShare?: number;
  /** Model options (epochs, batch size, …); see {@linkcode TrainOptions}. */
  train?: Omit<TrainOptions, "onEpochEnd" | "seed" | "signal">;
  /** Evaluates the finished model on extra labelled files (real chat); never trains on them. */
  evaluateExtra?: (bundle: ModelBundle, runDir: string) => Promise<Record<string, unknown>>;
  /** Writes charts into the run's report folder. */
  writeReport?: (reportDir: string, report: TrainingReport) => Promise<string[]>;
  /** Run id; defaults to a UTC timestamp. */
  runId?: string;
  /** Stage and progress reporting. */
  onStage?: (stage: string, detail: string) => void;
  /** Called as rows are embedded. */
  onEmbedProgress?: (done: number, total: number) => void;
  /** Called after each training epoch with its losses and accuracies. */
  onEpochEnd?: (log: EpochLog) => void;
  /** Cancels embedding and training. */
  signal?: AbortSignal;
}

/** What a training run produced. */
export interface TrainingReport {
  /** The run's id (its folder name). */
  runId: string;
  /** The run's folder under `modelsDir`. */
  runDir: string;
  /** What cleaning removed from the data. */
  clean: CleanReport;
  /** Rows per label in each part of the split. */
  split: Record<keyof Split, Record<string, number>>;
  /** One log per training epoch. */
  history: EpochLog[];
  /** The model's scores on the test part. */
  test: Metrics;
  /** The model's scores on the validation part. */
  validation: Metrics;
  /** What `evaluateExtra` returned (empty without it). */
  extra: Record<string, unknown>;
  /** Seconds spent per timed stage (`embed`, `train`, `evaluate`). */
  seconds: Record<string, number>;
  /** The metadata saved with the model. */
  metadata: ModelMetadata;
}

/** Creates a sortable run id such as `20261127-181502-7f3a`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${crypto.randomUUID().slice(0, 4)}`;
}

/** SHA-256 of a file's bytes, hex. */
export async function sha256File(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Options of {@linkcode prepareSplit}. */
export interface PrepareSplitOptions {
  /** See {@linkcode TrainingRunOptions.splitColumn}. */
  splitColumn?: string;
  /** @default { validation: 0.1, test: 0.2 } */
  shares?: { validation: number; test: number };
  /** @default 42 */
  seed?: number;
  /** Drop repeated texts (majority label). @default true without a split column */
  dropDuplicates?: boolean;
  onStage?: (stage: string, detail: string) => void;
}

/** What {@linkcode prepareSplit} returns. */
export interface PreparedSplit {
  split: Split;
  clean: CleanReport;
  counts: Record<keyof Split, Record<string, number>>;
  /** The file's header and every readable row (kept rows and the rest, e.g. context). */
  header: string[];
  records: CsvRecord[];
  textColumn: string;
}

/**
 * Reads, cleans and splits a labelled CSV exactly as {@linkcode runTraining} does, so anything
 * that must see the same train / validation / test rows (the fastText benchmark) gets them here.
 * @throws when the file is missing, lacks a column, or has too few usable rows.
 */
export async function prepareSplit(
  dataPath: string,
  options: PrepareSplitOptions = {},
): Promise<PreparedSplit> {
  const stage = options.onStage ?? (() => {});
  const seed = options.seed ?? 42;
  const table = await readCsv(dataPath, { requiredColumns: [] });
  const columns = detectColumns(table.header);
  for (const column of [columns.textColumn, columns.labelColumn, options.splitColumn]) {
    if (column !== undefined && !table.header.includes(column)) {
      throw new SyntaxError(
        `Cannot train on "${dataPath}": column "${column}" is missing (header: ${
          table.header.join(",")
        })`,
      );
    }
  }
  const tooLong = tooLongRow(table.records, columns.textColumn);
  if (tooLong) throw new RangeError(`Cannot train on "${dataPath}": ${tooLong}`);
  if (table.problems.length > 0) {
    const first = table.problems.slice(0, 3).map((p) => `line ${p.line}: ${p.reason}`);
    stage("read", `skipped ${table.problems.length} malformed rows (${first.join("; ")})`);
  }
  // With a fixed split column the rows are the column's: keep duplicates so the test set is
  // exactly the original's (the seed's own split has duplicate texts on both sides).
  const { items, report: clean } = cleanRecords(table.records, {
    ...columns,
    splitColumn: options.splitColumn,
    dropDuplicates: options.dropDuplicates ?? options.splitColumn === undefined,
  });
  stage(
    "clean",
    `${clean.kept} of ${clean.input} rows kept (${
      Object.values(clean.unknownLabels).reduce((a, b) => a + b, 0)
    } unknown labels, ${clean.emptyText} empty, ${clean.duplicates} duplicates)`,
  );
  if (items.length === 0) {
    throw new RangeError(`Cannot train on "${dataPath}": no usable rows after cleaning`);
  }
  const split = options.splitColumn !== undefined
    ? splitByColumn(items, { seed, column: options.splitColumn })
    : splitByGroup(items, { ...(options.shares ?? { validation: 0.1, test: 0.2 }), seed });
  const counts = {
    train: countLabels(split.train),
    validation: countLabels(split.validation),
    test: countLabels(split.test),
  };
  stage(
    "split",
    (["train", "validation", "test"] as const).map((p) => `${p} ${split[p].length}`).join(", ") +
      (options.splitColumn ? ` (column "${options.splitColumn}")` : " (grouped by conversation)"),
  );
  if (split.validation.length === 0 || split.test.length === 0) {
    throw new RangeError(
      `Cannot train on "${dataPath}": ${items.length} rows are too few for a validation and a test set`,
    );
  }
  return {
    split,
    clean,
    counts,
    header: table.header,
    records: table.records,
    textColumn: columns.textColumn,
  };
}

/**
 * Runs the whole training pipeline and saves the model under `modelsDir/<runId>`, pointing
 * `modelsDir/latest` at it.
 * @throws when the data file is missing or unusable, with a message saying what to do.
 */
export async function runTraining(options: TrainingRunOptions): Promise<TrainingReport> {
  const stage = options.onStage ?? (() => {});
  const seed = options.seed ?? 42;
  const seconds: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      seconds[name] = (performance.now() - start) / 1000;
    }
  };

  // Context models need every row as it was written: the same text ("yeah") is an answer after
  // a question and a comment elsewhere, so duplicates are not merged.
  const header = await readCsv(options.dataPath, { requiredColumns: [] }).then((t) => t.header)
    .catch(() => [] as string[]);
  const columns = detectConversationColumns(header, options.conversationColumns);
  const useContext = (options.context ?? "auto") === "auto" && hasConversations(columns);
  const recipe = options.contextRecipe ?? DEFAULT_CONTEXT_RECIPE;
  const prepared = await timed(
    "clean",
    () =>
      prepareSplit(options.dataPath, {
        ...options,
        seed,
        onStage: stage,
        ...(useContext ? { dropDuplicates: false } : {}),
      }),
  );
  const { split, clean, counts: splitCounts } = prepared;

  const embedderConfig = options.embedder ??
    { kind: "builtin", dimension: DEFAULT_BUILTIN_DIMENSION };
  // Paid or slow embedders go through the vector cache so re-training never pays twice for a
  // text; for builtin and glove, hashing the text costs more than embedding it.
  const created = await createEmbedder(embedderConfig, options.runtime);
  const embedder = embedderConfig.kind === "openai" || embedderConfig.kind === "transformers"
    ? withCache(created, options.runtime?.cacheDir ?? "data/cache")
    : created;
  const all = [...split.train, ...split.validation, ...split.test];
  const d = embedder.dimension;
  const ids = Int32Array.from(all, (item) => LABELS.indexOf(item.label));
  const embedOptions = { onProgress: options.onEmbedProgress, signal: options.signal };
  let features: FeatureMatrix; // message features of `all`, in order
  let train: LabeledMatrix;
  let validation: LabeledMatrix;
  let test: LabeledMatrix;
  const nTrain = split.train.length, nValidation = split.validation.length;
  if (!useContext) {
    const texts = all.map((item) => item.text);
    // A sparse embedder (builtin) hands its rows over as they are: the trainer and predictor
    // only read the active inputs.
    features = await timed("embed", () => featureMatrix(embedder, texts, embedOptions));
    stage("embed", `${all.length} texts → ${d}-d vectors with ${embedder.id}`);
    const part = (from: number, to: number) => ({
      x: sliceRows(features, from, to),
      y: ids.subarray(from, to),
    });
    train = part(0, nTrain);
    validation = part(nTrain, nTrain + nValidation);
    test = part(nTrain + nValidation, all.length);
  } else {
    // Every row of the file is a message (unlabelled rows too: they are context); each is
    // featurized once and its row reused as the context of later messages.
    const messages = rowsToMessages(prepared.records, prepared.textColumn, columns);
    const base = await timed(
      "embed",
      () => featureMatrix(embedder, messages.map((m) => m.text), embedOptions),
    );
    const assembly = assembleContexts(messages, recipe);
    const rowOfLine = new Map(prepared.records.map((r, i) => [r.line, i]));
    const rows = Int32Array.from(all, (item) => rowOfLine.get(item.line!)!);
    features = selectRows(base, rows);
    // lone copies of a seeded share of the training rows: a context model must still read a
    // message on its own (a file without conversation columns, an API call without context)
    const prng = createPrng(seed ^ 0x5eed);
    const aloneShare = options.aloneShare ?? 0.25;
    const lone = Int32Array.from(
      Array.from({ length: nTrain }, (_, i) => i).filter(() => prng() < aloneShare),
    );
    const trainY = new Int32Array(nTrain + lone.length);
    trainY.set(ids.subarray(0, nTrain));
    trainY.set(lone.map((i) => ids[i]!), nTrain);
    train = {
      x: contextRows(base, [
        { assembly, rows: rows.subarray(0, nTrain) },
        { assembly: aloneContexts(messages), rows: lone.map((i) => rows[i]!) },
      ]),
      y: trainY,
    };
    const part = (from: number, to: number) => ({
      x: contextRows(base, [{ assembly, rows: rows.subarray(from, to) }]),
      y: ids.subarray(from, to),
    });
    validation = part(nTrain, nTrain + nValidation);
    test = part(nTrain + nValidation, all.length);
    const linked = rows.filter((r) => assembly.context[r]! >= 0).length;
    stage(
      "embed",
      `${messages.length} messages → ${d}-d features with ${embedder.id}; ${linked} of ${all.length} labelled rows have a context; model input ${train.x.dimension} (message ⊕ context ⊕ ${recipe.cues.length} cues), +${lone.length} lone training copies`,
    );
  }
  if (options.vectorsDir !== null) {
    const dir = options.vectorsDir ?? "data";
    await writeNpy(join(dir, "vectors.npy"), toDense(features).data, [all.length, d]);
    await writeNpy(join(dir, "vectors.labels.npy"), ids, [all.length]);
  }

  // a CLI passes every flag, set or not: an undefined option must not erase a default below
  const chosen = Object.fromEntries(
    Object.entries(options.train ?? {}).filter(([, value]) => value !== undefined),
  );
  const result = await timed("train", () =>
    trainClassifier(train, validation, {
      // hidden units = the embedding size (the original's Dense(d)), whatever the input width
      hiddenUnits: d,
      // unweighted loss: measured better than balanced weights on held-out generated data with
      // the generator's class mix and on the original's split (bench/QUALITY_LOG.md, round 4)
      classWeights: "none",
      ...chosen,
      seed,
      onEpochEnd: options.onEpochEnd,
      signal: options.signal,
    }));
  const testMetrics = computeMetrics(test.y, predictMatrix(result.weights, test.x));
  const validationMetrics = computeMetrics(
    validation.y,
    predictMatrix(result.weights, validation.x),
  );

  const runId = options.runId ?? newRunId();
  const modelsDir = options.modelsDir ?? "models";
  const runDir = join(modelsDir, runId);
  const metadata: ModelMetadata = {
    format: "qac-model/1",
    runId,
    createdAt: new Date().toISOString(),
    labels: [...LABELS] as Label[],
    embedder: embedder.config,
    embedderId: embedder.id,
    dimension: d,
    hiddenUnits: result.options.hiddenUnits,
    ...(useContext ? { context: { recipe } } : {}),
    training: {
      ...result.options,
      bestEpoch: result.bestEpoch,
      stoppedEarly: result.stoppedEarly,
      classWeights: result.classWeights,
      classWeightMode: result.options.classWeights,
      samplesPerSecond: result.samplesPerSecond,
      history: result.history,
    },
    data: {
      // relative to the model folder, so a moved checkout or a copied model still finds it
      path: relative(resolve(runDir), resolve(options.dataPath)),
      sha256: await sha256File(options.dataPath),
      splitColumn: options.splitColumn ?? null,
      conversationColumns: useContext ? columns : null,
      rows: splitCounts,
      // lets Explore (serve.ts) report accuracy on rows the model never trained on
      testConversations: [...new Set(split.test.map((item) => item.group))],
      clean,
    },
    metrics: { test: testMetrics, validation: validationMetrics },
    versions: {
      qac: QAC_VERSION,
      deno: Deno.version.deno,
      tfjs: tf.version.tfjs,
    },
  };
  const bundle: ModelBundle = { model: result.model, embedder, labels: LABELS, metadata };
  try {
    const extra = options.evaluateExtra
      ? await timed("evaluate", () => options.evaluateExtra!(bundle, runDir))
      : {};
    if (Object.keys(extra).length > 0) metadata.metrics.real = extra;
    await saveBundle(runDir, bundle);
    const report: TrainingReport = {
      runId,
      runDir,
      clean,
      split: splitCounts,
      history: result.history,
      test: testMetrics,
      validation: validationMetrics,
      extra,
      seconds,
      metadata,
    };
    if (options.writeReport) await options.writeReport(join(runDir, "report"), report);
    await linkLatest(modelsDir, runId);
    stage("save", `model saved to ${runDir} (${join(modelsDir, "latest")} points at it)`);
    return report;
  } finally {
    result.model.dispose();
  }
}
