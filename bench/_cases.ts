/**
 * The names of the benches the report reads, in one place, so a renamed
 * bench cannot silently drop out of docs/benchmarks.md: the report fails
 * when a name it looks for is missing from the run.
 *
 * @module
 */

/** The operations of the original acceptance table. */
export type Op = "save" | "load" | "list";

/** Where an operation runs. */
export type Medium = "fs" | "S3 cross-region" | "S3 zero latency";

/** Every operation, in table order. */
export const OPS: readonly Op[] = ["save", "load", "list"];

/** Every medium, in table order. */
export const MEDIA: readonly Medium[] = [
  "fs",
  "S3 cross-region",
  "S3 zero latency",
];

/** The group of one operation on one medium; its baseline is flagged. */
export function groupOf(op: Op, medium: Medium): string {
  return `${op}: ${medium}`;
}

/** The store's own row in each operation's groups. */
export const STORE_CASE: Readonly<Record<Op, string>> = {
  save: "store.save",
  load: "store.load, cache off",
  list: "store.list of 15",
};

/** The backend's row in each operation's groups. */
export const BACKEND_CASE: Readonly<Record<Op, string>> = {
  save: "backend.put",
  load: "backend.get",
  list: "backend.list of 15",
};

/** Cache hit against miss against no cache, at zero latency. */
export const CACHE_GROUP = "load: cache (S3 zero latency)";

/** The rows of {@linkcode CACHE_GROUP}; `off` is its baseline. */
export const CACHE_CASE = {
  off: "store.load, cache off",
  miss: "store.load, cache miss",
  hit: "store.load, cache hit",
  fresh: "store.fresh, valid token, cached",
  freshOff: "store.fresh, valid token, cache off",
} as const;

/** The group of a listing of `n` ids at zero latency. */
export function scalingGroup(n: number): string {
  return `list scaling: ${n} ids`;
}

/** The count of ids in a scaling group's name, or undefined. */
export function scalingSize(group: string): number | undefined {
  const match = /^list scaling: (\d+) ids$/.exec(group);
  return match ? Number(match[1]) : undefined;
}

/** The rows of each scaling group; `sdk` is the baseline. */
export const SCALING_CASE = {
  sdk: "SDK ListObjectsV2, every page",
  store: "store.list, every id",
} as const;

/** The check behind the original's "client reused" row. */
export const CLIENT_REUSED = "one S3 client serves every request";
