/**
 * docs/benchmarks.md, and the compact table CI shows: markdown made from a
 * run's data and its judged targets.
 *
 * @module
 */

import { SCALING_CASE, scalingGroup, scalingSize } from "./_cases.ts";
import type { OriginalRow, TargetRow } from "./_report_criteria.ts";
import {
  type Bench,
  formatBytes,
  formatMs,
  formatRequests,
  type RunData,
} from "./_report_data.ts";
import type { ScalingPoint } from "./_report_svg.ts";

/** A markdown table; cells are ours, so only pipes need escaping. */
export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) =>
    `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)]
    .join("\n");
}

const mark = (ok: boolean) => ok ? "✅" : "❌";

/** The original's table, with our figures and its own measured column. */
export function originalTable(rows: OriginalRow[]): string {
  return table(
    [
      "operation",
      "local (fs)",
      "S3 (cross-region)",
      "overhead",
      "target",
      "pass",
      "original S3",
    ],
    rows.map((r) => [
      r.operation,
      r.local,
      r.s3,
      r.overhead,
      r.target,
      mark(r.pass),
      r.original,
    ]),
  );
}

/** Issue 3's and 4's targets. */
export function targetTable(rows: TargetRow[]): string {
  return table(
    ["issue", "target", "measured", "met", "for comparison"],
    rows.map((r) => [
      `#${r.issue}`,
      r.target,
      r.measured,
      mark(r.met),
      r.compare,
    ]),
  );
}

function ratio(bench: Bench, baseline: Bench | undefined): string {
  if (!baseline?.stats || !bench.stats) return "";
  if (bench === baseline) return "baseline";
  const value = bench.stats.avg / baseline.stats.avg;
  // Two decimals read well until a bench is hundreds of times faster.
  return value >= 0.1 ? `${value.toFixed(2)}×` : `${value.toPrecision(2)}×`;
}

/** One table per group: every bench against the group's baseline. */
export function ratioTables(data: RunData): string {
  return data.groups().map(({ file, group, benches }) => {
    const baseline = data.baselineOf(group, file);
    const rows = benches.map((b) => [
      b.name,
      formatMs(b.stats?.avg ?? NaN),
      formatMs(b.stats?.p75 ?? NaN),
      String(b.stats?.n ?? 0),
      ratio(b, baseline),
    ]);
    return `### ${group} (${file})\n\n` +
      table(["bench", "avg", "p75", "n", "× baseline"], rows);
  }).join("\n\n");
}

/** What one operation should cost in requests, when the issue says. */
function expectedRequests(group: string, name: string): string | undefined {
  const size = scalingSize(group);
  if (size !== undefined) return `${Math.ceil(size / 1000)} ListObjectsV2`;
  if (/cache hit|, cached/.test(name)) return "none";
  if (group.startsWith("save:")) return "1 PutObject";
  if (group.startsWith("load")) return "1 GetObject";
  if (group.startsWith("list:")) return "1 ListObjectsV2";
  return undefined;
}

/** Requests per operation, counted at the fake, with what is expected. */
export function requestTable(data: RunData): string {
  return table(
    ["group", "bench", "requests per operation", "expected", "as expected"],
    data.requests.map((m) => {
      const got = formatRequests(m.requests);
      const expected = expectedRequests(m.group, m.name);
      return [
        m.group,
        m.name,
        got,
        expected ?? "",
        expected === undefined ? "" : mark(got === expected),
      ];
    }),
  );
}

/** The points of the list-scaling chart, from the run. */
export function scalingPoints(data: RunData): ScalingPoint[] {
  const sizes = [
    ...new Set(data.benches.map((b) => scalingSize(b.group))),
  ].filter((n): n is number => n !== undefined).sort((a, b) => a - b);
  return sizes.map((ids) => ({
    ids,
    sdkMs: data.avg(scalingGroup(ids), SCALING_CASE.sdk),
    storeMs: data.avg(scalingGroup(ids), SCALING_CASE.store),
    heldBytes: data.memory.find((m) => m.ids === ids)?.bytes,
  }));
}

/** Time, requests and memory of each listing size. */
export function scalingTable(data: RunData, points: ScalingPoint[]): string {
  return table(
    [
      "ids",
      "bare SDK, every page",
      "store.list()",
      "× SDK",
      "requests",
      "heap held",
      "per id",
      "per id added",
    ],
    points.map((p, i) => {
      const requests = data.requestsOf(scalingGroup(p.ids), SCALING_CASE.store);
      const held = p.heldBytes;
      // The slope from the size before: the constant part (the store's,
      // the SDK's and the fake's leftovers) drops out of it.
      const before = points[i - 1];
      const added = held !== undefined && before?.heldBytes !== undefined
        ? `${Math.round((held - before.heldBytes) / (p.ids - before.ids))} B`
        : "";
      return [
        p.ids.toLocaleString("en-US"),
        formatMs(p.sdkMs),
        formatMs(p.storeMs),
        `${(p.storeMs / p.sdkMs).toFixed(2)}×`,
        requests ? formatRequests(requests) : "",
        held === undefined ? "" : formatBytes(held),
        held === undefined ? "" : `${Math.round(held / p.ids)} B`,
        added,
      ];
    }),
  );
}

/** Every bench in one table, for CI logs and the job summary. */
export function compactTable(data: RunData): string {
  const rows: string[][] = [];
  for (const { file, group, benches } of data.groups()) {
    const baseline = data.baselineOf(group, file);
    for (const b of benches) {
      rows.push([
        group,
        b.name,
        formatMs(b.stats?.avg ?? NaN),
        ratio(b, baseline),
      ]);
    }
  }
  return table(["group", "bench", "avg", "× baseline"], rows);
}
