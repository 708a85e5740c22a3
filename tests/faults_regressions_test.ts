/**
 * Regressions the fault runs found, kept as plain, deterministic tests.
 */

import assert from "node:assert/strict";
import {
  type Backend,
  CredentialStore,
  Keyring,
  MemoryBackend,
} from "../mod.ts";

/**
 * A backend whose next `get` reads the object at once but answers only when
 * `release()` is called: a GET whose response is slow to come back.
 */
function slowFirstGet(inner: Backend) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  let first = true;
  const backend: Backend = {
    get: async (name) => {
      const found = await inner.get(name);
      if (first) {
        first = false;
        await gate;
      }
      return found;
    },
    put: (name, bytes, condition) => inner.put(name, bytes, condition),
    delete: (name, condition) => inner.delete(name, condition),
    list: (options) => inner.list(options),
  };
  return { backend, release };
}

function storeOver(backend: Backend, keyring: Keyring): CredentialStore {
  return new CredentialStore({
    backend,
    keyring,
    cache: { ttlMs: 60_000, maxEntries: 10 },
  });
}

// Found by the long fault run on one cached store (seed 1647190392): a read
// that started after delete() or a failed save had resolved joined a load
// already in flight from before, and returned the record that was gone.
Deno.test("a load that starts after delete() resolved never sees the deleted record", async () => {
  const keyring = await Keyring.generate();
  const memory = new MemoryBackend();
  await (storeOver(memory, keyring)).save("ana", { token: "ya29.old" });
  const { backend, release } = slowFirstGet(memory);
  const store = storeOver(backend, keyring);

  const before = store.load("ana");
  assert.equal(await store.delete("ana"), true);
  const after = store.load("ana");
  release();

  assert.equal((await before)?.credential.token, "ya29.old");
  assert.equal(await after, undefined);
});

Deno.test("a load that starts after a failed save never sees what came before a newer save", async () => {
  const keyring = await Keyring.generate();
  const memory = new MemoryBackend();
  const first = await (storeOver(memory, keyring)).save("ana", {
    token: "ya29.old",
  });
  const { backend, release } = slowFirstGet(memory);
  const store = storeOver(backend, keyring);

  const before = store.load("ana");
  // Another instance saves a newer record; this one's save then loses the
  // race, which drops its cached copy.
  await (storeOver(memory, keyring)).save("ana", { token: "ya29.new" });
  await assert.rejects(
    store.save("ana", { token: "ya29.lost" }, { ifVersion: first.version }),
  );
  const after = store.load("ana");
  release();

  assert.equal((await before)?.credential.token, "ya29.old");
  assert.equal((await after)?.credential.token, "ya29.new");
});
