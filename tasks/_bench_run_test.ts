import assert from "node:assert/strict";
import { checkClassifyRun } from "./_bench_run.ts";

const LINE = "classified 3 messages in 0.50s (6 msgs/s; model run-a loaded in 0.20s; route " +
  "sparse wasm + 1 worker (context model, each text alone)): answer 1, comment 1, question 1 → out.csv";

async function output(rows: number): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  const body = Array.from({ length: rows }, (_, i) => `m${i},comment,0.1,0.1,0.8`).join("\n");
  await Deno.writeTextFile(path, `text,predicted,p_question,p_answer,p_comment\n${body}\n`);
  return path;
}

Deno.test("checkClassifyRun() returns the route of a run that read and wrote every row with its model", async () => {
  const out = await output(3);
  assert.equal(
    await checkClassifyRun(LINE, out, { messages: 3, runId: "run-a" }),
    "sparse wasm + 1 worker (context model, each text alone)",
  );
  await Deno.remove(out);
});

Deno.test("checkClassifyRun() refuses missing rows, another model, another route, no summary", async () => {
  const out = await output(3);
  const short = await output(2);
  await assert.rejects(checkClassifyRun(LINE, short, { messages: 3, runId: "run-a" }), {
    message: "Cannot trust the classify run: 3 classified, 2 rows written, 3 expected",
  });
  await assert.rejects(checkClassifyRun(LINE, out, { messages: 3, runId: "run-b" }), {
    message: "Cannot trust the classify run: it loaded model run-a, not run-b",
  });
  await assert.rejects(
    checkClassifyRun(LINE, out, { messages: 3, runId: "run-a", route: "dense" }),
    {
      message:
        'Cannot trust the classify run: it used route "sparse wasm + 1 worker (context model, each text alone)", not dense',
    },
  );
  await assert.rejects(checkClassifyRun("error: boom", out, { messages: 3, runId: "run-a" }), {
    message: "Cannot trust the classify run: no summary line in its output:\nerror: boom",
  });
  await Deno.remove(out);
  await Deno.remove(short);
});
