/**
 * `CredentialStore`: one backend, one keyring and one namespace, turned into
 * a place to keep OAuth credentials sealed per record.
 *
 * @module
 */

import type { Backend } from "./backends/backend.ts";
import { type Credential, parseCredential } from "./credential.ts";
import { open, seal } from "./crypto/envelope.ts";
import type { Keyring } from "./crypto/keyring.ts";
import { CredboxError } from "./errors.ts";
import {
  idFromStorageName,
  normalizeId,
  storageName,
  storagePrefix,
  typeName,
} from "./id.ts";

/** One stored credential with the version it was read at. */
export interface StoredCredential {
  /** The id, in canonical (NFC) form. */
  id: string;
  /** The decrypted credential. */
  credential: Credential;
  /** Opaque; pass it back as `ifVersion` for compare-and-set. */
  version: string;
}

/** Options of {@linkcode CredentialStore}. */
export interface StoreOptions {
  /** Where sealed records live. */
  backend: Backend;
  /** The keys that seal and open records. */
  keyring: Keyring;
  /** Bound into every record; a record never opens in another namespace. */
  namespace?: string;
}

/** Options of {@linkcode CredentialStore.save}. */
export interface SaveOptions {
  /** Save only if the record is at this version; `null`: only if absent. */
  ifVersion?: string | null;
}

/** Options of {@linkcode CredentialStore.delete}. */
export interface DeleteOptions {
  /** Delete only if the record is at this version. */
  ifVersion?: string;
}

/** Options of {@linkcode CredentialStore.list}. */
export interface ListIdsOptions {
  /** Only ids that start with this. */
  prefix?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The namespace used when none is given. */
export const DEFAULT_NAMESPACE = "default";

/**
 * Keeps OAuth credentials, each sealed under the keyring's primary key and
 * bound to its id and the store's namespace.
 *
 * @example Save, load, compare-and-set
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
 * ```
 */
export class CredentialStore {
  /** The backend records are kept in. */
  readonly backend: Backend;
  /** The namespace bound into every record. */
  readonly namespace: string;
  #keyring: Keyring;

  /** Build a store; options are checked here. */
  constructor(options: StoreOptions) {
    if (options === null || typeof options !== "object") {
      throw new CredboxError(
        "INVALID_CONFIG",
        `Cannot create store: options must be an object, got ${
          typeName(options)
        }`,
      );
    }
    this.backend = checkBackend(options.backend);
    this.#keyring = checkKeyring(options.keyring);
    this.namespace = checkNamespace(options.namespace ?? DEFAULT_NAMESPACE);
  }

  /** The keyring records are sealed with. */
  get keyring(): Keyring {
    return this.#keyring;
  }

  /**
   * Seal and save a credential; with `ifVersion`, only if the stored record
   * is at that version (`null`: only if there is none).
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
    checkIfVersion(options.ifVersion, true);

    const sealed = await this.seal(key, checked);

    const condition = options.ifVersion === undefined
      ? undefined
      : { ifVersion: options.ifVersion };
    return await this.backend.put(storageName(key), sealed, condition);
  }

  /**
   * The credential under `id`, or `undefined` when there is none.
   *
   * @throws {CredboxError} `DECRYPT_FAILED` for a record that does not open
   * here, `UNKNOWN_KEY` for one sealed under a key not in the keyring.
   */
  async load(id: string): Promise<StoredCredential | undefined> {
    const key = normalizeId(id);
    const found = await this.backend.get(storageName(key));
    if (!found) return undefined;
    const credential = await this.unseal(key, found.bytes);
    return { id: key, credential, version: found.version };
  }

  /** True when a credential is stored under `id`. */
  async has(id: string): Promise<boolean> {
    const key = normalizeId(id);
    return (await this.backend.get(storageName(key))) !== undefined;
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
    return await this.backend.delete(storageName(key), condition);
  }

  /**
   * Every id in the store (or those with `prefix`), page by page as the
   * iteration asks for them, in storage-name order.
   */
  async *list(options: ListIdsOptions = {}): AsyncGenerator<string> {
    const prefix = options.prefix ?? "";
    const namePrefix = storagePrefix(prefix);
    const wanted = prefix.normalize("NFC");
    let cursor: string | undefined;
    do {
      const page = await this.backend.list({ prefix: namePrefix, cursor });
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
    const ids: string[] = [];
    for await (const id of this.list()) ids.push(id);
    if (ids.length === 0) {
      throw new CredboxError("NOT_FOUND", "The store holds no credential");
    }
    if (ids.length > 1) {
      throw new CredboxError(
        "INVALID_CONFIG",
        `Single-user mode needs exactly one credential; the store holds ${ids.length}`,
      );
    }
    const record = await this.load(ids[0]);
    if (!record) {
      throw new CredboxError("NOT_FOUND", "The only credential was deleted");
    }
    return record;
  }

  /** Seal a checked credential for `id` (canonical form). */
  protected async seal(
    id: string,
    credential: Credential,
  ): Promise<Uint8Array> {
    const plaintext = encoder.encode(JSON.stringify(credential));
    return await seal(this.#keyring, plaintext, {
      namespace: this.namespace,
      id,
    });
  }

  /** Open a sealed record of `id` (canonical form). */
  protected async unseal(id: string, bytes: Uint8Array): Promise<Credential> {
    const plaintext = await open(this.#keyring, bytes, {
      namespace: this.namespace,
      id,
    });
    return JSON.parse(decoder.decode(plaintext)) as Credential;
  }
}

function checkBackend(backend: unknown): Backend {
  const b = backend as Partial<Backend> | null | undefined;
  if (
    !b || typeof b.get !== "function" || typeof b.put !== "function" ||
    typeof b.delete !== "function" || typeof b.list !== "function"
  ) {
    throw new CredboxError(
      "INVALID_CONFIG",
      "Cannot create store: 'backend' must have get, put, delete and list methods",
    );
  }
  return b as Backend;
}

function checkKeyring(keyring: unknown): Keyring {
  const k = keyring as { primaryId?: unknown } | null | undefined;
  if (!k || typeof k !== "object" || typeof k.primaryId !== "string") {
    throw new CredboxError(
      "INVALID_CONFIG",
      "Cannot create store: 'keyring' must be a Keyring (Keyring.fromEnv())",
    );
  }
  return keyring as Keyring;
}

const NAMESPACE = /^[A-Za-z0-9._:/@-]{1,128}$/;

function checkNamespace(namespace: unknown): string {
  if (typeof namespace !== "string" || !NAMESPACE.test(namespace)) {
    throw new CredboxError(
      "INVALID_CONFIG",
      `Cannot create store: 'namespace' must be 1 to 128 of A-Z a-z 0-9 . _ : / @ -, got ${
        JSON.stringify(namespace) ?? typeName(namespace)
      }`,
    );
  }
  return namespace;
}

function checkIfVersion(value: unknown, nullable: boolean): void {
  if (value === undefined || typeof value === "string" && value !== "") return;
  if (nullable && value === null) return;
  throw new CredboxError(
    "INVALID_CONFIG",
    `'ifVersion' must be a non-empty string${nullable ? " or null" : ""}, got ${
      typeName(value)
    }`,
  );
}
