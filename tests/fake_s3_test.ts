import assert from "node:assert/strict";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { FetchRequestHandler } from "../src/backends/s3_fetch_handler.ts";
import {
  createFakeS3,
  FAKE_CREDENTIALS,
  type FakeS3Options,
} from "../src/testing/mod.ts";

function client(
  options: FakeS3Options = {},
  secretAccessKey = FAKE_CREDENTIALS.secretAccessKey,
) {
  const s3 = createFakeS3(options);
  const sdk = new S3Client({
    region: "us-east-1",
    endpoint: "http://fake.test",
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: "AKIDFAKE", secretAccessKey },
    requestHandler: new FetchRequestHandler(s3.fetch),
  });
  return { s3, sdk };
}

Deno.test("PutObject with If-None-Match * is 412 when the key exists", async () => {
  const { sdk } = client();
  const put = (ifNoneMatch?: string) =>
    sdk.send(
      new PutObjectCommand({
        Bucket: "b",
        Key: "k",
        Body: new Uint8Array([1]),
        IfNoneMatch: ifNoneMatch,
      }),
    );
  await put("*");
  await assert.rejects(
    put("*"),
    (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(error.name, "PreconditionFailed");
      assert.equal(error.$metadata?.httpStatusCode, 412);
      return true;
    },
  );
});

Deno.test("PutObject with If-Match is 404 NoSuchKey on a missing key, 412 on another ETag", async () => {
  const { sdk } = client();
  const put = (ifMatch: string, key = "k") =>
    sdk.send(
      new PutObjectCommand({
        Bucket: "b",
        Key: key,
        Body: new Uint8Array([1]),
        IfMatch: ifMatch,
      }),
    );
  await assert.rejects(put('"abc"', "missing"), { name: "NoSuchKey" });
  const { ETag } = await sdk.send(
    new PutObjectCommand({ Bucket: "b", Key: "k", Body: new Uint8Array([1]) }),
  );
  await assert.rejects(put('"abc"'), { name: "PreconditionFailed" });
  const again = await put(ETag!);
  assert.equal(again.ETag, ETag, "the ETag is a digest of the bytes");
});

Deno.test("DeleteObject with If-Match: 204 on a match, 412 on another ETag, 404 when missing", async () => {
  const { s3, sdk } = client();
  const { ETag } = await sdk.send(
    new PutObjectCommand({ Bucket: "b", Key: "k", Body: new Uint8Array([1]) }),
  );
  const del = (ifMatch?: string) =>
    sdk.send(
      new DeleteObjectCommand({ Bucket: "b", Key: "k", IfMatch: ifMatch }),
    );
  await assert.rejects(del('"other"'), { name: "PreconditionFailed" });
  await del(ETag);
  await assert.rejects(del("*"), { name: "NoSuchKey" });
  await del();
  assert.deepEqual(
    s3.requests.entries.map((r) => r.status),
    [200, 412, 204, 404, 204],
  );
});

Deno.test("the ETag of GetObject and HeadObject is the one PutObject returned", async () => {
  const { sdk } = client();
  const { ETag } = await sdk.send(
    new PutObjectCommand({
      Bucket: "b",
      Key: "a/b c%",
      Body: new Uint8Array([1, 2]),
    }),
  );
  const get = await sdk.send(
    new GetObjectCommand({ Bucket: "b", Key: "a/b c%" }),
  );
  assert.equal(get.ETag, ETag);
  assert.deepEqual([...await get.Body!.transformToByteArray()], [1, 2]);
  const head = await sdk.send(
    new HeadObjectCommand({ Bucket: "b", Key: "a/b c%" }),
  );
  assert.equal(head.ContentLength, 2);
  await assert.rejects(
    sdk.send(new HeadObjectCommand({ Bucket: "b", Key: "nope" })),
    (error: Error & { $metadata?: { httpStatusCode?: number } }) =>
      error.$metadata?.httpStatusCode === 404,
  );
});

Deno.test("ListObjectsV2 honours prefix, max-keys, start-after and continuation tokens", async () => {
  const { s3, sdk } = client();
  for (const key of ["a1", "a2", "a3", "b1", "a0/x"]) {
    await sdk.send(
      new PutObjectCommand({ Bucket: "b", Key: key, Body: new Uint8Array() }),
    );
  }
  const first = await sdk.send(
    new ListObjectsV2Command({ Bucket: "b", Prefix: "a", MaxKeys: 2 }),
  );
  assert.deepEqual(first.Contents?.map((c) => c.Key), ["a0/x", "a1"]);
  assert.equal(first.KeyCount, 2);
  assert.equal(first.IsTruncated, true);
  const second = await sdk.send(
    new ListObjectsV2Command({
      Bucket: "b",
      Prefix: "a",
      MaxKeys: 2,
      ContinuationToken: first.NextContinuationToken,
    }),
  );
  assert.deepEqual(second.Contents?.map((c) => c.Key), ["a2", "a3"]);
  assert.equal(second.IsTruncated, false);
  assert.equal(second.NextContinuationToken, undefined);
  const after = await sdk.send(
    new ListObjectsV2Command({ Bucket: "b", StartAfter: "a3" }),
  );
  assert.deepEqual(after.Contents?.map((c) => c.Key), ["b1"]);
  assert.equal(s3.requests.count("ListObjectsV2"), 3);
});

Deno.test("errors are AWS-shaped XML with Code, Message and RequestId", async () => {
  const s3 = createFakeS3();
  const response = await s3.fetch("http://fake.test/b/k");
  assert.equal(response.status, 403);
  const body = await response.text();
  assert.match(body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error>/);
  assert.match(body, /<Code>AccessDenied<\/Code>/);
  assert.match(body, /<Message>[^<]+<\/Message>/);
  assert.match(body, /<RequestId>FAKE[0-9a-f]+<\/RequestId>/);
  assert.equal(s3.requests.entries[0].status, 403);
});

Deno.test("a wrong secret is 403 SignatureDoesNotMatch", async () => {
  const { sdk } = client({}, "not-the-secret");
  await assert.rejects(
    sdk.send(new GetObjectCommand({ Bucket: "b", Key: "k" })),
    { name: "SignatureDoesNotMatch" },
  );
});

Deno.test("a body that does not match its signed hash is refused", async () => {
  const s3 = createFakeS3();
  const sdk = new S3Client({
    region: "us-east-1",
    endpoint: "http://fake.test",
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { ...FAKE_CREDENTIALS },
    requestHandler: new FetchRequestHandler((input, init) =>
      s3.fetch(input, { ...init, body: new Uint8Array([9, 9]) })
    ),
  });
  await assert.rejects(
    sdk.send(
      new PutObjectCommand({
        Bucket: "b",
        Key: "k",
        Body: new Uint8Array([1]),
      }),
    ),
    { name: "XAmzContentSHA256Mismatch" },
  );
  assert.equal(s3.objects.size, 0);
});

Deno.test("only the listed buckets exist when buckets is given", async () => {
  const { sdk } = client({ buckets: ["here"] });
  await sdk.send(
    new PutObjectCommand({ Bucket: "here", Key: "k", Body: new Uint8Array() }),
  );
  await assert.rejects(
    sdk.send(
      new PutObjectCommand({
        Bucket: "gone",
        Key: "k",
        Body: new Uint8Array(),
      }),
    ),
    { name: "NoSuchBucket" },
  );
});

Deno.test("cross-region latency holds each response for its profile", async () => {
  const { sdk } = client({ latency: "cross-region" });
  const started = performance.now();
  await sdk.send(
    new PutObjectCommand({ Bucket: "b", Key: "k", Body: new Uint8Array() }),
  );
  const put = performance.now() - started;
  assert.ok(put >= 199 && put < 400, `PUT took ${put} ms`);
});

Deno.test("faults are drawn at the given rate from the given source", async () => {
  // Each request draws once against the rate, and a faulty one draws its
  // kind.
  const draws = [0, 0.6, 0.7, 0.2, 0.1];
  const s3 = createFakeS3({
    faults: {
      rate: 0.5,
      kinds: ["throttle", "500"],
      random: () => draws.shift()!,
    },
  });
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) {
    statuses.push((await s3.fetch("http://fake.test/b/k")).status);
  }
  assert.deepEqual(
    s3.requests.entries.map((r) => r.fault),
    ["500", undefined, "throttle"],
  );
  // The request without a fault is unsigned, so it is refused.
  assert.deepEqual(statuses, [500, 403, 503]);
});

Deno.test("a dropped connection rejects like fetch, with a TypeError", async () => {
  const s3 = createFakeS3({ faults: { rate: 1, kinds: ["drop"] } });
  await assert.rejects(s3.fetch("http://fake.test/b/k"), TypeError);
  assert.equal(s3.requests.entries[0].status, 0);
});

Deno.test("an aborted request rejects while it is held", async () => {
  const s3 = createFakeS3({ latency: { GET: 10_000 } });
  const controller = new AbortController();
  const pending = s3.fetch("http://fake.test/b/k", {
    signal: controller.signal,
  });
  controller.abort();
  await assert.rejects(pending, { name: "AbortError" });
});

Deno.test("options are checked", () => {
  assert.throws(() => createFakeS3({ faults: { rate: 2 } }), RangeError);
  assert.throws(
    () => createFakeS3({ latency: { PATCH: 1 } as never }),
    RangeError,
  );
});
