/**
 * Sealed records with versions, behind the read cache: the layer the store
 * and the refresher read and write through, so every write updates or
 * drops the cached copy and every backend request is counted.
 *
 * @module
 */

import type { Backend } from "./backends/backend.ts";
import { ReadCache } from "./cache.ts";
import { type Credential, expiresAt } from "./credential.ts";
import { open, seal, sealedKeyId } from "./crypto/envelope.ts";
import type { Keyring } from "./crypto/keyring.ts";
import { storageName } from "./id.ts";
import { fromSealed, type RecordState, toSealed } from "./refresh_lease.ts";
import { type BackendStats, countingBackend } from "./stats.ts";
import type { ResolvedOptions } from "./store_options.ts";

/** A record with the version it was read or written at. */
export interface Versioned {
  /** The credential and credbox's state. */
  readonly state: RecordState;
  /** The backend's version. */
  readonly version: string;
  /**
   * The access token's expiry in epoch milliseconds, `undefined` when it has
   * none. Parsed once, when the record is read or written: a cached record
   * is checked on every `fresh()` and `load()`, and parsing the expiry
   * there each time (a regular expression and a date check) took about
   * 1 µs a call. `state` is never changed in place (a write makes a new
   * record), so the value cannot go stale.
   */
  readonly expiresAt: number | undefined;
}

/** `state` at `version`, its expiry parsed. */
function versioned(state: RecordState, version: string): Versioned {
  return { state, version, expiresAt: expiresAt(state.credential) };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The records of one store: ids are canonical (already normalized). */
export class Records {
  /** The backend, with every request counted into `requests`. */
  readonly backend: Backend;
  /** Backend requests so far, by operation. */
  readonly requests: BackendStats = { get: 0, put: 0, delete: 0, list: 0 };
  /** The read cache. */
  readonly cache: ReadCache<Versioned>;
  readonly #keyring: Keyring;
  readonly #namespace: string;
  readonly #reseal: boolean;

  /** Records in `options.backend`, sealed with `options.keyring`. */
  constructor(options: ResolvedOptions) {
    this.backend = countingBackend(options.backend, this.requests);
    this.cache = new ReadCache({ ...options.cache, now: options.now });
    this.#keyring = options.keyring;
    this.#namespace = options.namespace;
    this.#reseal = options.resealOnLoad;
  }

  /** The record, from the cache when held and `usable`. */
  read(
    id: string,
    usable?: (record: Versioned) => boolean,
  ): Promise<Versioned | undefined> {
    return this.cache.get(id, () => this.#get(id), usable);
  }

  /** The record as stored now, bypassing the cache (which it refreshes). */
  async reload(id: string): Promise<Versioned | undefined> {
    const found = await this.cache.reload(id, () => this.#get(id));
    if (!found) this.cache.delete(id);
    return found;
  }

  /**
   * Seal and put `state`, with `ifVersion` as the condition when given; the
   * cache holds the result, or forgets the id when the put fails.
   */
  async write(
    id: string,
    state: RecordState,
    ifVersion?: string | null,
  ): Promise<Versioned> {
    const plaintext = encoder.encode(JSON.stringify(toSealed(state)));
    const sealed = await seal(this.#keyring, plaintext, this.#context(id));
    const condition = ifVersion === undefined ? undefined : { ifVersion };
    try {
      const { version } = await this.backend.put(
        storageName(id),
        sealed,
        condition,
      );
      const saved = versioned(state, version);
      this.cache.set(id, saved);
      return saved;
    } catch (error) {
      // Whatever is stored now, it is not what the cache holds.
      this.cache.delete(id);
      throw error;
    }
  }

  async #get(id: string): Promise<Versioned | undefined> {
    const found = await this.backend.get(storageName(id));
    if (!found) return undefined;
    const plaintext = await open(this.#keyring, found.bytes, this.#context(id));
    const opened = JSON.parse(decoder.decode(plaintext)) as Credential;
    const state = fromSealed(opened);
    if (this.#reseal && sealedKeyId(found.bytes) !== this.#keyring.primaryId) {
      const version = await this.#resealRecord(id, plaintext, found.version);
      return versioned(state, version ?? found.version);
    }
    return versioned(state, found.version);
  }

  /**
   * Put the same plaintext back under the primary key, only over the
   * version just read. A failure leaves the old record, which still opens,
   * so the load goes on: the next one tries again.
   */
  async #resealRecord(
    id: string,
    plaintext: Uint8Array,
    version: string,
  ): Promise<string | undefined> {
    try {
      const sealed = await seal(this.#keyring, plaintext, this.#context(id));
      const put = await this.backend.put(storageName(id), sealed, {
        ifVersion: version,
      });
      return put.version;
    } catch {
      return undefined;
    }
  }

  #context(id: string): { namespace: string; id: string } {
    return { namespace: this.#namespace, id };
  }
}
