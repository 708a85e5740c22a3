/**
 * A backend that keeps each record as a file in a local folder.
 *
 * It needs a local file system and Deno's file APIs: it runs on Deno (with
 * `--allow-read` and `--allow-write` for the folder), not on Deno Deploy or
 * Cloudflare Workers, which have no writable disk; use the S3 backend there.
 * Network file systems (NFS, SMB) are not supported: their `flock` and
 * `rename` do not give the guarantees relied on below.
 *
 * All runtime-specific code of the backend lives in this file, in
 * `fs_layout.ts` and in `fs_lock.ts`.
 *
 * @module
 */

import { CredboxError } from "../errors.ts";
import { typeName } from "../id.ts";
import {
  type Backend,
  DEFAULT_LIST_LIMIT,
  type DeleteCondition,
  type ListOptions,
  type ListPage,
  type PutCondition,
  type StoredObject,
} from "./backend.ts";
import {
  ensureFolder,
  ensureParents,
  folderPath,
  isNotFound,
  listNames,
  parentOf,
  pathOf,
  removeEmptyDirs,
  syncDir,
  writeTemp,
} from "./fs_layout.ts";
import { FolderLock } from "./fs_lock.ts";
import { checkListOptions, checkName, pageOf } from "./names.ts";

// This entry stands alone, so its users can name the types its methods use.
export type {
  Backend,
  DeleteCondition,
  ListOptions,
  ListPage,
  PutCondition,
  StoredObject,
} from "./backend.ts";

/**
 * Options of {@linkcode FsBackend}.
 *
 * @example
 * ```ts
 * import { FsBackend, type FsBackendOptions } from "@credbox/credbox/fs";
 *
 * const options: FsBackendOptions = { dir: await Deno.makeTempDir() };
 * const backend = new FsBackend(options);
 * console.assert((await backend.list()).names.length === 0);
 * await Deno.remove(options.dir as string, { recursive: true });
 * ```
 */
export interface FsBackendOptions {
  /**
   * The folder that holds the records: a path or a `file:` URL. It is made
   * (mode 0700) on the first write when missing; an existing folder keeps
   * the mode it has.
   */
  dir: string | URL;
}

/**
 * Keeps each record in `<dir>/<name>.cbx`, written atomically (a temporary
 * file, fsync, rename) so a crash leaves the old record or the new one.
 * Conditional writes hold across processes sharing the folder: they are
 * checked and applied under an exclusive `flock` of `<dir>/.lock`.
 *
 * A version is the SHA-256 of the record's bytes, so every process sees the
 * same version for the same file without storing one beside it.
 *
 * @example Compare-and-set on a local folder
 * ```ts
 * import { FsBackend } from "@credbox/credbox/fs";
 *
 * const dir = await Deno.makeTempDir();
 * const backend = new FsBackend({ dir });
 * const first = await backend.put("ana", new Uint8Array([1]), {
 *   ifVersion: null,
 * });
 * await backend.put("ana", new Uint8Array([2]), { ifVersion: first.version });
 * console.assert((await backend.list()).names[0] === "ana");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class FsBackend implements Backend {
  #dir: string;
  #ready: Promise<void> | undefined;
  #lock: FolderLock;

  /**
   * Check the options; nothing touches the disk until the first call.
   *
   * @throws {CredboxError} `INVALID_CONFIG` when `dir` is not a non-empty
   * path or a `file:` URL.
   */
  constructor(options: FsBackendOptions) {
    if (typeof options !== "object" || options === null) {
      throw new CredboxError(
        "INVALID_CONFIG",
        `Cannot open fs backend: options must be an object, got ${
          typeName(options)
        }`,
      );
    }
    if (typeof (globalThis as { Deno?: unknown }).Deno === "undefined") {
      // Node, Bun and Workers have no Deno file API (and Node no flock).
      throw new CredboxError(
        "INVALID_CONFIG",
        "Cannot open fs backend: it needs Deno's file system API; on Node, " +
          "Bun or Workers use S3Backend or MemoryBackend",
      );
    }
    this.#dir = folderPath(options.dir);
    this.#lock = new FolderLock(this.#dir);
  }

  /** The record under `name`, or `undefined` when there is none. */
  async get(name: string): Promise<StoredObject | undefined> {
    checkName(name);

    // No lock: a rename swaps the whole file, so a read sees one record.
    try {
      const bytes = await Deno.readFile(pathOf(this.#dir, name));
      return { bytes, version: await versionOf(bytes) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.#fail("read", name, error);
    }
  }

  /** Store `bytes` under `name` if `condition` holds; the new version. */
  async put(
    name: string,
    bytes: Uint8Array,
    condition?: PutCondition,
  ): Promise<{ version: string }> {
    checkName(name);
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError("Backend put: 'bytes' must be a Uint8Array");
    }
    const data = bytes.slice();
    const version = await versionOf(data);

    try {
      // A condition that already fails needs no temp file and no lock: the
      // put fails as of this read, which is as good a moment as any other.
      await this.#check(name, condition?.ifVersion);
      await this.#ensureFolder();
      // Written and synced before taking the lock, to keep it held briefly.
      const temp = await writeTemp(this.#dir, data);
      let renamed = false;
      try {
        await this.#lock.run(async () => {
          await this.#check(name, condition?.ifVersion);
          const target = pathOf(this.#dir, name);
          const made = await ensureParents(this.#dir, target);
          await Deno.rename(temp, target);
          renamed = true;
          await syncDir(parentOf(target));
          for (const dir of made) await syncDir(parentOf(dir));
        });
      } finally {
        if (!renamed) await Deno.remove(temp).catch(() => {});
      }
    } catch (error) {
      throw this.#fail("write", name, error);
    }
    return { version };
  }

  /** Remove `name` if `condition` holds; true if it existed. */
  async delete(name: string, condition?: DeleteCondition): Promise<boolean> {
    checkName(name);

    try {
      await this.#ensureFolder();
      return await this.#lock.run(async () => {
        if (condition) await this.#check(name, condition.ifVersion);
        const target = pathOf(this.#dir, name);
        try {
          await Deno.remove(target);
        } catch (error) {
          if (isNotFound(error)) return false;
          throw error;
        }
        await syncDir(parentOf(target));
        await removeEmptyDirs(this.#dir, target);
        return true;
      });
    } catch (error) {
      throw this.#fail("delete", name, error);
    }
  }

  /** One page of names in ascending order. */
  async list(options: ListOptions = {}): Promise<ListPage> {
    checkListOptions(options);

    let names: string[];
    try {
      names = await listNames(this.#dir, options.prefix ?? "");
    } catch (error) {
      throw this.#fail("list", undefined, error);
    }
    names.sort();
    return pageOf(names, options, options.limit ?? DEFAULT_LIST_LIMIT);
  }

  /**
   * Throws `CONFLICT` unless the record is at `wanted`. Only a pass under
   * the lock is final; a failure is final anywhere.
   */
  async #check(name: string, wanted: string | null | undefined) {
    if (wanted === undefined) return;
    const current = await this.get(name);
    if (wanted === null ? current !== undefined : current?.version !== wanted) {
      throw new CredboxError(
        "CONFLICT",
        wanted === null
          ? `'${name}' already exists`
          : `'${name}' is not at the expected version`,
      );
    }
  }

  #ensureFolder(): Promise<void> {
    this.#ready ??= ensureFolder(this.#dir).catch((error) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  #fail(op: string, name: string | undefined, error: unknown): CredboxError {
    if (error instanceof CredboxError) return error;
    const what = name === undefined ? "" : ` '${name}'`;
    const writes = op !== "read" && op !== "list";
    let reason: string;
    if (error instanceof Deno.errors.NotCapable) {
      reason = `run Deno with --allow-read${
        writes ? " and --allow-write" : ""
      } for this folder`;
    } else if (error instanceof Deno.errors.PermissionDenied) {
      reason = `this process needs ${
        writes ? "read, write and search (x)" : "read and search (x)"
      } permission on the folder and its files`;
    } else {
      reason = error instanceof Error ? error.message : String(error);
    }
    return new CredboxError(
      "BACKEND",
      `Cannot ${op}${what} in fs backend '${this.#dir}': ${reason}`,
      { cause: error },
    );
  }
}

/**
 * The first 128 bits of the SHA-256 of `bytes`, in hex. A hash repeats only
 * when the bytes do, so a version could come back (A, then B, then A again
 * passes a check against the first A) only if a record were written twice
 * with identical bytes. Records sealed by credbox never are: each has a
 * fresh data key and IV. For such a write the contents match, so a
 * compare-and-set that passes still acts on the bytes the caller read.
 */
async function versionOf(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  let hex = "";
  for (const b of digest.subarray(0, 16)) {
    hex += b.toString(16).padStart(2, "0");
  }
  return hex;
}
