/**
 * What the read cache buys: a load on a hit and on a miss, and `fresh()`
 * on a valid token, against a load with the cache off, all on the fake S3
 * at zero latency (the cheapest a miss can be, so the hit's advantage is
 * the least it will be anywhere).
 *
 * Run: deno bench -A bench/cached_load_bench.ts
 *
 * @module
 */

import { CACHE_CASE, CACHE_GROUP } from "./_cases.ts";
import { countRequests, record } from "./_metrics.ts";
import {
  cpuRuns,
  CREDENTIAL,
  fakeS3,
  ID,
  s3Backend,
  storeOn,
} from "./_setup.ts";

const OTHER = "bob@example.com";
const group = CACHE_GROUP;
const s3 = fakeS3(false);
const backend = s3Backend(s3);

const off = storeOn(backend, false);
await off.save(ID, CREDENTIAL);
await off.save(OTHER, CREDENTIAL);
// Room for one record, and two ids read in turn: every load evicts the
// other id's entry, so every load is a miss that also fills the cache.
const missing = storeOn(backend, { maxEntries: 1 });
let turn = 0;
const missLoad = async () => {
  await missing.load(turn++ % 2 === 0 ? ID : OTHER);
};
const hitting = storeOn(backend);
await hitting.load(ID);

await countRequests(s3, group, CACHE_CASE.off, () => off.load(ID));
await countRequests(s3, group, CACHE_CASE.miss, missLoad);
await countRequests(s3, group, CACHE_CASE.hit, () => hitting.load(ID));
await countRequests(s3, group, CACHE_CASE.fresh, () => hitting.fresh(ID));
await countRequests(s3, group, CACHE_CASE.freshOff, () => off.fresh(ID));
for (let i = 0; i < 4; i++) await missLoad();
const { hits, misses } = missing.stats().cache;
record({
  kind: "check",
  name: "the cache-miss bench never hits",
  ok: hits === 0,
  detail: `${misses} misses, ${hits} hits over ${turn} loads`,
});

const slow = cpuRuns(1500);
const fast = cpuRuns(20_000);

Deno.bench(CACHE_CASE.off, { group, baseline: true, ...slow }, async () => {
  await off.load(ID);
});
Deno.bench(CACHE_CASE.miss, { group, ...slow }, missLoad);
Deno.bench(CACHE_CASE.hit, { group, ...fast }, async () => {
  await hitting.load(ID);
});
Deno.bench(CACHE_CASE.fresh, { group, ...fast }, async () => {
  await hitting.fresh(ID);
});
Deno.bench(CACHE_CASE.freshOff, { group, ...slow }, async () => {
  await off.fresh(ID);
});
