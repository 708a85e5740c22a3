/**
 * How listing grows: every id of a bucket of 15, 1,000, 10,000 and
 * 100,000 records on the fake S3 at zero latency, against the bare SDK
 * paging through the same bucket. Beside the time, the report shows the
 * requests each listing makes (one ListObjectsV2 per 1,000 names) and the
 * heap held by the listed ids (see `heldBytes` in bench/_metrics.ts).
 *
 * In smoke mode the sizes are 15, 1,000 and 2,500: enough to cross a page
 * boundary, without the minute the largest bucket costs.
 *
 * The fake sorts every key of the bucket for each page it answers, so its
 * own cost grows with the square of the bucket; the baseline pays it too,
 * which is why the ratio, not the time, is the figure to read.
 *
 * Run: deno bench -A --v8-flags=--expose-gc bench/list_scaling_bench.ts
 *
 * @module
 */

import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { CredentialStore } from "../mod.ts";
import { SCALING_CASE, scalingGroup } from "./_cases.ts";
import { countRequests, heldBytes, record } from "./_metrics.ts";
import {
  BUCKET,
  cpuRuns,
  fakeS3,
  fillBucket,
  s3Backend,
  sdkClient,
  sealedSample,
  SMOKE,
  storeOn,
  userIds,
} from "./_setup.ts";

const SIZES = SMOKE ? [15, 1_000, 2_500] : [15, 1_000, 10_000, 100_000];
const BYTES = await sealedSample();

for (const size of SIZES) {
  const group = scalingGroup(size);
  const s3 = fakeS3(false);
  fillBucket(s3, userIds(size), BYTES);
  const sdk = sdkClient(s3);
  const store = storeOn(s3Backend(s3));
  const runs = size >= 100_000
    ? { n: 1, warmup: 0 }
    : cpuRuns(Math.min(300, Math.max(3, Math.round(100_000 / size))));

  await countRequests(s3, group, SCALING_CASE.sdk, () => listAll(sdk, size));
  await countRequests(
    s3,
    group,
    SCALING_CASE.store,
    () => collect(store, size),
  );
  const held = await heldBytes(() => collect(store, size));
  record({
    kind: "memory",
    ids: size,
    bytes: held.bytes,
    gc: held.gc,
  });

  Deno.bench(SCALING_CASE.sdk, { group, baseline: true, ...runs }, async () => {
    await listAll(sdk, size);
  });
  Deno.bench(SCALING_CASE.store, { group, ...runs }, async () => {
    await collect(store, size);
  });
}

/** Every page of the bucket through the bare SDK, keys dropped. */
async function listAll(client: S3Client, expected: number): Promise<void> {
  let token: string | undefined;
  let count = 0;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }),
    );
    count += page.KeyCount ?? 0;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  if (count !== expected) {
    throw new Error(`listed ${count} keys, expected ${expected}`);
  }
}

/** Every id the store lists, held in an array as a caller would. */
async function collect(
  store: CredentialStore,
  expected: number,
): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of store.list()) ids.push(id);
  if (ids.length !== expected) {
    throw new Error(`listed ${ids.length} ids, expected ${expected}`);
  }
  return ids;
}
