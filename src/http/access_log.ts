/**
 * One JSON line per request.
 *
 * A line holds the method, the route pattern (never the raw path, which
 * carries the credential id), the status, the duration, the request id, the
 * API token's name and the credential id hashed: enough to trace a request,
 * nothing that could be replayed or that names a user outright.
 *
 * @module
 */

import type { Context } from "hono";
import { toHex } from "./auth.ts";
import { sha256 } from "./sha256.ts";
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

/** Writes the line of one finished request. */
export type AccessLogWriter = (
  c: Context<HttpEnv>,
  method: string,
  route: string,
  start: number,
  ms: number,
) => void;

// Ids repeat (the same users ask again and again), so recent hashes are
// kept. Cleared when full rather than evicted one by one: a miss costs only
// one digest.
const HASH_MEMO_LIMIT = 4096;

/**
 * A writer of {@linkcode AccessLogEntry} lines to `log`, for requests that
 * began at `start` (epoch ms) and took `ms`.
 */
export function accessLog(log: (line: string) => void): AccessLogWriter {
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

  // Under load many requests start within one millisecond, and
  // toISOString() takes about 1 µs (deno bench), as long as the rest of the
  // line: the time is formatted once per millisecond.
  let isoOf = NaN;
  let iso = "";

  return (c, method, route, start, ms) => {
    const whole = Math.trunc(start);
    if (whole !== isoOf) {
      iso = new Date(whole).toISOString();
      isoOf = whole;
    }
    const entry: AccessLogEntry = {
      time: iso,
      method,
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
