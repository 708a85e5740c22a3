/**
 * The known-answer vectors of record format v1, shared by the Deno tests
 * (tests/envelope_test.ts) and the portable suite every runtime runs, so
 * both check the very same bytes.
 *
 * @module
 */

import { Keyring } from "../../src/crypto/keyring.ts";
import type { SealContext } from "../../src/crypto/envelope.ts";

/** UTF-8 bytes of `text`. */
export const encode = (text: string): Uint8Array =>
  new TextEncoder().encode(text);
/** `bytes` read as UTF-8. */
export const decode = (bytes: Uint8Array): string =>
  new TextDecoder().decode(bytes);
/** Lower-case hex of `bytes`. */
export const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
/** The bytes a hex string spells. */
export const fromHex = (text: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
/** Standard base64 of `bytes`. */
export const base64 = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes));
/** `length` bytes, the i-th being `at(i)`. */
export const bytesOf = (
  length: number,
  at: (i: number) => number,
): Uint8Array<ArrayBuffer> => Uint8Array.from({ length }, (_, i) => at(i));
/** A random source that hands out fixed bytes in order. */
export const fixed =
  (...parts: Uint8Array[]): (n: number) => Uint8Array => () => parts.shift()!;

// Vector 1: KEK and data key are those of RFC 3394 section 4.6, so the
// wrapped key must equal that RFC's published output.
/** Key-encryption key of vector 1 (RFC 3394 section 4.6). */
export const KEK_1: Uint8Array<ArrayBuffer> = bytesOf(32, (i) => i);
/** Data key of vector 1 (RFC 3394 section 4.6). */
export const DATA_KEY_1: Uint8Array<ArrayBuffer> = fromHex(
  "00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f",
);
/** RFC 3394's published wrap of `DATA_KEY_1` under `KEK_1`. */
export const RFC3394_WRAPPED: string =
  "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326" +
  "cbc7f0e71a99f43bfb988b9b7a02dd21";
/** IV of vector 1. */
export const IV_1: Uint8Array<ArrayBuffer> = fromHex(
  "cafebabefacedbaddecaf888",
);
/** Namespace and id vector 1 is bound to. */
export const CONTEXT_1: SealContext = {
  namespace: "workspace-mcp",
  id: "ana@example.com",
};
/** Plaintext of vector 1. */
export const PLAIN_1 = '{"token":"ya29.test"}';
// Frozen: computed once, and checked against an independent implementation
// (Python `cryptography`). A change here is a format change.
/** The sealed record of vector 1, in hex. */
export const SEALED_1: string = "4342585201026b31" + RFC3394_WRAPPED +
  "cafebabefacedbaddecaf888" +
  "cbecaf8b9f95888ec5e3d9e4035dcb59f4e9301cbc" +
  "54f4bf338f38df09941194d09a2efb38";

// Vector 2: a longer key id, an empty namespace, a non-ASCII id.
/** Key-encryption key of vector 2. */
export const KEK_2: Uint8Array<ArrayBuffer> = bytesOf(32, (i) => 0xff - i);
/** Data key of vector 2. */
export const DATA_KEY_2: Uint8Array<ArrayBuffer> = bytesOf(
  32,
  (i) => 0x40 + i,
);
/** IV of vector 2. */
export const IV_2: Uint8Array<ArrayBuffer> = bytesOf(12, (i) => 0x80 + i);
/** Namespace and id vector 2 is bound to. */
export const CONTEXT_2: SealContext = {
  namespace: "",
  id: "jos\u00e9@example.com",
};
/** The sealed record of vector 2 (plaintext "x"), in hex. */
export const SEALED_2: string = "43425852010f323032352d31305f726f7461746564" +
  "d1a94956ed221489839dadbbe1221210e8cc6399e96e92410b545b49059df692" +
  "aaa300bda35d428c" + "808182838485868788898a8b" +
  "55" + "0214b360054a60f9c9dd908472ba44f9";

/** The keyring of vector 1: `KEK_1` as key `k1`. */
export const keyring1 = (): Promise<Keyring> =>
  Keyring.parse(`k1:${base64(KEK_1)}`);
/** The keyring of vector 2: `KEK_2` as key `2025-10_rotated`. */
export const keyring2 = (): Promise<Keyring> =>
  Keyring.parse(`2025-10_rotated:${base64(KEK_2)}`);
