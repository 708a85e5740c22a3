import assert from "node:assert/strict";
import {
  expiresAt,
  formatExpiry,
  parseCredential,
  parseExpiry,
} from "../src/credential.ts";
import { CredboxError } from "../src/errors.ts";

const fixture = new URL("./fixtures/mcp/ana@example.com.json", import.meta.url);

function invalid(value: unknown, pattern: RegExp): void {
  assert.throws(() => parseCredential(value), (error: unknown) => {
    assert.ok(error instanceof CredboxError);
    assert.equal(error.code, "INVALID_CREDENTIAL");
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("a file written by the Workspace MCP server parses and serializes back", async () => {
  const text = await Deno.readTextFile(fixture);
  const credential = parseCredential(JSON.parse(text));
  assert.deepEqual(credential, JSON.parse(text));
  assert.deepEqual(Object.keys(credential), Object.keys(JSON.parse(text)));
  assert.equal(
    expiresAt(credential),
    Date.UTC(2025, 9, 21, 14, 3, 0, 123),
  );
});

Deno.test("unknown fields are kept as they are", () => {
  const input = {
    token: "t",
    universe_domain: "googleapis.com",
    account: "",
    nested: { a: [1, null, "x"] },
  };
  assert.deepEqual(parseCredential(input), input);
});

Deno.test("parseCredential returns a copy", () => {
  const input = { token: "t", scopes: ["a"] };
  const copy = parseCredential(input);
  copy.scopes!.push("b");
  assert.deepEqual(input.scopes, ["a"]);
});

Deno.test("expiry may be null, naive (UTC) or zoned", () => {
  assert.equal(
    expiresAt(parseCredential({ token: "t", expiry: null })),
    undefined,
  );
  assert.equal(expiresAt(parseCredential({ token: "t" })), undefined);
  const utc = Date.UTC(2025, 9, 21, 14, 3);
  assert.equal(parseExpiry("2025-10-21T14:03:00"), utc);
  assert.equal(parseExpiry("2025-10-21T14:03:00Z"), utc);
  assert.equal(parseExpiry("2025-10-21T14:03:00.000000+00:00"), utc);
  assert.equal(parseExpiry("2025-10-21T16:03:00+02:00"), utc);
  assert.equal(parseExpiry("2025-10-21T09:03:00-0500"), utc);
  assert.equal(parseExpiry(formatExpiry(utc)), utc);
});

Deno.test("impossible dates are not expiries", () => {
  for (
    const bad of [
      "2025-02-30T00:00:00",
      "2025-10-21T24:00:00",
      "yesterday",
      "2025-10-21",
    ]
  ) {
    assert.ok(Number.isNaN(parseExpiry(bad)), bad);
    invalid({ token: "t", expiry: bad }, /'expiry' is not an ISO 8601/);
  }
});

Deno.test("malformed credentials are INVALID_CREDENTIAL naming the field", () => {
  invalid(null, /expected a JSON object, got null/);
  invalid([], /got an array/);
  invalid("ya29", /got string/);
  invalid({}, /needs a 'token' or a 'refresh_token'/);
  invalid({ token: 1 }, /'token' must be a string or null, got number/);
  invalid(
    { token: "t", client_id: null },
    /'client_id' must be a string, got null/,
  );
  invalid(
    { token: "t", scopes: "a b" },
    /'scopes' must be an array of strings/,
  );
  invalid({ token: "t", scopes: [1] }, /'scopes' must be an array of strings/);
  invalid({ token: "t", expiry: 5 }, /'expiry' must be a string or null/);
  invalid(
    { token: "t", token_uri: "http://evil.example/token" },
    /must be https/,
  );
  invalid({ token: "t", token_uri: "not a url" }, /not a URL/);
  invalid({ token: "t", extra: "x".repeat(70_000) }, /at most 65536/);
});

Deno.test("error messages never carry the secret values", () => {
  const secret = "GOCSPX-very-secret-value";
  for (
    const bad of [
      { token: secret, client_secret: 7 },
      { refresh_token: secret, token_uri: `https://u:${secret}@x.example/` },
      { token: secret, expiry: secret },
    ]
  ) {
    try {
      parseCredential(bad);
      assert.fail("expected an error");
    } catch (error) {
      assert.ok(error instanceof CredboxError);
      assert.ok(!error.message.includes(secret), error.message);
    }
  }
});

Deno.test("http token_uri is allowed on loopback only", () => {
  parseCredential({ token: "t", token_uri: "http://127.0.0.1:8080/token" });
  parseCredential({ token: "t", token_uri: "http://localhost/token" });
});
