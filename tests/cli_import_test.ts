import assert from "node:assert/strict";
import { S3Backend } from "../src/backends/s3.ts";
import {
  credential,
  fsHarness,
  HARNESSES,
  leakedSecret,
  s3Harness,
} from "./cli_harness.ts";

const FOLDER = new URL("./fixtures/mcp_folder/", import.meta.url).pathname;

/** Every file of the fixture folder: name, bytes and mtime. */
async function snapshot(dir: string): Promise<string> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    const info = await Deno.stat(path);
    const bytes = await Deno.readFile(path);
    files.push(`${entry.name} ${info.mtime?.getTime()} ${bytes.join(",")}`);
  }
  return files.sort().join("\n");
}

/** The report lines, status and file name only. */
function statuses(stdout: string): string[] {
  return stdout.trim().split("\n").slice(0, -1).map((line) => {
    const [status, ...rest] = line.split(/ {2,}/);
    return `${status} ${rest.join(" ").split(/ -> |: /)[0]}`;
  });
}

const FIRST_IMPORT = [
  "imported J%C3%B6rg.M%C3%BCller@example.de.json",
  "imported ana@example.com.json",
  "imported bob%2Bwork@example.com.json",
  "skipped carol_example_com.json",
  "imported dave_o_neil_example_org.json",
  "failed erin@example.com.json",
  "skipped oauth_states.json",
];

for (const [where, make] of HARNESSES) {
  Deno.test(`import of an MCP credentials folder into ${where} reports every file and changes none`, async () => {
    const h = await make();
    try {
      const before = await snapshot(FOLDER);
      const result = await h.cli(["import", FOLDER]);
      assert.equal(result.code, 1, "the malformed file is a failure");
      assert.deepEqual(statuses(result.stdout), FIRST_IMPORT);
      assert.match(
        result.stdout,
        /^import: 4 imported, 0 unchanged, 0 exists, 0 overwritten, 2 skipped, 1 failed\n$/m,
      );
      assert.match(result.stdout, /bob%2Bwork@example.com.json -> bob\+work@/);
      assert.match(result.stdout, /-> Jörg\.Müller@example\.de/);
      assert.match(result.stdout, /-> dave\.o'neil@example\.org/);
      assert.match(
        result.stdout,
        /carol_example_com.json: older '_' file name.*--id-for carol_example_com.json=ID/,
      );
      assert.match(result.stdout, /oauth_states.json: OAuth state file/);
      assert.match(
        result.stdout,
        /erin@example.com.json: .*not valid UTF-8 JSON/,
      );
      assert.equal(leakedSecret(result.stdout + result.stderr), undefined);
      assert.equal(await snapshot(FOLDER), before, "the source is unchanged");

      const store = await h.store();
      const ids: string[] = [];
      for await (const id of store.list()) ids.push(id);
      assert.deepEqual(ids.sort(), [
        "Jörg.Müller@example.de",
        "ana@example.com",
        "bob+work@example.com",
        "dave.o'neil@example.org",
      ]);
      const ana = await store.load("ana@example.com");
      const file = JSON.parse(
        await Deno.readTextFile(`${FOLDER}/ana@example.com.json`),
      );
      assert.deepEqual(ana?.credential, file);
      // Extra fields of the older form are kept as they are.
      const dave = await store.load("dave.o'neil@example.org");
      assert.equal(dave?.credential.universe_domain, "googleapis.com");

      const again = await h.cli(["import", FOLDER]);
      assert.match(
        again.stdout,
        /^import: 0 imported, 4 unchanged, 0 exists, 0 overwritten, 2 skipped, 1 failed\n$/m,
      );
      assert.equal(await snapshot(FOLDER), before);
    } finally {
      await h.close();
    }
  });
}

Deno.test("import --dry-run reports what it would do and writes nothing", async () => {
  const h = await fsHarness();
  try {
    const result = await h.cli(["import", FOLDER, "--dry-run"]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^would be imported {2}ana@example.com.json/m);
    assert.match(result.stdout, /4 imported.*\(dry run\)\n$/);
    const list = await h.cli(["list"]);
    assert.equal(list.stdout, "");
  } finally {
    await h.close();
  }
});

Deno.test("import keeps a different existing record unless --overwrite", async () => {
  const h = await fsHarness();
  try {
    const store = await h.store();
    await store.save("ana@example.com", credential("newer"));

    const kept = await h.cli(["import", FOLDER]);
    assert.match(
      kept.stdout,
      /^exists +ana@example.com.json -> ana@example.com: holds a different credential; --overwrite replaces it$/m,
    );
    const still = await store.load("ana@example.com");
    assert.equal(still?.credential.token, "ya29.secret-access-newer");

    const dry = await h.cli(["import", FOLDER, "--overwrite", "--dry-run"]);
    assert.match(
      dry.stdout,
      /^would be overwritten {2}ana@example.com.json -> ana@example.com$/m,
    );
    assert.equal(
      (await store.load("ana@example.com"))?.credential.token,
      "ya29.secret-access-newer",
    );

    const replaced = await h.cli(["import", FOLDER, "--overwrite"]);
    assert.match(
      replaced.stdout,
      /^overwritten +ana@example.com.json -> ana@example.com$/m,
    );
    assert.match(replaced.stdout, /3 unchanged, 0 exists, 1 overwritten/);
    assert.equal(
      (await store.load("ana@example.com"))?.credential.token,
      "ya29.a0AfB_mcpfolder-ana-access",
    );
  } finally {
    await h.close();
  }
});

Deno.test("--id-for names the id of an older '_' file, which the name cannot give back", async () => {
  const h = await fsHarness();
  try {
    const result = await h.cli([
      "import",
      FOLDER,
      "--id-for",
      "carol_example_com.json=carol@example.com",
    ]);
    assert.match(
      result.stdout,
      /^imported +carol_example_com.json -> carol@example.com$/m,
    );
    assert.match(result.stdout, /5 imported, .* 1 skipped, 1 failed/);
    const bad = await h.cli(["import", FOLDER, "--id-for", "carol"]);
    assert.equal(bad.code, 2);
  } finally {
    await h.close();
  }
});

Deno.test("import reads an s3:// prefix of MCP files and leaves it untouched", async () => {
  const h = await s3Harness();
  try {
    // The MCP files, as plain objects under mcp/ beside the store's prod/.
    const source = new S3Backend({
      bucket: "creds",
      prefix: "mcp/",
      region: "eu-west-1",
      credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
      fetch: h.s3!.fetch,
    });
    for await (const entry of Deno.readDir(FOLDER)) {
      await source.put(entry.name, await Deno.readFile(FOLDER + entry.name));
    }
    const etags = () =>
      [...h.s3!.objects].filter(([key]) => key.startsWith("creds/mcp/"))
        .map(([key, object]) => `${key} ${object.etag}`).sort();
    const before = etags();

    const result = await h.cli(["import", "s3://creds/mcp"]);
    assert.equal(result.code, 1);
    assert.deepEqual(statuses(result.stdout), FIRST_IMPORT);
    assert.deepEqual(etags(), before);
    assert.equal(leakedSecret(result.stdout + result.stderr), undefined);

    const list = await h.cli(["list"]);
    assert.equal(list.stdout.split("\n").length, 5);
    const again = await h.cli(["import", "s3://creds/mcp/"]);
    assert.match(again.stdout, /0 imported, 4 unchanged/);
  } finally {
    await h.close();
  }
});

Deno.test("a missing source folder fails with its path and exit code 1", async () => {
  const h = await fsHarness();
  try {
    const result = await h.cli(["import", `${h.env.TMP}/nowhere`]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Cannot read folder '.*nowhere'/);
  } finally {
    await h.close();
  }
});
