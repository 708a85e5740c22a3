import assert from "node:assert/strict";
import {
  idFromStorageName,
  normalizeId,
  storageName,
  storagePrefix,
} from "../src/id.ts";
import { CredboxError } from "../src/errors.ts";

function invalidId(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof CredboxError);
    assert.equal(error.code, "INVALID_ID");
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("an email id keeps its readable form as a storage name", () => {
  assert.equal(storageName("ana@example.com"), "ana@example.com");
  assert.equal(
    storageName("first.last-2_x@mail.example"),
    "first.last-2_x@mail.example",
  );
});

Deno.test("path-like ids never become paths", () => {
  const hostile = [
    "../x",
    "a/b",
    ".",
    "..",
    "%2e%2e",
    "a\\b",
    "/etc/passwd",
    "...",
  ];
  for (const id of hostile) {
    const name = storageName(id);
    assert.ok(!name.includes("/"), name);
    assert.ok(!name.includes("\\"), name);
    assert.ok(!name.startsWith("."), name);
    assert.ok(!name.endsWith("."), name);
    assert.notEqual(name, ".");
    assert.notEqual(name, "..");
    assert.equal(idFromStorageName(name), id);
  }
  assert.equal(storageName("%2e%2e"), "%252e%252e");
});

Deno.test("ids differing only in case get names differing beyond case", () => {
  const ids = ["ana@x.com", "Ana@x.com", "ANA@X.COM", "aNa@x.com"];
  const folded = new Set(ids.map((id) => storageName(id).toLowerCase()));
  assert.equal(folded.size, ids.length);
});

Deno.test("ids differing only in normalization are the same id", () => {
  const composed = "jos\u00e9@example.com";
  const decomposed = "jose\u0301@example.com";
  assert.equal(normalizeId(decomposed), composed);
  assert.equal(storageName(decomposed), storageName(composed));
  assert.match(storageName(composed), /^[\x21-\x7e]+$/);
});

Deno.test("storage names are injective over a varied sample", () => {
  const seen = new Map<string, string>();
  const alphabet = [
    "a",
    "A",
    ".",
    "%",
    "2",
    "e",
    "E",
    "/",
    "_",
    "-",
    "@",
    "é",
    "日",
    " ",
    "~",
  ];
  const ids: string[] = [];
  for (const x of alphabet) {
    for (const y of alphabet) {
      ids.push(x + y, x + y + x, "." + x + y);
    }
  }
  for (const id of new Set(ids.map((id) => id.normalize("NFC")))) {
    const name = storageName(id).toLowerCase();
    const other = seen.get(name);
    assert.equal(other, undefined, `${id} and ${other} share ${name}`);
    seen.set(name, id);
    assert.equal(idFromStorageName(storageName(id)), id);
  }
});

Deno.test("NUL and other control characters are INVALID_ID", () => {
  invalidId(() => normalizeId("a\u0000b"), /U\+0000 at index 1/);
  invalidId(() => normalizeId("a\nb"), /U\+000A/);
  invalidId(() => normalizeId("a\u2028b"), /U\+2028/);
  invalidId(() => normalizeId("\u0085"), /U\+0085/);
});

Deno.test("empty, oversize, non-string and lone-surrogate ids are INVALID_ID", () => {
  invalidId(() => normalizeId(""), /empty/);
  invalidId(() => normalizeId("a".repeat(257)), /257 UTF-8 bytes, at most 256/);
  invalidId(() => normalizeId("é".repeat(129)), /258 UTF-8 bytes/);
  invalidId(() => normalizeId(42), /got number/);
  invalidId(() => normalizeId(undefined), /got undefined/);
  invalidId(() => normalizeId("a\ud800"), /surrogate/);
  assert.equal(normalizeId("a".repeat(256)), "a".repeat(256));
});

Deno.test("foreign names decode to nothing", () => {
  for (const name of ["Ana", "%2e", "%4", "a b", "x%C3", "a.", ".a", "%61"]) {
    assert.equal(idFromStorageName(name), undefined, name);
  }
});

Deno.test("a storage prefix is a prefix of every matching id's name", () => {
  const ids = ["ana.", "ana.b", "ana", "Ana.x", "ana@x.com"];
  for (const prefix of ["", "a", "ana", "ana.", "Ana", "ana@"]) {
    const namePrefix = storagePrefix(prefix);
    for (const id of ids.filter((id) => id.startsWith(prefix))) {
      assert.ok(storageName(id).startsWith(namePrefix), `${prefix} ${id}`);
    }
  }
});
