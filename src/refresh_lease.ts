/**
 * The refresh state credbox keeps inside each sealed record, beside the
 * user's credential: a refresh lease and a re-auth mark.
 *
 * Both live in the record itself, under reserved top-level keys of the
 * sealed JSON (`credbox_lease`, `credbox_reauth`), rather than in a second
 * object beside it. So claiming a lease is one conditional write of the
 * record, releasing it is the same write that saves the new tokens, every
 * instance sees a mark with the record it marks, and both are sealed and
 * bound to the id like the rest. The store strips them from what it hands
 * out (`StoredCredential.credential`) and refuses them in what it is given:
 * every key starting with `credbox_` is reserved.
 *
 * @module
 */

import type { Credential } from "./credential.ts";
import { CredboxError } from "./errors.ts";

/** Keys of the sealed JSON that belong to credbox, not to the credential. */
export const RESERVED_PREFIX = "credbox_";
const LEASE_KEY = "credbox_lease";
const REAUTH_KEY = "credbox_reauth";

/**
 * A claim on refreshing one record: only `holder` calls the provider until
 * `until` (epoch milliseconds), after which any instance may take it over.
 */
export interface RefreshLease {
  /** The id of the claiming store instance; random, not secret. */
  holder: string;
  /** When the claim lapses, epoch milliseconds. */
  until: number;
}

/**
 * Why a record needs its user to sign in again. Kept until a save replaces
 * the refresh token it condemns.
 *
 * @example
 * ```ts
 * import type { ReauthMark } from "@credbox/credbox";
 *
 * const mark: ReauthMark = {
 *   at: "2025-10-21T14:03:00.000Z",
 *   reason: "invalid_grant",
 * };
 * console.assert(mark.reason === "invalid_grant");
 * ```
 */
export interface ReauthMark {
  /** When it was marked, ISO 8601 in UTC. */
  at: string;
  /** `invalid_grant`: the provider refused the refresh token. */
  reason: "invalid_grant";
}

/** A record as sealed: the user's credential and credbox's state. */
export interface RecordState {
  /** The credential, without reserved keys. */
  credential: Credential;
  /** Present while an instance is refreshing the record. */
  lease?: RefreshLease;
  /** Present when the provider refused the refresh token. */
  reauth?: ReauthMark;
}

/** The JSON object sealed for `state`: the credential, then the state. */
export function toSealed(state: RecordState): Record<string, unknown> {
  const sealed: Record<string, unknown> = { ...state.credential };
  if (state.lease) sealed[LEASE_KEY] = state.lease;
  if (state.reauth) sealed[REAUTH_KEY] = state.reauth;
  return sealed;
}

/**
 * Split an opened record into credential and state. A malformed lease or
 * mark is ignored rather than trusted: a lease that cannot be read must not
 * block refreshes, and a mark that cannot be read is not a refusal.
 */
export function fromSealed(sealed: Record<string, unknown>): RecordState {
  const credential: Credential = {};
  for (const [key, value] of Object.entries(sealed)) {
    if (!key.startsWith(RESERVED_PREFIX)) credential[key] = value;
  }
  const state: RecordState = { credential };
  const lease = sealed[LEASE_KEY] as Partial<RefreshLease> | undefined;
  if (
    lease && typeof lease.holder === "string" &&
    typeof lease.until === "number" && Number.isFinite(lease.until)
  ) {
    state.lease = { holder: lease.holder, until: lease.until };
  }
  const mark = sealed[REAUTH_KEY] as Partial<ReauthMark> | undefined;
  if (mark && typeof mark.at === "string" && mark.reason === "invalid_grant") {
    state.reauth = { at: mark.at, reason: mark.reason };
  }
  return state;
}

/**
 * Refuse a credential that carries a reserved key, naming the key (never
 * its value).
 */
export function checkUnreserved(credential: Credential): void {
  for (const key of Object.keys(credential)) {
    if (key.startsWith(RESERVED_PREFIX)) {
      throw new CredboxError(
        "INVALID_CREDENTIAL",
        `Invalid credential: '${key}' is reserved (keys starting with '${RESERVED_PREFIX}' belong to credbox)`,
      );
    }
  }
}

/**
 * The state to save when a caller replaces the credential of `previous`
 * through `update()`: a lease in progress is kept, so the holder stays the
 * only one calling the provider; a re-auth mark is kept only while the
 * refresh token it condemns is still the one stored.
 */
export function carryOver(
  previous: RecordState | undefined,
  credential: Credential,
): RecordState {
  const state: RecordState = { credential };
  if (previous?.lease) state.lease = previous.lease;
  if (
    previous?.reauth &&
    previous.credential.refresh_token === credential.refresh_token
  ) {
    state.reauth = previous.reauth;
  }
  return state;
}

/** True when `lease` is held by someone other than `me` and not lapsed. */
export function heldByOther(
  lease: RefreshLease | undefined,
  me: string,
  now: number,
): boolean {
  return lease !== undefined && lease.holder !== me && lease.until > now;
}
