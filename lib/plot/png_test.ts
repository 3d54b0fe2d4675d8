import assert from "node:assert/strict";
import { svgToPng, toBase64 } from "./png.ts";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

Deno.test("svgToPng() renders at twice the SVG size with a PNG signature", () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30">' +
    '<rect width="40" height="30" fill="#4e79a7"/></svg>';
  const png = svgToPng(svg);
  assert.deepEqual([...png.bytes.subarray(0, 8)], PNG_SIGNATURE);
  assert.equal(png.width, 80);
  assert.equal(png.height, 60);
});

Deno.test("svgToPng() draws text with the bundled font, whatever family the SVG asks for", () => {
  const withText = (text: string) =>
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30">' +
    '<rect width="120" height="30" fill="white"/>' +
    `<text x="4" y="20" font-family="system-ui, sans-serif" font-size="14">${text}</text></svg>`;
  const blank = svgToPng(withText("")).bytes;
  const written = svgToPng(withText("question 42%")).bytes;
  // Same canvas: only drawn glyphs can make the files differ (and glyph pixels compress worse).
  assert.ok(written.length > blank.length + 200, `${written.length} vs ${blank.length}`);
});

Deno.test("svgToPng() turns unparseable SVG into one SyntaxError line", () => {
  assert.throws(() => svgToPng("<svg"), {
    name: "SyntaxError",
    message: /^Cannot render SVG as PNG: /,
  });
});

Deno.test("toBase64() matches btoa on a large buffer", () => {
  const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) % 256);
  const reference = btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
  assert.equal(toBase64(bytes), reference);
});
