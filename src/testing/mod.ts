/**
 * Test doubles shipped to users: stand-ins for the services credbox talks
 * to, each behind a `fetch` function, so tests need no network.
 *
 * @example A fake S3 for an S3Backend
 * ```ts
 * import { createFakeS3 } from "@credbox/credbox/testing";
 *
 * const s3 = createFakeS3({ latency: "cross-region" });
 * console.assert(typeof s3.fetch === "function");
 * ```
 *
 * @module
 */

export {
  createFakeS3,
  CROSS_REGION,
  FAKE_CREDENTIALS,
  type FakeCredentials,
  type FakeS3,
  type FakeS3Object,
  type FakeS3Op,
  type FakeS3Options,
  type FakeS3Request,
  FakeS3Requests,
  type FaultKind,
  type FaultOptions,
  type LatencyProfile,
  type RequestKind,
} from "./fake_s3.ts";
export {
  createFakeTokenEndpoint,
  type FakeTokenEndpoint,
  type FakeTokenEndpointOptions,
  type FakeTokenFault,
  type FakeTokenRequest,
} from "./fake_token_endpoint.ts";
