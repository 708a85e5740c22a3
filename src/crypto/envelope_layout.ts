/**
 * The byte layout of a v1 record: its header, where each part sits, and the
 * bytes a record is bound to. Internal: not part of the public surface;
 * `envelope.ts` seals and opens records with it, and docs/format.md
 * describes the same layout for readers.
 *
 * @module
 */

import { typeName } from "../id.ts";
import { isKeyId } from "./keyring.ts";
import type { SealContext } from "./envelope.ts";

/** "CBXR": credbox record. */
const MAGIC = [0x43, 0x42, 0x58, 0x52];
const VERSION = 1;
const WRAPPED_BYTES = 40;
/** The length of a record's AES-GCM IV. */
export const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_KEY_ID_BYTES = 32;

const encoder = new TextEncoder();

/** The parts of a well-formed v1 record. */
export interface Parsed {
  keyId: string;
  /** Header and wrapped key: the authenticated prefix. */
  head: Uint8Array<ArrayBuffer>;
  wrapped: Uint8Array<ArrayBuffer>;
  iv: Uint8Array<ArrayBuffer>;
  body: Uint8Array<ArrayBuffer>;
}

/** The parts of `bytes`, or `undefined` when it is not a v1 record. */
export function parse(bytes: Uint8Array): Parsed | undefined {
  if (bytes.length < MAGIC.length + 2) return undefined;
  if (MAGIC.some((byte, i) => bytes[i] !== byte)) return undefined;
  if (bytes[4] !== VERSION) return undefined;
  const idLength = bytes[5];
  if (idLength < 1 || idLength > MAX_KEY_ID_BYTES) return undefined;

  const wrappedAt = 6 + idLength;
  const ivAt = wrappedAt + WRAPPED_BYTES;
  const bodyAt = ivAt + IV_BYTES;
  if (bytes.length < bodyAt + TAG_BYTES) return undefined;
  // Bytes above 0x7f become Latin-1 letters, which the id rule rejects.
  const keyId = String.fromCharCode(...bytes.subarray(6, wrappedAt));
  if (!isKeyId(keyId)) return undefined;

  return {
    keyId,
    head: bytes.slice(0, ivAt),
    wrapped: bytes.slice(wrappedAt, ivAt),
    iv: bytes.slice(ivAt, bodyAt),
    body: bytes.slice(bodyAt),
  };
}

/** The header of a record sealed with `keyId`: magic, version, key id. */
export function header(keyId: string): Uint8Array<ArrayBuffer> {
  const id = encoder.encode(keyId);
  return concat(
    new Uint8Array(MAGIC),
    new Uint8Array([VERSION, id.length]),
    id,
  );
}

/**
 * The bytes `context` binds into a record's authenticated data. Each part is
 * length-prefixed so no namespace/id pair can pass for another.
 *
 * @throws {TypeError} when `context` is not `{ namespace, id }` strings of
 * well-formed Unicode.
 */
export function contextBytes(context: SealContext): Uint8Array<ArrayBuffer> {
  if (context === null || typeof context !== "object") {
    throw new TypeError(
      `Invalid context: expected { namespace, id }, got ${typeName(context)}`,
    );
  }
  const parts = [context.namespace, context.id].map((value, i) => {
    const name = i === 0 ? "namespace" : "id";
    if (typeof value !== "string") {
      throw new TypeError(
        `Invalid context: '${name}' must be a string, got ${typeName(value)}`,
      );
    }
    // TextEncoder would turn a lone surrogate into U+FFFD, making two
    // different strings bind alike.
    if (!value.isWellFormed()) {
      throw new TypeError(
        `Invalid context: '${name}' is not well-formed Unicode`,
      );
    }
    const bytes = encoder.encode(value);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, bytes.length);
    return concat(length, bytes);
  });
  return concat(...parts);
}

/** `parts` joined into one new array. */
export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
