import assert from "node:assert/strict";
import { writeTinyModel } from "./_model.ts";
import { runFuzz } from "../../tasks/fuzz.ts";
import { runSoak } from "../../tasks/soak.ts";

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
