import assert from "node:assert/strict";
import { FsBackend } from "../src/backends/fs.ts";
import { CredboxError } from "../src/errors.ts";
import { backendConformance } from "./conformance.ts";
import { counterValue, increment } from "./fixtures/cas_counter.ts";

backendConformance("fs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "credbox-fs-" });
  return {
    backend: new FsBackend({ dir }),
    close: () => Deno.remove(dir, { recursive: true }),
  };
});

const posix = Deno.build.os !== "windows";
const bytes = (...values: number[]) => new Uint8Array(values);
const fixture = (name: string) =>
  new URL(`./fixtures/${name}`, import.meta.url).pathname;

/** Run `fn` with a fresh temp folder, removed afterwards. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "credbox-fs-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every path under `dir`, relative to it, sorted. */
async function tree(dir: string, above = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(`${dir}/${above}`)) {
    const path = above + entry.name;
    found.push(entry.isDirectory ? `${path}/` : path);
    if (entry.isDirectory) found.push(...await tree(dir, `${path}/`));
  }
  return found.sort();
}

function assertCredboxError(error: unknown, code: string): CredboxError {
  assert.ok(error instanceof CredboxError, `expected CredboxError: ${error}`);
  assert.equal(error.code, code);
  return error;
}

Deno.test({
  name: "fs: the folder is made 0700, records and the lock file 0600",
  ignore: !posix,
  fn: () =>
    inTempDir(async (tmp) => {
      const dir = `${tmp}/a/store`;
      const backend = new FsBackend({ dir });
      await backend.put("ana", bytes(1));
      await backend.put("x".repeat(250), bytes(2));

      assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
      assert.equal((await Deno.stat(`${dir}/ana.cbx`)).mode! & 0o777, 0o600);
      assert.equal((await Deno.stat(`${dir}/.lock`)).mode! & 0o777, 0o600);
      const sub = `${dir}/${"x".repeat(200)}.d`;
      assert.equal((await Deno.stat(sub)).mode! & 0o777, 0o700);
      assert.equal(
        (await Deno.stat(`${sub}/${"x".repeat(50)}.cbx`)).mode! &
          0o777,
        0o600,
      );
    }),
});

Deno.test("fs: reads of a folder not made yet find nothing", () =>
  inTempDir(async (tmp) => {
    const backend = new FsBackend({ dir: `${tmp}/missing` });
    assert.equal(await backend.get("ana"), undefined);
    assert.deepEqual(await backend.list(), { names: [] });
  }));

Deno.test(
  "fs: long names round-trip and list, and their subfolders go on delete",
  () =>
    inTempDir(async (dir) => {
      const backend = new FsBackend({ dir });
      const cycle = "abcdefghijklmnopqrstuvwxyz0123456789@_.-%41";
      const long = (n: number) => ("n" + cycle.repeat(20)).slice(0, n);
      const names = [long(700), long(768), long(200), long(201), long(400)];
      for (const [i, name] of names.entries()) {
        await backend.put(name, bytes(i));
      }

      for (const [i, name] of names.entries()) {
        assert.deepEqual([...(await backend.get(name))!.bytes], [i]);
      }
      assert.deepEqual((await backend.list()).names, [...names].sort());
      const page = await backend.list({ prefix: long(650), limit: 1 });
      assert.deepEqual(page, { names: [long(700)], cursor: long(700) });
      for (const path of await tree(dir)) {
        for (const part of path.split("/")) assert.ok(part.length <= 255);
      }

      for (const name of names) assert.equal(await backend.delete(name), true);
      assert.deepEqual(await tree(dir), [".lock"]);
    }),
);

Deno.test(
  "fs: a 196-character name and a longer name with its file name both keep",
  () =>
    inTempDir(async (dir) => {
      const backend = new FsBackend({ dir });
      const short = "s".repeat(196);
      // The long name's first segment equals the short name's file name.
      const long = `${short}.cbx-more`;
      await backend.put(short, bytes(1));
      await backend.put(long, bytes(2));

      assert.deepEqual([...(await backend.get(short))!.bytes], [1]);
      assert.deepEqual([...(await backend.get(long))!.bytes], [2]);
      assert.deepEqual((await backend.list()).names, [short, long]);
    }),
);

Deno.test("fs: temp, lock and foreign files are never listed", () =>
  inTempDir(async (dir) => {
    const backend = new FsBackend({ dir });
    await backend.put("ana", bytes(1));
    await Deno.writeFile(`${dir}/.tmp-x`, bytes(9));
    await Deno.writeFile(`${dir}/.tmp-x.cbx`, bytes(9));
    await Deno.writeFile(`${dir}/notes.txt`, bytes(9));
    await Deno.writeFile(`${dir}/not a name.cbx`, bytes(9));
    await Deno.mkdir(`${dir}/folder.cbx`);
    await Deno.mkdir(`${dir}/short.d`);
    await Deno.writeFile(`${dir}/short.d/b.cbx`, bytes(9));

    assert.deepEqual((await backend.list()).names, ["ana"]);
    assert.deepEqual((await backend.list({ prefix: "." })).names, []);
  }));

Deno.test("fs: a crash before the rename leaves the old record readable", () =>
  inTempDir(async (dir) => {
    const backend = new FsBackend({ dir });
    const old = await backend.put("ana", bytes(1, 2, 3));
    // What a writer killed mid-write leaves: a partial temp file.
    await Deno.writeFile(`${dir}/.tmp-0123456789abcdef01234567`, bytes(4));

    const got = await backend.get("ana");
    assert.deepEqual([...got!.bytes], [1, 2, 3]);
    assert.equal(got!.version, old.version);
    assert.deepEqual((await backend.list()).names, ["ana"]);
    await backend.put("ana", bytes(5), { ifVersion: old.version });
    assert.deepEqual([...(await backend.get("ana"))!.bytes], [5]);
  }));

Deno.test("fs: the first write clears temp files older than an hour", () =>
  inTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/.tmp-old`, bytes(1));
    await Deno.writeFile(`${dir}/.tmp-new`, bytes(1));
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60_000);
    await Deno.utime(`${dir}/.tmp-old`, twoHoursAgo, twoHoursAgo);

    await new FsBackend({ dir }).put("ana", bytes(1));
    assert.deepEqual(await tree(dir), [".lock", ".tmp-new", "ana.cbx"]);
  }));

Deno.test("fs: versions agree across instances and follow the bytes", () =>
  inTempDir(async (dir) => {
    const a = new FsBackend({ dir });
    const b = new FsBackend({ dir: new URL(`file://${dir}/`) });
    const { version } = await a.put("ana", bytes(1));
    assert.equal((await b.get("ana"))!.version, version);
    assert.match(version, /^[0-9a-f]{32}$/);
    await b.put("ana", bytes(2), { ifVersion: version });
    await assert.rejects(
      a.put("ana", bytes(3), { ifVersion: version }),
      (error) => !!assertCredboxError(error, "CONFLICT"),
    );
  }));

Deno.test("fs: bad options fail with INVALID_CONFIG naming 'dir'", () => {
  const bad: unknown[] = [
    undefined,
    null,
    {},
    { dir: "" },
    { dir: 42 },
    { dir: new URL("https://example.com/x") },
  ];
  for (const options of bad) {
    assert.throws(
      // deno-lint-ignore no-explicit-any -- the point is a wrong type
      () => new FsBackend(options as any),
      (error) => {
        const e = assertCredboxError(error, "INVALID_CONFIG");
        assert.match(e.message, /^Cannot open fs backend: /);
        return true;
      },
    );
  }
  assert.throws(
    () => new FsBackend({ dir: "" }),
    /'dir' must be a non-empty path or a file: URL, got ""/,
  );
});

Deno.test("fs: a name that no storageName() makes is a TypeError", async () => {
  const backend = new FsBackend({ dir: "/nonexistent/credbox" });
  for (const name of ["../x", ".lock", "a/b", "", "x".repeat(769)]) {
    await assert.rejects(backend.get(name), TypeError);
    await assert.rejects(backend.put(name, bytes(1)), TypeError);
  }
});

Deno.test("fs: a folder that is a file fails with BACKEND", () =>
  inTempDir(async (tmp) => {
    const dir = `${tmp}/file`;
    await Deno.writeFile(dir, bytes(1));
    const backend = new FsBackend({ dir });

    await assert.rejects(backend.put("ana", bytes(1)), (error) => {
      const e = assertCredboxError(error, "BACKEND");
      assert.match(e.message, /^Cannot write 'ana' in fs backend '.*file'/);
      assert.ok(e.cause);
      return true;
    });
    await assert.rejects(
      backend.list(),
      (error) => !!assertCredboxError(error, "BACKEND"),
    );
  }));

Deno.test({
  name: "fs: a read-only folder fails with BACKEND naming the permission",
  // root ignores file modes.
  ignore: !posix || Deno.uid() === 0,
  fn: () =>
    inTempDir(async (dir) => {
      const backend = new FsBackend({ dir });
      await backend.put("ana", bytes(1));
      await Deno.chmod(dir, 0o500);
      try {
        await assert.rejects(backend.put("ana", bytes(2)), (error) => {
          const e = assertCredboxError(error, "BACKEND");
          assert.match(e.message, /needs read, write and search \(x\) perm/);
          return true;
        });
      } finally {
        await Deno.chmod(dir, 0o700);
      }
    }),
});

Deno.test("fs: a write without --allow-write says which flag it needs", () =>
  inTempDir(async (dir) => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", fixture("fs_put_once.ts"), dir, "ana"],
      stdout: "piped",
    }).output();
    assert.equal(output.code, 0);
    const result = JSON.parse(new TextDecoder().decode(output.stdout));
    assert.equal(result.code, "BACKEND");
    assert.match(result.message, /^Cannot write 'ana' in fs backend /);
    assert.match(result.message, /run Deno with --allow-read and --allow-w/);
  }));

Deno.test("fs: 20 workers x 10 compare-and-set increments reach 200", () =>
  inTempDir(async (dir) => {
    const backend = new FsBackend({ dir });
    const conflicts = await Promise.all(
      Array.from({ length: 20 }, async () => {
        let lost = 0;
        for (let i = 0; i < 10; i++) lost += await increment(backend, "n");
        return lost;
      }),
    );
    assert.equal(await counterValue(backend, "n"), 200);
    assert.ok(conflicts.some((n) => n > 0), "the workers never raced");
  }));

Deno.test(
  "fs: two instances on one folder x 100 increments each reach 200",
  () =>
    inTempDir(async (dir) => {
      // Separate instances share no in-process queue: only flock orders them.
      const backends = [new FsBackend({ dir }), new FsBackend({ dir })];
      await Promise.all(backends.map(async (backend) => {
        for (let i = 0; i < 100; i++) await increment(backend, "n");
      }));
      assert.equal(await counterValue(backends[0], "n"), 200);
    }),
);

Deno.test("fs: two processes x 200 compare-and-set increments reach 400", () =>
  inTempDir(async (dir) => {
    const barrier = await Deno.makeTempDir({ prefix: "credbox-barrier-" });
    try {
      const children = ["1", "2"].map((id) =>
        new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            fixture("fs_cas_worker.ts"),
            dir,
            "n",
            "200",
            barrier,
            id,
            "2",
          ],
          stdout: "piped",
          stderr: "piped",
        }).output()
      );

      let conflicts = 0;
      for (const output of await Promise.all(children)) {
        const stderr = new TextDecoder().decode(output.stderr);
        assert.equal(output.code, 0, stderr);
        conflicts += JSON.parse(new TextDecoder().decode(output.stdout))
          .conflicts;
      }
      const backend = new FsBackend({ dir });
      assert.equal(await counterValue(backend, "n"), 400);
      assert.ok(conflicts > 0, "the processes never raced");
    } finally {
      await Deno.remove(barrier, { recursive: true });
    }
  }));

Deno.test({
  name: "fs: a writer killed while holding the lock leaves no stale lock",
  ignore: !posix,
  fn: () =>
    inTempDir(async (dir) => {
      const backend = new FsBackend({ dir });
      const { version } = await backend.put("ana", bytes(1));
      const holder = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", fixture("fs_lock_holder.ts"), dir],
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const reader = holder.stdout.getReader();
      const { value } = await reader.read();
      assert.equal(new TextDecoder().decode(value), "locked\n");

      let done = false;
      const put = backend.put("ana", bytes(2), { ifVersion: version })
        .finally(() => done = true);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(done, false, "the put did not wait for the lock");

      holder.kill("SIGKILL");
      await holder.status;
      await reader.cancel();
      await put;
      assert.deepEqual([...(await backend.get("ana"))!.bytes], [2]);
    }),
});
