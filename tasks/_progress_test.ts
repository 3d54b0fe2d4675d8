import assert from "node:assert/strict";
import { formatProgress, progressBar, type ProgressStream } from "./_progress.ts";

function fakeStream(terminal: boolean): ProgressStream & { text(): string; writes: number } {
  const chunks: Uint8Array[] = [];
  return {
    isTerminal: () => terminal,
    writeSync(bytes) {
      chunks.push(bytes);
      return bytes.length;
    },
    get writes() {
      return chunks.length;
    },
    text: () => chunks.map((c) => new TextDecoder().decode(c)).join(""),
  };
}

Deno.test("formatProgress() shows bar, percent, counts, rate and ETA", () => {
  assert.equal(
    formatProgress("embed", 50, 100, 2, 10),
    "embed [#####·····]  50% 50/100 25.0/s ETA 2.0s",
  );
  assert.equal(
    formatProgress("embed", 100, 100, 4, 10),
    "embed [##########] 100% 100/100 25.0/s in 4.0s",
  );
  assert.equal(formatProgress("x", 0, 0, 0, 4), "x [####] 100% 0/0 0.0/s in 0.0s");
});

Deno.test("progressBar() throttles redraws on a terminal and ends with a newline", () => {
  const stream = fakeStream(true);
  let clock = 0;
  const onProgress = progressBar("embed", 1000, { stream, now: () => clock, intervalMs: 100 });
  for (let done = 1; done <= 1000; done++) {
    clock = done; // 1 ms per row → a redraw every 100 rows at most
    onProgress(done, 1000);
  }
  assert.ok(stream.writes <= 11, `expected ≤ 11 writes, got ${stream.writes}`);
  assert.ok(stream.writes >= 2);
  const lastLine = stream.text().split("\r").at(-1)!;
  assert.ok(lastLine.startsWith("\x1b[2K"), "clears the line before drawing");
  assert.match(lastLine.slice(4), /^embed \[#+\] 100% 1000\/1000 .*\n$/);
  onProgress(1000, 1000); // after the end: nothing more
  assert.ok(stream.text().endsWith("\n"));
});

Deno.test("progressBar() writes only the final line when not a terminal", () => {
  const stream = fakeStream(false);
  let clock = 0;
  const onProgress = progressBar("embed", 10, { stream, now: () => clock });
  for (let done = 1; done <= 10; done++) {
    clock += 1000;
    onProgress(done, 10);
  }
  assert.equal(stream.writes, 1);
  assert.match(stream.text(), /^embed \[#+\] 100% 10\/10 1\.0\/s in 10s\n$/);
});

Deno.test("progressBar() starts a new bar when the callback is reused for another run", () => {
  const stream = fakeStream(false);
  const onProgress = progressBar("embed", 0, { stream, now: () => 0 });
  onProgress(3, 3);
  onProgress(3, 3);
  onProgress(1, 2);
  onProgress(2, 2);
  assert.equal(stream.writes, 2);
  assert.match(stream.text(), /3\/3 .*\n.*2\/2 .*\n$/);
});

Deno.test("progressBar() with a total not known yet (0) counts without a bar and ends once, when the total comes", () => {
  const stream = fakeStream(false);
  let clock = 0;
  const onProgress = progressBar("classify (bytes)", 0, { stream, now: () => clock });
  // as classify reading stdin calls it: bytes so far of an unknown total, then the end
  for (const done of [10, 23]) {
    clock += 1000;
    onProgress(done, 0);
  }
  onProgress(23, 23);
  // was "100% 10/0" and then a second bar, "100% 23/23" (or "0/0")
  assert.equal(
    stream.text(),
    "classify (bytes) [############################] 100% 23/23 11.5/s in 2.0s\n",
  );
  const tty = fakeStream(true);
  let tick = 0;
  progressBar("read", 0, { stream: tty, now: () => tick += 1000 })(23, 0);
  assert.equal(tty.text(), "\r\x1b[2Kread 23 so far 23.0/s");
});
