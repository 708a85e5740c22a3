/**
 * How the S3 backend retries: one attempt after another, each with its own
 * time limit, with jittered backoff between them. Internal: not part of
 * the public surface.
 *
 * @module
 */

import { type Backoff, backoffDelay, realSleep } from "../backoff.ts";
import { exhaustedError, isRetryable, type S3Context } from "./s3_errors.ts";
import type { CheckedS3Options } from "./s3_options.ts";

const BACKOFF: Backoff = { baseMs: 100, capMs: 2_000, random: Math.random };

/**
 * Run one attempt after another until one succeeds, fails for good, or
 * the attempts run out. Every attempt has its own time limit.
 *
 * A conditional write whose response was lost is retried like any
 * other, so it may report CONFLICT for a write that landed; the store's
 * update loop re-reads and sees it.
 *
 * @throws what a failed attempt threw when it is not retried; the error of
 * `exhaustedError` when the attempts run out.
 */
export async function runAttempts<T>(
  context: S3Context,
  limits: Pick<CheckedS3Options, "maxAttempts" | "timeoutMs">,
  attempt: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { maxAttempts, timeoutMs } = limits;
  for (let tries = 1;; tries++) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await attempt(controller.signal);
    } catch (error) {
      const timedOut = controller.signal.aborted;
      if (!timedOut && !isRetryable(error)) throw error;
      if (tries >= maxAttempts) {
        throw exhaustedError(error, context, tries, timedOut, timeoutMs);
      }
    } finally {
      clearTimeout(timer);
    }
    await realSleep(backoffDelay(BACKOFF, tries));
  }
}
