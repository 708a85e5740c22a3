/**
 * One JSON line per request, and the request's entry in the metrics.
 *
 * A line holds the method, the route pattern (never the raw path, which
 * carries the credential id), the status, the duration, the request id, the
 * API token's name and the credential id hashed: enough to trace a request,
 * nothing that could be replayed or that names a user outright.
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { sha256, toHex } from "./auth.ts";
import type { HttpMetrics } from "./metrics.ts";
import type { HttpEnv } from "./types.ts";

/** One access-log line, before it is serialized. */
export interface AccessLogEntry {
  /** When the request arrived, ISO 8601 UTC. */
  time: string;
  /** The HTTP method. */
  method: string;
  /** The route pattern that served it, or `unmatched`. */
  route: string;
  /** The response status. */
  status: number;
  /** Milliseconds from arrival to the response. */
  duration_ms: number;
  /** The `X-Request-Id` sent back with the response. */
  request_id: string;
  /** The API token's name, when one was verified. */
  token?: string;
  /** The first 16 hex digits of the SHA-256 of the credential id. */
  credential?: string;
  /** The problem code of an error response. */
  code?: string;
}

/** Options of {@linkcode observeRequests}. */
export interface ObserveOptions {
  /** Receives one JSON line per request; none when absent. */
  log?: (line: string) => void;
  /** The clock, epoch milliseconds. */
  now: () => number;
  /** Where each request is counted. */
  metrics: HttpMetrics;
}

// Ids repeat (the same users ask again and again), so recent hashes are
// kept. Cleared when full rather than evicted one by one: a miss costs only
// one digest.
const HASH_MEMO_LIMIT = 4096;

/**
 * Middleware that logs and counts every request; put it first so it sees
 * every response, errors included.
 */
export function observeRequests(
  options: ObserveOptions,
): MiddlewareHandler<HttpEnv> {
  const { log, now, metrics } = options;
  const hashes = new Map<string, string>();

  const hashId = (id: string): string => {
    let hash = hashes.get(id);
    if (hash === undefined) {
      hash = toHex(sha256(id)).slice(0, 16);
      if (hashes.size >= HASH_MEMO_LIMIT) hashes.clear();
      hashes.set(id, hash);
    }
    return hash;
  };

  return async (c, next) => {
    const start = now();
    await next();
    const ms = Math.max(0, now() - start);
    const route = routeLabel(c);
    metrics.observe(c.req.method, route, c.res.status, ms / 1000);
    if (!log) return;

    const entry: AccessLogEntry = {
      time: new Date(start).toISOString(),
      method: c.req.method,
      route,
      status: c.res.status,
      duration_ms: Math.round(ms * 1000) / 1000,
      request_id: c.get("requestId"),
    };
    const principal = c.get("principal");
    if (principal) entry.token = principal.name;
    const id = c.get("credentialId");
    if (id !== undefined) entry.credential = hashId(id);
    const code = c.get("problem");
    if (code) entry.code = code;
    log(JSON.stringify(entry));
  };
}

// The last route matched is the handler's; when it is a wildcard, only
// middleware matched and no route served the request.
function routeLabel(c: Context<HttpEnv>): string {
  const path = routePath(c, -1);
  return path === "" || path.endsWith("*") ? "unmatched" : path;
}
