import assert from "node:assert/strict";
import { join } from "node:path";
import { writeTinyModel } from "./_model.ts";
import { ROOT, serveCommand, startServer } from "./_server.ts";

const dir = await Deno.makeTempDir({ prefix: "qac-e2e-" });
const tiny = await writeTinyModel(dir);

/** Runs serve.ts to completion (for start-up failures). */
async function runToExit(readable: string[], args: string[]) {
  const output = await new Deno.Command("deno", {
    args: serveCommand(readable, args),
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

Deno.test("serve.ts answers on a real port with least permissions, logs no text, stops on SIGTERM", async () => {
  const server = await startServer([dir], ["--model", tiny.modelDir]);
  try {
    const health = await fetch(`${server.url}health`);
    assert.deepEqual(await health.json(), { status: "ok", model: "e2e-tiny" });

    const secret = "how do I get my first data analyst job?";
    const res = await fetch(`${server.url}classify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: secret }),
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.label, "question");
    assert.equal(body.model, "e2e-tiny");
    assert.equal(body.result.length, 3);

    const bad = await fetch(`${server.url}classify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "   " }),
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.headers.get("content-type"), "application/problem+json");
    await bad.body?.cancel();

    const page = await fetch(server.url);
    assert.match(await page.text(), /<title>qac/);
    const summary = await (await fetch(`${server.url}data/summary`)).json();
    assert.equal(summary.path, tiny.dataPath);
    assert.equal(summary.conversations, 80);
  } finally {
    const { code, stdout, stderr } = await server.stop();
    assert.equal(code, 0, stderr);
    assert.ok(stdout.some((l) => /^POST \/classify 200 \d+\.\dms$/.test(l)));
    assert.ok(stdout.some((l) => /^POST \/classify 422 \d+\.\dms$/.test(l)));
    assert.ok(!stdout.join("\n").includes("data analyst"), "request text must not be logged");
    assert.equal(stdout.at(-1), "serve: stopped");
  }
});

Deno.test("serve.ts exits 1 with one line when the model folder is missing", async () => {
  const missing = join(dir, "nope");
  const { code, stderr } = await runToExit([dir], ["--model", missing]);
  assert.equal(code, 1);
  assert.equal(
    stderr,
    `serve: Cannot load model "${missing}": the folder does not exist (train one: \`deno task train\`)\n`,
  );
});

Deno.test("serve.ts exits 1 with one line when the model is corrupt", async () => {
  const corrupt = join(dir, "corrupt");
  await Deno.mkdir(corrupt);
  for (const name of ["model.json", "weights.bin"]) {
    await Deno.copyFile(join(tiny.modelDir, name), join(corrupt, name));
  }
  await Deno.writeTextFile(join(corrupt, "metadata.json"), "{ not json");
  const { code, stderr } = await runToExit([dir], ["--model", corrupt]);
  assert.equal(code, 1);
  assert.equal(stderr.split("\n").length, 2, stderr);
  assert.match(stderr, /^serve: Cannot load model ".*corrupt": metadata\.json is not valid JSON/);
});

Deno.test("serve.ts exits 1 with one line for a bad --port", async () => {
  const { code, stderr } = await runToExit([dir], ["--model", tiny.modelDir, "--port", "http"]);
  assert.equal(code, 1);
  assert.equal(stderr, 'serve: Cannot listen on port "http": expected an integer in 0..65535\n');
});

Deno.test("serve.ts exits 1 with one line for an unknown flag", async () => {
  const { code, stderr } = await runToExit([dir], ["--model", tiny.modelDir, "--prot", "8000"]);
  assert.equal(code, 1);
  assert.equal(stderr, "serve: Unknown option '--prot' (see --help)\n");
});
