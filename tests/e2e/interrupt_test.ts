import assert from "node:assert/strict";
import { join } from "node:path";
import { writeConversations } from "../../lib/data/csv.ts";
import { generateBuiltin } from "../../lib/data/generate/builtin.ts";
import { ROOT } from "./_server.ts";

Deno.test("train: Ctrl-C during training exits 130 with one line and leaves no model folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qac-interrupt-" });
  try {
    const data = join(dir, "conversations.csv");
    await writeConversations(data, generateBuiltin({ conversations: 300, seed: 3 }));
    const out = join(dir, "models");
    const child = new Deno.Command("deno", {
      args: [
        "run",
        "-A",
        `${ROOT}tasks/train.ts`,
        "--data",
        data,
        "--out",
        out,
        "--real-eval",
        "none",
        "--epochs",
        "200",
        "--patience",
        "200",
        "--dimension",
        "256",
      ],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!/^epoch\s+1 /m.test(text)) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
    assert.match(text, /^epoch\s+1 /m, "training started");
    child.kill("SIGINT");
    const { code } = await child.status;
    await reader.cancel();
    assert.equal(code, 130);
    assert.equal((await stderr).split("\n").at(-2), "train: interrupted; no partial output left");
    const runs = await Array.fromAsync(Deno.readDir(out)).catch(() => []);
    assert.deepEqual(
      runs.map((e) => e.name).filter((n) => n !== "vectors.npy" && !n.endsWith(".npy")),
      [],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
