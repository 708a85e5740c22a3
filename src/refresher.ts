/**
 * Who refreshes a record, and how a refreshed token reaches the store
 * without ever losing a rotated refresh token.
 *
 * In one process, concurrent refreshes of one id share one run. Across
 * processes, the run first claims a lease inside the record with a
 * conditional write (see `refresh_lease.ts`); only the claimant calls the
 * provider, the others reread the record until the claimant's new token
 * appears, the lease lapses (and is taken over), or their wait runs out.
 *
 * The claimant saves the new tokens with compare-and-set on the version its
 * claim wrote. If the record moved meanwhile (an `update()`, a user's save),
 * it rereads: while the stored refresh token is still the one it spent, it
 * applies the new tokens to the newer record and tries again, so a rotated
 * refresh token is never dropped; once the stored refresh token differs,
 * someone saved a newer sign-in, which wins.
 *
 * @module
 */

import { backoffDelay } from "./backoff.ts";
import type { Credential } from "./credential.ts";
import { CredboxError, isCredboxError } from "./errors.ts";
import { type GrantResult, refreshGrant } from "./refresh.ts";
import { heldByOther, type RecordState } from "./refresh_lease.ts";
import type { Records, Versioned } from "./records.ts";
import type { RefreshStats } from "./stats.ts";
import type { ResolvedOptions } from "./store_options.ts";

// Saving a refreshed token outlasts ordinary contention: giving up drops a
// token the provider may already consider the only valid one.
const SETTLE_ATTEMPTS = 20;
const CLAIM_CONFLICTS = 20;
const SETTLE_BACKOFF = { baseMs: 20, capMs: 1_000 };

/**
 * True when `record` has an access token valid for at least `skewMs` more
 * at `now`. A token without a known expiry counts as valid.
 */
export function isValidFor(
  record: Versioned,
  now: number,
  skewMs: number,
): boolean {
  const token = record.state.credential.token;
  if (typeof token !== "string" || token === "") return false;
  const until = record.expiresAt;
  return until === undefined || (until > now && until - now >= skewMs);
}

/** Runs refreshes for one store. */
export class Refresher {
  readonly #records: Records;
  readonly #options: ResolvedOptions;
  // Distinguishes this store's leases from every other instance's.
  readonly #holder = crypto.randomUUID();
  readonly #running = new Map<string, Promise<Versioned>>();
  readonly #stats: RefreshStats = {
    calls: 0,
    succeeded: 0,
    failed: 0,
    reauth: 0,
    joined: 0,
    waited: 0,
  };

  /** A refresher reading and writing through `records`. */
  constructor(records: Records, options: ResolvedOptions) {
    this.#records = records;
    this.#options = options;
  }

  /**
   * The record of `id` with an access token valid for `skewMs`, refreshed
   * if need be; joins a run for `id` already in progress here.
   */
  refresh(id: string, skewMs: number): Promise<Versioned> {
    const running = this.#running.get(id);
    if (running) {
      this.#stats.joined++;
      return running;
    }
    const run = this.#run(id, skewMs).finally(() => this.#running.delete(id));
    this.#running.set(id, run);
    return run;
  }

  /** The counters, as plain numbers. */
  stats(): RefreshStats {
    return { ...this.#stats };
  }

  async #run(id: string, skewMs: number): Promise<Versioned> {
    const { now, sleep, refresh } = this.#options;
    const deadline = now() + refresh.waitMs;
    let waited = false;
    let conflicts = 0;
    for (;;) {
      const record = await this.#records.reload(id);
      if (!record) throw notFound(id);
      const { state } = record;
      if (state.reauth) throw reauthRequired(id, state.reauth.at);
      const time = now();
      // After waiting on a lease, the holder's token is accepted as long as
      // it is valid at all: asking for more would refresh again at once
      // when the provider's tokens live shorter than the skew.
      if (isValidFor(record, time, waited ? 0 : skewMs)) {
        return record;
      }

      if (heldByOther(state.lease, this.#holder, time)) {
        if (!waited) this.#stats.waited++;
        waited = true;
        if (time >= deadline) {
          throw new CredboxError(
            "REFRESH_FAILED",
            `Cannot refresh '${id}': another instance held the refresh for the whole wait (${refresh.waitMs} ms)`,
          );
        }
        await sleep(Math.min(refresh.pollMs, deadline - time));
        continue;
      }

      if (typeof state.credential.refresh_token !== "string") {
        throw new CredboxError(
          "REAUTH_REQUIRED",
          `Cannot refresh '${id}': it holds no refresh token; the user must sign in again`,
        );
      }

      const lease = { holder: this.#holder, until: time + refresh.leaseMs };
      let claimed: Versioned;
      try {
        claimed = await this.#records.write(
          id,
          { ...state, lease },
          record.version,
        );
      } catch (error) {
        if (!isCredboxError(error, "CONFLICT")) throw error;
        if (++conflicts >= CLAIM_CONFLICTS) {
          throw new CredboxError(
            "REFRESH_FAILED",
            `Cannot refresh '${id}': it changed under each of ${conflicts} claims`,
            { cause: error },
          );
        }
        continue;
      }

      const done = await this.#refreshAsHolder(id, claimed, lease.until);
      if (done) return done;
      // The stored refresh token moved on under us: start over with it.
    }
  }

  async #refreshAsHolder(
    id: string,
    claimed: Versioned,
    leaseUntil: number,
  ): Promise<Versioned | undefined> {
    const options = this.#options;
    const spent = claimed.state.credential.refresh_token;
    let grant: GrantResult;
    try {
      grant = await refreshGrant(claimed.state.credential, {
        id,
        fetch: options.fetch,
        now: options.now,
        sleep: options.sleep,
        backoff: { baseMs: 250, capMs: 2_000, random: options.random },
        retries: options.refresh.retries,
        timeoutMs: options.refresh.timeoutMs,
        clientAuth: options.refresh.clientAuth,
        deadline: leaseUntil,
        onCall: () => this.#stats.calls++,
      });
    } catch (error) {
      if (isCredboxError(error, "REAUTH_REQUIRED")) {
        const at = new Date(options.now()).toISOString();
        const marked = await this.#settle(id, claimed, spent, (current) => ({
          credential: current.credential,
          lease: this.#othersLease(current),
          reauth: { at, reason: "invalid_grant" },
        }));
        if (!marked) return undefined;
        this.#stats.reauth++;
      } else {
        this.#stats.failed++;
        await this.#release(id, claimed);
      }
      throw error;
    }

    this.#stats.succeeded++;
    return await this.#settle(id, claimed, spent, (current) => ({
      credential: withGrant(current.credential, grant),
      lease: this.#othersLease(current),
    }));
  }

  /**
   * Write `make(current)` with compare-and-set until it lands, rereading
   * after each conflict; `undefined` once the stored refresh token is no
   * longer `spent` (a newer sign-in was saved, and it wins).
   */
  async #settle(
    id: string,
    start: Versioned,
    spent: string | null | undefined,
    make: (current: RecordState) => RecordState,
  ): Promise<Versioned | undefined> {
    const { sleep, random } = this.#options;
    let current = start;
    for (let attempt = 1;; attempt++) {
      try {
        return await this.#records.write(
          id,
          make(current.state),
          current.version,
        );
      } catch (error) {
        const retry = isCredboxError(error, "CONFLICT") ||
          isCredboxError(error, "BACKEND");
        if (!retry || attempt >= SETTLE_ATTEMPTS) throw error;
      }
      await sleep(backoffDelay({ ...SETTLE_BACKOFF, random }, attempt));
      const next = await this.#records.reload(id);
      // Deleted meanwhile: the user removed the credential; do not revive it.
      if (!next) throw notFound(id);
      if (next.state.credential.refresh_token !== spent) return undefined;
      current = next;
    }
  }

  /** Give the lease back after a failure, so others need not wait it out. */
  async #release(id: string, claimed: Versioned): Promise<void> {
    try {
      const { lease: _ours, ...rest } = claimed.state;
      await this.#records.write(id, rest, claimed.version);
    } catch {
      // Best effort: the record moved on, or the backend is failing too;
      // either way the lease lapses on its own at `until`.
    }
  }

  #othersLease(state: RecordState): RecordState["lease"] {
    return state.lease?.holder === this.#holder ? undefined : state.lease;
  }
}

function withGrant(credential: Credential, grant: GrantResult): Credential {
  const next: Credential = {
    ...credential,
    token: grant.token,
    expiry: grant.expiry,
  };
  if (grant.refresh_token !== undefined) {
    next.refresh_token = grant.refresh_token;
  }
  return next;
}

function notFound(id: string): CredboxError {
  return new CredboxError("NOT_FOUND", `No credential is stored under '${id}'`);
}

function reauthRequired(id: string, at: string): CredboxError {
  return new CredboxError(
    "REAUTH_REQUIRED",
    `'${id}' needs its user to sign in again: the provider refused its refresh token at ${at}`,
  );
}
