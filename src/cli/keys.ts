/**
 * `keygen` and `keys add`: make keys in the `CREDBOX_KEYS` form.
 *
 * @module
 */

import { Keyring } from "../crypto/keyring.ts";
import { CredboxError } from "../errors.ts";
import { type Command, EXIT } from "./command.ts";

/**
 * `credbox keygen [--id ID]`: print a new key as a `CREDBOX_KEYS` entry.
 *
 * @example
 * ```ts
 * import { keygen } from "./keys.ts";
 * import { parseArgs } from "./args.ts";
 * import { resolveIo } from "./io.ts";
 *
 * let printed = "";
 * const io = resolveIo({ env: {}, stdout: (text) => printed += text });
 * await keygen.run(parseArgs(["--id", "k1"], keygen.options), io);
 * console.assert(printed.startsWith("k1:"));
 * ```
 */
export const keygen: Command = {
  name: "keygen",
  summary: "print a new key as a CREDBOX_KEYS entry",
  usage: `Usage: credbox keygen [--id ID]

Print a new random 256-bit key in the id:base64 form CREDBOX_KEYS holds.
Set CREDBOX_KEYS to the line printed to start a keyring, or use
'credbox keys add' to put a new key in front of an existing one.

Options:
  --id ID    the key id: 1 to 32 of A-Z a-z 0-9 _ - (default: random)`,
  options: { id: { type: "string" } },
  positionals: [0, 0],
  run(args, io) {
    io.out(Keyring.newEntry(args.string("id")) + "\n");
    return Promise.resolve(EXIT.ok);
  },
};

/**
 * `credbox keys add [--id ID]`: print `CREDBOX_KEYS` with a new primary.
 *
 * @example
 * ```ts
 * import { keysAdd } from "./keys.ts";
 * import { parseArgs } from "./args.ts";
 * import { resolveIo } from "./io.ts";
 * import { Keyring } from "../crypto/keyring.ts";
 *
 * let printed = "";
 * const env = { CREDBOX_KEYS: Keyring.newEntry("k1") };
 * const io = resolveIo({ env, stdout: (text) => printed += text });
 * await keysAdd.run(parseArgs(["--id", "k2"], keysAdd.options), io);
 * console.assert(printed.startsWith("k2:") && printed.includes(",k1:"));
 * ```
 */
export const keysAdd: Command = {
  name: "keys add",
  summary: "print CREDBOX_KEYS with a new primary key in front",
  usage: `Usage: credbox keys add [--id ID]

Read the keyring from CREDBOX_KEYS and print it with a new random key in
front. The new key becomes the primary: it seals every record written from
now on, and the old keys still open the records sealed with them. Deploy
the printed value, then run 'credbox rotate' to re-seal the old records and
'credbox verify' to see which keys are still in use.

Options:
  --id ID    the new key's id (default: random)`,
  options: { id: { type: "string" } },
  positionals: [0, 0],
  run(args, io) {
    const current = io.env.CREDBOX_KEYS;
    if (current === undefined || current.trim() === "") {
      throw new CredboxError(
        "INVALID_CONFIG",
        "CREDBOX_KEYS is not set: 'keys add' extends an existing keyring " +
          "(use 'credbox keygen' to start one)",
      );
    }
    const entry = Keyring.newEntry(args.string("id"));
    io.out(Keyring.withPrimary(current, entry) + "\n");
    return Promise.resolve(EXIT.ok);
  },
};
