import assert from "node:assert/strict";
import { join } from "node:path";
import { decodeNpy, encodeNpy, readNpy, writeNpy } from "./npy.ts";

const MAGIC = [0x93, ...new TextEncoder().encode("NUMPY")];

function headerOf(bytes: Uint8Array): { length: number; text: string } {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true);
  return { length, text: new TextDecoder().decode(bytes.subarray(10, 10 + length)) };
}

Deno.test("encodeNpy() writes a NumPy 1.0 header padded to a multiple of 64 bytes", () => {
  for (const shape of [[3], [2, 3], [1, 1000], [0], [7, 1]]) {
    const size = shape.reduce((a, b) => a * b, 1);
    const bytes = encodeNpy(new Float32Array(size), shape);
    assert.deepEqual([...bytes.subarray(0, 6)], MAGIC);
    assert.deepEqual([...bytes.subarray(6, 8)], [1, 0]);
    const { length, text } = headerOf(bytes);
    assert.equal((10 + length) % 64, 0, `header of ${shape} is ${10 + length} bytes`);
    assert.ok(text.endsWith("\n"));
    assert.equal(bytes.length, 10 + length + size * 4);
  }
});

Deno.test("encodeNpy() writes the dict NumPy writes for 1-D and 2-D shapes", () => {
  assert.equal(
    headerOf(encodeNpy(new Float32Array(3), [3])).text.trimEnd(),
    "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
  );
  assert.equal(
    headerOf(encodeNpy(new Int32Array(6), [2, 3])).text.trimEnd(),
    "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }",
  );
});

Deno.test("decodeNpy() round-trips float32 and int32 arrays of 1-D and 2-D shape", () => {
  const floats = Float32Array.from([0, -1.5, 3.25, 1e-7, -0, Infinity, 42, 0.1]);
  const ints = Int32Array.from([0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 7]);
  const cases: [Float32Array | Int32Array, number[], string][] = [
    [floats, [8], "<f4"],
    [floats, [2, 4], "<f4"],
    [ints, [6], "<i4"],
    [ints, [3, 2], "<i4"],
    [new Float32Array(0), [0, 5], "<f4"],
  ];
  for (const [data, shape, dtype] of cases) {
    const decoded = decodeNpy(encodeNpy(data, shape));
    assert.deepEqual(decoded, { data, shape, dtype });
  }
});

Deno.test("encodeNpy() writes only the viewed part of a subarray", () => {
  const whole = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const decoded = decodeNpy(encodeNpy(whole.subarray(2, 5), [3]));
  assert.deepEqual([...decoded.data], [3, 4, 5]);
});

Deno.test("decodeNpy() reads a buffer that starts at an unaligned offset", () => {
  const bytes = encodeNpy(Float32Array.from([1, 2, 3]), [3]);
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes, 1);
  assert.deepEqual([...decodeNpy(padded.subarray(1)).data], [1, 2, 3]);
});

Deno.test("encodeNpy() throws TypeError when shape and data length disagree", () => {
  assert.throws(() => encodeNpy(new Float32Array(5), [2, 3]), {
    name: "TypeError",
    message: "Cannot encode npy: shape [2, 3] holds 6 values, data has 5",
  });
});

Deno.test("decodeNpy() throws SyntaxError for a missing magic string", () => {
  const message = "Cannot decode npy: missing the \\x93NUMPY magic string";
  assert.throws(() => decodeNpy(new TextEncoder().encode("not an npy file at all")), {
    name: "SyntaxError",
    message,
  });
  assert.throws(() => decodeNpy(new Uint8Array([0x93, 0x4e])), { name: "SyntaxError", message });
});

function withHeader(header: string, body: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(header + "\n");
  const out = new Uint8Array(10 + text.length + body.length);
  out.set(MAGIC);
  out.set([1, 0], 6);
  new DataView(out.buffer).setUint16(8, text.length, true);
  out.set(text, 10);
  out.set(body, 10 + text.length);
  return out;
}

Deno.test("decodeNpy() throws SyntaxError for Fortran order or another dtype", () => {
  for (
    const header of [
      "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }",
      "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }",
    ]
  ) {
    assert.throws(() => decodeNpy(withHeader(header, new Uint8Array(8))), {
      name: "SyntaxError",
      message: `Cannot decode npy: only C-order <f4/<i4 arrays are supported, header is ${header}`,
    });
  }
});

Deno.test("decodeNpy() throws SyntaxError when the body has the wrong byte count", () => {
  const bytes = encodeNpy(new Float32Array(6), [2, 3]);
  assert.throws(() => decodeNpy(bytes.subarray(0, bytes.length - 4)), {
    name: "SyntaxError",
    message: "Cannot decode npy: shape [2, 3] needs 24 bytes, found 20",
  });
  const longer = new Uint8Array(bytes.length + 3);
  longer.set(bytes);
  assert.throws(() => decodeNpy(longer), {
    name: "SyntaxError",
    message: "Cannot decode npy: shape [2, 3] needs 24 bytes, found 27",
  });
});

Deno.test("decodeNpy() reads version 2.0 files (4-byte header length)", () => {
  const header = new TextEncoder().encode(
    "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }".padEnd(51) + "\n",
  );
  const out = new Uint8Array(12 + header.length + 8);
  out.set(MAGIC);
  out.set([2, 0], 6);
  const view = new DataView(out.buffer);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  view.setInt32(12 + header.length, 5, true);
  view.setInt32(12 + header.length + 4, -6, true);
  assert.deepEqual(decodeNpy(out), { data: Int32Array.from([5, -6]), shape: [2], dtype: "<i4" });
});

Deno.test("writeNpy() then readNpy() returns the same array and leaves no temp files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qac-npy-" });
  try {
    const path = join(dir, "sub", "vectors.npy");
    const data = Float32Array.from({ length: 12 }, (_, i) => i / 3);
    await writeNpy(path, data, [4, 3]);
    assert.deepEqual(await readNpy(path), { data, shape: [4, 3], dtype: "<f4" });
    assert.deepEqual([...Deno.readDirSync(join(dir, "sub"))].map((e) => e.name), ["vectors.npy"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function numpyPython(): Promise<string | undefined> {
  const python = "/usr/bin/python3";
  try {
    const { success } = await new Deno.Command(python, {
      args: ["-c", "import numpy"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success ? python : undefined;
  } catch {
    return undefined;
  }
}

Deno.test("files written by writeNpy() load in NumPy with the same values, and back", async () => {
  const python = await numpyPython();
  if (!python) {
    console.log("skipped: /usr/bin/python3 with numpy is not available");
    return;
  }
  const dir = await Deno.makeTempDir({ prefix: "qac-npy-" });
  try {
    const floats = Float32Array.from([0.5, -2, 3.25, 1e-7, 1e30, -0.1]);
    const ints = Int32Array.from([0, 1, 2, -(2 ** 31), 2 ** 31 - 1]);
    await writeNpy(join(dir, "x.npy"), floats, [2, 3]);
    await writeNpy(join(dir, "y.npy"), ints, [5]);
    const script = `
import json, sys, numpy as np
d = sys.argv[1]
x = np.load(d + "/x.npy"); y = np.load(d + "/y.npy")
print(json.dumps({"x": [str(x.dtype), list(x.shape), x.ravel().tolist()],
                  "y": [str(y.dtype), list(y.shape), y.tolist()]}))
np.save(d + "/z.npy", (np.arange(6, dtype=np.float32) / 4).reshape(3, 2))
np.save(d + "/w.npy", np.array([-3, 9], dtype=np.int32))
`;
    const { success, stdout, stderr } = await new Deno.Command(python, {
      args: ["-c", script, dir],
    }).output();
    assert.ok(success, new TextDecoder().decode(stderr));
    const loaded = JSON.parse(new TextDecoder().decode(stdout));
    assert.deepEqual(loaded.x, ["float32", [2, 3], [...floats]]);
    assert.deepEqual(loaded.y, ["int32", [5], [...ints]]);
    assert.deepEqual(await readNpy(join(dir, "z.npy")), {
      data: Float32Array.from([0, 0.25, 0.5, 0.75, 1, 1.25]),
      shape: [3, 2],
      dtype: "<f4",
    });
    assert.deepEqual(await readNpy(join(dir, "w.npy")), {
      data: Int32Array.from([-3, 9]),
      shape: [2],
      dtype: "<i4",
    });
    // byte for byte what np.save writes
    const z = await readNpy(join(dir, "z.npy"));
    assert.deepEqual(encodeNpy(z.data, z.shape), await Deno.readFile(join(dir, "z.npy")));
    assert.deepEqual(
      encodeNpy(Int32Array.from([-3, 9]), [2]),
      await Deno.readFile(join(dir, "w.npy")),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
