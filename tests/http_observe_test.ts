import assert from "node:assert/strict";
import { openApiDocument } from "@credbox/credbox/http";
import { harness, longLived, path, problemOf } from "./http_helpers.ts";

const ID = "ana@example.com";

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return [...new Uint8Array(digest)]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("each request writes one JSON access-log line", async () => {
  let clock = 1_000_000;
  const h = await harness({ now: () => (clock += 5) });
  await h.store.save(ID, longLived());
  const res = await h.call("POST", path(ID, "/token"), {
    role: "minter",
    headers: { "x-request-id": "req-42" },
  });
  assert.equal(res.headers.get("x-request-id"), "req-42");
  await res.body?.cancel();
  assert.equal(h.lines.length, 1);
  assert.deepEqual(JSON.parse(h.lines[0]), {
    time: new Date(1_000_005).toISOString(),
    method: "POST",
    route: "/v1/credentials/:id/token",
    status: 200,
    duration_ms: 5,
    request_id: "req-42",
    token: "minter",
    credential: (await sha256Hex(ID)).slice(0, 16),
  });
});

Deno.test("error lines carry the problem code and no token name when none", async () => {
  const h = await harness();
  await (await h.call("GET", path(ID))).body?.cancel();
  await (await h.call("GET", "/nowhere", { role: "admin" })).body?.cancel();
  const [unauthorized, unmatched] = h.lines.map((line) => JSON.parse(line));
  assert.equal(unauthorized.status, 401);
  assert.equal(unauthorized.code, "UNAUTHORIZED");
  assert.equal(unauthorized.token, undefined);
  assert.equal(unmatched.route, "unmatched");
  assert.equal(unmatched.code, "NO_ROUTE");
  assert.match(unauthorized.request_id, /^[0-9a-f-]{36}$/);
});

Deno.test("no log line or response ever carries a secret", async () => {
  const h = await harness();
  await h.call("PUT", path(ID), { role: "writer", json: longLived() });
  await h.call("POST", path(ID, "/token"), { role: "minter" });
  await h.call("GET", "/v1/credentials", { role: "lister" });
  await h.call("GET", "/metrics", { role: "admin" });
  await h.call("GET", path(ID), { headers: { authorization: "Bearer x" } });
  const logged = h.lines.join("\n");
  for (const secret of [...Object.values(h.tokens), "1//refresh", "GOCSPX"]) {
    assert.ok(!logged.includes(secret), secret);
  }
  assert.ok(!logged.includes(ID), "the id is hashed");
  assert.equal(h.lines.length, 5);
});

Deno.test("metrics count requests by route and status, with latency", async () => {
  const h = await harness();
  await h.store.save(ID, longLived());
  for (let i = 0; i < 3; i++) {
    await (await h.call("POST", path(ID, "/token"), { role: "minter" })).text();
  }
  await (await h.call("GET", path("x@y.z"), { role: "reader" })).text();
  const res = await h.call("GET", "/metrics", { role: "admin" });
  assert.equal(res.status, 200);
  assert.match(
    res.headers.get("content-type") ?? "",
    /^text\/plain; version=0\.0\.4/,
  );
  const text = await res.text();
  assert.match(
    text,
    /credbox_http_requests_total\{method="POST",route="\/v1\/credentials\/:id\/token",status="200"\} 3/,
  );
  assert.match(
    text,
    /credbox_http_requests_total\{method="GET",route="\/v1\/credentials\/:id",status="404"\} 1/,
  );
  assert.match(
    text,
    /credbox_http_request_duration_seconds_count\{route="\/v1\/credentials\/:id\/token"\} 3/,
  );
  assert.match(text, /le="\+Inf"\} 3/);
  if (typeof (h.store as { stats?: unknown }).stats === "function") {
    assert.match(text, /credbox_cache_hits_total \d+/);
    assert.match(
      text,
      /credbox_refresh_outcomes_total\{outcome="failed"\} \d+/,
    );
  }
});

Deno.test("responses carry secure headers and a request id", async () => {
  const h = await harness();
  const res = await h.call("GET", "/healthz");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(res.headers.get("x-frame-options"), "DENY");
  assert.match(
    res.headers.get("content-security-policy") ?? "",
    /frame-ancestors 'none'/,
  );
  assert.equal(res.headers.get("referrer-policy"), "no-referrer");
  assert.match(res.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
  await res.body?.cancel();
});

Deno.test("a request that outlives timeoutMs is a 504 TIMEOUT", async () => {
  const h = await harness({
    timeoutMs: 20,
    wrap: (store) =>
      Object.assign(Object.create(store), {
        load: () => new Promise((resolve) => setTimeout(resolve, 200)),
      }),
  });
  const res = await h.call("GET", path(ID), { role: "reader" });
  assert.equal(res.status, 504);
  assert.equal((await problemOf(res)).code, "TIMEOUT");
  await new Promise((resolve) => setTimeout(resolve, 250));
});

Deno.test("openapi.json describes every route the app serves", async () => {
  const h = await harness();
  const doc = openApiDocument();
  const served = h.app.routes
    .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
    .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
  const described = Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.keys(ops).filter((k) => k !== "parameters").map((m) =>
      `${m.toUpperCase()} ${p}`
    )
  );
  assert.deepEqual([...new Set(served)].sort(), described.sort());
});
