import assert from "node:assert/strict";
import { CredboxError } from "../src/errors.ts";
import { Keyring } from "../src/crypto/keyring.ts";
import { open, seal, sealedKeyId } from "../src/crypto/envelope.ts";

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
  KEK_2,
  keyring1,
  keyring2,
  PLAIN_1,
  RFC3394_WRAPPED,
  SEALED_1,
  SEALED_2,
} from "./portable/vectors.ts";

/** The error `promise` rejects with; fails when it resolves. */
async function failure(promise: Promise<unknown>): Promise<CredboxError> {
  const error = await promise.then(
    () => assert.fail("expected the record not to open"),
    (e) => e,
  );
  assert.ok(error instanceof CredboxError, String(error));
  return error;
}

const decryptMessages = new Set<string>();

async function assertDecryptFailed(promise: Promise<unknown>): Promise<void> {
  const error = await failure(promise);
  assert.equal(error.code, "DECRYPT_FAILED", error.message);
  assert.equal(error.cause, undefined);
  decryptMessages.add(error.message);
}

Deno.test(
  "seal() with fixed randomness yields the frozen v1 bytes",
  async () => {
    const sealed = await seal(await keyring1(), encode(PLAIN_1), CONTEXT_1, {
      random: fixed(DATA_KEY_1.slice(), IV_1.slice()),
    });
    assert.equal(hex(sealed), SEALED_1);
    assert.equal(hex(sealed.subarray(8, 48)), RFC3394_WRAPPED);

    const second = await seal(await keyring2(), encode("x"), CONTEXT_2, {
      random: fixed(DATA_KEY_2, IV_2),
    });
    assert.equal(hex(second), SEALED_2);
  },
);

Deno.test("open() of the frozen vectors yields their plaintext", async () => {
  const plain = await open(await keyring1(), fromHex(SEALED_1), CONTEXT_1);
  assert.equal(decode(plain), PLAIN_1);
  const second = await open(await keyring2(), fromHex(SEALED_2), CONTEXT_2);
  assert.equal(decode(second), "x");
});

Deno.test("seal() uses fresh randomness and leaves inputs alone", async () => {
  const keyring = await Keyring.generate();
  const plain = encode("same");
  const a = await seal(keyring, plain, CONTEXT_1);
  const b = await seal(keyring, plain, CONTEXT_1);
  assert.notEqual(hex(a), hex(b));
  assert.equal(decode(plain), "same");

  const dataKey = DATA_KEY_1.slice();
  await seal(keyring, plain, CONTEXT_1, { random: fixed(dataKey, IV_1) });
  assert.deepEqual(dataKey, DATA_KEY_1);
});

Deno.test("seal() and open() round-trip an empty plaintext", async () => {
  const keyring = await Keyring.generate();
  const sealed = await seal(keyring, new Uint8Array(), CONTEXT_1);
  assert.equal((await open(keyring, sealed, CONTEXT_1)).length, 0);
});

Deno.test("seal() rejects a random source of the wrong length", async () => {
  await assert.rejects(
    seal(await keyring1(), encode("x"), CONTEXT_1, {
      random: (n) => new Uint8Array(n - 1),
    }),
    RangeError,
  );
});

// Regions of SEALED_1 (key id "k1", so the header is 8 bytes).
const REGIONS: [string, number, number][] = [
  ["magic", 0, 4],
  ["version", 4, 5],
  ["key id length", 5, 6],
  ["wrapped key", 8, 48],
  ["IV", 48, 60],
  ["ciphertext", 60, 81],
  ["tag", 81, 97],
];

Deno.test(
  "open() of a record with any bit flipped fails with DECRYPT_FAILED",
  async () => {
    const keyring = await keyring1();
    const original = fromHex(SEALED_1);
    assert.equal(original.length, 97);
    for (const [, start, end] of REGIONS) {
      for (let at = start; at < end; at++) {
        for (let bit = 0; bit < 8; bit++) {
          const tampered = original.slice();
          tampered[at] ^= 1 << bit;
          await assertDecryptFailed(open(keyring, tampered, CONTEXT_1));
        }
      }
    }
  },
);

Deno.test(
  "open() of a flipped key id is UNKNOWN_KEY only when the id is well-formed",
  async () => {
    const keyring = await keyring1();
    const original = fromHex(SEALED_1);
    const unknown: string[] = [];
    for (const at of [6, 7]) {
      for (let bit = 0; bit < 8; bit++) {
        const tampered = original.slice();
        tampered[at] ^= 1 << bit;
        const error = await failure(open(keyring, tampered, CONTEXT_1));
        if (error.code === "UNKNOWN_KEY") {
          const id = sealedKeyId(tampered)!;
          assert.ok(error.message.includes(`'${id}'`), error.message);
          unknown.push(id);
        } else {
          await assertDecryptFailed(Promise.reject(error));
        }
      }
    }
    // 'k' and '1' flipped bit by bit; '{', '+', '!', 0x11 and bytes above
    // 0x7f are not key-id characters.
    assert.deepEqual(unknown, [
      ...["j1", "i1", "o1", "c1", "K1"],
      ...["k0", "k3", "k5", "k9", "kq"],
    ]);
  },
);

Deno.test(
  "open() of a record relabelled with another keyring key is DECRYPT_FAILED",
  async () => {
    const keyring = await Keyring.parse(
      `k1:${base64(KEK_1)},j1:${base64(KEK_2)}`,
    );
    const tampered = fromHex(SEALED_1);
    tampered[6] ^= 1; // "k1" becomes "j1"
    await assertDecryptFailed(open(keyring, tampered, CONTEXT_1));
  },
);

Deno.test(
  "open() of a record with a swapped-in wrapped key is DECRYPT_FAILED",
  async () => {
    const keyring = await keyring1();
    const other = await seal(keyring, encode(PLAIN_1), CONTEXT_1);
    const swapped = fromHex(SEALED_1);
    swapped.set(other.subarray(8, 48), 8);
    await assertDecryptFailed(open(keyring, swapped, CONTEXT_1));
  },
);

Deno.test(
  "open() under another id or namespace fails with DECRYPT_FAILED",
  async () => {
    const keyring = await keyring1();
    const sealed = fromHex(SEALED_1);
    const moves = [
      { ...CONTEXT_1, id: "bob@example.com" },
      { ...CONTEXT_1, id: "Ana@example.com" },
      { ...CONTEXT_1, namespace: "other" },
      { ...CONTEXT_1, namespace: "" },
      // Same bytes, split differently between namespace and id.
      { namespace: "workspace-mcpana", id: "@example.com" },
    ];
    for (const context of moves) {
      await assertDecryptFailed(open(keyring, sealed, context));
    }
  },
);

Deno.test(
  "open() of a truncated or empty record fails with DECRYPT_FAILED",
  async () => {
    const keyring = await keyring1();
    const sealed = fromHex(SEALED_1);
    for (let length = 0; length < sealed.length; length++) {
      await assertDecryptFailed(
        open(keyring, sealed.slice(0, length), CONTEXT_1),
      );
    }
    await assertDecryptFailed(open(keyring, new Uint8Array(), CONTEXT_1));
    const extended = new Uint8Array([...sealed, 0]);
    await assertDecryptFailed(open(keyring, extended, CONTEXT_1));
  },
);

Deno.test(
  "open() of a record sealed with a removed key is UNKNOWN_KEY naming it",
  async () => {
    const error = await failure(
      open(await keyring2(), fromHex(SEALED_1), CONTEXT_1),
    );
    assert.equal(error.code, "UNKNOWN_KEY");
    assert.match(error.message, /'k1'/);
  },
);

Deno.test("open() after rotation opens records of the old key", async () => {
  const old = Keyring.newEntry("old");
  const before = await Keyring.parse(old);
  const sealed = await seal(before, encode("kept"), CONTEXT_1);

  const rotated = await Keyring.parse(Keyring.withPrimary(old));
  assert.notEqual(rotated.primaryId, "old");
  assert.equal(decode(await open(rotated, sealed, CONTEXT_1)), "kept");

  const resealed = await seal(rotated, encode("kept"), CONTEXT_1);
  assert.equal(sealedKeyId(resealed), rotated.primaryId);
  const error = await failure(open(before, resealed, CONTEXT_1));
  assert.equal(error.code, "UNKNOWN_KEY");
});

Deno.test("sealedKeyId() reads the header without a keyring", () => {
  assert.equal(sealedKeyId(fromHex(SEALED_1)), "k1");
  assert.equal(sealedKeyId(fromHex(SEALED_2)), "2025-10_rotated");
  assert.equal(sealedKeyId(new Uint8Array()), undefined);
  assert.equal(sealedKeyId(fromHex(SEALED_1).slice(0, 75)), undefined);
  const badMagic = fromHex(SEALED_1);
  badMagic[0] = 0;
  assert.equal(sealedKeyId(badMagic), undefined);
});

Deno.test("seal() and open() reject arguments of the wrong type", async () => {
  const keyring = await keyring1();
  const bad = "x" as unknown as Uint8Array;
  await assert.rejects(seal(keyring, bad, CONTEXT_1), TypeError);
  await assert.rejects(open(keyring, bad, CONTEXT_1), TypeError);
  const noId = { namespace: "n" } as unknown as typeof CONTEXT_1;
  await assert.rejects(seal(keyring, encode("x"), noId), TypeError);
  const lone = { namespace: "n", id: "\ud800" };
  await assert.rejects(seal(keyring, encode("x"), lone), TypeError);
});

Deno.test("every DECRYPT_FAILED carries one and the same message", async () => {
  // Registered last, so it also sees what every test above collected.
  const keyring = await keyring1();
  await assertDecryptFailed(open(keyring, new Uint8Array(), CONTEXT_1));
  await assertDecryptFailed(open(keyring, fromHex(SEALED_1), CONTEXT_2));
  assert.equal(decryptMessages.size, 1, [...decryptMessages].join("\n"));
  const [message] = decryptMessages;
  assert.doesNotMatch(message, /k1|ana|workspace/);
});
