/**
 * Secrets stay where they belong: the whole HTTP surface and the command
 * line run with recognisable secret values (access and refresh tokens, a
 * client secret, keyring keys, API tokens, an S3 secret key), against a
 * token endpoint and an S3 that echo what they are sent in their error
 * bodies, and every response, problem, error message and log line is
 * searched for them.
 *
 * The only places a secret may show are the ones that exist to show it:
 * `GET /v1/credentials/{id}` (the `read` scope) shows the stored
 * credential, the token route shows the access token, and the commands
 * that make keys and tokens print what they made.
 */

import assert from "node:assert/strict";
import { Keyring, MemoryBackend } from "../mod.ts";
import { S3Backend } from "../src/backends/s3.ts";
import { run } from "../src/cli.ts";
import { createFakeS3 } from "../src/testing/mod.ts";
import { credentialPath, serviceUnderTest } from "./reliability_http.ts";

const mark = crypto.randomUUID().slice(0, 8);
const SECRETS = {
  access: `ya29.ACCESS-${mark}`,
  refresh: `1//REFRESH-${mark}`,
  client: `GOCSPX-CLIENT-${mark}`,
  rotated: `1//ROTATED-${mark}`,
  newAccess: `ya29.NEWACCESS-${mark}`,
  s3: `S3SECRET-${mark}`,
};
const KEYS = `${Keyring.newEntry("k1")},${Keyring.newEntry("k2")}`;
const KEY_TEXTS = KEYS.split(",").map((entry) => entry.split(":")[1]);

function credential(expiry: string) {
  return {
    token: SECRETS.access,
    refresh_token: SECRETS.refresh,
    token_uri: "https://oauth2.googleapis.com/token",
    client_id: "123.apps.googleusercontent.com",
    client_secret: SECRETS.client,
    scopes: ["openid"],
    expiry,
  };
}

/** The secrets in `text`, other than those in `allowed`. */
function leaks(text: string, allowed: string[], extra: string[] = []) {
  const all = [...Object.values(SECRETS), ...KEY_TEXTS, ...extra];
  return all.filter((secret) =>
    !allowed.includes(secret) && text.includes(secret)
  );
}

/** A token endpoint that echoes the grant it was sent, by call number. */
function hostileTokenEndpoint(): typeof fetch {
  let call = 0;
  return ((_input: RequestInfo | URL, init?: RequestInit) => {
    const sent = String(init?.body ?? "");
    const auth = new Headers(init?.headers).get("authorization") ?? "";
    const echo = `you sent ${sent} ${auth} ${SECRETS.refresh}`;
    switch (call++ % 5) {
      case 0:
        return Promise.resolve(Response.json(
          { error: "invalid_request", error_description: echo },
          { status: 400 },
        ));
      case 1:
        return Promise.resolve(new Response(echo, { status: 500 }));
      case 2:
        return Promise.reject(
          new TypeError(`connection reset after ${echo}`),
        );
      case 3:
        return Promise.resolve(Response.json({
          access_token: SECRETS.newAccess,
          refresh_token: SECRETS.rotated,
          expires_in: 1,
        }));
      default:
        return Promise.resolve(Response.json(
          { error: "invalid_grant", error_description: echo },
          { status: 400 },
        ));
    }
  }) as typeof fetch;
}

async function sweepHttp(backendName: string, backend?: S3Backend) {
  const service = await serviceUnderTest({
    backend: backend ?? new MemoryBackend(),
    keys: KEYS,
    fetch: hostileTokenEndpoint(),
    sleep: () => Promise.resolve(),
    refresh: { retries: 0 },
  });
  const apiTokens = Object.values(service.tokens);
  const found: string[] = [];
  const statuses = new Set<string>();
  const ids = ["live@example.com", "stale@example.com", "gone@example.com"];
  await service.store.save(ids[0], credential("2999-01-01T00:00:00"));
  await service.store.save(ids[1], credential("2000-01-01T00:00:00"));

  const paths = [
    "/healthz",
    "/openapi.json",
    "/metrics",
    "/v1/credentials",
    "/v1/credentials?prefix=live",
    ...ids.flatMap((id) => [credentialPath(id), credentialPath(id, "/token")]),
    credentialPath("bad\nid"),
  ];
  const headerSets: Record<string, string>[] = [
    {},
    { authorization: `Bearer ${apiTokens[0]}x` },
    { authorization: `Basic ${btoa(`user:${apiTokens[1]}`)}` },
    ...apiTokens.map((token) => ({ authorization: `Bearer ${token}` })),
  ];
  const bodies = [
    JSON.stringify(credential("2999-01-01T00:00:00")),
    JSON.stringify({ ...credential("soon"), credbox_x: SECRETS.client }),
    `{"token":"${SECRETS.access}",`,
    JSON.stringify({ token: 42, refresh_token: SECRETS.refresh }),
  ];

  for (const path of paths) {
    for (const headers of headerSets) {
      for (const method of ["GET", "POST", "PUT", "DELETE"]) {
        for (const body of method === "PUT" ? bodies : [undefined]) {
          const res = await service.app.request(path, {
            method,
            headers: body === undefined
              ? headers
              : { ...headers, "content-type": "application/json" },
            body,
          });
          const text = await res.text();
          statuses.add(`${method} ${res.status}`);
          const shown = [...res.headers].map(([k, v]) => `${k}: ${v}`);
          const reading = method === "GET" && res.status === 200 &&
            /^\/v1\/credentials\/[^/]+$/.test(path);
          const minting = method === "POST" && res.status === 200;
          const allowed = reading
            ? [SECRETS.access, SECRETS.refresh, SECRETS.client]
            : minting
            ? [SECRETS.access, SECRETS.newAccess]
            : [];
          if (minting) {
            assert.ok(!("refresh_token" in JSON.parse(text)), text);
          }
          const bad = leaks(`${text}\n${shown.join("\n")}`, allowed, apiTokens);
          if (bad.length > 0) {
            found.push(`${method} ${path} ${res.status}: ${bad}`);
          }
          // Restore what a DELETE or PUT changed, for the next sweep.
          if (method !== "GET" && method !== "POST") {
            await service.store.save(ids[0], credential("2999-01-01T00:00:00"));
            await service.store.save(ids[1], credential("2000-01-01T00:00:00"));
          }
        }
      }
    }
  }
  // One refresh per behaviour of the endpoint, in its order.
  for (let i = 0; i < 10; i++) {
    await service.store.save(ids[1], credential("2000-01-01T00:00:00"));
    const res = await service.app.request(credentialPath(ids[1], "/token"), {
      method: "POST",
      headers: { authorization: `Bearer ${service.tokens.token}` },
    });
    const text = await res.text();
    statuses.add(`POST ${res.status}`);
    const allowed = res.status === 200 ? [SECRETS.newAccess] : [];
    const bad = leaks(text, allowed, apiTokens);
    if (bad.length > 0) found.push(`refresh ${i} ${res.status}: ${bad}`);
  }
  for (const line of service.log) {
    const bad = leaks(line, [], apiTokens);
    if (bad.length > 0) found.push(`log line ${line}: ${bad}`);
  }
  assert.deepEqual(found, [], `${backendName}: secrets leaked`);
  // The sweep reached refreshes that failed, were refused and succeeded.
  for (const status of ["POST 200", "POST 409", "POST 502", "GET 200"]) {
    assert.ok(statuses.has(status), `no ${status} in ${[...statuses]}`);
  }
  return service.log.length;
}

Deno.test("secrets: no HTTP response, problem or log line shows a secret it should not", async () => {
  const lines = await sweepHttp("memory");
  assert.ok(lines > 500, `only ${lines} requests were made`);
});

Deno.test("secrets: an S3 refusing the signature shows its secret key nowhere", async () => {
  const s3 = createFakeS3();
  const backend = new S3Backend({
    bucket: "creds",
    region: "eu-west-1",
    credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: SECRETS.s3 },
    fetch: s3.fetch,
    maxAttempts: 1,
  });
  const error = await backend.get("ana").catch((e) => e);
  assert.equal(error.code, "BACKEND");
  const text = `${error.message} ${String(error.cause ?? "")}`;
  assert.deepEqual(leaks(text, []), []);
});

Deno.test("secrets: no command prints a secret it was not asked to", async () => {
  const dir = await Deno.makeTempDir({ prefix: "credbox-secrets-" });
  const env = {
    CREDBOX_STORE: `file://${dir}/store`,
    CREDBOX_KEYS: KEYS,
    CREDBOX_NAMESPACE: "secrets",
  };
  const mcp = `${dir}/mcp`;
  await Deno.mkdir(mcp);
  const file = JSON.stringify(credential("2999-01-01T00:00:00"));
  await Deno.writeTextFile(`${mcp}/ana@example.com.json`, file);
  await Deno.writeTextFile(`${mcp}/bad@example.com.json`, file.slice(0, 60));
  const typo = KEYS.replace(/:(.)/, (_, c) => `:${c === "A" ? "B" : "A"}!`);
  const found: string[] = [];
  const lines: [string[], string, Record<string, string>?][] = [
    [["put", "ana@example.com", "-"], file],
    [["put", "bob@example.com", "-"], file.slice(0, 50)],
    [["put", "bob@example.com", "-"], JSON.stringify({ token: 1, x: file })],
    [["put", "bob@example.com", "-", "--if-version", "nope"], file],
    [["get", "ana@example.com"], ""],
    [["list"], ""],
    [["import", mcp], ""],
    [["import", mcp, "--overwrite"], ""],
    [["export", `${dir}/out`], ""],
    [["export", `${dir}/out`, "--plaintext"], ""],
    [["rotate"], ""],
    [["verify"], ""],
    [["verify"], "", { CREDBOX_KEYS: Keyring.newEntry("k9") }],
    [["get", "ana@example.com"], "", { CREDBOX_KEYS: typo }],
    [["delete", "ana@example.com"], ""],
  ];
  try {
    for (const [args, input, overrides] of lines) {
      let printed = "";
      const code = await run(args, {
        env: { ...env, ...overrides },
        stdin: () => Promise.resolve(new TextEncoder().encode(input)),
        stdout: (text) => printed += text,
        stderr: (text) => printed += text,
      });
      const bad = leaks(printed, []);
      if (bad.length > 0) found.push(`${args.join(" ")} (${code}): ${bad}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.deepEqual(found, []);
});

/** The message of `error` and of every cause under it. */
function messagesOf(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e && depth < 8; depth++) {
    parts.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join("\n");
}

Deno.test("secrets: refresh errors and their causes quote nothing the provider echoed", async () => {
  const service = await serviceUnderTest({
    keys: KEYS,
    fetch: hostileTokenEndpoint(),
    sleep: () => Promise.resolve(),
    refresh: { retries: 0 },
  });
  const found: string[] = [];
  for (let i = 0; i < 5; i++) {
    await service.store.save("ana", credential("2000-01-01T00:00:00"));
    const error = await service.store.fresh("ana").then(
      () => undefined,
      (e) => e,
    );
    if (error === undefined) continue;
    const bad = leaks(messagesOf(error), []);
    if (bad.length > 0) found.push(`${error.code}: ${bad}`);
  }
  assert.deepEqual(found, []);
});
