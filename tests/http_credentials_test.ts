import assert from "node:assert/strict";
import { harness, longLived, path, problemOf } from "./http_helpers.ts";

const ID = "ana@example.com";

Deno.test("PUT of a new credential answers 201 with ETag and Location", async () => {
  const h = await harness();
  const res = await h.call("PUT", path(ID), {
    role: "writer",
    json: longLived(),
  });
  assert.equal(res.status, 201);
  assert.deepEqual(await res.json(), { id: ID });
  assert.match(res.headers.get("etag") ?? "", /^"[A-Za-z0-9_-]+"$/);
  assert.equal(res.headers.get("location"), path(ID));
  assert.equal(res.headers.get("cache-control"), "no-store");
});

Deno.test("PUT over an existing credential answers 200 with a new ETag", async () => {
  const h = await harness();
  const first = await h.call("PUT", path(ID), {
    role: "writer",
    json: longLived(),
  });
  const second = await h.call("PUT", path(ID), {
    role: "writer",
    json: longLived("ya29.next"),
  });
  assert.equal(second.status, 200);
  assert.notEqual(second.headers.get("etag"), first.headers.get("etag"));
  assert.equal((await h.store.load(ID))?.credential.token, "ya29.next");
});

Deno.test("GET returns the credential with its ETag, never cacheable", async () => {
  const h = await harness();
  const put = await h.call("PUT", path(ID), {
    role: "writer",
    json: longLived(),
  });
  const res = await h.call("GET", path(ID), { role: "reader" });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), longLived());
  assert.equal(res.headers.get("etag"), put.headers.get("etag"));
  assert.equal(res.headers.get("cache-control"), "no-store");
});

Deno.test("GET with If-None-Match naming the current ETag answers 304", async () => {
  const h = await harness();
  const put = await h.call("PUT", path(ID), {
    role: "writer",
    json: longLived(),
  });
  const etag = put.headers.get("etag")!;
  const res = await h.call("GET", path(ID), {
    role: "reader",
    headers: { "if-none-match": `W/"x", ${etag}` },
  });
  assert.equal(res.status, 304);
  assert.equal(await res.text(), "");
});

Deno.test("GET of a missing credential is a 404 NOT_FOUND problem", async () => {
  const h = await harness();
  const res = await h.call("GET", path("nobody@example.com"), {
    role: "admin",
  });
  assert.equal(res.status, 404);
  const body = await problemOf(res);
  assert.equal(body.code, "NOT_FOUND");
  assert.equal(res.headers.get("cache-control"), "no-store");
});

Deno.test("PUT with If-Match of the current ETag saves; a stale one is 412", async () => {
  const h = await harness();
  const put = await h.call("PUT", path(ID), {
    role: "writer",
    json: longLived(),
  });
  const etag = put.headers.get("etag")!;
  const ok = await h.call("PUT", path(ID), {
    role: "writer",
    json: longLived("ya29.two"),
    headers: { "if-match": etag },
  });
  assert.equal(ok.status, 200);
  const stale = await h.call("PUT", path(ID), {
    role: "writer",
    json: longLived("ya29.three"),
    headers: { "if-match": etag },
  });
  assert.equal(stale.status, 412);
  assert.equal((await problemOf(stale)).code, "CONFLICT");
  assert.equal((await h.store.load(ID))?.credential.token, "ya29.two");
});

Deno.test("PUT with If-Match: * needs an existing credential", async () => {
  const h = await harness();
  const missing = await h.call("PUT", path(ID), {
    role: "writer",
    json: longLived(),
    headers: { "if-match": "*" },
  });
  assert.equal(missing.status, 412);
  await h.call("PUT", path(ID), { role: "writer", json: longLived() });
  const present = await h.call("PUT", path(ID), {
    role: "writer",
    json: longLived("ya29.two"),
    headers: { "if-match": "*" },
  });
  assert.equal(present.status, 200);
});

Deno.test("PUT with If-Match listing several tags matches any of them", async () => {
  const h = await harness();
  const put = await h.call("PUT", path(ID), {
    role: "writer",
    json: longLived(),
  });
  const res = await h.call("PUT", path(ID), {
    role: "writer",
    json: longLived("ya29.two"),
    headers: { "if-match": `"AAAA", ${put.headers.get("etag")}` },
  });
  assert.equal(res.status, 200);
});

Deno.test("If-Match with a weak or foreign tag never matches", async () => {
  const h = await harness();
  const put = await h.call("PUT", path(ID), {
    role: "writer",
    json: longLived(),
  });
  for (const tag of [`W/${put.headers.get("etag")}`, `"not-ours!"`]) {
    const res = await h.call("PUT", path(ID), {
      role: "writer",
      json: longLived(),
      headers: { "if-match": tag },
    });
    assert.equal(res.status, 412, tag);
  }
});

Deno.test("PUT with If-None-Match: * creates once, then 412", async () => {
  const h = await harness();
  const headers = { "if-none-match": "*" };
  const first = await h.call("PUT", path(ID), {
    role: "writer",
    json: longLived(),
    headers,
  });
  assert.equal(first.status, 201);
  const again = await h.call("PUT", path(ID), {
    role: "writer",
    json: longLived(),
    headers,
  });
  assert.equal(again.status, 412);
});

Deno.test("malformed or contradictory precondition headers are 400", async () => {
  const h = await harness();
  const cases: Record<string, string>[] = [
    { "if-match": "no-quotes" },
    { "if-match": "*", "if-none-match": "*" },
    { "if-none-match": `"abc"` },
  ];
  for (const headers of cases) {
    const res = await h.call("PUT", path(ID), {
      role: "writer",
      json: longLived(),
      headers,
    });
    assert.equal(res.status, 400, JSON.stringify(headers));
    assert.equal((await problemOf(res)).code, "BAD_REQUEST");
  }
});

Deno.test("DELETE answers 204, then 404; If-Match guards it", async () => {
  const h = await harness();
  const put = await h.call("PUT", path(ID), {
    role: "writer",
    json: longLived(),
  });
  await h.call("PUT", path(ID), { role: "writer", json: longLived("ya29.b") });
  const stale = await h.call("DELETE", path(ID), {
    role: "writer",
    headers: { "if-match": put.headers.get("etag")! },
  });
  assert.equal(stale.status, 412);
  const gone = await h.call("DELETE", path(ID), { role: "writer" });
  assert.equal(gone.status, 204);
  const again = await h.call("DELETE", path(ID), { role: "writer" });
  assert.equal(again.status, 404);
  const guarded = await h.call("DELETE", path(ID), {
    role: "writer",
    headers: { "if-match": "*" },
  });
  assert.equal(guarded.status, 412);
});

Deno.test("list returns one page of ids with a cursor to the next", async () => {
  const h = await harness();
  for (const id of ["a1@x.com", "a2@x.com", "a3@x.com", "b1@x.com"]) {
    await h.store.save(id, { token: "t" });
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null
      ? "?prefix=a&limit=2"
      : `?prefix=a&limit=2&cursor=${encodeURIComponent(cursor)}`;
    const res = await h.call("GET", `/v1/credentials${query}`, {
      role: "lister",
    });
    assert.equal(res.status, 200);
    const page = await res.json();
    assert.ok(page.ids.length <= 2);
    seen.push(...page.ids);
    cursor = page.next_cursor;
  } while (cursor !== null);
  assert.deepEqual(seen, ["a1@x.com", "a2@x.com", "a3@x.com"]);
});

Deno.test("list with a limit out of range is a 400 naming the field", async () => {
  const h = await harness();
  for (const limit of ["0", "1001", "ten", "1.5"]) {
    const res = await h.call("GET", `/v1/credentials?limit=${limit}`, {
      role: "lister",
    });
    assert.equal(res.status, 400, limit);
    const body = await problemOf(res);
    assert.equal(body.code, "BAD_REQUEST");
    assert.match(body.detail, /'limit'/);
  }
});

Deno.test("a bad id is a 400 INVALID_ID problem", async () => {
  const h = await harness();
  for (const id of ["a\u0000b", "x".repeat(300)]) {
    const res = await h.call("GET", path(id), { role: "reader" });
    assert.equal(res.status, 400);
    assert.equal((await problemOf(res)).code, "INVALID_ID");
  }
});

Deno.test("ids with slashes, dots and non-ASCII round-trip through the path", async () => {
  const h = await harness();
  // "." and ".." alone cannot be addressed: URL parsers resolve them as
  // dot segments, even escaped (docs/http.md says so).
  for (const id of ["a/b@x.com", ".hidden", "josé@example.com", "Ana%41"]) {
    const put = await h.call("PUT", path(id), {
      role: "writer",
      json: longLived(),
    });
    assert.equal(put.status, 201, id);
    assert.deepEqual(await put.json(), { id: id.normalize("NFC") });
    assert.ok(await h.store.load(id), id);
  }
});

Deno.test("a PUT body that is not JSON, or not typed as JSON, is 400", async () => {
  const h = await harness();
  const malformed = await h.call("PUT", path(ID), {
    role: "writer",
    body: "{not json",
    headers: { "content-type": "application/json" },
  });
  assert.equal(malformed.status, 400);
  assert.equal((await problemOf(malformed)).code, "BAD_REQUEST");
  const untyped = await h.call("PUT", path(ID), {
    role: "writer",
    body: JSON.stringify(longLived()),
    headers: { "content-type": "text/plain" },
  });
  assert.equal(untyped.status, 400);
  assert.match((await problemOf(untyped)).detail, /Content-Type/);
  const array = await h.call("PUT", path(ID), { role: "writer", json: [1] });
  assert.equal(array.status, 400);
});

Deno.test("an invalid credential is a 400 that does not echo its values", async () => {
  const h = await harness();
  const res = await h.call("PUT", path(ID), {
    role: "writer",
    json: { token: 42, refresh_token: "1//leak-me", client_secret: "GOCSPX-x" },
  });
  assert.equal(res.status, 400);
  const text = await res.text();
  assert.match(text, /INVALID_CREDENTIAL/);
  assert.doesNotMatch(text, /leak-me|GOCSPX/);
});

Deno.test("a body over 64 KiB is a 413 problem, with or without a length", async () => {
  const h = await harness();
  const big = JSON.stringify({ token: "t", pad: "x".repeat(70 * 1024) });
  const sized = await h.call("PUT", path(ID), {
    role: "writer",
    body: big,
    headers: { "content-type": "application/json" },
  });
  assert.equal(sized.status, 413);
  assert.equal((await problemOf(sized)).code, "PAYLOAD_TOO_LARGE");
  const stream = new Blob([big]).stream();
  const chunked = await h.app.request(path(ID), {
    method: "PUT",
    body: stream,
    headers: {
      authorization: `Bearer ${h.tokens.writer}`,
      "content-type": "application/json",
    },
  });
  assert.equal(chunked.status, 413);
  assert.equal(await h.store.load(ID), undefined);
});

Deno.test("an unknown route or method is a 404 NO_ROUTE problem", async () => {
  const h = await harness();
  const res = await h.call("GET", "/v2/nothing", { role: "admin" });
  assert.equal(res.status, 404);
  assert.equal((await problemOf(res)).code, "NO_ROUTE");
  const patch = await h.call("PATCH", path(ID), { role: "admin" });
  assert.equal(patch.status, 404);
});
