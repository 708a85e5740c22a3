import assert from "node:assert/strict";
import { Keyring, sealedKeyId, storageName } from "../mod.ts";
import { credential, type Harness, HARNESSES, K1, K2 } from "./cli_harness.ts";

const IDS = ["ana", "bob", "carol", "dave", "erin", "frank"];
const ROTATED = `${K2},${K1}`;

/** Six records sealed under k1. */
async function seed(h: Harness): Promise<void> {
  const store = await h.store(K1);
  for (const id of IDS) await store.save(id, credential(id));
}

/** Key id of each record, read from its header. */
async function keyIds(h: Harness): Promise<Record<string, string | undefined>> {
  const store = await h.store(ROTATED);
  const out: Record<string, string | undefined> = {};
  for (const id of IDS) {
    const found = await store.backend.get(storageName(id));
    out[id] = found && sealedKeyId(found.bytes);
  }
  return out;
}

/** A clock that moves a second per reading, so every progress step draws. */
function ticking(): () => number {
  let now = 0;
  return () => now += 1000;
}

for (const [where, make] of HARNESSES) {
  Deno.test(`rotate on ${where} re-seals every record under the new primary and keeps the plaintext`, async () => {
    const h = await make();
    try {
      await seed(h);
      const env = { CREDBOX_KEYS: ROTATED };
      const before = await h.cli(["verify"], { env });
      assert.equal(before.code, 0);
      assert.match(before.stdout, /^verify: 6 records, 6 open, 0 failed$/m);
      assert.match(before.stdout, /^ {2}key k1: 6$/m);
      assert.match(before.stdout, /6 records are not under the primary key/);

      const result = await h.cli(["rotate"], { env });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(
        result.stdout,
        /^rotate: 6 records to key 'k2': 6 re-sealed, 0 already current, 0 failed in \d+\.\d s\n$/,
      );
      assert.equal(result.stderr, "", "no progress bar when piped");
      assert.ok(Object.values(await keyIds(h)).every((k) => k === "k2"));

      const store = await h.store(ROTATED);
      for (const id of IDS) {
        assert.deepEqual((await store.load(id))?.credential, credential(id));
      }
      const after = await h.cli(["verify"], { env });
      assert.match(after.stdout, /^ {2}key k2 \(primary\): 6$/m);
      assert.doesNotMatch(after.stdout, /k1/);
    } finally {
      await h.close();
    }
  });
}

Deno.test("a rotation interrupted halfway on a temp folder resumes on the next run", async () => {
  const [, make] = HARNESSES[0];
  const h = await make();
  try {
    await seed(h);
    const controller = new AbortController();
    let draws = 0;
    const first = await h.cli(["rotate"], {
      env: { CREDBOX_KEYS: ROTATED },
      stderrIsTerminal: true,
      now: ticking(),
      signal: controller.signal,
      // The progress bar draws once per record: stop after the third.
      stderr: (text) => {
        if (text.startsWith("\r") && ++draws === 3) controller.abort();
      },
    });
    assert.equal(first.code, 1);
    assert.match(
      first.stdout,
      /3 re-sealed, 0 already current, 0 failed, 3 not reached/,
    );
    assert.match(first.stderr, /\rrotate \[#{12}-{12}\] 3\/6 /);
    assert.match(first.stderr, /interrupted; run it again to finish/);
    const halfway = Object.values(await keyIds(h));
    assert.deepEqual(halfway.sort(), ["k1", "k1", "k1", "k2", "k2", "k2"]);

    const second = await h.cli(["rotate"], { env: { CREDBOX_KEYS: ROTATED } });
    assert.equal(second.code, 0);
    assert.match(second.stdout, /3 re-sealed, 3 already current, 0 failed/);
    assert.ok(Object.values(await keyIds(h)).every((k) => k === "k2"));

    const third = await h.cli(["rotate"], { env: { CREDBOX_KEYS: ROTATED } });
    assert.match(third.stdout, /0 re-sealed, 6 already current/);
  } finally {
    await h.close();
  }
});

Deno.test("a rotation interrupted halfway on the fake S3 resumes on the next run", async () => {
  const [, make] = HARNESSES[1];
  const h = await make();
  try {
    await seed(h);
    const controller = new AbortController();
    let puts = 0;
    const fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const response = await h.s3!.fetch(input, init);
      if (init?.method === "PUT" && ++puts === 3) controller.abort();
      return response;
    };
    const first = await h.cli(["rotate"], {
      env: { CREDBOX_KEYS: ROTATED },
      fetch,
      signal: controller.signal,
    });
    assert.equal(first.code, 1);
    assert.match(first.stdout, /3 re-sealed, .*3 not reached/);

    const second = await h.cli(["rotate"], { env: { CREDBOX_KEYS: ROTATED } });
    assert.equal(second.code, 0);
    assert.match(second.stdout, /3 re-sealed, 3 already current, 0 failed/);
    const verify = await h.cli(["verify"], { env: { CREDBOX_KEYS: ROTATED } });
    assert.match(verify.stdout, /^ {2}key k2 \(primary\): 6$/m);
  } finally {
    await h.close();
  }
});

Deno.test("rotate never overwrites a write that lands between its read and its write", async () => {
  const [, make] = HARNESSES[1];
  const h = await make();
  try {
    await seed(h);
    const writer = await h.store(ROTATED);
    let raced = false;
    const fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const response = await h.s3!.fetch(input, init);
      const url = String(input instanceof Request ? input.url : input);
      if (
        !raced && (init?.method ?? "GET") === "GET" &&
        /\/prod\/ana(\?|$)/.test(url)
      ) {
        raced = true;
        await writer.save("ana", credential("concurrent"));
      }
      return response;
    };
    const result = await h.cli(["rotate"], {
      env: { CREDBOX_KEYS: ROTATED },
      fetch,
    });
    assert.ok(raced);
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /5 re-sealed, 1 already current, 0 failed/);
    const ana = await writer.load("ana");
    assert.equal(ana?.credential.token, "ya29.secret-access-concurrent");
  } finally {
    await h.close();
  }
});

Deno.test("rotate draws a progress bar on a terminal and only a summary when piped", async () => {
  const [, make] = HARNESSES[0];
  const h = await make();
  try {
    await seed(h);
    const tty = await h.cli(["rotate"], {
      env: { CREDBOX_KEYS: ROTATED },
      stderrIsTerminal: true,
      now: ticking(),
    });
    assert.match(tty.stderr, /^\rrotate \[#{4}-{20}\] 1\/6 /);
    assert.match(tty.stderr, /\rrotate \[#{24}\] 6\/6 6 re-sealed/);
    assert.ok(tty.stderr.endsWith("\x1b[K\n"), "the bar's line is ended");
    assert.equal(tty.stdout.split("\n").length, 2, "one summary line");

    const piped = await h.cli(["rotate"], { env: { CREDBOX_KEYS: ROTATED } });
    assert.equal(piped.stderr, "");
    assert.match(
      piped.stdout,
      /^rotate: 6 records to key 'k2': 0 re-sealed, 6 already current, 0 failed in [\d.]+ s\n$/,
    );
  } finally {
    await h.close();
  }
});

for (const [where, make] of HARNESSES) {
  Deno.test(`verify on ${where} names a tampered record and one under an unknown key, and exits 1`, async () => {
    const h = await make();
    try {
      await seed(h);
      const k3 = await h.store(Keyring.newEntry("k3"));
      await k3.save("zed", credential("zed"));

      // Flip one bit in the last byte (the GCM tag) of bob's record.
      if (h.s3) {
        const object = h.s3.objects.get("creds/prod/bob")!;
        object.bytes[object.bytes.length - 1] ^= 1;
      } else {
        const path = `${new URL(h.env.CREDBOX_STORE).pathname}/bob.cbx`;
        const bytes = await Deno.readFile(path);
        bytes[bytes.length - 1] ^= 1;
        await Deno.writeFile(path, bytes);
      }

      const result = await h.cli(["verify"]);
      assert.equal(result.code, 1);
      assert.match(result.stdout, /^verify: 7 records, 5 open, 2 failed$/m);
      assert.match(result.stdout, /^ {2}key k1 \(primary\): 6$/m);
      assert.match(result.stdout, /^ {2}key k3: 1$/m);
      assert.match(
        result.stdout,
        /^failed {2}bob: Cannot open record: .* \(DECRYPT_FAILED\)$/m,
      );
      assert.match(result.stdout, /^failed {2}zed: .*'k3'.* \(UNKNOWN_KEY\)$/m);
      assert.doesNotMatch(
        result.stdout,
        /^failed {2}(ana|carol|dave|erin|frank)/m,
      );

      // rotate reports the same two and re-seals nothing it cannot open.
      const rotate = await h.cli(["rotate"], {
        env: { CREDBOX_KEYS: ROTATED },
      });
      assert.equal(rotate.code, 1);
      assert.match(rotate.stdout, /5 re-sealed, 0 already current, 2 failed/);
      assert.match(rotate.stdout, /^failed {2}bob: /m);
    } finally {
      await h.close();
    }
  });
}
