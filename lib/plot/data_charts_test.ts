import assert from "node:assert/strict";
import { assertPngBeside, assertSvgSnapshot } from "./_testing.ts";
import { channelMixChart, classMixChart, lengthChart, wordCount } from "./data_charts.ts";

const labels = ["question", "answer", "comment", "answer", "answer", "comment", "question"];
const texts = [
  "how do I learn sql?",
  "use sqlzoo, it is great for beginners",
  "lol",
  "try kaggle",
  "read the docs first then practice every single day for a month",
  "nice",
  "what about python for data analysis",
];
const channels = ["sql", "sql", "general", "kaggle", "sql", "general", "python"];

Deno.test("classMixChart() draws one bar per label with count and share", async () => {
  const chart = classMixChart(labels);
  assert.match(chart.svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" /);
  assert.match(chart.svg, />3 \(42\.9%\)</);
  assert.match(chart.svg, />2 \(28\.6%\)</);
  await assertSvgSnapshot("class_mix", chart.svg);
  assertPngBeside(chart);
});

Deno.test("channelMixChart() stacks labels per channel, busiest channel first", async () => {
  const chart = channelMixChart(channels, labels);
  const sqlAt = chart.svg.indexOf(">sql<");
  const pythonAt = chart.svg.indexOf(">python<");
  assert.ok(sqlAt > 0 && pythonAt > sqlAt, "sql (3 messages) is listed before python (1)");
  await assertSvgSnapshot("channel_mix", chart.svg);
  assertPngBeside(chart);
});

Deno.test("channelMixChart() rejects channels and labels of different lengths", () => {
  assert.throws(() => channelMixChart(["a"], []), {
    name: "RangeError",
    message: "Cannot draw channel mix: 1 values but 0 labels",
  });
});

Deno.test("lengthChart() draws a histogram per class with its median", async () => {
  const chart = lengthChart(texts, labels, { maxWords: 12 });
  // answers have 7, 2 and 12 words: median 7; comments 1 and 1; questions 5 and 6: median 5.5
  assert.match(chart.svg, />median 7</);
  assert.match(chart.svg, />median 1</);
  assert.match(chart.svg, />median 5.5</);
  await assertSvgSnapshot("length", chart.svg);
  assertPngBeside(chart);
});

Deno.test("wordCount() counts whitespace-separated words", () => {
  assert.equal(wordCount("  how   do I\tlearn\n"), 4);
  assert.equal(wordCount("   "), 0);
});
