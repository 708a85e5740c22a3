/**
 * Where `FsBackend` keeps records in its folder, and the file
 * operations it builds on. Internal: not part of the public surface.
 *
 * A name becomes `<name>.cbx`. A name can be 768 characters but a file name
 * only 255 bytes, so a longer name is cut into segments of 200 characters:
 * every segment but the last becomes a subfolder `<segment>.d`, the last
 * becomes `<segment>.cbx`. A subfolder segment is exactly 200 characters, so
 * never `.` or `..`, and the `.d` suffix keeps it from meeting a record file
 * (a 196-character name makes a 200-character file name that could equal a
 * segment, but never one ending in `.d`).
 *
 * @module
 */

import { CredboxError } from "../errors.ts";
import { typeName } from "../id.ts";
import { checkName } from "./names.ts";

/** The lock file, in the folder; never listed (it starts with a dot). */
export const LOCK_FILE = ".lock";

const TEMP_PREFIX = ".tmp-";
const RECORD = ".cbx";
const SUBFOLDER = ".d";
const SEGMENT = 200;
const MAX_NAME = 768;
// Long enough that no write in progress is still using its temp file.
const STALE_TEMP_MS = 60 * 60_000;

/**
 * The folder `dir` names, as a path.
 *
 * @throws {CredboxError} `INVALID_CONFIG` unless it is a non-empty path or
 * a `file:` URL.
 */
export function folderPath(dir: unknown): string {
  const invalid = (got: string) =>
    new CredboxError(
      "INVALID_CONFIG",
      `Cannot open fs backend: 'dir' must be a non-empty path or a file: URL, got ${got}`,
    );
  let path: string;
  if (dir instanceof URL) {
    if (dir.protocol !== "file:" || dir.host !== "") {
      throw invalid(`'${dir.href}'`);
    }
    path = decodeURIComponent(dir.pathname);
    // "file:///C:/x" has the path "/C:/x"; Windows wants "C:/x".
    if (Deno.build.os === "windows") path = path.replace(/^\/(?=\w:)/, "");
  } else if (typeof dir === "string") {
    path = dir;
  } else {
    throw invalid(typeName(dir));
  }
  if (path === "" || path.includes("\0")) throw invalid(JSON.stringify(dir));
  // Keep a root ("/", "C:\") whole; drop other trailing separators.
  return path.replace(/(?<=[^\\/:])[\\/]+$/, "");
}

/** The path of the record `name` in the folder `dir`. */
export function pathOf(dir: string, name: string): string {
  let path = dir;
  let at = 0;
  while (name.length - at > SEGMENT) {
    path += `/${name.slice(at, at + SEGMENT)}${SUBFOLDER}`;
    at += SEGMENT;
  }
  return `${path}/${name.slice(at)}${RECORD}`;
}

/** Make the missing subfolders of `target`; the ones made, deepest last. */
export async function ensureParents(
  top: string,
  target: string,
): Promise<string[]> {
  const made: string[] = [];
  let at = top;
  for (const part of target.slice(top.length + 1).split("/").slice(0, -1)) {
    at = `${at}/${part}`;
    try {
      await Deno.mkdir(at, { mode: 0o700 });
      made.push(at);
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
  }
  return made;
}

/** The folder that holds `path`. */
export function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}

/** True for the errors a read of a missing record ends in. */
export function isNotFound(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound ||
    error instanceof Deno.errors.NotADirectory;
}

/**
 * Every record name in `dir` that starts with `prefix`, unsorted. Temp and
 * lock files, foreign files and folders are skipped; a missing folder holds
 * nothing.
 */
export async function listNames(
  dir: string,
  prefix: string,
): Promise<string[]> {
  const names: string[] = [];

  async function walk(path: string, above: string): Promise<void> {
    const files: string[] = [];
    const folders: string[] = [];
    try {
      for await (const entry of Deno.readDir(path)) {
        if (above === "" && entry.name.startsWith(".")) continue;
        if (entry.isFile) files.push(entry.name);
        else if (entry.isDirectory) folders.push(entry.name);
      }
    } catch (error) {
      // A folder not made yet holds nothing, and a subfolder can be emptied
      // and removed by a delete after we saw it.
      const gone = above === ""
        ? error instanceof Deno.errors.NotFound
        : isNotFound(error);
      if (gone) return;
      throw error;
    }

    for (const file of files) {
      const part = file.slice(0, -RECORD.length);
      const name = above + part;
      if (
        file.endsWith(RECORD) && part.length >= 1 && part.length <= SEGMENT &&
        name.startsWith(prefix) && isName(name)
      ) {
        names.push(name);
      }
    }
    for (const folder of folders) {
      const part = above + folder.slice(0, -SUBFOLDER.length);
      if (
        folder.endsWith(SUBFOLDER) &&
        folder.length === SEGMENT + SUBFOLDER.length &&
        part.length < MAX_NAME &&
        (part.startsWith(prefix) || prefix.startsWith(part))
      ) {
        await walk(`${path}/${folder}`, part);
      }
    }
  }

  await walk(dir, "");
  return names;
}

function isName(name: string): boolean {
  try {
    checkName(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Make the folder (0700) when it is missing, and clear temp files that a
 * crashed writer left behind. A writer stalled for longer than
 * `STALE_TEMP_MS` loses its temp file and fails; it never tears a record.
 */
export async function ensureFolder(dir: string): Promise<void> {
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) throw new Error("it is not a folder");
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    // The mode given to mkdir is masked by the umask; make it exact.
    if (Deno.build.os !== "windows") await Deno.chmod(dir, 0o700);
  }

  try {
    const cutoff = Date.now() - STALE_TEMP_MS;
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.startsWith(TEMP_PREFIX)) continue;
      const path = `${dir}/${entry.name}`;
      const { mtime } = await Deno.lstat(path);
      if (mtime && mtime.getTime() < cutoff) await Deno.remove(path);
    }
  } catch {
    // Best effort: a leftover temp file wastes space and nothing else.
  }
}

/** Write `bytes` to a new temp file in `dir`, synced; its path. */
export async function writeTemp(
  dir: string,
  bytes: Uint8Array,
): Promise<string> {
  const random = crypto.getRandomValues(new Uint8Array(12));
  const path = `${dir}/${TEMP_PREFIX}${
    Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("")
  }`;
  const file = await Deno.open(path, {
    write: true,
    createNew: true,
    mode: 0o600,
  });
  try {
    for (let at = 0; at < bytes.length;) {
      at += await file.write(bytes.subarray(at));
    }
    await file.sync();
  } catch (error) {
    file.close();
    await Deno.remove(path).catch(() => {});
    throw error;
  }
  file.close();
  return path;
}

/**
 * Flush a folder's entries to disk so a rename survives a power cut. Best
 * effort: Windows cannot open a folder as a file (NTFS journals the rename
 * itself), and some file systems refuse to sync one.
 */
export async function syncDir(path: string): Promise<void> {
  try {
    const folder = await Deno.open(path, { read: true });
    try {
      await folder.sync();
    } finally {
      folder.close();
    }
  } catch {
    // See above: nothing more can be done here.
  }
}

/**
 * Remove the subfolders of `target` that its delete left empty, deepest
 * first. Call under the write lock, so no writer is filling them meanwhile.
 */
export async function removeEmptyDirs(
  top: string,
  target: string,
): Promise<void> {
  let path = parentOf(target);
  while (path.length > top.length) {
    try {
      await Deno.remove(path);
    } catch {
      return; // Not empty, or already gone: either way, done.
    }
    path = parentOf(path);
    await syncDir(path);
  }
}
