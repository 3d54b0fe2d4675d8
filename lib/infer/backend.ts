/**
 * Chooses the tfjs backend once per process. The wasm backend (XNNPACK) is the fast one here;
 * "cpu" is the pure-JS fallback.
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

/** The backends {@linkcode initBackend} accepts. */
export const BACKENDS = ["wasm", "cpu"] as const;

/** One of {@linkcode BACKENDS}. */
export type BackendName = typeof BACKENDS[number];

let pending: Promise<string> | undefined;
let pendingName: BackendName | undefined;

/**
 * Selects the tfjs backend `name` and waits until it is ready; calling it again is cheap.
 * @returns the name of the active backend
 * @throws {RangeError} when `name` is not one of {@linkcode BACKENDS} or fails to start
 */
export function initBackend(name: BackendName = "wasm"): Promise<string> {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    return Promise.reject(
      new RangeError(`Cannot init backend "${name}": expected one of ${BACKENDS.join(", ")}`),
    );
  }
  if (pending && pendingName === name && tf.getBackend() === name) return pending;
  pendingName = name;
  pending = (async () => {
    const ok = await tf.setBackend(name);
    if (!ok) throw new RangeError(`Cannot init backend "${name}": tf.setBackend returned false`);
    await tf.ready();
    return tf.getBackend();
  })();
  // A failed start must not be cached, so a later call can retry.
  pending.catch(() => {
    pending = undefined;
    pendingName = undefined;
  });
  return pending;
}
