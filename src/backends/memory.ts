/**
 * A backend that keeps everything in this process's memory: for tests,
 * single-process tools and throwaway use.
 *
 * @module
 */

import { CredboxError } from "../errors.ts";
import {
  type Backend,
  DEFAULT_LIST_LIMIT,
  type DeleteCondition,
  type ListOptions,
  type ListPage,
  type PutCondition,
  type StoredObject,
} from "./backend.ts";
import { checkListOptions, checkName, pageOf } from "./names.ts";

/**
 * Keeps records in a `Map`, with versions from a counter.
 *
 * @example
 * ```ts
 * import { MemoryBackend } from "@credbox/credbox";
 *
 * const backend = new MemoryBackend();
 * const first = await backend.put("ana", new Uint8Array([1]), { ifVersion: null });
 * await backend.put("ana", new Uint8Array([2]), { ifVersion: first.version });
 * console.assert((await backend.list()).names[0] === "ana");
 * ```
 */
export class MemoryBackend implements Backend {
  #objects = new Map<string, StoredObject>();
  #counter = 0;

  /** The object under `name`, or `undefined`. */
  get(name: string): Promise<StoredObject | undefined> {
    checkName(name);
    const found = this.#objects.get(name);
    return Promise.resolve(
      found && { bytes: found.bytes.slice(), version: found.version },
    );
  }

  /** Store a copy of `bytes` under `name` if `condition` holds. */
  put(
    name: string,
    bytes: Uint8Array,
    condition?: PutCondition,
  ): Promise<{ version: string }> {
    try {
      checkName(name);
      const current = this.#objects.get(name);
      checkCondition(name, current?.version, condition?.ifVersion);
      const version = `m${++this.#counter}`;
      this.#objects.set(name, { bytes: bytes.slice(), version });
      return Promise.resolve({ version });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Remove `name` if `condition` holds; true if it existed. */
  delete(name: string, condition?: DeleteCondition): Promise<boolean> {
    try {
      checkName(name);
      const current = this.#objects.get(name);
      if (condition) {
        checkCondition(name, current?.version, condition.ifVersion);
      }
      return Promise.resolve(this.#objects.delete(name));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** One page of names in ascending order. */
  list(options: ListOptions = {}): Promise<ListPage> {
    try {
      checkListOptions(options);
      const names = [...this.#objects.keys()].sort();
      return Promise.resolve(
        pageOf(names, options, options.limit ?? DEFAULT_LIST_LIMIT),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

function checkCondition(
  name: string,
  current: string | undefined,
  wanted: string | null | undefined,
): void {
  if (wanted === undefined) return;
  if (wanted === null ? current !== undefined : current !== wanted) {
    throw new CredboxError(
      "CONFLICT",
      wanted === null
        ? `'${name}' already exists`
        : `'${name}' is not at the expected version`,
    );
  }
}
