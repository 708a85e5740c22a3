/**
 * A smoke test of the HTTP app, in process through `app.request()`: the
 * token route over the S3 backend (so a request goes through Hono, the
 * store, Web Crypto and the AWS SDK on the runtime under test), an
 * authentication failure and an oversized body.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Keyring } from "../../src/crypto/keyring.ts";
import { createApiToken, createApp } from "../../src/http/app.ts";
import { CredentialStore } from "../../src/store.ts";
import { fakeS3Backend } from "./backend_checks.ts";
import type { Register } from "./harness.ts";

const ID = "ana@example.com";
const PATH = `/v1/credentials/${encodeURIComponent(ID)}`;

interface Smoke {
  app: ReturnType<typeof createApp>;
  store: CredentialStore;
  minter: string;
  writer: string;
}

async function smoke(): Promise<Smoke> {
  const store = new CredentialStore({
    backend: fakeS3Backend(),
    keyring: await Keyring.generate(),
    namespace: "portable",
  });
  const minter = createApiToken("mcp", ["token"]);
  const writer = createApiToken("ops", ["write"]);
  const app = createApp(store, {
    tokens: `${minter.entry},${writer.entry}`,
    log: () => {},
  });
  return { app, store, minter: minter.token, writer: writer.token };
}

async function problemCode(res: Response): Promise<string> {
  assert.equal(res.headers.get("content-type"), "application/problem+json");
  return (await res.json()).code;
}

/**
 * Register the HTTP smoke checks.
 *
 * @example
 * ```ts
 * import { Checks } from "./harness.ts";
 * import { registerHttpChecks } from "./http_checks.ts";
 *
 * const checks = new Checks();
 * registerHttpChecks(checks.test);
 * console.assert((await checks.run()).failed === 0);
 * ```
 */
export function registerHttpChecks(test: Register): void {
  test("http: POST /token answers a valid cached token, never the refresh token", async () => {
    const h = await smoke();
    await h.store.save(ID, {
      token: "ya29.cached",
      refresh_token: "1//refresh-secret",
      token_uri: "https://oauth2.googleapis.com/token",
      client_id: "123.apps.googleusercontent.com",
      client_secret: "GOCSPX-client-secret",
      expiry: "2999-01-01T00:00:00Z",
    });
    const res = await h.app.request(`${PATH}/token`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.minter}` },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const text = await res.text();
    assert.equal(JSON.parse(text).access_token, "ya29.cached");
    assert.doesNotMatch(text, /refresh-secret|GOCSPX/);
  });

  test("http: a request without a valid API token is a 401 problem", async () => {
    const h = await smoke();
    const none = await h.app.request(`${PATH}/token`, { method: "POST" });
    assert.equal(none.status, 401);
    await problemCode(none);
    const wrong = await h.app.request(`${PATH}/token`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.minter}x` },
    });
    assert.equal(wrong.status, 401);
    const body = await wrong.text();
    assert.ok(!body.includes(h.minter), "the token is echoed");
  });

  test("http: a body over 64 KiB is a 413 problem and writes nothing", async () => {
    const h = await smoke();
    const big = JSON.stringify({ token: "t", pad: "x".repeat(70 * 1024) });
    const res = await h.app.request(PATH, {
      method: "PUT",
      headers: {
        authorization: `Bearer ${h.writer}`,
        "content-type": "application/json",
      },
      body: big,
    });
    assert.equal(res.status, 413);
    assert.equal(await problemCode(res), "PAYLOAD_TOO_LARGE");
    assert.equal(await h.store.load(ID), undefined);
  });
}
