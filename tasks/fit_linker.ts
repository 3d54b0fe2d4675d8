/**
 * `deno run -A tasks/fit_linker.ts --in EXPORT[,EXPORT…] [--model DIR|truth]`: fits the weights
 * of the linker's evidence rule (`LINK_WEIGHTS` in `lib/report/link_evidence.ts`) on generated
 * exports (`deno task generate --format discord-json --seed S`, never the one the report is
 * scored on, never real chat). Every answer the evidence rule weighs is one example: its open candidate
 * questions plus "none" (score 0), the target being the question the truth says it answers, or
 * "none" when that question is not a candidate or the message is no answer at all (a comment the
 * model took for an answer). The fit is a conditional logit — softmax over each example's options —
 * by full-batch gradient descent with L2; it prints the weights to paste into `LINK_WEIGHTS`.
 * @module
 */

import { join } from "node:path";
import { readExport } from "../lib/data/discord/read.ts";
import { emptyReadStats } from "../lib/data/discord/types.ts";
import { loadWeightsBundle } from "../lib/model/bundle_files.ts";
import { buildReport, type MessageClassifier } from "../lib/report/build.ts";
import { createMessageClassifier } from "../lib/report/classify.ts";
import { readExportTruth, truthClassifier } from "../lib/report/evaluate.ts";
import type { LinkDecision } from "../lib/report/link.ts";
import { LINK_FEATURES } from "../lib/report/link_evidence.ts";
import { type ChoiceExample, fitConditionalLogit } from "../lib/report/fit_logit.ts";
import { type FlagSpec, numberFlag, parseFlags, runMain } from "./_cli.ts";
import { embedderRuntimeFromEnv } from "./_env.ts";

const FLAGS: FlagSpec = {
  in: { type: "string", help: "generated export folders (with truth.csv), comma-separated" },
  model: {
    type: "string",
    default: "truth",
    help: 'model folder whose labels the linker sees, or "truth"',
  },
  l2: { type: "string", default: "0.01", help: "L2 penalty (per example)" },
};

await runMain(async () => {
  const flags = parseFlags(
    Deno.args,
    FLAGS,
    "Usage: deno run -A tasks/fit_linker.ts --in EXPORT[,EXPORT…] [--model DIR|truth]",
  );
  if (typeof flags.in !== "string") throw new TypeError("Cannot fit the linker: --in is required");
  const model = String(flags.model);
  const bundle = model === "truth"
    ? undefined
    : await loadWeightsBundle(model, embedderRuntimeFromEnv());
  const examples: ChoiceExample[] = [];
  for (const dir of flags.in.split(",")) {
    const truth = await readExportTruth(join(dir, "truth.csv"));
    let classify: MessageClassifier & { close?: () => void };
    if (bundle === undefined) {
      classify = truthClassifier(truth);
    } else {
      classify = createMessageClassifier(bundle, {});
    }
    const decisions: LinkDecision[] = [];
    const stats = emptyReadStats();
    await buildReport(readExport(dir, { stats }), classify, {
      stats,
      linking: { onDecision: (d) => decisions.push(d) },
    });
    classify.close?.();
    for (const d of decisions) {
      const target = truth.answers.get(d.answerId);
      const index = d.candidates.findIndex((c) => c.questionId === target);
      examples.push({ options: d.candidates.map((c) => c.features), target: index });
    }
  }
  const { weights, loss, accuracy } = fitConditionalLogit(examples, {
    l2: numberFlag(flags, "l2") ?? 0.01,
  });
  const none = examples.filter((e) => e.target === -1).length;
  console.error(
    `${examples.length} weighed answers (${none} with no true question among the candidates), ` +
      `labels from ${model}: mean loss ${loss.toFixed(4)}, right choice ${accuracy.toFixed(3)}`,
  );
  console.log(
    "{\n" +
      LINK_FEATURES.map((f, i) => `  ${f}: ${Number(weights[i]!.toFixed(3))},`).join("\n") +
      "\n}",
  );
});
