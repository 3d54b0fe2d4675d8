import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";

Deno.test("tfjs on the cpu backend prints no 'install tfjs-node' banner", async () => {
  const script = `
    import * as tf from "${new URL("./tf.ts", import.meta.url).href}";
    await tf.setBackend("cpu");
    console.log(tf.sum(tf.tensor1d([1, 2, 3])).dataSync()[0]);
  `;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--quiet",
      `--config=${new URL("../deno.json", import.meta.url).pathname}`,
      script,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, err);
  assert.equal(new TextDecoder().decode(stdout).trim(), "6");
  assert.equal(err, "");
});

Deno.test("lib/tf.ts exposes core ops, layers and the umbrella's version shape", () => {
  assert.equal(typeof tf.layers.dense, "function");
  assert.equal(typeof tf.sequential, "function");
  assert.match(tf.version.tfjs, /^4\.\d+\.\d+$/);
  assert.equal(tf.version["tfjs-layers"], tf.version.tfjs);
});
