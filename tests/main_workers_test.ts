import assert from "node:assert/strict";
import { Keyring } from "../src/crypto/keyring.ts";
import { createApiToken } from "../src/http/app.ts";
import worker, { type WorkerEnv } from "../src/main_workers.ts";

function bindings(extra: WorkerEnv = {}): { env: WorkerEnv; token: string } {
  const { token, entry } = createApiToken("ops", ["write", "token"]);
  return {
    env: {
      CREDBOX_STORE: "memory:",
      CREDBOX_KEYS: Keyring.newEntry("k1"),
      CREDBOX_API_TOKENS: entry,
      // Bindings that are not text (KV, R2, queues) are ignored.
      SOME_KV: { get() {} },
      ...extra,
    },
    token,
  };
}

const call = (env: WorkerEnv, path: string, init?: RequestInit) =>
  worker.fetch(new Request(`https://credbox.example${path}`, init), env);

async function problem(
  res: Response,
): Promise<{ code: string; detail: string }> {
  assert.equal(res.headers.get("content-type"), "application/problem+json");
  return await res.json();
}

Deno.test("the worker serves the app over a memory store from its bindings", async () => {
  const { env, token } = bindings();
  const auth = { authorization: `Bearer ${token}` };
  const put = await call(env, "/v1/credentials/ana%40example.com", {
    method: "PUT",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ token: "ya29.w", expiry: "2999-01-01T00:00:00Z" }),
  });
  assert.equal(put.status, 201);
  // The same bindings object reaches the same app, and so the same store.
  const minted = await call(env, "/v1/credentials/ana%40example.com/token", {
    method: "POST",
    headers: auth,
  });
  assert.equal(minted.status, 200);
  assert.equal((await minted.json()).access_token, "ya29.w");
});

Deno.test("the worker answers 500 naming a missing binding, never a value", async () => {
  for (const name of ["CREDBOX_STORE", "CREDBOX_KEYS", "CREDBOX_API_TOKENS"]) {
    const { env } = bindings({ [name]: " " });
    const res = await call(env, "/healthz");
    assert.equal(res.status, 500);
    const body = await problem(res);
    assert.equal(body.code, "INVALID_CONFIG");
    assert.match(body.detail, new RegExp(`${name} is not set`));
  }
});

Deno.test("the worker refuses a file store: Workers have no file system", async () => {
  const { env } = bindings({ CREDBOX_STORE: "file:///var/lib/credbox" });
  const body = await problem(await call(env, "/healthz"));
  assert.match(body.detail, /s3:\/\/bucket\/prefix or memory:/);
  assert.doesNotMatch(body.detail, /var\/lib/);
});

Deno.test("the worker needs AWS keys in its bindings for an s3 store", async () => {
  const { env } = bindings({
    CREDBOX_STORE: "s3://creds/prod/",
    AWS_ACCESS_KEY_ID: "AKIDFAKE",
  });
  const body = await problem(await call(env, "/healthz"));
  assert.match(body.detail, /AWS_SECRET_ACCESS_KEY/);
  assert.doesNotMatch(body.detail, /AKIDFAKE/);

  env.AWS_SECRET_ACCESS_KEY = "fake-secret";
  env.AWS_REGION = "eu-west-1";
  // A new bindings object, as after a configuration change, builds anew.
  const res = await call({ ...env }, "/healthz");
  assert.equal(res.status, 200);
});

Deno.test("a broken configuration is retried on the next request", async () => {
  const { env } = bindings({ CREDBOX_KEYS: "k1:not-a-key" });
  assert.equal((await call(env, "/healthz")).status, 500);
  env.CREDBOX_KEYS = Keyring.newEntry("k1");
  assert.equal((await call(env, "/healthz")).status, 200);
});

Deno.test("the worker names the binding of a malformed s3 URL", async () => {
  const { env } = bindings({
    CREDBOX_STORE: "s3:///no-bucket",
    AWS_ACCESS_KEY_ID: "AKIDFAKE",
    AWS_SECRET_ACCESS_KEY: "fake-secret",
  });
  const body = await problem(await call(env, "/healthz"));
  assert.match(body.detail, /^CREDBOX_STORE: .*'bucket'/);
});
