import assert from "node:assert/strict";
import { type FlagSpec, formatHelp, numberFlag, placeholderOf, WORKERS_RANGE } from "./_cli.ts";

Deno.test("formatHelp() shows what each value is, never a bare VALUE", () => {
  const spec: FlagSpec = {
    data: { type: "string", default: "data/conversations.csv", help: "labelled CSV" },
    count: { type: "string", default: "2500", help: "conversations" },
    "model-dir": { type: "string", help: "local model folder" },
    monitor: { type: "string", placeholder: "val_loss|val_accuracy", help: "what to watch" },
    provider: { type: "string", help: "LLM provider" },
    quiet: { type: "boolean", help: "no progress bar" },
  };
  const help = formatHelp(spec, "Usage: deno task x");
  assert.doesNotMatch(help, /VALUE/);
  for (
    const line of [
      "--data FILE.csv",
      "--count N",
      "--model-dir DIR",
      "--monitor val_loss|val_accuracy",
      "--provider PROVIDER",
    ]
  ) assert.ok(help.includes(line), line);
  // descriptions start in one column, also after the longest placeholder
  const starts = help.split("\n").filter((l) => l.startsWith("  --"))
    .map((l) => /^ {2}--\S+(?: \S+)? +/.exec(l)![0].length);
  assert.equal(new Set(starts).size, 1, String(starts));
});

Deno.test("placeholderOf() infers N from a numeric default and FILE.csv from a CSV default", () => {
  assert.equal(placeholderOf("seed", { type: "string", default: "42", help: "" }), "N");
  assert.equal(placeholderOf("out", { type: "string", default: "x.csv", help: "" }), "FILE.csv");
  assert.equal(placeholderOf("out", { type: "string", placeholder: "FILE|-", help: "" }), "FILE|-");
});

Deno.test("numberFlag() names the flag and the allowed range for a value outside it", () => {
  assert.equal(numberFlag({ workers: "0" }, "workers", WORKERS_RANGE), 0);
  assert.equal(numberFlag({}, "workers", WORKERS_RANGE), undefined);
  assert.throws(() => numberFlag({ workers: "-1" }, "workers", WORKERS_RANGE), {
    name: "RangeError",
    message: 'Cannot use --workers "-1": expected an integer in 0..64',
  });
  assert.throws(() => numberFlag({ workers: "2.5" }, "workers", WORKERS_RANGE), RangeError);
  assert.throws(() => numberFlag({ window: "-5" }, "window", { min: 0 }), {
    name: "RangeError",
    message: 'Cannot use --window "-5": expected a number >= 0',
  });
  assert.throws(() => numberFlag({ n: "x" }, "n"), {
    name: "TypeError",
    message: 'Cannot read --n: "x" is not a number',
  });
});
