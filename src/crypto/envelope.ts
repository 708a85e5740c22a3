/**
 * Record format v1: one sealed envelope per credential.
 *
 * Each record gets a fresh 256-bit data key, wrapped with the keyring's
 * primary key (AES-KW), and its bytes are sealed under that data key with
 * AES-256-GCM. The authenticated data binds the header, the wrapped key, the
 * namespace and the record id, so a record moved to another id or namespace
 * does not open. docs/format.md describes the layout byte by byte.
 *
 * @module
 */

import { CredboxError } from "../errors.ts";
import { typeName } from "../id.ts";
import {
  concat,
  contextBytes,
  header,
  IV_BYTES,
  parse,
} from "./envelope_layout.ts";
import { type Keyring, wrappingKey } from "./keyring.ts";

const DATA_KEY_BYTES = 32;

// One message for every way a record fails to open: which check failed is
// exactly what someone probing with forged records wants to learn.
const DECRYPT_FAILED_MESSAGE =
  "Cannot open record: it is damaged, or was sealed for another id, " +
  "namespace or key";

/**
 * What a record is bound to. Opening needs the same namespace and id it was
 * sealed with; the store passes the NFC-normalized id.
 *
 * @example
 * ```ts
 * import type { SealContext } from "@credbox/credbox";
 *
 * const context: SealContext = { namespace: "prod", id: "ana@example.com" };
 * console.assert(context.id === "ana@example.com");
 * ```
 */
export interface SealContext {
  /** The store's namespace; may be empty. */
  namespace: string;
  /** The record id. */
  id: string;
}

/**
 * Options of {@linkcode seal}.
 *
 * @example Fixed randomness, for known-answer tests only
 * ```ts
 * import type { SealOptions } from "@credbox/credbox";
 *
 * const options: SealOptions = { random: (n) => new Uint8Array(n) };
 * console.assert(options.random?.(12).length === 12);
 * ```
 */
export interface SealOptions {
  /**
   * For known-answer tests only: replaces the secure random source. It is
   * called for the data key (32 bytes) and then for the IV (12 bytes), and
   * must return exactly as many bytes as asked for. Reusing its output in
   * production destroys the format's security.
   */
  random?: (length: number) => Uint8Array;
}

/**
 * Seal `plaintext` for `context` with the keyring's primary key.
 *
 * @example
 * ```ts
 * import { Keyring, open, seal } from "@credbox/credbox";
 *
 * const keyring = await Keyring.generate();
 * const context = { namespace: "prod", id: "ana@example.com" };
 * const sealed = await seal(keyring, new TextEncoder().encode("hi"), context);
 * const plain = await open(keyring, sealed, context);
 * console.assert(new TextDecoder().decode(plain) === "hi");
 * ```
 */
export async function seal(
  keyring: Keyring,
  plaintext: Uint8Array,
  context: SealContext,
  options: SealOptions = {},
): Promise<Uint8Array> {
  const message = copyBytes(plaintext, "plaintext");
  const bound = contextBytes(context);
  const keyId = keyring.primaryId;
  const wrapping = wrappingKey(keyring, keyId)!;
  const random = options.random ?? secureRandom;

  const raw = take(random, DATA_KEY_BYTES);
  const iv = take(random, IV_BYTES);
  // Extractable only so wrapKey can export it; it never leaves this call.
  const dataKey = await crypto.subtle.importKey(
    "raw",
    raw,
    "AES-GCM",
    true,
    ["encrypt"],
  );
  raw.fill(0);
  const wrapped = new Uint8Array(
    await crypto.subtle.wrapKey("raw", dataKey, wrapping, "AES-KW"),
  );

  const head = concat(header(keyId), wrapped);
  const body = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: concat(head, bound) },
    dataKey,
    message,
  );
  return concat(head, iv, new Uint8Array(body));
}

/**
 * Open a record sealed by {@linkcode seal} for the same `context`.
 *
 * @throws {CredboxError} `UNKNOWN_KEY`, naming the key id, when the record is
 * well-formed but its key is not in the keyring; `DECRYPT_FAILED`, always
 * with the same message, for every other failure.
 *
 * @example A record moved to another id does not open
 * ```ts
 * import { isCredboxError, Keyring, open, seal } from "@credbox/credbox";
 *
 * const keyring = await Keyring.generate();
 * const sealed = await seal(keyring, new Uint8Array([1, 2, 3]), {
 *   namespace: "prod",
 *   id: "ana@example.com",
 * });
 * const moved = { namespace: "prod", id: "bob@example.com" };
 * const error = await open(keyring, sealed, moved).catch((e) => e);
 * console.assert(isCredboxError(error, "DECRYPT_FAILED"));
 * ```
 */
export async function open(
  keyring: Keyring,
  sealed: Uint8Array,
  context: SealContext,
): Promise<Uint8Array> {
  const bytes = copyBytes(sealed, "sealed");
  const bound = contextBytes(context);
  const record = parse(bytes);
  if (!record) throw decryptFailed();

  const wrapping = wrappingKey(keyring, record.keyId);
  if (!wrapping) {
    throw new CredboxError(
      "UNKNOWN_KEY",
      `Cannot open record: it was sealed with key '${record.keyId}', ` +
        "which is not in the keyring",
    );
  }

  try {
    const dataKey = await crypto.subtle.unwrapKey(
      "raw",
      record.wrapped,
      wrapping,
      "AES-KW",
      "AES-GCM",
      false,
      ["decrypt"],
    );
    const plain = await crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: record.iv,
        additionalData: concat(record.head, bound),
      },
      dataKey,
      record.body,
    );
    return new Uint8Array(plain);
  } catch {
    // The cause would say whether the wrapped key or the tag failed.
    throw decryptFailed();
  }
}

/**
 * The id of the key a record was sealed with, read from its header without
 * decrypting; `undefined` when `sealed` is not a well-formed v1 record.
 * Rotation uses it to find records still sealed with an old key.
 *
 * @example
 * ```ts
 * import { Keyring, seal, sealedKeyId } from "@credbox/credbox";
 *
 * const keyring = await Keyring.parse(Keyring.newEntry("k1"));
 * const sealed = await seal(keyring, new Uint8Array(), {
 *   namespace: "",
 *   id: "ana",
 * });
 * console.assert(sealedKeyId(sealed) === "k1");
 * console.assert(sealedKeyId(new Uint8Array(3)) === undefined);
 * ```
 */
export function sealedKeyId(sealed: Uint8Array): string | undefined {
  return sealed instanceof Uint8Array ? parse(sealed)?.keyId : undefined;
}

function copyBytes(value: Uint8Array, name: string): Uint8Array<ArrayBuffer> {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(
      `Invalid ${name}: expected a Uint8Array, got ${typeName(value)}`,
    );
  }
  return value.slice();
}

function take(
  random: (length: number) => Uint8Array,
  length: number,
): Uint8Array<ArrayBuffer> {
  const bytes = random(length);
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new RangeError(
      `Invalid random source: asked for ${length} bytes, got ${
        bytes instanceof Uint8Array ? bytes.length : typeName(bytes)
      }`,
    );
  }
  return bytes.slice();
}

function secureRandom(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

function decryptFailed(): CredboxError {
  return new CredboxError("DECRYPT_FAILED", DECRYPT_FAILED_MESSAGE);
}
