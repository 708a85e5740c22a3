/**
 * Hostile ids: any value given as an id is either a valid id or an
 * `INVALID_ID`; valid ids map to storage names that round-trip, never
 * meet (not even on a case-insensitive file system), and pass the
 * backends' name check; any string read back as a storage name decodes to
 * nothing or to the one id that makes it.
 *
 * Bounds: 1,000 runs a property by default, 20,000 with `CREDBOX_LONG=1`.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CredentialStore,
  idFromStorageName,
  Keyring,
  MAX_ID_BYTES,
  MemoryBackend,
  normalizeId,
  storageName,
  storagePrefix,
} from "../mod.ts";
import { checkName } from "../src/backends/names.ts";
import { bound, expectCode, report, runSeed } from "./reliability_helpers.ts";

const RUNS = bound(1_000, 20_000);
const seed = runSeed();
const params = { numRuns: RUNS, seed };
const encoder = new TextEncoder();

/** The id's canonical form, or undefined when it is not valid. */
function valid(id: unknown): string | undefined {
  try {
    return normalizeId(id);
  } catch (error) {
    expectCode(error, ["INVALID_ID"], `normalizeId(${JSON.stringify(id)})`);
    return undefined;
  }
}

// Strings of every shape: lone surrogates, controls, combining marks, case
// pairs, dots and percent signs, long runs.
const anyString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      "a",
      "A",
      ".",
      "%",
      "e",
      "\u0301",
      "\u00e9",
      "\u212a",
      "k",
      "K",
      "\u0130",
      "/",
      "\0",
      "\u2028",
      "\ud83d",
      "\ude00",
    ),
    maxLength: 20,
  }),
  fc.string({ unit: "binary", minLength: 80, maxLength: 300 }),
);

Deno.test("fuzz: any value as an id is valid or INVALID_ID, nothing else", () => {
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(anyString, fc.anything()), (id) => {
      const normal = valid(id);
      if (normal === undefined) return;
      accepted++;
      assert.equal(normal, normal.normalize("NFC"));
      assert.ok(encoder.encode(normal).length <= MAX_ID_BYTES);
      assert.equal(normalizeId(normal), normal);
    }),
    params,
  );
  report("fuzz/id", { seed, runs: RUNS, accepted });
});

Deno.test("fuzz: storage names round-trip and pass the backends' check", () => {
  fc.assert(
    fc.property(anyString, (id) => {
      const normal = valid(id);
      if (normal === undefined) return;
      const name = storageName(id);
      assert.doesNotThrow(() => checkName(name));
      assert.equal(idFromStorageName(name), normal);
    }),
    params,
  );
});

Deno.test("fuzz: two ids share a storage name, in any case, only when equal", () => {
  fc.assert(
    fc.property(anyString, anyString, (a, b) => {
      const na = valid(a);
      const nb = valid(b);
      if (na === undefined || nb === undefined) return;
      const sa = storageName(na);
      const sb = storageName(nb);
      assert.equal(sa === sb, na === nb);
      if (sa.toLowerCase() === sb.toLowerCase()) assert.equal(na, nb);
    }),
    params,
  );
});

Deno.test("fuzz: any string read as a storage name decodes to its one id", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        anyString,
        fc.string({
          unit: fc.constantFrom("%", "4", "1", "C", "3", "A", "9", "a", "."),
          maxLength: 24,
        }),
      ),
      (name) => {
        const id = idFromStorageName(name);
        if (id !== undefined) assert.equal(storageName(id), name);
      },
    ),
    params,
  );
});

Deno.test("fuzz: an id's storage name starts with the storage prefix of its prefixes", () => {
  fc.assert(
    fc.property(anyString, fc.nat(), (id, cut) => {
      const normal = valid(id);
      if (normal === undefined) return;
      // Cut in code units: a cut inside a surrogate pair is a prefix too.
      const prefix = normal.slice(0, cut % (normal.length + 1));
      if (!prefix.isWellFormed()) {
        assert.throws(
          () => storagePrefix(prefix),
          (error) => !!expectCode(error, ["INVALID_ID"], "storagePrefix"),
        );
        return;
      }
      if (prefix.normalize("NFC") !== prefix) return;
      assert.ok(
        storageName(normal).startsWith(storagePrefix(prefix)),
        `${JSON.stringify(prefix)} of ${JSON.stringify(normal)}`,
      );
    }),
    params,
  );
});

// Found by the property above: a prefix ending in half a surrogate pair was
// encoded as U+FFFD, so list() silently missed every id it is a prefix of.
Deno.test("list() with half a surrogate pair as prefix fails with INVALID_ID", async () => {
  const store = new CredentialStore({
    backend: new MemoryBackend(),
    keyring: await Keyring.generate(),
  });
  await store.save("\u{1F600}@example.com", { token: "ya29.x" });
  const listed: string[] = [];
  for await (const id of store.list({ prefix: "\u{1F600}" })) listed.push(id);
  assert.deepEqual(listed, ["\u{1F600}@example.com"]);

  await assert.rejects(
    async () => {
      for await (const _ of store.list({ prefix: "\ud83d" })) continue;
    },
    (error) => !!expectCode(error, ["INVALID_ID"], "list"),
  );
});
