/**
 * Save, on a local folder and on S3 (the fake, with the cross-region
 * profile and with none). Each group's baseline is the bare write on the
 * same medium, so the store's overhead reads as a ratio: at cross-region
 * latency the round trip is nearly all of it, at zero latency our own
 * work (sealing, signing, the SDK) shows.
 *
 * Run: deno bench -A bench/save_bench.ts
 *
 * @module
 */

import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { storageName } from "../mod.ts";
import { FsBackend } from "../src/backends/fs.ts";
import { S3Backend } from "../src/backends/s3.ts";
import type { FakeS3 } from "../src/testing/mod.ts";
import { BACKEND_CASE, CLIENT_REUSED, groupOf, STORE_CASE } from "./_cases.ts";
import { countRequests, record } from "./_metrics.ts";
import {
  BUCKET,
  cpuRuns,
  CREDENTIAL,
  fakeS3,
  ID,
  latencyRuns,
  s3Backend,
  sdkClient,
  sealedSample,
  storeOn,
  tempDir,
} from "./_setup.ts";

const BYTES = await sealedSample();
const NAME = storageName(ID);

// A local folder: the bare write is what a plain JSON-file store does.
{
  const group = groupOf("save", "fs");
  const dir = await tempDir();
  const backend = new FsBackend({ dir });
  const store = storeOn(backend);
  const runs = cpuRuns(300);

  Deno.bench("bare Deno.writeFile", {
    group,
    baseline: true,
    ...runs,
  }, async () => {
    await Deno.writeFile(`${dir}/bare.json`, BYTES);
  });
  // What the durability of FsBackend costs on its own, without our code.
  Deno.bench("bare atomic write (temp, fsync, rename)", {
    group,
    ...runs,
  }, async () => {
    await atomicWrite(`${dir}/atomic.json`, BYTES);
  });
  Deno.bench(BACKEND_CASE.save, { group, ...runs }, async () => {
    await backend.put(NAME, BYTES);
  });
  Deno.bench(STORE_CASE.save, { group, ...runs }, async () => {
    await store.save(ID, CREDENTIAL);
  });
}

// Cross-region: each figure should sit just above the 200 ms PUT.
{
  const group = groupOf("save", "S3 cross-region");
  const s3 = fakeS3(true);
  const sdk = sdkClient(s3);
  const backend = s3Backend(s3);
  const store = storeOn(backend);
  const runs = latencyRuns();

  Deno.bench("SDK PutObject", { group, baseline: true, ...runs }, put(sdk));
  Deno.bench(BACKEND_CASE.save, { group, ...runs }, async () => {
    await backend.put(NAME, BYTES);
  });
  Deno.bench(STORE_CASE.save, { group, ...runs }, async () => {
    await store.save(ID, CREDENTIAL);
  });
}

// Zero latency: the same fake, so every difference is client-side work.
{
  const group = groupOf("save", "S3 zero latency");
  const s3 = fakeS3(false);
  const sdk = sdkClient(s3);
  const sdkCached = sdkClient(s3, { cacheMiddleware: true });
  const backend = s3Backend(s3);
  const backendUncached = new S3Backend({ bucket: BUCKET, client: sdk });
  const store = storeOn(backend);
  const runs = cpuRuns(1500);

  await countRequests(s3, group, "SDK PutObject", put(sdk));
  await countRequests(s3, group, BACKEND_CASE.save, async () => {
    await backend.put(NAME, BYTES);
  });
  await countRequests(s3, group, STORE_CASE.save, async () => {
    await store.save(ID, CREDENTIAL);
  });
  await checkClientReused(s3);

  Deno.bench("SDK PutObject", { group, baseline: true, ...runs }, put(sdk));
  Deno.bench(
    "SDK PutObject, cacheMiddleware",
    { group, ...runs },
    put(sdkCached),
  );
  // What reusing one client saves: the cost the original's check guards.
  Deno.bench("SDK PutObject, new client each call", {
    group,
    ...cpuRuns(150),
  }, async () => {
    const client = sdkClient(s3);
    await put(client)();
    client.destroy();
  });
  Deno.bench(BACKEND_CASE.save, { group, ...runs }, async () => {
    await backend.put(NAME, BYTES);
  });
  Deno.bench("backend.put, client without cacheMiddleware", {
    group,
    ...runs,
  }, async () => {
    await backendUncached.put(NAME, BYTES);
  });
  Deno.bench(STORE_CASE.save, { group, ...runs }, async () => {
    await store.save(ID, CREDENTIAL);
  });
}

/** A PutObject of the sample bytes; Deno awaits only async bodies. */
function put(client: S3Client): () => Promise<void> {
  return async () => {
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: NAME, Body: BYTES }),
    );
  };
}

async function atomicWrite(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.tmp`;
  const file = await Deno.open(temp, { write: true, create: true });
  try {
    await file.write(bytes);
    await file.sync();
  } finally {
    file.close();
  }
  await Deno.rename(temp, path);
}

/**
 * The original's "client reused" row, made a fact instead of a timing:
 * every `send` of a default-configured backend, across saves, loads and
 * lists, runs on one `S3Client`. `send` is wrapped on the prototype for
 * the duration of the check only.
 */
async function checkClientReused(s3: FakeS3): Promise<void> {
  const clients = new Set<S3Client>();
  const send = S3Client.prototype.send;
  let calls = 0;
  S3Client.prototype.send = function (
    this: S3Client,
    ...args: Parameters<S3Client["send"]>
  ) {
    clients.add(this);
    calls++;
    return send.apply(this, args);
  } as S3Client["send"];
  try {
    const store = storeOn(s3Backend(s3), false);
    for (let i = 0; i < 5; i++) {
      await store.save(`reuse${i}@example.com`, CREDENTIAL);
      await store.load(`reuse${i}@example.com`);
      for await (const _ of store.list({ prefix: "reuse" }));
    }
  } finally {
    S3Client.prototype.send = send;
  }
  record({
    kind: "check",
    name: CLIENT_REUSED,
    ok: clients.size === 1 && calls === 15,
    detail: `${calls} requests from 5 saves, 5 loads and 5 lists ` +
      `went through ${clients.size} client(s)`,
  });
}
