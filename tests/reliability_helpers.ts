/**
 * What the reliability tests share: a seeded random source, the switch
 * between the default (CI) and long variants, and the report line each
 * test prints when asked to.
 *
 * Long variants run with `CREDBOX_LONG=1`; figures are printed with
 * `CREDBOX_REPORT=1` (or in a long run), one JSON line per test, which is
 * what docs/reliability.md quotes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CredboxError, type CredboxErrorCode } from "../src/errors.ts";

const env = (name: string): string | undefined => {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
};

/** True when the long variants were asked for. */
export const LONG: boolean = env("CREDBOX_LONG") === "1";

/** `short` in the default run, `long` with `CREDBOX_LONG=1`. */
export function bound<T>(short: T, long: T): T {
  return LONG ? long : short;
}

/**
 * The seed of this run: `CREDBOX_SEED` when set (to replay one), else a
 * fresh one, which every failure message names.
 */
export function runSeed(): number {
  const given = env("CREDBOX_SEED");
  if (given !== undefined && /^\d+$/.test(given)) return Number(given);
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

/** A small seeded generator of numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Print one test's figures as a JSON line, when reports are asked for. */
export function report(test: string, figures: Record<string, unknown>): void {
  if (LONG || env("CREDBOX_REPORT") === "1") {
    console.log(JSON.stringify({ test, long: LONG, ...figures }));
  }
}

/**
 * The code of `error` when it is a `CredboxError` with one of `allowed`;
 * anything else fails the test, naming what escaped.
 */
export function expectCode(
  error: unknown,
  allowed: readonly CredboxErrorCode[],
  what: string,
): CredboxErrorCode {
  if (!(error instanceof CredboxError)) {
    const name = error instanceof Error ? error.name : typeof error;
    const message = error instanceof Error ? error.message : String(error);
    assert.fail(`${what}: an untyped ${name} escaped: ${message}`);
  }
  assert.ok(
    allowed.includes(error.code),
    `${what}: unexpected ${error.code}: ${error.message}`,
  );
  return error.code;
}

/** Percentile `p` (0 to 100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}
