/**
 * Hostile records: arbitrary bytes, bytes behind a well-formed header, and
 * every kind of damage to a real record must fail to open with
 * `DECRYPT_FAILED` (or `UNKNOWN_KEY` for a key id not in the keyring), and
 * never open as something else.
 *
 * Bounds: 1,000 runs a property by default, 20,000 with `CREDBOX_LONG=1`.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { isCredboxError, Keyring, open, seal, sealedKeyId } from "../mod.ts";
import { bound, expectCode, report, runSeed } from "./reliability_helpers.ts";

const RUNS = bound(1_000, 20_000);
const seed = runSeed();
const params = { numRuns: RUNS, seed };
const keyring = await Keyring.parse(
  `${Keyring.newEntry("k1")},${Keyring.newEntry("k2")}`,
);
const context = { namespace: "prod", id: "ana@example.com" };
const plaintext = new TextEncoder().encode('{"token":"ya29.fuzz"}');
const sealed = await seal(keyring, plaintext, context);
const outcomes = { DECRYPT_FAILED: 0, UNKNOWN_KEY: 0 };

/** Opening must fail with one of the two codes; count which. */
async function mustNotOpen(bytes: Uint8Array, what: string): Promise<void> {
  let opened: Uint8Array | undefined;
  try {
    opened = await open(keyring, bytes, context);
  } catch (error) {
    const code = expectCode(error, ["DECRYPT_FAILED", "UNKNOWN_KEY"], what);
    outcomes[code as keyof typeof outcomes]++;
    return;
  }
  assert.fail(`${what} opened, as ${opened.length} bytes`);
}

function header(keyId: string): Uint8Array {
  const id = new TextEncoder().encode(keyId);
  return new Uint8Array([0x43, 0x42, 0x58, 0x52, 1, id.length, ...id]);
}

Deno.test("fuzz: arbitrary bytes never open and their key id is not read", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
      await mustNotOpen(bytes, "arbitrary bytes");
      const keyId = sealedKeyId(bytes);
      assert.ok(keyId === undefined || /^[A-Za-z0-9_-]{1,32}$/.test(keyId));
    }),
    params,
  );
});

Deno.test("fuzz: random bodies behind a real header fail with DECRYPT_FAILED", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom("k1", "k2"),
      fc.uint8Array({ minLength: 0, maxLength: 200 }),
      async (keyId, rest) => {
        const bytes = new Uint8Array([...header(keyId), ...rest]);
        try {
          await open(keyring, bytes, context);
          assert.fail("a forged record opened");
        } catch (error) {
          expectCode(error, ["DECRYPT_FAILED"], "forged body");
        }
      },
    ),
    params,
  );
});

Deno.test("fuzz: a flipped bit anywhere in a record makes it fail to open", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: sealed.length - 1 }),
      fc.integer({ min: 1, max: 255 }),
      async (at, mask) => {
        const bytes = sealed.slice();
        bytes[at] ^= mask;
        await mustNotOpen(bytes, `byte ${at} ^ ${mask}`);
      },
    ),
    params,
  );
});

Deno.test("fuzz: a cut, extended or spliced record fails to open", async () => {
  const other = await seal(keyring, plaintext, context);
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.nat({ max: sealed.length - 1 }).map((n) => sealed.slice(0, n)),
        fc.uint8Array({ minLength: 1, maxLength: 40 }).map((tail) =>
          new Uint8Array([...sealed, ...tail])
        ),
        // The head of one record with the rest of another, cut anywhere.
        fc.nat({ max: sealed.length - 1 }).map((n) =>
          new Uint8Array([...sealed.subarray(0, n), ...other.subarray(n)])
        ).filter((bytes) =>
          !bytes.every((b, i) => b === sealed[i]) &&
          !bytes.every((b, i) => b === other[i])
        ),
      ),
      (bytes) => mustNotOpen(bytes, "a damaged record"),
    ),
    params,
  );
});

Deno.test("fuzz: a record opens only for the namespace and id it was sealed for", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.string(),
      fc.string({ minLength: 1 }),
      fc.string(),
      fc.string({ minLength: 1 }),
      async (namespace, id, otherNamespace, otherId) => {
        const mine = { namespace, id };
        const record = await seal(keyring, plaintext, mine);
        assert.deepEqual(await open(keyring, record, mine), plaintext);
        if (namespace === otherNamespace && id === otherId) return;
        const moved = { namespace: otherNamespace, id: otherId };
        const error = await open(keyring, record, moved).catch((e) => e);
        assert.ok(isCredboxError(error, "DECRYPT_FAILED"), String(error));
      },
    ),
    { ...params, numRuns: Math.ceil(RUNS / 3) },
  );
});

Deno.test("fuzz: every failure to open carries the same message", async () => {
  const messages = new Set<string>();
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 120 }), async (bytes) => {
      const error = await open(keyring, bytes, context).catch((e) => e);
      if (isCredboxError(error, "DECRYPT_FAILED")) {
        messages.add(error.message);
        assert.equal(error.cause, undefined);
      }
    }),
    params,
  );
  assert.equal(messages.size, 1);
  report("fuzz/envelope", { seed, runs: RUNS, outcomes });
});
