import assert from "node:assert/strict";
import { assemble, KERNELS } from "./wasm.ts";

for (const { source, module } of KERNELS) {
  Deno.test(`${module} is what ${source} assembles to (run \`deno task wasm\` after editing)`, async () => {
    const bytes = await assemble(source, await Deno.readTextFile(source));
    const { WASM } = await import(`../${module}`);
    assert.deepEqual(WASM, bytes);
  });
}
