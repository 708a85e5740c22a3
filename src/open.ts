/**
 * Build a store from a URL or from the environment, loading only the
 * backend the URL names.
 *
 * @module
 */

import type { Backend } from "./backends/backend.ts";
import { MemoryBackend } from "./backends/memory.ts";
import { Keyring } from "./crypto/keyring.ts";
import { CredboxError } from "./errors.ts";
import { type EnvSource, envValue } from "./runtime.ts";
import { CredentialStore, type StoreOptions } from "./store.ts";

/** Options of {@linkcode openStore}: the store's, less the backend. */
export interface OpenStoreOptions
  extends Partial<Omit<StoreOptions, "backend">> {
  /** Variables to read instead of the runtime's environment. */
  env?: EnvSource;
}

/**
 * A backend for `url`: `memory:`, `file:///path` (or a plain path) and
 * `s3://bucket/prefix`. The fs and S3 backends are imported only when named,
 * so the core entry never loads the AWS SDK.
 *
 * @example
 * ```ts
 * import { backendFromUrl, MemoryBackend } from "@credbox/credbox";
 *
 * console.assert((await backendFromUrl("memory:")) instanceof MemoryBackend);
 * ```
 */
export async function backendFromUrl(
  url: string,
  env?: EnvSource,
): Promise<Backend> {
  if (typeof url !== "string" || url.trim() === "") {
    throw new CredboxError(
      "INVALID_CONFIG",
      "Cannot open store: the URL must be a non-empty string",
    );
  }
  if (url === "memory:" || url === "memory://") return new MemoryBackend();

  if (url.startsWith("s3://")) {
    const rest = url.slice("s3://".length);
    const slash = rest.indexOf("/");
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? "" : rest.slice(slash + 1);
    const { S3Backend } = await import("./backends/s3.ts");
    return new S3Backend({
      bucket,
      prefix,
      region: envValue("AWS_REGION", env) ??
        envValue("AWS_DEFAULT_REGION", env),
      endpoint: envValue("AWS_ENDPOINT_URL_S3", env) ??
        envValue("AWS_ENDPOINT_URL", env),
    });
  }

  let dir: string | undefined;
  if (url.startsWith("file:")) {
    try {
      dir = decodeURIComponent(new URL(url).pathname);
    } catch {
      dir = undefined;
    }
  } else if (!/^[a-z][a-z0-9+.-]*:/i.test(url) || /^[a-z]:[\\/]/i.test(url)) {
    dir = url;
  }
  if (dir === undefined || dir === "") {
    throw new CredboxError(
      "INVALID_CONFIG",
      "Cannot open store: the URL must be memory:, file:///path or s3://bucket/prefix",
    );
  }
  const { FsBackend } = await import("./backends/fs.ts");
  return new FsBackend({ dir });
}

/**
 * A store over the backend `url` names; the keyring comes from
 * `CREDBOX_KEYS` unless given.
 *
 * @example
 * ```ts
 * import { Keyring, openStore } from "@credbox/credbox";
 *
 * const store = await openStore("memory:", {
 *   keyring: await Keyring.generate(),
 *   namespace: "demo",
 * });
 * await store.save("ana@example.com", { token: "ya29.example" });
 * ```
 */
export async function openStore(
  url: string,
  options: OpenStoreOptions = {},
): Promise<CredentialStore> {
  const backend = await backendFromUrl(url, options.env);
  const keyring = options.keyring ?? await Keyring.fromEnv(options.env);
  const { env: _env, ...rest } = options;
  return new CredentialStore({ ...rest, backend, keyring });
}

/**
 * A store configured by `CREDBOX_STORE` (a URL for {@linkcode openStore}),
 * `CREDBOX_KEYS` and `CREDBOX_NAMESPACE`.
 *
 * @example
 * ```ts
 * import { Keyring, storeFromEnv } from "@credbox/credbox";
 *
 * const store = await storeFromEnv({
 *   CREDBOX_STORE: "memory:",
 *   CREDBOX_KEYS: Keyring.newEntry("k1"),
 *   CREDBOX_NAMESPACE: "demo",
 * });
 * console.assert(store.namespace === "demo");
 * ```
 */
export async function storeFromEnv(
  env?: EnvSource,
  options: Partial<Omit<StoreOptions, "backend" | "keyring">> = {},
): Promise<CredentialStore> {
  const url = envValue("CREDBOX_STORE", env);
  if (url === undefined || url === "") {
    throw new CredboxError(
      "INVALID_CONFIG",
      "CREDBOX_STORE is not set: give memory:, file:///path or s3://bucket/prefix",
    );
  }
  const namespace = envValue("CREDBOX_NAMESPACE", env) || options.namespace;
  return await openStore(url, { ...options, namespace, env });
}
