/**
 * The smallest test harness every runtime can run: checks are registered
 * with {@linkcode Checks.test} and run one after another by
 * {@linkcode Checks.run}, which never throws. Assertions come from
 * `node:assert/strict`, which Deno, Node, Bun and workerd (with
 * `nodejs_compat`) all provide, so a check reads like a Deno test.
 *
 * @module
 */

/** A check: passes when it resolves, fails when it throws or rejects. */
export type CheckFn = () => Promise<void> | void;

/** Registers one check; what the shared suites are written against. */
export type Register = (name: string, fn: CheckFn) => void;

/** The outcome of one check. */
export interface CheckResult {
  /** The check's name. */
  name: string;
  /** Whether it passed. */
  ok: boolean;
  /** How long it took, in milliseconds. */
  ms: number;
  /** The first line of the failure, when it failed. */
  error?: string;
}

/** The outcome of a whole run. */
export interface RunReport {
  /** How many checks passed. */
  passed: number;
  /** How many checks failed. */
  failed: number;
  /** Every check, in the order it ran. */
  results: CheckResult[];
}

/**
 * A list of named checks, run in order.
 *
 * @example Register and run
 * ```ts
 * import assert from "node:assert/strict";
 * import { Checks } from "./harness.ts";
 *
 * const checks = new Checks();
 * checks.test("one plus one", () => assert.equal(1 + 1, 2));
 * const report = await checks.run();
 * assert.equal(report.passed, 1);
 * ```
 */
export class Checks {
  readonly #checks: { name: string; fn: CheckFn }[] = [];

  /** Add a check; names must be unique so reports stay readable. */
  test: Register = (name, fn) => {
    if (this.#checks.some((check) => check.name === name)) {
      throw new TypeError(`Cannot register check: '${name}' exists`);
    }
    this.#checks.push({ name, fn });
  };

  /** The names of the registered checks, in order. */
  get names(): string[] {
    return this.#checks.map((check) => check.name);
  }

  /**
   * Run every check whose name contains `filter` (all when omitted),
   * calling `onResult` after each one.
   */
  async run(
    options: { filter?: string; onResult?: (result: CheckResult) => void } = {},
  ): Promise<RunReport> {
    const results: CheckResult[] = [];
    for (const { name, fn } of this.#checks) {
      if (options.filter && !name.includes(options.filter)) continue;
      const started = performance.now();
      let error: string | undefined;
      try {
        await fn();
      } catch (thrown) {
        error = describe(thrown);
      }
      const result: CheckResult = {
        name,
        ok: error === undefined,
        // workerd freezes its clock while code runs: a zero here is normal.
        ms: Math.round(performance.now() - started),
        ...(error === undefined ? {} : { error }),
      };
      results.push(result);
      options.onResult?.(result);
    }
    const passed = results.filter((result) => result.ok).length;
    return { passed, failed: results.length - passed, results };
  }
}

/** One line: assertion diffs span several, and reports keep one a check. */
function describe(thrown: unknown): string {
  const text = thrown instanceof Error
    ? `${thrown.name}: ${thrown.message}`
    : String(thrown);
  const lines = text.split("\n").map((line) => line.trim()).filter(Boolean);
  const line = lines.slice(0, 6).join(" / ");
  return line.length > 400 ? `${line.slice(0, 399)}…` : line;
}
