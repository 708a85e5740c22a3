/**
 * The compare-and-set loop behind `store.update()`.
 *
 * @module
 */

import { backoffDelay } from "./backoff.ts";
import { type Credential, parseCredential } from "./credential.ts";
import { CredboxError, isCredboxError } from "./errors.ts";
import type { Records, Versioned } from "./records.ts";
import { carryOver, checkUnreserved } from "./refresh_lease.ts";
import type { ResolvedOptions } from "./store_options.ts";

// Short first waits: most conflicts are two writers a round trip apart.
const BACKOFF = { baseMs: 10, capMs: 1_000 };

/**
 * Read `id`, apply `fn`, save with the version read; on `CONFLICT`, reread
 * and retry after a jittered backoff, `attempts` times in all. The first
 * read may come from the cache: if it is stale, the save conflicts and the
 * retry reads the backend.
 */
export async function updateRecord(
  records: Records,
  id: string,
  fn: (current: Credential | undefined) => Credential | Promise<Credential>,
  attempts: number,
  options: Pick<ResolvedOptions, "sleep" | "random">,
): Promise<Versioned> {
  let current = await records.read(id);
  for (let attempt = 1;; attempt++) {
    const input = current && structuredClone(current.state.credential);
    const next = parseCredential(await fn(input));
    checkUnreserved(next);
    try {
      const state = carryOver(current?.state, next);
      return await records.write(id, state, current?.version ?? null);
    } catch (error) {
      if (!isCredboxError(error, "CONFLICT")) throw error;
      if (attempt >= attempts) {
        throw new CredboxError(
          "CONFLICT",
          `Cannot update '${id}': it changed under each of ${attempts} attempts`,
          { cause: error },
        );
      }
    }
    const random = options.random;
    await options.sleep(backoffDelay({ ...BACKOFF, random }, attempt));
    current = await records.reload(id);
  }
}
