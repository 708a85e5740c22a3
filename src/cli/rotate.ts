/**
 * `rotate`: re-seal every record under the keyring's primary key.
 *
 * @module
 */

import { open, seal, sealedKeyId } from "../crypto/envelope.ts";
import { isCredboxError } from "../errors.ts";
import { storageName } from "../id.ts";
import type { CredentialStore } from "../store.ts";
import { type Command, EXIT, STORE_HELP, STORE_OPTIONS } from "./command.ts";
import { openCliStore } from "./config.ts";
import { Progress } from "./progress.ts";
import { Tally } from "./report.ts";

// A record another writer keeps changing is left for the next run.
const ATTEMPTS = 3;

/**
 * `credbox rotate`: re-seal each record not yet under the primary key, with
 * compare-and-set. Re-running it skips what is done, so an interrupted
 * rotation resumes where it stopped.
 *
 * @example Nothing to do in an empty store
 * ```ts
 * import { rotate } from "./rotate.ts";
 * import { parseArgs } from "./args.ts";
 * import { resolveIo } from "./io.ts";
 * import { Keyring } from "../crypto/keyring.ts";
 *
 * let printed = "";
 * const io = resolveIo({
 *   env: { CREDBOX_STORE: "memory:", CREDBOX_KEYS: Keyring.newEntry() },
 *   stdout: (text) => printed += text,
 * });
 * console.assert(await rotate.run(parseArgs([], rotate.options), io) === 0);
 * console.assert(printed.startsWith("rotate: 0 records"));
 * ```
 */
export const rotate: Command = {
  name: "rotate",
  summary: "re-seal every record under the primary key",
  usage: `Usage: credbox rotate

Re-seal every record that is not sealed with the keyring's primary key
(the first key in CREDBOX_KEYS). Each record is read, opened, sealed again
and written back only if it has not changed since it was read, so a
concurrent writer is never overwritten; a record that keeps changing is
left for the next run. The plaintext is kept byte for byte.

Records already under the primary are skipped, so an interrupted rotation
(Ctrl-C, a crash, a network failure) resumes by running it again.

Shows a progress bar on a terminal; prints a summary line either way,
then one line per record that failed. Afterwards, 'credbox verify' shows
which keys are still in use; a key no record uses can leave CREDBOX_KEYS.
${STORE_HELP}

Exit code: 0 when every record is under the primary, 1 otherwise.`,
  options: STORE_OPTIONS,
  positionals: [0, 0],
  async run(args, io) {
    const store = await openCliStore(args, io);
    const started = io.now();
    const ids: string[] = [];
    for await (const id of store.list()) ids.push(id);

    const tally = new Tally(["re-sealed", "already current", "failed"]);
    const failures: string[] = [];
    const progress = new Progress(io, "rotate", ids.length);
    let interrupted = false;
    for (const id of ids) {
      if (io.signal?.aborted) {
        interrupted = true;
        break;
      }
      try {
        tally.add(await reseal(store, id) ? "re-sealed" : "already current");
      } catch (error) {
        if (!isCredboxError(error)) throw error;
        tally.add("failed");
        failures.push(`${id}: ${error.message} (${error.code})`);
      }
      progress.update(tally.total, String(tally));
    }
    progress.finish();

    const seconds = ((io.now() - started) / 1000).toFixed(1);
    const left = ids.length - tally.total;
    io.out(
      `rotate: ${ids.length} records to key '${store.keyring.primaryId}': ` +
        `${tally}${interrupted ? `, ${left} not reached` : ""} ` +
        `in ${seconds} s\n`,
    );
    for (const line of failures) io.out(`failed  ${line}\n`);
    if (interrupted) {
      io.err("rotate: interrupted; run it again to finish\n");
    }
    const ok = !interrupted && tally.count("failed") === 0;
    return ok ? EXIT.ok : EXIT.failed;
  },
};

/** Re-seal one record; false when it is already under the primary. */
async function reseal(store: CredentialStore, id: string): Promise<boolean> {
  const name = storageName(id);
  const context = { namespace: store.namespace, id };
  const primary = store.keyring.primaryId;
  for (let attempt = 1;; attempt++) {
    const found = await store.backend.get(name);
    // Deleted since it was listed, or already done: nothing to re-seal.
    if (!found || sealedKeyId(found.bytes) === primary) return false;

    const plaintext = await open(store.keyring, found.bytes, context);
    const sealed = await seal(store.keyring, plaintext, context);
    try {
      await store.backend.put(name, sealed, { ifVersion: found.version });
      return true;
    } catch (error) {
      // Someone wrote it in between: read it again, it may now be done.
      if (!isCredboxError(error, "CONFLICT") || attempt >= ATTEMPTS) {
        throw error;
      }
    }
  }
}
