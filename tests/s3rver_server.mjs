// Runs s3rver on 127.0.0.1 for tests/s3rver_test.ts, under Node: prints
// {"port":N} once listening, and stops, removing its files, when its
// standard input closes (so it also stops if the test process dies).
//
// Usage: S3RVER_HOME=DIR node --openssl-legacy-provider s3rver_server.mjs B
// where DIR holds node_modules/s3rver. The flag is needed because s3rver
// makes continuation tokens with DES, which OpenSSL 3 keeps in its legacy
// provider; Deno's node:crypto has no DES at all, hence Node.

import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

const bucket = process.argv[2];
const home = process.env.S3RVER_HOME;
if (!bucket || !home) throw new TypeError("usage: see the header comment");

const S3rver = createRequire(join(home, "package.json"))("s3rver");
const directory = mkdtempSync(join(tmpdir(), "credbox-s3rver-"));
const server = new S3rver({
  address: "127.0.0.1",
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket }],
});
const { port } = await server.run();
process.stdout.write(JSON.stringify({ port }) + "\n");

process.stdin.resume();
process.stdin.on("end", async () => {
  await server.close();
  rmSync(directory, { recursive: true, force: true });
  process.exit(0);
});
