import assert from "node:assert/strict";
import { createPrng } from "../data/random.ts";
import { assertPngBeside, assertSvgSnapshot } from "./_testing.ts";
import { pcaChart } from "./pca_chart.ts";

/** Three well-separated clusters in 4-D, 20 points each. */
function clusters(): { x: Float32Array; y: Int32Array; dimension: number; texts: string[] } {
  const prng = createPrng(1);
  const centers = [[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0]];
  const x: number[] = [];
  const y: number[] = [];
  const texts: string[] = [];
  for (let i = 0; i < 60; i++) {
    const c = i % 3;
    x.push(...centers[c]!.map((v) => v + 0.2 * (prng() - 0.5)));
    y.push(c);
    texts.push(`message ${i}`);
  }
  return { x: new Float32Array(x), y: new Int32Array(y), dimension: 4, texts };
}

Deno.test("pcaChart() draws every vector as a dot coloured by class", async () => {
  const data = clusters();
  const chart = pcaChart(data, { texts: data.texts });
  assert.equal(chart.svg.match(/<circle /g)?.length, 60);
  assert.match(chart.svg, />Vectors projected to 2-D by PCA \(60 messages\)</);
  assert.match(chart.svg, /PC1 \(\d+\.\d% of variance\)/);
  await assertSvgSnapshot("pca", chart.svg);
  assert.match(chart.svg, /<title>comment: message 4<\/title>/);
  assertPngBeside(chart);
});

Deno.test("pcaChart() samples large sets down to maxPoints, reproducibly", () => {
  const data = clusters();
  const a = pcaChart(data, { maxPoints: 30 });
  const b = pcaChart(data, { maxPoints: 30 });
  assert.equal(a.svg.match(/<circle /g)?.length, 30);
  assert.match(a.svg, /\(30 of 60 messages\)/);
  assert.equal(a.svg, b.svg);
});

Deno.test("pcaChart() rejects labels that do not match the vectors", () => {
  assert.throws(() => pcaChart({ x: new Float32Array(8), y: [0], dimension: 4 }), {
    name: "RangeError",
    message: "Cannot draw PCA chart: 2 vectors but 1 labels",
  });
});
