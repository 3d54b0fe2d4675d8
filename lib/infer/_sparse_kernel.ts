/**
 * The WebAssembly SIMD kernel of the sparse fast path, assembled here from a readable listing so
 * there is no build step. Private to lib/model; `sparse.ts` lays out the memory and calls it.
 * @module
 */

import { I32, simd, singleFunctionModule, sleb128, uleb128, V128 } from "./_wasm.ts";

/** Hidden units per cache block: eight f32x4 accumulators, which stay in registers. */
export const BLOCK_UNITS = 32;

/**
 * `mlp(rows, n, b1, w2t, stride, classes, partial, panel)` over one memory (addresses in bytes).
 * W1 is stored as panels of 32 hidden units: panel p holds units 32p … 32p+31 of every input row,
 * 128 bytes per row, `panel` bytes in all. Features are pairs (row offset in a panel i32, value
 * f32); `rows[m]` … `rows[m+1]` delimit message m's features.
 *
 * ```text
 * for blk in 0, 128, … < stride; base in 0, panel, …:   // 32 hidden units at a time
 *   for m in 0 … n-1:                                    // every message of the batch
 *     a[0..8) = b1[blk ..]                               // 8 × f32x4, kept in registers
 *     for k in rows[m] … rows[m+1] step 8:
 *       a[j] += splat(f32 @ k+4) · w1[base + (i32 @ k) + 16j ..]
 *     a[j] = max(a[j], 0)                                // relu
 *     for c in 0 … classes-1:
 *       partial[m][c] += Σ_j a[j] · w2t[c][blk + 16j ..]   // f32x4 partial sums; lanes added in JS
 * ```
 *
 * The whole W1 (4 MB at 1024 × 1024) does not fit in L2, one panel (128 KB) does, so the
 * batch runs panel by panel. Panels, not a row-major W1 read 128 bytes a row: rows 4 KB apart
 * all fall into the same few cache sets, and the slice would not stay cached.
 */
export const SPARSE_MLP_WASM: Uint8Array<ArrayBuffer> = (() => {
  const leb = uleb128;
  const sleb = sleb128;
  const get = (index: number) => [0x20, index];
  const set = (index: number) => [0x21, index];
  const tee = (index: number) => [0x22, index];
  const i32 = (value: number) => [0x41, ...sleb(value)];
  const [I32_ADD, I32_MUL, I32_SHL, I32_GE_U] = [0x6a, 0x6c, 0x74, 0x4f];
  const i32Load = (offset: number) => [0x28, 2, ...leb(offset)];
  const f32Load = (offset: number) => [0x2a, 2, ...leb(offset)];
  const vLoad = (offset: number) => simd(0x00, 4, ...leb(offset));
  const vStore = (offset: number) => simd(0x0b, 4, ...leb(offset));
  const [SPLAT, ADD, MUL, MAX] = [0x13, 0xe4, 0xe6, 0xe9].map((op) => simd(op)) as [
    number[],
    number[],
    number[],
    number[],
  ];
  const [BLOCK, LOOP, VOID, BR, BR_IF, END] = [0x02, 0x03, 0x40, 0x0c, 0x0d, 0x0b];
  /** `block loop (if cond: break) body (continue) end end` */
  const whileLoop = (condition: number[], body: number[]) => [
    BLOCK,
    VOID,
    LOOP,
    VOID,
    ...condition,
    BR_IF,
    1,
    ...body,
    BR,
    0,
    END,
    END,
  ];
  const increment = (local: number, by: number[]) => [...get(local), ...by, I32_ADD, ...set(local)];

  // params
  const [ROWS, N, B1, W2T, STRIDE, CLASSES, PARTIAL, PANEL] = [0, 1, 2, 3, 4, 5, 6, 7];
  // i32 locals
  const [BLK, M, K, END_K, OFF, C, P, WC, ROW, BASE] = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  // v128 locals: accumulators A0..A7, the splatted value, a partial sum, zero (never written)
  const A = [18, 19, 20, 21, 22, 23, 24, 25];
  const [VS, S, ZERO] = [26, 27, 28];
  const eachA = (f: (a: number, j: number) => number[]) => A.flatMap((a, j) => f(a, j));

  const features = whileLoop([...get(K), ...get(END_K), I32_GE_U], [
    ...get(K),
    ...i32Load(0),
    ...get(BASE),
    I32_ADD,
    ...set(OFF),
    ...get(K),
    ...f32Load(4),
    ...SPLAT,
    ...set(VS),
    ...eachA((a, j) => [
      ...get(a),
      ...get(VS),
      ...get(OFF),
      ...vLoad(16 * j),
      ...MUL,
      ...ADD,
      ...set(a),
    ]),
    ...increment(K, i32(8)),
  ]);
  const classes = whileLoop([...get(C), ...get(CLASSES), I32_GE_U], [
    ...get(P),
    ...get(P),
    ...vLoad(0),
    ...set(S),
    ...eachA((
      a,
      j,
    ) => [...get(S), ...get(a), ...get(WC), ...vLoad(16 * j), ...MUL, ...ADD, ...set(S)]),
    ...get(S),
    ...vStore(0),
    ...increment(P, i32(16)),
    ...increment(WC, get(STRIDE)),
    ...increment(C, i32(1)),
  ]);
  const messages = whileLoop([...get(M), ...get(N), I32_GE_U], [
    ...get(B1),
    ...get(BLK),
    I32_ADD,
    ...set(OFF),
    ...eachA((a, j) => [...get(OFF), ...vLoad(16 * j), ...set(a)]),
    ...get(ROWS),
    ...get(M),
    ...i32(2),
    I32_SHL,
    I32_ADD,
    ...tee(ROW),
    ...i32Load(0),
    ...set(K),
    ...get(ROW),
    ...i32Load(4),
    ...set(END_K),
    ...features,
    ...eachA((a) => [...get(a), ...get(ZERO), ...MAX, ...set(a)]),
    ...get(PARTIAL),
    ...get(M),
    ...get(CLASSES),
    I32_MUL,
    ...i32(4),
    I32_SHL,
    I32_ADD,
    ...set(P),
    ...get(W2T),
    ...get(BLK),
    I32_ADD,
    ...set(WC),
    ...i32(0),
    ...set(C),
    ...classes,
    ...increment(M, i32(1)),
  ]);
  const blocks = whileLoop([...get(BLK), ...get(STRIDE), I32_GE_U], [
    ...i32(0),
    ...set(M),
    ...messages,
    ...increment(BLK, i32(BLOCK_UNITS * 4)),
    ...increment(BASE, get(PANEL)),
  ]);

  return singleFunctionModule({
    name: "mlp",
    params: Array.from({ length: 8 }, () => I32),
    locals: [[10, I32], [11, V128]],
    body: blocks,
  });
})();
