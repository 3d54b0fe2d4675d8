/**
 * Adam for the training loop.
 *
 * On the wasm backend the update runs as one fused WebAssembly SIMD loop over tfjs' own heap,
 * in place: written as tfjs ops the same update is a dozen separate passes over every parameter
 * (with `sqrt` on a scalar path) and cost as much as the forward and backward passes together —
 * about 12 ms per step for the 1M parameters of a 1024→1024→3 model. Other backends, and the
 * tests' reference, use the tfjs-op form.
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { F32, I32, simd, singleFunctionModule, V128 } from "./_wasm.ts";

/** Adam's constants. */
export interface AdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** One parameter with its first and second moment estimates (same shape). */
export interface AdamSlot {
  param: tf.Tensor;
  m: tf.Tensor;
  v: tf.Tensor;
}

/** How {@linkcode adamStep} computes: the fused wasm loop when available, or tfjs ops. */
export type AdamKernel = "auto" | "ops";

/**
 * One Adam step (`step` counts from 1) of every slot with its gradient, bias correction folded
 * into the step size as Keras does. Returns the updated slots: the same tensors updated in place
 * on the fused path, new tensors (the old ones disposed) on the ops path. Does not dispose grads.
 */
export function adamStep(
  slots: readonly AdamSlot[],
  grads: readonly tf.Tensor[],
  step: number,
  config: AdamConfig,
  kernel: AdamKernel = "auto",
): AdamSlot[] {
  const { beta1, beta2 } = config;
  const stepSize = config.learningRate * Math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step);
  const fused = kernel === "auto" ? fusedAdam() : undefined;
  return slots.map((slot, i) => {
    const g = grads[i]!;
    if (fused) {
      fused(slot, g, stepSize, config);
      return slot;
    }
    return updateWithOps(slot, g, stepSize, config);
  });
}

function updateWithOps(slot: AdamSlot, g: tf.Tensor, stepSize: number, config: AdamConfig) {
  const { beta1, beta2, epsilon } = config;
  const next = tf.tidy(() => {
    const m = tf.add(tf.mul(slot.m, beta1), tf.mul(g, 1 - beta1));
    const v = tf.add(tf.mul(slot.v, beta2), tf.mul(tf.square(g), 1 - beta2));
    const update = tf.div(tf.mul(m, stepSize), tf.add(tf.sqrt(v), epsilon));
    return { param: tf.sub(slot.param, update), m, v };
  });
  tf.dispose([slot.param, slot.m, slot.v]);
  return next;
}

type FusedAdam = (slot: AdamSlot, g: tf.Tensor, stepSize: number, config: AdamConfig) => void;

/** The parts of tfjs-backend-wasm's backend object this module relies on. */
interface WasmBackendInternals {
  wasm: { asm?: { memory?: WebAssembly.Memory }; HEAPF32: Float32Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

let cached: { backend: unknown; fused: FusedAdam | undefined } | undefined;

/** The fused update bound to the active wasm backend's memory, or undefined elsewhere. */
function fusedAdam(): FusedAdam | undefined {
  const backend = tf.backend();
  if (cached?.backend === backend) return cached.fused;
  cached = { backend, fused: undefined };
  if (tf.getBackend() !== "wasm") return undefined;
  const internals = backend as unknown as WasmBackendInternals;
  const memory = internals.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory) || !internals.dataIdMap?.get) return undefined;
  let kernel: (...args: number[]) => void;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(ADAM_WASM), {
      env: { memory },
    });
    kernel = instance.exports.adam as typeof kernel;
  } catch {
    return undefined; // no SIMD support: the ops path still works
  }
  const offset = (tensor: tf.Tensor) => {
    const entry = internals.dataIdMap.get(tensor.dataId);
    if (!entry || tensor.dtype !== "float32") {
      throw new TypeError(`Cannot run Adam: tensor ${tensor.id} is not a float32 wasm tensor`);
    }
    return entry.memoryOffset;
  };
  cached.fused = (slot, g, stepSize, { beta1, beta2, epsilon }) => {
    const n = g.size;
    const [w, m, v, grad] = [slot.param, slot.m, slot.v, g].map(offset) as [
      number,
      number,
      number,
      number,
    ];
    const body = n - (n % 4);
    kernel(w, m, v, grad, body * 4, stepSize, beta1, 1 - beta1, beta2, 1 - beta2, epsilon);
    // The last n % 4 values, in JS (the heap view is taken after the call: memory may grow).
    const heap = new Float32Array(memory.buffer);
    for (let i = body; i < n; i++) {
      const [wi, mi, vi, gi] = [w / 4 + i, m / 4 + i, v / 4 + i, grad / 4 + i];
      heap[mi] = beta1 * heap[mi]! + (1 - beta1) * heap[gi]!;
      heap[vi] = beta2 * heap[vi]! + (1 - beta2) * heap[gi]! * heap[gi]!;
      heap[wi] = heap[wi]! - stepSize * heap[mi]! / (Math.sqrt(heap[vi]!) + epsilon);
    }
  };
  return cached.fused;
}

/**
 * The fused kernel as a WebAssembly module, assembled here so its source stays readable:
 *
 * ```wat
 * (import "env" "memory" (memory 1))
 * (func (export "adam") (param $w i32) (param $m i32) (param $v i32) (param $g i32)
 *       (param $bytes i32) (param $s f32) (param $b1 f32) (param $c1 f32) (param $b2 f32)
 *       (param $c2 f32) (param $eps f32)
 *   ;; for i in 0..bytes step 16, four floats at a time:
 *   ;;   m = b1·m + c1·g;  v = b2·v + c2·g²;  w = w − s·m / (√v + eps)
 * )
 * ```
 */
const ADAM_WASM = (() => {
  const PARAMS = [I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32];
  const get = (index: number) => [0x20, index];
  const set = (index: number) => [0x21, index];
  const MEMARG = [4, 0]; // align 2^4, offset 0
  const load = (pointer: number) => [...get(pointer), ...get(I), 0x6a, ...simd(0x00, ...MEMARG)];
  const [SPLAT, SQRT, ADD, SUB, MUL, DIV, STORE] = [0x13, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0x0b];
  // params 0..10 as in the wat above; locals: 11 = i, 12..17 = splats, 18..20 = g, m, v
  const [W, M, V, G, BYTES, S, B1, C1, B2, C2, EPS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const I = 11;
  const [SB1, SC1, SB2, SC2, SS, SEPS, VG, VM, VV] = [12, 13, 14, 15, 16, 17, 18, 19, 20];
  const splats = [[B1, SB1], [C1, SC1], [B2, SB2], [C2, SC2], [S, SS], [EPS, SEPS]]
    .flatMap(([from, to]) => [...get(from!), ...simd(SPLAT), ...set(to!)]);
  const address = (pointer: number) => [...get(pointer), ...get(I), I32_ADD];
  const [BLOCK, LOOP, VOID, I32_ADD, I32_GE_U, I32_CONST, BR, BR_IF, END] = [
    0x02,
    0x03,
    0x40,
    0x6a,
    0x4f,
    0x41,
    0x0c,
    0x0d,
    0x0b,
  ];
  const loop = [
    [BLOCK, VOID, LOOP, VOID],
    [...get(I), ...get(BYTES), I32_GE_U, BR_IF, 1], // if i >= bytes: break
    [...load(G), ...set(VG)],
    // m = b1·m + c1·g
    [...address(M), ...load(M), ...get(SB1), ...simd(MUL), ...get(VG), ...get(SC1), ...simd(MUL)],
    [...simd(ADD), ...set(VM), ...get(VM), ...simd(STORE, ...MEMARG)],
    // v = b2·v + c2·g²
    [...address(V), ...load(V), ...get(SB2), ...simd(MUL), ...get(VG), ...get(VG), ...simd(MUL)],
    [...get(SC2), ...simd(MUL), ...simd(ADD), ...set(VV), ...get(VV), ...simd(STORE, ...MEMARG)],
    // w = w − s·m / (√v + eps)
    [...address(W), ...load(W), ...get(VM), ...get(SS), ...simd(MUL), ...get(VV), ...simd(SQRT)],
    [...get(SEPS), ...simd(ADD), ...simd(DIV), ...simd(SUB), ...simd(STORE, ...MEMARG)],
    [...get(I), I32_CONST, 16, I32_ADD, ...set(I)], // i += 16
    [BR, 0, END, END], // next iteration; end loop; end block
  ].flat();
  return singleFunctionModule({
    name: "adam",
    params: PARAMS,
    locals: [[1, I32], [9, V128]],
    body: [...splats, ...loop],
  });
})();
