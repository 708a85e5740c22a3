/**
 * A time limit on each request, kept by one shared timer.
 *
 * Hono's `timeout` middleware arms a timer per request. Under Deno, code
 * loaded from npm gets Node's timer implementation, and on the token route
 * arming and clearing that timer took about a tenth of the request's CPU
 * time. Here each request only joins a set; one interval, running only
 * while requests are pending, expires those past their deadline. A request
 * is cut off between `ms` and `ms` plus a tenth of it (at most one second)
 * after it began. The interval stops by itself once nothing is pending.
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import { unrefTimer } from "../runtime.ts";
import type { HttpEnv } from "./types.ts";

interface Pending {
  /** `performance.now()` after which the request has expired. */
  at: number;
  expire: () => void;
}

/**
 * Middleware that answers with `onTimeout(c)` when the rest of the chain
 * takes longer than `ms`. The work already started is not cancelled (the
 * store has no way to stop a backend call); its result is dropped. The app
 * calls it from its boundary middleware rather than mounting it.
 */
export function deadline(
  ms: number,
  onTimeout: (c: Context<HttpEnv>) => Response,
): MiddlewareHandler<HttpEnv> {
  const pending = new Set<Pending>();
  const every = Math.min(1000, Math.max(5, ms / 10));
  let ticker: ReturnType<typeof setInterval> | undefined;

  const tick = () => {
    const now = performance.now();
    for (const entry of pending) {
      if (entry.at <= now) {
        pending.delete(entry);
        entry.expire();
      }
    }
    if (pending.size === 0) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };

  // One promise per request, settled by whichever comes first: the rest of
  // the chain or the ticker. (An async function racing a second promise
  // against the chain made three promises a request, and Promise.race more.)
  return (c, next) =>
    new Promise<void>((resolve, reject) => {
      const entry: Pending = {
        at: performance.now() + ms,
        expire: () => {
          c.res = onTimeout(c);
          resolve();
        },
      };
      pending.add(entry);
      if (ticker === undefined) {
        ticker = setInterval(tick, every);
        // Pending requests keep a server alive, not this timer.
        unrefTimer(ticker);
      }
      next().then(() => {
        pending.delete(entry);
        resolve();
      }, (error) => {
        pending.delete(entry);
        reject(error);
      });
    });
}
