/**
 * The trainer's second thread: runs its parts of each step's hidden units (every part but the
 * first) when the main thread starts a run (an Atomics handshake; see `runParts` in
 * `_trainer.ts`). Its parameters live in a memory of its own, not shared (V8 compiles a shared
 * memory's loads and stores slower); before each run it copies in the byte ranges the main thread
 * listed in the shared memory (the step's tables), and after one it copies out what the main
 * thread reads (output-layer sums, exported parameters).
 * Private to lib/model.
 * @module
 */

import {
  catchUpRows,
  COMMAND,
  CONTROL_AT,
  HANDSHAKE,
  kernelModule,
  type Kernels,
  LIST,
  LIST_AT,
  partialRanges,
  partRanges,
  runParts,
} from "./_trainer.ts";

/**
 * What the trainer posts once: the shared memory, holding a copy of what this thread reads of
 * the trainer's memory (`bytes` long) at byte ranges `ranges` (address, length), and the parts.
 */
interface Start {
  shared: WebAssembly.Memory;
  bytes: number;
  ranges: number[];
  params: number;
  partBytes: number;
  parts: number;
  rowBytes: number;
}

const PAGE = 65536;

self.onmessage = (event: MessageEvent<Start>) => {
  const { shared, bytes, ranges, params, partBytes, parts, rowBytes } = event.data;
  const memory = new WebAssembly.Memory({ initial: bytes / PAGE, maximum: 65536 });
  const start = new Uint8Array(memory.buffer);
  for (let r = 0; r < ranges.length; r += 2) {
    const at = ranges[r]!;
    start.set(new Uint8Array(shared.buffer, at, ranges[r + 1]!), at);
  }
  const kernels = new WebAssembly.Instance(kernelModule(), { env: { memory } })
    .exports as unknown as Kernels;
  // the handshake sits in the fixed region, so this view outlives any growth of the memory
  const control = new Int32Array(shared.buffer, params + CONTROL_AT, 4);
  const execute = (command: number, part: number) => {
    const h0 = part * partBytes;
    const h1 = Math.min(rowBytes, h0 + partBytes);
    const from = new Uint8Array(shared.buffer);
    const list = new Int32Array(shared.buffer, params + LIST_AT);
    const size = list[LIST.bytes]!;
    if (memory.buffer.byteLength < size) memory.grow((size - memory.buffer.byteLength) / PAGE);
    const own = new Uint8Array(memory.buffer);
    for (let r = 0; r < list[LIST.ranges]!; r++) {
      const at = list[LIST.first + 2 * r]!;
      own.set(from.subarray(at, at + list[LIST.first + 2 * r + 1]!), at);
    }
    const i32 = new Int32Array(memory.buffer);
    const out = (at: number, length: number) => from.set(own.subarray(at, at + length), at);
    if (command === COMMAND.forward) {
      kernels.forward(params, h0, h1, part);
      partialRanges(i32, params, part, out);
    } else if (command === COMMAND.flush) kernels.flush(params, h0, h1);
    else if (command === COMMAND.catchUp) {
      const count = list[LIST.recordCount]!;
      const records = new Int32Array(shared.buffer, list[LIST.records]!, count * 8);
      catchUpRows(kernels, i32, new Float32Array(memory.buffer), params, records, count, h0, h1);
    } else if (command === COMMAND.export) {
      partRanges(i32, params, list[LIST.inputs]!, h0, h1, list[LIST.full] === 1, out);
    }
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
