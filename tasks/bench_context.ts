/**
 * Benchmark of `predictInContext` at report scale: the messages of a conversations CSV repeated
 * (each copy its own conversations) up to `--messages`, classified in their conversations by a
 * context model, end to end from `Message[]` (assembly, featurizing, prediction), timed by wall
 * clock and by this process's CPU time.
 *
 *   deno run -A tasks/bench_context.ts [--model models/latest] [--data data/conversations.csv]
 *     [--messages 1000000]
 *
 * It checks that it measured what it claims: a context model, one probability row per message,
 * and how many messages actually had a context.
 * @module
 */

import process from "node:process";
import { readCsv } from "../lib/data/csv.ts";
import { detectConversationColumns, rowsToMessages } from "../lib/data/conversation.ts";
import type { Message } from "../lib/data/types.ts";
import { assembleContexts } from "../lib/features/context.ts";
import { loadBundle } from "../lib/model/bundle.ts";
import { predictInContext } from "../lib/infer/context.ts";
import { numberFlag, parseFlags, runMain } from "./_cli.ts";

const FLAGS = {
  model: { type: "string", default: "models/latest", help: "context model folder" },
  data: { type: "string", default: "data/conversations.csv", help: "conversations CSV" },
  messages: { type: "string", default: "1000000", help: "messages to classify" },
} as const;

await runMain(async () => {
  const flags = parseFlags(Deno.args, FLAGS, "Usage: deno run -A tasks/bench_context.ts");
  const bundle = await loadBundle(String(flags.model));
  if (!bundle.metadata.context) {
    throw new TypeError(`Cannot benchmark context: "${flags.model}" is a message-only model`);
  }
  const table = await readCsv(String(flags.data));
  const textColumn = table.header.includes("text") ? "text" : "message";
  const seed = rowsToMessages(table.records, textColumn, detectConversationColumns(table.header));
  const n = numberFlag(flags, "messages") ?? 1_000_000;
  const messages: Message[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const m = seed[i % seed.length]!;
    const copy = Math.floor(i / seed.length);
    messages[i] = copy === 0 ? m : { ...m, conversationId: `${m.conversationId}#${copy}` };
  }
  const withContext =
    assembleContexts(messages.slice(0, seed.length), bundle.metadata.context.recipe)
      .context.filter((c) => c >= 0).length;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const p = await predictInContext(bundle, messages);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (p.length !== n * 3) throw new Error(`expected ${n * 3} probabilities, got ${p.length}`);
  console.log(
    `predictInContext: ${n} messages (${bundle.embedder.id}, context model; ${
      (100 * withContext / seed.length).toFixed(1)
    }% of messages have a context) in ${seconds.toFixed(1)} s wall = ${
      Math.round(n / seconds)
    } msgs/s; ${cpuSeconds.toFixed(1)} s CPU = ${Math.round(n / cpuSeconds)} msgs/s per core`,
  );
});
