import assert from "node:assert/strict";
import { assertClose } from "../_assert_close.ts";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "./backend.ts";
import { type AdamSlot, adamStep } from "./_adam.ts";

await initBackend();

const CONFIG = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

/** 4099 values: the fused kernel's SIMD body plus a 3-value tail handled in JS. */
function slots(): AdamSlot[] {
  const param = tf.randomNormal([4099], 0, 1, "float32", 1);
  return [{ param, m: tf.zerosLike(param), v: tf.zerosLike(param) }];
}

Deno.test("adamStep() fused wasm update equals the tfjs-op update and keeps its tensors", () => {
  const before = tf.memory().numTensors;
  let fused = slots();
  let ops = slots();
  const fusedParam = fused[0]!.param;
  for (let step = 1; step <= 5; step++) {
    const g = tf.randomNormal([4099], 0, 1, "float32", 10 + step);
    fused = adamStep(fused, [g], step, CONFIG);
    ops = adamStep(ops, [g], step, CONFIG, "ops");
    g.dispose();
  }
  assert.equal(fused[0]!.param, fusedParam, "the fused path updates in place");
  assert.notEqual(ops[0]!.param.dataId, fusedParam.dataId);
  for (const key of ["param", "m", "v"] as const) {
    assertClose(fused[0]![key].dataSync(), ops[0]![key].dataSync(), {
      atol: 1e-6,
      rtol: 1e-6,
      name: key,
    });
  }
  // Adam moves each weight by about the learning rate per step: 5 steps ≈ 0.05 at most.
  const start = slots()[0]!;
  const moved = tf.tidy(() => tf.max(tf.abs(tf.sub(fusedParam, start.param))).dataSync()[0]!);
  assert.ok(moved > 0.04 && moved < 0.06, `moved ${moved}`);
  tf.dispose([start.param, start.m, start.v]);
  for (const slot of [...fused, ...ops]) tf.dispose([slot.param, slot.m, slot.v]);
  assert.equal(tf.memory().numTensors, before);
});
