/**
 * A ledger of the writes and deletes a fault test made, and the check that
 * every state it observed is one the acknowledged operations allow.
 *
 * Each write carries a unique tag. An operation is acknowledged when its
 * promise resolved; one that rejected may or may not have landed (a write
 * whose response was lost did land). A logical clock orders the moments
 * each operation started and settled.
 *
 * The rule: a read started at `t` may show the state made by operation
 * `W` only if no acknowledged operation that started after `W` settled had
 * itself settled before `t`. That is "the last acknowledged write, or a
 * later one": an acknowledged write can be replaced only by an operation
 * that overlapped it or came after it, never by one it had already
 * outlived. The final check is a read at `t = ∞`.
 *
 * @module
 */

/** One write or delete, as the ledger knows it. */
export interface Mutation {
  id: string;
  kind: "write" | "delete";
  /** The tags it may have written (an update may try several). */
  tags: string[];
  start: number;
  /** When it settled; `Infinity` while it runs. */
  end: number;
  /** It resolved. */
  acknowledged: boolean;
}

/** What a check found wrong, for the failure message. */
export interface Violation {
  id: string;
  observed: string | null;
  reason: string;
}

/** The ledger of one run. */
export class Ledger {
  #clock = 0;
  readonly #mutations = new Map<string, Mutation[]>();
  readonly #byTag = new Map<string, Mutation>();
  #nextTag = 0;
  readonly violations: Violation[] = [];

  /** The next moment of the logical clock. */
  tick(): number {
    return ++this.#clock;
  }

  /** A tag no write has used. */
  newTag(): string {
    return `w${++this.#nextTag}`;
  }

  /** Note a write or delete of `id` starting now. */
  begin(id: string, kind: Mutation["kind"]): Mutation {
    const mutation: Mutation = {
      id,
      kind,
      tags: [],
      start: this.tick(),
      end: Infinity,
      acknowledged: false,
    };
    const list = this.#mutations.get(id) ?? [];
    list.push(mutation);
    this.#mutations.set(id, list);
    return mutation;
  }

  /** `mutation` may write `tag`. */
  tag(mutation: Mutation, tag: string): void {
    mutation.tags.push(tag);
    this.#byTag.set(tag, mutation);
  }

  /** `mutation` settled; `acknowledged` when it resolved. */
  settle(mutation: Mutation, acknowledged: boolean): void {
    mutation.end = this.tick();
    mutation.acknowledged = acknowledged;
  }

  /** The acknowledged operations, by kind. */
  counts(): { writes: number; deletes: number; unacknowledged: number } {
    let writes = 0, deletes = 0, unacknowledged = 0;
    for (const list of this.#mutations.values()) {
      for (const m of list) {
        if (!m.acknowledged) unacknowledged++;
        else if (m.kind === "write") writes++;
        else deletes++;
      }
    }
    return { writes, deletes, unacknowledged };
  }

  /**
   * Check that `id` showing `tag` (or nothing, `null`) in a read that ran
   * from `start` to `end` is allowed; record a violation when it is not.
   */
  observe(id: string, tag: string | null, start: number, end: number): void {
    const list = this.#mutations.get(id) ?? [];
    const fail = (reason: string): void => {
      this.violations.push({ id, observed: tag, reason });
    };

    if (tag !== null) {
      const source = this.#byTag.get(tag);
      if (!source || source.id !== id) return fail("no write made this tag");
      if (source.start > end) return fail("the read saw a later write");
      const newer = this.#outlived(list, source, start, "any");
      if (newer) {
        fail(`it was replaced by acknowledged ${newer.kind} ${newer.tags}`);
      }
      return;
    }

    // Nothing there: made by a delete, or by no write having landed yet.
    const origins: Mutation[] = [
      { id, kind: "delete", tags: [], start: 0, end: 0, acknowledged: true },
      ...list.filter((m) => m.kind === "delete" && m.start <= end),
    ];
    const allowed = origins.some((origin) =>
      this.#outlived(list, origin, start, "write") === undefined
    );
    if (!allowed) fail("an acknowledged write is missing");
  }

  /** Check the final state of `id`: a read that starts after everything. */
  observeFinal(id: string, tag: string | null): void {
    this.observe(id, tag, Infinity, Infinity);
  }

  /** Every id that was written or deleted. */
  ids(): string[] {
    return [...this.#mutations.keys()];
  }

  /**
   * An acknowledged operation (of `kind`) that started after `source`
   * settled and settled itself before `readStart`, if any.
   */
  #outlived(
    list: Mutation[],
    source: Mutation,
    readStart: number,
    kind: "any" | "write",
  ): Mutation | undefined {
    return list.find((m) =>
      m.acknowledged && m !== source && m.start > source.end &&
      m.end < readStart && (kind === "any" || m.kind === kind)
    );
  }
}
