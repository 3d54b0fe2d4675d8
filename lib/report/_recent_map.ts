/**
 * A bounded memory of recent entries for streaming over millions of messages.
 * @module
 */

/**
 * A map that remembers about its last `limit` to `2 × limit` entries: two generations, the older
 * dropped whole when the newer fills. (Deleting a Map's oldest entry one at a time costs a scan
 * past every deleted slot, which made linking quadratic-ish at a million messages.) `set` says
 * when it dropped a generation, so a caller holding an entry it looked up knows whether a new
 * lookup could now miss it.
 */
export class RecentMap<V, K = string> {
  #current = new Map<K, V>();
  #previous = new Map<K, V>();
  readonly #limit: number;

  /** Remembers at least the last `limit` entries. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** The value of `key`, if it is still remembered. */
  get(key: K): V | undefined {
    return this.#current.get(key) ?? this.#previous.get(key);
  }

  /** Sets `key`; may forget the older generation (then returns true). */
  set(key: K, value: V): boolean {
    const forget = this.#current.size >= this.#limit;
    if (forget) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
    this.#current.set(key, value);
    return forget;
  }

  /** Forgets everything. */
  clear(): void {
    this.#current.clear();
    this.#previous.clear();
  }
}
