/**
 * `put`, `get`, `list` and `delete`: one credential at a time.
 *
 * @module
 */

import type { Credential } from "../credential.ts";
import { CredboxError } from "../errors.ts";
import { UsageError } from "./args.ts";
import { type Command, EXIT, STORE_HELP, STORE_OPTIONS } from "./command.ts";
import { openCliStore } from "./config.ts";

/** The fields `get` hides unless asked with `--show-secrets`. */
export const SECRET_FIELDS: readonly string[] = [
  "token",
  "refresh_token",
  "client_secret",
];

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * `credbox put ID FILE|-`: save a credential read from a JSON file or
 * standard input.
 *
 * @example
 * ```ts
 * import { put } from "./records.ts";
 * import { parseArgs } from "./args.ts";
 * import { resolveIo } from "./io.ts";
 * import { Keyring } from "../crypto/keyring.ts";
 *
 * const io = resolveIo({
 *   env: { CREDBOX_STORE: "memory:", CREDBOX_KEYS: Keyring.newEntry() },
 *   stdout: () => {},
 *   stdin: () => Promise.resolve(new TextEncoder().encode('{"token":"t"}')),
 * });
 * console.assert(await put.run(parseArgs(["ana", "-"], put.options), io) === 0);
 * ```
 */
export const put: Command = {
  name: "put",
  summary: "save one credential from a JSON file or stdin",
  usage: `Usage: credbox put ID FILE|- [--create | --if-version V]

Save the credential in FILE (or standard input, '-') under ID. The JSON is
the Google authorized-user form: token, refresh_token, token_uri,
client_id, client_secret, scopes, expiry.

Options:
  --create          only if no credential is stored under ID yet
  --if-version V    only if the stored record is at version V
${STORE_HELP}`,
  options: {
    ...STORE_OPTIONS,
    create: { type: "boolean" },
    "if-version": { type: "string" },
  },
  positionals: [2, 2],
  async run(args, io) {
    const [id, file] = args.positionals;
    const ifVersion = args.string("if-version");
    if (args.boolean("create") && ifVersion !== undefined) {
      throw new UsageError("--create and --if-version exclude each other");
    }
    const bytes = file === "-" ? await io.stdin() : await readFile(file);
    const credential = parseJson(bytes, file === "-" ? "stdin" : file);

    const store = await openCliStore(args, io);
    const { version } = await store.save(id, credential as Credential, {
      ifVersion: args.boolean("create") ? null : ifVersion,
    });
    io.out(`saved ${id} (version ${version})\n`);
    return EXIT.ok;
  },
};

/**
 * `credbox get ID [--show-secrets]`: print one credential as JSON, its
 * secrets redacted unless asked for.
 *
 * @example
 * ```ts
 * import { get } from "./records.ts";
 * import { parseArgs } from "./args.ts";
 * import { resolveIo } from "./io.ts";
 * import { Keyring } from "../crypto/keyring.ts";
 *
 * const io = resolveIo({
 *   env: { CREDBOX_STORE: "memory:", CREDBOX_KEYS: Keyring.newEntry() },
 *   stderr: () => {},
 * });
 * // A fresh memory store holds nothing: exit code 1.
 * console.assert(await get.run(parseArgs(["ana"], get.options), io) === 1);
 * ```
 */
export const get: Command = {
  name: "get",
  summary: "print one credential, secrets redacted",
  usage: `Usage: credbox get ID [--show-secrets]

Print the credential stored under ID as JSON. token, refresh_token and
client_secret print as "[redacted]" unless --show-secrets is given. The
record's version goes to standard error.

Options:
  --show-secrets    print the secrets too
${STORE_HELP}`,
  options: { ...STORE_OPTIONS, "show-secrets": { type: "boolean" } },
  positionals: [1, 1],
  async run(args, io) {
    const [id] = args.positionals;
    const store = await openCliStore(args, io);
    const record = await store.load(id);
    if (!record) {
      io.err(`error: no credential is stored under '${id}'\n`);
      return EXIT.failed;
    }
    const shown = args.boolean("show-secrets")
      ? record.credential
      : redact(record.credential);
    io.out(JSON.stringify(shown, null, 2) + "\n");
    io.err(`version ${record.version}\n`);
    return EXIT.ok;
  },
};

/**
 * `credbox list [--prefix P]`: print every id, one a line.
 *
 * @example
 * ```ts
 * import { list } from "./records.ts";
 * import { parseArgs } from "./args.ts";
 * import { resolveIo } from "./io.ts";
 * import { Keyring } from "../crypto/keyring.ts";
 *
 * let printed = "";
 * const io = resolveIo({
 *   env: { CREDBOX_STORE: "memory:", CREDBOX_KEYS: Keyring.newEntry() },
 *   stdout: (text) => printed += text,
 * });
 * await list.run(parseArgs([], list.options), io);
 * console.assert(printed === "");
 * ```
 */
export const list: Command = {
  name: "list",
  summary: "print every credential id",
  usage: `Usage: credbox list [--prefix P]

Print the id of every stored credential, one a line, without opening any.

Options:
  --prefix P    only ids that start with P
${STORE_HELP}`,
  options: { ...STORE_OPTIONS, prefix: { type: "string" } },
  positionals: [0, 0],
  async run(args, io) {
    const store = await openCliStore(args, io);
    for await (const id of store.list({ prefix: args.string("prefix") })) {
      io.out(id + "\n");
    }
    return EXIT.ok;
  },
};

/**
 * `credbox delete ID [--if-version V]`: remove one credential.
 *
 * @example
 * ```ts
 * import { del } from "./records.ts";
 * import { parseArgs } from "./args.ts";
 * import { resolveIo } from "./io.ts";
 * import { Keyring } from "../crypto/keyring.ts";
 *
 * const io = resolveIo({
 *   env: { CREDBOX_STORE: "memory:", CREDBOX_KEYS: Keyring.newEntry() },
 *   stderr: () => {},
 * });
 * console.assert(await del.run(parseArgs(["ana"], del.options), io) === 1);
 * ```
 */
export const del: Command = {
  name: "delete",
  summary: "remove one credential",
  usage: `Usage: credbox delete ID [--if-version V]

Remove the credential stored under ID. Exits 1 when there was none.

Options:
  --if-version V    only if the stored record is at version V
${STORE_HELP}`,
  options: { ...STORE_OPTIONS, "if-version": { type: "string" } },
  positionals: [1, 1],
  async run(args, io) {
    const [id] = args.positionals;
    const store = await openCliStore(args, io);
    const existed = await store.delete(id, {
      ifVersion: args.string("if-version"),
    });
    if (!existed) {
      io.err(`error: no credential is stored under '${id}'\n`);
      return EXIT.failed;
    }
    io.out(`deleted ${id}\n`);
    return EXIT.ok;
  },
};

/**
 * A copy of `credential` with its secret fields replaced by
 * `"[redacted]"`; absent and null fields stay as they are.
 *
 * @example
 * ```ts
 * import { redact } from "./records.ts";
 *
 * const shown = redact({ token: "ya29.x", refresh_token: null });
 * console.assert(shown.token === "[redacted]" && shown.refresh_token === null);
 * ```
 */
export function redact(credential: Credential): Credential {
  const copy: Credential = { ...credential };
  for (const field of SECRET_FIELDS) {
    if (typeof copy[field] === "string") copy[field] = "[redacted]";
  }
  return copy;
}

/**
 * Parse JSON bytes, with an error that names `source` but never quotes
 * the text: the parser's own message shows a piece of it, which may be a
 * token.
 *
 * @example
 * ```ts
 * import { parseJson } from "./records.ts";
 *
 * const value = parseJson(new TextEncoder().encode('{"a":1}'), "a.json");
 * console.assert((value as { a: number }).a === 1);
 * ```
 */
export function parseJson(bytes: Uint8Array, source: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    throw new CredboxError(
      "INVALID_CREDENTIAL",
      `Invalid credential: ${source} is not valid UTF-8 JSON`,
    );
  }
}

async function readFile(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    throw new CredboxError(
      "INVALID_CONFIG",
      `Cannot read '${path}': ${(error as Error).message}`,
    );
  }
}
