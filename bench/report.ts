/**
 * `deno task bench:report`: runs every bench of bench/ once with `--json`,
 * writes docs/benchmarks.md and docs/list_scaling.svg, prints a compact
 * table, and exits 1 when a bench fails or one of the original acceptance
 * criteria does (save < 2 s, load < 1 s, list < 2 s, client reused, local
 * storage not slower).
 *
 * Options:
 * - `--smoke`: each bench runs once with small sizes (what CI runs so no
 *   bench rots); nothing is written unless asked, and a missed criterion
 *   is reported but does not fail the run, since one iteration on a CI
 *   machine is no measurement.
 * - `--markdown <file>`, `--svg <file>`: where the page and the chart go
 *   (default docs/benchmarks.md and docs/list_scaling.svg).
 * - `--json <file>`: keep the raw results, the metrics and the machine.
 * - `--summary <file>`: append the compact table (for
 *   `$GITHUB_STEP_SUMMARY`).
 *
 * @module
 */

import { originalRows, targetRows } from "./_report_criteria.ts";
import { describeMachine, RunData } from "./_report_data.ts";
import {
  compactTable,
  originalTable,
  scalingPoints,
  targetTable,
} from "./_report_markdown.ts";
import { renderPage } from "./_report_page.ts";
import { scalingChart } from "./_report_svg.ts";

// The suite's own files first, in the order of the page; any other bench
// in the folder runs after them, so `--smoke` keeps it from rotting too.
const ORDER = [
  "save_bench.ts",
  "load_bench.ts",
  "cached_load_bench.ts",
  "list_bench.ts",
  "list_scaling_bench.ts",
];

const args = parseArgs(Deno.args);
const benchDir = new URL(".", import.meta.url);
const files = await benchFiles(benchDir);

const machine = await describeMachine();
const metricsFile = await Deno.makeTempFile({ prefix: "credbox_metrics_" });
const run = await new Deno.Command(Deno.execPath(), {
  args: ["bench", "-A", "--json", "--v8-flags=--expose-gc", ...files],
  env: {
    NO_COLOR: "1",
    CREDBOX_BENCH_METRICS: metricsFile,
    ...(args.smoke ? { CREDBOX_BENCH_SMOKE: "1" } : {}),
  },
  stdout: "piped",
  stderr: "inherit",
}).output();
machine.loadAfter = Deno.loadavg();
const json = new TextDecoder().decode(run.stdout);
const metrics = await Deno.readTextFile(metricsFile);
await Deno.remove(metricsFile);

let data: RunData;
try {
  data = new RunData(json, metrics, machine);
} catch (error) {
  console.error(`deno bench printed no usable JSON: ${error}`);
  Deno.exit(1);
}

const original = originalRows(data);
const targets = targetRows(data);
const points = scalingPoints(data);
const compact = [
  "Original acceptance criteria:",
  "",
  originalTable(original),
  "",
  "Targets of issues 3 and 4:",
  "",
  targetTable(targets),
  "",
  compactTable(data),
  "",
].join("\n");
console.log(compact);

if (args.svg) await Deno.writeTextFile(args.svg, scalingChart(points));
if (args.markdown) {
  const chart = args.svg ? relativeTo(args.markdown, args.svg) : undefined;
  await Deno.writeTextFile(
    args.markdown,
    renderPage({ data, original, targets, points, chart, smoke: args.smoke }),
  );
}
if (args.json) {
  await Deno.writeTextFile(
    args.json,
    JSON.stringify(
      {
        machine,
        results: JSON.parse(json),
        metrics: {
          requests: data.requests,
          memory: data.memory,
          checks: data.checks,
        },
      },
      null,
      2,
    ),
  );
}
if (args.summary) {
  await Deno.writeTextFile(args.summary, `## Benchmarks\n\n${compact}`, {
    append: true,
  });
}

const problems = [...data.failures().map((name) => `bench failed: ${name}`)];
if (!run.success) problems.push("deno bench exited with an error");
const missed = original.filter((row) => !row.pass).map((row) =>
  `criterion missed: ${row.operation}`
);
if (args.smoke) {
  for (const line of missed) console.warn(`warning (smoke run): ${line}`);
} else {
  problems.push(...missed);
}
for (const problem of problems) console.error(problem);
Deno.exit(problems.length ? 1 : 0);

interface Args {
  smoke: boolean;
  markdown?: string;
  svg?: string;
  json?: string;
  summary?: string;
}

function parseArgs(argv: string[]): Args {
  const smoke = argv.includes("--smoke");
  const value = (flag: string, fallback?: string) => {
    const at = argv.indexOf(flag);
    if (at < 0) return fallback;
    const given = argv[at + 1];
    if (given === undefined || given.startsWith("--")) {
      throw new TypeError(`${flag} needs a file name`);
    }
    return given;
  };
  const known = new Set([
    "--smoke",
    "--markdown",
    "--svg",
    "--json",
    "--summary",
  ]);
  for (const arg of argv) {
    if (arg.startsWith("--") && !known.has(arg)) {
      throw new TypeError(`unknown option '${arg}'`);
    }
  }
  return {
    smoke,
    markdown: value("--markdown", smoke ? undefined : "docs/benchmarks.md"),
    svg: value("--svg", smoke ? undefined : "docs/list_scaling.svg"),
    json: value("--json"),
    summary: value("--summary"),
  };
}

async function benchFiles(dir: URL): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith("_bench.ts")) {
      found.push(entry.name);
    }
  }
  const rank = (name: string) => {
    const at = ORDER.indexOf(name);
    return at < 0 ? ORDER.length : at;
  };
  found.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return found.map((name) => new URL(name, dir).pathname);
}

/** `to` as the page at `from` links to it: by name when side by side. */
function relativeTo(from: string, to: string): string {
  const dirOf = (path: string) => path.slice(0, path.lastIndexOf("/") + 1);
  if (dirOf(from) === dirOf(to)) return to.slice(dirOf(to).length);
  return new URL(to, `file://${Deno.cwd()}/`).pathname;
}
