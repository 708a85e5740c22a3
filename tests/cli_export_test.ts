import assert from "node:assert/strict";
import { credential, HARNESSES } from "./cli_harness.ts";

const IDS = ["ana@example.com", "bob+work@example.com", "Jörg@example.de"];

for (const [where, make] of HARNESSES) {
  Deno.test(`export --plaintext from ${where} writes 0600 MCP files in a 0700 folder that import reads back`, async () => {
    const h = await make();
    const out = await Deno.makeTempDir();
    try {
      const store = await h.store();
      for (const id of IDS) await store.save(id, credential(id));

      const target = `${out}/plain`;
      const result = await h.cli(["export", target, "--plaintext"]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^export: 3 exported, 0 failed\n$/m);

      const names: string[] = [];
      for await (const entry of Deno.readDir(target)) names.push(entry.name);
      assert.deepEqual(names.sort(), [
        "J%C3%B6rg@example.de.json",
        "ana@example.com.json",
        "bob%2Bwork@example.com.json",
      ]);
      assert.equal((await Deno.stat(target)).mode! & 0o777, 0o700);
      for (const name of names) {
        const info = await Deno.stat(`${target}/${name}`);
        assert.equal(info.mode! & 0o777, 0o600, name);
      }
      const bob = JSON.parse(
        await Deno.readTextFile(`${target}/bob%2Bwork@example.com.json`),
      );
      assert.deepEqual(bob, credential("bob+work@example.com"));

      // An existing file is kept unless --overwrite.
      const again = await h.cli(["export", target, "--plaintext"]);
      assert.equal(again.code, 1);
      assert.match(again.stdout, /the file exists; --overwrite replaces it/);
      const forced = await h.cli([
        "export",
        target,
        "--plaintext",
        "--overwrite",
      ]);
      assert.equal(forced.code, 0);

      // What export writes, import takes back as it was.
      const back = await h.cli(["import", target]);
      assert.equal(back.code, 0);
      assert.match(back.stdout, /0 imported, 3 unchanged/);
    } finally {
      await Deno.remove(out, { recursive: true });
      await h.close();
    }
  });
}

Deno.test("export without --plaintext is a usage error and writes nothing", async () => {
  const [, make] = HARNESSES[0];
  const h = await make();
  try {
    const store = await h.store();
    await store.save("ana", credential("ana"));
    const target = `${h.env.TMP}/plain`;
    const result = await h.cli(["export", target]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /pass --plaintext to confirm/);
    await assert.rejects(Deno.stat(target), Deno.errors.NotFound);
  } finally {
    await h.close();
  }
});
