/**
 * Ctrl-C for long tasks, one behaviour everywhere: exit 130 with one line and no partial output.
 * The first Ctrl-C aborts `signal` (a task that checks it stops at its next check) — or, for a
 * task that does not check, exits at once unless an output is being written, in which case the
 * write finishes first. A second Ctrl-C exits at once. Paths registered with
 * `removeOnInterrupt` are deleted before exiting. Private to tasks/.
 * @module
 */

/** What {@linkcode handleInterrupt} returns; dispose it (or `using`) when the task is done. */
export interface Interrupt extends Disposable {
  /** Aborted by the first Ctrl-C. */
  readonly signal: AbortSignal;
  /** Runs `write` to its end even if Ctrl-C comes meanwhile; the exit waits for it. */
  protect<T>(write: () => Promise<T>): Promise<T>;
  /** Deletes `path` (file or folder) if the run is interrupted. */
  removeOnInterrupt(path: string): void;
  /** Exits 130 now, after removing the registered paths. */
  exit(): never;
}

/** Options of {@linkcode handleInterrupt}. */
export interface InterruptOptions {
  /** The task checks `signal` itself (e.g. between epochs): the first Ctrl-C only aborts it.
   * @default false */
  cooperative?: boolean;
}

/**
 * Installs the SIGINT handler for `task` (named in the one line printed on interrupt).
 * @example
 * ```ts ignore
 * using interrupt = handleInterrupt("eval");
 * const result = await evaluate(...);          // Ctrl-C here: exit 130 at once
 * await interrupt.protect(() => write(result)); // Ctrl-C here: exit 130 after the write
 * ```
 */
export function handleInterrupt(task: string, options: InterruptOptions = {}): Interrupt {
  const controller = new AbortController();
  const partial = new Set<string>();
  let writing = 0;
  const exit = (): never => {
    for (const path of partial) {
      try {
        Deno.removeSync(path, { recursive: true });
      } catch {
        // never written, or already gone
      }
    }
    console.error(`${task}: interrupted; no partial output left`);
    Deno.exit(130);
  };
  const onSignal = () => {
    if (controller.signal.aborted) exit(); // second Ctrl-C
    controller.abort(new DOMException(`${task} was interrupted`, "AbortError"));
    if (!options.cooperative && writing === 0) exit();
  };
  Deno.addSignalListener("SIGINT", onSignal);
  return {
    signal: controller.signal,
    async protect(write) {
      writing++;
      try {
        return await write();
      } finally {
        writing--;
        if (writing === 0 && controller.signal.aborted) exit();
      }
    },
    removeOnInterrupt: (path) => void partial.add(path),
    exit,
    [Symbol.dispose]() {
      Deno.removeSignalListener("SIGINT", onSignal);
    },
  };
}
