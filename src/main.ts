/**
 * The credbox service: `deno task serve`.
 *
 * Configured by `CREDBOX_STORE`, `CREDBOX_KEYS`, `CREDBOX_NAMESPACE`,
 * `CREDBOX_API_TOKENS`, `PORT` and `CREDBOX_HOSTNAME`. With neither a store
 * nor keys it runs from `./.credbox/`: records in an fs backend, a keyring
 * generated on the first start, and an admin API token whose hash is kept
 * there and which is printed once. Startup problems name the variable at
 * fault, never its value.
 *
 * The access log (one JSON line per request) goes to stdout, in batches;
 * everything else the service says goes to stderr.
 *
 * A Workers or Bun entry needs none of this file: build the store from its
 * bindings and export `{ fetch: createApp(store, { tokens }).fetch }`.
 *
 * @module
 */

import { FsBackend } from "./backends/fs.ts";
import { MemoryBackend } from "./backends/memory.ts";
import { Keyring } from "./crypto/keyring.ts";
import { CredboxError, isCredboxError } from "./errors.ts";
import { createApiToken, createApp, parseApiTokens } from "./http/app.ts";
import { openStore } from "./open.ts";
import { type EnvSource, envValue } from "./runtime.ts";
import { CredentialStore } from "./store.ts";

const LOCAL_DIR = ".credbox";
const DEFAULT_PORT = 8000;
const DEFAULT_HOSTNAME = "127.0.0.1";

interface Service {
  store: CredentialStore;
  tokens: string;
  port: number;
  hostname: string;
  /** What to tell the operator before listening. */
  notes: string[];
}

function fail(message: string): never {
  throw new CredboxError("INVALID_CONFIG", message);
}

function set(env: EnvSource, name: string): string | undefined {
  const value = envValue(name, env)?.trim();
  return value === "" ? undefined : value;
}

function port(env: EnvSource): number {
  const text = set(env, "PORT");
  if (text === undefined) return DEFAULT_PORT;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) {
    fail("PORT must be an integer from 0 to 65535");
  }
  return n;
}

function namespace(env: EnvSource, keyring: Keyring): string | undefined {
  const value = set(env, "CREDBOX_NAMESPACE");
  if (value === undefined) return undefined;
  try {
    // The store's own check, run on a throwaway so the rule stays in one
    // place; its message quotes the value, so it is not passed on.
    new CredentialStore({
      backend: new MemoryBackend(),
      keyring,
      namespace: value,
    });
  } catch {
    fail(
      "CREDBOX_NAMESPACE must be 1 to 128 characters of A-Z a-z 0-9 . _ : / @ -",
    );
  }
  return value;
}

/** Configuration from the environment: a store and its API tokens. */
async function configure(env: EnvSource): Promise<Service> {
  const url = set(env, "CREDBOX_STORE");
  const keys = set(env, "CREDBOX_KEYS");
  const tokens = set(env, "CREDBOX_API_TOKENS");
  const common = {
    port: port(env),
    hostname: set(env, "CREDBOX_HOSTNAME") ?? DEFAULT_HOSTNAME,
  };

  if (url === undefined && keys === undefined) return await local(env, common);
  if (url === undefined) {
    fail(
      "CREDBOX_KEYS is set but CREDBOX_STORE is not: say where records live (s3://bucket/prefix, file:///path)",
    );
  }
  if (keys === undefined) {
    fail(
      "CREDBOX_STORE is set but CREDBOX_KEYS is not: records cannot be sealed without keys",
    );
  }
  if (tokens === undefined) {
    fail("CREDBOX_API_TOKENS is not set: no caller could use the service");
  }

  parseApiTokens(tokens, "CREDBOX_API_TOKENS");
  const keyring = await Keyring.fromEnv(env);
  const ns = namespace(env, keyring);
  let store: CredentialStore;
  try {
    store = await openStore(url, { keyring, namespace: ns, env });
  } catch (error) {
    if (isCredboxError(error)) fail(`CREDBOX_STORE: ${error.message}`);
    throw error;
  }
  return { store, tokens, ...common, notes: [] };
}

/** The zero-configuration default under `./.credbox/`. */
async function local(
  env: EnvSource,
  common: { port: number; hostname: string },
): Promise<Service> {
  if (set(env, "DENO_DEPLOYMENT_ID") !== undefined) {
    fail(
      "Deno Deploy has no disk for the local default: set CREDBOX_STORE, CREDBOX_KEYS and CREDBOX_API_TOKENS",
    );
  }
  const notes: string[] = [];
  const dir = `${Deno.cwd()}/${LOCAL_DIR}`;
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode passes through the umask; the folder holds the keys.
  if (Deno.build.os !== "windows") await Deno.chmod(dir, 0o700);

  const keysFile = `${dir}/keys`;
  const made = await createOnce(keysFile, () => Keyring.newEntry() + "\n");
  if (made) {
    notes.push(
      `created ${LOCAL_DIR}/keys: keep it, records do not open without it`,
    );
  }
  let keyring: Keyring;
  try {
    keyring = await Keyring.parse((await Deno.readTextFile(keysFile)).trim());
  } catch (error) {
    if (isCredboxError(error)) fail(`${LOCAL_DIR}/keys: ${error.message}`);
    throw error;
  }

  let tokens = set(env, "CREDBOX_API_TOKENS");
  if (tokens !== undefined) parseApiTokens(tokens, "CREDBOX_API_TOKENS");
  else {
    const tokensFile = `${dir}/api_tokens`;
    let secret = "";
    await createOnce(tokensFile, () => {
      const { token, entry } = createApiToken("admin", ["admin"]);
      secret = token;
      return entry + "\n";
    });
    if (secret) {
      notes.push(
        "admin API token, shown only this once (its hash is in " +
          `${LOCAL_DIR}/api_tokens):\n\n    ${secret}\n`,
      );
    }
    tokens = (await Deno.readTextFile(tokensFile)).trim();
    parseApiTokens(tokens, `${LOCAL_DIR}/api_tokens`);
  }

  const store = new CredentialStore({
    backend: new FsBackend({ dir: `${dir}/records` }),
    keyring,
    namespace: namespace(env, keyring),
  });
  notes.push(
    `local store in ${LOCAL_DIR}/ (set CREDBOX_STORE and CREDBOX_KEYS to use another)`,
  );
  return { store, tokens, ...common, notes };
}

/** Write `path` (0600) unless it exists; true when this call wrote it. */
async function createOnce(
  path: string,
  contents: () => string,
): Promise<boolean> {
  try {
    await Deno.stat(path);
    return false;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  try {
    // createNew: a second service starting beside this one keeps the file
    // the first wrote instead of replacing its keys.
    await Deno.writeTextFile(path, contents(), {
      createNew: true,
      mode: 0o600,
    });
    if (Deno.build.os !== "windows") await Deno.chmod(path, 0o600);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
  }
}

/**
 * Access-log lines for stdout, written in batches: one write per burst of
 * requests rather than one per line, which under load cost as much as the
 * token route itself. A line waits at most `FLUSH_MS`.
 */
function batchedLines(): { log: (line: string) => void; flush: () => void } {
  const encoder = new TextEncoder();
  let pending: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const bytes = encoder.encode(pending.join("\n") + "\n");
    pending = [];
    for (let at = 0; at < bytes.length;) {
      at += Deno.stdout.writeSync(bytes.subarray(at));
    }
  };
  const log = (line: string) => {
    pending.push(line);
    if (pending.length >= FLUSH_LINES) flush();
    else timer ??= setTimeout(flush, FLUSH_MS);
  };
  return { log, flush };
}

const FLUSH_MS = 50;
const FLUSH_LINES = 512;

async function main(): Promise<void> {
  const say = (line: string) => console.error(`credbox: ${line}`);
  const lines = batchedLines();
  let service: Service;
  let app: ReturnType<typeof createApp>;
  try {
    service = await configure(Deno.env.toObject());
    app = createApp(service.store, { tokens: service.tokens, log: lines.log });
  } catch (error) {
    if (!isCredboxError(error)) throw error;
    say(`cannot start: ${error.message}`);
    Deno.exit(1);
  }
  for (const note of service.notes) say(note);

  const server = Deno.serve({
    port: service.port,
    hostname: service.hostname,
    onListen: ({ hostname, port }) =>
      say(`listening on http://${hostname}:${port}/`),
  }, app.fetch);

  let stopping = false;
  const stop = () => {
    // A second signal means "now": skip waiting for open requests.
    if (stopping) {
      lines.flush();
      Deno.exit(130);
    }
    stopping = true;
    say("shutting down");
    server.shutdown();
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const signal of signals) {
    try {
      Deno.addSignalListener(signal, stop);
    } catch {
      // Windows has no SIGTERM, Deno Deploy no signals: nothing to listen to.
    }
  }
  await server.finished;
  lines.flush();
  for (const signal of signals) {
    try {
      Deno.removeSignalListener(signal, stop);
    } catch {
      // Never added.
    }
  }
  say("stopped");
}

if (import.meta.main) await main();
