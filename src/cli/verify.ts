/**
 * `verify`: open every record and report which keys seal them.
 *
 * @module
 */

import { open, sealedKeyId } from "../crypto/envelope.ts";
import { isCredboxError } from "../errors.ts";
import { storageName } from "../id.ts";
import { type Command, EXIT, STORE_HELP, STORE_OPTIONS } from "./command.ts";
import { openCliStore } from "./config.ts";
import { Progress } from "./progress.ts";

/**
 * `credbox verify`: open every record, count them by key id, and list each
 * one that fails to open by its id.
 *
 * @example An empty store verifies
 * ```ts
 * import { verify } from "./verify.ts";
 * import { parseArgs } from "./args.ts";
 * import { resolveIo } from "./io.ts";
 * import { Keyring } from "../crypto/keyring.ts";
 *
 * let printed = "";
 * const io = resolveIo({
 *   env: { CREDBOX_STORE: "memory:", CREDBOX_KEYS: Keyring.newEntry() },
 *   stdout: (text) => printed += text,
 * });
 * console.assert(await verify.run(parseArgs([], verify.options), io) === 0);
 * console.assert(printed.includes("0 records"));
 * ```
 */
export const verify: Command = {
  name: "verify",
  summary: "open every record; count by key, list failures",
  usage: `Usage: credbox verify

Open every record with the keyring in CREDBOX_KEYS. Prints how many records
each key seals (the primary marked), then each record that fails to open,
by id, with why: damaged or moved (DECRYPT_FAILED), or sealed with a key
the keyring lacks (UNKNOWN_KEY). Nothing is written.
${STORE_HELP}

Exit code: 0 when every record opens, 1 otherwise.`,
  options: STORE_OPTIONS,
  positionals: [0, 0],
  async run(args, io) {
    const store = await openCliStore(args, io);
    const ids: string[] = [];
    for await (const id of store.list()) ids.push(id);

    const byKey = new Map<string, number>();
    const failures: string[] = [];
    const progress = new Progress(io, "verify", ids.length);
    let done = 0;
    for (const id of ids) {
      const found = await store.backend.get(storageName(id));
      if (found) {
        // The header names the key even when the rest is damaged.
        const keyId = sealedKeyId(found.bytes) ?? "(unreadable header)";
        byKey.set(keyId, (byKey.get(keyId) ?? 0) + 1);
        try {
          await open(store.keyring, found.bytes, {
            namespace: store.namespace,
            id,
          });
        } catch (error) {
          if (!isCredboxError(error)) throw error;
          failures.push(`${id}: ${error.message} (${error.code})`);
        }
      }
      progress.update(++done, `${failures.length} failed`);
    }
    progress.finish();

    const total = [...byKey.values()].reduce((a, b) => a + b, 0);
    io.out(
      `verify: ${total} records, ${total - failures.length} open, ` +
        `${failures.length} failed\n`,
    );
    const primary = store.keyring.primaryId;
    const keys = [...byKey].sort((a, b) => b[1] - a[1]);
    for (const [keyId, count] of keys) {
      const mark = keyId === primary ? " (primary)" : "";
      io.out(`  key ${keyId}${mark}: ${count}\n`);
    }
    for (const line of failures) io.out(`failed  ${line}\n`);
    const older = total - (byKey.get(primary) ?? 0);
    if (older > 0) {
      io.out(
        `${older} records are not under the primary key; ` +
          "'credbox rotate' re-seals them\n",
      );
    }
    return failures.length > 0 ? EXIT.failed : EXIT.ok;
  },
};
