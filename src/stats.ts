/**
 * The counters a store reports through `store.stats()`.
 *
 * @module
 */

import type { Backend } from "./backends/backend.ts";
import type { CacheStats } from "./cache.ts";

/** Backend requests made by one store, by operation. */
export interface BackendStats {
  /** `get` calls. */
  get: number;
  /** `put` calls, conditional or not. */
  put: number;
  /** `delete` calls. */
  delete: number;
  /** `list` calls (one per page). */
  list: number;
}

/** Token refresh counters of one store. */
export interface RefreshStats {
  /** Requests sent to token endpoints, retries included. */
  calls: number;
  /** Refreshes that got a new access token. */
  succeeded: number;
  /** Refreshes that ended in `REFRESH_FAILED`. */
  failed: number;
  /** Refreshes the provider refused (`invalid_grant`): records marked. */
  reauth: number;
  /** `fresh()` calls that joined a refresh already running here. */
  joined: number;
  /** Refreshes that waited for another instance's lease. */
  waited: number;
}

/**
 * What `store.stats()` returns: plain numbers, safe to render anywhere (no
 * id, token or secret is ever part of them).
 *
 * @example
 * ```ts
 * import { CredentialStore, Keyring, MemoryBackend, type StoreStats } from "@credbox/credbox";
 *
 * const store = new CredentialStore({
 *   backend: new MemoryBackend(),
 *   keyring: await Keyring.generate(),
 * });
 * await store.load("ana@example.com");
 * const stats: StoreStats = store.stats();
 * console.assert(stats.backend.get === 1 && stats.cache.misses === 1);
 * ```
 */
export interface StoreStats {
  /** The read cache. */
  cache: CacheStats;
  /** Requests to the backend. */
  backend: BackendStats;
  /** Token refresh. */
  refresh: RefreshStats;
}

/** `backend`, with every call counted into `counts`. */
export function countingBackend(
  backend: Backend,
  counts: BackendStats,
): Backend {
  return {
    get(name) {
      counts.get++;
      return backend.get(name);
    },
    put(name, bytes, condition) {
      counts.put++;
      return backend.put(name, bytes, condition);
    },
    delete(name, condition) {
      counts.delete++;
      return backend.delete(name, condition);
    },
    list(options) {
      counts.list++;
      return backend.list(options);
    },
  };
}
