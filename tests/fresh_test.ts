import assert from "node:assert/strict";
import {
  type Backend,
  type Credential,
  CredentialStore,
  Keyring,
  MemoryBackend,
  type StoreOptions,
} from "../mod.ts";
import {
  createFakeS3,
  createFakeTokenEndpoint,
  type FakeTokenEndpoint,
} from "../src/testing/mod.ts";
import {
  assertNoSecrets,
  FakeTime,
  rejectsWith,
  s3Backend,
  standStill,
} from "./store_helpers.ts";

const ID = "ana@example.com";

async function setup(
  options: { rotate?: boolean; backend?: Backend } = {},
  extra: Partial<StoreOptions> = {},
) {
  const time = new FakeTime();
  const endpoint = createFakeTokenEndpoint({
    now: time.now,
    rotate: options.rotate,
  });
  const backend = options.backend ?? new MemoryBackend();
  const keyring = await Keyring.generate();
  const make = (more: Partial<StoreOptions> = {}) =>
    new CredentialStore({
      backend,
      keyring,
      fetch: endpoint.fetch,
      now: time.now,
      sleep: time.sleep,
      ...extra,
      ...more,
    });
  return { time, endpoint, backend, keyring, make, store: make() };
}

function expired(endpoint: FakeTokenEndpoint): Credential {
  return endpoint.signIn({ expiresIn: -1 });
}

Deno.test("fresh() returns a valid record without calling the provider", async () => {
  const { endpoint, store } = await setup();
  await store.save(ID, endpoint.signIn());
  const fresh = await store.fresh(ID);
  assert.ok(endpoint.isValid(fresh.credential.token!));
  assert.equal(endpoint.calls, 0);
});

Deno.test("fresh() of a missing id is NOT_FOUND", async () => {
  const { store } = await setup();
  await rejectsWith(store.fresh(ID), "NOT_FOUND", /ana@example\.com/);
});

Deno.test("fresh() refreshes a token valid for less than skewMs", async () => {
  const { endpoint, store } = await setup();
  await store.save(ID, endpoint.signIn({ expiresIn: 30 }));
  await store.fresh(ID, { skewMs: 10_000 });
  assert.equal(endpoint.calls, 0);
  const fresh = await store.fresh(ID);
  assert.equal(endpoint.calls, 1);
  assert.ok(endpoint.isValid(fresh.credential.token!));
  assert.equal(
    (await store.load(ID))!.credential.token,
    fresh.credential.token,
  );
});

Deno.test("20 concurrent fresh() on an expired record in one store make 1 refresh", async () => {
  const { endpoint, store } = await setup({ rotate: true });
  await store.save(ID, expired(endpoint));
  const results = await Promise.all(
    Array.from({ length: 20 }, () => store.fresh(ID)),
  );
  assert.equal(endpoint.calls, 1);
  assert.equal(new Set(results.map((r) => r.credential.token)).size, 1);
  assert.equal(store.stats().refresh.joined, 19);
  assert.equal(store.stats().refresh.succeeded, 1);
});

Deno.test("4 stores over one fake S3, 25 concurrent fresh() each, rotating provider: 1 refresh per expiry", async () => {
  const s3 = createFakeS3();
  const { time, endpoint, make } = await setup(
    { rotate: true, backend: s3Backend(s3) },
    // Time stands still while others wait, so no lease can lapse under
    // its holder however the event loop interleaves.
    { sleep: standStill },
  );
  const stores = Array.from({ length: 4 }, () => make());
  await stores[0].save(ID, expired(endpoint));

  for (let expiry = 1; expiry <= 3; expiry++) {
    const results = await Promise.all(
      stores.flatMap((store) =>
        Array.from({ length: 25 }, () => store.fresh(ID))
      ),
    );
    assert.equal(endpoint.calls, expiry, `refreshes after expiry ${expiry}`);
    assert.ok(results.every((r) => endpoint.isValid(r.credential.token!)));
    assert.ok(endpoint.requests.every((r) => r.status === 200));

    const stored = await make({ cache: false }).load(ID);
    assert.ok(endpoint.isActive(stored!.credential.refresh_token!));
    time.advance(3600_000); // the token just issued expires
  }
  const waited = stores.reduce((n, s) => n + s.stats().refresh.waited, 0);
  assert.ok(waited >= 1, "the other stores waited on the lease");
});

Deno.test("invalid_grant is REAUTH_REQUIRED, and the record is kept and marked for every instance", async () => {
  const { endpoint, store, make } = await setup({ rotate: true });
  const credential = expired(endpoint);
  await store.save(ID, credential);
  endpoint.revoke(credential.refresh_token!);

  const error = await rejectsWith(store.fresh(ID), "REAUTH_REQUIRED");
  assertNoSecrets(error, [
    credential.refresh_token!,
    credential.client_secret!,
  ]);
  assert.equal(store.stats().refresh.reauth, 1);

  const other = make();
  const kept = await other.load(ID);
  assert.deepEqual(kept!.credential, credential);
  assert.equal(kept!.reauth?.reason, "invalid_grant");
  assert.ok(!("credbox_reauth" in kept!.credential));
  await rejectsWith(other.fresh(ID), "REAUTH_REQUIRED", /sign in again/);
  assert.equal(endpoint.calls, 1, "a marked record is not retried");

  // Keeping the refresh token keeps the mark; a new sign-in clears it.
  await other.update(ID, (c) => ({ ...c!, scopes: ["openid"] }));
  assert.ok((await make().load(ID))!.reauth);
  await other.save(ID, endpoint.signIn());
  assert.equal((await make().load(ID))!.reauth, undefined);
  await store.fresh(ID);
});

Deno.test("5xx is retried then REFRESH_FAILED, and the lease is given back", async () => {
  const { endpoint, store, make } = await setup();
  const credential = expired(endpoint);
  await store.save(ID, credential);
  endpoint.fail(500, 503, 502);

  const error = await rejectsWith(store.fresh(ID), "REFRESH_FAILED", /502/);
  assertNoSecrets(error, [
    credential.refresh_token!,
    credential.client_secret!,
  ]);
  assert.equal(endpoint.calls, 3);
  assert.deepEqual(
    {
      calls: store.stats().refresh.calls,
      failed: store.stats().refresh.failed,
    },
    { calls: 3, failed: 1 },
  );
  // Another instance need not wait for the lease to lapse.
  const other = make();
  await other.fresh(ID);
  assert.equal(other.stats().refresh.waited, 0);
  assert.equal(endpoint.calls, 4);
});

/** A store whose provider call never returns, and when it has begun. */
function hangingHolder(
  make: (more?: Partial<StoreOptions>) => CredentialStore,
): { store: CredentialStore; claimed: Promise<void> } {
  let began!: () => void;
  const claimed = new Promise<void>((resolve) => began = resolve);
  const store = make({
    fetch: () => {
      began(); // the lease is written before the provider is called
      return new Promise<Response>(() => {});
    },
  });
  return { store, claimed };
}

Deno.test("a lease whose holder died lapses and is taken over", async () => {
  const { time, endpoint, store, make } = await setup({}, {
    refresh: { leaseMs: 10_000, waitMs: 15_000, pollMs: 1_000 },
  });
  await store.save(ID, expired(endpoint));
  const dying = hangingHolder(make);
  void dying.store.fresh(ID).catch(() => {});
  await dying.claimed;

  const start = time.now();
  const fresh = await store.fresh(ID);
  assert.ok(endpoint.isValid(fresh.credential.token!));
  assert.ok(time.now() - start >= 10_000, "waited for the lease to lapse");
  assert.equal(store.stats().refresh.waited, 1);
  assert.equal(endpoint.calls, 1);
});

Deno.test("a waiter gives up with REFRESH_FAILED once waitMs passes under a live lease", async () => {
  const { endpoint, store, make } = await setup({}, {
    refresh: { leaseMs: 60_000, waitMs: 5_000, pollMs: 1_000 },
  });
  await store.save(ID, expired(endpoint));
  const stuck = hangingHolder(make);
  void stuck.store.fresh(ID).catch(() => {});
  await stuck.claimed;

  await rejectsWith(store.fresh(ID), "REFRESH_FAILED", /5000 ms/);
  assert.equal(endpoint.calls, 0);
});

Deno.test("a rotated refresh token survives an update() that lands during the refresh", async () => {
  const { endpoint, store, make } = await setup({ rotate: true });
  await store.save(ID, expired(endpoint));
  const other = make();
  // While the provider answers, another instance changes the record.
  const racing: typeof fetch = async (input, init) => {
    await other.update(ID, (c) => ({ ...c!, note: "changed meanwhile" }));
    return await endpoint.fetch(input as string, init);
  };
  const fresh = await make({ fetch: racing }).fresh(ID);

  const stored = (await make({ cache: false }).load(ID))!.credential;
  assert.equal(stored.note, "changed meanwhile");
  assert.equal(stored.refresh_token, fresh.credential.refresh_token);
  assert.ok(endpoint.isActive(stored.refresh_token!));
  assert.equal(stored.token, fresh.credential.token);
});

Deno.test("a new sign-in saved during a refresh wins over the refresh's result", async () => {
  const { endpoint, store, make } = await setup({ rotate: true });
  await store.save(ID, expired(endpoint));
  const signedIn = endpoint.signIn({ scopes: ["openid"] });
  const racing: typeof fetch = async (input, init) => {
    await make().save(ID, signedIn);
    return await endpoint.fetch(input as string, init);
  };
  const fresh = await make({ fetch: racing }).fresh(ID);
  assert.deepEqual(fresh.credential, signedIn);
  assert.deepEqual((await make().load(ID))!.credential, signedIn);
});

Deno.test("fresh() uses a token another instance refreshed, without a refresh of its own", async () => {
  const { time, endpoint, store, make } = await setup();
  await store.save(ID, endpoint.signIn({ expiresIn: 120 }));
  await store.fresh(ID); // cached here, valid for two minutes
  time.advance(90_000);
  const other = make();
  await other.fresh(ID);
  assert.equal(endpoint.calls, 1);

  const fresh = await store.fresh(ID);
  assert.equal(endpoint.calls, 1);
  assert.equal(
    fresh.credential.token,
    (await other.load(ID))!.credential.token,
  );
});

Deno.test("a holder that outlives its lease still saves its rotated token, lifting a mark made meanwhile", async () => {
  const { time, endpoint, store, make } = await setup({ rotate: true }, {
    refresh: { leaseMs: 10_000, waitMs: 15_000, pollMs: 1_000 },
  });
  await store.save(ID, expired(endpoint));
  // The provider rotates at once, but the answer reaches the holder late.
  let deliver!: () => void;
  const delivered = new Promise<void>((resolve) => deliver = resolve);
  let answered!: () => void;
  const rotated = new Promise<void>((resolve) => answered = resolve);
  const slow = make({
    fetch: async (input, init) => {
      const response = await endpoint.fetch(input as string, init);
      answered();
      await delivered;
      return response;
    },
  });
  const late = slow.fresh(ID);
  await rotated;

  // Its lease lapses; another instance takes over with the spent token.
  time.advance(10_001);
  await rejectsWith(make().fresh(ID), "REAUTH_REQUIRED");
  assert.ok((await make().load(ID))!.reauth);

  deliver();
  const fresh = await late;
  const stored = await make().load(ID);
  assert.equal(stored!.reauth, undefined);
  assert.equal(
    stored!.credential.refresh_token,
    fresh.credential.refresh_token,
  );
  assert.ok(endpoint.isActive(stored!.credential.refresh_token!));
  await make().fresh(ID);
});
