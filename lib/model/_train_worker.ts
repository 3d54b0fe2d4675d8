/**
 * The trainer's second thread: runs the `forward` / `backward` kernels of each step on the
 * second half of the hidden units, in the memory {@linkcode MlpTrainer} shares with it, when the
 * main thread signals (an Atomics handshake in the parameter block; see `_trainer.ts`).
 * Private to lib/model.
 * @module
 */

import { COMMAND, CONTROL_AT, kernelModule, type Kernels } from "./_trainer.ts";

/** What the trainer posts once: its memory and this thread's byte range of hidden units. */
interface Start {
  memory: WebAssembly.Memory;
  h0: number;
  h1: number;
}

self.onmessage = (event: MessageEvent<Start>) => {
  const { memory, h0, h1 } = event.data;
  const kernels = new WebAssembly.Instance(kernelModule(), { env: { memory } })
    .exports as unknown as Kernels;
  // the handshake sits in the fixed region, so this view outlives any growth of the memory
  const control = new Int32Array(memory.buffer, CONTROL_AT, 3);
  const params = 0;
  self.postMessage("ready");
  let seen = 0;
  for (;;) {
    Atomics.wait(control, 0, seen);
    seen = Atomics.load(control, 0);
    const command = Atomics.load(control, 1);
    if (command === COMMAND.exit) break;
    if (command === COMMAND.forward) kernels.forward(params, h0, h1, 1);
    else kernels.backward(params, h0, h1);
    Atomics.store(control, 2, seen);
    Atomics.notify(control, 2);
  }
  self.close();
};
