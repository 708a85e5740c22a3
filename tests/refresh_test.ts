import assert from "node:assert/strict";
import { type Credential, parseExpiry } from "../mod.ts";
import { type GrantOptions, refreshGrant } from "../src/refresh.ts";
import { createFakeTokenEndpoint } from "../src/testing/mod.ts";
import { assertNoSecrets, FakeTime, rejectsWith } from "./store_helpers.ts";

function grantOptions(
  fetch: GrantOptions["fetch"],
  time = new FakeTime(),
  extra: Partial<GrantOptions> = {},
): GrantOptions {
  return {
    id: "ana@example.com",
    fetch,
    now: time.now,
    sleep: time.sleep,
    backoff: { baseMs: 100, capMs: 1_000, random: () => 0.5 },
    retries: 2,
    timeoutMs: 1_000,
    clientAuth: "body",
    ...extra,
  };
}

function secretsOf(credential: Credential): string[] {
  return [
    credential.token!,
    credential.refresh_token!,
    credential.client_secret!,
  ];
}

Deno.test("the fake endpoint issues tokens with expires_in and rotates when asked", async () => {
  const time = new FakeTime();
  const endpoint = createFakeTokenEndpoint({ now: time.now, rotate: true });
  const credential = endpoint.signIn({ expiresIn: 0 });
  assert.equal(endpoint.isValid(credential.token!), false);

  const result = await refreshGrant(
    credential,
    grantOptions(endpoint.fetch, time),
  );
  assert.ok(endpoint.isValid(result.token));
  assert.equal(parseExpiry(result.expiry!), time.now() + 3599_000);
  assert.ok(
    result.refresh_token && result.refresh_token !== credential.refresh_token,
  );
  assert.equal(endpoint.isActive(credential.refresh_token!), false);
  assert.equal(endpoint.isActive(result.refresh_token), true);
  assert.equal(endpoint.issued, 1);
});

Deno.test("a spent or revoked refresh token is REAUTH_REQUIRED (invalid_grant)", async () => {
  const endpoint = createFakeTokenEndpoint({ rotate: true });
  const credential = endpoint.signIn();
  await refreshGrant(credential, grantOptions(endpoint.fetch));
  const spent = await rejectsWith(
    refreshGrant(credential, grantOptions(endpoint.fetch)),
    "REAUTH_REQUIRED",
    /invalid_grant/,
  );
  assertNoSecrets(spent, secretsOf(credential));

  const revoked = endpoint.signIn();
  endpoint.revoke(revoked.refresh_token!);
  await rejectsWith(
    refreshGrant(revoked, grantOptions(endpoint.fetch)),
    "REAUTH_REQUIRED",
  );
  assert.equal(endpoint.calls, 3);
  assert.deepEqual(endpoint.requests.map((r) => r.error), [
    undefined,
    "invalid_grant",
    "invalid_grant",
  ]);
});

Deno.test("without rotation the refresh token stays and no new one is returned", async () => {
  const endpoint = createFakeTokenEndpoint();
  const credential = endpoint.signIn();
  const first = await refreshGrant(credential, grantOptions(endpoint.fetch));
  const second = await refreshGrant(credential, grantOptions(endpoint.fetch));
  assert.equal(first.refresh_token, undefined);
  assert.notEqual(first.token, second.token);
});

Deno.test("client credentials go in the form body by default, or as HTTP Basic", async () => {
  const endpoint = createFakeTokenEndpoint({ clientSecret: "GOCSPX-a:b&c" });
  const credential = endpoint.signIn();
  await refreshGrant(credential, grantOptions(endpoint.fetch));
  await refreshGrant(
    credential,
    grantOptions(endpoint.fetch, undefined, { clientAuth: "basic" }),
  );
  assert.deepEqual(
    endpoint.requests.map((r) => [r.clientAuth, r.status]),
    [["body", 200], ["basic", 200]],
  );

  const wrong = { ...credential, client_secret: "GOCSPX-wrong" };
  const error = await rejectsWith(
    refreshGrant(wrong, grantOptions(endpoint.fetch)),
    "REFRESH_FAILED",
    /answered 401 \(invalid_client\)/,
  );
  assertNoSecrets(error, [...secretsOf(credential), "GOCSPX-wrong"]);
  assert.equal(endpoint.calls, 3, "a 4xx other than 429 is not retried");
});

Deno.test("5xx and network failures are retried with backoff, then REFRESH_FAILED", async () => {
  const time = new FakeTime();
  const endpoint = createFakeTokenEndpoint({ now: time.now });
  const credential = endpoint.signIn();

  endpoint.fail(503, "network");
  const ok = await refreshGrant(credential, grantOptions(endpoint.fetch, time));
  assert.ok(endpoint.isValid(ok.token));
  assert.equal(endpoint.calls, 3);
  assert.deepEqual(time.sleeps, [50, 100]);

  endpoint.fail(500, 502, 503);
  let calls = 0;
  const error = await rejectsWith(
    refreshGrant(
      credential,
      grantOptions(endpoint.fetch, time, { onCall: () => calls++ }),
    ),
    "REFRESH_FAILED",
    /oauth2\.googleapis\.com answered 503/,
  );
  assert.equal(calls, 3);
  assertNoSecrets(error, secretsOf(credential));
});

Deno.test("no retry starts past the deadline", async () => {
  const time = new FakeTime();
  const endpoint = createFakeTokenEndpoint({ now: time.now });
  endpoint.fail(503, 503, 503);
  await rejectsWith(
    refreshGrant(
      endpoint.signIn(),
      grantOptions(endpoint.fetch, time, { deadline: time.now() }),
    ),
    "REFRESH_FAILED",
  );
  assert.equal(endpoint.calls, 1);
});

Deno.test("a network error's cause is kept with every secret cut out", async () => {
  const endpoint = createFakeTokenEndpoint();
  const credential = endpoint.signIn();
  // A fetch wrapper that, like some proxies, echoes the request in errors.
  const leaky: GrantOptions["fetch"] = (input, init) =>
    Promise.reject(
      new TypeError(`upstream reset while sending ${init?.body} to ${input}`),
    );
  const error = await rejectsWith(
    refreshGrant(credential, grantOptions(leaky, undefined, { retries: 0 })),
    "REFRESH_FAILED",
    /the request failed/,
  );
  assert.ok(error.cause instanceof Error);
  assert.match((error.cause as Error).message, /\[redacted\]/);
  assertNoSecrets(error, secretsOf(credential));
});

Deno.test("an answer without access_token is REFRESH_FAILED and echoes nothing", async () => {
  const credential = createFakeTokenEndpoint().signIn();
  const odd: GrantOptions["fetch"] = () =>
    Promise.resolve(
      Response.json({ error: `bad ${credential.refresh_token}` }, {
        status: 200,
      }),
    );
  const error = await rejectsWith(
    refreshGrant(credential, grantOptions(odd)),
    "REFRESH_FAILED",
    /without an access_token/,
  );
  assertNoSecrets(error, secretsOf(credential));

  const echo: GrantOptions["fetch"] = () =>
    Promise.resolve(
      Response.json({ error: credential.client_secret }, { status: 400 }),
    );
  const refused = await rejectsWith(
    refreshGrant(credential, grantOptions(echo)),
    "REFRESH_FAILED",
    /answered 400$/,
  );
  assertNoSecrets(refused, secretsOf(credential));
});

Deno.test("the fake endpoint refuses other grants, wrong content types and both client auths", async () => {
  const endpoint = createFakeTokenEndpoint();
  const credential = endpoint.signIn();
  const post = (body: string, headers: Record<string, string>) =>
    endpoint.fetch(endpoint.tokenUri, { method: "POST", body, headers });
  const form = { "content-type": "application/x-www-form-urlencoded" };
  const base = `client_id=${encodeURIComponent(credential.client_id!)}` +
    `&client_secret=${encodeURIComponent(credential.client_secret!)}`;

  const code = async (response: Promise<Response>) =>
    (await (await response).json()).error;
  assert.equal(
    await code(post(`grant_type=password&${base}`, form)),
    "unsupported_grant_type",
  );
  assert.equal(
    await code(post(`grant_type=refresh_token&${base}`, {})),
    "invalid_request",
  );
  assert.equal(
    await code(
      post(`grant_type=refresh_token&${base}`, {
        ...form,
        authorization: `Basic ${btoa("a:b")}`,
      }),
    ),
    "invalid_request",
  );
  assert.equal(endpoint.issued, 0);
});
