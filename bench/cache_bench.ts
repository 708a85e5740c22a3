/**
 * A cache hit against a load from a zero-latency fake S3 (a GET, the SDK's
 * request and response handling, and opening the envelope): the hit must
 * be at least 100× cheaper, measured in the same run.
 *
 * Run: deno bench -A bench/cache_bench.ts
 */

import { CredentialStore, Keyring } from "@credbox/credbox";
import { S3Backend } from "@credbox/credbox/s3";
import { createFakeS3 } from "@credbox/credbox/testing";

const ID = "ana@example.com";
const s3 = createFakeS3();
const backend = new S3Backend({
  bucket: "creds",
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
  fetch: s3.fetch,
});
const keyring = await Keyring.generate();
const credential = {
  token: "ya29.bench-access-token",
  refresh_token: "1//bench-refresh-token",
  token_uri: "https://oauth2.googleapis.com/token",
  client_id: "123.apps.googleusercontent.com",
  client_secret: "GOCSPX-bench-secret",
  scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
  // Far ahead, so the cached copy stays usable for the whole run.
  expiry: "2099-01-01T00:00:00",
};

const uncached = new CredentialStore({ backend, keyring, cache: false });
await uncached.save(ID, credential);
const cached = new CredentialStore({ backend, keyring });
await cached.load(ID);

Deno.bench({
  name: "load from the fake S3 (no latency, cache off)",
  group: "load",
  baseline: true,
  async fn() {
    await uncached.load(ID);
  },
});

Deno.bench({
  name: "load from the cache (hit)",
  group: "load",
  async fn() {
    await cached.load(ID);
  },
});
