/**
 * qac — classify community chat messages as question, answer or comment.
 *
 * The public API, stage by stage. Heavy optional providers (OpenAI, transformers.js, GloVe
 * embedders) load on demand through {@linkcode createEmbedder}; import their modules directly
 * for their own options.
 *
 * @example
 * ```ts
 * import { classify, loadBundle } from "./lib/mod.ts";
 * const bundle = await loadBundle("models/latest");
 * const [prediction] = await classify(bundle, ["anyone know how to pivot in sql"]);
 * console.log(prediction.label); // "question"
 * ```
 * @module
 */

// data
export * from "./data/types.ts";
export * from "./data/csv.ts";
export * from "./data/clean.ts";
export * from "./data/split.ts";
export * from "./data/random.ts";
export { writeFileAtomic } from "./data/atomic.ts";
export type { ConversationColumns } from "./data/conversation.ts";
export { STREAM_FORMATS } from "./data/stream.ts";
export type { StreamFormat, StreamRow } from "./data/stream.ts";
export {
  CHANNELS,
  DEFAULT_MIX,
  generateBuiltin,
  generateWindows,
} from "./data/generate/builtin.ts";
export type {
  AnswerStyle,
  BuiltinGenerateOptions,
  CasualStyle,
  ClassMix,
  HangoutMode,
} from "./data/generate/builtin.ts";
export { type Channel, CHANNEL_INFO } from "./data/generate/channels.ts";
export { measureStructure, StructureMeter } from "./data/generate/structure.ts";
export type { StructureReport } from "./data/generate/structure.ts";
export { DiscordExportWriter, TRUTH_COLUMNS } from "./data/generate/discord_export.ts";
export type { DiscordExportSummary, ExportKind } from "./data/generate/discord_export.ts";
export { formatSummary, generateWithLlm } from "./data/generate/llm/generate.ts";
export type {
  GenerateLlmOptions,
  GenerateSummary,
  TokenUsage,
} from "./data/generate/llm/generate.ts";
export type { PromptTemplate } from "./data/generate/llm/prompt.ts";
export { createChatModel, PROVIDERS } from "./data/generate/llm/providers.ts";
export type { ChatModel, ProviderConfig } from "./data/generate/llm/providers.ts";

// features
export * from "./features/embedder.ts";
export { createEmbedder } from "./features/create.ts";
export {
  BUILTIN_VERSION,
  BUILTIN_VERSIONS,
  BuiltinEmbedder,
  MAX_TEXT_LENGTH,
} from "./features/builtin.ts";
export { isSparseMatrixEmbedder } from "./features/builtin.ts";
export type {
  BuiltinConfig,
  BuiltinOptions,
  BuiltinVersion,
  SparseMatrixEmbedder,
  SparseVector,
  WordTable,
} from "./features/builtin.ts";
export * from "./features/matrix.ts";
export type { ContextRecipe } from "./features/context.ts";
export { withCache } from "./features/cache.ts";
export type { CachedEmbedder, CacheStats } from "./features/cache.ts";
export * from "./features/npy.ts";

// model: build, train, the saved bundle
export * from "./model/train.ts";
export * from "./model/bundle.ts";
export { computeIntegrity, loadWeightsBundle, readBundleFiles } from "./model/bundle_files.ts";
export type { BundleFiles, ModelJson, WeightSpec } from "./model/bundle_files.ts";
export * from "./model/weights.ts";

// inference: prediction routes, file classification
export { initBackend } from "./infer/backend.ts";
export * from "./infer/predict.ts";
export { predictMatrix, type SharedMlpWeights, SparseMlp } from "./infer/sparse.ts";
export type {
  SparseFeatures,
  SparseKernel,
  SparseMlpOptions,
  SparseModel,
  StagedRows,
} from "./infer/sparse.ts";
export { type BackendName, BACKENDS } from "./infer/backend.ts";
export { classifyFile, createBatchPredictor } from "./infer/classify_file.ts";
export type {
  BatchPredictor,
  BatchPredictorOptions,
  ClassifyFileOptions,
  ClassifyFileSummary,
  ClosableBatchPredictor,
} from "./infer/classify_file.ts";

// evaluation
export * from "./eval/metrics.ts";
export * from "./eval/baselines.ts";
export { evaluateLabelledCsv, writeEvalReport } from "./eval/evaluate.ts";
export type {
  Baselines,
  EvalResult,
  EvaluateOptions,
  LoadLabelledOptions,
  SkippedRow,
  SkippedSummary,
} from "./eval/evaluate.ts";
export { formatConfusion, formatMetricsTable, formatPerClassTable } from "./eval/report.ts";
export type { MetricsRow, TableOptions } from "./eval/report.ts";

// community report: chat exports in, answered / unanswered questions out
export { exportFiles, readExport, readExportBytes, readExportFile } from "./data/discord/read.ts";
export type { ReadExportFileOptions, ReadExportOptions } from "./data/discord/read.ts";
export * from "./data/discord/types.ts";
export * from "./report/build.ts";
export * from "./report/link.ts";
export { createMessageClassifier, withAnswerContext } from "./report/classify.ts";
export type { MessageClassifierOptions, ThreadStarts } from "./report/classify.ts";
export { evaluateReport } from "./report/evaluate.ts";
export type { ReportErrors, ReportScores, ReportTruth } from "./report/evaluate.ts";
export { LINK_FEATURES, LINK_WEIGHTS } from "./report/link_evidence.ts";
export type { LinkFeatureVector } from "./report/link_evidence.ts";
export { reportHtml } from "./report/html.ts";
export type { ReportHtmlOptions } from "./report/html.ts";
export {
  reportFiles,
  unansweredCsv,
  writeReport,
  type WriteReportOptions,
} from "./report/write.ts";
// classify / eval on chat exports: the report's reading and classifier, a row per message
export { detectExport, DISCORD_CSV_COLUMNS } from "./data/discord/detect.ts";
export type { ChatExportKind } from "./data/discord/detect.ts";
export * from "./report/classify_export.ts";
export * from "./report/evaluate_export.ts";

// the whole run
export { newRunId, runTraining } from "./pipeline.ts";
export type { TrainingReport, TrainingRunOptions } from "./pipeline.ts";

// serving
export { createHandler } from "./serve/handler.ts";
export type { Handler, HandlerOptions, ServerHandler } from "./serve/handler.ts";
export type { RawRequest, RawResponse, RawRoute } from "./serve/http1.ts";
