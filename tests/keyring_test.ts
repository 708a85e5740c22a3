import assert from "node:assert/strict";
import { inspect } from "node:util";
import { CredboxError } from "../src/errors.ts";
import { Keyring, wrappingKey } from "../src/crypto/keyring.ts";

const KEY_A = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const KEY_B = "//79/Pv6+fj39vX08/Lx8O/u7ezr6uno5+bl5OPi4eA=";

/** The INVALID_CONFIG message `promise` rejects with. */
async function configError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => assert.fail("expected INVALID_CONFIG"),
    (e) => e,
  );
  assert.ok(error instanceof CredboxError, String(error));
  assert.equal(error.code, "INVALID_CONFIG", error.message);
  return error.message;
}

Deno.test("parse() reads id:base64 entries, the first as primary", async () => {
  const keyring = await Keyring.parse(`k1:${KEY_A},k2:${KEY_B}`);
  assert.equal(keyring.primaryId, "k1");
  assert.deepEqual(keyring.ids, ["k1", "k2"]);
  assert.ok(keyring.has("k2"));
  assert.ok(!keyring.has("k3"));
});

Deno.test(
  "parse() tolerates whitespace, newlines and one trailing comma",
  async () => {
    const keyring = await Keyring.parse(`\n  k1:${KEY_A} ,\n\tk2:${KEY_B},\n`);
    assert.deepEqual(keyring.ids, ["k1", "k2"]);
    const unpadded = await Keyring.parse(`a_B-9:${KEY_A.slice(0, -1)}`);
    assert.equal(unpadded.primaryId, "a_B-9");
    const longest = "x".repeat(32);
    assert.equal(
      (await Keyring.parse(`${longest}:${KEY_A}`)).primaryId,
      longest,
    );
  },
);

Deno.test(
  "parse() of a malformed entry names its position and rule, never its value",
  async () => {
    const cases: [string, RegExp][] = [
      [`k1:${KEY_A},${KEY_B}`, /entry 2 must be id:base64/],
      [`k1:${KEY_A},,k2:${KEY_B}`, /entry 2 is empty/],
      [`:${KEY_A}`, /entry 1: the key id must be 1 to 32/],
      [`${"x".repeat(33)}:${KEY_A}`, /entry 1: the key id/],
      [`k.1:${KEY_A}`, /entry 1: the key id/],
      [`k1 :${KEY_A}`, /entry 1: the key id/],
      [`k1:${KEY_A},k2:${KEY_B.slice(0, 40)}`, /entry 2: the key must be/],
      [`k1:${KEY_A}AAAA`, /entry 1: the key must be standard base64 of/],
      [`k1:${KEY_A.replace("A", "-")}`, /entry 1: the key must be/],
      [`k1:${KEY_A.replace("8=", "9=")}`, /entry 1: the key must be/],
      [`k1:${KEY_A}==`, /entry 1: the key must be/],
      [`k1: ${KEY_A}`, /entry 1: the key must be/],
      [`k1:${KEY_A},k1:${KEY_B}`, /entries 1 and 2 share the key id 'k1'/],
    ];
    for (const [text, rule] of cases) {
      const message = await configError(Keyring.parse(text));
      assert.match(message, rule);
      assert.match(message, /^Invalid keyring: /);
      for (const secret of [KEY_A, KEY_B, KEY_A.slice(0, 20), "AAECAwQF"]) {
        assert.ok(!message.includes(secret), message);
      }
    }
  },
);

Deno.test(
  "parse() of an empty or non-string text fails with INVALID_CONFIG",
  async () => {
    for (const text of ["", "  ", ",", " , "]) {
      assert.match(
        await configError(Keyring.parse(text)),
        /holds no key|empty/,
      );
    }
    const notText = 42 as unknown as string;
    assert.match(await configError(Keyring.parse(notText)), /got number/);
  },
);

Deno.test("fromEnv() reads CREDBOX_KEYS", async () => {
  const keyring = await Keyring.fromEnv({ CREDBOX_KEYS: `prod:${KEY_A}` });
  assert.equal(keyring.primaryId, "prod");
});

Deno.test("fromEnv() without CREDBOX_KEYS says how to make one", async () => {
  const message = await configError(Keyring.fromEnv({}));
  assert.match(message, /CREDBOX_KEYS is not set/);
  assert.match(message, /keygen/);
});

Deno.test(
  "fromEnv() of a malformed CREDBOX_KEYS names the variable, not the value",
  async () => {
    const env = { CREDBOX_KEYS: `k1:${KEY_A},k2:${KEY_B.slice(1)}` };
    const message = await configError(Keyring.fromEnv(env));
    assert.match(message, /^Invalid CREDBOX_KEYS: entry 2: /);
    assert.ok(!message.includes(KEY_B.slice(1)), message);
    assert.match(
      await configError(Keyring.fromEnv({ CREDBOX_KEYS: "" })),
      /no key/,
    );
  },
);

Deno.test(
  "newEntry() makes a fresh 32-byte key that parse() accepts",
  async () => {
    const entry = Keyring.newEntry();
    assert.match(entry, /^k[0-9a-f]{8}:[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(Keyring.newEntry().split(":")[1], entry.split(":")[1]);
    assert.equal(atob(entry.split(":")[1]).length, 32);
    const named = await Keyring.parse(Keyring.newEntry("2025-10"));
    assert.equal(named.primaryId, "2025-10");
  },
);

Deno.test(
  "newEntry() of a malformed id fails with INVALID_CONFIG",
  async () => {
    for (const id of ["", "a b", "x".repeat(33), "é"]) {
      await configError(Promise.resolve().then(() => Keyring.newEntry(id)));
    }
  },
);

Deno.test("generate() makes a one-key keyring", async () => {
  const keyring = await Keyring.generate();
  assert.equal(keyring.ids.length, 1);
  assert.match(keyring.primaryId, /^k[0-9a-f]{8}$/);
});

Deno.test("withPrimary() puts a new key in front of the old ones", async () => {
  const text = `k1:${KEY_A},k2:${KEY_B}`;
  const rotated = Keyring.withPrimary(text, `k3:${KEY_A}`);
  assert.equal(rotated, `k3:${KEY_A},k1:${KEY_A},k2:${KEY_B}`);
  const fresh = await Keyring.parse(Keyring.withPrimary(` ${text}, `));
  assert.deepEqual(fresh.ids.slice(1), ["k1", "k2"]);
  assert.match(fresh.primaryId, /^k[0-9a-f]{8}$/);
});

Deno.test("withPrimary() refuses a taken id or a malformed entry", async () => {
  const text = `k1:${KEY_A}`;
  const taken = () => Keyring.withPrimary(text, `k1:${KEY_B}`);
  assert.match(await configError(Promise.resolve().then(taken)), /'k1'/);
  const two = () => Keyring.withPrimary(text, `k2:${KEY_B},k3:${KEY_B}`);
  assert.match(await configError(Promise.resolve().then(two)), /one/);
  const bad = () => Keyring.withPrimary(text, `k2:${KEY_B.slice(2)}`);
  const message = await configError(Promise.resolve().then(bad));
  assert.ok(!message.includes(KEY_B.slice(2)), message);
});

Deno.test("a keyring prints, serializes and inspects as ids only", async () => {
  const keyring = await Keyring.parse(`k1:${KEY_A},k2:${KEY_B}`);
  const shown = 'Keyring { primary: "k1", ids: ["k1", "k2"] }';
  assert.equal(String(keyring), shown);
  assert.equal(`${keyring}`, shown);
  assert.equal(Deno.inspect(keyring), shown);
  assert.equal(Deno.inspect({ nested: keyring }), `{ nested: ${shown} }`);
  assert.equal(inspect(keyring), shown);
  assert.equal(
    JSON.stringify({ keyring }),
    '{"keyring":{"primary":"k1","ids":["k1","k2"]}}',
  );
  assert.deepEqual(Object.keys(keyring), []);
  for (const text of [String(keyring), Deno.inspect(keyring)]) {
    assert.ok(!text.includes("AAEC") && !text.includes("//79"), text);
  }
});

Deno.test("a keyring's keys cannot be exported", async () => {
  const keyring = await Keyring.parse(`k1:${KEY_A}`);
  const key = wrappingKey(keyring, "k1");
  assert.ok(key);
  assert.equal(key.extractable, false);
  assert.equal(key.algorithm.name, "AES-KW");
  assert.deepEqual([...key.usages].sort(), ["unwrapKey", "wrapKey"]);
  await assert.rejects(crypto.subtle.exportKey("raw", key));
  await assert.rejects(crypto.subtle.exportKey("jwk", key));
  assert.equal(wrappingKey(keyring, "k2"), undefined);
});

Deno.test("a keyring cannot be built around the factories", () => {
  const Build = Keyring as unknown as new (
    token: symbol,
    keys: Map<string, CryptoKey>,
  ) => unknown;
  assert.throws(() => new Build(Symbol("Keyring.build"), new Map()), TypeError);
});
