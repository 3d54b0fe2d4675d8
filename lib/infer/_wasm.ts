/**
 * The few bytes of the WebAssembly binary format that the hand-assembled kernels (`_adam.ts`,
 * `_sparse_kernel.ts`) need: LEB128 numbers, vectors, SIMD opcodes, and a module holding one
 * exported function over an imported memory. Private to lib/model.
 * @module
 */

/** Unsigned LEB128 encoding of a non-negative integer. */
export function uleb128(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Signed LEB128, as `i32.const` immediates want it (values 64..127 need two bytes). */
export function sleb128(value: number): number[] {
  const out: number[] = [];
  while (true) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** A length-prefixed vector of already encoded items. */
export function wasmVector(items: readonly number[][]): number[] {
  return [...uleb128(items.length), ...items.flat()];
}

/** A SIMD instruction (0xfd prefix) with its immediates. */
export function simd(op: number, ...immediates: number[]): number[] {
  return [0xfd, ...uleb128(op), ...immediates];
}

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

/** What {@linkcode singleFunctionModule} assembles. */
export interface SingleFunctionModule {
  /** Export name of the function. */
  name: string;
  /** Parameter types; the function returns nothing. */
  params: readonly number[];
  /** Local declarations as `[count, type]`. */
  locals: readonly [number, number][];
  /** Instructions, without the final `end`. */
  body: readonly number[];
}

/** A module importing `env.memory` (at least one page) and exporting one function. */
export function singleFunctionModule(spec: SingleFunctionModule): Uint8Array<ArrayBuffer> {
  const name = (text: string) => {
    const bytes = [...new TextEncoder().encode(text)];
    return [...uleb128(bytes.length), ...bytes];
  };
  const section = (id: number, content: number[]) => [id, ...uleb128(content.length), ...content];
  const code = [...wasmVector(spec.locals.map(([n, type]) => [n, type])), ...spec.body, 0x0b];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, wasmVector([[0x60, ...wasmVector(spec.params.map((type) => [type])), 0]])),
    ...section(2, wasmVector([[...name("env"), ...name("memory"), 0x02, 0x00, 1]])),
    ...section(3, wasmVector([[0]])),
    ...section(7, wasmVector([[...name(spec.name), 0x00, 0]])), // export function 0
    ...section(10, wasmVector([[...uleb128(code.length), ...code]])),
  ]);
}
