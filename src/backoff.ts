/**
 * Jittered exponential backoff, shared by `update()` and token refresh.
 *
 * @module
 */

/** How long a retry waits, and with what sources of time and chance. */
export interface Backoff {
  /** The first delay's upper bound, in milliseconds. */
  baseMs: number;
  /** No delay is longer than this, in milliseconds. */
  capMs: number;
  /** A number in [0, 1); `Math.random` unless injected. */
  random: () => number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry): a random
 * point in [0, min(cap, base × 2^(attempt − 1))]. "Full jitter" spreads
 * writers that lost the same race, so they do not collide again in step.
 *
 * @example
 * ```ts
 * import { backoffDelay } from "./backoff.ts";
 *
 * const delay = backoffDelay({ baseMs: 10, capMs: 100, random: () => 0.5 }, 3);
 * console.assert(delay === 20);
 * ```
 */
export function backoffDelay(backoff: Backoff, attempt: number): number {
  const ceiling = Math.min(
    backoff.capMs,
    backoff.baseMs * 2 ** Math.min(attempt - 1, 30),
  );
  return Math.floor(backoff.random() * ceiling);
}

/**
 * Wait `ms` with the real clock: the default of every injectable sleep.
 *
 * @example
 * ```ts
 * import { realSleep } from "./backoff.ts";
 *
 * await realSleep(0);
 * ```
 */
export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
