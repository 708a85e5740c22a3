/**
 * Listing 15 ids (the original's case) on a local folder and on S3 (the
 * fake, with the cross-region profile and with none). Each group's
 * baseline is the bare listing on the same medium. How listing grows with
 * the number of ids is in bench/list_scaling_bench.ts.
 *
 * Run: deno bench -A bench/list_bench.ts
 *
 * @module
 */

import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { CredentialStore } from "../mod.ts";
import { FsBackend } from "../src/backends/fs.ts";
import { BACKEND_CASE, groupOf, STORE_CASE } from "./_cases.ts";
import { countRequests } from "./_metrics.ts";
import {
  BUCKET,
  cpuRuns,
  CREDENTIAL,
  fakeS3,
  fillBucket,
  latencyRuns,
  s3Backend,
  sdkClient,
  sealedSample,
  storeOn,
  tempDir,
  userIds,
} from "./_setup.ts";

const IDS = userIds(15);
const BYTES = await sealedSample();

// A local folder: the bare listing reads one folder of 15 plain files.
{
  const group = groupOf("list", "fs");
  const dir = await tempDir();
  const backend = new FsBackend({ dir: `${dir}/records` });
  const store = storeOn(backend);
  for (const id of IDS) await store.save(id, CREDENTIAL);
  await Deno.mkdir(`${dir}/bare`);
  for (const id of IDS) await Deno.writeFile(`${dir}/bare/${id}.json`, BYTES);
  const runs = cpuRuns(1000);

  Deno.bench("bare Deno.readDir", {
    group,
    baseline: true,
    ...runs,
  }, async () => {
    const names: string[] = [];
    for await (const entry of Deno.readDir(`${dir}/bare`)) {
      names.push(entry.name);
    }
  });
  Deno.bench(BACKEND_CASE.list, { group, ...runs }, async () => {
    await backend.list();
  });
  Deno.bench(STORE_CASE.list, { group, ...runs }, async () => {
    await collect(store);
  });
}

// Cross-region: each figure should sit just above the 100 ms LIST.
{
  const group = groupOf("list", "S3 cross-region");
  const s3 = fakeS3(true);
  fillBucket(s3, IDS, BYTES);
  const sdk = sdkClient(s3);
  const backend = s3Backend(s3);
  const store = storeOn(backend);
  const runs = latencyRuns();

  Deno.bench(
    "SDK ListObjectsV2",
    { group, baseline: true, ...runs },
    list(sdk),
  );
  Deno.bench(BACKEND_CASE.list, { group, ...runs }, async () => {
    await backend.list();
  });
  Deno.bench(STORE_CASE.list, { group, ...runs }, async () => {
    await collect(store);
  });
}

// Zero latency: the same fake, so every difference is client-side work.
{
  const group = groupOf("list", "S3 zero latency");
  const s3 = fakeS3(false);
  fillBucket(s3, IDS, BYTES);
  const sdk = sdkClient(s3);
  const backend = s3Backend(s3);
  const store = storeOn(backend);
  const runs = cpuRuns(1000);

  await countRequests(s3, group, "SDK ListObjectsV2", list(sdk));
  await countRequests(s3, group, BACKEND_CASE.list, () => backend.list());
  await countRequests(s3, group, STORE_CASE.list, () => collect(store));

  Deno.bench(
    "SDK ListObjectsV2",
    { group, baseline: true, ...runs },
    list(sdk),
  );
  Deno.bench(BACKEND_CASE.list, { group, ...runs }, async () => {
    await backend.list();
  });
  Deno.bench(STORE_CASE.list, { group, ...runs }, async () => {
    await collect(store);
  });
}

/** One ListObjectsV2 page, the most the 15 ids need. */
function list(client: S3Client): () => Promise<void> {
  return async () => {
    await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  };
}

/** Every id the store lists, as a caller holding them would. */
async function collect(store: CredentialStore): Promise<void> {
  const ids: string[] = [];
  for await (const id of store.list()) ids.push(id);
  if (ids.length !== IDS.length) {
    throw new Error(`listed ${ids.length} ids, expected ${IDS.length}`);
  }
}
