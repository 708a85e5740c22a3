/**
 * What every bench file builds on: the sample credential, the fake S3 and
 * clients on it, stores, temporary folders, and how many iterations a
 * bench runs (fewer in smoke mode, `CREDBOX_BENCH_SMOKE=1`, which CI uses
 * to run each bench once so none rots).
 *
 * @module
 */

import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import {
  type CacheOptions,
  type Credential,
  CredentialStore,
  Keyring,
  MemoryBackend,
  storageName,
} from "../mod.ts";
import { S3Backend } from "../src/backends/s3.ts";
import { FetchRequestHandler } from "../src/backends/s3_fetch_handler.ts";
import {
  createFakeS3,
  FAKE_CREDENTIALS,
  type FakeS3,
} from "../src/testing/mod.ts";

/** True when the suite runs once over, to prove it still works. */
export const SMOKE: boolean = Deno.env.get("CREDBOX_BENCH_SMOKE") === "1";

/** The bucket every fake S3 of the suite serves. */
export const BUCKET = "bench";

/** The id the single-record benches read and write. */
export const ID = "ana@example.com";

/** A Google authorized-user credential of realistic size. */
export const CREDENTIAL: Credential = {
  token: "ya29.a0AfB_byC" + "x".repeat(200),
  refresh_token: "1//0g" + "y".repeat(98),
  token_uri: "https://oauth2.googleapis.com/token",
  client_id: "123456789012-abcdefghijklmnop.apps.googleusercontent.com",
  client_secret: "GOCSPX-" + "z".repeat(28),
  scopes: [
    "https://www.googleapis.com/auth/gmail.readonly",
    "https://www.googleapis.com/auth/calendar",
  ],
  // Far ahead, so no cached copy and no fresh() ever counts as expired.
  expiry: "2099-01-01T00:00:00",
};

/**
 * Iterations of a bench whose time is mostly a simulated round trip: a
 * few say all there is, and each costs up to 200 ms.
 */
export function latencyRuns(): { n: number; warmup: number } {
  return SMOKE ? { n: 1, warmup: 0 } : { n: 8, warmup: 2 };
}

/** Iterations of a bench of client-side work, `n` in a full run. */
export function cpuRuns(n: number): { n: number; warmup: number } {
  return SMOKE ? { n: 1, warmup: 0 } : { n, warmup: Math.ceil(n / 10) };
}

/** A fake S3, with the cross-region profile or none. */
export function fakeS3(crossRegion: boolean): FakeS3 {
  return createFakeS3(crossRegion ? { latency: "cross-region" } : {});
}

/**
 * A bare SDK client as a user would write it by hand, on the fake: the
 * baseline the backend is measured against, so it gets the same handler
 * and checksum settings, and nothing of ours.
 */
export function sdkClient(
  s3: FakeS3,
  extra: Partial<S3ClientConfig> = {},
): S3Client {
  return new S3Client({
    region: "us-east-1",
    credentials: { ...FAKE_CREDENTIALS },
    maxAttempts: 1,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: new FetchRequestHandler(s3.fetch),
    ...extra,
  });
}

/** An S3Backend on the fake, configured as users configure it. */
export function s3Backend(s3: FakeS3): S3Backend {
  return new S3Backend({
    bucket: BUCKET,
    region: "us-east-1",
    credentials: { ...FAKE_CREDENTIALS },
    fetch: s3.fetch,
  });
}

// One keyring for the suite: stores that share a backend must open each
// other's records.
const KEYRING = await Keyring.generate();

/** A store in the bench namespace; the cache as given (default: on). */
export function storeOn(
  backend: CredentialStore["backend"],
  cache?: CacheOptions | false,
): CredentialStore {
  return new CredentialStore({
    backend,
    keyring: KEYRING,
    namespace: "bench",
    cache,
  });
}

/**
 * The bytes the store writes for {@linkcode CREDENTIAL}, so bare baselines
 * move exactly what the store moves.
 */
export async function sealedSample(): Promise<Uint8Array> {
  const memory = new MemoryBackend();
  await storeOn(memory).save(ID, CREDENTIAL);
  return (await memory.get(storageName(ID)))!.bytes;
}

/** A temporary folder, removed when the bench process ends. */
export async function tempDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "credbox_bench_" });
  globalThis.addEventListener("unload", () => {
    Deno.removeSync(dir, { recursive: true });
  });
  return dir;
}

/** `n` ids that sort in creation order: `user000000@example.com`, … */
export function userIds(n: number): string[] {
  return Array.from(
    { length: n },
    (_, i) => `user${String(i).padStart(6, "0")}@example.com`,
  );
}

/**
 * Put objects straight into the fake's map, with no requests: filling a
 * bucket with 100,000 records through the SDK would take most of the
 * run. Listing reads only names, so every object shares one body.
 */
export function fillBucket(s3: FakeS3, ids: string[], bytes: Uint8Array): void {
  const lastModified = new Date();
  for (const id of ids) {
    s3.objects.set(`${BUCKET}/${storageName(id)}`, {
      bytes,
      etag: `"${id.length.toString(16).padStart(32, "0")}"`,
      lastModified,
      contentType: "application/octet-stream",
    });
  }
}
