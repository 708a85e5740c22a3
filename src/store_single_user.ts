/**
 * Single-user mode: a store expected to hold exactly one credential, used
 * without naming its id. Internal: not part of the public surface;
 * `CredentialStore.only()` is built on it.
 *
 * @module
 */

import { CredboxError } from "./errors.ts";
import type { StoredCredential } from "./store_types.ts";

/**
 * The one credential among `ids`, read with `load`.
 *
 * @throws {CredboxError} `NOT_FOUND` when there is none, or when the one
 * there is deleted before it is read; `INVALID_CONFIG` naming how many
 * there are when there is more than one.
 */
export async function onlyCredential(
  ids: AsyncIterable<string>,
  load: (id: string) => Promise<StoredCredential | undefined>,
): Promise<StoredCredential> {
  const found: string[] = [];
  for await (const id of ids) found.push(id);
  if (found.length === 0) {
    throw new CredboxError("NOT_FOUND", "The store holds no credential");
  }
  if (found.length > 1) {
    throw new CredboxError(
      "INVALID_CONFIG",
      `Single-user mode needs exactly one credential; the store holds ${found.length}`,
    );
  }
  const record = await load(found[0]);
  if (!record) {
    throw new CredboxError("NOT_FOUND", "The only credential was deleted");
  }
  return record;
}
