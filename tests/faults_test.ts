/**
 * The store over an S3 that fails: 8 workers make mixed saves, updates,
 * loads and deletes while the fake S3 throttles, fails, drops and stalls a
 * fifth of the requests, and a lossy link loses some responses after S3
 * acted on them and cuts some bodies short. Every operation must succeed
 * or raise a `CredboxError`; every state read must be one the acknowledged
 * operations allow (see `faults_ledger.ts`), and so must the final one.
 *
 * Bounds: 600 operations or 4 s per run by default; 20,000 operations or
 * 120 s with `CREDBOX_LONG=1`.
 */

import assert from "node:assert/strict";
import { CredentialStore, Keyring } from "../mod.ts";
import { S3Backend } from "../src/backends/s3.ts";
import type { CredboxErrorCode } from "../src/errors.ts";
import { createFakeS3, type FakeS3 } from "../src/testing/mod.ts";
import { Ledger } from "./faults_ledger.ts";
import {
  bound,
  expectCode,
  report,
  runSeed,
  seededRandom,
} from "./reliability_helpers.ts";

const WORKERS = 8;
const IDS = Array.from({ length: 12 }, (_, i) => `user${i}@example.com`);
const FAULT_RATE = 0.2;
const LOST_RATE = 0.04;
const CUT_RATE = 0.04;

type Fetch = FakeS3["fetch"];

/**
 * A link that, while `on()`, loses the response of some requests after
 * S3 acted on them and cuts the body of some GET responses in half.
 */
function lossyLink(fetch: Fetch, random: () => number, on: () => boolean) {
  const counts = { lost: 0, cut: 0 };
  const link: Fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (!on()) return response;
    const roll = random();
    if (roll < LOST_RATE) {
      counts.lost++;
      await response.body?.cancel();
      throw new TypeError("lossy link: response lost");
    }
    const isGet = (init?.method ?? "GET") === "GET";
    if (roll < LOST_RATE + CUT_RATE && isGet && response.status === 200) {
      counts.cut++;
      const bytes = new Uint8Array(await response.arrayBuffer());
      const half = bytes.subarray(0, bytes.length >> 1);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(half);
          controller.error(new TypeError("lossy link: body cut off"));
        },
      });
      return new Response(body, {
        status: response.status,
        headers: response.headers,
      });
    }
    return response;
  };
  return { fetch: link, counts };
}

interface RunOptions {
  /** Every worker has its own store (an instance each), with no cache. */
  instances: boolean;
  maxOps: number;
  maxMs: number;
}

async function runWorkers(options: RunOptions) {
  const seed = runSeed();
  const random = seededRandom(seed);
  let faulty = true;
  const s3 = createFakeS3({
    faults: {
      rate: FAULT_RATE,
      slowMs: 40,
      random: () => faulty ? random() : 1,
    },
  });
  const link = lossyLink(s3.fetch, random, () => faulty);
  const keyring = await Keyring.generate();
  const backend = () =>
    new S3Backend({
      bucket: "creds",
      region: "eu-west-1",
      credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
      fetch: link.fetch,
      timeoutMs: 2_000,
    });
  const makeStore = () =>
    new CredentialStore({
      backend: backend(),
      keyring,
      namespace: "faults",
      cache: options.instances ? false : { ttlMs: 60_000, maxEntries: 100 },
    });
  const shared = makeStore();
  const stores = Array.from(
    { length: WORKERS },
    () => options.instances ? makeStore() : shared,
  );

  const ledger = new Ledger();
  const ops: Record<string, number> = {};
  const errors: Partial<Record<CredboxErrorCode, number>> = {};
  const started = performance.now();
  let done = 0;
  const more = () =>
    done < options.maxOps && performance.now() - started < options.maxMs;
  const credential = (tag: string) => ({
    token: `ya29.${tag}`,
    refresh_token: "1//faults",
    expiry: null,
    tag,
  });
  const tagOf = (found: { credential: Record<string, unknown> } | undefined) =>
    found === undefined ? null : String(found.credential.tag);

  async function step(store: CredentialStore, worker: number): Promise<void> {
    const id = IDS[Math.floor(random() * IDS.length)];
    const roll = random();
    const kind = roll < 0.3
      ? "load"
      : roll < 0.5
      ? "save"
      : roll < 0.65
      ? "cas"
      : roll < 0.85
      ? "update"
      : "delete";
    ops[kind] = (ops[kind] ?? 0) + 1;
    const what = `worker ${worker} ${kind} ${id} (seed ${seed})`;

    if (kind === "load") {
      const start = ledger.tick();
      try {
        const found = await store.load(id);
        ledger.observe(id, tagOf(found), start, ledger.tick());
      } catch (error) {
        count(expectCode(error, ["BACKEND"], what));
      }
      return;
    }

    // A compare-and-set reads first; the read is checked like any other.
    let ifVersion: string | null | undefined;
    if (kind === "cas" || (kind === "delete" && random() < 0.5)) {
      const start = ledger.tick();
      try {
        const found = await store.load(id);
        ledger.observe(id, tagOf(found), start, ledger.tick());
        ifVersion = found?.version ?? null;
      } catch (error) {
        count(expectCode(error, ["BACKEND"], what));
        return;
      }
      if (kind === "delete" && ifVersion === null) return;
    }

    const mutation = ledger.begin(id, kind === "delete" ? "delete" : "write");
    try {
      if (kind === "delete") {
        await store.delete(
          id,
          ifVersion ? { ifVersion } : {},
        );
      } else if (kind === "update") {
        await store.update(id, () => {
          const tag = ledger.newTag();
          ledger.tag(mutation, tag);
          return credential(tag);
        }, { attempts: 4 });
      } else {
        const tag = ledger.newTag();
        ledger.tag(mutation, tag);
        const condition = kind === "cas" ? { ifVersion } : {};
        await store.save(id, credential(tag), condition);
      }
      ledger.settle(mutation, true);
    } catch (error) {
      ledger.settle(mutation, false);
      count(expectCode(error, ["CONFLICT", "BACKEND"], what));
    }
  }

  function count(code: CredboxErrorCode): void {
    errors[code] = (errors[code] ?? 0) + 1;
  }

  await Promise.all(stores.map(async (store, worker) => {
    while (more()) {
      await step(store, worker);
      done++;
    }
  }));
  const elapsedMs = Math.round(performance.now() - started);

  // The final check reads through a fresh instance with the faults off.
  faulty = false;
  const checker = makeStore();
  for (const id of IDS) {
    ledger.observeFinal(id, tagOf(await checker.load(id)));
  }
  const names = [...s3.objects.keys()].map((key) => key.slice("creds/".length))
    .sort();
  const known = new Set(IDS);
  assert.ok(
    names.every((name) => known.has(name)),
    `objects under unknown names: ${names}`,
  );

  const injected: Record<string, number> = {};
  for (const entry of s3.requests.entries) {
    if (entry.fault) injected[entry.fault] = (injected[entry.fault] ?? 0) + 1;
  }
  return {
    seed,
    ledger,
    figures: {
      ops: done,
      elapsedMs,
      byKind: ops,
      errors,
      acknowledged: ledger.counts(),
      requests: s3.requests.count(),
      injected,
      lostResponses: link.counts.lost,
      cutBodies: link.counts.cut,
      records: names.length,
    },
  };
}

function assertClean(
  result: Awaited<ReturnType<typeof runWorkers>>,
  name: string,
): void {
  report(name, result.figures);
  assert.deepEqual(
    result.ledger.violations,
    [],
    `seed ${result.seed}: states the ledger does not allow`,
  );
  const { acknowledged, injected } = result.figures;
  assert.ok(acknowledged.writes > 0, "no write was acknowledged");
  assert.ok(Object.keys(injected).length > 0, "no fault was injected");
}

Deno.test(
  "faults: 8 store instances under 20% S3 faults lose no acknowledged write",
  async () => {
    const result = await runWorkers({
      instances: true,
      maxOps: bound(600, 20_000),
      maxMs: bound(4_000, 120_000),
    });
    assertClean(result, "faults/instances");
  },
);

Deno.test(
  "faults: 8 workers on one cached store under 20% S3 faults read no stale record",
  async () => {
    const result = await runWorkers({
      instances: false,
      maxOps: bound(600, 20_000),
      maxMs: bound(4_000, 120_000),
    });
    assertClean(result, "faults/shared-cache");
  },
);

Deno.test("faults: the ledger flags an acknowledged write that went missing", () => {
  const ledger = new Ledger();
  const first = ledger.begin("a", "write");
  ledger.tag(first, "w1");
  ledger.settle(first, true);
  const second = ledger.begin("a", "write");
  ledger.tag(second, "w2");
  ledger.settle(second, true);

  ledger.observeFinal("a", "w2");
  assert.equal(ledger.violations.length, 0);
  ledger.observeFinal("a", "w1");
  ledger.observeFinal("a", null);
  ledger.observeFinal("a", "w9");
  assert.deepEqual(
    ledger.violations.map((v) => v.observed),
    ["w1", null, "w9"],
  );
});
