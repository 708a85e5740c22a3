/**
 * Writers killed mid-write: two child processes count up the same fs
 * records with compare-and-set saves and are each killed with SIGKILL at a
 * random moment, round after round. After every round each record must
 * open, hold at least the highest count acknowledged so far, and exceed it
 * by no more than the writes that were in flight; no count may be
 * acknowledged twice; and nothing but records, the lock file and leftover
 * temp files may be in the folder.
 *
 * Bounds: 20 rounds (40 kills) by default; 100 rounds (200 kills) with
 * `CREDBOX_LONG=1`.
 */

import assert from "node:assert/strict";
import { CredentialStore, Keyring } from "../mod.ts";
import { FsBackend } from "../src/backends/fs.ts";
import {
  bound,
  percentile,
  report,
  runSeed,
  seededRandom,
} from "./reliability_helpers.ts";

const CHILDREN = 2;
const IDS = 3;
const writer = new URL("./fixtures/crash_writer.ts", import.meta.url).pathname;

interface Killed {
  acks: { id: string; n: number }[];
  ready: boolean;
}

/** Start a writer, kill it `afterMs` after it is ready, collect its acks. */
async function killedWriter(
  dir: string,
  keys: string,
  afterMs: number,
): Promise<Killed> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", writer, dir, String(IDS)],
    env: { CREDBOX_KEYS: keys },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();

  let text = "";
  let ready = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    text += decoder.decode(chunk, { stream: true });
    if (!ready && text.includes("ready\n")) {
      ready = true;
      timer = setTimeout(() => child.kill("SIGKILL"), afterMs);
    }
  }
  clearTimeout(timer);
  const status = await child.status;
  const errors = await stderr;
  assert.equal(status.signal, "SIGKILL", `the writer stopped: ${errors}`);

  // A line without its newline was cut by the kill: it was never said.
  const lines = text.split("\n").slice(0, -1);
  const acks = lines.filter((line) => line.startsWith("ack ")).map((line) => {
    const [, id, n] = line.split(" ");
    return { id, n: Number(n) };
  });
  return { acks, ready };
}

Deno.test({
  name: "crash: writers killed with SIGKILL never tear or lose a record",
  ignore: Deno.build.os === "windows",
  async fn() {
    const seed = runSeed();
    const random = seededRandom(seed);
    const rounds = bound(20, 100);
    const keys = Keyring.newEntry("k1");
    const dir = await Deno.makeTempDir({ prefix: "credbox-crash-" });
    const store = new CredentialStore({
      backend: new FsBackend({ dir }),
      keyring: await Keyring.parse(keys),
      namespace: "crash",
      cache: false,
    });
    const ids = Array.from({ length: IDS }, (_, i) => `user${i}`);
    const floor = new Map(ids.map((id) => [id, 0]));
    let acknowledged = 0;
    let unacknowledgedLanded = 0;
    let leftoverTemps = 0;
    const ackedPerRound: number[] = [];
    const started = performance.now();

    try {
      for (let round = 1; round <= rounds; round++) {
        const where = `round ${round} (seed ${seed})`;
        const killed = await Promise.all(
          Array.from(
            { length: CHILDREN },
            () => killedWriter(dir, keys, Math.floor(random() * 80)),
          ),
        );

        const acks = killed.flatMap((k) => k.acks);
        acknowledged += acks.length;
        ackedPerRound.push(acks.length);
        const seen = new Set<string>();
        for (const { id, n } of acks) {
          const key = `${id}#${n}`;
          assert.ok(!seen.has(key), `${where}: ${key} acknowledged twice`);
          seen.add(key);
        }

        for (const id of ids) {
          const highest = Math.max(
            floor.get(id)!,
            ...acks.filter((a) => a.id === id).map((a) => a.n),
          );
          // Throws DECRYPT_FAILED for a torn record.
          const record = await store.load(id);
          const n = Number(record?.credential.n ?? 0);
          assert.ok(
            n >= highest,
            `${where}: ${id} holds ${n}, but ${highest} was acknowledged`,
          );
          assert.ok(
            n <= highest + CHILDREN,
            `${where}: ${id} holds ${n}, more than ${highest} + in flight`,
          );
          const token = record?.credential.token ?? "ya29.crash-0";
          assert.equal(token, `ya29.crash-${n}`, `${where}: ${id} is mixed`);
          unacknowledgedLanded += n - highest;
          floor.set(id, n);
        }

        leftoverTemps = 0;
        for await (const entry of Deno.readDir(dir)) {
          const name = entry.name;
          if (name.startsWith(".tmp-")) {
            leftoverTemps++;
            continue;
          }
          assert.ok(
            name === ".lock" || /^user\d\.cbx$/.test(name),
            `${where}: unexpected file ${name}`,
          );
        }
      }

      // A killed writer leaves at most its writes in flight as temp files.
      assert.ok(leftoverTemps <= rounds * CHILDREN * IDS);
      const listed = [];
      for await (const id of store.list()) listed.push(id);
      assert.deepEqual(listed, ids.filter((id) => floor.get(id)! > 0));
      assert.ok(acknowledged > 0, "no write was ever acknowledged");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }

    report("crash", {
      seed,
      kills: rounds * CHILDREN,
      acknowledged,
      unacknowledgedLanded,
      leftoverTemps,
      acksPerRoundP50: percentile(ackedPerRound, 50),
      finalCounts: Object.fromEntries(floor),
      elapsedMs: Math.round(performance.now() - started),
    });
  },
});
