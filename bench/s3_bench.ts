/**
 * The S3 backend's cost: against the cross-region latency profile (where
 * the round trip is all that counts), and at zero latency against the bare
 * SDK on the same fake (where our own overhead shows).
 *
 * Run: deno bench -A bench/s3_bench.ts
 *
 * @module
 */

import {
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { CredentialStore, Keyring } from "../mod.ts";
import { S3Backend } from "../src/backends/s3.ts";
import { FetchRequestHandler } from "../src/backends/s3_fetch_handler.ts";
import { createFakeS3, type FakeS3 } from "../src/testing/mod.ts";

const CREDENTIALS = { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" };
const BYTES = new Uint8Array(600).map((_, i) => i);
const CREDENTIAL = {
  token: "ya29.a0AfB_byexampleexampleexampleexample",
  refresh_token: "1//0gexampleexampleexampleexample",
  token_uri: "https://oauth2.googleapis.com/token",
  client_id: "1234567890-example.apps.googleusercontent.com",
  client_secret: "GOCSPX-exampleexample",
  scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
  expiry: "2025-10-21T14:03:00",
};
// Latency benches measure a sleep; a few iterations say all there is.
const SLOW = { n: 5, warmup: 1 };

/** An SDK client as a user would write it by hand, on the fake. */
function sdkClient(s3: FakeS3, extra: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    region: "us-east-1",
    credentials: { ...CREDENTIALS },
    maxAttempts: 1,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: new FetchRequestHandler(s3.fetch),
    ...extra,
  });
}

function backendOn(s3: FakeS3): S3Backend {
  return new S3Backend({
    bucket: "bench",
    region: "us-east-1",
    credentials: CREDENTIALS,
    fetch: s3.fetch,
  });
}

async function storeOn(backend: S3Backend): Promise<CredentialStore> {
  return new CredentialStore({
    backend,
    keyring: await Keyring.generate(),
    namespace: "bench",
  });
}

// Cross-region: each figure should sit just above its profile latency.
{
  const s3 = createFakeS3({ latency: "cross-region" });
  const backend = backendOn(s3);
  const store = await storeOn(backend);
  for (let i = 0; i < 15; i++) {
    await backend.put(`user${i}@example.com`, BYTES);
  }
  await store.save("ana@example.com", CREDENTIAL);

  Deno.bench("backend put (PUT 200 ms)", {
    group: "cross-region",
    ...SLOW,
  }, async () => {
    await backend.put("bob@example.com", BYTES);
  });
  Deno.bench("backend get (GET 100 ms)", {
    group: "cross-region",
    ...SLOW,
  }, async () => {
    await backend.get("user0@example.com");
  });
  Deno.bench("backend list of 15 (LIST 100 ms)", {
    group: "cross-region",
    ...SLOW,
  }, async () => {
    await backend.list({ prefix: "user" });
  });
  Deno.bench("store save (PUT 200 ms)", {
    group: "cross-region",
    ...SLOW,
  }, async () => {
    await store.save("ana@example.com", CREDENTIAL);
  });
  Deno.bench("store load (GET 100 ms)", {
    group: "cross-region",
    ...SLOW,
  }, async () => {
    await store.load("ana@example.com");
  });
}

// Zero latency: the same fake, so the differences are client-side work.
{
  const s3 = createFakeS3();
  const bare = sdkClient(s3);
  const cached = sdkClient(s3, { cacheMiddleware: true });
  const backend = backendOn(s3);
  const uncached = new S3Backend({ bucket: "bench", client: bare });
  const store = await storeOn(backend);
  await backend.put("k", BYTES);
  await store.save("ana@example.com", CREDENTIAL);

  // Deno awaits only async functions, so each body is one.
  const put = (client: S3Client) => async () => {
    await client.send(
      new PutObjectCommand({ Bucket: "bench", Key: "k", Body: BYTES }),
    );
  };
  const get = (client: S3Client) => async () => {
    const out = await client.send(
      new GetObjectCommand({ Bucket: "bench", Key: "k" }),
    );
    await out.Body!.transformToByteArray();
  };

  Deno.bench("SDK PutObject", { group: "put", baseline: true }, put(bare));
  Deno.bench("SDK PutObject, cacheMiddleware", { group: "put" }, put(cached));
  Deno.bench("S3Backend put", { group: "put" }, async () => {
    await backend.put("k", BYTES);
  });
  Deno.bench(
    "S3Backend put, no cacheMiddleware",
    { group: "put" },
    async () => {
      await uncached.put("k", BYTES);
    },
  );
  Deno.bench("store save (encryption included)", { group: "put" }, async () => {
    await store.save("ana@example.com", CREDENTIAL);
  });

  Deno.bench("SDK GetObject", { group: "get", baseline: true }, get(bare));
  Deno.bench("SDK GetObject, cacheMiddleware", { group: "get" }, get(cached));
  Deno.bench("S3Backend get", { group: "get" }, async () => {
    await backend.get("k");
  });
  Deno.bench(
    "S3Backend get, no cacheMiddleware",
    { group: "get" },
    async () => {
      await uncached.get("k");
    },
  );
  Deno.bench("store load (decryption included)", { group: "get" }, async () => {
    await store.load("ana@example.com");
  });
}
