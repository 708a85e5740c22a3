import assert from "node:assert/strict";
import { CredentialStore, Keyring, MemoryBackend } from "@credbox/credbox";
import {
  createApiToken,
  createApp,
  parseApiTokens,
} from "@credbox/credbox/http";
import { harness, longLived, path, problemOf, ROLES } from "./http_helpers.ts";

const HASH = "ab".repeat(32);

Deno.test("parseApiTokens reads names, scopes and digests", () => {
  const tokens = parseApiTokens(
    ` ops:list+read:${HASH} , mcp:token:${"CD".repeat(32)},`,
  );
  assert.deepEqual(tokens.map((t) => t.name), ["ops", "mcp"]);
  assert.deepEqual([...tokens[0].scopes], ["list", "read"]);
  assert.equal(tokens[1].digest.length, 32);
  assert.deepEqual(parseApiTokens(""), []);
});

Deno.test("a bad token entry names its position and rule, never its value", () => {
  const secret = "cbx_pasted-raw-token-value";
  const cases: [string, RegExp][] = [
    [`ops:read:${secret}`, /entry 1 must end in 64 hex digits/],
    [`ok:read:${HASH},${secret}`, /entry 2 must be name:scope\+scope/],
    [`ops:root:${HASH}`, /entry 1 has a scope that is not one of/],
    [`bad name:read:${HASH}`, /entry 1 needs a name/],
    [`a:read:${HASH},a:list:${"cd".repeat(32)}`, /entry 2 repeats the name/],
    [`a:read:${HASH},b:list:${HASH}`, /entry 2 repeats the token of entry 1/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseApiTokens(text, "CREDBOX_API_TOKENS"),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "INVALID_CONFIG");
        assert.match(error.message, /^CREDBOX_API_TOKENS: /);
        assert.match(error.message, message);
        assert.ok(!error.message.includes(secret), error.message);
        assert.ok(!error.message.includes(HASH), error.message);
        return true;
      },
    );
  }
});

Deno.test("createApp refuses a bad token list at creation", async () => {
  const store = new CredentialStore({
    backend: new MemoryBackend(),
    keyring: await Keyring.generate(),
  });
  Object.assign(store, { fresh: () => Promise.reject(new Error("unused")) });
  assert.throws(
    () => createApp(store as never, { tokens: "nonsense" }),
    /'tokens': entry 1 must be name:scope\+scope:sha256hex/,
  );
  assert.throws(() => createApp({} as never), /'store' must be/);
});

Deno.test("createApp reads CREDBOX_API_TOKENS when given no tokens", async () => {
  const { token, entry } = createApiToken("envy", ["admin"]);
  const store = new CredentialStore({
    backend: new MemoryBackend(),
    keyring: await Keyring.generate(),
  });
  Object.assign(store, { fresh: () => Promise.reject(new Error("unused")) });
  Deno.env.set("CREDBOX_API_TOKENS", entry);
  try {
    const app = createApp(store as never);
    const res = await app.request("/metrics", {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
  } finally {
    Deno.env.delete("CREDBOX_API_TOKENS");
  }
});

Deno.test("no Authorization header is a 401 with a Bearer challenge", async () => {
  const h = await harness();
  const res = await h.call("GET", path("ana@example.com"));
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="credbox"');
  assert.equal((await problemOf(res)).code, "UNAUTHORIZED");
});

Deno.test("an unknown or malformed token is a 401, not a 400", async () => {
  const h = await harness();
  const headers = [
    ["Bearer cbx_unknown", /error="invalid_token"/],
    ["Basic dXNlcjpwYXNz", /error="invalid_request"/],
    ["Bearer not a token", /error="invalid_request"/],
  ] as const;
  for (const [authorization, challenge] of headers) {
    const res = await h.call("GET", "/v1/credentials", {
      headers: { authorization },
    });
    assert.equal(res.status, 401, authorization);
    assert.match(res.headers.get("www-authenticate") ?? "", challenge);
    assert.equal((await problemOf(res)).code, "UNAUTHORIZED");
  }
});

Deno.test("each route needs its scope: 403 without it, insufficient_scope", async () => {
  const h = await harness();
  await h.store.save("ana@example.com", longLived());
  const routes: [string, string, string, unknown?][] = [
    ["GET", "/v1/credentials", "lister"],
    ["GET", path("ana@example.com"), "reader"],
    ["PUT", path("ana@example.com"), "writer", longLived()],
    ["POST", path("ana@example.com", "/token"), "minter"],
    ["DELETE", path("ana@example.com"), "writer"],
    ["GET", "/metrics", "admin"],
  ];
  for (const [method, url, allowed, json] of routes) {
    for (const role of Object.keys(ROLES)) {
      await h.store.save("ana@example.com", longLived());
      const res = await h.call(method, url, { role, json });
      const label = `${method} ${url} as ${role}`;
      if (role === allowed || role === "admin") {
        assert.ok(res.status < 300, `${label}: ${res.status}`);
      } else {
        assert.equal(res.status, 403, label);
        assert.equal((await problemOf(res)).code, "FORBIDDEN");
        assert.match(
          res.headers.get("www-authenticate") ?? "",
          /error="insufficient_scope"/,
        );
      }
      if (!res.bodyUsed) await res.body?.cancel();
    }
  }
});

Deno.test("healthz and openapi.json need no token", async () => {
  const h = await harness();
  const health = await h.call("GET", "/healthz");
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: "ok" });
  const doc = await h.call("GET", "/openapi.json");
  assert.equal(doc.status, 200);
  assert.equal((await doc.json()).openapi, "3.1.0");
});

Deno.test("createApiToken makes tokens the bearer grammar accepts", async () => {
  for (let i = 0; i < 20; i++) {
    const { token, entry } = createApiToken("t", ["read", "list"]);
    assert.match(token, /^cbx_[A-Za-z0-9_-]{43}$/);
    assert.match(entry, /^t:read\+list:[0-9a-f]{64}$/);
  }
  await assert.rejects(
    () => Promise.resolve().then(() => createApiToken("t", [])),
    /'scopes' must be one or more/,
  );
});
