/**
 * The Explore tab's data: the conversations a model was trained on, with its predictions,
 * summarised (class mix, per channel, message lengths) and paged (misclassified threads first).
 * @module
 */

import { isAbsolute, join } from "node:path";
import { isLabel, type Label, LABELS } from "../data/types.ts";
import type { PredictFn } from "./classifier.ts";
import { readExploreSource } from "./explore_source.ts";

/** One message as the conversation viewer shows it. */
export interface MessageView {
  id: string;
  user: string;
  text: string;
  timestamp: string;
  replyTo: string | null;
  /** The generator's (true) label. */
  label: Label;
  /** The model's label. */
  predicted: Label;
  /** The model's probability of `predicted`. */
  confidence: number;
}

/** One thread of the conversation viewer. */
export interface ConversationView {
  id: string;
  channel: string;
  /** How many of its messages the model got wrong. */
  misclassified: number;
  messages: MessageView[];
}

/** Aggregates the Explore charts draw. */
export interface DataSummary {
  path: string;
  messages: number;
  conversations: number;
  /** Rows left out: unreadable, empty text, or a label other than question/answer/comment. */
  skipped: number;
  /** False for a chat export without labels: the class mix is the model's predictions. */
  labelled: boolean;
  accuracy: number;
  misclassified: number;
  /** Accuracy on the conversations of the model's test split alone (never trained on), when
   * the model's metadata names them. */
  heldOut: { messages: number; accuracy: number } | null;
  classMix: { label: Label; count: number }[];
  channels: { channel: string; label: Label; count: number }[];
  /** Word-count histogram per class; `bin` is the lower edge, the last bin is open-ended. */
  lengths: { label: Label; bin: number; count: number; share: number }[];
  lengthBinWidth: number;
  /** `[true][predicted]` counts in LABELS order. */
  confusion: number[][];
  labels: readonly Label[];
}

/** Everything Explore serves, computed once. */
export interface ExploreData {
  summary: DataSummary;
  /** Threads with misclassified messages first (most first), then in file order. */
  conversations: ConversationView[];
}

/** Options of {@linkcode buildExplore}. */
export interface BuildExploreOptions {
  /** Model label order of the probability columns. @default LABELS */
  labels?: readonly Label[];
  /** Texts per model call; requests are served between calls. @default 256 */
  chunkSize?: number;
  /** Width of a message-length bin, in words. @default 2 */
  lengthBinWidth?: number;
  /** Lengths at or above this many words share the last bin. @default 40 */
  lengthCap?: number;
  /** Conversation ids of the model's test split, for an honest held-out accuracy. */
  heldOut?: ReadonlySet<string>;
}

/** Counts the words of a message the way the length chart does. */
export function wordCount(text: string): number {
  const trimmed = text.trim();
  return trimmed === "" ? 0 : trimmed.split(/\s+/).length;
}

/**
 * Reads the conversations CSV at `path` and predicts every message with `predict`.
 * @throws {Deno.errors.NotFound} when the file is missing; SyntaxError when it is not CSV
 */
export async function buildExplore(
  path: string,
  predict: PredictFn,
  options: BuildExploreOptions = {},
): Promise<ExploreData> {
  const labels = options.labels ?? LABELS;
  const chunkSize = options.chunkSize ?? 256;
  const binWidth = options.lengthBinWidth ?? 2;
  const cap = options.lengthCap ?? 40;
  const file = await readExploreSource(path);
  // An export has no labels: each row's "label" becomes the model's prediction below.
  const rows = file.messages.flatMap((m) => {
    const label = file.labelled ? m.messageType.trim().toLowerCase() : "comment";
    return isLabel(label) && m.text.trim() !== "" ? [{ ...m, label }] : [];
  });

  const predicted = new Array<Label>(rows.length);
  const confidence = new Float64Array(rows.length);
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize);
    const probabilities = await predict(chunk.map((r) => r.text));
    // Let waiting requests run between chunks: a sync predictor would otherwise hold the event
    // loop for the whole file (seconds), and awaiting a resolved promise does not yield to I/O.
    await new Promise((resolve) => setTimeout(resolve, 0));
    for (let i = 0; i < chunk.length; i++) {
      let best = 0;
      for (let j = 1; j < labels.length; j++) {
        if (probabilities[i * labels.length + j]! > probabilities[i * labels.length + best]!) {
          best = j;
        }
      }
      predicted[start + i] = labels[best]!;
      confidence[start + i] = probabilities[i * labels.length + best]!;
    }
  }

  const classCounts = new Map<Label, number>(LABELS.map((l) => [l, 0]));
  const channelCounts = new Map<string, number>();
  const lengthCounts = new Map<string, number>();
  const confusion = LABELS.map(() => LABELS.map(() => 0));
  const threads = new Map<string, ConversationView>();
  let wrong = 0;
  let heldOutRows = 0;
  let heldOutRight = 0;
  rows.forEach((row, i) => {
    const guess = predicted[i]!;
    if (!file.labelled) row.label = guess;
    if (options.heldOut?.has(row.conversationId)) {
      heldOutRows += 1;
      if (guess === row.label) heldOutRight += 1;
    }
    classCounts.set(row.label, classCounts.get(row.label)! + 1);
    const channelKey = `${row.channel}\u0000${row.label}`;
    channelCounts.set(channelKey, (channelCounts.get(channelKey) ?? 0) + 1);
    const bin = Math.min(Math.floor(wordCount(row.text) / binWidth) * binWidth, cap);
    const lengthKey = `${row.label}\u0000${bin}`;
    lengthCounts.set(lengthKey, (lengthCounts.get(lengthKey) ?? 0) + 1);
    confusion[LABELS.indexOf(row.label)]![LABELS.indexOf(guess)]! += 1;
    let thread = threads.get(row.conversationId);
    if (!thread) {
      thread = { id: row.conversationId, channel: row.channel, misclassified: 0, messages: [] };
      threads.set(row.conversationId, thread);
    }
    if (guess !== row.label) {
      wrong += 1;
      thread.misclassified += 1;
    }
    thread.messages.push({
      id: row.messageId,
      user: row.userName,
      text: row.text,
      timestamp: row.timestamp,
      replyTo: row.replyTo,
      label: row.label,
      predicted: guess,
      confidence: Math.round(confidence[i]! * 1e4) / 1e4,
    });
  });

  const conversations = [...threads.values()];
  // Array.prototype.sort is stable, so ties keep file order.
  conversations.sort((a, b) => b.misclassified - a.misclassified);

  const summary: DataSummary = {
    path,
    messages: rows.length,
    conversations: conversations.length,
    skipped: file.skipped + file.messages.length - rows.length,
    labelled: file.labelled,
    accuracy: rows.length === 0 ? 0 : (rows.length - wrong) / rows.length,
    misclassified: wrong,
    heldOut: heldOutRows === 0
      ? null
      : { messages: heldOutRows, accuracy: heldOutRight / heldOutRows },
    classMix: LABELS.map((label) => ({ label, count: classCounts.get(label)! })),
    channels: [...channelCounts].map(([key, count]) => {
      const [channel, label] = key.split("\u0000") as [string, Label];
      return { channel, label, count };
    }).sort((a, b) => a.channel.localeCompare(b.channel) || a.label.localeCompare(b.label)),
    lengths: [...lengthCounts].map(([key, count]) => {
      const [label, bin] = key.split("\u0000") as [Label, string];
      return { label, bin: Number(bin), count, share: count / classCounts.get(label)! };
    }).sort((a, b) => a.label.localeCompare(b.label) || a.bin - b.bin),
    lengthBinWidth: binWidth,
    confusion,
    labels: LABELS,
  };
  return { summary, conversations };
}

/**
 * Where a model's training data is: `metadata.data.path` is stored relative to the model folder
 * (older models stored an absolute path, still honoured); undefined when the model records none.
 */
export function modelDataPath(modelDir: string, storedPath: unknown): string | undefined {
  if (typeof storedPath !== "string" || storedPath === "") return undefined;
  return isAbsolute(storedPath) ? storedPath : join(modelDir, storedPath);
}
