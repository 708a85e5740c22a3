import assert from "node:assert/strict";
import {
  CredboxError,
  CredentialStore,
  formatExpiry,
  Keyring,
  MemoryBackend,
} from "../mod.ts";
import { ReadCache } from "../src/cache.ts";
import { createFakeS3 } from "../src/testing/mod.ts";
import { FakeTime, s3Backend } from "./store_helpers.ts";

async function fixture(cache?: { ttlMs?: number; maxEntries?: number }) {
  const backend = new MemoryBackend();
  const keyring = await Keyring.generate();
  const time = new FakeTime();
  const store = new CredentialStore({
    backend,
    keyring,
    cache,
    now: time.now,
  });
  return { backend, keyring, time, store };
}

function credential(time: FakeTime, validMs = 3_600_000) {
  return {
    token: "ya29.cache-test",
    refresh_token: "1//cache-test",
    expiry: formatExpiry(time.now() + validMs),
  };
}

Deno.test("50 concurrent loads of one cold id make 1 backend GET", async () => {
  const s3 = createFakeS3();
  const keyring = await Keyring.generate();
  const writer = new CredentialStore({ backend: s3Backend(s3), keyring });
  await writer.save("ana@example.com", { token: "ya29.x" });

  const store = new CredentialStore({ backend: s3Backend(s3), keyring });
  s3.requests.clear();
  const loads = await Promise.all(
    Array.from({ length: 50 }, () => store.load("ana@example.com")),
  );
  assert.ok(loads.every((r) => r?.credential.token === "ya29.x"));
  assert.equal(s3.requests.count("GetObject"), 1);
  const { cache, backend } = store.stats();
  assert.equal(backend.get, 1);
  assert.deepEqual(
    { misses: cache.misses, joined: cache.joined, hits: cache.hits },
    { misses: 1, joined: 49, hits: 0 },
  );
});

Deno.test("a cached record is reused until its TTL passes", async () => {
  const { store, time } = await fixture({ ttlMs: 60_000 });
  await store.save("ana", credential(time));
  await store.load("ana");
  assert.equal(store.stats().backend.get, 0);
  time.advance(59_999);
  await store.load("ana");
  assert.equal(store.stats().backend.get, 0);
  time.advance(1);
  await store.load("ana");
  assert.equal(store.stats().backend.get, 1);
});

Deno.test("a cached record whose access token has expired is read again, never handed out", async () => {
  const { store, backend, keyring, time } = await fixture();
  await store.save("ana", credential(time, 10_000));
  // Another instance refreshes the token behind this store's back.
  const other = new CredentialStore({ backend, keyring, now: time.now });
  await other.save("ana", {
    ...credential(time),
    token: "ya29.refreshed-elsewhere",
  });

  assert.equal((await store.load("ana"))!.credential.token, "ya29.cache-test");
  time.advance(10_000);
  const after = await store.load("ana");
  assert.equal(after!.credential.token, "ya29.refreshed-elsewhere");
  assert.equal(store.stats().backend.get, 1);
});

Deno.test("the least recently used record is evicted past maxEntries", async () => {
  const { store, time } = await fixture({ maxEntries: 2 });
  await store.save("a", credential(time));
  await store.save("b", credential(time));
  await store.load("a"); // b is now the least recently used
  await store.save("c", credential(time));
  assert.equal(store.stats().cache.evictions, 1);
  assert.equal(store.stats().cache.size, 2);

  await store.load("a");
  await store.load("c");
  assert.equal(store.stats().backend.get, 0);
  await store.load("b");
  assert.equal(store.stats().backend.get, 1);
});

Deno.test("save and delete through the store update or drop the entry at once", async () => {
  const { store, time } = await fixture();
  await store.save("ana", credential(time));
  await store.load("ana");
  const { version } = await store.save("ana", {
    ...credential(time),
    token: "ya29.second",
  });
  const loaded = await store.load("ana");
  assert.equal(loaded!.credential.token, "ya29.second");
  assert.equal(loaded!.version, version);

  assert.equal(await store.delete("ana"), true);
  assert.equal(await store.load("ana"), undefined);
  assert.equal(await store.has("ana"), false);
  assert.equal(store.stats().backend.get, 2);
});

Deno.test("a failed conditional save drops the stale entry", async () => {
  const { store, backend, keyring, time } = await fixture();
  const first = await store.save("ana", credential(time));
  const other = new CredentialStore({ backend, keyring });
  await other.save("ana", { ...credential(time), token: "ya29.other" });
  await assert.rejects(
    store.save("ana", credential(time), { ifVersion: first.version }),
    CredboxError,
  );
  assert.equal((await store.load("ana"))!.credential.token, "ya29.other");
});

Deno.test("cache: false reads the backend every time", async () => {
  const backend = new MemoryBackend();
  const store = new CredentialStore({
    backend,
    keyring: await Keyring.generate(),
    cache: false,
  });
  await store.save("ana", { token: "ya29.x" });
  await store.load("ana");
  await store.load("ana");
  assert.equal(store.stats().backend.get, 2);
  assert.equal(store.stats().cache.size, 0);
});

Deno.test("a load still in flight does not overwrite a newer save", async () => {
  const time = new FakeTime();
  const cache = new ReadCache<string>({
    ttlMs: 60_000,
    maxEntries: 10,
    now: time.now,
  });
  let release!: (value: string) => void;
  const slow = cache.get("k", () => new Promise((r) => release = r));
  cache.set("k", "saved");
  release("loaded before the save");
  assert.equal(await slow, "loaded before the save");
  assert.equal(
    await cache.get("k", () => Promise.resolve("reloaded")),
    "saved",
  );
});

Deno.test("a load that fails is not cached and the next read retries", async () => {
  const cache = new ReadCache<string>({
    ttlMs: 60_000,
    maxEntries: 10,
    now: () => 0,
  });
  await assert.rejects(cache.get("k", () => Promise.reject(new Error("x"))));
  assert.equal(await cache.get("k", () => Promise.resolve("v")), "v");
});

Deno.test("loaded records are copies: changing one leaves the cache intact", async () => {
  const { store, time } = await fixture();
  await store.save("ana", credential(time));
  const first = await store.load("ana");
  first!.credential.token = "mutated";
  assert.equal((await store.load("ana"))!.credential.token, "ya29.cache-test");
});

Deno.test("bad cache options are INVALID_CONFIG naming the option, rule and value", async () => {
  const keyring = await Keyring.generate();
  const cases = [
    [{ cache: { ttlMs: -1 } }, /'cache\.ttlMs' must be .* got -1/],
    [
      { cache: { maxEntries: 1.5 } },
      /'cache\.maxEntries' must be an integer .* got 1\.5/,
    ],
    [{ cache: "yes" }, /'cache' must be an object or false, got string/],
    [{ now: 5 }, /'now' must be a function, got number/],
    [
      { refresh: { retries: 11 } },
      /'refresh\.retries' .* from 0 to 10, got 11/,
    ],
    [{ refresh: { clientAuth: "jwt" } }, /'refresh\.clientAuth' .* got "jwt"/],
  ] as const;
  for (const [options, pattern] of cases) {
    assert.throws(
      () =>
        new CredentialStore({
          backend: new MemoryBackend(),
          keyring,
          ...options,
        } as never),
      (error: unknown) =>
        error instanceof CredboxError && error.code === "INVALID_CONFIG" &&
        pattern.test(error.message),
      String(pattern),
    );
  }
});
