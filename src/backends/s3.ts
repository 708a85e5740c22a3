/**
 * The S3 backend: credbox records as objects in an S3 bucket, or in any
 * S3-compatible store (R2, MinIO, B2), over `fetch`.
 *
 * Each operation is one request: a GetObject, a PutObject, a DeleteObject,
 * or a ListObjectsV2 per 1,000 names. Versions are ETags, and conditions are
 * `If-Match` and `If-None-Match: *`. Failures the service may not repeat
 * (throttling, 5xx, dropped connections, timeouts) are retried with
 * jittered backoff.
 *
 * A version is the object's ETag, which for S3 is a digest of the bytes:
 * writing the same bytes twice gives the same version. credbox never does,
 * since every sealed record has a fresh data key and IV.
 *
 * @example Keep credentials in a bucket
 * ```ts
 * import { S3Backend } from "@credbox/credbox/s3";
 * import { createFakeS3 } from "@credbox/credbox/testing";
 *
 * const s3 = createFakeS3();
 * const backend = new S3Backend({
 *   bucket: "creds",
 *   prefix: "prod/",
 *   region: "eu-west-1",
 *   credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
 *   fetch: s3.fetch,
 * });
 * const { version } = await backend.put("ana@example.com", new Uint8Array([1]));
 * console.assert((await backend.get("ana@example.com"))?.version === version);
 * ```
 *
 * @module
 */

import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { CredboxError } from "../errors.ts";
import {
  type Backend,
  DEFAULT_LIST_LIMIT,
  type DeleteCondition,
  type ListOptions,
  type ListPage,
  type PutCondition,
  type StoredObject,
} from "./backend.ts";
import { checkListOptions, checkName } from "./names.ts";
import { runAttempts } from "./s3_attempts.ts";
import {
  backendError,
  conflictError,
  isConflict,
  isNoSuchKey,
  type S3Context,
  type S3Operation,
} from "./s3_errors.ts";
import {
  type CheckedS3Options,
  checkS3Options,
  clientConfig,
  type S3BackendOptions,
} from "./s3_options.ts";

export type {
  S3BackendOptions,
  S3ClientLike,
  S3Credentials,
  S3ServerSideEncryption,
} from "./s3_options.ts";
export type { FetchFunction } from "./s3_fetch_handler.ts";

const NAME = /^[A-Za-z0-9@_.%-]{1,768}$/;
// An ETag is printable ASCII. A version that is not (a caller's guess, say
// from an HTTP If-Match) matches no object, and sent as a header it would
// fail every attempt like a dropped connection and end as BACKEND.
const ETAG_TEXT = /^[\x20-\x7e]+$/;

/**
 * A {@linkcode Backend} over one S3 bucket and key prefix.
 *
 * @example Create-only and compare-and-set writes
 * ```ts
 * import { S3Backend } from "@credbox/credbox/s3";
 * import { createFakeS3 } from "@credbox/credbox/testing";
 *
 * const s3 = createFakeS3();
 * const backend = new S3Backend({
 *   bucket: "creds",
 *   region: "us-east-1",
 *   credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
 *   fetch: s3.fetch,
 * });
 * const first = await backend.put("ana", new Uint8Array([1]), { ifVersion: null });
 * await backend.put("ana", new Uint8Array([2]), { ifVersion: first.version });
 * console.assert(s3.requests.count("PutObject") === 2);
 * ```
 */
export class S3Backend implements Backend {
  readonly #client: S3Client;
  readonly #options: CheckedS3Options;

  /**
   * Check the options and make the client, once.
   *
   * @throws {CredboxError} `INVALID_CONFIG` naming the option at fault.
   */
  constructor(options: S3BackendOptions) {
    this.#options = checkS3Options(options);
    // A caller's client is an S3Client; the public type only names `send`.
    this.#client = (options.client as S3Client | undefined) ??
      new S3Client(clientConfig(options));
  }

  /** The object under `name` with its ETag, or `undefined`: one GET. */
  async get(name: string): Promise<StoredObject | undefined> {
    checkName(name);
    const context = this.#context("GetObject");
    try {
      return await this.#send(context, async (abortSignal) => {
        const out = await this.#client.send(
          new GetObjectCommand({
            Bucket: context.bucket,
            Key: this.#key(name),
          }),
          { abortSignal },
        );
        // Read the body inside the attempt so a cut-off body is retried.
        const bytes = await out.Body!.transformToByteArray();
        return { bytes, version: versionOf(out.ETag, context) };
      });
    } catch (error) {
      if (isNoSuchKey(error)) return undefined;
      throw backendError(error, context);
    }
  }

  /** Store `bytes` under `name` if `condition` holds: one PUT. */
  async put(
    name: string,
    bytes: Uint8Array,
    condition?: PutCondition,
  ): Promise<{ version: string }> {
    checkName(name);
    const context = this.#context("PutObject");
    if (condition?.ifVersion && !ETAG_TEXT.test(condition.ifVersion)) {
      throw conflictError(context);
    }
    const sse = this.#options.sse;
    const command = new PutObjectCommand({
      Bucket: context.bucket,
      Key: this.#key(name),
      Body: bytes,
      ContentType: "application/octet-stream",
      IfMatch: condition?.ifVersion ?? undefined,
      IfNoneMatch: condition?.ifVersion === null ? "*" : undefined,
      ServerSideEncryption: sse === undefined
        ? undefined
        : sse === "AES256"
        ? "AES256"
        : "aws:kms",
      SSEKMSKeyId: typeof sse === "object" ? sse.kmsKeyId : undefined,
    });
    try {
      return await this.#send(context, async (abortSignal) => {
        const out = await this.#client.send(command, { abortSignal });
        return { version: versionOf(out.ETag, context) };
      });
    } catch (error) {
      // If-Match on a missing object is a 404 NoSuchKey.
      if (condition && (isConflict(error) || isNoSuchKey(error))) {
        throw conflictError(context);
      }
      throw backendError(error, context);
    }
  }

  /**
   * Remove `name`; true if it existed: one DELETE.
   *
   * A plain S3 DELETE answers 204 whether or not the object was there, so
   * an unconditional delete is sent with `If-Match: *` ("only if it
   * exists"), which AWS answers with 404 or 412 for a missing object.
   * Services that ignore conditional deletes (s3rver, older MinIO) answer
   * 204 regardless: there delete always reports true, and a delete with
   * `ifVersion` is not protected. Knowing in every case would cost a HEAD
   * before each DELETE, a second round trip that could still race.
   */
  async delete(name: string, condition?: DeleteCondition): Promise<boolean> {
    checkName(name);
    const context = this.#context("DeleteObject");
    if (condition && !ETAG_TEXT.test(condition.ifVersion)) {
      throw conflictError(context);
    }
    const command = new DeleteObjectCommand({
      Bucket: context.bucket,
      Key: this.#key(name),
      IfMatch: condition ? condition.ifVersion : "*",
    });
    try {
      await this.#send(
        context,
        (abortSignal) => this.#client.send(command, { abortSignal }),
      );
      return true;
    } catch (error) {
      const failed = isConflict(error) || isNoSuchKey(error);
      if (failed && condition) throw conflictError(context);
      if (failed) return false;
      throw backendError(error, context);
    }
  }

  /** One page of names, ascending: one ListObjectsV2. */
  async list(options: ListOptions = {}): Promise<ListPage> {
    checkListOptions(options);
    const context = this.#context("ListObjectsV2");
    const prefix = this.#options.prefix;
    const command = new ListObjectsV2Command({
      Bucket: context.bucket,
      Prefix: prefix + (options.prefix ?? ""),
      MaxKeys: options.limit ?? DEFAULT_LIST_LIMIT,
      // The cursor is the last key seen, so a page needs no token state.
      StartAfter: options.cursor === undefined
        ? undefined
        : prefix + options.cursor,
    });
    try {
      return await this.#send(context, async (abortSignal) => {
        const out = await this.#client.send(command, { abortSignal });
        const keys = (out.Contents ?? []).map((item) =>
          (item.Key ?? "").slice(prefix.length)
        );
        // Foreign objects under the prefix are skipped, but still move the
        // cursor on.
        const names = keys.filter((key) =>
          NAME.test(key) && !key.startsWith(".")
        );
        const last = keys.at(-1);
        return out.IsTruncated && last !== undefined
          ? { names, cursor: last }
          : { names };
      });
    } catch (error) {
      throw backendError(error, context);
    }
  }

  #key(name: string): string {
    return this.#options.prefix + name;
  }

  #context(operation: S3Operation): S3Context {
    return {
      operation,
      bucket: this.#options.bucket,
      prefix: this.#options.prefix,
    };
  }

  /** Run `attempt` under this backend's retry limits (`s3_attempts.ts`). */
  #send<T>(
    context: S3Context,
    attempt: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    return runAttempts(context, this.#options, attempt);
  }
}

function versionOf(etag: string | undefined, context: S3Context): string {
  if (!etag) {
    throw new CredboxError(
      "BACKEND",
      `S3 ${context.operation} in bucket '${context.bucket}' returned no ` +
        "ETag: the service does not support versions",
    );
  }
  return etag;
}
