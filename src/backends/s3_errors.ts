/**
 * How S3 failures become credbox errors: which are retried, which are
 * conflicts, and the messages a person can act on.
 *
 * Messages name the bucket, the S3 error code and the IAM action, never an
 * object key (keys are user ids) nor any text from a response body: S3
 * compatible servers put keys, canonical requests and more in theirs.
 *
 * @module
 */

import { CredboxError } from "../errors.ts";

/** The S3 operations the backend performs. */
export type S3Operation =
  | "GetObject"
  | "PutObject"
  | "DeleteObject"
  | "ListObjectsV2";

/** Where a failure happened, for messages. */
export interface S3Context {
  /** The operation. */
  operation: S3Operation;
  /** The bucket name (not secret; it is in every URL). */
  bucket: string;
  /** The key prefix the backend writes under. */
  prefix: string;
}

const IAM_ACTION: Record<S3Operation, string> = {
  GetObject: "s3:GetObject",
  PutObject: "s3:PutObject",
  // AWS also checks s3:GetObject on a DeleteObject carrying If-Match.
  DeleteObject: "s3:DeleteObject and s3:GetObject",
  ListObjectsV2: "s3:ListBucket",
};

const RETRYABLE_CODES = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "TooManyRequests",
  "RequestTimeout",
  "RequestTimeoutException",
  "InternalError",
  "ServiceUnavailable",
]);

const CONFLICT_CODES = new Set([
  "PreconditionFailed",
  "ConditionalRequestConflict",
]);

/** The S3 error code of an SDK error, if it looks like one. */
export function s3Code(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  // A server chooses this text; only a short identifier may reach a message.
  return typeof name === "string" && /^[A-Za-z0-9.]{1,64}$/.test(name)
    ? name
    : undefined;
}

/** The HTTP status of an SDK error, if it got a response. */
export function httpStatus(error: unknown): number | undefined {
  const meta = (error as { $metadata?: { httpStatusCode?: unknown } } | null)
    ?.$metadata;
  const status = meta?.httpStatusCode;
  return typeof status === "number" ? status : undefined;
}

/** True for a failure that a later attempt may not see. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof CredboxError) return false;
  const status = httpStatus(error);
  const code = s3Code(error);
  if (code && RETRYABLE_CODES.has(code)) return true;
  if (status !== undefined) return status >= 500 || status === 429;
  // No response at all: the connection failed or was dropped.
  return error instanceof TypeError || isNetworkError(error);
}

function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" &&
    /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN)$/
      .test(code);
}

/** True when S3 said the object is not there. */
export function isNoSuchKey(error: unknown): boolean {
  const code = s3Code(error);
  return code === "NoSuchKey" ||
    (httpStatus(error) === 404 && code !== "NoSuchBucket");
}

/** True when a condition on the request failed. */
export function isConflict(error: unknown): boolean {
  const status = httpStatus(error);
  const code = s3Code(error);
  return status === 412 || status === 409 ||
    (code !== undefined && CONFLICT_CODES.has(code));
}

/** The `CONFLICT` error of a failed condition. */
export function conflictError(context: S3Context): CredboxError {
  return new CredboxError(
    "CONFLICT",
    `S3 ${context.operation} in bucket '${context.bucket}' lost a ` +
      "compare-and-set: the object changed, exists or is gone",
  );
}

/** The `BACKEND` error for a failure that retrying will not fix. */
export function backendError(
  error: unknown,
  context: S3Context,
): CredboxError {
  if (error instanceof CredboxError) return error;
  const { operation, bucket } = context;
  const code = s3Code(error);
  const status = httpStatus(error);
  const where = `S3 ${operation} in bucket '${bucket}'`;
  const scope = `arn:aws:s3:::${bucket}${
    operation === "ListObjectsV2" ? "" : `/${context.prefix}*`
  }`;
  let advice: string;
  switch (code) {
    case "NoSuchBucket":
      advice = `bucket '${bucket}' does not exist (NoSuchBucket): create ` +
        "it, or fix the 'bucket', 'region' or 'endpoint' option";
      break;
    case "AccessDenied":
    case "Forbidden":
      advice =
        `access denied (AccessDenied): grant ${
          IAM_ACTION[operation]
        } on ${scope}` +
        (operation === "GetObject"
          ? " (and s3:ListBucket on the bucket, without which S3 answers " +
            "AccessDenied for a missing object)"
          : "");
      break;
    case "InvalidAccessKeyId":
      advice = "the access key id is unknown to S3 (InvalidAccessKeyId): " +
        "check the credentials and that 'endpoint' points at the service " +
        "that issued them";
      break;
    case "SignatureDoesNotMatch":
      advice = "the request signature was rejected " +
        "(SignatureDoesNotMatch): the secret access key does not belong to " +
        "the access key id, or a proxy changed the request";
      break;
    case "InvalidBucketName":
      advice = "the bucket name is invalid (InvalidBucketName)";
      break;
    case "PermanentRedirect":
    case "AuthorizationHeaderMalformed":
      advice = `the bucket is in another region (${code}): set 'region' to ` +
        "the bucket's region";
      break;
    default:
      advice = describe(error, code, status);
  }
  return new CredboxError("BACKEND", `${where} failed: ${advice}`);
}

/** The `BACKEND` error once every attempt failed. */
export function exhaustedError(
  error: unknown,
  context: S3Context,
  attempts: number,
  timedOut: boolean,
  timeoutMs: number,
): CredboxError {
  const what = timedOut
    ? `timed out after ${timeoutMs} ms`
    : describe(error, s3Code(error), httpStatus(error));
  return new CredboxError(
    "BACKEND",
    `S3 ${context.operation} in bucket '${context.bucket}' failed after ` +
      `${attempts} attempt${attempts === 1 ? "" : "s"}: ${what}; the ` +
      "service is throttling, failing or unreachable",
  );
}

function describe(
  error: unknown,
  code: string | undefined,
  status: number | undefined,
): string {
  if (status !== undefined) {
    return `${code ?? "an error"} (HTTP ${status})`;
  }
  if (error instanceof TypeError || isNetworkError(error)) {
    return "a network error (no response)";
  }
  return code ? `an error (${code})` : "an unexpected error";
}
