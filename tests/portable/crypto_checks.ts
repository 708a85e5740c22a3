/**
 * The record format's known-answer checks, on whatever Web Crypto the
 * runtime has: the frozen v1 vectors seal and open byte for byte, and every
 * kind of tampering fails the same way.
 *
 * @module
 */

import assert from "node:assert/strict";
import { open, seal, sealedKeyId } from "../../src/crypto/envelope.ts";
import { Keyring } from "../../src/crypto/keyring.ts";
import { CredboxError } from "../../src/errors.ts";
import type { Register } from "./harness.ts";
import {
  base64,
  CONTEXT_1,
  CONTEXT_2,
  DATA_KEY_1,
  DATA_KEY_2,
  decode,
  encode,
  fixed,
  fromHex,
  hex,
  IV_1,
  IV_2,
  KEK_1,
  keyring1,
  keyring2,
  PLAIN_1,
  RFC3394_WRAPPED,
  SEALED_1,
  SEALED_2,
} from "./vectors.ts";

async function failure(promise: Promise<unknown>): Promise<CredboxError> {
  const error = await promise.then(
    () => assert.fail("expected the record not to open"),
    (e) => e,
  );
  assert.ok(error instanceof CredboxError, String(error));
  return error;
}

/**
 * Register the crypto checks.
 *
 * @example
 * ```ts
 * import { Checks } from "./harness.ts";
 * import { registerCryptoChecks } from "./crypto_checks.ts";
 *
 * const checks = new Checks();
 * registerCryptoChecks(checks.test);
 * console.assert((await checks.run()).failed === 0);
 * ```
 */
export function registerCryptoChecks(test: Register): void {
  test("crypto: seal() with fixed randomness yields the frozen v1 bytes", async () => {
    const first = await seal(await keyring1(), encode(PLAIN_1), CONTEXT_1, {
      random: fixed(DATA_KEY_1.slice(), IV_1.slice()),
    });
    assert.equal(hex(first), SEALED_1);
    assert.equal(hex(first.subarray(8, 48)), RFC3394_WRAPPED);

    const second = await seal(await keyring2(), encode("x"), CONTEXT_2, {
      random: fixed(DATA_KEY_2.slice(), IV_2.slice()),
    });
    assert.equal(hex(second), SEALED_2);
  });

  test("crypto: open() of the frozen vectors yields their plaintext", async () => {
    const first = await open(await keyring1(), fromHex(SEALED_1), CONTEXT_1);
    assert.equal(decode(first), PLAIN_1);
    const second = await open(await keyring2(), fromHex(SEALED_2), CONTEXT_2);
    assert.equal(decode(second), "x");
    assert.equal(sealedKeyId(fromHex(SEALED_2)), "2025-10_rotated");
  });

  test("crypto: open() of a record with any bit flipped is DECRYPT_FAILED", async () => {
    const keyring = await keyring1();
    const original = fromHex(SEALED_1);
    const messages = new Set<string>();
    // Every bit outside the key id (bytes 6 and 7), whose flips may name
    // another well-formed key and so are UNKNOWN_KEY instead.
    for (let at = 0; at < original.length; at++) {
      if (at === 6 || at === 7) continue;
      for (let bit = 0; bit < 8; bit++) {
        const tampered = original.slice();
        tampered[at] ^= 1 << bit;
        const error = await failure(open(keyring, tampered, CONTEXT_1));
        assert.equal(error.code, "DECRYPT_FAILED", `byte ${at} bit ${bit}`);
        messages.add(error.message);
      }
    }
    assert.equal(messages.size, 1);
  });

  test("crypto: open() under another id or namespace is DECRYPT_FAILED", async () => {
    const keyring = await keyring1();
    for (
      const context of [
        { ...CONTEXT_1, id: "bob@example.com" },
        { ...CONTEXT_1, namespace: "other" },
        { namespace: "workspace-mcpana", id: "@example.com" },
      ]
    ) {
      const error = await failure(open(keyring, fromHex(SEALED_1), context));
      assert.equal(error.code, "DECRYPT_FAILED");
    }
  });

  test("crypto: open() with the sealing key removed is UNKNOWN_KEY naming it", async () => {
    const error = await failure(
      open(await keyring2(), fromHex(SEALED_1), CONTEXT_1),
    );
    assert.equal(error.code, "UNKNOWN_KEY");
    assert.match(error.message, /'k1'/);
  });

  test("crypto: a keyring shows its ids, never its keys", async () => {
    const text = `k1:${base64(KEK_1)}`;
    const keyring = await Keyring.parse(text);
    for (const shown of [String(keyring), JSON.stringify(keyring)]) {
      assert.ok(shown.includes("k1"), shown);
      assert.ok(!shown.includes(base64(KEK_1)), "key material shown");
    }
    const fresh = await Keyring.generate();
    const sealed = await seal(fresh, encode("y"), CONTEXT_1);
    assert.equal(decode(await open(fresh, sealed, CONTEXT_1)), "y");
  });
}
