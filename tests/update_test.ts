import assert from "node:assert/strict";
import {
  type Backend,
  CredboxError,
  CredentialStore,
  Keyring,
  MemoryBackend,
} from "../mod.ts";
import { FsBackend } from "../src/backends/fs.ts";
import { createFakeS3 } from "../src/testing/mod.ts";
import { FakeTime, rejectsWith, s3Backend } from "./store_helpers.ts";

const WRITERS = 50;
const INCREMENTS = 20;

async function incrementsReachTheTotal(backend: Backend): Promise<void> {
  const keyring = await Keyring.generate();
  const time = new FakeTime();
  // One store per writer: separate instances share nothing but the backend.
  const stores = Array.from(
    { length: WRITERS },
    () =>
      new CredentialStore({
        backend,
        keyring,
        namespace: "t",
        now: time.now,
        sleep: time.sleep,
      }),
  );
  await stores[0].save("counter", { token: "ya29.x", count: 0 });

  await Promise.all(stores.map(async (store) => {
    for (let i = 0; i < INCREMENTS; i++) {
      await store.update(
        "counter",
        (current) => ({ ...current!, count: (current!.count as number) + 1 }),
        { attempts: 1000 },
      );
    }
  }));

  // A new instance: each writer's cache holds its own last write.
  const reader = new CredentialStore({ backend, keyring, namespace: "t" });
  const final = await reader.load("counter");
  assert.equal(final!.credential.count, WRITERS * INCREMENTS);
}

Deno.test("50 writers × 20 update() increments reach 1,000 on memory", async () => {
  await incrementsReachTheTotal(new MemoryBackend());
});

Deno.test("50 writers × 20 update() increments reach 1,000 on the fake S3", async () => {
  const s3 = createFakeS3();
  await incrementsReachTheTotal(s3Backend(s3));
  assert.ok(s3.requests.count("PutObject") >= WRITERS * INCREMENTS);
});

Deno.test({
  name: "50 writers × 20 update() increments reach 1,000 on fs",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      await incrementsReachTheTotal(new FsBackend({ dir }));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("update() of a missing id passes undefined and creates only if still absent", async () => {
  const backend = new MemoryBackend();
  const keyring = await Keyring.generate();
  const store = new CredentialStore({ backend, keyring });
  const seen: unknown[] = [];
  const created = await store.update("ana", (current) => {
    seen.push(current);
    return { token: "ya29.first" };
  });
  assert.deepEqual(seen, [undefined]);
  assert.equal(created.credential.token, "ya29.first");

  // A racing creator makes the create-only save fail; the retry sees it.
  const racer = new CredentialStore({ backend, keyring });
  const calls: unknown[] = [];
  const result = await store.update("bob", async (current) => {
    calls.push(current?.token);
    if (calls.length === 1) await racer.save("bob", { token: "ya29.racer" });
    return { ...current, token: `${current?.token ?? "none"}+mine` };
  });
  assert.deepEqual(calls, [undefined, "ya29.racer"]);
  assert.equal(result.credential.token, "ya29.racer+mine");
});

Deno.test("update() gives up with CONFLICT after its attempts, backing off with jitter", async () => {
  const inner = new MemoryBackend();
  const always: Backend = {
    get: (name) => inner.get(name),
    put: () => Promise.reject(new CredboxError("CONFLICT", "moved")),
    delete: (name, condition) => inner.delete(name, condition),
    list: (options) => inner.list(options),
  };
  const time = new FakeTime();
  const store = new CredentialStore({
    backend: always,
    keyring: await Keyring.generate(),
    sleep: time.sleep,
    now: time.now,
    random: () => 0.5,
  });
  let calls = 0;
  await rejectsWith(
    store.update("ana", () => ({ token: `t${++calls}` }), { attempts: 4 }),
    "CONFLICT",
    /4 attempts/,
  );
  assert.equal(calls, 4);
  // Half of 10, 20 and 40 ms: exponential, jittered by the injected random.
  assert.deepEqual(time.sleeps, [5, 10, 20]);
});

Deno.test("update() passes on what fn throws and writes nothing", async () => {
  const backend = new MemoryBackend();
  const store = new CredentialStore({
    backend,
    keyring: await Keyring.generate(),
  });
  await assert.rejects(
    store.update("ana", () => {
      throw new RangeError("no");
    }),
    RangeError,
  );
  await rejectsWith(
    store.update("ana", () => ({ token: 7 }) as never),
    "INVALID_CREDENTIAL",
  );
  assert.deepEqual((await backend.list()).names, []);
  assert.equal(store.stats().backend.put, 0);
});

Deno.test("save() and update() refuse the reserved credbox_ keys", async () => {
  const store = new CredentialStore({
    backend: new MemoryBackend(),
    keyring: await Keyring.generate(),
  });
  const sneaky = {
    token: "ya29.x",
    credbox_lease: { holder: "me", until: 1e15 },
  };
  await rejectsWith(
    store.save("ana", sneaky),
    "INVALID_CREDENTIAL",
    /'credbox_lease' is reserved/,
  );
  await rejectsWith(
    store.update("ana", () => sneaky),
    "INVALID_CREDENTIAL",
    /reserved/,
  );
});

Deno.test("update() attempts outside 1..1000 are INVALID_CONFIG", async () => {
  const store = new CredentialStore({
    backend: new MemoryBackend(),
    keyring: await Keyring.generate(),
  });
  for (const attempts of [0, 1.5, 1001]) {
    await rejectsWith(
      store.update("ana", () => ({ token: "x" }), { attempts }),
      "INVALID_CONFIG",
      /'attempts'/,
    );
  }
});
