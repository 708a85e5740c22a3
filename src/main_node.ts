/**
 * The credbox service on Node 20+ and on Bun: the HTTP app over a store
 * configured by the environment, served by `Bun.serve` on Bun and by
 * `@hono/node-server` on Node. Build it with
 * `deno run -A tools/runtimes.ts build`, then run `build/credbox_node.mjs`.
 *
 * Configured by `CREDBOX_STORE` (`s3://bucket/prefix` or `memory:`),
 * `CREDBOX_KEYS`, `CREDBOX_API_TOKENS`, optionally `CREDBOX_NAMESPACE`,
 * `PORT` (8000) and `CREDBOX_HOSTNAME` (127.0.0.1); S3 credentials come
 * from the AWS SDK's usual chain (environment, files, roles). Unlike
 * `src/main.ts` there is no zero-configuration local default and no
 * `file:` store: the fs backend is written against Deno's file API.
 *
 * The access log (one JSON line per request) goes to stdout; everything
 * else goes to stderr. Startup problems name the variable at fault, never
 * its value.
 *
 * @module
 */

import process from "node:process";
import { setInterval, setTimeout } from "node:timers";
import { CredboxError, isCredboxError } from "./errors.ts";
import { createApp } from "./http/app.ts";
import { storeFromEnv } from "./open.ts";
import type { EnvSource } from "./runtime.ts";

/** What this file uses of Bun's global, when it runs on Bun. */
interface BunLike {
  serve(options: {
    port: number;
    hostname: string;
    fetch: (request: Request) => Response | Promise<Response>;
  }): { port: number; stop(closeActive?: boolean): unknown };
}

/** What this file uses of a `node:http` server, beyond `close()`. */
interface NodeHttpServer {
  closeIdleConnections?: () => void;
  closeAllConnections?: () => void;
}

interface Listening {
  port: number;
  close(): void;
}

const DEFAULT_PORT = 8000;
const DEFAULT_HOSTNAME = "127.0.0.1";
/** How long requests in flight may take to finish after a stop signal. */
const GRACE_MS = 10_000;

const say = (line: string) => console.error(`credbox: ${line}`);

function fail(message: string): never {
  throw new CredboxError("INVALID_CONFIG", message);
}

function set(env: EnvSource, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === "" ? undefined : value;
}

function portOf(env: EnvSource): number {
  const text = set(env, "PORT");
  if (text === undefined) return DEFAULT_PORT;
  if (!/^\d+$/.test(text) || Number(text) > 65535) {
    fail("PORT must be an integer from 0 to 65535");
  }
  return Number(text);
}

async function appFrom(env: EnvSource): Promise<ReturnType<typeof createApp>> {
  const url = set(env, "CREDBOX_STORE");
  if (url === undefined) {
    fail("CREDBOX_STORE is not set: give s3://bucket/prefix or memory:");
  }
  if (url !== "memory:" && !url.startsWith("s3://")) {
    fail(
      "CREDBOX_STORE must be s3://bucket/prefix or memory: (file stores need Deno: use src/main.ts)",
    );
  }
  if (set(env, "CREDBOX_KEYS") === undefined) {
    fail("CREDBOX_KEYS is not set: records cannot be sealed without keys");
  }
  const tokens = set(env, "CREDBOX_API_TOKENS");
  if (tokens === undefined) {
    fail("CREDBOX_API_TOKENS is not set: no caller could use the service");
  }
  const store = await storeFromEnv(env);
  return createApp(store, { tokens, log: (line) => console.log(line) });
}

async function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
  hostname: string,
): Promise<Listening> {
  const bun = (globalThis as { Bun?: BunLike }).Bun;
  if (bun) {
    const server = bun.serve({ port, hostname, fetch });
    return { port: server.port, close: () => server.stop() };
  }
  const { serve } = await import("@hono/node-server");
  return await new Promise((resolve) => {
    const server = serve(
      { fetch, port, hostname },
      (info) =>
        resolve({
          port: info.port,
          close: () => {
            server.close();
            // Keep-alive connections hold the process open even when idle:
            // close those idle now and those that fall idle later. A client
            // stalled mid-body (after a 413, say) gets the grace period.
            const http = server as NodeHttpServer;
            http.closeIdleConnections?.();
            setInterval(() => http.closeIdleConnections?.(), 200).unref();
            setTimeout(() => http.closeAllConnections?.(), GRACE_MS).unref();
          },
        }),
    );
  });
}

async function main(): Promise<void> {
  const env = process.env as EnvSource;
  let app: ReturnType<typeof createApp>;
  let port: number;
  try {
    port = portOf(env);
    app = await appFrom(env);
  } catch (error) {
    if (!isCredboxError(error)) throw error;
    say(`cannot start: ${error.message}`);
    process.exit(1);
  }
  const hostname = set(env, "CREDBOX_HOSTNAME") ?? DEFAULT_HOSTNAME;
  const server = await listen(app.fetch, port, hostname);
  say(`listening on http://${hostname}:${server.port}/`);

  let stopping = false;
  const stop = () => {
    // A second signal means "now": skip waiting for open requests.
    if (stopping) process.exit(130);
    stopping = true;
    say("shutting down");
    server.close();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

await main();
