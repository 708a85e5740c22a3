import assert from "node:assert/strict";
import { Keyring } from "../mod.ts";
import { parseApiTokens, sha256, toHex } from "../src/http/auth.ts";
import { cli, K1 } from "./cli_harness.ts";

const COMMANDS = [
  ["keygen"],
  ["keys", "add"],
  ["token", "create"],
  ["put"],
  ["get"],
  ["list"],
  ["delete"],
  ["import"],
  ["export"],
  ["rotate"],
  ["verify"],
];

Deno.test("keygen prints one entry that CREDBOX_KEYS accepts", async () => {
  const { code, stdout } = await cli(["keygen", "--id", "2025-10"]);
  assert.equal(code, 0);
  const keyring = await Keyring.parse(stdout.trim());
  assert.deepEqual(keyring.ids, ["2025-10"]);
  assert.equal(stdout.split("\n").length, 2);
});

Deno.test("keygen without --id makes a random key id", async () => {
  const a = await cli(["keygen"]);
  const b = await cli(["keygen"]);
  assert.notEqual(a.stdout.split(":")[0], b.stdout.split(":")[0]);
  await Keyring.parse(a.stdout);
});

Deno.test("keys add puts a new primary in front and keeps the old keys", async () => {
  const { code, stdout } = await cli(["keys", "add", "--id", "k2"], {
    env: { CREDBOX_KEYS: K1 },
  });
  assert.equal(code, 0);
  const keyring = await Keyring.parse(stdout.trim());
  assert.deepEqual(keyring.ids, ["k2", "k1"]);
  assert.ok(stdout.trim().endsWith(K1));
});

Deno.test("keys add without CREDBOX_KEYS fails naming the variable", async () => {
  const { code, stderr, stdout } = await cli(["keys", "add"]);
  assert.equal(code, 1);
  assert.equal(stdout, "");
  assert.match(stderr, /CREDBOX_KEYS is not set.*INVALID_CONFIG/);
});

Deno.test("keys add refuses an id the keyring already has, without printing keys", async () => {
  const { code, stderr } = await cli(["keys", "add", "--id", "k1"], {
    env: { CREDBOX_KEYS: K1 },
  });
  assert.equal(code, 1);
  assert.match(stderr, /already has that id/);
  assert.ok(!stderr.includes(K1.slice(3)));
});

Deno.test("token create prints the token once and an entry holding its SHA-256", async () => {
  const { code, stdout } = await cli([
    "token",
    "create",
    "--name",
    "mcp-server",
    "--scopes",
    "token+read",
  ]);
  assert.equal(code, 0);
  const token = /cbx_[A-Za-z0-9_-]{43}/.exec(stdout)?.[0];
  assert.ok(token, stdout);
  assert.equal(stdout.split(token).length, 2, "the token is printed once");

  const entry = /CREDBOX_API_TOKENS entry: (\S+)/.exec(stdout)![1];
  const [parsed] = parseApiTokens(entry);
  assert.equal(parsed.name, "mcp-server");
  assert.deepEqual([...parsed.scopes].sort(), ["read", "token"]);
  assert.equal(entry.split(":")[2], toHex(await sha256(token)));
});

Deno.test("token create with an unknown scope or no name is a usage error", async () => {
  const bad = await cli(["token", "create", "--name", "x", "--scopes", "root"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown scope 'root'.*list, read, write/);
  const unnamed = await cli(["token", "create", "--scopes", "read"]);
  assert.equal(unnamed.code, 2);
  assert.match(unnamed.stderr, /--name is required/);
});

Deno.test("--help on every command prints its usage and exits 0", async () => {
  for (const words of COMMANDS) {
    const { code, stdout } = await cli([...words, "--help"]);
    assert.equal(code, 0, words.join(" "));
    assert.ok(
      stdout.startsWith(`Usage: credbox ${words.join(" ")}`),
      stdout,
    );
  }
  const short = await cli(["rotate", "-h"]);
  assert.equal(short.code, 0);
  const viaHelp = await cli(["help", "import"]);
  assert.match(viaHelp.stdout, /^Usage: credbox import/);
});

Deno.test("the overview lists every command; without arguments it is a usage error", async () => {
  const help = await cli(["--help"]);
  assert.equal(help.code, 0);
  for (const words of COMMANDS) {
    assert.ok(help.stdout.includes(words.join(" ")));
  }
  const none = await cli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^Usage: credbox COMMAND/);
});

Deno.test("unknown commands and options exit 2 without echoing an option's value", async () => {
  const unknown = await cli(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);

  const option = await cli(["list", "--token=ya29.pasted-by-mistake"]);
  assert.equal(option.code, 2);
  assert.match(option.stderr, /unknown option '--token'/);
  assert.match(option.stderr, /credbox list --help/);
  assert.ok(!option.stderr.includes("ya29"));

  const count = await cli(["get"]);
  assert.equal(count.code, 2);
  assert.match(count.stderr, /expected 1 argument, got 0/);
});
