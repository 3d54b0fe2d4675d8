/**
 * The one class palette: notebooks, chart files, the web page (through `/palette.css`) and the
 * HTML report all colour question, answer and comment with these (Tableau 10).
 * @module
 */

import { LABELS } from "../data/types.ts";

/** Colour of each class. */
export const CLASS_COLORS: Readonly<Record<string, string>> = {
  question: "#4e79a7",
  answer: "#59a14f",
  comment: "#f28e2c",
};

/** Colour of what is neither a class nor an error: "unsure" verdicts, other labels. */
export const NEUTRAL_COLOR = "#9a9a9a";

/** Colour of a wrong prediction. */
export const WRONG_COLOR = "#d62728";

/** The palette as CSS custom properties (`--question`, `--answer`, `--comment`, …). */
export function paletteCss(): string {
  const lines = LABELS.map((label) => `  --${label}: ${CLASS_COLORS[label]};`);
  return `:root {\n${
    lines.join("\n")
  }\n  --unsure: ${NEUTRAL_COLOR};\n  --wrong: ${WRONG_COLOR};\n}\n`;
}
