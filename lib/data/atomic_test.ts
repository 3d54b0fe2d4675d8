import assert from "node:assert/strict";
import { join } from "node:path";
import { appendFileAtomic, explainWriteError, makeFolder, writeFileAtomic } from "./atomic.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "qac-atomic-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function list(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("writeFileAtomic() creates missing folders and writes text and bytes", async () => {
  await withTempDir(async (dir) => {
    const textPath = join(dir, "a", "b", "c.txt");
    await writeFileAtomic(textPath, "héllo 🎉\n");
    assert.equal(await Deno.readTextFile(textPath), "héllo 🎉\n");
    const bytesPath = join(dir, "a", "bytes.bin");
    await writeFileAtomic(bytesPath, new Uint8Array([0, 1, 255]));
    assert.deepEqual(await Deno.readFile(bytesPath), new Uint8Array([0, 1, 255]));
  });
});

Deno.test("writeFileAtomic() replaces existing content and leaves no temp files", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "data.csv");
    await writeFileAtomic(path, "a much longer first version\n");
    await writeFileAtomic(path, "short\n");
    assert.equal(await Deno.readTextFile(path), "short\n");
    assert.deepEqual(await list(dir), ["data.csv"]);
  });
});

Deno.test("writeFileAtomic() rejects when the parent path is a file and changes nothing", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "file");
    await Deno.writeTextFile(file, "keep me");
    await assert.rejects(() => writeFileAtomic(join(file, "child.txt"), "x"));
    assert.equal(await Deno.readTextFile(file), "keep me");
    assert.deepEqual(await list(dir), ["file"]);
  });
});

Deno.test("writeFileAtomic() leaves a non-empty folder at the target intact and removes its temp file", async () => {
  await withTempDir(async (dir) => {
    // A non-empty folder cannot be replaced by a file, so the final rename fails.
    const target = join(dir, "target");
    await Deno.mkdir(target);
    await Deno.writeTextFile(join(target, "inside.txt"), "old");
    await assert.rejects(() => writeFileAtomic(target, "new"), {
      name: "TypeError",
      message: `Cannot write "${target}": it is a folder, not a file`,
    });
    assert.equal(await Deno.readTextFile(join(target, "inside.txt")), "old");
    assert.deepEqual(await list(dir), ["target"]);
  });
});

Deno.test("writeFileAtomic() keeps the old file and no temp file when the final rename fails", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "model.json");
    await writeFileAtomic(path, "old");
    const rename = Deno.rename;
    Deno.rename = () => Promise.reject(new Error("disk full"));
    try {
      await assert.rejects(() => writeFileAtomic(path, "new"), { message: "disk full" });
    } finally {
      Deno.rename = rename;
    }
    assert.equal(await Deno.readTextFile(path), "old");
    assert.deepEqual(await list(dir), ["model.json"]);
  });
});

Deno.test("writeFileAtomic() flushes the temp file to disk before renaming it", async () => {
  await withTempDir(async (dir) => {
    const events: string[] = [];
    const sync = Deno.FsFile.prototype.sync;
    const rename = Deno.rename;
    Deno.FsFile.prototype.sync = function (this: Deno.FsFile) {
      events.push("sync");
      return sync.call(this);
    };
    Deno.rename = (from, to) => {
      events.push("rename");
      return rename(from, to);
    };
    try {
      await writeFileAtomic(join(dir, "a.csv"), "x,y\n");
    } finally {
      Deno.FsFile.prototype.sync = sync;
      Deno.rename = rename;
    }
    assert.deepEqual(events, ["sync", "rename"]);
    assert.equal(await Deno.readTextFile(join(dir, "a.csv")), "x,y\n");
  });
});

Deno.test("appendFileAtomic() creates a missing file, then appends", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "sub", "log.csv");
    await appendFileAtomic(path, "a\n");
    await appendFileAtomic(path, "b\n");
    assert.equal(await Deno.readTextFile(path), "a\nb\n");
    assert.deepEqual(await list(join(dir, "sub")), ["log.csv"]);
  });
});

Deno.test("writeFileAtomic() into a path through a file says so in one line, not os error 17/20", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "notes.txt");
    await Deno.writeTextFile(file, "keep me\n");
    await assert.rejects(() => writeFileAtomic(join(file, "metrics.json"), "{}"), {
      name: "TypeError",
      message:
        `Cannot write into "${file}": it is a file, not a folder; name a folder that is not a file (or remove the file)`,
    });
    await assert.rejects(() => makeFolder(join(file, "a", "b")), {
      name: "TypeError",
      message: `Cannot write into "${
        join(file, "a", "b")
      }": a part of that path is a file, not a folder; name a folder that is not a file (or remove the file)`,
    });
    assert.equal(await Deno.readTextFile(file), "keep me\n");
    assert.deepEqual(await list(dir), ["notes.txt"]);
  });
});

Deno.test("explainWriteError() says what to do about a read-only, forbidden or full disk, and passes the rest", () => {
  const system = (code: string, message: string) => Object.assign(new Error(message), { code });
  // the system's own messages name the temp file: "open 'out.csv.1a2b3c4d.tmp'"
  const cases: [string, string][] = [
    ["EROFS", "its folder is on a read-only file system; choose another place"],
    ["EACCES", 'there is no permission to write in "data"; choose another place or allow it'],
    ["ENOSPC", "the disk is full (or the quota used up); free some space and run it again"],
  ];
  for (const [code, state] of cases) {
    const error = explainWriteError(
      system(code, `${code} (os error): open 'x.tmp'`),
      "data/out.csv",
    );
    assert.deepEqual(error, new Error(`Cannot write "data/out.csv": ${state}`));
  }
  const other = system("EIO", "Input/output error (os error 5)");
  assert.equal(explainWriteError(other, "data/out.csv"), other);
});

Deno.test({
  name: "writeFileAtomic() into a folder it may not write names the file and the folder",
  // root may write anywhere: the folder's mode cannot stop it
  ignore: Deno.uid() === 0,
  fn: async () => {
    await withTempDir(async (dir) => {
      const locked = join(dir, "locked");
      await Deno.mkdir(locked, { mode: 0o555 });
      try {
        await assert.rejects(() => writeFileAtomic(join(locked, "a.csv"), "x"), {
          message: `Cannot write "${
            join(locked, "a.csv")
          }": there is no permission to write in "${locked}"; choose another place or allow it`,
        });
      } finally {
        await Deno.chmod(locked, 0o755);
      }
    });
  },
});
