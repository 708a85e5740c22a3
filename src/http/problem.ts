/**
 * Error responses as RFC 9457 problem details (`application/problem+json`),
 * each with a stable `code`. A `CredboxError` keeps its own code; failures
 * that only exist over HTTP (authentication, framing) have their own.
 *
 * Bodies never carry a secret: only the messages of the input-checking codes
 * are passed through, because those are written to name a rule, never a
 * value. Every other code gets a fixed sentence, since a backend's or a
 * token endpoint's message might echo something it should not.
 *
 * @module
 */

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { type CredboxErrorCode, isCredboxError } from "../errors.ts";
import type { HttpEnv } from "./types.ts";

/** Codes a problem body carries: the `CredboxError` ones and the HTTP ones. */
export type ProblemCode =
  | CredboxErrorCode
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NO_ROUTE"
  | "PAYLOAD_TOO_LARGE"
  | "TIMEOUT"
  | "INTERNAL";

/** The body of every error response. */
export interface Problem {
  /** Always `about:blank`: `title` is the HTTP status phrase. */
  type: "about:blank";
  /** The HTTP status phrase. */
  title: string;
  /** The HTTP status. */
  status: number;
  /** What went wrong, stable across releases. */
  code: ProblemCode;
  /** A sentence for people; never a secret. */
  detail: string;
  /** The `X-Request-Id` of the request, to find its access-log line. */
  request_id?: string;
}

/** The HTTP status of each `CredboxError` code. */
export const STATUS_OF_CODE: Readonly<Record<CredboxErrorCode, number>> = {
  INVALID_ID: 400,
  INVALID_CREDENTIAL: 400,
  INVALID_CONFIG: 400,
  NOT_FOUND: 404,
  CONFLICT: 412,
  REAUTH_REQUIRED: 409,
  DECRYPT_FAILED: 500,
  UNKNOWN_KEY: 500,
  REFRESH_FAILED: 502,
  BACKEND: 503,
};

// Codes whose message is written for the caller and names no secret.
const PASS_MESSAGE = new Set<CredboxErrorCode>([
  "INVALID_ID",
  "INVALID_CREDENTIAL",
  "INVALID_CONFIG",
]);

const FIXED_DETAIL: Partial<Record<CredboxErrorCode, string>> = {
  NOT_FOUND: "No credential is stored under this id",
  CONFLICT: "The precondition failed: the credential changed, exists, " +
    "or is missing",
  REAUTH_REQUIRED: "The user must authorize again: the refresh token was " +
    "rejected or there is none",
  DECRYPT_FAILED: "The stored record cannot be opened by this service",
  UNKNOWN_KEY: "The stored record cannot be opened by this service",
  REFRESH_FAILED: "The token endpoint did not refresh the access token",
  BACKEND: "The storage backend is unavailable",
};

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** A problem response; `headers` are added to it (`WWW-Authenticate`). */
export function problemResponse(
  status: number,
  code: ProblemCode,
  detail: string,
  options: { requestId?: string; headers?: Record<string, string> } = {},
): Response {
  const body: Problem = {
    type: "about:blank",
    title: TITLES[status] ?? "Error",
    status,
    code,
    detail,
  };
  if (options.requestId) body.request_id = options.requestId;
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      ...options.headers,
      "content-type": "application/problem+json",
      "cache-control": "no-store",
    },
  });
}

/** A problem response from the request's context, noted for the log. */
export function problem(
  c: Context<HttpEnv>,
  status: number,
  code: ProblemCode,
  detail: string,
  headers?: Record<string, string>,
): Response {
  c.set("problem", code);
  return problemResponse(status, code, detail, {
    requestId: c.get("requestId"),
    headers,
  });
}

/**
 * The response for anything a handler or middleware threw: a
 * `CredboxError` by its code, Hono's own exceptions by their status, and
 * anything else as a bare 500 that says nothing about its cause.
 */
export function problemFromError(
  error: unknown,
  c: Context<HttpEnv>,
): Response {
  if (isCredboxError(error)) {
    const detail = PASS_MESSAGE.has(error.code)
      ? error.message
      : FIXED_DETAIL[error.code] ?? "The request failed";
    return problem(c, STATUS_OF_CODE[error.code], error.code, detail);
  }
  if (error instanceof HTTPException) {
    // Middleware that already built its answer (bearer auth, timeout).
    if (error.res) return error.res;
    if (error.status === 400) {
      // Hono's validator says only "Malformed JSON in request body" here.
      return problem(c, 400, "BAD_REQUEST", error.message || "Bad request");
    }
    if (error.status === 413) {
      return problem(c, 413, "PAYLOAD_TOO_LARGE", "The body is too large");
    }
  }
  return problem(c, 500, "INTERNAL", "The request failed");
}
