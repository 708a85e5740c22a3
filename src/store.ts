/**
 * `CredentialStore`: one backend, one keyring and one namespace, turned into
 * a place to keep OAuth credentials sealed per record, with a read cache,
 * compare-and-set updates and token refresh.
 *
 * @module
 */

import type { Backend } from "./backends/backend.ts";
import { type Credential, parseCredential } from "./credential.ts";
import type { Keyring } from "./crypto/keyring.ts";
import {
  idFromStorageName,
  normalizeId,
  storageName,
  storagePrefix,
  typeName,
} from "./id.ts";
import { Records, type Versioned } from "./records.ts";
import { checkUnreserved } from "./refresh_lease.ts";
import { isValidFor, Refresher } from "./refresher.ts";
import type { StoreStats } from "./stats.ts";
import {
  type ResolvedOptions,
  resolveStoreOptions,
  type StoreOptions,
} from "./store_options.ts";
import { onlyCredential } from "./store_single_user.ts";
import {
  checkAttempts,
  checkIfVersion,
  checkSkew,
  type DeleteOptions,
  type FreshOptions,
  type ListIdsOptions,
  publicRecord,
  type SaveOptions,
  type StoredCredential,
  type UpdateOptions,
} from "./store_types.ts";
import { updateRecord } from "./update.ts";

export type { CacheStats } from "./cache.ts";
export type { ClientAuth } from "./refresh.ts";
export type { ReauthMark } from "./refresh_lease.ts";
export type { BackendStats, RefreshStats, StoreStats } from "./stats.ts";
export {
  type CacheOptions,
  DEFAULT_NAMESPACE,
  type RefreshOptions,
  type StoreOptions,
} from "./store_options.ts";
export type {
  DeleteOptions,
  FreshOptions,
  ListIdsOptions,
  SaveOptions,
  StoredCredential,
  UpdateOptions,
} from "./store_types.ts";

/**
 * Keeps OAuth credentials, each sealed under the keyring's primary key and
 * bound to its id and the store's namespace.
 *
 * @example Save, load, compare-and-set, update
 * ```ts
 * import { CredentialStore, Keyring, MemoryBackend } from "@credbox/credbox";
 *
 * const store = new CredentialStore({
 *   backend: new MemoryBackend(),
 *   keyring: await Keyring.generate(),
 *   namespace: "workspace-mcp",
 * });
 * const { version } = await store.save("ana@example.com", {
 *   token: "ya29.example",
 *   refresh_token: "1//example",
 * });
 * const record = await store.load("ana@example.com");
 * console.assert(record?.version === version);
 * await store.save("ana@example.com", { token: "ya29.next" }, { ifVersion: version });
 * const updated = await store.update("ana@example.com", (current) => ({
 *   ...current,
 *   scopes: ["openid"],
 * }));
 * console.assert(updated.credential.token === "ya29.next");
 * ```
 */
export class CredentialStore {
  /** The backend records are kept in. */
  readonly backend: Backend;
  /** The namespace bound into every record. */
  readonly namespace: string;
  readonly #options: ResolvedOptions;
  readonly #records: Records;
  readonly #refresher: Refresher;

  /**
   * Build a store.
   *
   * @throws {CredboxError} `INVALID_CONFIG` naming the option at fault.
   */
  constructor(options: StoreOptions) {
    this.#options = resolveStoreOptions(options);
    this.backend = this.#options.backend;
    this.namespace = this.#options.namespace;
    this.#records = new Records(this.#options);
    this.#refresher = new Refresher(this.#records, this.#options);
  }

  /** The keyring records are sealed with. */
  get keyring(): Keyring {
    return this.#options.keyring;
  }

  /**
   * Seal and save a credential, replacing the whole record (a re-auth mark
   * included); with `ifVersion`, only if the stored record is at that
   * version (`null`: only if there is none).
   *
   * @throws {CredboxError} `INVALID_ID`, `INVALID_CREDENTIAL` (nothing is
   * written), `CONFLICT` when the condition fails, `BACKEND`.
   */
  async save(
    id: string,
    credential: Credential,
    options: SaveOptions = {},
  ): Promise<{ version: string }> {
    const key = normalizeId(id);
    const checked = parseCredential(credential);
    checkUnreserved(checked);
    checkIfVersion(options.ifVersion, true);
    const saved = await this.#records.write(
      key,
      { credential: checked },
      options.ifVersion,
    );
    return { version: saved.version };
  }

  /**
   * The credential under `id`, or `undefined` when there is none. A cached
   * copy is used only while its access token has not expired.
   *
   * @throws {CredboxError} `DECRYPT_FAILED` for a record that does not open
   * here, `UNKNOWN_KEY` for one sealed under a key not in the keyring.
   */
  async load(id: string): Promise<StoredCredential | undefined> {
    const key = normalizeId(id);
    const now = this.#options.now();
    const found = await this.#records.read(
      key,
      (record) => (record.expiresAt ?? Infinity) > now,
    );
    return found && publicRecord(key, found);
  }

  /** True when a credential is stored under `id`. */
  async has(id: string): Promise<boolean> {
    const key = normalizeId(id);
    if (this.#records.cache.peek(key) !== undefined) return true;
    return (await this.#records.backend.get(storageName(key))) !== undefined;
  }

  /**
   * Remove the credential under `id`; true if it existed. With `ifVersion`,
   * only if it is at that version (`CONFLICT` otherwise).
   */
  async delete(id: string, options: DeleteOptions = {}): Promise<boolean> {
    const key = normalizeId(id);
    checkIfVersion(options.ifVersion, false);
    const condition = options.ifVersion === undefined
      ? undefined
      : { ifVersion: options.ifVersion };
    try {
      return await this.#records.backend.delete(storageName(key), condition);
    } finally {
      this.#records.cache.delete(key);
    }
  }

  /**
   * Every id in the store (or those with `prefix`), page by page as the
   * iteration asks for them, in storage-name order.
   */
  async *list(options: ListIdsOptions = {}): AsyncGenerator<string> {
    const prefix = options.prefix ?? "";
    const namePrefix = storagePrefix(prefix);
    const wanted = prefix.normalize("NFC");
    const backend = this.#records.backend;
    let cursor: string | undefined;
    do {
      const page = await backend.list({ prefix: namePrefix, cursor });
      for (const name of page.names) {
        const id = idFromStorageName(name);
        if (id !== undefined && id.startsWith(wanted)) yield id;
      }
      cursor = page.cursor;
    } while (cursor);
  }

  /**
   * Single-user mode: the one credential in the store.
   *
   * @throws {CredboxError} `NOT_FOUND` when the store is empty,
   * `INVALID_CONFIG` naming how many there are when there is more than one.
   */
  async only(): Promise<StoredCredential> {
    return await onlyCredential(this.list(), (id) => this.load(id));
  }

  /**
   * Read, apply `fn`, and save with the version read; when another writer
   * got there first, read again and retry after a jittered backoff. `fn`
   * gets `undefined` when there is no record (the save then creates one,
   * only if still absent) and may run more than once. A refresh lease in
   * progress is kept; a re-auth mark is kept while the refresh token is.
   *
   * @throws {CredboxError} `CONFLICT` when every attempt lost its race;
   * what `fn` throws; the errors of `save()`.
   */
  async update(
    id: string,
    fn: (current: Credential | undefined) => Credential | Promise<Credential>,
    options: UpdateOptions = {},
  ): Promise<StoredCredential> {
    const key = normalizeId(id);
    if (typeof fn !== "function") {
      throw new TypeError(`update() needs a function, got ${typeName(fn)}`);
    }
    const attempts = checkAttempts(options.attempts);
    const saved = await updateRecord(
      this.#records,
      key,
      fn,
      attempts,
      this.#options,
    );
    return publicRecord(key, saved);
  }

  /**
   * The record of `id` with an access token valid for at least `skewMs`,
   * refreshed first when it is not (`refresher.ts` tells how instances
   * agree on who refreshes). A rotated refresh token is saved before the
   * new access token is returned.
   *
   * @throws {CredboxError} `NOT_FOUND`; `REAUTH_REQUIRED` when the provider
   * refused the refresh token (now or before: the record is marked);
   * `REFRESH_FAILED` when the provider kept failing or another instance's
   * refresh outlasted the wait.
   */
  async fresh(
    id: string,
    options: FreshOptions = {},
  ): Promise<StoredCredential> {
    const key = normalizeId(id);
    const skewMs = checkSkew(options.skewMs);

    const now = this.#options.now();
    const valid = (record: Versioned) =>
      !record.state.reauth && isValidFor(record, now, skewMs);
    const cached = await this.#records.read(key, valid);
    if (cached && valid(cached)) return publicRecord(key, cached);

    // Missing, marked or expiring: the refresher rereads the backend and
    // tells which, so another instance's newer record is never missed.
    return publicRecord(key, await this.#refresher.refresh(key, skewMs));
  }

  /**
   * Counters of the cache, the backend and token refresh, as numbers.
   *
   * @example
   * ```ts
   * import { CredentialStore, Keyring, MemoryBackend } from "@credbox/credbox";
   *
   * const store = new CredentialStore({
   *   backend: new MemoryBackend(),
   *   keyring: await Keyring.generate(),
   * });
   * await store.save("ana", { token: "ya29.example" });
   * await store.load("ana");
   * console.assert(store.stats().cache.hits === 1);
   * console.assert(store.stats().backend.get === 0);
   * ```
   */
  stats(): StoreStats {
    return {
      cache: this.#records.cache.stats(),
      backend: { ...this.#records.requests },
      refresh: this.#refresher.stats(),
    };
  }
}
