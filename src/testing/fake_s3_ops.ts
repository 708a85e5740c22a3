/**
 * The S3 operations the fake implements, over an in-memory map of objects.
 *
 * @module
 */

import { errorResponse, listXml, type S3ErrorBody } from "./fake_s3_xml.ts";

/** One stored object of the fake S3. */
export interface FakeS3Object {
  /** The object's bytes. */
  bytes: Uint8Array;
  /** The quoted ETag, a digest of the bytes as S3's is for small objects. */
  etag: string;
  /** When it was written. */
  lastModified: Date;
  /** The content type it was written with. */
  contentType: string;
}

/** The operations the fake tells apart. */
export type FakeS3Op =
  | "PutObject"
  | "GetObject"
  | "HeadObject"
  | "DeleteObject"
  | "ListObjectsV2"
  | "CreateBucket"
  | "Unsupported";

/** A parsed request, as the operations see it. */
export interface OpRequest {
  /** The operation. */
  op: FakeS3Op;
  /** The bucket. */
  bucket: string;
  /** The object key, decoded; empty for bucket operations. */
  key: string;
  /** Request headers. */
  headers: Headers;
  /** Query parameters. */
  query: URLSearchParams;
  /** The body. */
  body: Uint8Array;
  /** For error responses. */
  requestId: string;
}

/** Where objects live: `"bucket/key"` to object. */
export type ObjectMap = Map<string, FakeS3Object>;

const MAX_KEYS = 1000;

/** Run one operation against `objects`. */
export async function runOp(
  request: OpRequest,
  objects: ObjectMap,
): Promise<Response> {
  const { op, bucket, key, headers } = request;
  const path = `${bucket}/${key}`;
  // Hash first: no await may fall between a condition check and its write.
  const etag = op === "PutObject" ? await etagOf(request.body) : "";
  const current = objects.get(path);
  const fail = (error: S3ErrorBody) =>
    errorResponse(error, request.requestId, op === "HeadObject");

  switch (op) {
    case "PutObject": {
      const failed = checkWrite(headers, current, key);
      if (failed) return fail(failed);
      const object: FakeS3Object = {
        bytes: request.body,
        etag,
        lastModified: new Date(),
        contentType: headers.get("content-type") ??
          "application/octet-stream",
      };
      objects.set(path, object);
      const sse = headers.get("x-amz-server-side-encryption");
      return new Response(null, {
        status: 200,
        headers: {
          etag: object.etag,
          ...(sse ? { "x-amz-server-side-encryption": sse } : {}),
        },
      });
    }
    case "GetObject":
    case "HeadObject": {
      if (!current) return fail(noSuchKey(key));
      const failed = checkRead(headers, current);
      if (failed) {
        return failed.status === 304
          ? new Response(null, { status: 304, headers: { etag: current.etag } })
          : fail(failed);
      }
      return new Response(op === "HeadObject" ? null : current.bytes.slice(), {
        status: 200,
        headers: {
          etag: current.etag,
          "content-type": current.contentType,
          "content-length": String(current.bytes.length),
          "last-modified": current.lastModified.toUTCString(),
        },
      });
    }
    case "DeleteObject": {
      const ifMatch = headers.get("if-match");
      if (ifMatch !== null) {
        // As with PutObject, If-Match on a missing key is 404 NoSuchKey.
        if (!current) return fail(noSuchKey(key));
        if (!etagMatches(ifMatch, current.etag)) {
          return fail(preconditionFailed("If-Match"));
        }
      }
      objects.delete(path);
      return new Response(null, { status: 204 });
    }
    case "ListObjectsV2":
      return listObjects(request, objects);
    case "CreateBucket":
      return new Response(null, { status: 200 });
    default:
      return fail({
        status: 501,
        code: "NotImplemented",
        message: "The fake S3 does not implement this operation",
      });
  }
}

function checkWrite(
  headers: Headers,
  current: FakeS3Object | undefined,
  key: string,
): S3ErrorBody | undefined {
  const ifNoneMatch = headers.get("if-none-match");
  const ifMatch = headers.get("if-match");
  if (ifNoneMatch !== null && ifNoneMatch !== "*") {
    return {
      status: 501,
      code: "NotImplemented",
      message: "If-None-Match on a write takes only '*'",
    };
  }
  if (ifNoneMatch === "*" && current) {
    return preconditionFailed("If-None-Match");
  }
  if (ifMatch !== null) {
    if (!current) return noSuchKey(key);
    if (!etagMatches(ifMatch, current.etag)) {
      return preconditionFailed("If-Match");
    }
  }
  return undefined;
}

function checkRead(
  headers: Headers,
  current: FakeS3Object,
): S3ErrorBody | undefined {
  const ifMatch = headers.get("if-match");
  if (ifMatch !== null && !etagMatches(ifMatch, current.etag)) {
    return preconditionFailed("If-Match");
  }
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== null && etagMatches(ifNoneMatch, current.etag)) {
    return { status: 304, code: "NotModified", message: "Not Modified" };
  }
  return undefined;
}

function listObjects(request: OpRequest, objects: ObjectMap): Response {
  const { bucket, query } = request;
  const prefix = query.get("prefix") ?? "";
  const maxKeys = Math.min(Number(query.get("max-keys") ?? MAX_KEYS), MAX_KEYS);
  if (!(Number.isInteger(maxKeys) && maxKeys >= 0)) {
    return errorResponse({
      status: 400,
      code: "InvalidArgument",
      message: "max-keys must be a non-negative integer",
    }, request.requestId);
  }
  if (query.has("delimiter")) {
    return errorResponse({
      status: 501,
      code: "NotImplemented",
      message: "The fake S3 does not implement delimiter",
    }, request.requestId);
  }
  const token = query.get("continuation-token") ?? undefined;
  const startAfter = query.get("start-after") ?? undefined;
  let after = startAfter ?? "";
  if (token !== undefined) {
    try {
      after = fromToken(token);
    } catch {
      return errorResponse({
        status: 400,
        code: "InvalidArgument",
        message: "The continuation token provided is incorrect",
      }, request.requestId);
    }
  }

  const start = `${bucket}/`;
  const keys = [...objects.keys()]
    .filter((path) => path.startsWith(start))
    .map((path) => path.slice(start.length))
    .filter((key) => key.startsWith(prefix) && key > after)
    .sort();
  const page = keys.slice(0, maxKeys);
  const truncated = keys.length > page.length;
  const body = listXml({
    bucket,
    prefix,
    maxKeys,
    token,
    startAfter,
    urlEncoded: query.get("encoding-type") === "url",
    nextToken: truncated && page.length > 0 ? toToken(page.at(-1)!) : undefined,
    objects: page.map((key) => {
      const object = objects.get(start + key)!;
      return {
        key,
        etag: object.etag,
        size: object.bytes.length,
        lastModified: object.lastModified,
      };
    }),
  });
  return new Response(body, {
    status: 200,
    headers: { "content-type": "application/xml" },
  });
}

// Tokens are opaque to clients; this one is the last key, in base64.
function toToken(key: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(key)));
}

function fromToken(token: string): string {
  const bytes = Uint8Array.from(atob(token), (ch) => ch.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

function noSuchKey(key: string): S3ErrorBody {
  return {
    status: 404,
    code: "NoSuchKey",
    message: "The specified key does not exist.",
    details: { Key: key },
  };
}

function preconditionFailed(condition: string): S3ErrorBody {
  return {
    status: 412,
    code: "PreconditionFailed",
    message: "At least one of the pre-conditions you specified did not hold",
    details: { Condition: condition },
  };
}

function etagMatches(header: string, etag: string): boolean {
  const bare = (tag: string) =>
    tag.trim().replace(/^W\//, "").replace(/"/g, "");
  return header.split(",").some((tag) =>
    tag.trim() === "*" || bare(tag) === bare(etag)
  );
}

async function etagOf(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as BufferSource);
  const hex = Array.from(
    new Uint8Array(digest).slice(0, 16),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  return `"${hex}"`;
}
