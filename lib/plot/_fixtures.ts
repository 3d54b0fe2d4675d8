/**
 * Fixed literal inputs for the chart tests (metrics of 10 messages, a 4-epoch history).
 * @module
 */

import type { Metrics } from "../eval/metrics.ts";
import type { EpochLog } from "../model/train.ts";

/** Metrics of a 10-message test set: confusion [[3,1,0],[1,2,0],[0,1,2]]. */
export const METRICS: Metrics = {
  n: 10,
  accuracy: 0.7,
  macroF1: 0.7,
  weightedF1: 0.7,
  macroPrecision: 0.7222,
  macroRecall: 0.6944,
  weightedPrecision: 0.7167,
  weightedRecall: 0.7,
  perClass: {
    answer: { precision: 0.75, recall: 0.75, f1: 0.75, support: 4 },
    comment: { precision: 0.5, recall: 0.6667, f1: 0.5714, support: 3 },
    question: { precision: 1, recall: 0.6667, f1: 0.8, support: 3 },
  },
  confusion: [[3, 1, 0], [1, 2, 0], [0, 1, 2]],
  roc: {
    answer: {
      fpr: [0, 0, 0.1667, 0.5, 1],
      tpr: [0, 0.5, 0.75, 1, 1],
      thresholds: [Infinity, 0.9, 0.6, 0.3, 0.1],
      auc: 0.8958,
    },
    comment: {
      fpr: [0, 0.1429, 0.2857, 1],
      tpr: [0, 0.3333, 0.6667, 1],
      thresholds: [Infinity, 0.7, 0.4, 0.1],
      auc: 0.7143,
    },
    question: {
      fpr: [0, 0, 0.1429, 1],
      tpr: [0, 0.6667, 1, 1],
      thresholds: [Infinity, 0.8, 0.5, 0.05],
      auc: 0.9524,
    },
  },
};

/** Four epochs where validation loss turns up after epoch 3. */
export const HISTORY: EpochLog[] = [
  {
    epoch: 1,
    loss: 1.05,
    accuracy: 0.52,
    valLoss: 0.98,
    valAccuracy: 0.6,
    seconds: 1,
    samplesPerSecond: 900,
  },
  {
    epoch: 2,
    loss: 0.71,
    accuracy: 0.74,
    valLoss: 0.69,
    valAccuracy: 0.75,
    seconds: 1,
    samplesPerSecond: 950,
  },
  {
    epoch: 3,
    loss: 0.48,
    accuracy: 0.86,
    valLoss: 0.55,
    valAccuracy: 0.81,
    seconds: 1,
    samplesPerSecond: 940,
  },
  {
    epoch: 4,
    loss: 0.35,
    accuracy: 0.91,
    valLoss: 0.58,
    valAccuracy: 0.8,
    seconds: 1,
    samplesPerSecond: 960,
  },
];
