/**
 * Train / validation / test splits that are seeded, stratified by label, and grouped by
 * conversation so that no conversation is on two sides.
 * @module
 */

import { createPrng, shuffle } from "./random.ts";
import { type LabeledText, LABELS } from "./types.ts";

/** The three parts of a split. */
export interface Split<T = LabeledText> {
  /** Rows to fit on. */
  train: T[];
  /** Rows held out from fitting, to choose among epochs and settings. */
  validation: T[];
  /** Rows held out for the final scores. */
  test: T[];
}

/** Options of {@linkcode splitByGroup}. */
export interface SplitOptions {
  /** Share of rows for validation. @default 0.1 */
  validation?: number;
  /** Share of rows for test. @default 0.2 */
  test?: number;
  /** Seed of the shuffle that orders groups of equal size. @default 42 */
  seed?: number;
}

type Part = keyof Split;

/**
 * Splits rows so that each group lands wholly in one part, while each part's label mix stays
 * close to the whole's. Groups are visited largest first (ties in seeded random order) and each
 * goes to the part that is furthest below its target for the labels the group holds.
 */
export function splitByGroup<T extends LabeledText>(
  items: readonly T[],
  options: SplitOptions = {},
): Split<T> {
  const validationShare = options.validation ?? 0.1;
  const testShare = options.test ?? 0.2;
  // written so that NaN fails too
  if (!(validationShare >= 0 && testShare >= 0 && validationShare + testShare < 1)) {
    throw new RangeError(
      `Cannot split: validation (${validationShare}) and test (${testShare}) shares must be >= 0 and sum to < 1`,
    );
  }
  const shares: Record<Part, number> = {
    train: 1 - validationShare - testShare,
    validation: validationShare,
    test: testShare,
  };
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const members = groups.get(item.group);
    if (members) members.push(item);
    else groups.set(item.group, [item]);
  }
  const order = shuffle([...groups.values()], createPrng(options.seed ?? 42));
  order.sort((a, b) => b.length - a.length); // stable: equal sizes keep the shuffled order

  const totals = countLabels(items);
  const counts: Record<Part, Record<string, number>> = {
    train: zeroCounts(),
    validation: zeroCounts(),
    test: zeroCounts(),
  };
  const out: Split<T> = { train: [], validation: [], test: [] };
  const parts = (Object.keys(shares) as Part[]).filter((p) => shares[p] > 0);
  for (const members of order) {
    const mix = countLabels(members);
    let best: Part = parts[0]!;
    let bestNeed = -Infinity;
    for (const part of parts) {
      let need = 0;
      for (const label of LABELS) {
        if (mix[label]! === 0) continue;
        need += (shares[part] * totals[label]! - counts[part][label]!) /
          Math.max(1, totals[label]!);
      }
      if (need > bestNeed) {
        bestNeed = need;
        best = part;
      }
    }
    out[best].push(...members);
    for (const label of LABELS) counts[best][label]! += mix[label]!;
  }
  return out;
}

/**
 * Splits by a column's values (`train` / `validation` / `test`); rows with any other value are
 * left out. When no row says `validation`, validation is carved from the train rows by
 * {@linkcode splitByGroup} so the test rows are exactly the column's.
 */
export function splitByColumn<T extends LabeledText>(
  items: readonly T[],
  options: { validation?: number; seed?: number; column?: string } = {},
): Split<T> {
  const out: Split<T> = { train: [], validation: [], test: [] };
  for (const item of items) {
    const value = item.split;
    if (value === "train" || value === "validation" || value === "test") out[value].push(item);
  }
  if (out.train.length === 0 || out.test.length === 0) {
    const column = options.column ?? "split column";
    throw new RangeError(
      `Cannot split by "${column}": need rows marked "train" and "test", found ${out.train.length} train and ${out.test.length} test`,
    );
  }
  if (out.validation.length === 0) {
    const carved = splitByGroup(out.train, {
      validation: options.validation ?? 0.1,
      test: 0,
      seed: options.seed,
    });
    out.train = carved.train;
    out.validation = carved.validation;
  }
  return out;
}

/** Counts rows per label. */
export function countLabels(items: readonly { label: string }[]): Record<string, number> {
  const counts = zeroCounts();
  for (const { label } of items) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}

function zeroCounts(): Record<string, number> {
  return Object.fromEntries(LABELS.map((l) => [l, 0]));
}
