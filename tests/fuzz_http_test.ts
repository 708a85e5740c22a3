/**
 * Hostile HTTP: random methods, paths, queries, headers and bodies, with
 * and without valid API tokens, against the app over a memory store and
 * over the fake S3. Every answer must come within 5 s, with a status the
 * API documents for that route; every error must be problem+json whose
 * `status` matches; no 500 or 503 (nothing here is damaged or down).
 *
 * Bounds: 2 x 400 requests over memory and 2 x 150 over the fake S3 by
 * default (random ones, then well-formed ones); 2 x 10,000 and 2 x 2,000
 * with `CREDBOX_LONG=1`.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import type { Backend } from "../mod.ts";
import { S3Backend } from "../src/backends/s3.ts";
import { toEtag } from "../src/http/etag.ts";
import { createFakeS3 } from "../src/testing/mod.ts";
import { credentialPath, serviceUnderTest } from "./reliability_http.ts";
import { bound, report, runSeed } from "./reliability_helpers.ts";

const seed = runSeed();
const IDS = ["ana@example.com", "Bob@Example.com", "j\u00f6rg@example.de"];
const LONG_LIVED = {
  token: "ya29.fuzz",
  refresh_token: "1//fuzz",
  token_uri: "https://oauth2.googleapis.com/token",
  expiry: "2999-01-01T00:00:00",
};

const pctBytes = fc.uint8Array({ maxLength: 12 }).map((bytes) =>
  Array.from(
    bytes,
    (b) =>
      /[a-z0-9]/i.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : "%" + b.toString(16).padStart(2, "0"),
  ).join("")
);
const segment = fc.oneof(
  {
    arbitrary: fc.constantFrom(...IDS.map((id) => encodeURIComponent(id))),
    weight: 4,
  },
  fc.constantFrom(
    "%",
    "%ZZ",
    "%ED%A0%BD",
    "%00",
    "..%2F..",
    "%2e",
    "a".repeat(300),
  ),
  pctBytes,
);
const path = fc.oneof(
  fc.constantFrom(
    "/",
    "/healthz",
    "/metrics",
    "/openapi.json",
    "/v1",
    "/v1/credentials",
    "/v1/credentials/",
    "//v1//credentials",
  ),
  {
    arbitrary: fc.tuple(
      segment,
      fc.constantFrom("", "", "/token", "/token", "/token/x", "/", "/x"),
    ).map(([id, rest]) => `/v1/credentials/${id}${rest}`),
    weight: 5,
  },
);
const query = fc.oneof(
  fc.constant(""),
  fc.tuple(
    fc.constantFrom("prefix", "cursor", "limit", "min_ttl", "x"),
    fc.oneof(pctBytes, fc.constantFrom("-1", "0", "1e3", "1001", "86401")),
  ).map(([key, value]) => `?${key}=${value}`),
);
const headerText = fc.string({
  unit: fc.constantFrom(...'ab*"W/ ,-_=:xyz0123456789AZ'.split("")),
  maxLength: 20,
});
const request = fc.record({
  method: fc.constantFrom(
    "GET",
    "GET",
    "POST",
    "PUT",
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "DELETE",
    "PATCH",
    "OPTIONS",
    "PROPFIND",
  ),
  path,
  query,
  role: fc.constantFrom(
    undefined,
    "list",
    "read",
    "write",
    "token",
    "admin",
    "admin",
    "admin",
    "junk",
  ),
  scheme: fc.constantFrom(
    "Bearer",
    "Bearer",
    "Bearer",
    "Bearer",
    "bearer",
    "Basic",
    "Bearer ",
  ),
  contentType: fc.constantFrom(
    undefined,
    "application/json",
    "application/json",
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "APPLICATION/JSON",
  ),
  ifMatch: fc.oneof(
    { arbitrary: fc.constant(null), weight: 5 },
    fc.constantFrom("*", '""', 'W/"x"'),
    headerText,
  ),
  ifNoneMatch: fc.oneof(
    { arbitrary: fc.constant(null), weight: 5 },
    fc.constant("*"),
    headerText,
  ),
  body: fc.oneof(
    fc.constant(undefined),
    { arbitrary: fc.constant(JSON.stringify(LONG_LIVED)), weight: 3 },
    fc.constant(
      JSON.stringify({ ...LONG_LIVED, expiry: "2000-01-01T00:00:00" }),
    ),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.uint8Array({ maxLength: 64 }),
    fc.constant("x".repeat(70 * 1024)),
  ),
});

// Requests a client could mean: a real route, a valid token of some
// scope, a JSON body, conditions that are sometimes real entity tags.
const wellFormed = fc.record({
  method: fc.constantFrom("GET", "PUT", "DELETE", "POST"),
  path: fc.oneof(
    { arbitrary: fc.constantFrom(...IDS), weight: 4 },
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
  ).map((id) => credentialPath(id)),
  query: fc.constantFrom("", "?min_ttl=0", "?min_ttl=86400"),
  role: fc.constantFrom("read", "write", "token", "admin", "admin"),
  scheme: fc.constant("Bearer"),
  contentType: fc.constant("application/json"),
  ifMatch: fc.oneof(
    { arbitrary: fc.constant(null), weight: 3 },
    fc.constantFrom("*", "current"),
    // Well-formed tags naming versions no backend made.
    fc.string({ unit: "binary", minLength: 1, maxLength: 6 }).map(toEtag),
  ),
  ifNoneMatch: fc.oneof(
    { arbitrary: fc.constant(null), weight: 3 },
    fc.constantFrom("*", "current"),
  ),
  body: fc.oneof(
    fc.constant(JSON.stringify(LONG_LIVED)),
    fc.constant(
      JSON.stringify({ ...LONG_LIVED, expiry: "2000-01-01T00:00:00" }),
    ),
    fc.constant(JSON.stringify({ ...LONG_LIVED, credbox_lease: 1 })),
    fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
  ),
}).map((r) => r.method === "POST" ? { ...r, path: `${r.path}/token` } : r);

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// What each route may answer, beyond 400/401/403/404/405/413 for all.
const COMMON = [400, 401, 403, 404, 405, 413];
function allowed(method: string, path: string): number[] {
  const token = /\/token$/.test(path.split("?")[0]);
  return [
    ...COMMON,
    200,
    201,
    204,
    304,
    412,
    // A refused or failed refresh, only where refreshes happen.
    ...(token && method === "POST" ? [409, 502] : []),
  ];
}

async function fuzz(
  backend: Backend | undefined,
  runs: number,
  requests: typeof request,
) {
  // Refresh calls meet a token endpoint that refuses every grant.
  const refuse = () =>
    Promise.resolve(
      Response.json({ error: "invalid_grant" }, { status: 400 }),
    );
  const service = await serviceUnderTest({
    backend,
    fetch: refuse as typeof fetch,
    sleep: () => Promise.resolve(),
  });
  for (const id of IDS) await service.store.save(id, LONG_LIVED);
  const statuses: Record<number, number> = {};

  await fc.assert(
    fc.asyncProperty(requests, async (r) => {
      // Deletes must not starve the later requests of records.
      for (const id of IDS) {
        if (!await service.store.has(id)) {
          await service.store.save(id, LONG_LIVED);
        }
      }
      const headers: Record<string, string> = {};
      if (r.role) {
        const token = service.tokens[r.role as "admin"] ?? "cbx_junk";
        headers.authorization = `${r.scheme} ${token}`;
      }
      if (r.contentType) headers["content-type"] = r.contentType;
      const id = safeDecode(r.path.split("/")[3] ?? "");
      const tag = async (value: string) => {
        if (value !== "current") return value;
        const found = await service.store.load(id).catch(() => undefined);
        return found ? toEtag(found.version) : '"gone"';
      };
      if (r.ifMatch !== null) headers["if-match"] = await tag(r.ifMatch);
      if (r.ifNoneMatch !== null) {
        headers["if-none-match"] = await tag(r.ifNoneMatch);
      }
      const noBody = r.method === "GET" || r.method === "HEAD";
      const url = r.path + r.query;
      const what = `${r.method} ${url} ${JSON.stringify(headers)}`;

      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`hung: ${what}`)), 5_000);
      });
      const res = await Promise.race([
        Promise.resolve(service.app.request(url, {
          method: r.method,
          headers,
          body: noBody ? undefined : r.body,
        })),
        deadline,
      ]).finally(() => clearTimeout(timer));
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const text = await res.text();

      assert.ok(
        allowed(r.method, url).includes(res.status),
        `${what} answered ${res.status}: ${text}`,
      );
      if (res.status >= 400 && r.method !== "HEAD") {
        assert.equal(
          res.headers.get("content-type"),
          "application/problem+json",
          what,
        );
        const body = JSON.parse(text);
        assert.equal(body.status, res.status, what);
        assert.equal(typeof body.code, "string", what);
        assert.equal(typeof body.detail, "string", what);
      }
    }),
    { numRuns: runs, seed },
  );
  return statuses;
}

Deno.test("fuzz: random requests to the app over memory get documented answers", async () => {
  const runs = bound(400, 10_000);
  const chaos = await fuzz(undefined, runs, request);
  const meant = await fuzz(undefined, runs, wellFormed as typeof request);
  report("fuzz/http-memory", { seed, runs: 2 * runs, chaos, meant });
});

Deno.test("fuzz: random requests to the app over the fake S3 get documented answers", async () => {
  const s3 = createFakeS3();
  const backend = new S3Backend({
    bucket: "creds",
    region: "eu-west-1",
    credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
    fetch: s3.fetch,
  });
  const runs = bound(150, 2_000);
  const chaos = await fuzz(backend, runs, request);
  const meant = await fuzz(backend, runs, wellFormed as typeof request);
  report("fuzz/http-s3", { seed, runs: 2 * runs, chaos, meant });
});
