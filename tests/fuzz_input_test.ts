/**
 * Hostile credentials and keyrings: any value given as a credential is
 * accepted and round-trips through the store, or fails with
 * `INVALID_CREDENTIAL`; any text given as a keyring parses or fails with
 * `INVALID_CONFIG`; no message of either ever quotes a value it was given.
 *
 * Bounds: 1,000 runs a property by default, 20,000 with `CREDBOX_LONG=1`.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CredentialStore,
  Keyring,
  MemoryBackend,
  parseCredential,
  parseExpiry,
} from "../mod.ts";
import { bound, expectCode, report, runSeed } from "./reliability_helpers.ts";

const RUNS = bound(1_000, 20_000);
const seed = runSeed();
const params = { numRuns: RUNS, seed };

// Values that tell themselves apart from any message text.
const secret = fc.stringMatching(/^[A-Za-z0-9]{6,24}$/).map((s) =>
  `S3CR3T-${s}`
);
const fieldValue = fc.oneof(
  secret,
  fc.constant(null),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.oneof(secret, fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), secret, { maxKeys: 2 }),
  fc.constantFrom(
    "2025-10-21T14:03:00",
    "2025-10-21T14:03:00.123456+02:00",
    "2025-02-30T00:00:00",
    "https://oauth2.googleapis.com/token",
    "http://127.0.0.1:9/token",
    "http://evil.example/token",
    "https://user:pw@example.com/",
  ),
);
// Mostly well-formed, so that acceptance is exercised too.
const wellFormed = fc.record(
  {
    token: secret.map((s) => `ya29.${s}`),
    refresh_token: fc.oneof(secret, fc.constant(null)),
    token_uri: fc.constantFrom(
      "https://oauth2.googleapis.com/token",
      "http://localhost:8080/token",
    ),
    client_id: fc.string({ maxLength: 30 }),
    client_secret: fc.oneof(secret, fc.constant(null)),
    scopes: fc.oneof(
      fc.array(fc.string(), { maxLength: 3 }),
      fc.constant(null),
    ),
    expiry: fc.oneof(
      fc.constant(null),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    ),
    account: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ["token"] },
);
const credentialLike = fc.oneof(
  wellFormed,
  fc.tuple(wellFormed, fc.string({ maxLength: 15 }), fieldValue).map((
    [good, key, value],
  ) => ({ ...good, [key]: value })),
  fc.record(
    {
      token: fieldValue,
      refresh_token: fieldValue,
      token_uri: fieldValue,
      client_id: fieldValue,
      client_secret: fieldValue,
      scopes: fieldValue,
      expiry: fieldValue,
      credbox_lease: fieldValue,
      extra: fieldValue,
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);

/** Every string inside `value`, at any depth. */
function stringsIn(value: unknown, found: string[] = []): string[] {
  if (typeof value === "string") found.push(value);
  else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      found.push(key);
      stringsIn(inner, found);
    }
  }
  return found;
}

function assertQuotesNothing(message: string, input: unknown): void {
  for (const text of stringsIn(input)) {
    if (text.startsWith("S3CR3T-")) {
      assert.ok(!message.includes(text), `the message quotes ${text}`);
    }
  }
}

Deno.test("fuzz: any credential parses or fails with INVALID_CREDENTIAL only", () => {
  let accepted = 0;
  fc.assert(
    fc.property(credentialLike, (input) => {
      try {
        const parsed = parseCredential(input);
        accepted++;
        assert.deepEqual(parseCredential(parsed), parsed);
      } catch (error) {
        expectCode(error, ["INVALID_CREDENTIAL"], "parseCredential");
        assertQuotesNothing((error as Error).message, input);
      }
    }),
    params,
  );
  report("fuzz/credential", { seed, runs: RUNS, accepted });
});

Deno.test("fuzz: the store saves and returns any credential it accepts", async () => {
  const store = new CredentialStore({
    backend: new MemoryBackend(),
    keyring: await Keyring.generate(),
    cache: false,
  });
  await fc.assert(
    fc.asyncProperty(credentialLike, async (input) => {
      let expected;
      try {
        expected = parseCredential(input);
      } catch {
        expected = undefined;
      }
      try {
        await store.save("ana@example.com", input as never);
      } catch (error) {
        // The store refuses the reserved keys that parseCredential keeps.
        expectCode(error, ["INVALID_CREDENTIAL"], "save");
        assertQuotesNothing((error as Error).message, input);
        return;
      }
      assert.ok(expected, "the store saved what parseCredential refuses");
      const loaded = await store.load("ana@example.com");
      assert.deepEqual(loaded?.credential, expected);
    }),
    { ...params, numRuns: Math.ceil(RUNS / 2) },
  );
});

Deno.test("fuzz: parseExpiry never throws and reads back every ISO time", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (text) => {
      const ms = parseExpiry(text);
      assert.ok(Number.isNaN(ms) || Number.isFinite(ms));
    }),
    params,
  );
  fc.assert(
    fc.property(
      fc.date({
        min: new Date("0001-01-01T00:00:00Z"),
        max: new Date("9999-12-31T23:59:59Z"),
        noInvalidDate: true,
      }),
      (date) => assert.equal(parseExpiry(date.toISOString()), date.getTime()),
    ),
    params,
  );
});

// Found by the property above: Date.UTC reads the years 0 to 99 as 1900 to
// 1999, so parseExpiry answered NaN for every time in those years.
Deno.test("parseExpiry reads the years 0000 to 0099 as themselves", () => {
  const at = new Date(0);
  at.setUTCFullYear(99, 11, 31);
  at.setUTCHours(23, 59, 59, 999);
  assert.equal(parseExpiry("0099-12-31T23:59:59.999Z"), at.getTime());
  at.setUTCFullYear(0, 1, 29);
  at.setUTCHours(0, 0, 0, 0);
  assert.equal(parseExpiry("0000-02-29T00:00:00"), at.getTime());
  assert.ok(Number.isNaN(parseExpiry("0001-02-29T00:00:00")));
  assert.ok(Number.isNaN(parseExpiry("2025-04-31T00:00:00")));
});

Deno.test("fuzz: any keyring text parses or fails with INVALID_CONFIG, quoting no key", async () => {
  const entries = Array.from(
    { length: 3 },
    (_, i) => Keyring.newEntry(`k${i}`),
  );
  const keys = entries.map((entry) => entry.slice(entry.indexOf(":") + 1));
  const damaged = fc.tuple(
    fc.subarray(entries, { minLength: 0 }),
    fc.nat(),
    fc.string({ maxLength: 3 }),
    fc.nat({ max: 3 }),
  ).map(([chosen, at, insert, drop]) => {
    const text = chosen.join(",");
    const cut = at % (text.length + 1);
    return text.slice(0, cut) + insert + text.slice(cut + drop);
  });
  let parsed = 0;
  await fc.assert(
    fc.asyncProperty(fc.oneof(damaged, fc.string()), async (text) => {
      try {
        await Keyring.parse(text);
        parsed++;
      } catch (error) {
        expectCode(error, ["INVALID_CONFIG"], "Keyring.parse");
        const message = (error as Error).message;
        for (const key of keys) {
          // Any 12 characters of a key would be too many.
          for (let i = 0; i + 12 <= key.length; i += 4) {
            assert.ok(!message.includes(key.slice(i, i + 12)), message);
          }
        }
      }
    }),
    params,
  );
  report("fuzz/keyring", { seed, runs: RUNS, parsed });
});
