import assert from "node:assert/strict";
import { sha256 as reference } from "@noble/hashes/sha2.js";
import { toHex } from "../src/http/auth.ts";
import { sha256 } from "../src/http/sha256.ts";

const encoder = new TextEncoder();

Deno.test("sha256 gives the FIPS 180-4 example digests", () => {
  const vectors: [string, string][] = [
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    [
      "abc",
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    ],
    [
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    ],
  ];
  for (const [text, digest] of vectors) {
    assert.equal(toHex(sha256(text)), digest, JSON.stringify(text));
  }
});

Deno.test("sha256 agrees with @noble/hashes on every length around one block", () => {
  // Printable and control ASCII, a non-ASCII letter, and a surrogate pair:
  // the one-block path and the fallback both get their share.
  const alphabet = "aZ09-_.~ \u0000\u007f\u00e9\u{1f511}";
  const chars = [...alphabet];
  let seed = 1;
  const next = () => (seed = (seed * 48271) % 0x7fffffff);
  for (let length = 0; length <= 80; length++) {
    for (let round = 0; round < 20; round++) {
      let text = "";
      for (let i = 0; i < length; i++) {
        // Mostly ASCII, so the one-block path sees every length up to 55.
        const pick = next() % 10 < 8 ? next() % 9 : next() % chars.length;
        text += chars[pick];
      }
      assert.equal(
        toHex(sha256(text)),
        toHex(reference(encoder.encode(text))),
        JSON.stringify(text),
      );
    }
  }
});

Deno.test("sha256 of a generated API token matches its configured digest", () => {
  const token = "cbx_" + "A".repeat(43);
  assert.equal(token.length, 47);
  assert.equal(toHex(sha256(token)), toHex(reference(encoder.encode(token))));
});
