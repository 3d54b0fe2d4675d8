import assert from "node:assert/strict";
import { writeTinyModel } from "./_model.ts";
import { runFuzz } from "../../tasks/fuzz.ts";
import { runSoak } from "../../tasks/soak.ts";
import { soak } from "../../tasks/_soak.ts";
import { readAddress, ROOT, serveCommand, waitReady } from "./_server.ts";

const dir = await Deno.makeTempDir({ prefix: "qac-abuse-" });
const tiny = await writeTinyModel(dir);
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

Deno.test("serve.ts survives a small connection flood and slowloris clients, /health answering throughout", async () => {
  const report = await runSoak({
    model: tiny.modelDir,
    readable: [dir],
    connections: 400,
    slowloris: 40,
    seconds: 4,
    maxConnections: 100,
    timeoutSeconds: 1,
  });
  assert.deepEqual(report.failures, []);
  assert.equal(report.opened, 440);
  assert.equal(report.slowlorisClosed, 40);
  assert.ok(report.stillOpen <= 100, `${report.stillOpen} open`);
  assert.ok(report.probes.ok > 0);
});

Deno.test("serve.ts answers 600 fuzzed requests without a 5xx or a stack trace", async () => {
  {
    const report = await runFuzz(tiny.modelDir, [dir], 600, 7);
    assert.deepEqual(report.failures, []);
    assert.equal(report.requests, 600);
    assert.equal(report.serverErrors, 0);
    // The cases reached the handler's checks, not just the framing: each class of answer shows.
    for (const status of ["200", "400", "404", "405", "413", "415", "422"]) {
      assert.ok(
        (report.statuses[status] ?? 0) > 0,
        `no ${status} in ${JSON.stringify(report.statuses)}`,
      );
    }
  }
});

Deno.test("serve.ts out of file handles (EMFILE) logs, sheds load and recovers instead of exiting", async () => {
  // A cap above the process's handle limit, so accept() itself fails with EMFILE.
  const args = serveCommand([dir], [
    "--model",
    tiny.modelDir,
    "--quiet",
    "--max-connections",
    "5000",
  ]);
  const child = new Deno.Command("sh", {
    args: ["-c", 'ulimit -n 256 && exec deno "$@"', "sh", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { url, text } = await readAddress(reader);
  let exited = false;
  child.status.then(() => exited = true);
  try {
    assert.ok(url, text);
    await waitReady(url);
    const report = await soak(url, { connections: 600, slowloris: 0, holdMs: 1500 });
    assert.equal(exited, false, "the server is still running");
    assert.ok(report.healthyAfter, JSON.stringify(report));
  } finally {
    child.kill("SIGTERM");
    const { code } = await child.status;
    await reader.cancel();
    const log = await stderr;
    assert.equal(code, 0, log);
    assert.match(log, /serve: cannot accept a connection: .*; shedding load/);
  }
});
