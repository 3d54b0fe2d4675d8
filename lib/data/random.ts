/**
 * Seeded randomness: every random choice in qac goes through a {@linkcode Prng}.
 * @module
 */

/** A function returning uniform floats in [0, 1). */
export type Prng = () => number;

/** Creates a deterministic generator (mulberry32) from an integer seed. */
export function createPrng(seed: number): Prng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `items` in place (Fisher–Yates) and returns it. */
export function shuffle<T>(items: T[], prng: Prng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(prng() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Picks one element of a non-empty array. */
export function pick<T>(items: readonly T[], prng: Prng): T {
  if (items.length === 0) throw new RangeError("Cannot pick from an empty array");
  return items[Math.floor(prng() * items.length)]!;
}

/** Picks a key with probability proportional to its weight. */
export function pickWeighted<K extends string>(
  weights: Readonly<Record<K, number>>,
  prng: Prng,
): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let r = prng() * total;
  for (const [key, w] of entries) {
    r -= w;
    if (r < 0) return key;
  }
  return entries[entries.length - 1]![0];
}

/** Combines a seed and an index into one 32-bit seed (so neighbouring indices differ widely). */
export function mixSeed(seed: number, index: number): number {
  let h = (seed >>> 0) ^ Math.imul(index + 1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
