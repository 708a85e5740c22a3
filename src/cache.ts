/**
 * The store's read cache: read-through with a time to live, bounded by
 * least-recent use, and single-flight, so concurrent loads of one cold key
 * make one backend request.
 *
 * @module
 */

/** Counters of a {@linkcode ReadCache}; plain numbers. */
export interface CacheStats {
  /** Reads answered from the cache. */
  hits: number;
  /** Reads that went to the loader. */
  misses: number;
  /** Entries dropped to stay within `maxEntries`. */
  evictions: number;
  /** Reads that joined a load already in flight instead of starting one. */
  joined: number;
  /** Entries held now. */
  size: number;
}

/** Options of {@linkcode ReadCache}. */
export interface ReadCacheOptions {
  /** How long an entry may be used after it was stored, in milliseconds. */
  ttlMs: number;
  /** The most entries held; 0 keeps none (single-flight still applies). */
  maxEntries: number;
  /** The clock, epoch milliseconds. */
  now: () => number;
}

interface Entry<V> {
  value: V;
  storedAt: number;
}

interface Flight<V> {
  promise: Promise<V | undefined>;
  stale: boolean;
}

/**
 * A read-through cache of values by key.
 *
 * A `set`, `delete` or `reload` while a load is in flight wins over that
 * load: the load is marked stale, does not store its result and is joined
 * by no later read, so a slow read never overwrites or hides a newer write.
 *
 * @example Two concurrent reads of a cold key make one load
 * ```ts
 * import { ReadCache } from "./cache.ts";
 *
 * const cache = new ReadCache<string>({
 *   ttlMs: 60_000,
 *   maxEntries: 100,
 *   now: Date.now,
 * });
 * let loads = 0;
 * const load = () => Promise.resolve(`value ${++loads}`);
 * const [a, b] = await Promise.all([cache.get("k", load), cache.get("k", load)]);
 * console.assert(a === "value 1" && b === "value 1" && loads === 1);
 * console.assert(cache.stats().joined === 1);
 * ```
 */
export class ReadCache<V> {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  // A Map iterates in insertion order; re-inserting on use keeps the least
  // recently used entry first, where eviction takes it from.
  readonly #entries = new Map<string, Entry<V>>();
  // The entry used or stored last, already at the end of #entries.
  #newest: Entry<V> | undefined;
  readonly #inflight = new Map<string, Flight<V>>();
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  #joined = 0;

  /** Make an empty cache. */
  constructor(options: ReadCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries;
    this.#now = options.now;
  }

  /**
   * The value under `key`: from the cache when held, unexpired and
   * `usable`; else from a load in flight; else from `load`, which is then
   * stored (an `undefined` result is not).
   */
  async get(
    key: string,
    load: () => Promise<V | undefined>,
    usable: (value: V) => boolean = () => true,
  ): Promise<V | undefined> {
    const held = this.peek(key, usable);
    if (held !== undefined) {
      this.#hits++;
      return held;
    }

    // A load outdated by a set or delete since it started may return what
    // that change replaced: a read arriving after the change starts anew.
    const running = this.#inflight.get(key);
    if (running && !running.stale) {
      this.#joined++;
      return await running.promise;
    }

    this.#misses++;
    return await this.#load(key, load);
  }

  /**
   * The held value when it is unexpired and `usable`, without loading or
   * counting; an entry that fails either test is dropped.
   */
  peek(
    key: string,
    usable: (value: V) => boolean = () => true,
  ): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (this.#now() - entry.storedAt >= this.#ttlMs || !usable(entry.value)) {
      this.#entries.delete(key);
      return undefined;
    }
    // Moving an entry to the end costs a delete and a set, about 0.3 µs a
    // hit (deno bench); the same key read again and again, as a busy
    // user's is, is there already.
    if (entry !== this.#newest) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#newest = entry;
    }
    return entry.value;
  }

  /**
   * Load `key` now, bypassing what is held and any load in flight (which
   * may have started before the change the caller wants to see), and store
   * the result. Reads that arrive meanwhile join this load.
   */
  async reload(
    key: string,
    load: () => Promise<V | undefined>,
  ): Promise<V | undefined> {
    this.#misses++;
    return await this.#load(key, load);
  }

  /** Hold `value` under `key`, replacing what was held. */
  set(key: string, value: V): void {
    this.#outdate(key);
    this.#store(key, value);
  }

  /** Forget `key`; a load in flight for it will not store its result. */
  delete(key: string): void {
    this.#outdate(key);
    this.#entries.delete(key);
  }

  /** The counters, as plain numbers. */
  stats(): CacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      joined: this.#joined,
      size: this.#entries.size,
    };
  }

  #load(
    key: string,
    load: () => Promise<V | undefined>,
  ): Promise<V | undefined> {
    this.#outdate(key);
    const flight: Flight<V> = {
      promise: Promise.resolve(undefined),
      stale: false,
    };
    flight.promise = (async () => {
      try {
        const value = await load();
        if (value !== undefined && !flight.stale) this.#store(key, value);
        return value;
      } finally {
        if (this.#inflight.get(key) === flight) this.#inflight.delete(key);
      }
    })();
    this.#inflight.set(key, flight);
    return flight.promise;
  }

  #store(key: string, value: V): void {
    if (this.#maxEntries === 0) return;
    this.#entries.delete(key);
    const entry = { value, storedAt: this.#now() };
    this.#entries.set(key, entry);
    this.#newest = entry;
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value!;
      this.#entries.delete(oldest);
      this.#evictions++;
    }
  }

  #outdate(key: string): void {
    const running = this.#inflight.get(key);
    if (running) running.stale = true;
  }
}
