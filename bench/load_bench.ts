/**
 * Load, with the cache off, on a local folder and on S3 (the fake, with
 * the cross-region profile and with none). Each group's baseline is the
 * bare read on the same medium. The cache's own figures are in
 * bench/cached_load_bench.ts.
 *
 * Run: deno bench -A bench/load_bench.ts
 *
 * @module
 */

import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { storageName } from "../mod.ts";
import { FsBackend } from "../src/backends/fs.ts";
import { S3Backend } from "../src/backends/s3.ts";
import { BACKEND_CASE, groupOf, STORE_CASE } from "./_cases.ts";
import { countRequests } from "./_metrics.ts";
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

// A local folder: the bare read is what a plain JSON-file store does.
{
  const group = groupOf("load", "fs");
  const dir = await tempDir();
  const backend = new FsBackend({ dir });
  const store = storeOn(backend, false);
  await store.save(ID, CREDENTIAL);
  await Deno.writeFile(`${dir}/bare.json`, BYTES);
  const runs = cpuRuns(2000);

  Deno.bench("bare Deno.readFile", {
    group,
    baseline: true,
    ...runs,
  }, async () => {
    await Deno.readFile(`${dir}/bare.json`);
  });
  Deno.bench(BACKEND_CASE.load, { group, ...runs }, async () => {
    await backend.get(NAME);
  });
  Deno.bench(STORE_CASE.load, { group, ...runs }, async () => {
    await store.load(ID);
  });
}

// Cross-region: each figure should sit just above the 100 ms GET.
{
  const group = groupOf("load", "S3 cross-region");
  const s3 = fakeS3(true);
  const sdk = sdkClient(s3);
  const backend = s3Backend(s3);
  const store = storeOn(backend, false);
  await store.save(ID, CREDENTIAL);
  const runs = latencyRuns();

  Deno.bench("SDK GetObject", { group, baseline: true, ...runs }, get(sdk));
  Deno.bench(BACKEND_CASE.load, { group, ...runs }, async () => {
    await backend.get(NAME);
  });
  Deno.bench(STORE_CASE.load, { group, ...runs }, async () => {
    await store.load(ID);
  });
}

// Zero latency: the same fake, so every difference is client-side work.
{
  const group = groupOf("load", "S3 zero latency");
  const s3 = fakeS3(false);
  const sdk = sdkClient(s3);
  const sdkCached = sdkClient(s3, { cacheMiddleware: true });
  const backend = s3Backend(s3);
  const backendUncached = new S3Backend({ bucket: BUCKET, client: sdk });
  const store = storeOn(backend, false);
  await store.save(ID, CREDENTIAL);
  const runs = cpuRuns(1500);

  await countRequests(s3, group, "SDK GetObject", get(sdk));
  await countRequests(s3, group, BACKEND_CASE.load, async () => {
    await backend.get(NAME);
  });
  await countRequests(s3, group, STORE_CASE.load, async () => {
    await store.load(ID);
  });

  Deno.bench("SDK GetObject", { group, baseline: true, ...runs }, get(sdk));
  Deno.bench(
    "SDK GetObject, cacheMiddleware",
    { group, ...runs },
    get(sdkCached),
  );
  Deno.bench(BACKEND_CASE.load, { group, ...runs }, async () => {
    await backend.get(NAME);
  });
  Deno.bench("backend.get, client without cacheMiddleware", {
    group,
    ...runs,
  }, async () => {
    await backendUncached.get(NAME);
  });
  Deno.bench(STORE_CASE.load, { group, ...runs }, async () => {
    await store.load(ID);
  });
}

/** A GetObject with its body read, as the backend reads it. */
function get(client: S3Client): () => Promise<void> {
  return async () => {
    const out = await client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: NAME }),
    );
    await out.Body!.transformToByteArray();
  };
}
