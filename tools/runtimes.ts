/**
 * The runtime matrix: the portable suite (tests/portable/) on Deno, Node,
 * Bun and workerd, and the service entries of Node, Bun and Workers asked
 * over HTTP, ending with the line `N passed, N failed` that
 * `deno task test --ci` reads. A failing check on any runtime fails it.
 *
 * ```sh
 * deno run -A tools/runtimes.ts                  # the whole matrix
 * deno run -A tools/runtimes.ts --only=node,bun  # some runtimes
 * deno run -A tools/runtimes.ts build            # only build/ bundles
 * ```
 *
 * Node is the machine's own; Bun, workerd and the library's npm
 * dependencies are installed by npm into a cache folder outside the
 * repository (tools/runtimes_install.ts), esbuild comes through Deno's npm
 * support, and the bundles go to build/ (tools/runtimes_build.ts).
 *
 * @module
 */

import {
  buildBundles,
  type Bundles,
  ESBUILD_VERSION,
} from "./runtimes_build.ts";
import {
  COMPATIBILITY_DATE,
  type Installed,
  installRuntimes,
  PINS,
} from "./runtimes_install.ts";
import {
  runToEnd,
  type Server,
  type ServerCommand,
  startServer,
} from "./runtimes_process.ts";
import {
  checkRefusal,
  checkService,
  type ServiceConfig,
  serviceConfig,
  writeWorkerdConfig,
} from "./runtimes_service.ts";

interface Counts {
  passed: number;
  failed: number;
}

interface Row {
  runtime: Runtime;
  version: string;
  suite: Counts;
  service?: Counts;
  seconds: number;
}

interface Result {
  name: string;
  ok: boolean;
  error?: string;
}

const RUNTIMES = ["deno", "node", "bun", "workerd"] as const;
type Runtime = typeof RUNTIMES[number];

const SUITE_TIMEOUT_MS = 180_000;
const START_TIMEOUT_MS = 30_000;
const FAILED_TO_RUN: Counts = { passed: 0, failed: 1 };

const verbose = Deno.args.includes("--verbose");

/** The runtimes `--only=a,b` names, all by default. */
function selected(): Runtime[] {
  const only = Deno.args.find((arg) => arg.startsWith("--only="));
  if (!only) return [...RUNTIMES];
  const names = only.slice("--only=".length).split(",");
  const unknown = names.filter((n) => !RUNTIMES.includes(n as Runtime));
  if (unknown.length > 0) {
    throw new TypeError(
      `--only takes ${RUNTIMES.join(", ")}; got '${unknown.join("', '")}'`,
    );
  }
  return names as Runtime[];
}

/** Print the failed results (every one, with --verbose). */
function report(results: Result[]): void {
  for (const result of results) {
    if (!verbose && result.ok) continue;
    console.log(`  ${result.ok ? "ok  " : "FAIL"} ${result.name}`);
    if (result.error) console.log(`       ${result.error}`);
  }
}

function tail(text: string, lines: number): void {
  const kept = text.trim().split("\n").slice(-lines).join("\n");
  if (kept) console.log(kept);
}

/** Run tests/portable/run.ts (or its bundle) with a command-line runtime. */
async function suiteOn(cmd: string[]): Promise<Counts & { version: string }> {
  const run = await runToEnd(cmd, { timeoutMs: SUITE_TIMEOUT_MS });
  const lines = run.stdout.trim().split("\n");
  const results: Result[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith("ok   ")) {
      results.push({ name: line.slice(5), ok: true });
    }
    if (line.startsWith("FAIL ")) {
      results.push({ name: line.slice(5), ok: false, error: lines[i + 1] });
    }
  });
  report(results);
  const version = /^runtime \S+ (\S+)$/m.exec(run.stdout)?.[1] ?? "?";
  const match = /^(\d+) passed, (\d+) failed$/.exec(lines.at(-1) ?? "");
  if (!match || !run.ok) {
    tail(run.stderr, 15);
    if (run.timedOut) console.log(`  timed out after ${SUITE_TIMEOUT_MS} ms`);
  }
  if (!match) return { ...FAILED_TO_RUN, version };
  const counts = { passed: Number(match[1]), failed: Number(match[2]) };
  // A crash after the summary still fails the runtime.
  if (!run.ok && counts.failed === 0) counts.failed = 1;
  return { ...counts, version };
}

/** Start a server, hand it to `use`, stop it whatever happens. */
async function withServer(
  command: ServerCommand,
  use: (server: Server) => Promise<Counts>,
): Promise<Counts> {
  let server: Server;
  try {
    server = await startServer(command, { timeoutMs: START_TIMEOUT_MS });
  } catch (error) {
    console.log(`  FAIL the server did not start: ${error}`);
    return FAILED_TO_RUN;
  }
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}

/** The service checks against a started service entry. */
function serviceOn(config: ServiceConfig, command: ServerCommand) {
  return withServer(command, async (server) => {
    const checked = await checkService(server.url, config.token);
    report(checked.results);
    if (checked.failed > 0) tail(server.output(), 10);
    return checked;
  });
}

/** Ask the test worker to run the suite, and read its report. */
async function suiteInWorker(server: Server): Promise<Counts> {
  try {
    const res = await fetch(`${server.url}/__portable__`, {
      signal: AbortSignal.timeout(SUITE_TIMEOUT_MS),
    });
    const body = await res.json() as Counts & { results: Result[] };
    report(body.results);
    return { passed: body.passed, failed: body.failed };
  } catch (error) {
    console.log(`  FAIL the suite did not report: ${error}`);
    tail(server.output(), 15);
    return FAILED_TO_RUN;
  }
}

/** The first line a binary prints for `--version`. */
async function versionOf(binary: string): Promise<string> {
  const run = await runToEnd([binary, "--version"], { timeoutMs: 10_000 });
  return run.stdout.trim().split("\n")[0] ?? "?";
}

async function runOne(
  runtime: Runtime,
  bundles: Bundles,
  installed: Installed,
): Promise<Omit<Row, "seconds">> {
  if (runtime === "deno") {
    const file = new URL("../tests/portable/run.ts", import.meta.url);
    const cmd = [Deno.execPath(), "run", "-A", file.pathname];
    const suite = await suiteOn(cmd);
    return { runtime, version: suite.version, suite };
  }
  const config = serviceConfig();
  if (runtime === "node" || runtime === "bun") {
    const bin = runtime === "node" ? "node" : installed.bun;
    const suite = await suiteOn([bin, bundles.portableNode]);
    const served = await serviceOn(config, (port) => ({
      cmd: [bin, bundles.serviceNode],
      env: { ...config.env, PORT: String(port) },
    }));
    const refused = await checkRefusal([bin, bundles.serviceNode]);
    report(refused.results);
    const service = {
      passed: served.passed + refused.passed,
      failed: served.failed + refused.failed,
    };
    return { runtime, version: suite.version, suite, service };
  }
  // The suite runs in the test worker (which needs node:assert); the
  // service checks ask the bundle that ships, without nodejs_compat.
  const workerd = async (
    bundle: string,
    flags: string[],
  ): Promise<ServerCommand> => {
    const capnp = await writeWorkerdConfig({
      bundle,
      bindings: config.env,
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: flags,
    });
    const serve = [installed.workerd, "serve", capnp, "--socket-addr"];
    return (port) => ({ cmd: [...serve, `http=127.0.0.1:${port}`] });
  };
  const suite = await withServer(
    await workerd(bundles.portableWorker, ["nodejs_compat"]),
    suiteInWorker,
  );
  const service = await serviceOn(
    config,
    await workerd(bundles.serviceWorker, []),
  );
  const date = (await versionOf(installed.workerd)).replace(/^workerd /, "");
  return { runtime, version: `${PINS.workerd} (${date})`, suite, service };
}

function cell(counts?: Counts): string {
  return counts ? `${counts.passed} passed, ${counts.failed} failed` : "-";
}

async function main(): Promise<number> {
  const runtimes = selected();
  let installed: Installed;
  let bundles: Bundles;
  try {
    installed = await installRuntimes();
    bundles = await buildBundles(installed.nodeModules);
  } catch (error) {
    console.log(`runtimes: cannot prepare: ${error}`);
    console.log("0 passed, 1 failed");
    return 1;
  }
  console.log(`runtimes: bundles built with esbuild ${ESBUILD_VERSION}`);
  if (Deno.args.includes("build")) {
    for (const path of Object.values(bundles)) console.log(path);
    return 0;
  }

  const rows: Row[] = [];
  for (const runtime of runtimes) {
    console.log(`\n== ${runtime}`);
    const started = Date.now();
    const ran = await runOne(runtime, bundles, installed).catch((error) => {
      // A runtime that cannot even start (node missing, say) fails its row.
      console.log(`  FAIL ${runtime} did not run: ${error}`);
      return { runtime, version: "?", suite: FAILED_TO_RUN };
    });
    const row: Row = {
      ...ran,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    console.log(
      `${runtime} ${row.version}: suite ${cell(row.suite)}; ` +
        `service ${cell(row.service)} (${row.seconds}s)`,
    );
    rows.push(row);
  }

  console.log("\n| runtime | version tested | portable suite | service |");
  console.log("| --- | --- | --- | --- |");
  for (const r of rows) {
    console.log(
      `| ${r.runtime} | ${r.version} | ${cell(r.suite)} | ${cell(r.service)} |`,
    );
  }
  await Deno.writeTextFile(
    new URL("../build/runtimes.json", import.meta.url),
    JSON.stringify({ esbuild: ESBUILD_VERSION, rows }, null, 2) + "\n",
  );
  let passed = 0;
  let failed = 0;
  for (const counts of rows.flatMap((r) => [r.suite, r.service ?? null])) {
    passed += counts?.passed ?? 0;
    failed += counts?.failed ?? 0;
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

Deno.exit(await main());
