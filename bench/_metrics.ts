/**
 * Figures a bench reports besides its time: requests per operation, memory
 * held, and yes/no checks. `deno bench --json` has no room for them, so
 * each is appended as one JSON line to the file named by
 * `CREDBOX_BENCH_METRICS` (set by bench/report.ts); without it they are
 * measured and dropped, which keeps a plain `deno bench` run quiet.
 *
 * @module
 */

import type { FakeS3 } from "../src/testing/mod.ts";

/** Requests one operation made, by S3 operation (`GetObject`: 1). */
export interface RequestsMetric {
  kind: "requests";
  /** The bench group and name the count belongs to. */
  group: string;
  name: string;
  requests: Record<string, number>;
}

/** Heap held by the ids of one listing, and how it was measured. */
export interface MemoryMetric {
  kind: "memory";
  ids: number;
  /** `heapUsed` after minus before; see {@linkcode heldBytes}. */
  bytes: number;
  /** False when `gc()` was not exposed: garbage inflates `bytes`. */
  gc: boolean;
}

/** A yes/no fact the report shows, such as "one client is reused". */
export interface CheckMetric {
  kind: "check";
  name: string;
  ok: boolean;
  detail: string;
}

/** One line of the metrics file. */
export type Metric = RequestsMetric | MemoryMetric | CheckMetric;

const target = Deno.env.get("CREDBOX_BENCH_METRICS");

/** Append one metric for the report, when a report is listening. */
export function record(metric: Metric): void {
  if (!target) return;
  Deno.writeTextFileSync(target, JSON.stringify(metric) + "\n", {
    append: true,
  });
}

/**
 * The requests the fake saw while `run` did one operation, by S3
 * operation, recorded under the bench's group and name. Counted in setup,
 * not inside the timed loop: the count of one operation does not change
 * with the iteration, and a timed body should hold nothing but the work.
 */
export async function countRequests(
  s3: FakeS3,
  group: string,
  name: string,
  run: () => Promise<unknown>,
): Promise<Record<string, number>> {
  s3.requests.clear();
  await run();
  const requests: Record<string, number> = {};
  for (const entry of s3.requests.entries) {
    requests[entry.op] = (requests[entry.op] ?? 0) + 1;
  }
  s3.requests.clear();
  record({ kind: "requests", group, name, requests });
  return requests;
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Bytes of heap held by what `build` returns: a full GC, `heapUsed`,
 * build, a full GC, `heapUsed` again, with the value still referenced.
 * Taken `samples` times and the median kept, so a stray allocation of the
 * runtime or the SDK lands in one sample, not in most. Run `build` once
 * before calling this, so lazily made state (SDK caches, compiled code)
 * is not charged to the result. Needs `--v8-flags=--expose-gc` to be
 * exact; without it the delta also counts garbage not yet collected.
 */
export async function heldBytes(
  build: () => Promise<unknown>,
  samples = 5,
): Promise<{ bytes: number; gc: boolean }> {
  const deltas: number[] = [];
  for (let i = 0; i < samples; i++) deltas.push(await sampleOnce(build));
  deltas.sort((a, b) => a - b);
  return { bytes: deltas[Math.floor(samples / 2)], gc: gc !== undefined };
}

// Its own frame, returning a number only: a suspended async frame keeps
// the last value it awaited in a register, which, were the loop above to
// hold the values, would still pin the previous sample at the next
// sample's first reading and cancel the delta out.
async function sampleOnce(build: () => Promise<unknown>): Promise<number> {
  gc?.();
  const before = Deno.memoryUsage().heapUsed;
  const value = await build();
  gc?.();
  const after = Deno.memoryUsage().heapUsed;
  if (value === undefined) throw new TypeError("heldBytes: nothing built");
  return after - before;
}
