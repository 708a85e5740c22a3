/**
 * Credential ids and the storage names they map to.
 *
 * An id is what the caller names a credential by, usually an email address.
 * A storage name is what a backend files it under: a path segment or object
 * key that is safe everywhere, including case-insensitive and
 * normalization-insensitive file systems.
 *
 * @module
 */

import { CredboxError } from "./errors.ts";

/** The most UTF-8 bytes an id may have, after NFC normalization. */
export const MAX_ID_BYTES = 256;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

// Control characters: C0, DEL, C1, and the Unicode line and paragraph
// separators, which break log lines and headers as badly as a newline.
// deno-lint-ignore no-control-regex -- matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

// Ids that need no normalizing and hold nothing to reject.
const PRINTABLE_ASCII = new RegExp(`^[\\x20-\\x7e]{1,${MAX_ID_BYTES}}$`);

/**
 * Check an id and return its canonical (NFC) form.
 *
 * @throws {CredboxError} `INVALID_ID` when it is not a string, is empty,
 * longer than 256 UTF-8 bytes, not well-formed Unicode, or holds a control
 * character.
 *
 * @example
 * ```ts
 * import { normalizeId } from "@credbox/credbox";
 *
 * console.assert(normalizeId("ana@example.com") === "ana@example.com");
 * // "é" typed as "e" + a combining accent becomes one code point
 * console.assert(normalizeId("jose\u0301") === "jos\u00e9");
 * ```
 */
export function normalizeId(id: unknown): string {
  if (typeof id !== "string") {
    throw new CredboxError(
      "INVALID_ID",
      `Invalid id: expected a string, got ${typeName(id)}`,
    );
  }
  // Most ids are e-mail addresses. Printable ASCII is its own NFC form, one
  // UTF-8 byte a character and free of control characters, so one test
  // settles it: the checks below took about 1 µs an id, and the token route
  // checks its id twice.
  if (PRINTABLE_ASCII.test(id)) return id;
  if (id.length === 0) {
    throw new CredboxError("INVALID_ID", "Invalid id: it is empty");
  }
  if (!id.isWellFormed()) {
    throw new CredboxError(
      "INVALID_ID",
      "Invalid id: it holds a lone surrogate (not well-formed Unicode)",
    );
  }
  const normal = id.normalize("NFC");
  const bytes = encoder.encode(normal).length;
  if (bytes > MAX_ID_BYTES) {
    throw new CredboxError(
      "INVALID_ID",
      `Invalid id: ${bytes} UTF-8 bytes, at most ${MAX_ID_BYTES} allowed`,
    );
  }
  const control = CONTROL.exec(normal);
  if (control) {
    const code = control[0].codePointAt(0)!.toString(16).padStart(4, "0");
    throw new CredboxError(
      "INVALID_ID",
      `Invalid id: control character U+${code.toUpperCase()} at index ${control.index}`,
    );
  }
  return normal;
}

/**
 * The storage name of an id: injective, ASCII, and safe as a file name or an
 * S3 key.
 *
 * Lower-case letters, digits and `@ _ -` stay as they are, and so does `.`
 * except first or last (so no name is `.`, `..`, hidden, or loses a trailing
 * dot on Windows). Every other UTF-8 byte becomes `%XX` with upper-case hex.
 * Upper-case letters are escaped too, so two ids that differ only in case
 * never meet on a case-insensitive file system: a lower-case letter only ever
 * appears as itself and an upper-case one only inside an escape.
 *
 * @throws {CredboxError} `INVALID_ID` for an invalid id.
 *
 * @example
 * ```ts
 * import { storageName } from "@credbox/credbox";
 *
 * console.assert(storageName("ana@example.com") === "ana@example.com");
 * console.assert(storageName("../x") === "%2E.%2Fx");
 * console.assert(storageName("Ana") === "%41na");
 * ```
 */
export function storageName(id: string): string {
  return encodeName(normalizeId(id), true);
}

/**
 * The id a storage name was made from, or `undefined` when `name` is not a
 * storage name (a foreign object in the same bucket or folder).
 *
 * @example
 * ```ts
 * import { idFromStorageName } from "@credbox/credbox";
 *
 * console.assert(idFromStorageName("%41na") === "Ana");
 * console.assert(idFromStorageName("Ana") === undefined);
 * ```
 */
export function idFromStorageName(name: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === "%") {
      const hex = name.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (SAFE.test(ch)) {
      bytes.push(ch.charCodeAt(0));
    } else {
      return undefined;
    }
  }
  let id: string;
  try {
    id = decoder.decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
  // Only the canonical encoding of a valid id counts, so one id never has
  // two names.
  try {
    return storageName(id) === name ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The storage-name prefix that every name of an id starting with `prefix`
 * starts with. The result may be shorter than the exact encoding (a trailing
 * dot is escaped only at the end of a whole id), so callers filter the ids
 * they decode with `id.startsWith(prefix)` as well.
 *
 * @throws {CredboxError} `INVALID_ID` when `prefix` is not a string or not
 * well-formed Unicode.
 *
 * @example
 * ```ts
 * import { storagePrefix } from "@credbox/credbox";
 *
 * console.assert(storagePrefix("ana@") === "ana@");
 * console.assert(storagePrefix("ana.") === "ana");
 * ```
 */
export function storagePrefix(prefix: string): string {
  if (typeof prefix !== "string") {
    throw new CredboxError(
      "INVALID_ID",
      `Invalid prefix: expected a string, got ${typeName(prefix)}`,
    );
  }
  if (prefix === "") return "";
  // TextEncoder would turn a lone surrogate into U+FFFD, a prefix no name
  // of a matching id starts with.
  if (!prefix.isWellFormed()) {
    throw new CredboxError(
      "INVALID_ID",
      "Invalid prefix: it holds a lone surrogate (not well-formed Unicode)",
    );
  }
  const encoded = encodeName(prefix.normalize("NFC"), false);
  return encoded.endsWith(".") ? encoded.slice(0, -1) : encoded;
}

const SAFE = /^[a-z0-9@_.-]$/;

function encodeName(id: string, whole: boolean): string {
  const bytes = encoder.encode(id);
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const isDot = b === 0x2e;
    const edgeDot = isDot && (i === 0 || (whole && i === bytes.length - 1));
    if (!edgeDot && b < 0x80 && SAFE.test(String.fromCharCode(b))) {
      out += String.fromCharCode(b);
    } else {
      out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
    }
  }
  return out;
}

/** A short description of a value's type for error messages. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  return type === "object" ? "an object" : type;
}
