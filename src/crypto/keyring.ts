/**
 * The keyring: the 256-bit keys that wrap every record's data key.
 *
 * Its text form is what `CREDBOX_KEYS` holds, `id:base64` entries separated
 * by commas. The first key is the primary: it seals new records. Every key
 * opens the records sealed with it, so a new key goes in front and the old
 * ones stay until nothing is sealed with them any more.
 *
 * @module
 */

import { CredboxError } from "../errors.ts";
import { type EnvSource, envValue } from "../runtime.ts";
import {
  checkEntries,
  type Entry,
  KEY_ID,
  newEntryText,
} from "./keyring_text.ts";

// Guards the constructor: a keyring is only ever built from checked keys.
const BUILD = Symbol("Keyring.build");

let keyOf: (keyring: Keyring, id: string) => CryptoKey | undefined;
let build: (keys: Map<string, CryptoKey>) => Keyring;

/**
 * A set of AES-KW keys, each with a short id; the first one is primary.
 *
 * Keys are imported non-extractable and kept in private fields: printing,
 * inspecting or serializing a keyring shows only its ids.
 *
 * @example Parse, inspect, rotate
 * ```ts
 * import { Keyring } from "@credbox/credbox";
 *
 * const old = Keyring.newEntry("k1");
 * const text = Keyring.withPrimary(old, Keyring.newEntry("k2"));
 * const keyring = await Keyring.parse(text);
 * console.assert(keyring.primaryId === "k2");
 * console.assert(keyring.has("k1"));
 * // Printing shows ids, never keys
 * console.assert(String(keyring).includes('ids: ["k2", "k1"]'));
 * ```
 */
export class Keyring {
  #keys: ReadonlyMap<string, CryptoKey>;
  #ids: readonly string[];

  static {
    keyOf = (keyring, id) => keyring.#keys.get(id);
    build = (keys) => new Keyring(BUILD, keys);
  }

  private constructor(token: symbol, keys: Map<string, CryptoKey>) {
    if (token !== BUILD) {
      throw new TypeError(
        "Cannot build a Keyring directly: use Keyring.parse or fromEnv",
      );
    }
    this.#keys = keys;
    this.#ids = Object.freeze([...keys.keys()]);
  }

  /**
   * Read the `id:base64,id:base64` form. Whitespace around entries and one
   * trailing comma are tolerated.
   *
   * @throws {CredboxError} `INVALID_CONFIG` naming the entry's position and
   * the rule it breaks; never its value.
   *
   * @example
   * ```ts
   * import { Keyring } from "@credbox/credbox";
   *
   * const text = `${Keyring.newEntry("a")}, ${Keyring.newEntry("b")},`;
   * const keyring = await Keyring.parse(text);
   * console.assert(keyring.ids.join() === "a,b");
   * ```
   */
  static parse(text: string): Promise<Keyring> {
    try {
      return importAll(checkEntries(text, "keyring"));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Read `CREDBOX_KEYS` from `env`, or from the runtime's environment.
   *
   * @throws {CredboxError} `INVALID_CONFIG` when it is unset or malformed.
   *
   * @example
   * ```ts
   * import { Keyring } from "@credbox/credbox";
   *
   * const env = { CREDBOX_KEYS: Keyring.newEntry("prod-1") };
   * const keyring = await Keyring.fromEnv(env);
   * console.assert(keyring.primaryId === "prod-1");
   * ```
   */
  static fromEnv(env?: EnvSource): Promise<Keyring> {
    try {
      const text = envValue("CREDBOX_KEYS", env);
      if (text === undefined) {
        throw new CredboxError(
          "INVALID_CONFIG",
          "CREDBOX_KEYS is not set: make a key with " +
            "`deno run -A jsr:@credbox/credbox/cli keygen` and set " +
            "CREDBOX_KEYS to the line it prints",
        );
      }
      return importAll(checkEntries(text, "CREDBOX_KEYS"));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * A fresh key in the `id:base64` form, from the platform's secure random
   * source. Without `id`, a random one like `k3f9a01c2`.
   *
   * @throws {CredboxError} `INVALID_CONFIG` when `id` breaks the id rule.
   *
   * @example
   * ```ts
   * import { Keyring } from "@credbox/credbox";
   *
   * const entry = Keyring.newEntry("2025-10");
   * console.assert(entry.startsWith("2025-10:") && entry.length === 52);
   * ```
   */
  static newEntry(id?: string): string {
    return newEntryText(id);
  }

  /**
   * `text` with `entry` (by default a fresh key) in front as the new
   * primary. Rotation starts here: the old keys stay, so records sealed
   * with them still open.
   *
   * @throws {CredboxError} `INVALID_CONFIG` when either part is malformed
   * or the new id is already in `text`.
   *
   * @example
   * ```ts
   * import { Keyring } from "@credbox/credbox";
   *
   * const next = Keyring.newEntry("k2");
   * const rotated = Keyring.withPrimary(Keyring.newEntry("k1"), next);
   * console.assert(rotated.startsWith("k2:") && rotated.includes(",k1:"));
   * ```
   */
  static withPrimary(text: string, entry?: string): string {
    const entries = checkEntries(text, "keyring");
    const added = checkEntries(entry ?? Keyring.newEntry(), "new key");
    if (added.length !== 1) {
      throw new CredboxError(
        "INVALID_CONFIG",
        `Invalid new key: expected one id:base64 entry, got ${added.length}`,
      );
    }
    const [first] = added;
    if (entries.some(({ id }) => id === first.id)) {
      throw new CredboxError(
        "INVALID_CONFIG",
        `Cannot add key '${first.id}': the keyring already has that id`,
      );
    }
    return [first, ...entries].map(({ text }) => text).join(",");
  }

  /**
   * An in-memory keyring with one random key, for tests and throwaway use.
   *
   * @example
   * ```ts
   * import { Keyring } from "@credbox/credbox";
   *
   * const keyring = await Keyring.generate();
   * console.assert(keyring.ids.length === 1);
   * ```
   */
  static generate(): Promise<Keyring> {
    return Keyring.parse(Keyring.newEntry());
  }

  /** The id of the key that seals new records. */
  get primaryId(): string {
    return this.#ids[0];
  }

  /** Every key id, primary first. */
  get ids(): readonly string[] {
    return this.#ids;
  }

  /** True when the keyring holds a key with this id. */
  has(id: string): boolean {
    return this.#keys.has(id);
  }

  /** `Keyring { primary: "k1", ids: ["k1", "k2"] }`: ids, never keys. */
  toString(): string {
    // Key ids are [A-Za-z0-9_-], so quoting needs no escapes.
    const ids = this.#ids.map((id) => `"${id}"`).join(", ");
    return `Keyring { primary: "${this.primaryId}", ids: [${ids}] }`;
  }

  /** The ids only, so a keyring in a logged object leaks nothing. */
  toJSON(): { primary: string; ids: string[] } {
    return { primary: this.primaryId, ids: [...this.#ids] };
  }

  /** What `Deno.inspect` and `console.log` show in Deno. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  /** What `util.inspect` and `console.log` show in Node and Bun. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/**
 * The wrapping key with this id, or `undefined`. Internal: for the record
 * envelope only, and not exported from the package.
 *
 * @ignore
 */
export function wrappingKey(
  keyring: Keyring,
  id: string,
): CryptoKey | undefined {
  return keyOf(keyring, id);
}

/** True when `id` is a well-formed key id. Internal. @ignore */
export function isKeyId(id: string): boolean {
  return KEY_ID.test(id);
}

async function importAll(entries: Entry[]): Promise<Keyring> {
  const keys = new Map<string, CryptoKey>();
  try {
    for (const { id, bytes } of entries) {
      const key = await crypto.subtle.importKey(
        "raw",
        bytes,
        "AES-KW",
        false,
        ["wrapKey", "unwrapKey"],
      );
      keys.set(id, key);
    }
  } finally {
    // The CryptoKeys hold their own copies; ours need not outlive them.
    for (const { bytes } of entries) bytes.fill(0);
  }
  return build(keys);
}
