import assert from "node:assert/strict";
import { credential, HARNESSES, leakedSecret } from "./cli_harness.ts";

const encoder = new TextEncoder();

function stdinOf(value: unknown): () => Promise<Uint8Array> {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return () => Promise.resolve(encoder.encode(text));
}

for (const [where, make] of HARNESSES) {
  Deno.test(`put, get, list and delete one credential on ${where}`, async () => {
    const h = await make();
    try {
      const ana = credential("ana");
      const put = await h.cli(["put", "ana@example.com", "-"], {
        stdin: stdinOf(ana),
      });
      assert.equal(put.code, 0, put.stderr);
      assert.match(put.stdout, /^saved ana@example.com \(version .+\)\n$/);
      await h.cli(["put", "bob@example.com", "-"], {
        stdin: stdinOf(credential("bob")),
      });

      const get = await h.cli(["get", "ana@example.com"]);
      assert.equal(get.code, 0, get.stderr);
      const shown = JSON.parse(get.stdout);
      assert.equal(shown.token, "[redacted]");
      assert.equal(shown.refresh_token, "[redacted]");
      assert.equal(shown.client_secret, "[redacted]");
      assert.equal(shown.client_id, ana.client_id);
      assert.equal(leakedSecret(get.stdout + get.stderr), undefined);
      assert.match(get.stderr, /^version /);

      const secrets = await h.cli(["get", "ana@example.com", "--show-secrets"]);
      assert.deepEqual(JSON.parse(secrets.stdout), ana);

      const list = await h.cli(["list"]);
      assert.equal(list.stdout, "ana@example.com\nbob@example.com\n");
      const some = await h.cli(["list", "--prefix", "b"]);
      assert.equal(some.stdout, "bob@example.com\n");

      const del = await h.cli(["delete", "ana@example.com"]);
      assert.equal(del.code, 0);
      assert.equal(del.stdout, "deleted ana@example.com\n");
      const gone = await h.cli(["get", "ana@example.com"]);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /no credential is stored under/);
      assert.equal((await h.cli(["delete", "ana@example.com"])).code, 1);
    } finally {
      await h.close();
    }
  });

  Deno.test(`put --create and --if-version never overwrite a newer record on ${where}`, async () => {
    const h = await make();
    try {
      const first = await h.cli(["put", "ana", "-", "--create"], {
        stdin: stdinOf(credential("first")),
      });
      assert.equal(first.code, 0);
      const again = await h.cli(["put", "ana", "-", "--create"], {
        stdin: stdinOf(credential("second")),
      });
      assert.equal(again.code, 1);
      assert.match(again.stderr, /CONFLICT/);

      const version = /version (\S+)\)/.exec(first.stdout)![1];
      const cas = await h.cli(["put", "ana", "-", "--if-version", version], {
        stdin: stdinOf(credential("third")),
      });
      assert.equal(cas.code, 0, cas.stderr);
      const stale = await h.cli(["put", "ana", "-", "--if-version", version], {
        stdin: stdinOf(credential("fourth")),
      });
      assert.equal(stale.code, 1);
      const now = await h.cli(["get", "ana", "--show-secrets"]);
      assert.equal(JSON.parse(now.stdout).token, "ya29.secret-access-third");
    } finally {
      await h.close();
    }
  });
}

Deno.test("put reads a file and rejects bad JSON without quoting it", async () => {
  const [, make] = HARNESSES[0];
  const h = await make();
  try {
    const file = `${h.env.TMP}/ana.json`;
    await Deno.writeTextFile(file, JSON.stringify(credential("ana")));
    assert.equal((await h.cli(["put", "ana", file])).code, 0);

    const broken = await h.cli(["put", "bob", "-"], {
      stdin: stdinOf('{"token": "ya29.secret-in-broken-json'),
    });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /stdin is not valid UTF-8 JSON/);
    assert.equal(leakedSecret(broken.stderr), undefined);

    const invalid = await h.cli(["put", "bob", "-"], {
      stdin: stdinOf({ token: 42, client_secret: "GOCSPX-x" }),
    });
    assert.equal(invalid.code, 1);
    assert.match(
      invalid.stderr,
      /'token' must be a string.*INVALID_CREDENTIAL/,
    );
    assert.equal(leakedSecret(invalid.stderr), undefined);
  } finally {
    await h.close();
  }
});

Deno.test("a command that needs a store and has none is a usage error", async () => {
  const [, make] = HARNESSES[0];
  const h = await make();
  try {
    const none = await h.cli(["list"], { env: { CREDBOX_STORE: "" } });
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /no store: pass --store URL or set CREDBOX_STORE/,
    );

    const flag = await h.cli(["list", "--store", "memory:"], {
      env: { CREDBOX_STORE: "" },
    });
    assert.equal(flag.code, 0);

    const noKeys = await h.cli(["list"], { env: { CREDBOX_KEYS: "" } });
    assert.equal(noKeys.code, 1);
    assert.match(noKeys.stderr, /CREDBOX_KEYS.*INVALID_CONFIG/);
  } finally {
    await h.close();
  }
});

Deno.test("--namespace keeps records apart: one sealed elsewhere does not open", async () => {
  const [, make] = HARNESSES[0];
  const h = await make();
  try {
    await h.cli(["put", "ana", "-"], { stdin: stdinOf(credential("ana")) });
    const other = await h.cli(["get", "ana", "--namespace", "other"]);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /DECRYPT_FAILED/);
  } finally {
    await h.close();
  }
});
