/**
 * The options of the S3 backend, and their checks.
 *
 * @module
 */

import { CredboxError } from "../errors.ts";
import { typeName } from "../id.ts";
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import { type FetchFunction, FetchRequestHandler } from "./s3_fetch_handler.ts";

/** Static credentials; omit them to use the SDK's usual sources. */
export interface S3Credentials {
  /** The access key id. */
  accessKeyId: string;
  /** The secret access key; never shown in any message. */
  secretAccessKey: string;
  /** A session token, for temporary credentials. */
  sessionToken?: string;
}

/** Server-side encryption, a second layer under credbox's own. */
export type S3ServerSideEncryption = "AES256" | { kmsKeyId: string };

/**
 * An `S3Client` from `@aws-sdk/client-s3`, described by the one method the
 * backend calls, so the public type does not hang on the SDK's own.
 *
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import type { S3ClientLike } from "@credbox/credbox/s3";
 *
 * const client: S3ClientLike = new S3Client({ region: "us-east-1" });
 * console.assert(typeof client.send === "function");
 * ```
 */
export interface S3ClientLike {
  /** Send one command; the backend passes an abort signal per attempt. */
  send(
    // deno-lint-ignore no-explicit-any -- each SDK command has its own type
    command: any,
    options?: { abortSignal?: AbortSignal },
  ): Promise<unknown>;
}

/** Options of {@linkcode S3Backend}. */
export interface S3BackendOptions {
  /** The bucket. */
  bucket: string;
  /** Prepended to every key, for example `"prod/"`. Default: none. */
  prefix?: string;
  /** The bucket's region. Default: the SDK's (`AWS_REGION`, config files). */
  region?: string;
  /** An S3-compatible service, for example `"http://127.0.0.1:9000"`. */
  endpoint?: string;
  /** Address buckets as `endpoint/bucket` rather than `bucket.endpoint`. */
  forcePathStyle?: boolean;
  /** Default: the SDK's usual sources (environment, files, roles). */
  credentials?: S3Credentials;
  /** Server-side encryption of every object written. Default: none. */
  sse?: S3ServerSideEncryption;
  /** What every request is sent with. Default: the global `fetch`. */
  fetch?: FetchFunction;
  /**
   * A ready client, used as it is: its own handler, retries and region
   * apply, so it excludes the options that configure a client.
   */
  client?: S3ClientLike;
  /** Attempts per operation, retries included; 1 to 10. Default: 3. */
  maxAttempts?: number;
  /** Time limit of each attempt, in milliseconds. Default: 10,000. */
  timeoutMs?: number;
}

/** What the checks leave: every option present and well-formed. */
export interface CheckedS3Options {
  bucket: string;
  prefix: string;
  maxAttempts: number;
  timeoutMs: number;
  sse: S3ServerSideEncryption | undefined;
}

const CLIENT_OPTIONS = [
  "region",
  "endpoint",
  "forcePathStyle",
  "credentials",
  "fetch",
] as const;

function fail(rule: string): never {
  throw new CredboxError("INVALID_CONFIG", `Cannot open S3 backend: ${rule}`);
}

function shown(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : typeName(value);
}

/** Check every option; the error names the option, never a secret. */
export function checkS3Options(options: S3BackendOptions): CheckedS3Options {
  if (typeof options !== "object" || options === null) {
    fail(`options must be an object, got ${typeName(options)}`);
  }
  const { bucket, prefix = "", region, endpoint } = options;
  if (typeof bucket !== "string" || bucket === "") {
    fail(`'bucket' must be a non-empty string, got ${shown(bucket)}`);
  }
  if (!/^[A-Za-z0-9._-]{1,255}$/.test(bucket)) {
    fail(
      "'bucket' must be a bucket name (letters, digits, '.', '_', '-'), " +
        `got ${shown(bucket)}`,
    );
  }
  // S3 keys are at most 1,024 bytes and storage names up to 768.
  if (
    typeof prefix !== "string" || prefix.length > 256 ||
    // deno-lint-ignore no-control-regex -- rejecting them is the point
    /[\u0000-\u001f\u007f]/.test(prefix) || prefix.startsWith("/")
  ) {
    fail(
      "'prefix' must be a string of at most 256 characters, without " +
        `control characters or a leading '/', got ${shown(prefix)}`,
    );
  }
  if (
    region !== undefined &&
    (typeof region !== "string" || !/^[a-z0-9-]{1,64}$/.test(region))
  ) {
    fail(
      `'region' must be a region name like "eu-west-1", got ${shown(region)}`,
    );
  }
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    // An endpoint may carry a user and password: do not echo it.
    fail("'endpoint' must be an http: or https: URL string");
  }
  if (
    options.forcePathStyle !== undefined &&
    typeof options.forcePathStyle !== "boolean"
  ) {
    fail(
      `'forcePathStyle' must be a boolean, got ${
        typeName(options.forcePathStyle)
      }`,
    );
  }
  if (options.credentials !== undefined) checkCredentials(options.credentials);
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    fail(`'fetch' must be a function, got ${typeName(options.fetch)}`);
  }
  if (options.client !== undefined) {
    if (typeof options.client?.send !== "function") {
      fail(`'client' must be an S3Client, got ${typeName(options.client)}`);
    }
    const clash = CLIENT_OPTIONS.find((name) => options[name] !== undefined);
    if (clash) {
      fail(`'client' cannot be combined with '${clash}': configure the client`);
    }
  }
  return {
    bucket,
    prefix,
    sse: checkSse(options.sse),
    maxAttempts: checkInteger("maxAttempts", options.maxAttempts, 3, 1, 10),
    timeoutMs: checkInteger(
      "timeoutMs",
      options.timeoutMs,
      10_000,
      1,
      2 ** 31 - 1,
    ),
  };
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function checkCredentials(credentials: S3Credentials): void {
  if (typeof credentials !== "object" || credentials === null) {
    fail(`'credentials' must be an object, got ${typeName(credentials)}`);
  }
  for (const field of ["accessKeyId", "secretAccessKey"] as const) {
    const value = credentials[field];
    if (typeof value !== "string" || value === "") {
      // Name the type only: the value may be a secret.
      fail(
        `'credentials.${field}' must be a non-empty string, got ` +
          (value === "" ? "an empty string" : typeName(value)),
      );
    }
  }
  const token = credentials.sessionToken;
  if (token !== undefined && (typeof token !== "string" || token === "")) {
    fail("'credentials.sessionToken' must be a non-empty string when given");
  }
}

function checkSse(sse: unknown): S3ServerSideEncryption | undefined {
  if (sse === undefined || sse === "AES256") return sse;
  const kmsKeyId = (sse as { kmsKeyId?: unknown } | null)?.kmsKeyId;
  if (typeof kmsKeyId === "string" && kmsKeyId !== "") {
    return { kmsKeyId };
  }
  return fail(
    `'sse' must be "AES256" or { kmsKeyId: string }, got ${shown(sse)}`,
  );
}

function checkInteger(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < min ||
    value > max
  ) {
    fail(
      `'${name}' must be an integer from ${min} to ${max}, got ${
        typeof value === "number" ? value : typeName(value)
      }`,
    );
  }
  return value;
}

/** The configuration of the backend's own client. */
export function clientConfig(options: S3BackendOptions): S3ClientConfig {
  return {
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    // A copy: the SDK writes bookkeeping into the object it is given, which
    // would fail on a frozen one and change the caller's.
    credentials: options.credentials && { ...options.credentials },
    // Our own loop retries, with the timeout and the bound of the options.
    maxAttempts: 1,
    // Checksums only where S3 demands them, which R2, MinIO and B2 accept.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // Reuse each command's resolved middleware stack instead of rebuilding
    // it on every request (see bench/save_bench.ts).
    cacheMiddleware: true,
    requestHandler: new FetchRequestHandler(
      options.fetch,
    ) as unknown as S3ClientConfig["requestHandler"],
  };
}
