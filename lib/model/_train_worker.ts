/**
 * The trainer's second thread: claims parts of each step's hidden units and runs the
 * `forward` kernel on them, in the memory {@linkcode MlpTrainer} shares with it,
 * when the main thread starts a run (an Atomics handshake; see `runParts` in `_trainer.ts`).
 * Private to lib/model.
 * @module
 */

import {
  COMMAND,
  CONTROL_AT,
  HANDSHAKE,
  kernelModule,
  type Kernels,
  runParts,
} from "./_trainer.ts";

/** What the trainer posts once: its memory and where the parts are. */
interface Start {
  memory: WebAssembly.Memory;
  params: number;
  partBytes: number;
  parts: number;
  rowBytes: number;
}

self.onmessage = (event: MessageEvent<Start>) => {
  const { memory, params, partBytes, parts, rowBytes } = event.data;
  const kernels = new WebAssembly.Instance(kernelModule(), { env: { memory } })
    .exports as unknown as Kernels;
  // the handshake sits in the fixed region, so this view outlives any growth of the memory
  const control = new Int32Array(memory.buffer, params + CONTROL_AT, 4);
  const execute = (command: number, part: number) => {
    const h0 = part * partBytes;
    const h1 = Math.min(rowBytes, h0 + partBytes);
    if (command === COMMAND.forward) kernels.forward(params, h0, h1, part);
  };
  self.postMessage("ready");
  for (;;) {
    const word = Atomics.load(control, HANDSHAKE.word);
    if (Atomics.load(control, HANDSHAKE.exit) === 1) break;
    if (word >>> 8 !== 0) runParts(control, word >>> 8, parts, execute); // runs count from 1
    // sleep until the main thread starts another run (unless it already has)
    const now = Atomics.load(control, HANDSHAKE.word);
    if (now >>> 8 === word >>> 8) Atomics.wait(control, HANDSHAKE.word, now);
  }
  self.close();
};
