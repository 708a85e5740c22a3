/**
 * Files and keys: what credbox writes is private even under a permissive
 * umask; keyring keys cannot be exported and data keys are unwrapped
 * non-extractable; API tokens are checked by their SHA-256, compared in
 * constant time against every configured entry.
 */

import assert from "node:assert/strict";
import { Keyring, open, seal } from "../mod.ts";
import { wrappingKey } from "../src/crypto/keyring.ts";
import { serviceUnderTest } from "./reliability_http.ts";

const posix = Deno.build.os !== "windows";
const writer = new URL("./fixtures/permissive_writer.ts", import.meta.url)
  .pathname;

/** Every path under `dir` with its permission bits. */
async function modes(dir: string, above = ""): Promise<[string, number][]> {
  const found: [string, number][] = [];
  for await (const entry of Deno.readDir(`${dir}/${above}`)) {
    const path = `${above}${entry.name}`;
    const mode = (await Deno.lstat(`${dir}/${path}`)).mode! & 0o777;
    found.push([entry.isDirectory ? `${path}/` : path, mode]);
    if (entry.isDirectory) found.push(...await modes(dir, `${path}/`));
  }
  return found;
}

Deno.test({
  name: "files: under umask 000 every folder is 0700 and every file 0600",
  ignore: !posix,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "credbox-modes-" });
    try {
      const output = await new Deno.Command("sh", {
        args: [
          "-c",
          'umask 000 && exec "$0" run -A "$1" "$2"',
          Deno.execPath(),
          writer,
          dir,
        ],
        env: { CREDBOX_KEYS: Keyring.newEntry("k1") },
        stderr: "piped",
      }).output();
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));

      const found = await modes(dir);
      const folders = found.filter(([path]) => path.endsWith("/"));
      const files = found.filter(([path]) => !path.endsWith("/"));
      assert.ok(folders.some(([path]) => path.endsWith(".d/")), "no subfolder");
      assert.ok(files.some(([path]) => path === "store/.lock"), "no lock");
      assert.ok(files.some(([path]) => path.startsWith("export/")));
      for (const [path, mode] of folders) {
        assert.equal(mode.toString(8), "700", path);
      }
      for (const [path, mode] of files) {
        assert.equal(mode.toString(8), "600", path);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("keys: keyring keys are non-extractable and only wrap", async () => {
  const keyring = await Keyring.parse(
    `${Keyring.newEntry("k1")},${Keyring.newEntry("k2")}`,
  );
  for (const id of keyring.ids) {
    const key = wrappingKey(keyring, id)!;
    assert.equal(key.extractable, false);
    assert.deepEqual([...key.usages].sort(), ["unwrapKey", "wrapKey"]);
    await assert.rejects(crypto.subtle.exportKey("raw", key));
  }
});

Deno.test("keys: a data key is unwrapped non-extractable, for decrypt only", async () => {
  const keyring = await Keyring.generate();
  const context = { namespace: "n", id: "ana" };
  const sealed = await seal(keyring, new Uint8Array([1, 2, 3]), context);

  const subtle = crypto.subtle;
  const original = subtle.unwrapKey;
  const made: CryptoKey[] = [];
  subtle.unwrapKey = async function (...args: Parameters<typeof original>) {
    const key = await original.apply(subtle, args);
    made.push(key);
    return key;
  };
  try {
    await open(keyring, sealed, context);
  } finally {
    subtle.unwrapKey = original;
  }
  assert.equal(made.length, 1);
  assert.equal(made[0].extractable, false);
  assert.deepEqual([...made[0].usages], ["decrypt"]);
  await assert.rejects(crypto.subtle.exportKey("raw", made[0]));
});

Deno.test("tokens: the API token check hashes first and compares every entry in constant time", async () => {
  // The comparison cannot be timed in a test without asserting on time, so
  // this reads the code path: the presented token is hashed, every entry
  // is compared with the byte-wise XOR fold, and the loop never exits early.
  const source = await Deno.readTextFile(
    new URL("../src/http/auth.ts", import.meta.url),
  );
  const verify = /verifyToken: \(presented, c\) => \{([\s\S]*?)\n {4}\},/
    .exec(source)?.[1];
  assert.ok(verify, "verifyToken not found in src/http/auth.ts");
  assert.match(verify, /const digest = sha256\(presented\);/);
  assert.match(verify, /for \(const token of tokens\) \{\s*if \(equalBytes\(/);
  assert.ok(!/break|return[^;]*;\s*\}\s*if/.test(verify.split("for (")[1]));
  assert.ok(!/presented\s*[!=]==/.test(verify), "the raw token is compared");
  const fold = /function equalBytes\([^)]*\): number \{([\s\S]*?)\n\}/.exec(
    source,
  )?.[1];
  assert.ok(fold, "equalBytes not found");
  assert.match(fold, /diff \|= a\[i\] \^ b\[i\]/);
  assert.ok(!/return 0;[\s\S]*for/.test(fold.split("for (")[1] ?? ""));

  // And the path is the one the app takes: a token of the right length
  // that differs only in its last character is refused like any other.
  const service = await serviceUnderTest();
  const good = service.tokens.admin;
  const near = good.slice(0, -1) + (good.endsWith("A") ? "B" : "A");
  for (const [token, status] of [[good, 200], [near, 401]] as const) {
    const res = await service.app.request("/v1/credentials", {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, status);
    await res.body?.cancel();
  }
  assert.ok(!service.entries.includes(good), "the config holds a raw token");
});
