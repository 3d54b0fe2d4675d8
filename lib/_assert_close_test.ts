import assert from "node:assert/strict";
import { assertClose } from "./_assert_close.ts";

Deno.test("assertClose() passes within atol + rtol·|expected| and names the failing element", () => {
  assertClose(0.1 + 0.2, 0.3);
  assertClose([1, 1000], [1 + 5e-7, 1000.0005], { rtol: 1e-6 });
  assert.throws(() => assertClose([1, 2], [1, 2.1], { name: "f1" }), {
    name: "AssertionError",
    message: "f1[1]: 2 vs 2.1",
  });
  assert.throws(() => assertClose([1], [1, 2], { name: "p" }), {
    message: /^p: 1 values, expected 2/,
  });
});
