/**
 * An S3 endpoint inside the process, behind a `fetch` function: what
 * tests, benches and users stub S3 with. It checks SigV4 signatures,
 * honours `If-Match` and `If-None-Match: *`, pages ListObjectsV2, answers
 * with AWS-shaped XML errors, and can add latency and inject faults.
 *
 * @module
 */

import {
  delay,
  type FaultKind,
  type FaultOptions,
  FaultPlan,
  latencyOf,
  type LatencyProfile,
  type RequestKind,
} from "./fake_s3_faults.ts";
import {
  type FakeS3Object,
  type FakeS3Op,
  type ObjectMap,
  runOp,
} from "./fake_s3_ops.ts";
import { type FakeCredentials, SignatureVerifier } from "./fake_s3_sigv4.ts";
import { errorResponse } from "./fake_s3_xml.ts";

export type { FakeS3Object, FakeS3Op } from "./fake_s3_ops.ts";
export type { FakeCredentials } from "./fake_s3_sigv4.ts";
export type {
  FaultKind,
  FaultOptions,
  LatencyProfile,
  RequestKind,
} from "./fake_s3_faults.ts";
export { CROSS_REGION } from "./fake_s3_faults.ts";

/** Options of {@linkcode createFakeS3}. */
export interface FakeS3Options {
  /** `"cross-region"` or milliseconds per kind of request. Default: none. */
  latency?: "cross-region" | LatencyProfile;
  /** Faults to inject. Default: none. */
  faults?: FaultOptions;
  /**
   * The only key pair accepted. Default: `AKIDFAKE` / `fake-secret`.
   */
  credentials?: FakeCredentials;
  /**
   * The buckets that exist; others answer NoSuchBucket. Default: every
   * bucket exists.
   */
  buckets?: string[];
}

/** One request as the fake saw it. */
export interface FakeS3Request {
  /** HTTP method. */
  method: string;
  /** The S3 operation. */
  op: FakeS3Op;
  /** The bucket. */
  bucket: string;
  /** The object key, decoded; empty for bucket operations. */
  key: string;
  /** The status answered; 0 for a dropped connection or an abort. */
  status: number;
  /** The fault injected, if any. */
  fault?: FaultKind;
}

/** The log of requests that reached a fake S3. */
export class FakeS3Requests {
  /** Every request, oldest first. */
  readonly entries: FakeS3Request[] = [];

  /** How many requests arrived, of one operation or of all. */
  count(op?: FakeS3Op): number {
    return op === undefined
      ? this.entries.length
      : this.entries.filter((entry) => entry.op === op).length;
  }

  /** Forget every request so far. */
  clear(): void {
    this.entries.length = 0;
  }
}

/** What {@linkcode createFakeS3} returns. */
export interface FakeS3 {
  /** A `fetch` that answers as S3 would; pass it to `S3Backend`. */
  fetch: (
    input: string | URL | Request,
    init?: RequestInit,
  ) => Promise<Response>;
  /** What arrived. */
  requests: FakeS3Requests;
  /** What is stored, keyed `"bucket/key"`. */
  objects: Map<string, FakeS3Object>;
}

/** The key pair the fake accepts unless told otherwise. */
export const FAKE_CREDENTIALS: Readonly<FakeCredentials> = Object.freeze({
  accessKeyId: "AKIDFAKE",
  secretAccessKey: "fake-secret",
});

const KIND: Record<FakeS3Op, RequestKind> = {
  PutObject: "PUT",
  GetObject: "GET",
  HeadObject: "HEAD",
  DeleteObject: "DELETE",
  ListObjectsV2: "LIST",
  CreateBucket: "PUT",
  Unsupported: "GET",
};

/**
 * Make a fake S3. Every URL is served: virtual-host style when the host
 * starts with `<bucket>.s3.` or `<bucket>.s3-`, path style otherwise.
 *
 * @example Count the round trips of a backend
 * ```ts
 * import { createFakeS3 } from "@credbox/credbox/testing";
 * import { S3Backend } from "@credbox/credbox/s3";
 *
 * const s3 = createFakeS3({ latency: { GET: 5 } });
 * const backend = new S3Backend({
 *   bucket: "creds",
 *   region: "us-east-1",
 *   credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
 *   fetch: s3.fetch,
 * });
 * await backend.put("ana", new Uint8Array([1]));
 * await backend.get("ana");
 * console.assert(s3.requests.count() === 2);
 * console.assert(s3.objects.has("creds/ana"));
 * ```
 */
export function createFakeS3(options: FakeS3Options = {}): FakeS3 {
  const latency = latencyOf(options.latency);
  const faults = new FaultPlan(options.faults);
  const verifier = new SignatureVerifier(
    options.credentials ?? FAKE_CREDENTIALS,
  );
  const buckets = options.buckets && new Set(options.buckets);
  const objects: ObjectMap = new Map();
  const requests = new FakeS3Requests();
  let counter = 0;

  async function serve(
    input: string | URL | Request,
    init?: RequestInit,
  ): Promise<Response> {
    const started = performance.now();
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = new Uint8Array(await request.arrayBuffer());
    const { bucket, key } = locate(url);
    const op = operationOf(request.method, key, url.searchParams);
    const entry: FakeS3Request = {
      method: request.method,
      op,
      bucket,
      key,
      status: 0,
    };
    requests.entries.push(entry);
    const requestId = `FAKE${(++counter).toString(16).padStart(12, "0")}`;

    const fault = faults.next();
    if (fault) entry.fault = fault;
    const roundTrip = (latency[KIND[op]] ?? 0) +
      (fault === "slow" ? faults.slowMs : 0);
    if (fault === "drop") {
      await delay(roundTrip, request.signal);
      throw new TypeError("fake S3: connection dropped");
    }
    const response = await answer();
    // The profile is a round-trip time, as the original measurements were:
    // the fake's own work (signature check, XML) happens inside it, as a
    // real server's does, so only the client's cost shows above it.
    await delay(roundTrip - (performance.now() - started), request.signal);
    entry.status = response.status;
    return response;

    async function answer(): Promise<Response> {
      const head = op === "HeadObject";
      if (fault === "throttle") {
        return errorResponse(
          {
            status: 503,
            code: "SlowDown",
            message: "Please reduce your request rate.",
          },
          requestId,
          head,
        );
      }
      if (fault === "500") {
        return errorResponse(
          {
            status: 500,
            code: "InternalError",
            message: "We encountered an internal error. Please try again.",
          },
          requestId,
          head,
        );
      }
      const denied = await verifier.verify({
        method: request.method,
        url,
        headers: request.headers,
        body,
      });
      if (denied) return errorResponse(denied, requestId, head);
      if (op === "CreateBucket") {
        buckets?.add(bucket);
      } else if (buckets && !buckets.has(bucket)) {
        return errorResponse(
          {
            status: 404,
            code: "NoSuchBucket",
            message: "The specified bucket does not exist",
            details: { BucketName: bucket },
          },
          requestId,
          head,
        );
      }
      return runOp(
        {
          op,
          bucket,
          key,
          headers: request.headers,
          query: url.searchParams,
          body,
          requestId,
        },
        objects,
      );
    }
  }

  return { fetch: serve, requests, objects };
}

function locate(url: URL): { bucket: string; key: string } {
  const host = /^(.+)\.s3[.-]/.exec(url.hostname);
  if (host) return { bucket: host[1], key: decodeKey(url.pathname.slice(1)) };
  const path = url.pathname.slice(1);
  const slash = path.indexOf("/");
  return slash < 0 ? { bucket: decodeKey(path), key: "" } : {
    bucket: decodeKey(path.slice(0, slash)),
    key: decodeKey(path.slice(slash + 1)),
  };
}

function decodeKey(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function operationOf(
  method: string,
  key: string,
  query: URLSearchParams,
): FakeS3Op {
  if (key === "") {
    if (method === "GET" && query.get("list-type") === "2") {
      return "ListObjectsV2";
    }
    return method === "PUT" ? "CreateBucket" : "Unsupported";
  }
  switch (method) {
    case "PUT":
      return query.size === 1 && query.has("x-id") || query.size === 0
        ? "PutObject"
        : "Unsupported";
    case "GET":
      return "GetObject";
    case "HEAD":
      return "HeadObject";
    case "DELETE":
      return "DeleteObject";
    default:
      return "Unsupported";
  }
}
