/**
 * How a command finds its store: `--store` or `CREDBOX_STORE`, the keyring
 * from `CREDBOX_KEYS`, `--namespace` or `CREDBOX_NAMESPACE`, and for
 * `s3://` URLs the usual AWS variables plus the injected `fetch`.
 *
 * @module
 */

import type { Backend } from "../backends/backend.ts";
import type { S3BackendOptions } from "../backends/s3_options.ts";
import { Keyring } from "../crypto/keyring.ts";
import { backendFromUrl } from "../open.ts";
import type { EnvSource } from "../runtime.ts";
import { CredentialStore } from "../store.ts";
import { type ParsedArgs, UsageError } from "./args.ts";
import type { FetchLike, Io } from "./io.ts";

/**
 * The store the command line works on.
 *
 * @throws {UsageError} when neither `--store` nor `CREDBOX_STORE` is set.
 * @throws {CredboxError} `INVALID_CONFIG` for a bad URL or keyring.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * import { openCliStore } from "./config.ts";
 * import { resolveIo } from "./io.ts";
 * import { Keyring } from "../crypto/keyring.ts";
 *
 * const io = resolveIo({ env: { CREDBOX_KEYS: Keyring.newEntry("k1") } });
 * const args = parseArgs(["--store", "memory:"], { store: { type: "string" } });
 * const store = await openCliStore(args, io);
 * console.assert(store.keyring.primaryId === "k1");
 * ```
 */
export async function openCliStore(
  args: ParsedArgs,
  io: Io,
): Promise<CredentialStore> {
  const url = args.string("store") ?? io.env.CREDBOX_STORE;
  if (url === undefined || url === "") {
    throw new UsageError(
      "no store: pass --store URL or set CREDBOX_STORE " +
        "(file:///path, s3://bucket/prefix or memory:)",
    );
  }
  const backend = await backendForUrl(url, io.env, io.fetch);
  const keyring = await Keyring.fromEnv(io.env);
  const namespace = args.string("namespace") ||
    io.env.CREDBOX_NAMESPACE || undefined;
  return new CredentialStore({ backend, keyring, namespace });
}

/**
 * A backend for `url`. Unlike `backendFromUrl`, an `s3://` URL gets the
 * given `fetch` and credentials read from `env`, so tests can point it at
 * a fake S3 without touching the process environment.
 *
 * @example
 * ```ts
 * import { backendForUrl } from "./config.ts";
 *
 * const backend = await backendForUrl("memory:", {});
 * console.assert((await backend.list()).names.length === 0);
 * ```
 */
export async function backendForUrl(
  url: string,
  env: EnvSource,
  fetch?: FetchLike,
): Promise<Backend> {
  if (!url.startsWith("s3://")) return await backendFromUrl(url, env);
  const { S3Backend } = await import("../backends/s3.ts");
  return new S3Backend(s3Options(url, env, fetch));
}

/**
 * The S3 backend options an `s3://bucket/prefix` URL and `env` describe:
 * `AWS_REGION` (or `AWS_DEFAULT_REGION`), `AWS_ENDPOINT_URL_S3` (or
 * `AWS_ENDPOINT_URL`), `AWS_ACCESS_KEY_ID` with `AWS_SECRET_ACCESS_KEY`
 * (and `AWS_SESSION_TOKEN`), and `AWS_S3_FORCE_PATH_STYLE=true` for
 * services such as MinIO that want `endpoint/bucket` addressing.
 *
 * @example
 * ```ts
 * import { s3Options } from "./config.ts";
 *
 * const options = s3Options("s3://creds/prod/", { AWS_REGION: "eu-west-1" });
 * console.assert(options.bucket === "creds" && options.prefix === "prod/");
 * ```
 */
export function s3Options(
  url: string,
  env: EnvSource,
  fetch?: FetchLike,
): S3BackendOptions {
  const rest = url.slice("s3://".length);
  const slash = rest.indexOf("/");
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  return {
    bucket: slash < 0 ? rest : rest.slice(0, slash),
    prefix: slash < 0 ? "" : rest.slice(slash + 1),
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    endpoint: env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined,
    forcePathStyle: env.AWS_S3_FORCE_PATH_STYLE === "true" || undefined,
    credentials: accessKeyId && secretAccessKey
      ? {
        accessKeyId,
        secretAccessKey,
        sessionToken: env.AWS_SESSION_TOKEN || undefined,
      }
      : undefined,
    fetch,
  };
}
