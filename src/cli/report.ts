/**
 * Counting outcomes and comparing credentials, for the commands that walk
 * every record or file.
 *
 * @module
 */

/**
 * Counts per outcome, printed in a fixed order as `2 imported, 1 failed`.
 *
 * @example
 * ```ts
 * import { Tally } from "./report.ts";
 *
 * const tally = new Tally(["ok", "failed"]);
 * tally.add("ok");
 * tally.add("ok");
 * console.assert(String(tally) === "2 ok, 0 failed");
 * ```
 */
export class Tally {
  readonly #counts = new Map<string, number>();

  /** Start every outcome in `order` at zero. */
  constructor(order: readonly string[]) {
    for (const name of order) this.#counts.set(name, 0);
  }

  /** Count one more of `name`. */
  add(name: string): void {
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
  }

  /** How many of `name`. */
  count(name: string): number {
    return this.#counts.get(name) ?? 0;
  }

  /** How many in all. */
  get total(): number {
    let sum = 0;
    for (const n of this.#counts.values()) sum += n;
    return sum;
  }

  /** `2 imported, 1 failed`. */
  toString(): string {
    return [...this.#counts].map(([name, n]) => `${n} ${name}`).join(", ");
  }
}

/**
 * JSON with object keys sorted at every level, so two credentials compare
 * equal when they hold the same fields and values in any order.
 *
 * @example
 * ```ts
 * import { canonicalJson } from "./report.ts";
 *
 * console.assert(canonicalJson({ b: 1, a: [2] }) === canonicalJson({ a: [2], b: 1 }));
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner) => {
    if (inner === null || typeof inner !== "object" || Array.isArray(inner)) {
      return inner;
    }
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort()) sorted[key] = inner[key];
    return sorted;
  });
}
