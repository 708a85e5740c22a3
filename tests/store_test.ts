import assert from "node:assert/strict";
import {
  type Backend,
  CredboxError,
  CredentialStore,
  Keyring,
  MemoryBackend,
  sealedKeyId,
  storageName,
} from "../mod.ts";
import { rejectsWith } from "./store_helpers.ts";

const credential = {
  token: "ya29.store-test-access",
  refresh_token: "1//store-test-refresh",
  token_uri: "https://oauth2.googleapis.com/token",
  client_id: "1.apps.googleusercontent.com",
  client_secret: "GOCSPX-store-test-secret",
  scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
  expiry: "2025-10-21T14:03:00",
};

async function fixture(namespace = "test") {
  const backend = new MemoryBackend();
  const keyring = await Keyring.generate();
  const store = new CredentialStore({ backend, keyring, namespace });
  return { backend, keyring, store };
}

Deno.test("save then load returns the credential and its version", async () => {
  const { store } = await fixture();
  const { version } = await store.save("ana@example.com", credential);
  const record = await store.load("ana@example.com");
  assert.deepEqual(record, { id: "ana@example.com", credential, version });
  assert.equal(await store.has("ana@example.com"), true);
  assert.equal(await store.load("bob@example.com"), undefined);
});

Deno.test("the stored bytes hold no secret in plain text", async () => {
  const { backend, store } = await fixture();
  await store.save("ana@example.com", credential);
  const raw = new TextDecoder("latin1").decode(
    (await backend.get(storageName("ana@example.com")))!.bytes,
  );
  for (const value of Object.values(credential).flat()) {
    assert.ok(!raw.includes(String(value)), `found ${value}`);
  }
});

Deno.test("save with a stale version is CONFLICT and keeps the newer record", async () => {
  const { store } = await fixture();
  const first = await store.save("ana", credential);
  await store.save("ana", { ...credential, token: "second" }, {
    ifVersion: first.version,
  });
  await rejectsWith(
    store.save("ana", { ...credential, token: "third" }, {
      ifVersion: first.version,
    }),
    "CONFLICT",
  );
  assert.equal((await store.load("ana"))!.credential.token, "second");
});

Deno.test("save with ifVersion null creates only", async () => {
  const { store } = await fixture();
  await store.save("ana", credential, { ifVersion: null });
  await rejectsWith(
    store.save("ana", credential, { ifVersion: null }),
    "CONFLICT",
  );
});

Deno.test("an invalid id or credential writes nothing", async () => {
  const { backend, store } = await fixture();
  await rejectsWith(store.save("", credential), "INVALID_ID");
  await rejectsWith(store.save("a\u0000b", credential), "INVALID_ID");
  await rejectsWith(
    store.save("ana", { token: 7 } as never),
    "INVALID_CREDENTIAL",
    /'token'/,
  );
  await rejectsWith(
    store.save("ana", credential, { ifVersion: 3 as never }),
    "INVALID_CONFIG",
    /ifVersion/,
  );
  assert.deepEqual((await backend.list()).names, []);
});

Deno.test("a failed write leaves the previous record intact and readable", async () => {
  const { backend, keyring } = await fixture();
  let fail = false;
  const flaky: Backend = {
    get: (name) => backend.get(name),
    put: (name, bytes, condition) =>
      fail
        ? Promise.reject(new CredboxError("BACKEND", "disk full"))
        : backend.put(name, bytes, condition),
    delete: (name, condition) => backend.delete(name, condition),
    list: (options) => backend.list(options),
  };
  const store = new CredentialStore({
    backend: flaky,
    keyring,
    namespace: "t",
  });
  await store.save("ana", credential);
  fail = true;
  await rejectsWith(store.save("ana", { token: "new" }), "BACKEND");
  assert.deepEqual((await store.load("ana"))!.credential, credential);
});

Deno.test("load() of a record moved to another id fails with DECRYPT_FAILED", async () => {
  const { backend, store } = await fixture();
  await store.save("ana@example.com", credential);
  const stolen = await backend.get(storageName("ana@example.com"));
  await backend.put(storageName("eve@example.com"), stolen!.bytes);
  await rejectsWith(store.load("eve@example.com"), "DECRYPT_FAILED");
});

Deno.test("load() of a record from another namespace fails with DECRYPT_FAILED", async () => {
  const { backend, keyring, store } = await fixture("prod");
  await store.save("ana", credential);
  const other = new CredentialStore({ backend, keyring, namespace: "staging" });
  await rejectsWith(other.load("ana"), "DECRYPT_FAILED");
});

Deno.test("load() of a truncated or empty record fails with DECRYPT_FAILED", async () => {
  const { backend, store } = await fixture();
  await store.save("ana", credential);
  const sealed = (await backend.get("ana"))!.bytes;
  for (const length of [0, 1, 8, sealed.length - 1]) {
    await backend.put("ana", sealed.slice(0, length));
    await rejectsWith(store.load("ana"), "DECRYPT_FAILED");
  }
});

Deno.test("load() of a record sealed under a retired key is UNKNOWN_KEY", async () => {
  const oldEntry = Keyring.newEntry("old");
  const newEntry = Keyring.newEntry("new");
  const backend = new MemoryBackend();
  const before = new CredentialStore({
    backend,
    keyring: await Keyring.parse(oldEntry),
    namespace: "t",
  });
  await before.save("ana", credential);

  const rotated = new CredentialStore({
    backend,
    keyring: await Keyring.parse(`${newEntry},${oldEntry}`),
    namespace: "t",
  });
  assert.deepEqual((await rotated.load("ana"))!.credential, credential);

  const retired = new CredentialStore({
    backend,
    keyring: await Keyring.parse(newEntry),
    namespace: "t",
  });
  await rejectsWith(retired.load("ana"), "UNKNOWN_KEY", /'?old'?/);
});

Deno.test("list yields every id, filtered by prefix, across pages", async () => {
  const { store } = await fixture();
  const ids = ["ana@x.com", "Ana@x.com", "bob@x.com", "a.", "a.b", "ann@x.com"];
  for (const id of ids) await store.save(id, credential);
  const all: string[] = [];
  for await (const id of store.list()) all.push(id);
  assert.deepEqual(all.sort(), [...ids].sort());

  const a: string[] = [];
  for await (const id of store.list({ prefix: "a." })) a.push(id);
  assert.deepEqual(a.sort(), ["a.", "a.b"]);

  const an: string[] = [];
  for await (const id of store.list({ prefix: "an" })) an.push(id);
  assert.deepEqual(an.sort(), ["ana@x.com", "ann@x.com"]);
});

Deno.test("list skips foreign objects in the backend", async () => {
  const { backend, store } = await fixture();
  await store.save("ana", credential);
  await backend.put("Foreign", new Uint8Array([1]));
  const all: string[] = [];
  for await (const id of store.list()) all.push(id);
  assert.deepEqual(all, ["ana"]);
});

Deno.test("only() returns the single credential or says how many there are", async () => {
  const { store } = await fixture();
  await rejectsWith(store.only(), "NOT_FOUND");
  await store.save("ana", credential);
  assert.equal((await store.only()).id, "ana");
  await store.save("bob", credential);
  await store.save("cy", credential);
  await rejectsWith(store.only(), "INVALID_CONFIG", /holds 3/);
});

Deno.test("delete reports existence and honours ifVersion", async () => {
  const { store } = await fixture();
  const a = await store.save("ana", credential);
  await store.save("ana", credential);
  await rejectsWith(store.delete("ana", { ifVersion: a.version }), "CONFLICT");
  assert.equal(await store.delete("ana"), true);
  assert.equal(await store.delete("ana"), false);
});

Deno.test("bad options are INVALID_CONFIG naming the option", () => {
  const bad = [
    [{ keyring: {}, namespace: "x" }, /'backend'/],
    [{ backend: new MemoryBackend(), keyring: null }, /'keyring'/],
  ] as const;
  for (const [options, pattern] of bad) {
    assert.throws(
      () => new CredentialStore(options as never),
      (error: unknown) =>
        error instanceof CredboxError && error.code === "INVALID_CONFIG" &&
        pattern.test(error.message),
    );
  }
});

Deno.test("a bad namespace is INVALID_CONFIG naming the value", async () => {
  const keyring = await Keyring.generate();
  for (const namespace of ["", "a b", "x".repeat(129)]) {
    assert.throws(
      () =>
        new CredentialStore({
          backend: new MemoryBackend(),
          keyring,
          namespace,
        }),
      (error: unknown) =>
        error instanceof CredboxError && error.code === "INVALID_CONFIG" &&
        /'namespace'/.test(error.message),
    );
  }
});

Deno.test("with resealOnLoad, a load re-seals an old record under the primary", async () => {
  const oldEntry = Keyring.newEntry("old");
  const newEntry = Keyring.newEntry("new");
  const backend = new MemoryBackend();
  const before = new CredentialStore({
    backend,
    keyring: await Keyring.parse(oldEntry),
  });
  await before.save("ana", credential);
  const keyring = await Keyring.parse(`${newEntry},${oldEntry}`);

  const lazy = new CredentialStore({ backend, keyring, cache: false });
  await lazy.load("ana");
  assert.equal(sealedKeyId((await backend.get("ana"))!.bytes), "old");

  const resealing = new CredentialStore({
    backend,
    keyring,
    cache: false,
    resealOnLoad: true,
  });
  const record = await resealing.load("ana");
  assert.deepEqual(record!.credential, credential);
  const stored = await backend.get("ana");
  assert.equal(sealedKeyId(stored!.bytes), "new");
  assert.equal(record!.version, stored!.version);
  assert.equal(resealing.stats().backend.put, 1);

  await resealing.load("ana");
  assert.equal(resealing.stats().backend.put, 1, "no second re-seal");
});

Deno.test("with resealOnLoad, a record changed meanwhile is left to its writer", async () => {
  const oldEntry = Keyring.newEntry("old");
  const backend = new MemoryBackend();
  const old = await Keyring.parse(oldEntry);
  await new CredentialStore({ backend, keyring: old }).save("ana", credential);
  const keyring = await Keyring.parse(`${Keyring.newEntry("new")},${oldEntry}`);

  // A writer still on the old keyring saves between our read and re-seal.
  const racing: Backend = {
    get: async (name) => {
      const found = await backend.get(name);
      await new CredentialStore({ backend, keyring: old }).save("ana", {
        token: "newer",
      });
      return found;
    },
    put: (name, bytes, condition) => backend.put(name, bytes, condition),
    delete: (name, condition) => backend.delete(name, condition),
    list: (options) => backend.list(options),
  };
  const store = new CredentialStore({
    backend: racing,
    keyring,
    cache: false,
    resealOnLoad: true,
  });
  assert.deepEqual((await store.load("ana"))!.credential, credential);
  const after = new CredentialStore({ backend, keyring, cache: false });
  assert.equal((await after.load("ana"))!.credential.token, "newer");
});

Deno.test("resealOnLoad must be a boolean", async () => {
  const keyring = await Keyring.generate();
  assert.throws(
    () =>
      new CredentialStore({
        backend: new MemoryBackend(),
        keyring,
        resealOnLoad: "yes" as never,
      }),
    /'resealOnLoad' must be a boolean, got string/,
  );
});
