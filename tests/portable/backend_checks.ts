/**
 * The backend conformance suite on the backends every runtime has: memory,
 * and S3 through the AWS SDK against the in-process fake S3 (so the SDK's
 * signing, XML parsing and body handling run on the runtime under test).
 *
 * @module
 */

import { MemoryBackend } from "../../src/backends/memory.ts";
import { S3Backend } from "../../src/backends/s3.ts";
import { createFakeS3, FAKE_CREDENTIALS } from "../../src/testing/mod.ts";
import { conformanceCases } from "./conformance_suite.ts";
import type { Register } from "./harness.ts";

/** An S3 backend over a fresh fake S3, with a key prefix. */
export function fakeS3Backend(): S3Backend {
  const s3 = createFakeS3();
  return new S3Backend({
    bucket: "creds",
    prefix: "prod/",
    region: "eu-west-1",
    credentials: { ...FAKE_CREDENTIALS },
    fetch: s3.fetch,
  });
}

/**
 * Register the conformance suite on memory and on the fake S3.
 *
 * @example
 * ```ts
 * import { Checks } from "./harness.ts";
 * import { registerBackendChecks } from "./backend_checks.ts";
 *
 * const checks = new Checks();
 * registerBackendChecks(checks.test);
 * console.assert(checks.names.some((name) => name.startsWith("memory: ")));
 * ```
 */
export function registerBackendChecks(test: Register): void {
  const suites = [
    conformanceCases(
      "memory",
      () => Promise.resolve({ backend: new MemoryBackend() }),
    ),
    conformanceCases(
      "s3 (fake)",
      () => Promise.resolve({ backend: fakeS3Backend() }),
    ),
    conformanceCases("s3 (fake, virtual-host style, no prefix)", () => {
      const s3 = createFakeS3();
      const backend = new S3Backend({
        bucket: "creds",
        region: "us-east-1",
        credentials: { ...FAKE_CREDENTIALS },
        fetch: s3.fetch,
      });
      return Promise.resolve({ backend });
    }),
  ];
  for (const cases of suites) {
    for (const { name, fn } of cases) test(name, fn);
  }
}
