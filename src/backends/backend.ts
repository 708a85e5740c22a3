/**
 * The storage interface every credbox backend implements. Users may add
 * their own (Redis, a database) by implementing these four methods.
 *
 * @module
 */

/** What {@linkcode Backend.get} returns for a stored object. */
export interface StoredObject {
  /** The sealed record, exactly as it was put. */
  bytes: Uint8Array;
  /** Opaque; changes on every write. Used for compare-and-set. */
  version: string;
}

/**
 * A condition on a put. `ifVersion: null` means "only if absent";
 * a string means "only if the current version is this one".
 */
export interface PutCondition {
  /** The version that must be current, or `null` for "must not exist". */
  ifVersion: string | null;
}

/** A condition on a delete: the version that must be current. */
export interface DeleteCondition {
  /** The version that must be current. */
  ifVersion: string;
}

/** Options of {@linkcode Backend.list}. */
export interface ListOptions {
  /** Only names that start with this. */
  prefix?: string;
  /** The `cursor` of the previous page. */
  cursor?: string;
  /** At most this many names (a backend may return fewer). */
  limit?: number;
}

/** One page of {@linkcode Backend.list}. */
export interface ListPage {
  /** Names in this page, in ascending order. */
  names: string[];
  /** Present when there are more names; pass it to get the next page. */
  cursor?: string;
}

/**
 * Byte storage keyed by storage name, with compare-and-set.
 *
 * A failed condition throws a `CredboxError` with code `CONFLICT`; any other
 * storage failure throws code `BACKEND`. A name is what `storageName(id)`
 * returns: ASCII, at most 768 characters, safe as a path or object key.
 *
 * @example A backend is four methods
 * ```ts
 * import { type Backend, MemoryBackend } from "@credbox/credbox";
 *
 * const backend: Backend = new MemoryBackend();
 * const { version } = await backend.put("ana", new Uint8Array([1]));
 * console.assert((await backend.get("ana"))?.version === version);
 * ```
 */
export interface Backend {
  /** The object under `name`, or `undefined` when there is none. */
  get(name: string): Promise<StoredObject | undefined>;
  /** Store `bytes` under `name`, if `condition` holds; the new version. */
  put(
    name: string,
    bytes: Uint8Array,
    condition?: PutCondition,
  ): Promise<{ version: string }>;
  /**
   * Remove `name`; true if it existed. With a condition, a missing object
   * or another version is `CONFLICT`.
   */
  delete(name: string, condition?: DeleteCondition): Promise<boolean>;
  /** One page of names, ascending. */
  list(options?: ListOptions): Promise<ListPage>;
}

/** The default and largest page size a backend should honour. */
export const DEFAULT_LIST_LIMIT = 1000;
