/**
 * NumPy `.npy` (format version 1.0) encoding, so vectors written here load with `np.load`.
 * @module
 */

import { writeFileAtomic } from "../data/atomic.ts";

/** Typed arrays that {@linkcode encodeNpy} can write. */
export type NpyData = Float32Array | Int32Array;

/** A decoded `.npy` array. */
export interface NpyArray {
  /** The elements in C order. */
  data: NpyData;
  /** Size of each axis. */
  shape: number[];
  /** NumPy dtype: little-endian float32 or int32. */
  dtype: "<f4" | "<i4";
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Encodes a C-order array as `.npy` bytes (little-endian). */
export function encodeNpy(data: NpyData, shape: readonly number[]): Uint8Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) {
    throw new TypeError(
      `Cannot encode npy: shape [${
        shape.join(", ")
      }] holds ${size} values, data has ${data.length}`,
    );
  }
  const dtype = data instanceof Float32Array ? "<f4" : "<i4";
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // magic(6) + version(2) + header length(2) + header + "\n" must be a multiple of 64
  const unpadded = 10 + header.length + 1;
  header += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + headerBytes.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerBytes.length, true);
  out.set(headerBytes, 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + headerBytes.length);
  return out;
}

/**
 * Decodes `.npy` bytes written by {@linkcode encodeNpy} or by NumPy (`<f4` / `<i4`, C order).
 * @throws {SyntaxError} for anything else, saying what was found.
 */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new SyntaxError("Cannot decode npy: missing the \\x93NUMPY magic string");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if ((descr !== "<f4" && descr !== "<i4") || fortran !== "False" || shapeText === undefined) {
    throw new SyntaxError(
      `Cannot decode npy: only C-order <f4/<i4 arrays are supported, header is ${header.trim()}`,
    );
  }
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  const body = bytes.slice(start + headerLength); // copy: aligned, owns its buffer
  const size = shape.reduce((a, b) => a * b, 1);
  if (body.byteLength !== size * 4) {
    throw new SyntaxError(
      `Cannot decode npy: shape [${shape.join(", ")}] needs ${
        size * 4
      } bytes, found ${body.byteLength}`,
    );
  }
  const data = descr === "<f4" ? new Float32Array(body.buffer) : new Int32Array(body.buffer);
  return { data, shape, dtype: descr };
}

/** Writes an array to `path` as `.npy`, atomically. */
export async function writeNpy(
  path: string,
  data: NpyData,
  shape: readonly number[],
): Promise<void> {
  await writeFileAtomic(path, encodeNpy(data, shape));
}

/** Reads a `.npy` file. */
export async function readNpy(path: string): Promise<NpyArray> {
  return decodeNpy(await Deno.readFile(path));
}
