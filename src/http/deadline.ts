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
import type { HttpEnv } from "./types.ts";

interface Pending {
  /** `performance.now()` after which the request has expired. */
  at: number;
  expire: () => void;
}

/**
 * Middleware that answers with `onTimeout(c)` when the rest of the chain
 * takes longer than `ms`. The work already started is not cancelled (the
 * store has no way to stop a backend call); its result is dropped.
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

  return async (c, next) => {
    let expire!: () => void;
    const expired = new Promise<true>((resolve) => {
      expire = () => resolve(true);
    });
    const entry: Pending = { at: performance.now() + ms, expire };
    pending.add(entry);
    if (ticker === undefined) {
      ticker = setInterval(tick, every);
      unref(ticker);
    }
    try {
      const late = await Promise.race([next(), expired]);
      if (late === true) c.res = onTimeout(c);
    } finally {
      pending.delete(entry);
    }
  };
}

// The interval must not keep a process alive that is otherwise done (a test,
// a server shutting down). Deno marks it with `Deno.unrefTimer`, Node and
// Bun with the timer's own `unref()`; Workers end timers with the request.
function unref(timer: ReturnType<typeof setInterval>): void {
  const deno = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } })
    .Deno;
  if (typeof timer === "number") deno?.unrefTimer?.(timer);
  else (timer as { unref?: () => void }).unref?.();
}
