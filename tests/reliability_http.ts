/**
 * The HTTP app as the reliability tests drive it: a store, the app over
 * it, one API token per scope, and every access-log line kept.
 *
 * @module
 */

import {
  type Backend,
  CredentialStore,
  Keyring,
  MemoryBackend,
  type StoreOptions,
} from "../mod.ts";
import { createApiToken, createApp, type Scope } from "../src/http/app.ts";

/** One token per scope, named after it. */
export const SCOPE_ROLES: readonly Scope[] = [
  "list",
  "read",
  "write",
  "token",
  "admin",
];

/** What {@linkcode serviceUnderTest} returns. */
export interface Service {
  app: ReturnType<typeof createApp>;
  store: CredentialStore;
  /** The bearer token of each scope. */
  tokens: Record<Scope, string>;
  /** The `CREDBOX_API_TOKENS` text the app was given. */
  entries: string;
  /** Every access-log line so far. */
  log: string[];
}

/** A store on `backend` (memory by default) and the app over it. */
export async function serviceUnderTest(
  options: { backend?: Backend; keys?: string } & Partial<StoreOptions> = {},
): Promise<Service> {
  const { backend, keys, ...rest } = options;
  const store = new CredentialStore({
    backend: backend ?? new MemoryBackend(),
    keyring: keys ? await Keyring.parse(keys) : await Keyring.generate(),
    namespace: "reliability",
    ...rest,
  });
  const tokens = {} as Record<Scope, string>;
  const entries: string[] = [];
  for (const scope of SCOPE_ROLES) {
    // Awaited so this works whether token creation is sync or async.
    const made = await createApiToken(`as-${scope}`, [scope]);
    tokens[scope] = made.token;
    entries.push(made.entry);
  }
  const log: string[] = [];
  const app = createApp(store, {
    tokens: entries.join(","),
    log: (line) => log.push(line),
  });
  return { app, store, tokens, entries: entries.join(","), log };
}

/** The URL path of a credential id, with an optional suffix. */
export function credentialPath(id: string, suffix = ""): string {
  return `/v1/credentials/${encodeURIComponent(id)}${suffix}`;
}
