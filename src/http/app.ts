/**
 * The HTTP face of a credential store: a Hono app that hands out valid
 * access tokens to callers holding an API token, and lets operators list,
 * read, write and delete credentials. Refresh tokens and client secrets
 * never leave it except through the `read` scope.
 *
 * The app is Web-standard: `app.fetch` is what `Deno.serve`, a Workers
 * module or a Bun server takes.
 *
 * @example Serve a store on Deno
 * ```ts ignore
 * import { storeFromEnv } from "@credbox/credbox";
 * import { createApp } from "@credbox/credbox/http";
 *
 * const app = createApp(await storeFromEnv());
 * Deno.serve(app.fetch);
 * ```
 *
 * @module
 */

import { Hono } from "hono";
import { CredboxError } from "../errors.ts";
import { typeName } from "../id.ts";
import { envValue } from "../runtime.ts";
import { authenticate, parseApiTokens, requireScope } from "./auth.ts";
import { boundary } from "./boundary.ts";
import { addCredentialRoutes } from "./credentials.ts";
import { HttpMetrics } from "./metrics.ts";
import { openApiDocument } from "./openapi.ts";
import { problem, problemFromError } from "./problem.ts";
import type { HttpEnv, HttpStore } from "./types.ts";

export type { AccessLogEntry } from "./access_log.ts";
export {
  type ApiToken,
  createApiToken,
  parseApiTokens,
  type Scope,
  SCOPES,
} from "./auth.ts";
export { MAX_BODY_BYTES } from "./credentials.ts";
export { HttpMetrics, LATENCY_BUCKETS } from "./metrics.ts";
export { openApiDocument } from "./openapi.ts";
export type { Problem, ProblemCode } from "./problem.ts";
export type { HttpEnv, HttpStore, Principal, StoreCounters } from "./types.ts";

/** Options of {@linkcode createApp}. */
export interface CreateAppOptions {
  /**
   * API tokens, `name:scope+scope:sha256hex` entries separated by commas.
   * Defaults to `CREDBOX_API_TOKENS`; with neither, every route that needs
   * a token answers 401.
   */
  tokens?: string;
  /** Receives one JSON line per request (see `AccessLogEntry`). */
  log?: (line: string) => void;
  /** The clock, epoch milliseconds; durations are measured with it. */
  now?: () => number;
  /** A request still running after this many ms gets 504. Default 30 s. */
  timeoutMs?: number;
}

/**
 * What {@linkcode createApp} returns: a Hono app, described here by the two
 * methods every runtime needs so the public type does not hang on Hono's.
 * It is a `Hono` instance all the same, and can be mounted in another app.
 *
 * @example Export it from a Workers or Bun entry
 * ```ts ignore
 * import { createApp, type CredboxApp } from "@credbox/credbox/http";
 *
 * const app: CredboxApp = createApp(store, { tokens: env.CREDBOX_API_TOKENS });
 * export default { fetch: app.fetch };
 * ```
 */
export interface CredboxApp {
  /** The Web-standard handler `Deno.serve`, Workers and Bun take. */
  fetch(
    request: Request,
    env?: unknown,
    context?: unknown,
  ): Response | Promise<Response>;
  /** Handle a request in-process: a path or URL and fetch's options. */
  request(
    input: string | URL | Request,
    init?: RequestInit,
  ): Response | Promise<Response>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The HTTP app over `store`.
 *
 * @throws {CredboxError} `INVALID_CONFIG` for a store without the methods
 * the app needs, a malformed token list (naming the entry's position, never
 * its value), or a bad option.
 *
 * @example Ask for a user's access token
 * ```ts
 * import { CredentialStore, Keyring, MemoryBackend } from "@credbox/credbox";
 * import { createApiToken, createApp } from "@credbox/credbox/http";
 *
 * const store = new CredentialStore({
 *   backend: new MemoryBackend(),
 *   keyring: await Keyring.generate(),
 * });
 * await store.save("ana@example.com", {
 *   token: "ya29.example",
 *   refresh_token: "1//example",
 *   expiry: "2999-01-01T00:00:00Z",
 * });
 * const { token, entry } = createApiToken("mcp", ["token"]);
 * const app = createApp(store, { tokens: entry });
 *
 * const res = await app.request("/v1/credentials/ana%40example.com/token", {
 *   method: "POST",
 *   headers: { authorization: `Bearer ${token}` },
 * });
 * const body = await res.json();
 * console.assert(body.access_token === "ya29.example");
 * console.assert(!("refresh_token" in body));
 * ```
 */
export function createApp(
  store: HttpStore,
  options: CreateAppOptions = {},
): CredboxApp {
  checkStore(store);
  const fromEnv = options.tokens === undefined;
  const tokens = parseApiTokens(
    (fromEnv ? envValue("CREDBOX_API_TOKENS") : options.tokens) ?? "",
    fromEnv ? "CREDBOX_API_TOKENS" : "'tokens'",
  );
  const log = checkFunction(options.log, "log");
  const now = checkFunction(options.now, "now") ??
    (() => performance.timeOrigin + performance.now());
  const timeoutMs = checkTimeout(options.timeoutMs);

  const metrics = new HttpMetrics();
  const openapi = JSON.stringify(openApiDocument());
  const app = new Hono<HttpEnv>();

  app.use(boundary({
    log,
    now,
    metrics,
    timeoutMs,
    onTimeout: (c) => problem(c, 504, "TIMEOUT", "The request took too long"),
  }));
  app.use("/v1/*", authenticate(tokens));
  app.use("/metrics", authenticate(tokens));

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/openapi.json", (c) => {
    c.header("content-type", "application/json");
    return c.body(openapi);
  });
  app.get("/metrics", requireScope("admin"), (c) => {
    c.header("content-type", "text/plain; version=0.0.4; charset=utf-8");
    return c.body(metrics.render(store.stats?.()));
  });
  addCredentialRoutes(app, store);

  app.notFound((c) =>
    problem(c, 404, "NO_ROUTE", "No route for this method and path")
  );
  app.onError((error, c) => problemFromError(error, c));
  return app;
}

function checkStore(store: unknown): asserts store is HttpStore {
  const s = store as Partial<HttpStore> | null | undefined;
  const missing = ["load", "save", "delete", "fresh"].filter((method) =>
    typeof (s as Record<string, unknown> | null)?.[method] !== "function"
  );
  if (!s || typeof s !== "object" || missing.length > 0 || !s.backend) {
    throw new CredboxError(
      "INVALID_CONFIG",
      `Cannot create app: 'store' must be a CredentialStore (missing ${
        missing.length > 0 ? missing.join(", ") : "backend"
      })`,
    );
  }
}

function checkFunction<T>(value: T | undefined, name: string): T | undefined {
  if (value === undefined || typeof value === "function") return value;
  throw new CredboxError(
    "INVALID_CONFIG",
    `Cannot create app: '${name}' must be a function, got ${typeName(value)}`,
  );
}

function checkTimeout(value: number | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
    throw new CredboxError(
      "INVALID_CONFIG",
      `Cannot create app: 'timeoutMs' must be a positive number, got ${
        typeof value === "number" ? value : typeName(value)
      }`,
    );
  }
  return value;
}
