/**
 * Shared set-up for the command line's tests: a store in a temp folder or
 * on a fake S3, and `cli()` to run a command in-process and capture what
 * it prints.
 *
 * @module
 */

import { CredentialStore, Keyring } from "../mod.ts";
import { run } from "../src/cli.ts";
import { backendForUrl } from "../src/cli/config.ts";
import type { CliIo } from "../src/cli/io.ts";
import { createFakeS3, type FakeS3 } from "../src/testing/mod.ts";

/** What one command did. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A place for a store, and the environment that points at it. */
export interface Harness {
  /** `"fs"` or `"s3"`, for test names. */
  kind: string;
  env: Record<string, string>;
  /** The fake S3, for S3 harnesses. */
  s3?: FakeS3;
  /** Run a command with this environment; `io` adds to or replaces it. */
  cli(args: string[], io?: CliIo): Promise<CliResult>;
  /** A store over the same backend, with `keys` (default: the env's). */
  store(keys?: string): Promise<CredentialStore>;
  /** Remove what the harness made. */
  close(): Promise<void>;
}

export const K1 = Keyring.newEntry("k1");
export const K2 = Keyring.newEntry("k2");

/** Run a command line with `io`, capturing both streams. */
export async function cli(args: string[], io: CliIo = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await run(args, {
    env: {},
    stdin: () => Promise.reject(new Error("no stdin in this test")),
    ...io,
    stdout: (text) => stdout += text,
    stderr: (text) => {
      stderr += text;
      io.stderr?.(text);
    },
  });
  return { code, stdout, stderr };
}

function harness(
  kind: string,
  env: Record<string, string>,
  close: () => Promise<void>,
  s3?: FakeS3,
): Harness {
  return {
    kind,
    env,
    s3,
    cli: (args, io = {}) =>
      cli(args, { fetch: s3?.fetch, ...io, env: { ...env, ...io.env } }),
    store: async (keys = env.CREDBOX_KEYS) =>
      new CredentialStore({
        backend: await backendForUrl(env.CREDBOX_STORE, env, s3?.fetch),
        keyring: await Keyring.parse(keys),
        namespace: env.CREDBOX_NAMESPACE,
      }),
    close,
  };
}

/** A store in a fresh temp folder, keyring `keys`. */
export async function fsHarness(keys = K1): Promise<Harness> {
  const dir = await Deno.makeTempDir({ prefix: "credbox-cli-" });
  return harness(
    "fs",
    {
      CREDBOX_STORE: `file://${dir}/store`,
      CREDBOX_KEYS: keys,
      CREDBOX_NAMESPACE: "workspace-mcp",
      TMP: dir,
    },
    () => Deno.remove(dir, { recursive: true }),
  );
}

/** A store under `s3://creds/prod/` on a fresh fake S3. */
export function s3Harness(keys = K1): Promise<Harness> {
  const s3 = createFakeS3();
  return Promise.resolve(harness(
    "s3",
    {
      CREDBOX_STORE: "s3://creds/prod/",
      CREDBOX_KEYS: keys,
      CREDBOX_NAMESPACE: "workspace-mcp",
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "AKIDFAKE",
      AWS_SECRET_ACCESS_KEY: "fake-secret",
    },
    () => Promise.resolve(),
    s3,
  ));
}

/** Both harness kinds, for tests that run on each. */
export const HARNESSES: ReadonlyArray<
  [string, (keys?: string) => Promise<Harness>]
> = [
  ["a temp folder", fsHarness],
  ["the fake S3", s3Harness],
];

/** A credential with recognizable secrets. */
export function credential(who: string): Record<string, unknown> {
  return {
    token: `ya29.secret-access-${who}`,
    refresh_token: `1//secret-refresh-${who}`,
    token_uri: "https://oauth2.googleapis.com/token",
    client_id: "123.apps.googleusercontent.com",
    client_secret: "GOCSPX-secret-client",
    scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
    expiry: "2025-10-21T14:03:00",
  };
}

/** The secret markers no report may print. */
export const SECRET_MARKERS = ["ya29.", "1//", "GOCSPX-", "pkce-verifier"];

/** The first secret marker in `text`, or undefined. */
export function leakedSecret(text: string): string | undefined {
  return SECRET_MARKERS.find((marker) => text.includes(marker));
}
