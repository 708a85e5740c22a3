/**
 * The report's input: the JSON `deno bench --json` prints, the metrics
 * the bench files append (bench/_metrics.ts), and the machine they ran
 * on, read into one lookup.
 *
 * @module
 */

import type {
  CheckMetric,
  MemoryMetric,
  Metric,
  RequestsMetric,
} from "./_metrics.ts";

/** The statistics of one bench, in milliseconds. */
export interface Stats {
  n: number;
  avg: number;
  min: number;
  max: number;
  p75: number;
  p99: number;
}

/** One bench as the report sees it. */
export interface Bench {
  /** The file, relative to bench/. */
  file: string;
  group: string;
  name: string;
  baseline: boolean;
  /** Undefined when the bench failed. */
  stats?: Stats;
}

/** Where and how the suite ran. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  runtime: string;
  loadBefore: number[];
  loadAfter: number[];
  date: string;
}

interface RawBench {
  origin: string;
  group: string | null;
  name: string;
  baseline: boolean;
  results: { ok?: Record<string, number> }[];
}

const NS_PER_MS = 1e6;

/** Every bench of a run, and every metric, with lookups by name. */
export class RunData {
  readonly benches: Bench[];
  readonly requests: RequestsMetric[];
  readonly memory: MemoryMetric[];
  readonly checks: CheckMetric[];

  constructor(json: string, metricLines: string, readonly machine: Machine) {
    const raw = JSON.parse(json) as { benches: RawBench[] };
    this.benches = raw.benches.map(toBench);
    const metrics = metricLines.split("\n").filter((line) => line.trim())
      .map((line) => JSON.parse(line) as Metric);
    this.requests = metrics.filter((m) => m.kind === "requests");
    this.memory = metrics.filter((m) => m.kind === "memory");
    this.checks = metrics.filter((m) => m.kind === "check");
  }

  /** The groups in run order, each with its file, benches and baseline. */
  groups(): { file: string; group: string; benches: Bench[] }[] {
    const out = new Map<
      string,
      { file: string; group: string; benches: Bench[] }
    >();
    for (const bench of this.benches) {
      const key = `${bench.file}\0${bench.group}`;
      if (!out.has(key)) {
        out.set(key, { file: bench.file, group: bench.group, benches: [] });
      }
      out.get(key)!.benches.push(bench);
    }
    return [...out.values()];
  }

  /** The bench of this group and name; the report needs it, so it throws. */
  get(group: string, name: string): Bench {
    const found = this.benches.find((b) =>
      b.group === group && b.name === name
    );
    if (!found) {
      throw new Error(`the run has no bench '${name}' in group '${group}'`);
    }
    return found;
  }

  /** The average of a bench in ms; NaN when it failed. */
  avg(group: string, name: string): number {
    return this.get(group, name).stats?.avg ?? NaN;
  }

  /** The baseline of a group, if it has one. */
  baselineOf(group: string, file: string): Bench | undefined {
    return this.benches.find((b) =>
      b.group === group && b.file === file && b.baseline
    );
  }

  /** The requests one operation of a bench made, if they were counted. */
  requestsOf(group: string, name: string): Record<string, number> | undefined {
    return this.requests.find((m) => m.group === group && m.name === name)
      ?.requests;
  }

  /** Names of the benches that did not finish. */
  failures(): string[] {
    return this.benches.filter((b) => !b.stats).map((b) =>
      `${b.file}: ${b.group} / ${b.name}`
    );
  }
}

function toBench(raw: RawBench): Bench {
  const ok = raw.results[0]?.ok;
  const file = raw.origin.slice(raw.origin.lastIndexOf("/") + 1);
  const bench: Bench = {
    file,
    group: raw.group ?? "",
    name: raw.name,
    baseline: raw.baseline,
  };
  if (ok) {
    bench.stats = {
      n: ok.n,
      avg: ok.avg / NS_PER_MS,
      min: ok.min / NS_PER_MS,
      max: ok.max / NS_PER_MS,
      p75: ok.p75 / NS_PER_MS,
      p99: ok.p99 / NS_PER_MS,
    };
  }
  return bench;
}

/** The machine as it is now; call before and after the run for the load. */
export async function describeMachine(cpuFromBench?: string): Promise<Machine> {
  let cpu = cpuFromBench ?? "unknown";
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    cpu = /^model name\s*:\s*(.+)$/m.exec(info)?.[1] ?? cpu;
  } catch {
    // Not Linux: the CPU name deno bench printed will do.
  }
  return {
    cpu,
    cores: navigator.hardwareConcurrency,
    memoryGiB: Deno.systemMemoryInfo().total / 2 ** 30,
    os: `${Deno.build.os} ${Deno.osRelease()} (${Deno.build.arch})`,
    runtime: `Deno ${Deno.version.deno}, V8 ${Deno.version.v8}, ` +
      `TypeScript ${Deno.version.typescript}`,
    loadBefore: Deno.loadavg(),
    loadAfter: Deno.loadavg(),
    date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
  };
}

/** A duration for people: µs under 1 ms, ms under 1 s, else s. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "failed";
  if (ms < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  if (ms < 1000) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
}

/** A byte count for people, in decimal units as the chart's axis. */
export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) < 1e3) return `${bytes} B`;
  if (Math.abs(bytes) < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

/** `{ GetObject: 1 }` → "1 GetObject"; none → "none". */
export function formatRequests(requests: Record<string, number>): string {
  const parts = Object.entries(requests).map(([op, n]) => `${n} ${op}`);
  return parts.length ? parts.join(", ") : "none";
}
