import assert from "node:assert/strict";
import { S3Backend, type S3BackendOptions } from "../src/backends/s3.ts";
import { CredboxError } from "../src/errors.ts";
import {
  createFakeS3,
  type FakeS3,
  type FakeS3Options,
} from "../src/testing/mod.ts";
import { backendConformance } from "./conformance.ts";

const CREDENTIALS = { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" };

function setup(
  fake: FakeS3Options = {},
  options: Partial<S3BackendOptions> = {},
): { s3: FakeS3; backend: S3Backend } {
  const s3 = createFakeS3(fake);
  const backend = new S3Backend({
    bucket: "creds",
    prefix: "prod/",
    region: "eu-west-1",
    credentials: CREDENTIALS,
    fetch: s3.fetch,
    ...options,
  });
  return { s3, backend };
}

/** Numbers for a fault plan: each request draws one, a fault one more. */
function draws(...values: number[]): () => number {
  let i = 0;
  return () => i < values.length ? values[i++] : 0.99;
}

async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  check: (message: string) => void = () => {},
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CredboxError, `not a CredboxError: ${error}`);
    assert.equal(error.code, code);
    check(error.message);
    return true;
  });
}

backendConformance(
  "s3 (fake)",
  () => Promise.resolve({ backend: setup().backend }),
);

backendConformance(
  "s3 (fake, virtual-host style, no prefix)",
  () => {
    const s3 = createFakeS3();
    return Promise.resolve({
      backend: new S3Backend({
        bucket: "creds",
        region: "us-east-1",
        credentials: CREDENTIALS,
        fetch: s3.fetch,
      }),
    });
  },
);

Deno.test("each operation is one request at S3", async () => {
  const { s3, backend } = setup();
  const { version } = await backend.put("ana", new Uint8Array([1]));
  assert.deepEqual(
    s3.requests.entries.map((r) => [r.method, r.op, r.key]),
    [["PUT", "PutObject", "prod/ana"]],
  );
  s3.requests.clear();
  assert.equal((await backend.get("ana"))?.version, version);
  assert.equal(s3.requests.count(), 1);
  assert.equal(s3.requests.count("GetObject"), 1);
  s3.requests.clear();
  assert.equal(await backend.get("nobody"), undefined);
  assert.equal(s3.requests.count(), 1);
  s3.requests.clear();
  await backend.put("ana", new Uint8Array([2]), { ifVersion: null })
    .catch(() => {});
  assert.equal(s3.requests.count("PutObject"), 1);
  s3.requests.clear();
  assert.equal(await backend.delete("ana"), true);
  assert.equal(await backend.delete("ana"), false);
  assert.deepEqual(
    s3.requests.entries.map((r) => [r.op, r.status]),
    [["DeleteObject", 204], ["DeleteObject", 404]],
  );
});

Deno.test("a list of 2,500 names is three ListObjectsV2 requests", async () => {
  const { s3, backend } = setup();
  for (let i = 0; i < 2500; i++) {
    const name = `n${String(i).padStart(5, "0")}`;
    s3.objects.set(`creds/prod/${name}`, {
      bytes: new Uint8Array(),
      etag: '"x"',
      lastModified: new Date(),
      contentType: "application/octet-stream",
    });
  }
  let cursor: string | undefined;
  let count = 0;
  do {
    const page = await backend.list({ cursor });
    count += page.names.length;
    cursor = page.cursor;
  } while (cursor);
  assert.equal(count, 2500);
  assert.equal(s3.requests.count("ListObjectsV2"), 3);
  assert.equal(s3.requests.count(), 3);
});

Deno.test("list skips foreign objects under the prefix", async () => {
  const { s3, backend } = setup();
  await backend.put("ana", new Uint8Array([1]));
  s3.objects.set("creds/prod/sub/readme.txt", {
    bytes: new Uint8Array(),
    etag: '"x"',
    lastModified: new Date(),
    contentType: "text/plain",
  });
  assert.deepEqual((await backend.list()).names, ["ana"]);
});

Deno.test("server-side encryption is asked for on every write", async () => {
  const seen: (string | null)[] = [];
  const s3 = createFakeS3();
  const spy = (input: string | URL | Request, init?: RequestInit) => {
    seen.push(new Headers(init?.headers).get("x-amz-server-side-encryption"));
    return s3.fetch(input, init);
  };
  const base = { bucket: "b", region: "us-east-1", credentials: CREDENTIALS };
  await new S3Backend({ ...base, sse: "AES256", fetch: spy })
    .put("a", new Uint8Array([1]));
  await new S3Backend({ ...base, sse: { kmsKeyId: "alias/x" }, fetch: spy })
    .put("a", new Uint8Array([1]));
  assert.deepEqual(seen, ["AES256", "aws:kms"]);
});

Deno.test("a wrong secret is BACKEND naming the cause, not the secret", async () => {
  const secret = "wrong-secret-do-not-print";
  const { backend } = setup({}, {
    credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: secret },
  });
  await rejectsWith(backend.get("ana"), "BACKEND", (message) => {
    assert.match(message, /SignatureDoesNotMatch/);
    assert.match(message, /bucket 'creds'/);
    assert.match(message, /secret access key/);
    assert.ok(!message.includes(secret));
    assert.ok(!message.includes("ana"));
  });
});

Deno.test("an unknown access key is BACKEND with InvalidAccessKeyId", async () => {
  const { backend } = setup({}, {
    credentials: { accessKeyId: "AKIDOTHER", secretAccessKey: "x" },
  });
  await rejectsWith(
    backend.put("ana", new Uint8Array([1])),
    "BACKEND",
    (message) => assert.match(message, /InvalidAccessKeyId/),
  );
});

Deno.test("a missing bucket is BACKEND naming the bucket", async () => {
  const { s3, backend } = setup({ buckets: ["other"] }, { bucket: "gone" });
  await rejectsWith(backend.list(), "BACKEND", (message) => {
    assert.match(message, /bucket 'gone' does not exist \(NoSuchBucket\)/);
  });
  // Not retried: another attempt would not find it either.
  assert.equal(s3.requests.count(), 1);
});

Deno.test("access denied names the IAM action to grant", async () => {
  const deny = () =>
    Promise.resolve(
      new Response(
        "<Error><Code>AccessDenied</Code><Message>secret-ish body</Message></Error>",
        { status: 403 },
      ),
    );
  const backend = new S3Backend({
    bucket: "creds",
    prefix: "prod/",
    region: "us-east-1",
    credentials: CREDENTIALS,
    fetch: deny,
  });
  await rejectsWith(backend.put("ana", new Uint8Array()), "BACKEND", (m) => {
    assert.match(m, /grant s3:PutObject on arn:aws:s3:::creds\/prod\/\*/);
    assert.ok(!m.includes("secret-ish"));
  });
  await rejectsWith(backend.list(), "BACKEND", (m) => {
    assert.match(m, /s3:ListBucket on arn:aws:s3:::creds/);
  });
});

for (const kind of ["throttle", "500", "drop"] as const) {
  Deno.test(`a ${kind} fault is retried, then succeeds`, async () => {
    // The first request meets the fault, every later one none.
    const { s3, backend } = setup({
      faults: { rate: 0.5, kinds: [kind], random: draws(0, 0) },
    });
    await backend.put("ana", new Uint8Array([7]));
    assert.equal(s3.requests.count("PutObject"), 2);
    assert.equal(s3.requests.entries[0].fault, kind);
    assert.deepEqual([...(await backend.get("ana"))!.bytes], [7]);
  });
}

Deno.test("retries stop at maxAttempts, then BACKEND", async () => {
  const { s3, backend } = setup(
    { faults: { rate: 1, kinds: ["throttle"] } },
    { maxAttempts: 2 },
  );
  await rejectsWith(backend.get("ana"), "BACKEND", (message) => {
    assert.match(message, /failed after 2 attempts: SlowDown \(HTTP 503\)/);
  });
  assert.equal(s3.requests.count(), 2);
});

Deno.test("a slow response times out, is retried, then BACKEND", async () => {
  const { s3, backend } = setup(
    { faults: { rate: 1, kinds: ["slow"], slowMs: 10_000 } },
    { timeoutMs: 20, maxAttempts: 2 },
  );
  await rejectsWith(backend.list(), "BACKEND", (message) => {
    assert.match(message, /timed out after 20 ms/);
  });
  assert.equal(s3.requests.count(), 2);
  assert.ok(s3.requests.entries.every((r) => r.status === 0));
});

Deno.test("a slow response within the timeout succeeds", async () => {
  const { backend } = setup(
    { faults: { rate: 0.5, kinds: ["slow"], slowMs: 20, random: draws(0, 0) } },
    { timeoutMs: 5_000 },
  );
  assert.equal(await backend.get("ana"), undefined);
});

Deno.test("options are checked when the backend is made", () => {
  const invalid = (options: unknown, pattern: RegExp) =>
    assert.throws(
      () => new S3Backend(options as S3BackendOptions),
      (error: unknown) => {
        assert.ok(error instanceof CredboxError);
        assert.equal(error.code, "INVALID_CONFIG");
        assert.match(error.message, pattern);
        return true;
      },
    );
  invalid(
    { bucket: "" },
    /^Cannot open S3 backend: 'bucket' must be a non-empty string, got ""$/,
  );
  invalid({ bucket: "a/b" }, /'bucket' must be a bucket name/);
  invalid({ bucket: "b", prefix: "/x" }, /'prefix'/);
  invalid({ bucket: "b", region: "EU WEST" }, /'region'/);
  invalid({ bucket: "b", endpoint: "ftp://user:pw@x" }, /'endpoint'/);
  invalid({ bucket: "b", maxAttempts: 0 }, /'maxAttempts' must be an integer/);
  invalid({ bucket: "b", timeoutMs: 1.5 }, /'timeoutMs'/);
  invalid({ bucket: "b", sse: "aws:kms" }, /'sse'/);
  invalid({ bucket: "b", fetch: "x" }, /'fetch' must be a function/);
  invalid(
    { bucket: "b", credentials: { accessKeyId: "a", secretAccessKey: 42 } },
    /'credentials.secretAccessKey' must be a non-empty string, got number/,
  );
  assert.throws(
    () =>
      new S3Backend({
        bucket: "b",
        credentials: { accessKeyId: "", secretAccessKey: "hunter2" },
      }),
    (error: unknown) => !String(error).includes("hunter2"),
  );
  const client = setup().backend;
  invalid(
    { bucket: "b", client: { send() {} }, fetch },
    /'client' cannot be combined with 'fetch'/,
  );
  assert.ok(client);
});

Deno.test("frozen credentials are accepted and left untouched", async () => {
  const credentials = Object.freeze({ ...CREDENTIALS });
  const { backend } = setup({}, { credentials });
  await backend.put("ana", new Uint8Array([1]));
  assert.deepEqual(Object.keys(credentials), [
    "accessKeyId",
    "secretAccessKey",
  ]);
});

Deno.test("a given client is used as it is", async () => {
  const { S3Client } = await import("@aws-sdk/client-s3");
  const s3 = createFakeS3();
  const { FetchRequestHandler } = await import(
    "../src/backends/s3_fetch_handler.ts"
  );
  const client = new S3Client({
    region: "us-east-1",
    credentials: CREDENTIALS,
    requestHandler: new FetchRequestHandler(s3.fetch),
  });
  const backend = new S3Backend({ bucket: "b", client });
  await backend.put("ana", new Uint8Array([1]));
  assert.equal(s3.requests.count("PutObject"), 1);
});
