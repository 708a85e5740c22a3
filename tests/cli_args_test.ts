import assert from "node:assert/strict";
import { parseArgs, UsageError } from "../src/cli/args.ts";
import { classifyName, mcpFileName } from "../src/cli/mcp_names.ts";

const OPTIONS = {
  store: { type: "string" },
  "dry-run": { type: "boolean" },
  "id-for": { type: "list" },
  help: { type: "boolean", short: "h" },
} as const;

Deno.test("options take values inline or from the next argument", () => {
  const parsed = parseArgs(
    ["dir", "--store", "memory:", "--id-for=a=b", "-h", "--", "--dry-run"],
    OPTIONS,
  );
  assert.equal(parsed.string("store"), "memory:");
  assert.deepEqual(parsed.list("id-for"), ["a=b"]);
  assert.ok(parsed.boolean("help"));
  assert.ok(!parsed.boolean("dry-run"));
  assert.deepEqual(parsed.positionals, ["dir", "--dry-run"]);
});

Deno.test("misused options are usage errors that never echo a value", () => {
  const cases: [string[], RegExp][] = [
    [["--nope=ya29.secret"], /^unknown option '--nope'$/],
    [["-x"], /^unknown option '-x'$/],
    [["--store"], /needs a value/],
    [["--store", "a", "--store", "b"], /given twice/],
    [["--dry-run=yes"], /takes no value/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseArgs(args, OPTIONS), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, message);
      assert.ok(!error.message.includes("ya29"));
      return true;
    });
  }
});

Deno.test("a lone dash is a positional: standard input", () => {
  assert.deepEqual(parseArgs(["ana", "-"], OPTIONS).positionals, ["ana", "-"]);
});

Deno.test("MCP file names round-trip through Python's quote(email, safe='@._-')", () => {
  const ids = [
    "ana@example.com",
    "bob+work@example.com",
    "Jörg.Müller@example.de",
    "o'neil~x@example.org",
    "a/b@example.com",
    "space here@example.com",
  ];
  for (const id of ids) {
    const named = classifyName(mcpFileName(id));
    assert.deepEqual(named, { kind: "credential", id }, id);
  }
  // What Python prints for these (urllib.parse.quote, safe="@._-").
  assert.equal(
    mcpFileName("o'neil~x@example.org"),
    "o%27neil~x@example.org.json",
  );
  assert.equal(mcpFileName("a/b@example.com"), "a%2Fb@example.com.json");
  assert.equal(mcpFileName("Jörg@x.de"), "J%C3%B6rg@x.de.json");
});

Deno.test("file names that are not credentials are told apart with a reason", () => {
  assert.deepEqual(classifyName("ana_example_com.json"), { kind: "legacy" });
  const skipped = [
    "oauth_states.json",
    ".hidden@example.com.json",
    "notes.txt",
    "sub/ana@example.com.json",
    "bad%ZZ@example.com.json",
    "bad%FF@example.com.json",
  ];
  for (const name of skipped) {
    assert.equal(classifyName(name).kind, "skip", name);
  }
});
