/**
 * The text form of a keyring, as `CREDBOX_KEYS` holds it: `id:base64`
 * entries separated by commas. Reading it checks every entry against the
 * id and key rules; making a fresh entry formats one. Internal: not part of
 * the public surface; `Keyring` in `keyring.ts` is built on it.
 *
 * @module
 */

import { CredboxError } from "../errors.ts";
import { typeName } from "../id.ts";

/** A well-formed key id. */
export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
// 43 characters carry 258 bits; the last one must leave the spare two zero,
// so each key has exactly one spelling.
const KEY_BASE64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=?$/;
const KEY_BYTES = 32;
const ID_RULE = "the key id must be 1 to 32 characters of A-Z a-z 0-9 _ -";
const KEY_RULE = "the key must be standard base64 of exactly 32 bytes";

/** One checked entry: its id, its key bytes and its text. */
export interface Entry {
  id: string;
  bytes: Uint8Array<ArrayBuffer>;
  text: string;
}

/**
 * The entries of `text`, each checked. Whitespace around entries and one
 * trailing comma are tolerated.
 *
 * @throws {CredboxError} `INVALID_CONFIG` naming `source`, the entry's
 * position and the rule it breaks; never its value.
 */
export function checkEntries(text: unknown, source: string): Entry[] {
  const fail = (rule: string): never => {
    throw new CredboxError("INVALID_CONFIG", `Invalid ${source}: ${rule}`);
  };
  if (typeof text !== "string") {
    fail(`expected a string, got ${typeName(text)}`);
  }
  const parts = (text as string).trim().split(",").map((part) => part.trim());
  if (parts.length > 1 && parts.at(-1) === "") parts.pop();
  if (parts.length === 1 && parts[0] === "") fail("it holds no key");

  const entries: Entry[] = [];
  const seen = new Map<string, number>();
  parts.forEach((part, index) => {
    const at = `entry ${index + 1}`;
    if (part === "") fail(`${at} is empty`);
    const colon = part.indexOf(":");
    if (colon < 0) fail(`${at} must be id:base64`);
    const id = part.slice(0, colon);
    const key = part.slice(colon + 1);
    if (!KEY_ID.test(id)) fail(`${at}: ${ID_RULE}`);
    if (!KEY_BASE64.test(key)) fail(`${at}: ${KEY_RULE}`);
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      fail(`entries ${earlier} and ${index + 1} share the key id '${id}'`);
    }
    seen.set(id, index + 1);
    entries.push({ id, bytes: fromBase64(key), text: part });
  });
  return entries;
}

/**
 * A fresh key in the `id:base64` form; without `id`, a random one.
 *
 * @throws {CredboxError} `INVALID_CONFIG` when `id` breaks the id rule.
 */
export function newEntryText(id?: string): string {
  const keyId = id ?? "k" + toHex(randomBytes(4));
  if (typeof keyId !== "string" || !KEY_ID.test(keyId)) {
    const got = typeof keyId === "string"
      ? JSON.stringify(keyId)
      : typeName(keyId);
    throw new CredboxError(
      "INVALID_CONFIG",
      `Cannot make a key: ${ID_RULE}, got ${got}`,
    );
  }
  const key = randomBytes(KEY_BYTES);
  return `${keyId}:${btoa(String.fromCharCode(...key))}`;
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.endsWith("=") ? text : text + "=");
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
