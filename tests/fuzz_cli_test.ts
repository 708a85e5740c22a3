/**
 * Hostile command lines: any mix of commands, options and values, with
 * any bytes on standard input, must end in exit code 0, 1 or 2 with a
 * message; never throw out of `run()`, never print an error it could not
 * name ("unexpected ..."), never print a secret it was given on stdin.
 *
 * The commands that write outside the store (`import`, `export`) and S3
 * stores are left out: the run must touch nothing but memory.
 *
 * Bounds: 500 runs by default, 5,000 with `CREDBOX_LONG=1`.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { Keyring } from "../mod.ts";
import { run } from "../src/cli.ts";
import { bound, report, runSeed } from "./reliability_helpers.ts";

const RUNS = bound(500, 5_000);
const seed = runSeed();
const KEYS = Keyring.newEntry("k1");
const SECRET = "ya29.CLI-FUZZ-SECRET";

const words = fc.constantFrom(
  "keygen",
  "keys",
  "add",
  "token",
  "create",
  "put",
  "get",
  "list",
  "delete",
  "rotate",
  "verify",
  "help",
  "-h",
  "--help",
  "--id",
  "--name",
  "--scopes",
  "--store",
  "--namespace",
  "--prefix",
  "--create",
  "--if-version",
  "--show-secrets",
  "--",
  "-",
  "-x",
  "--x=1",
  "memory:",
  "bogus:",
  "file://host/x",
  "s3:",
  "ana@example.com",
  "ANA",
  "list+read",
  "admin",
  "nope",
  "k1",
  "",
  "../x",
  "\u0000",
  "\ud800",
);
const noise = fc.array(fc.oneof(words, fc.string({ maxLength: 8 })), {
  maxLength: 6,
});
// Most lines start like a real command, so they get past the parser.
const argv = fc.oneof(
  noise,
  fc.tuple(
    fc.constantFrom(
      ["put", "ana@example.com", "-"],
      ["put", "ana@example.com", "-", "--create"],
      ["get", "ana@example.com"],
      ["list"],
      ["delete", "ana@example.com"],
      ["keygen"],
      ["keys", "add"],
      ["token", "create", "--name", "mcp"],
      ["rotate"],
      ["verify"],
    ),
    fc.array(fc.oneof(words, fc.string({ maxLength: 8 })), { maxLength: 3 }),
  ).map(([command, rest]) => [...command, ...rest]),
);
const stdin = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.constantFrom(
    `{"token":"${SECRET}","refresh_token":"1//x"}`,
    `{"token":"${SECRET}","expiry":"not a date"}`,
    `{"token":"${SECRET}",`,
    `["${SECRET}"]`,
  ).map((text) => new TextEncoder().encode(text)),
);

Deno.test("fuzz: any command line exits 0, 1 or 2 and names every error", async () => {
  const codes = [0, 0, 0];
  await fc.assert(
    fc.asyncProperty(argv, stdin, async (args, input) => {
      let out = "";
      let err = "";
      const code = await run(args, {
        env: { CREDBOX_STORE: "memory:", CREDBOX_KEYS: KEYS },
        stdin: () => Promise.resolve(input),
        stdout: (text) => out += text,
        stderr: (text) => err += text,
        fetch: () => Promise.reject(new TypeError("no network in this test")),
      });
      const shown = JSON.stringify(args);
      assert.ok([0, 1, 2].includes(code), `${shown} exited ${code}`);
      codes[code]++;
      if (code !== 0) {
        assert.match(err, /^(error: |Usage: )/m, `${shown}: ${err}`);
      }
      assert.ok(!/^error: unexpected /m.test(err), `${shown}: ${err}`);
      assert.ok(!(out + err).includes(SECRET), `${shown} printed the secret`);
    }),
    { numRuns: RUNS, seed },
  );
  report("fuzz/cli", { seed, runs: RUNS, exitCodes: codes });
});
