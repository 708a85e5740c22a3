/**
 * The credbox service as a Cloudflare Workers module: the HTTP app over a
 * store built from the worker's bindings, once per isolate.
 *
 * Bindings (text or secrets):
 *
 * - `CREDBOX_STORE`: `s3://bucket/prefix` (S3, R2 or any S3-compatible
 *   store), or `memory:` to try the service out (records live only as long
 *   as the isolate). Workers have no file system, so `file:` is refused.
 * - `CREDBOX_KEYS`, `CREDBOX_API_TOKENS`, and optionally
 *   `CREDBOX_NAMESPACE`, as for `src/main.ts`.
 * - For S3: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optionally
 *   `AWS_SESSION_TOKEN`, `AWS_REGION` (R2: `auto`) and `AWS_ENDPOINT_URL_S3`
 *   (R2: `https://<account>.r2.cloudflarestorage.com`). The SDK's browser
 *   build, which Workers get, has no credential chain to find them itself.
 *
 * Build it with `deno run -A tools/runtimes.ts build`, which writes
 * `build/credbox_worker.mjs`. That bundle needs no `nodejs_compat`. It is
 * the one place where the AWS SDK's browser XML parser, built on a
 * `DOMParser` that Workers lack (aws/aws-sdk-js-v3#7375), is swapped for the
 * SDK's own parser; another bundler must make the same swap (see
 * tools/runtimes_build.ts).
 *
 * Configuration errors answer 500 with a problem body naming the binding at
 * fault, never its value; the access log goes to `console.log`.
 *
 * @module
 */

import type { Backend } from "./backends/backend.ts";
import { MemoryBackend } from "./backends/memory.ts";
import { Keyring } from "./crypto/keyring.ts";
import { CredboxError, isCredboxError } from "./errors.ts";
import { createApp } from "./http/app.ts";
import type { EnvSource } from "./runtime.ts";
import { CredentialStore } from "./store.ts";

/** The bindings this worker reads; others are ignored. */
export interface WorkerEnv {
  /** `s3://bucket/prefix` or `memory:`. */
  CREDBOX_STORE?: string;
  /** The keyring, `id:base64,...`; keep it a secret. */
  CREDBOX_KEYS?: string;
  /** API token hashes, `name:scope+scope:sha256hex,...`. */
  CREDBOX_API_TOKENS?: string;
  /** Bound into every record. */
  CREDBOX_NAMESPACE?: string;
  /** Any other binding. */
  [name: string]: unknown;
}

type App = ReturnType<typeof createApp>;

// One app per bindings object: the runtime hands the same one to every
// request of an isolate, and a new one when the configuration changes.
const apps = new WeakMap<object, Promise<App>>();

function fail(message: string): never {
  throw new CredboxError("INVALID_CONFIG", message);
}

/** The string bindings, trimmed; empty ones count as unset. */
function variables(env: WorkerEnv): EnvSource {
  const out: EnvSource = {};
  for (const [name, value] of Object.entries(env ?? {})) {
    if (typeof value === "string" && value.trim() !== "") {
      out[name] = value.trim();
    }
  }
  return out;
}

async function backendFrom(url: string, vars: EnvSource): Promise<Backend> {
  if (url === "memory:") return new MemoryBackend();
  if (!url.startsWith("s3://")) {
    fail(
      "CREDBOX_STORE must be s3://bucket/prefix or memory: on Workers, which have no file system",
    );
  }
  const id = vars.AWS_ACCESS_KEY_ID;
  const secret = vars.AWS_SECRET_ACCESS_KEY;
  if (!id || !secret) {
    fail(
      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set for an s3:// store",
    );
  }
  const [bucket, ...rest] = url.slice("s3://".length).split("/");
  const { S3Backend } = await import("./backends/s3.ts");
  try {
    return new S3Backend({
      bucket,
      prefix: rest.join("/"),
      region: vars.AWS_REGION ?? vars.AWS_DEFAULT_REGION,
      endpoint: vars.AWS_ENDPOINT_URL_S3 ?? vars.AWS_ENDPOINT_URL,
      credentials: {
        accessKeyId: id,
        secretAccessKey: secret,
        ...(vars.AWS_SESSION_TOKEN
          ? { sessionToken: vars.AWS_SESSION_TOKEN }
          : {}),
      },
    });
  } catch (error) {
    // Its messages name the option ('bucket', 'region'), not the binding.
    if (isCredboxError(error)) fail(`CREDBOX_STORE: ${error.message}`);
    throw error;
  }
}

async function appFrom(env: WorkerEnv): Promise<App> {
  const vars = variables(env);
  const url = vars.CREDBOX_STORE;
  if (url === undefined) {
    fail("CREDBOX_STORE is not set: give s3://bucket/prefix or memory:");
  }
  if (vars.CREDBOX_KEYS === undefined) {
    fail("CREDBOX_KEYS is not set: records cannot be sealed without keys");
  }
  if (vars.CREDBOX_API_TOKENS === undefined) {
    fail("CREDBOX_API_TOKENS is not set: no caller could use the service");
  }
  const keyring = await Keyring.fromEnv(vars);
  const store = new CredentialStore({
    backend: await backendFrom(url, vars),
    keyring,
    namespace: vars.CREDBOX_NAMESPACE,
  });
  return createApp(store, {
    tokens: vars.CREDBOX_API_TOKENS,
    log: (line) => console.log(line),
  });
}

function misconfigured(error: CredboxError): Response {
  const body = {
    type: "about:blank",
    title: "Internal Server Error",
    status: 500,
    code: error.code,
    detail: error.message,
  };
  return new Response(JSON.stringify(body), {
    status: 500,
    headers: { "content-type": "application/problem+json" },
  });
}

/** The Workers module: every request goes to the app. */
export default {
  /** Answer one request, building the app on the isolate's first. */
  async fetch(
    request: Request,
    env: WorkerEnv,
    ctx?: unknown,
  ): Promise<Response> {
    const key = env ?? apps;
    let app = apps.get(key);
    if (!app) {
      app = appFrom(env);
      apps.set(key, app);
    }
    try {
      return await (await app).fetch(
        request,
        env,
        ctx as Parameters<App["fetch"]>[2],
      );
    } catch (error) {
      if (!isCredboxError(error) || error.code !== "INVALID_CONFIG") {
        throw error;
      }
      // Not kept: the next request tries again with what the bindings say.
      apps.delete(key);
      console.error(`credbox: cannot start: ${error.message}`);
      return misconfigured(error);
    }
  },
};
