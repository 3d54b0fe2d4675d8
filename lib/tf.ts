/**
 * qac's TensorFlow.js: tfjs-core, tfjs-layers and the cpu backend (the wasm backend is imported by
 * `lib/model/backend.ts`), without the `@tensorflow/tfjs` umbrella, which also pulls in the webgl
 * backend, the graph-model converter and tfjs-data (≈ 100 MB that qac never runs). `deno.json`
 * maps the bare specifier `@tensorflow/tfjs` here, so modules keep `import * as tf from
 * "@tensorflow/tfjs"`.
 *
 * Two things the umbrella registers are absent: the gradient of every op (qac trains with
 * hand-derived gradients; autodiff is only the reference of a test and of the `model.fit` benchmark,
 * which load the umbrella as an extra) and chained ops: write `tf.argMax(t, 1)`, not `t.argMax(1)`.
 *
 * Production mode only silences tfjs's console messages (`env().getBool("PROD")` gates nothing
 * else in tfjs-core 4.22): without it the cpu backend tells every Deno run to install tfjs-node.
 * @module
 */

import { enableProdMode, version_core } from "@tensorflow/tfjs-core";
import { version_layers } from "@tensorflow/tfjs-layers";
import "@tensorflow/tfjs-backend-cpu";

export * from "@tensorflow/tfjs-core";
export * from "@tensorflow/tfjs-layers";

/** Versions of the tfjs packages in use, shaped like the umbrella's `tf.version`. */
export const version: { tfjs: string; "tfjs-core": string; "tfjs-layers": string } = {
  tfjs: version_core,
  "tfjs-core": version_core,
  "tfjs-layers": version_layers,
};

enableProdMode();
