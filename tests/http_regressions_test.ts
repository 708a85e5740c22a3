/**
 * Regressions the HTTP fuzz run found, kept as plain tests: each names
 * what the fuzzer sent and what went wrong before the fix.
 */

import assert from "node:assert/strict";
import { S3Backend } from "../src/backends/s3.ts";
import { toEtag } from "../src/http/etag.ts";
import { createFakeS3 } from "../src/testing/mod.ts";
import { credentialPath, serviceUnderTest } from "./reliability_http.ts";

const LONG_LIVED = {
  token: "ya29.fuzz",
  refresh_token: "1//fuzz",
  expiry: "2999-01-01T00:00:00",
};
const encoder = new TextEncoder();

Deno.test("http: a path id the app cannot decode is a 400 or 404, never a 500", async () => {
  const service = await serviceUnderTest();
  for (const raw of ["%", "%ZZ", "%ED%A0%BD", "%C3", "%00"]) {
    const res = await service.app.request(`/v1/credentials/${raw}`, {
      headers: { authorization: `Bearer ${service.tokens.admin}` },
    });
    assert.ok([400, 404].includes(res.status), `${raw}: ${res.status}`);
    await res.body?.cancel();
  }
  const res = await service.app.request(credentialPath("ana"), {
    method: "PUT",
    headers: {
      authorization: `Bearer ${service.tokens.admin}`,
      "content-type": "application/json",
    },
    body: encoder.encode("{"),
  });
  assert.equal(res.status, 400);
  await res.body?.cancel();
});

// Found by the fake S3 run of fuzz_http_test.ts: a well-formed If-Match naming a version with a
// control character went to S3 as a header, which fetch refuses; the
// backend took that for a dropped connection, retried, and answered 503.
Deno.test("http: If-Match naming a version no S3 ETag can be is 412 at once, not 503", async () => {
  const s3 = createFakeS3();
  const backend = new S3Backend({
    bucket: "creds",
    region: "eu-west-1",
    credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
    fetch: s3.fetch,
  });
  const service = await serviceUnderTest({ backend });
  await service.store.save("ana", LONG_LIVED);
  const sent = s3.requests.count();
  for (const version of ["a\r\nb", "\u0000", "\u{1F600}"]) {
    for (const method of ["PUT", "DELETE"]) {
      const res = await service.app.request(credentialPath("ana"), {
        method,
        headers: {
          authorization: `Bearer ${service.tokens.admin}`,
          "content-type": "application/json",
          "if-match": toEtag(version),
        },
        body: method === "PUT" ? JSON.stringify(LONG_LIVED) : undefined,
      });
      assert.equal(res.status, 412, `${method} ${JSON.stringify(version)}`);
      await res.body?.cancel();
    }
  }
  assert.equal(s3.requests.count(), sent, "the guesses reached S3");
});
