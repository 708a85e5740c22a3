/**
 * Run the portable suite from a command line, on Deno, Node or Bun:
 *
 * ```sh
 * deno run -A tests/portable/run.ts [filter]
 * node build/portable_node.mjs [filter]      # built by tools/runtimes.ts
 * bun build/portable_node.mjs [filter]
 * ```
 *
 * It prints one line per check, then `runtime <name> <version>` and the
 * `N passed, N failed` line, and exits non-zero when a check fails. This
 * file is runtime-specific on purpose: arguments, exit codes and the
 * runtime's name are the only things here that differ between runtimes.
 *
 * @module
 */

import { portableChecks } from "./suite.ts";

interface Globals {
  Deno?: {
    args: string[];
    version: { deno: string };
    exit(code: number): never;
  };
  Bun?: { version: string };
  process?: { argv: string[]; versions: { node?: string }; exitCode?: number };
}

const global = globalThis as unknown as Globals;

/** `deno 2.9.6`, `bun 1.4.5` or `node 20.20.2`. */
function runtime(): string {
  if (global.Deno) return `deno ${global.Deno.version.deno}`;
  if (global.Bun) return `bun ${global.Bun.version}`;
  return `node ${global.process?.versions.node ?? "unknown"}`;
}

function args(): string[] {
  return global.Deno ? global.Deno.args : global.process?.argv.slice(2) ?? [];
}

const report = await portableChecks().run({
  filter: args()[0],
  onResult: (result) =>
    console.log(
      result.ok
        ? `ok   ${result.name} (${result.ms}ms)`
        : `FAIL ${result.name}\n     ${result.error}`,
    ),
});
console.log(`runtime ${runtime()}`);
console.log(`${report.passed} passed, ${report.failed} failed`);
if (report.failed > 0 || report.passed === 0) {
  if (global.Deno) global.Deno.exit(1);
  if (global.process) global.process.exitCode = 1;
}
