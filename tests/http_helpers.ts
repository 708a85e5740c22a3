/**
 * A store, an app over it and one API token per scope, for the HTTP tests.
 *
 * @module
 */

import {
  type Backend,
  CredentialStore,
  Keyring,
  MemoryBackend,
} from "@credbox/credbox";
import {
  createApiToken,
  createApp,
  type CreateAppOptions,
  type HttpStore,
  type Scope,
} from "@credbox/credbox/http";
import type { Hono } from "hono";
import type { HttpEnv } from "../src/http/types.ts";

/** Token names, each holding the one scope it is named after. */
export const ROLES: Record<string, Scope[]> = {
  admin: ["admin"],
  lister: ["list"],
  reader: ["read"],
  writer: ["write"],
  minter: ["token"],
};

export interface Harness {
  app: Hono<HttpEnv>;
  store: CredentialStore;
  /** The bearer token of each role. */
  tokens: Record<string, string>;
  /** The access-log lines written so far. */
  lines: string[];
  /** One request as `role` (no Authorization header when undefined). */
  call(
    method: string,
    path: string,
    options?: {
      role?: string;
      json?: unknown;
      body?: BodyInit;
      headers?: Record<string, string>;
    },
  ): Promise<Response>;
}

export interface HarnessOptions extends Omit<CreateAppOptions, "tokens"> {
  backend?: Backend;
  fetch?: typeof fetch;
  /** The store's clock; the app gets it too unless `now` is given. */
  clock?: () => number;
  /** Wrap the store before the app sees it. */
  wrap?: (store: CredentialStore) => HttpStore;
}

export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const { backend, fetch, clock, wrap, ...appOptions } = options;
  const store = new CredentialStore(
    {
      backend: backend ?? new MemoryBackend(),
      keyring: await Keyring.generate(),
      namespace: "http-test",
      ...(fetch ? { fetch } : {}),
      ...(clock ? { now: clock } : {}),
    } as ConstructorParameters<typeof CredentialStore>[0],
  );
  const tokens: Record<string, string> = {};
  const entries: string[] = [];
  for (const [name, scopes] of Object.entries(ROLES)) {
    const made = createApiToken(name, scopes);
    tokens[name] = made.token;
    entries.push(made.entry);
  }
  const lines: string[] = [];
  // createApp's public type is deliberately narrow; tests read its routes.
  const app = createApp(wrap ? wrap(store) : store, {
    log: (line) => lines.push(line),
    ...appOptions,
    tokens: entries.join(","),
  }) as unknown as Hono<HttpEnv>;
  const call: Harness["call"] = (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.role) headers.authorization = `Bearer ${tokens[options.role]}`;
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] ??= "application/json";
    }
    return Promise.resolve(app.request(path, { method, headers, body }));
  };
  return { app, store, tokens, lines, call };
}

/** A credential whose access token is valid for a long time. */
export function longLived(token = "ya29.valid"): Record<string, unknown> {
  return {
    token,
    refresh_token: "1//refresh-secret",
    token_uri: "https://oauth2.googleapis.com/token",
    client_id: "123.apps.googleusercontent.com",
    client_secret: "GOCSPX-client-secret",
    scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
    expiry: "2999-01-01T00:00:00",
  };
}

/** The path of a credential id. */
export function path(id: string, suffix = ""): string {
  return `/v1/credentials/${encodeURIComponent(id)}${suffix}`;
}

/** The body of a problem response, checked to be one. */
export async function problemOf(
  res: Response,
): Promise<{ status: number; code: string; detail: string; title: string }> {
  const type = res.headers.get("content-type");
  if (type !== "application/problem+json") {
    throw new Error(`expected a problem, got ${res.status} ${type}`);
  }
  return await res.json();
}
