/**
 * The options of `CredentialStore`, their defaults, and the checks run
 * where the store is built.
 *
 * @module
 */

import type { Backend } from "./backends/backend.ts";
import { realSleep } from "./backoff.ts";
import type { Keyring } from "./crypto/keyring.ts";
import { CredboxError } from "./errors.ts";
import { typeName } from "./id.ts";
import type { ClientAuth } from "./refresh.ts";

/**
 * Options of the read cache.
 *
 * @example
 * ```ts
 * import type { CacheOptions } from "@credbox/credbox";
 *
 * const cache: CacheOptions = { ttlMs: 5 * 60_000, maxEntries: 1_000 };
 * console.assert(cache.maxEntries === 1_000);
 * ```
 */
export interface CacheOptions {
  /** How long a read is reused, in milliseconds. Default: 30 minutes. */
  ttlMs?: number;
  /** The most records held; least recently used go first. Default: 10,000. */
  maxEntries?: number;
}

/**
 * Options of token refresh (`store.fresh()`).
 *
 * @example
 * ```ts
 * import type { RefreshOptions } from "@credbox/credbox";
 *
 * const refresh: RefreshOptions = { retries: 3, clientAuth: "basic" };
 * console.assert(refresh.retries === 3);
 * ```
 */
export interface RefreshOptions {
  /**
   * How long a refresh lease lasts, in milliseconds: the longest one
   * instance may hold the others back. Keep it above `timeoutMs` ×
   * (`retries` + 1). Default: 20,000.
   */
  leaseMs?: number;
  /**
   * How long `fresh()` waits for another instance's refresh, in
   * milliseconds. Keep it above `leaseMs`, so a lease whose holder died
   * lapses within the wait and is taken over. Default: 25,000.
   */
  waitMs?: number;
  /** How often a waiting `fresh()` rereads the record. Default: 250 ms. */
  pollMs?: number;
  /** Retries of a failed request to the provider. Default: 2. */
  retries?: number;
  /** Each request's time limit, in milliseconds. Default: 5,000. */
  timeoutMs?: number;
  /** `"body"` (Google) or `"basic"` client authentication. Default: body. */
  clientAuth?: ClientAuth;
}

/**
 * Options of `CredentialStore`.
 *
 * @example
 * ```ts
 * import { type StoreOptions, Keyring, MemoryBackend } from "@credbox/credbox";
 *
 * const options: StoreOptions = {
 *   backend: new MemoryBackend(),
 *   keyring: await Keyring.generate(),
 *   cache: false,
 * };
 * console.assert(options.cache === false);
 * ```
 */
export interface StoreOptions {
  /** Where sealed records live. */
  backend: Backend;
  /** The keys that seal and open records. */
  keyring: Keyring;
  /** Bound into every record; a record never opens in another namespace. */
  namespace?: string;
  /** The read cache, or `false` for none. */
  cache?: CacheOptions | false;
  /** What token refresh sends requests with. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** The clock, epoch milliseconds. Default: `Date.now`. */
  now?: () => number;
  /** How retries and waits pause. Default: `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1), for backoff jitter. Default: `Math.random`. */
  random?: () => number;
  /** Token refresh. */
  refresh?: RefreshOptions;
  /**
   * Re-seal a record under the keyring's primary key when a load finds it
   * sealed under an older one, so rotation also happens lazily. The write
   * is compare-and-set: a record changed meanwhile is left to its writer.
   * Default: false (a load never writes).
   */
  resealOnLoad?: boolean;
}

/** Every option checked and filled in. */
export interface ResolvedOptions {
  backend: Backend;
  keyring: Keyring;
  namespace: string;
  cache: Required<CacheOptions>;
  fetch: typeof fetch;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  refresh: Required<RefreshOptions>;
  resealOnLoad: boolean;
}

/** The namespace used when none is given. */
export const DEFAULT_NAMESPACE = "default";

const NAMESPACE = /^[A-Za-z0-9._:/@-]{1,128}$/;

/**
 * Check `options` and fill in defaults.
 *
 * @throws {CredboxError} `INVALID_CONFIG` naming the option, the rule and
 * the value.
 */
export function resolveStoreOptions(options: StoreOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") {
    fail(`options must be an object, got ${typeName(options)}`);
  }
  const cache = options.cache ?? {};
  if (cache !== false && (cache === null || typeof cache !== "object")) {
    fail(`'cache' must be an object or false, got ${typeName(cache)}`);
  }
  const refresh = options.refresh ?? {};
  if (refresh === null || typeof refresh !== "object") {
    fail(`'refresh' must be an object, got ${typeName(refresh)}`);
  }
  const clientAuth = refresh.clientAuth ?? "body";
  if (clientAuth !== "body" && clientAuth !== "basic") {
    fail(
      `'refresh.clientAuth' must be "body" or "basic", got ${show(clientAuth)}`,
    );
  }

  return {
    backend: checkBackend(options.backend),
    keyring: checkKeyring(options.keyring),
    namespace: checkNamespace(options.namespace ?? DEFAULT_NAMESPACE),
    cache: cache === false ? { ttlMs: 0, maxEntries: 0 } : {
      ttlMs: number("cache.ttlMs", cache.ttlMs, 30 * 60_000, 1),
      maxEntries: integer("cache.maxEntries", cache.maxEntries, 10_000, 1),
    },
    fetch: fn("fetch", options.fetch) ??
      ((input, init) => globalThis.fetch(input, init)),
    now: fn("now", options.now) ?? Date.now,
    sleep: fn("sleep", options.sleep) ?? realSleep,
    random: fn("random", options.random) ?? Math.random,
    refresh: {
      leaseMs: number("refresh.leaseMs", refresh.leaseMs, 20_000, 1),
      waitMs: number("refresh.waitMs", refresh.waitMs, 25_000, 0),
      pollMs: number("refresh.pollMs", refresh.pollMs, 250, 1),
      retries: integer("refresh.retries", refresh.retries, 2, 0, 10),
      timeoutMs: number("refresh.timeoutMs", refresh.timeoutMs, 5_000, 1),
      clientAuth,
    },
    resealOnLoad: flag("resealOnLoad", options.resealOnLoad),
  };
}

function number(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    fail(
      `'${name}' must be a finite number of milliseconds ≥ ${min}, got ${
        show(value)
      }`,
    );
  }
  return value;
}

function integer(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (
    !Number.isInteger(value) || (value as number) < min ||
    (value as number) > max
  ) {
    const range = max === Number.MAX_SAFE_INTEGER
      ? `≥ ${min}`
      : `from ${min} to ${max}`;
    fail(`'${name}' must be an integer ${range}, got ${show(value)}`);
  }
  return value as number;
}

function flag(name: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== "boolean") {
    fail(`'${name}' must be a boolean, got ${typeName(value)}`);
  }
  return value === true;
}

function fn<F>(name: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== "function") {
    fail(`'${name}' must be a function, got ${typeName(value)}`);
  }
  return value;
}

function checkBackend(backend: unknown): Backend {
  const b = backend as Partial<Backend> | null | undefined;
  if (
    !b || typeof b.get !== "function" || typeof b.put !== "function" ||
    typeof b.delete !== "function" || typeof b.list !== "function"
  ) {
    fail("'backend' must have get, put, delete and list methods");
  }
  return b as Backend;
}

function checkKeyring(keyring: unknown): Keyring {
  const k = keyring as { primaryId?: unknown } | null | undefined;
  if (!k || typeof k !== "object" || typeof k.primaryId !== "string") {
    fail("'keyring' must be a Keyring (Keyring.fromEnv())");
  }
  return keyring as Keyring;
}

function checkNamespace(namespace: unknown): string {
  if (typeof namespace !== "string" || !NAMESPACE.test(namespace)) {
    fail(
      `'namespace' must be 1 to 128 of A-Z a-z 0-9 . _ : / @ -, got ${
        show(namespace)
      }`,
    );
  }
  return namespace;
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  return typeof value === "number" ? String(value) : typeName(value);
}

function fail(reason: string): never {
  throw new CredboxError("INVALID_CONFIG", `Cannot create store: ${reason}`);
}
