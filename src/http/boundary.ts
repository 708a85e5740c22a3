/**
 * What every request passes through on its way in and out of the app: it
 * gets a request id and, under `/v1`, a time limit; its response gets the
 * headers every response carries; and it is counted in the metrics and
 * written to the access log.
 *
 * Hono has middleware for the first two (`requestId`, `secureHeaders`), and
 * the app used them, with a third layer for `Cache-Control` and a fourth
 * for the log. Each awaited the next, and headers were written in three
 * places (prepared, copied into the response, then set on it). Folding the
 * four into this one layer, which sets every header once on the finished
 * response, took the cached token route from about 93 to 65 µs of CPU in
 * the service (interleaved runs on a busy machine; see docs/http.md,
 * Speed). The time limit is called from here too, one dispatch fewer. The
 * rules are Hono's: the same id check, and the headers and values
 * `secureHeaders` sent with the options the app gave it.
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { accessLog } from "./access_log.ts";
import { deadline } from "./deadline.ts";
import type { HttpMetrics } from "./metrics.ts";
import type { HttpEnv } from "./types.ts";

/** Options of {@linkcode boundary}. */
export interface BoundaryOptions {
  /** Receives one JSON line per request; none when absent. */
  log?: (line: string) => void;
  /** The clock, epoch milliseconds. */
  now: () => number;
  /** Where each request is counted. */
  metrics: HttpMetrics;
  /** The time limit of a request under `/v1`, in milliseconds. */
  timeoutMs: number;
  /** The answer to a request that ran out of time. */
  onTimeout: (c: Context<HttpEnv>) => Response;
}

/**
 * Headers on every response. Only those that matter to an API answering
 * JSON (OWASP's REST list): the others guide browsers rendering pages.
 */
export const SECURE_HEADERS: readonly (readonly [string, string])[] = [
  ["content-security-policy", "default-src 'none'; frame-ancestors 'none'"],
  ["referrer-policy", "no-referrer"],
  ["strict-transport-security", "max-age=15552000; includeSubDomains"],
  ["x-content-type-options", "nosniff"],
  ["x-frame-options", "DENY"],
];

/** A caller's `X-Request-Id` is kept when it is 1 to 255 of these. */
const REQUEST_ID = /^[\w=-]{1,255}$/;

/**
 * Middleware that does all of the above; put it first so it sees every
 * response, errors included.
 */
export function boundary(
  options: BoundaryOptions,
): MiddlewareHandler<HttpEnv> {
  const { now, metrics } = options;
  const write = options.log ? accessLog(options.log) : undefined;
  // Called from here rather than mounted on its own: each layer of
  // middleware costs a dispatch and a promise on every request.
  const limit = deadline(options.timeoutMs, options.onTimeout);

  return async (c, next) => {
    const start = now();
    const given = c.req.header("x-request-id");
    const id = given !== undefined && REQUEST_ID.test(given)
      ? given
      : crypto.randomUUID();
    c.set("requestId", id);

    const v1 = underV1(c.req.path);
    if (v1) await limit(c, next);
    else await next();

    const res = c.res;
    const headers = res.headers;
    headers.set("x-request-id", id);
    for (const [name, value] of SECURE_HEADERS) headers.set(name, value);
    // Everything under /v1 may carry a credential or a token.
    if (v1) headers.set("cache-control", "no-store");

    const ms = Math.max(0, now() - start);
    const method = c.req.method;
    const route = routeLabel(c);
    metrics.observe(method, route, res.status, ms / 1000);
    write?.(c, method, route, start, ms);
  };
}

// What Hono's "/v1/*" matches.
function underV1(path: string): boolean {
  return path.startsWith("/v1/") || path === "/v1";
}

// The last route matched is the handler's; when it is a wildcard, only
// middleware matched and no route served the request.
function routeLabel(c: Context<HttpEnv>): string {
  const path = routePath(c, -1);
  return path === "" || path.endsWith("*") ? "unmatched" : path;
}
