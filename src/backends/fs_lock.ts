/**
 * How `FsBackend` writers take turns: an in-process queue, then an
 * exclusive `flock` on the folder's lock file. Internal: not part of the
 * public surface.
 *
 * @module
 */

import { LOCK_FILE } from "./fs_layout.ts";

/** The write lock of one `FsBackend` instance on its folder. */
export class FolderLock {
  #dir: string;
  // Serializes this instance's writers before they queue on the file lock,
  // so waiting callers park here instead of in blocking `flock` threads.
  #tail: Promise<void> = Promise.resolve();

  /** A lock on `dir`; nothing touches the disk until the first `run`. */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /**
   * Run `fn` holding this instance's queue and then an exclusive `flock` on
   * the lock file, so one writer at a time checks a version and renames,
   * across every process that shares the folder. The kernel drops a `flock`
   * when its holder's file is closed, including when the process dies, so a
   * writer killed with SIGKILL never leaves a stale lock behind.
   */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise((resolve) => release = resolve);
    await previous;

    try {
      const lock = await Deno.open(`${this.#dir}/${LOCK_FILE}`, {
        read: true,
        write: true,
        create: true,
        mode: 0o600,
      });
      try {
        await lock.lock(true);
        return await fn();
      } finally {
        lock.close();
      }
    } finally {
      release();
    }
  }
}
