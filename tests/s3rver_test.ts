/**
 * The backend conformance suite against s3rver, an S3 implementation we did
 * not write, on 127.0.0.1, so the fake's idea of S3 is not the only one the
 * backend is tested against.
 *
 * s3rver ignores conditional requests: `If-Match` and `If-None-Match` on
 * PUT, and `If-Match` on DELETE. The suite's condition tests therefore run
 * as known-unsupported (`conditional: false`): they must keep failing here,
 * so we notice the day s3rver starts to honour them.
 */

import assert from "node:assert/strict";
import { S3Backend } from "../src/backends/s3.ts";
import { backendConformance } from "./conformance.ts";

const BUCKET = "credbox-test";
// s3rver's built-in key pair.
const CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const S3RVER_VERSION = "3.7.1";
const SERVER = new URL("./s3rver_server.mjs", import.meta.url);

interface Running {
  child: Deno.ChildProcess;
  endpoint: string;
}

let running: Promise<Running> | undefined;
let fixtures = 0;

/**
 * A folder holding node_modules/s3rver, installed with npm on first use
 * and kept in the temporary folder for later runs.
 */
async function s3rverHome(): Promise<string> {
  const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
  const home = `${tmp}/credbox-s3rver-${S3RVER_VERSION}`;
  try {
    await Deno.stat(`${home}/node_modules/s3rver/package.json`);
    return home;
  } catch {
    // Not installed yet.
  }
  // Install beside it, then rename: concurrent runs never see half a tree.
  const staging = await Deno.makeTempDir({
    dir: tmp,
    prefix: "credbox-s3rver-",
  });
  await Deno.writeTextFile(`${staging}/package.json`, "{}");
  const npm = await new Deno.Command("npm", {
    args: [
      "install",
      "--no-audit",
      "--no-fund",
      "--silent",
      `s3rver@${S3RVER_VERSION}`,
    ],
    cwd: staging,
    stdout: "null",
    stderr: "inherit",
  }).output();
  if (!npm.success) throw new Error("npm install s3rver failed");
  try {
    await Deno.rename(staging, home);
  } catch {
    // Another run got there first.
    await Deno.remove(staging, { recursive: true });
  }
  return home;
}

// Started on first use and shared: one server per test would cost more
// than the tests. It stops when its standard input closes.
function start(): Promise<Running> {
  running ??= (async () => {
    const child = new Deno.Command("node", {
      args: ["--openssl-legacy-provider", SERVER.pathname, BUCKET],
      env: { S3RVER_HOME: await s3rverHome() },
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("s3rver exited before it listened");
      text += value;
    }
    // The server writes nothing more; closing the pipe frees its handle.
    await reader.cancel();
    const { port } = JSON.parse(text.split("\n")[0]);
    return { child, endpoint: `http://127.0.0.1:${port}` };
  })();
  return running;
}

backendConformance(
  "s3 (s3rver)",
  async () => {
    const { endpoint } = await start();
    // A fresh prefix gives each test an empty store in the shared bucket.
    return {
      backend: new S3Backend({
        bucket: BUCKET,
        prefix: `t${++fixtures}/`,
        region: "us-east-1",
        endpoint,
        forcePathStyle: true,
        credentials: CREDENTIALS,
      }),
    };
  },
  { conditional: false },
);

Deno.test({
  name: "s3 (s3rver): one request per operation over a real socket",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { endpoint } = await start();
    let requests = 0;
    const backend = new S3Backend({
      bucket: BUCKET,
      prefix: "count/",
      region: "us-east-1",
      endpoint,
      forcePathStyle: true,
      credentials: CREDENTIALS,
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    const { version } = await backend.put("ana", new Uint8Array([1, 2]));
    assert.equal((await backend.get("ana"))?.version, version);
    assert.deepEqual((await backend.list()).names, ["ana"]);
    await backend.delete("ana");
    assert.equal(requests, 4);
  },
});

Deno.test({
  // s3rver checks access key ids but not SigV4 signatures (only the fake
  // does), so a wrong secret would pass here.
  name: "s3 (s3rver): an unknown access key is BACKEND",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { endpoint } = await start();
    const backend = new S3Backend({
      bucket: BUCKET,
      region: "us-east-1",
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: "AKIDOTHER", secretAccessKey: "S3RVER" },
    });
    await assert.rejects(backend.get("ana"), /InvalidAccessKeyId/);
  },
});

// Registered last, so it runs after every test above.
Deno.test({
  name: "s3 (s3rver): stop the server",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    if (!running) return;
    const { child } = await running;
    await child.stdin.close();
    assert.equal((await child.status).code, 0);
  },
});
