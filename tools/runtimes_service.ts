/**
 * The service checks of the runtime matrix: a running service entry (Node,
 * Bun or workerd) is asked over real HTTP for what a caller needs, and
 * workerd gets the generated configuration that serves the test worker.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Keyring } from "../src/crypto/keyring.ts";
import { createApiToken } from "../src/http/app.ts";
import type { CheckResult } from "../tests/portable/harness.ts";
import { Checks } from "../tests/portable/harness.ts";
import { runToEnd } from "./runtimes_process.ts";

/** Configuration of a throwaway service, and the token that calls it. */
export interface ServiceConfig {
  /** The variables (or Workers bindings) the service reads. */
  env: Record<string, string>;
  /** A bearer token holding `write` and `token`. */
  token: string;
}

/** A memory store, a fresh keyring and one API token. */
export function serviceConfig(): ServiceConfig {
  const { token, entry } = createApiToken("matrix", ["write", "token"]);
  return {
    env: {
      CREDBOX_STORE: "memory:",
      CREDBOX_KEYS: Keyring.newEntry("k1"),
      CREDBOX_API_TOKENS: entry,
      CREDBOX_NAMESPACE: "matrix",
    },
    token,
  };
}

const PATH = "/v1/credentials/ana%40example.com";

/** Run the service checks against `url`; never throws. */
export async function checkService(
  url: string,
  token: string,
): Promise<{ passed: number; failed: number; results: CheckResult[] }> {
  const checks = new Checks();
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      signal: AbortSignal.timeout(10_000),
    });
  const auth = { authorization: `Bearer ${token}` };

  checks.test("service: GET /healthz answers 200", async () => {
    const res = await call("/healthz");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ok" });
  });
  checks.test("service: PUT of a credential answers 201", async () => {
    const res = await call(PATH, {
      method: "PUT",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        token: "ya29.matrix",
        refresh_token: "1//matrix-refresh",
        expiry: "2999-01-01T00:00:00Z",
      }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    await res.body?.cancel();
  });
  checks.test("service: POST /token answers the access token only", async () => {
    const res = await call(`${PATH}/token`, { method: "POST", headers: auth });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.equal(JSON.parse(text).access_token, "ya29.matrix");
    assert.doesNotMatch(text, /matrix-refresh/);
  });
  checks.test("service: no API token is a 401 problem", async () => {
    const res = await call(`${PATH}/token`, { method: "POST" });
    assert.equal(res.status, 401);
    assert.equal(
      res.headers.get("content-type"),
      "application/problem+json",
    );
    await res.body?.cancel();
  });
  checks.test("service: a body over 64 KiB is a 413 problem", async () => {
    const res = await call(PATH, {
      method: "PUT",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ token: "t", pad: "x".repeat(70 * 1024) }),
    });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).code, "PAYLOAD_TOO_LARGE");
  });
  return await checks.run();
}

/**
 * Start `cmd` with a file store, which only Deno's service supports: it
 * must exit 1 at once, naming the variable and not echoing any secret.
 */
export async function checkRefusal(
  cmd: string[],
): Promise<{ passed: number; failed: number; results: CheckResult[] }> {
  const checks = new Checks();
  checks.test("service: a file store is refused at startup", async () => {
    const { env } = serviceConfig();
    const run = await runToEnd(cmd, {
      timeoutMs: 20_000,
      env: { ...env, CREDBOX_STORE: "file:///tmp/credbox", PORT: "0" },
    });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /cannot start: CREDBOX_STORE must be/);
    assert.ok(!run.stderr.includes(env.CREDBOX_KEYS), "a key is echoed");
  });
  return await checks.run();
}

/** What {@linkcode writeWorkerdConfig} serves. */
export interface WorkerdConfig {
  /** The ES module bundle; the configuration is written beside it. */
  bundle: string;
  /** Text bindings. */
  bindings: Record<string, string>;
  compatibilityDate: string;
  compatibilityFlags: string[];
}

/**
 * Write a workerd configuration beside the bundle that serves it on a
 * socket named `http` (for `--socket-addr http=127.0.0.1:<port>`); returns
 * its path.
 */
export async function writeWorkerdConfig(
  config: WorkerdConfig,
): Promise<string> {
  const dir = config.bundle.replace(/[\\/][^\\/]+$/, "");
  const file = config.bundle.slice(dir.length + 1);
  const path = `${config.bundle.replace(/\.mjs$/, "")}.capnp`;
  // JSON's string syntax is capnp's for what these values hold.
  const text = (value: string) => JSON.stringify(value);
  const bindings = Object.entries(config.bindings).map(([name, value]) =>
    `    (name = ${text(name)}, text = ${text(value)}),`
  );
  await Deno.writeTextFile(
    path,
    `# Generated by tools/runtimes.ts.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed ${text(file)})],
  compatibilityDate = ${text(config.compatibilityDate)},
  compatibilityFlags = [${config.compatibilityFlags.map(text).join(", ")}],
  bindings = [
${bindings.join("\n")}
  ],
);
`,
    { mode: 0o600 },
  );
  return path;
}
