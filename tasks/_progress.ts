/**
 * A terminal progress bar for the CLIs, fed by the `onProgress(done, total)` callbacks of
 * lib/ (embedding, generation). Private to tasks/.
 * @module
 */

/** Where the bar is drawn; `Deno.stderr` fits. */
export interface ProgressStream {
  isTerminal(): boolean;
  writeSync(bytes: Uint8Array): number;
}

/** Options of {@linkcode progressBar}. */
export interface ProgressBarOptions {
  /** @default Deno.stderr */
  stream?: ProgressStream;
  /** Minimum milliseconds between redraws; the final state is always drawn. @default 100 */
  intervalMs?: number;
  /** Width of the bar in characters. @default 28 */
  width?: number;
  /** Clock in milliseconds, for tests. @default performance.now */
  now?: () => number;
}

/**
 * Returns an `onProgress(done, total)` callback that draws `label [####····] 42% 420/1000 …/s ETA`
 * on one line of stderr. Redraws are throttled; when the stream is not a terminal (CI logs) only
 * the final line is written, once per run (a callback reused for a new run starts a new bar).
 * A total of 0 means not known yet (input read from a pipe): a count is drawn, without a bar, until
 * a call gives the total.
 * @param total the expected total; a callback's own `total` argument takes precedence.
 * @example
 * ```ts
 * const vectors = await embedder.embed(texts, { onProgress: progressBar("embed", texts.length) });
 * ```
 */
export function progressBar(
  label: string,
  total: number,
  options: ProgressBarOptions = {},
): (done: number, total: number) => void {
  const stream = options.stream ?? Deno.stderr;
  const intervalMs = options.intervalMs ?? 100;
  const width = options.width ?? 28;
  const now = options.now ?? (() => performance.now());
  const tty = stream.isTerminal();
  const encoder = new TextEncoder();
  let started = now();
  let lastDraw = -Infinity;
  let finished = false;
  let last = { done: -1, total: -1 };

  return (done: number, currentTotal: number = total) => {
    const all = Math.max(0, currentTotal);
    if (finished) {
      // the same callback reused for another run: start a fresh bar; a repeat of the end is ignored
      if (done >= last.done && all === last.total) return;
      finished = false;
      started = now();
      lastDraw = -Infinity;
    }
    last = { done, total: all };
    // a total of 0 with work done is not known yet (stdin, a pipe): the end is the call that
    // gives one; 0 of 0 is an empty run, over at once
    const complete = all > 0 ? done >= all : done <= 0;
    const t = now();
    if (!complete && (!tty || t - lastDraw < intervalMs)) return;
    lastDraw = t;
    const line = formatProgress(label, done, all, (t - started) / 1000, width);
    if (complete) {
      finished = true;
      stream.writeSync(encoder.encode(tty ? `\r\x1b[2K${line}\n` : `${line}\n`));
    } else {
      stream.writeSync(encoder.encode(`\r\x1b[2K${line}`));
    }
  };
}

/** One progress line, e.g. `embed [##########··········]  50% 500/1000 250/s ETA 2s`. */
export function formatProgress(
  label: string,
  done: number,
  total: number,
  seconds: number,
  width = 28,
): string {
  if (total <= 0 && done > 0) {
    return `${label} ${done} so far ${formatRate(seconds > 0 ? done / seconds : 0)}`;
  }
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(fraction * width);
  const bar = "#".repeat(filled) + "·".repeat(width - filled);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const rate = seconds > 0 ? done / seconds : 0;
  const tail = done >= total
    ? `${formatRate(rate)} in ${formatSeconds(seconds)}`
    : `${formatRate(rate)} ETA ${rate > 0 ? formatSeconds((total - done) / rate) : "?"}`;
  return `${label} [${bar}] ${percent} ${done}/${total} ${tail}`;
}

function formatRate(perSecond: number): string {
  if (perSecond >= 10_000) return `${Math.round(perSecond / 1000)}k/s`;
  if (perSecond >= 100) return `${Math.round(perSecond)}/s`;
  return `${perSecond.toFixed(1)}/s`;
}

function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    const s = Math.round(seconds % 60);
    return m > 0 ? `${m}m${String(s).padStart(2, "0")}s` : `${s}s`;
  }
  return `${Math.floor(seconds / 3600)}h${
    String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")
  }m`;
}
