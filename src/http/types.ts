/**
 * The shapes the HTTP app shares between its parts: what it needs from a
 * store, and what it keeps on each request's context.
 *
 * @module
 */

import type { Backend } from "../backends/backend.ts";
import type { Credential } from "../credential.ts";
import type { StoreStats } from "../stats.ts";
import type { DeleteOptions, SaveOptions, StoredCredential } from "../store.ts";

/**
 * The counters the app exports on `/metrics`: `CredentialStore.stats()`,
 * with every part optional so a custom store can report less.
 */
export type StoreCounters = Partial<StoreStats>;

/**
 * What the app needs from a store. A `CredentialStore` is one; the interface
 * is structural so a wrapper (a tracing or caching decorator) fits too.
 *
 * @example A CredentialStore is an HttpStore
 * ```ts
 * import { CredentialStore, Keyring, MemoryBackend } from "@credbox/credbox";
 * import type { HttpStore } from "@credbox/credbox/http";
 *
 * const store: HttpStore = new CredentialStore({
 *   backend: new MemoryBackend(),
 *   keyring: await Keyring.generate(),
 * });
 * console.assert(typeof store.fresh === "function");
 * ```
 */
export interface HttpStore {
  /** Where records live; the list route pages through it directly. */
  readonly backend: Backend;
  /** The credential under `id`, or `undefined`. */
  load(id: string): Promise<StoredCredential | undefined>;
  /** Save, optionally compare-and-set. */
  save(
    id: string,
    credential: Credential,
    options?: SaveOptions,
  ): Promise<{ version: string }>;
  /** Delete, optionally compare-and-set; true if it existed. */
  delete(id: string, options?: DeleteOptions): Promise<boolean>;
  /** The credential with a token valid for at least `skewMs` more. */
  fresh(id: string, options?: { skewMs?: number }): Promise<StoredCredential>;
  /** Counters for `/metrics`, when the store keeps them. */
  stats?(): StoreCounters;
}

/** Who made a request: the API token's name and its scopes. */
export interface Principal {
  /** The token's name from the configuration; safe to log. */
  name: string;
  /** What the token may do. */
  scopes: ReadonlySet<string>;
}

/**
 * The variables each request's context carries.
 *
 * @example Typing a handler added beside the app's own
 * ```ts
 * import { Hono } from "hono";
 * import type { HttpEnv } from "@credbox/credbox/http";
 *
 * const extra = new Hono<HttpEnv>();
 * extra.get("/whoami", (c) => c.json({ name: c.get("principal")?.name }));
 * ```
 */
export type HttpEnv = {
  Variables: {
    /** From `X-Request-Id` when well-formed, else generated. */
    requestId: string;
    /** Set once the bearer token is verified. */
    principal?: Principal;
    /** The canonical id the request is about, for the access log. */
    credentialId?: string;
    /** The problem code of an error response, for the access log. */
    problem?: string;
  };
};
