/**
 * A 2-D picture of embedding vectors: each message is a dot placed by its first two principal
 * components and coloured by its label. Classes that form separate clouds here are easy to learn.
 * @module
 */

import * as Plot from "@observablehq/plot";
import { createPrng, shuffle } from "../data/random.ts";
import { LABELS } from "../data/types.ts";
import { type Chart, CLASS_SCALE, createChart, legendSvg, renderPlot, stackSvgs } from "./chart.ts";
import { pca } from "./pca.ts";

/** Vectors with class ids, as `lib/model/train.ts` `LabeledVectors` holds them. */
export interface ClassVectors {
  /** Row-major n × dimension. */
  x: Float32Array;
  /** Class id of each row: index into `LABELS`. */
  y: ArrayLike<number>;
  dimension: number;
}

/** Options of {@linkcode pcaChart}. */
export interface PcaChartOptions {
  /** Message text of each row, shown as a tooltip in the interactive version. */
  texts?: readonly string[];
  /** Larger sets are sampled down to this many rows (seeded) before projecting. @default 1500 */
  maxPoints?: number;
  /** Seed of the sample and of the power iteration. @default 42 */
  seed?: number;
  /** Heading above the chart. */
  title?: string;
  /** @default 560 */
  width?: number;
}

/**
 * Scatter plot of vectors projected on their first two principal components, coloured by class.
 * @throws {RangeError} when `y` (or `texts`) does not have one entry per row.
 */
export function pcaChart(data: ClassVectors, options: PcaChartOptions = {}): Chart {
  const n = data.x.length / data.dimension;
  if (data.y.length !== n || (options.texts && options.texts.length !== n)) {
    throw new RangeError(
      `Cannot draw PCA chart: ${n} vectors but ${data.y.length} labels` +
        (options.texts ? ` and ${options.texts.length} texts` : ""),
    );
  }
  const seed = options.seed ?? 42;
  const maxPoints = options.maxPoints ?? 1500;
  let rows = Array.from({ length: n }, (_, i) => i);
  if (n > maxPoints) {
    rows = shuffle(rows, createPrng(seed)).slice(0, maxPoints).sort((a, b) => a - b);
  }
  const sample = new Float32Array(rows.length * data.dimension);
  rows.forEach((row, i) =>
    sample.set(
      data.x.subarray(row * data.dimension, (row + 1) * data.dimension),
      i * data.dimension,
    )
  );
  const { points, explained } = pca(sample, data.dimension, { seed });
  const dots = rows.map((row, i) => ({
    pc1: points[i * 2]!,
    pc2: points[i * 2 + 1]!,
    label: LABELS[data.y[row]!] ?? `class ${data.y[row]}`,
    text: options.texts?.[row] ?? "",
  }));
  const axis = (c: number) => `PC${c + 1} (${(100 * explained[c]!).toFixed(1)}% of variance)`;
  const title = options.title ??
    `Vectors projected to 2-D by PCA (${rows.length}${rows.length < n ? ` of ${n}` : ""} messages)`;
  const width = options.width ?? 560;
  const svg = renderPlot({
    width,
    height: Math.round(width * 0.75),
    x: { label: axis(0), grid: true, tickFormat: (v: number) => v.toFixed(1) },
    y: { label: axis(1), grid: true, tickFormat: (v: number) => v.toFixed(1) },
    color: CLASS_SCALE,
    marks: [
      Plot.dot(dots, {
        x: "pc1",
        y: "pc2",
        fill: "label",
        r: 2,
        fillOpacity: 0.6,
        // <title> per dot: hovering shows the message in any SVG viewer
        title: options.texts ? (d: typeof dots[number]) => `${d.label}: ${d.text}` : undefined,
      }),
    ],
  });
  const classes = LABELS.filter((label) => dots.some((d) => d.label === label));
  return createChart(stackSvgs([legendSvg(classes), svg], { title, direction: "column" }));
}
