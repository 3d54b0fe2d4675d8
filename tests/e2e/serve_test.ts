import assert from "node:assert/strict";
import { join } from "node:path";
import { writeTinyModel } from "./_model.ts";
import { readAddress, ROOT, serveCommand, startServer } from "./_server.ts";

const dir = await Deno.makeTempDir({ prefix: "qac-e2e-" });
const tiny = await writeTinyModel(dir);
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

/** A copy of the tiny model at `to` whose metadata stores `dataPath` as its training data. */
async function copyModel(to: string, dataPath: string): Promise<string> {
  await Deno.mkdir(to, { recursive: true });
  for (const name of ["model.json", "weights.bin"]) {
    await Deno.copyFile(join(tiny.modelDir, name), join(to, name));
  }
  const metadata = JSON.parse(await Deno.readTextFile(join(tiny.modelDir, "metadata.json")));
  metadata.data.path = dataPath;
  await Deno.writeTextFile(join(to, "metadata.json"), JSON.stringify(metadata));
  return to;
}

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
    let health = await fetch(`${server.url}health`);
    for (let i = 0; i < 100 && health.status === 503; i++) {
      await health.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 50));
      health = await fetch(`${server.url}health`);
    }
    assert.deepEqual(await health.json(), { status: "ready", model: "e2e-tiny", data: "ready" });

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

Deno.test("serve.ts exits 1 with one line when --model is a file", async () => {
  const file = join(tiny.modelDir, "metadata.json");
  const { code, stderr } = await runToExit([dir], ["--model", file]);
  assert.equal(code, 1);
  // was "Cannot load model …: Not a directory (os error 20)"
  assert.equal(
    stderr,
    `serve: Cannot load model "${file}": it is a file; --model takes a model folder ` +
      "(metadata.json, model.json, weights.bin)\n",
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

Deno.test("serve.ts exits 1 with one line, before listening, when it may not read the model's data", async () => {
  // The model folder is readable, its training CSV (beside it, in `dir`) is not: no prompt, no
  // 500 on every /data/* later — one line at start.
  const { code, stdout, stderr } = await runToExit([tiny.modelDir], ["--model", tiny.modelDir]);
  assert.equal(code, 1);
  assert.equal(stdout, "");
  assert.equal(
    stderr,
    `serve: Cannot read data "${tiny.dataPath}": no read permission (allow it with ` +
      `--allow-read=${tiny.dataPath}, or start with \`deno task serve\`)\n`,
  );
});

Deno.test("deno task serve's launcher finds a model by a path relative to the caller, with a relative data path in its metadata", async () => {
  // A copy of the model whose metadata stores the data path relative to the model folder, as
  // training now writes it, served through tasks/serve.ts from another working folder.
  await copyModel(join(dir, "copy", "model"), "../../conversations.csv");
  const child = new Deno.Command("deno", {
    args: [
      "run",
      "-A",
      `${ROOT}tasks/serve.ts`,
      "--model",
      "copy/model",
      "--port",
      "0",
      "--hostname",
      "127.0.0.1",
    ],
    cwd: ROOT,
    env: { INIT_CWD: dir, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    const { url, text } = await readAddress(reader);
    assert.ok(url, text);
    const summary = await (await fetch(`${url}data/summary`)).json();
    assert.equal(summary.conversations, 80);
    const model = await (await fetch(`${url}model`)).text();
    assert.ok(!model.includes(dir), "GET /model shows no absolute path");
  } finally {
    clearTimeout(timer);
    child.kill("SIGTERM");
    await child.status;
    await reader.cancel();
    await child.stderr.cancel();
  }
});

Deno.test("deno task serve's launcher starts a model copied without its training data, Explore off", async () => {
  // a model folder shared on its own: the data path in its metadata leads nowhere; the launcher
  // used to pass it on as --data, which serve.ts took as the user's and refused to start
  const copy = await copyModel(join(dir, "shared", "model"), "../../nowhere/conversations.csv");
  const child = new Deno.Command("deno", {
    args: [
      "run",
      "-A",
      `${ROOT}tasks/serve.ts`,
      "--model",
      copy,
      "--port",
      "0",
      "--hostname",
      "127.0.0.1",
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let errors = "";
  const stopErrors = new AbortController();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (errors += chunk) }),
    { signal: stopErrors.signal },
  ).catch(() => {});
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    const { url, text } = await readAddress(reader);
    assert.ok(url, `${text}${errors}`);
    const res = await fetch(`${url}classify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "how do I get my first data analyst job?" }),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    // printed before the address; give the pipe a moment to deliver it
    for (let i = 0; i < 100 && !errors.includes("\n"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    clearTimeout(timer);
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
    await reader.cancel();
    stopErrors.abort();
    await stderr;
  }
  assert.match(
    errors,
    /^serve: Explore is off: its data "\S+\/nowhere\/conversations\.csv" does not exist$/m,
  );
});

Deno.test("serve.ts --workers 1 predicts on a worker thread with the same answers", async () => {
  const texts = ["how do I get my first data analyst job?", "thanks, that worked!", "lol same"];
  const answers: unknown[] = [];
  for (const workers of ["0", "1"]) {
    const server = await startServer(
      workers === "0" ? [dir] : [dir, `${ROOT}lib`],
      ["--model", tiny.modelDir, "--workers", workers, "--quiet"],
    );
    try {
      const res = await fetch(`${server.url}classify`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ texts }),
      });
      assert.equal(res.status, 200);
      answers.push((await res.json()).results);
    } finally {
      assert.equal((await server.stop()).code, 0);
    }
  }
  assert.deepEqual(answers[1], answers[0]);
});

Deno.test("serve.ts takes an export over 1 MiB on POST /report (the page allows 20 MiB), not 413", async () => {
  const messages = Array.from({ length: 3000 }, (_, i) => ({
    id: String(1e15 + i),
    type: "Default",
    timestamp: new Date(Date.UTC(2024, 2, 1) + i * 60_000).toISOString(),
    content: `${i % 3 ? "thanks, that fixed it" : "how do I join two tables in sql?"} (${i}) ${
      "x".repeat(400)
    }`,
    author: { id: String(i % 7), name: `user${i % 7}`, isBot: false },
  }));
  const body = JSON.stringify({
    guild: { id: "1", name: "g" },
    channel: { id: "2", type: "GuildTextChat", name: "help" },
    messages,
  });
  assert.ok(body.length > 1_200_000);
  const server = await startServer([dir], ["--model", tiny.modelDir]);
  try {
    const res = await fetch(`${server.url}report?name=help.json`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).report.overall.messages, 3000);
  } finally {
    const { code, stderr } = await server.stop();
    assert.equal(code, 0, stderr);
  }
});

Deno.test("deno task serve's server stops when its launcher is killed with SIGKILL", async () => {
  const launcher = new Deno.Command("deno", {
    args: [
      "run",
      "-A",
      `${ROOT}tasks/serve.ts`,
      "--model",
      tiny.modelDir,
      "--port",
      "0",
      "--hostname",
      "127.0.0.1",
      "--quiet",
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  // serve.ts writes to the same pipe: it ends only once the server has exited too
  const reader = launcher.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const timer = setTimeout(() => launcher.kill("SIGKILL"), 60_000);
  try {
    const address = await readAddress(reader);
    const url = address.url;
    let text = address.text;
    assert.ok(url, text);
    assert.equal(await fetch(`${url}health`).then((r) => r.body?.cancel()), undefined);
    launcher.kill("SIGKILL");
    await launcher.status;
    // it used to keep serving, holding the port, with no parent to stop it
    const ended = (async () => {
      for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value;
    })();
    let wait: ReturnType<typeof setTimeout> | undefined;
    const gone = await Promise.race([
      ended.then(() => true),
      new Promise<false>((resolve) => wait = setTimeout(() => resolve(false), 15_000)),
    ]);
    clearTimeout(wait);
    assert.ok(gone, `serve.ts still runs after its launcher was killed:\n${text}`);
    assert.match(text, /serve: the launcher exited, finishing open requests\nserve: stopped\n$/);
    await assert.rejects(fetch(`${url}health`));
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
});
