/**
 * `deno run -A tasks/eval_report.ts --in EXPORT [--model DIR|truth] [--hand]`: how right the
 * community report is on an export whose truth is known — a generated one
 * (`deno task generate --format discord-json`, which writes `truth.csv` beside it) or, with
 * `--hand`, the hand-built export of the tests. Prints `evaluateReport()`'s scores and its error
 * classes (label errors apart from linking errors), with the true labels (`--model truth`: what
 * the linking alone gets) or a model's. `--thanks off` / `--bumps off` score the linking without
 * the asker's thanks or bumps (to compare against).
 * @module
 */

import { join } from "node:path";
import { readExport } from "../lib/data/discord/read.ts";
import { type ChatMessage, emptyReadStats } from "../lib/data/discord/types.ts";
import { LABELS } from "../lib/data/types.ts";
import { loadWeightsBundle } from "../lib/model/bundle_files.ts";
import { handTruth, writeHandExport } from "../lib/report/_hand_export.ts";
import { buildReport, type MessageClassifier } from "../lib/report/build.ts";
import { createMessageClassifier, type ThreadStarts } from "../lib/report/classify.ts";
import {
  evaluateReport,
  readExportTruth,
  type ReportTruth,
  truthClassifier,
} from "../lib/report/evaluate.ts";
import { type FlagSpec, numberFlag, parseFlags, runMain } from "./_cli.ts";
import { embedderRuntimeFromEnv } from "./_env.ts";

const FLAGS: FlagSpec = {
  in: { type: "string", help: "generated export folder (with truth.csv)" },
  hand: { type: "boolean", help: "score the hand-built export of the tests instead" },
  model: {
    type: "string",
    default: "truth",
    help: 'model folder, or "truth" for the true labels (the linking alone)',
  },
  window: { type: "string", default: "360", help: "minutes a question stays open" },
  rule: {
    type: "string",
    default: "scored",
    help: "last linking rule: scored (the evidence) or nearest (the former rule)",
  },
  thanks: {
    type: "string",
    default: "on",
    help: "on: the asker's thanks links a question nothing else answered (the default); off",
  },
  bumps: {
    type: "string",
    default: "on",
    help: "on: the asker's bump takes back evidence-only links (the default); off",
  },
  weights: {
    type: "string",
    help: "evidence weights to try, comma-separated in LINK_FEATURES order (default: LINK_WEIGHTS)",
  },
  json: { type: "boolean", help: "print the scores as JSON" },
};

await runMain(async () => {
  const flags = parseFlags(
    Deno.args,
    FLAGS,
    "Usage: deno run -A tasks/eval_report.ts (--in EXPORT | --hand) [--model DIR|truth]",
  );
  let dir: string;
  let truth: ReportTruth;
  let temp: string | undefined;
  if (flags.hand) {
    temp = dir = await Deno.makeTempDir();
    await writeHandExport(dir);
    truth = handTruth();
  } else if (typeof flags.in === "string") {
    dir = flags.in;
    truth = await readExportTruth(join(dir, "truth.csv"));
  } else {
    throw new TypeError("Cannot evaluate the report: give --in EXPORT or --hand");
  }
  const onOff = (name: "thanks" | "bumps") => {
    if (flags[name] === "on" || flags[name] === "off") return flags[name] === "on";
    throw new RangeError(
      `Cannot evaluate the report: --${name} is "${flags[name]}", not on or off`,
    );
  };
  const [thanks, bumps] = [onOff("thanks"), onOff("bumps")];
  try {
    const model = String(flags.model);
    const predicted = new Map<string, string>();
    let base: MessageClassifier & { close?: () => void; threads?: ThreadStarts };
    if (model === "truth") {
      base = truthClassifier(truth);
    } else {
      base = createMessageClassifier(
        await loadWeightsBundle(model, embedderRuntimeFromEnv()),
        {},
      );
    }
    // remember each message's label, for the error classes
    const recording: MessageClassifier = async (batch: readonly ChatMessage[]) => {
      const p = await base(batch);
      batch.forEach((m, i) => {
        let best = 0;
        for (let c = 1; c < 3; c++) if (p[i * 3 + c]! > p[i * 3 + best]!) best = c;
        predicted.set(m.messageId, LABELS[best]!);
      });
      return p;
    };
    const stats = emptyReadStats();
    const report = await buildReport(readExport(dir, { stats }), recording, {
      stats,
      windowSeconds: (numberFlag(flags, "window") ?? 360) * 60,
      linking: {
        rule: flags.rule === "nearest" ? "nearest" : "scored",
        thanks,
        bumps,
        weights: typeof flags.weights === "string"
          ? flags.weights.split(",").map(Number)
          : undefined,
      },
    });
    base.close?.();
    if (base.threads) {
      const t = base.threads;
      console.error(
        `threads: ${t.withStarter} of ${t.firsts} first messages read after their starter`,
      );
    }
    const s = evaluateReport(report, truth, predicted);
    if (flags.json) {
      console.log(JSON.stringify(s));
      return;
    }
    const r = (x: number) => x.toFixed(3);
    console.log(
      `${flags.hand ? "hand-built export" : dir}, labels from ${model}, rule ${flags.rule}: ` +
        `${stats.messages} chat messages, ${report.overall.questions} questions\n` +
        `unanswered: precision ${r(s.unansweredPrecision)} recall ${r(s.unansweredRecall)} ` +
        `(listed ${s.listedUnanswered}, truly unanswered ${s.trueUnanswered}, both ${s.correctUnanswered})\n` +
        `first-answer links right: ${r(s.linkAccuracy)} (${s.correctLinks} of ${s.links}; ` +
        `exactly the first true answer ${s.exactFirstLinks})\n` +
        `links by reason [made, right]: ${JSON.stringify(s.errors.linksByReason)}\n` +
        `errors: ${JSON.stringify({ ...s.errors, linksByReason: undefined })}`,
    );
  } finally {
    if (temp) await Deno.remove(temp, { recursive: true });
  }
});
