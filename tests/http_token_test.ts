import assert from "node:assert/strict";
import {
  type Backend,
  CredboxError,
  CredentialStore,
  Keyring,
  MemoryBackend,
} from "@credbox/credbox";
import { createFakeTokenEndpoint } from "../src/testing/fake_token_endpoint.ts";
import { harness, longLived, path, problemOf } from "./http_helpers.ts";

const ID = "ana@example.com";
const T0 = Date.UTC(2025, 9, 21, 12, 0, 0);

Deno.test("the token route shows only access_token, expires_at and scopes", async () => {
  const h = await harness();
  await h.store.save(ID, longLived("ya29.valid"));
  const res = await h.call("POST", path(ID, "/token"), { role: "minter" });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-store");
  const text = await res.text();
  assert.deepEqual(JSON.parse(text), {
    access_token: "ya29.valid",
    expires_at: "2999-01-01T00:00:00.000Z",
    scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
  });
  assert.doesNotMatch(text, /refresh|secret|client/);
});

Deno.test("an expired token is refreshed before it is handed out", async () => {
  let now = T0;
  const clock = () => now;
  const endpoint = createFakeTokenEndpoint({ now: clock });
  const h = await harness({ fetch: endpoint.fetch, clock });
  await h.store.save(ID, endpoint.signIn({ expiresIn: 0 }));
  now += 1000;
  const res = await h.call("POST", path(ID, "/token"), { role: "minter" });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.ok(endpoint.isValid(body.access_token));
  assert.equal(Date.parse(body.expires_at), now + 3599_000);
  assert.equal(endpoint.calls, 1);
});

Deno.test("min_ttl asks for a refresh when the token expires sooner", async () => {
  const clock = () => T0;
  const endpoint = createFakeTokenEndpoint({ now: clock });
  const h = await harness({ fetch: endpoint.fetch, clock });
  const first = endpoint.signIn({ expiresIn: 600 });
  await h.store.save(ID, first);
  const plain = await h.call("POST", path(ID, "/token"), { role: "minter" });
  assert.equal((await plain.json()).access_token, first.token);
  const longer = await h.call("POST", path(ID, "/token?min_ttl=1200"), {
    role: "minter",
  });
  assert.notEqual((await longer.json()).access_token, first.token);
  const bad = await h.call("POST", path(ID, "/token?min_ttl=-1"), {
    role: "minter",
  });
  assert.equal(bad.status, 400);
});

Deno.test("a revoked grant is a 409 REAUTH_REQUIRED", async () => {
  const clock = () => T0;
  const endpoint = createFakeTokenEndpoint({ now: clock });
  const h = await harness({ fetch: endpoint.fetch, clock });
  const credential = endpoint.signIn({ expiresIn: 0 });
  endpoint.revoke(credential.refresh_token!);
  await h.store.save(ID, credential);
  const res = await h.call("POST", path(ID, "/token"), { role: "minter" });
  assert.equal(res.status, 409);
  assert.equal((await problemOf(res)).code, "REAUTH_REQUIRED");
});

Deno.test("a failing token endpoint is a 502 REFRESH_FAILED", async () => {
  const clock = () => T0;
  const endpoint = createFakeTokenEndpoint({ now: clock });
  const h = await harness({ fetch: endpoint.fetch, clock });
  await h.store.save(ID, endpoint.signIn({ expiresIn: 0 }));
  endpoint.fail(500, 500, 500, 500, 500, 500);
  const res = await h.call("POST", path(ID, "/token"), { role: "minter" });
  assert.equal(res.status, 502);
  const text = await res.text();
  assert.match(text, /REFRESH_FAILED/);
  assert.doesNotMatch(text, /fake-refresh|GOCSPX/);
});

Deno.test("the token of a missing credential is a 404", async () => {
  const h = await harness();
  const res = await h.call("POST", path(ID, "/token"), { role: "minter" });
  assert.equal(res.status, 404);
  assert.equal((await problemOf(res)).code, "NOT_FOUND");
});

Deno.test("a backend failure is a 503 that hides the backend's message", async () => {
  const failing = new MemoryBackend();
  const leaky: Backend = Object.assign(Object.create(failing), {
    get: () =>
      Promise.reject(
        new CredboxError("BACKEND", "S3 said: AKIAEXAMPLE secret=abc123"),
      ),
  });
  const h = await harness({ backend: leaky });
  const res = await h.call("GET", path(ID), { role: "reader" });
  assert.equal(res.status, 503);
  const text = await res.text();
  assert.match(text, /"code":"BACKEND"/);
  assert.doesNotMatch(text, /AKIA|abc123/);
});

Deno.test("a record that does not open is a 500 DECRYPT_FAILED, said generically", async () => {
  const backend = new MemoryBackend();
  const other = new CredentialStore({
    backend,
    keyring: await Keyring.parse(Keyring.newEntry("k1")),
    namespace: "http-test",
  });
  await other.save(ID, longLived());
  const h = await harness({ backend });
  const res = await h.call("POST", path(ID, "/token"), { role: "minter" });
  assert.equal(res.status, 500);
  const body = await problemOf(res);
  assert.ok(body.code === "DECRYPT_FAILED" || body.code === "UNKNOWN_KEY");
  assert.doesNotMatch(body.detail, /k1/);
});

Deno.test("an unexpected error is a bare 500 INTERNAL", async () => {
  const h = await harness({
    wrap: (store) =>
      Object.assign(Object.create(store), {
        load: () => Promise.reject(new TypeError("db password is hunter2")),
      }),
  });
  const res = await h.call("GET", path(ID), { role: "reader" });
  assert.equal(res.status, 500);
  const text = await res.text();
  assert.match(text, /"code":"INTERNAL"/);
  assert.doesNotMatch(text, /hunter2/);
});
