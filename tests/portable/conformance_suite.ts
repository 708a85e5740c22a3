/**
 * The backend conformance suite, written once: every backend runs these
 * cases unchanged, under `Deno.test` (tests/conformance.ts) or under the
 * portable harness on Node, Bun and workerd (tests/portable/).
 *
 * `conditional: false` marks a backend (s3rver) that ignores conditional
 * writes: its condition tests still run, as known-unsupported, and must keep
 * failing there so we notice the day they start to pass.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Backend } from "../../src/backends/backend.ts";
import { CredboxError } from "../../src/errors.ts";

/** A fresh, empty backend and how to dispose of it. */
export interface BackendFixture {
  /** The backend under test. */
  backend: Backend;
  /** Called after the case, pass or fail. */
  close?: () => Promise<void> | void;
}

/** Options of {@linkcode conformanceCases}. */
export interface ConformanceOptions {
  /** False when the backend is known to ignore conditional writes. */
  conditional?: boolean;
}

/** One case of the suite, bound to its fixture. */
export interface ConformanceCase {
  /** `<label>: <behaviour>`. */
  name: string;
  /** Makes a fresh fixture, runs the case, disposes of the fixture. */
  fn: () => Promise<void>;
}

const bytes = (...values: number[]) => new Uint8Array(values);

async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(
      error instanceof CredboxError,
      `expected CredboxError, got ${error}`,
    );
    assert.equal(error.code, code);
    return true;
  });
}

/**
 * Every case of the suite, named `<label>: ...`, each making its own
 * backend with `make`; the caller registers them with its test runner.
 *
 * @example Run the suite on the memory backend
 * ```ts
 * import { MemoryBackend } from "../../src/backends/memory.ts";
 * import { conformanceCases } from "./conformance_suite.ts";
 *
 * const cases = conformanceCases(
 *   "memory",
 *   () => Promise.resolve({ backend: new MemoryBackend() }),
 * );
 * for (const { fn } of cases.slice(0, 2)) await fn();
 * ```
 */
export function conformanceCases(
  label: string,
  make: () => Promise<BackendFixture>,
  options: ConformanceOptions = {},
): ConformanceCase[] {
  const conditional = options.conditional ?? true;
  const cases: ConformanceCase[] = [];

  function test(
    name: string,
    fn: (backend: Backend) => Promise<void>,
    needsConditions = false,
  ): void {
    cases.push({
      name: `${label}: ${name}`,
      async fn() {
        const fixture = await make();
        try {
          if (needsConditions && !conditional) {
            // Known unsupported: the backend accepts what it should refuse.
            await assert.rejects(fn(fixture.backend));
          } else {
            await fn(fixture.backend);
          }
        } finally {
          await fixture.close?.();
        }
      },
    });
  }

  test("get of a missing name is undefined", async (backend) => {
    assert.equal(await backend.get("nobody"), undefined);
  });

  test("put then get returns the same bytes and version", async (backend) => {
    const { version } = await backend.put("ana@example.com", bytes(1, 2, 3));
    assert.equal(typeof version, "string");
    const got = await backend.get("ana@example.com");
    assert.ok(got);
    assert.deepEqual([...got.bytes], [1, 2, 3]);
    assert.equal(got.version, version);
  });

  test("empty and binary payloads round-trip exactly", async (backend) => {
    const all = new Uint8Array(256).map((_, i) => i);
    await backend.put("bin", all);
    assert.deepEqual([...(await backend.get("bin"))!.bytes], [...all]);
    await backend.put("empty", new Uint8Array(0));
    assert.equal((await backend.get("empty"))!.bytes.length, 0);
  });

  test("an overwrite changes the version", async (backend) => {
    const a = await backend.put("x", bytes(1));
    const b = await backend.put("x", bytes(2));
    assert.notEqual(a.version, b.version);
    assert.deepEqual([...(await backend.get("x"))!.bytes], [2]);
  });

  test("escaped names are distinct objects", async (backend) => {
    await backend.put("%41na", bytes(1));
    await backend.put("ana", bytes(2));
    await backend.put("%2E%2E", bytes(3));
    assert.deepEqual([...(await backend.get("%41na"))!.bytes], [1]);
    assert.deepEqual([...(await backend.get("ana"))!.bytes], [2]);
    assert.deepEqual([...(await backend.get("%2E%2E"))!.bytes], [3]);
  });

  test("delete reports whether the name existed", async (backend) => {
    await backend.put("gone", bytes(1));
    assert.equal(await backend.delete("gone"), true);
    assert.equal(await backend.get("gone"), undefined);
    assert.equal(await backend.delete("gone"), false);
    // On S3 this takes a conditional delete (If-Match: *), so it counts as a
    // condition test: s3rver ignores the header and always says "existed".
  }, true);

  test("put with ifVersion null creates only", async (backend) => {
    await backend.put("once", bytes(1), { ifVersion: null });
    await rejectsWith(
      backend.put("once", bytes(2), { ifVersion: null }),
      "CONFLICT",
    );
    assert.deepEqual([...(await backend.get("once"))!.bytes], [1]);
  }, true);

  test("put with the current version succeeds", async (backend) => {
    const a = await backend.put("cas", bytes(1));
    const b = await backend.put("cas", bytes(2), { ifVersion: a.version });
    assert.notEqual(a.version, b.version);
    assert.equal((await backend.get("cas"))!.version, b.version);
  });

  test(
    "put with a stale version is CONFLICT and writes nothing",
    async (backend) => {
      const a = await backend.put("cas", bytes(1));
      await backend.put("cas", bytes(2), { ifVersion: a.version });
      await rejectsWith(
        backend.put("cas", bytes(3), { ifVersion: a.version }),
        "CONFLICT",
      );
      assert.deepEqual([...(await backend.get("cas"))!.bytes], [2]);
    },
    true,
  );

  test("put with a version on a missing name is CONFLICT", async (backend) => {
    const a = await backend.put("tmp", bytes(1));
    await backend.delete("tmp");
    await rejectsWith(
      backend.put("tmp", bytes(2), { ifVersion: a.version }),
      "CONFLICT",
    );
    assert.equal(await backend.get("tmp"), undefined);
  }, true);

  test(
    "delete with a stale version is CONFLICT and keeps the object",
    async (backend) => {
      const a = await backend.put("keep", bytes(1));
      const b = await backend.put("keep", bytes(2));
      await rejectsWith(
        backend.delete("keep", { ifVersion: a.version }),
        "CONFLICT",
      );
      assert.equal((await backend.get("keep"))!.version, b.version);
      assert.equal(
        await backend.delete("keep", { ifVersion: b.version }),
        true,
      );
    },
    true,
  );

  test("concurrent creates: exactly one wins", async (backend) => {
    const results = await Promise.allSettled(
      Array.from(
        { length: 8 },
        (_, i) => backend.put("race", bytes(i), { ifVersion: null }),
      ),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    assert.equal(won.length, 1);
    for (const r of results) {
      if (r.status === "rejected") {
        assert.ok(r.reason instanceof CredboxError);
        assert.equal(r.reason.code, "CONFLICT");
      }
    }
  }, true);

  test("list is sorted, filtered by prefix and paginated", async (backend) => {
    const names = ["b1", "a2", "a1", "c", "a3", "ab"];
    for (const name of names) await backend.put(name, bytes(1));
    const all = await backend.list();
    assert.deepEqual(all.names, [...names].sort());
    assert.equal(all.cursor, undefined);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await backend.list({ prefix: "a", limit: 2, cursor });
      assert.ok(page.names.length <= 2);
      seen.push(...page.names);
      cursor = page.cursor;
    } while (cursor);
    assert.deepEqual(seen, ["a1", "a2", "a3", "ab"]);
  });

  test("list of an empty store is empty", async (backend) => {
    assert.deepEqual((await backend.list()).names, []);
    assert.deepEqual((await backend.list({ prefix: "zz" })).names, []);
  });

  test("list pages of 1,000 cover 2,500 names once each", async (backend) => {
    const want: string[] = [];
    for (let i = 0; i < 2500; i++) want.push(`n${String(i).padStart(5, "0")}`);
    for (let i = 0; i < want.length; i += 50) {
      await Promise.all(
        want.slice(i, i + 50).map((name) => backend.put(name, bytes(1))),
      );
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await backend.list({ cursor });
      seen.push(...page.names);
      cursor = page.cursor;
      pages++;
    } while (cursor);
    assert.deepEqual(seen, want);
    assert.ok(pages >= 3, `expected at least 3 pages, got ${pages}`);
  });

  return cases;
}
