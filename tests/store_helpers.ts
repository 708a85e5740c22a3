/**
 * Shared pieces of the cache, update and refresh tests: a clock-driven fake
 * timer, an S3 backend over the fake S3, and error assertions.
 */

import assert from "node:assert/strict";
import { S3Backend } from "../src/backends/s3.ts";
import { CredboxError } from "../src/errors.ts";
import { createFakeS3, type FakeS3 } from "../src/testing/mod.ts";

/** 2025-10-21T12:00:00Z: far from any real clock, so no test can lean on it. */
export const T0 = Date.UTC(2025, 9, 21, 12);

/**
 * Fake time. `now()` moves only when a test calls `advance()` or when a
 * `sleep()` comes due: sleeps fire one at a time in order of due time, each
 * after the event loop has had a turn, and time jumps to each one's due
 * time. Nothing here waits for real time to pass.
 */
export class FakeTime {
  #now: number;
  #timers: { due: number; seq: number; resolve: () => void }[] = [];
  #seq = 0;
  #scheduled = false;
  /** Every sleep asked for, in milliseconds. */
  readonly sleeps: number[] = [];

  constructor(start = T0) {
    this.#now = start;
  }

  now = (): number => this.#now;

  advance(ms: number): void {
    this.#now += ms;
  }

  sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    return new Promise((resolve) => {
      this.#timers.push({ due: this.#now + ms, seq: this.#seq++, resolve });
      this.#schedule();
    });
  };

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setTimeout(() => this.#fire(), 0);
  }

  #fire(): void {
    this.#scheduled = false;
    this.#timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
    const timer = this.#timers.shift();
    if (!timer) return;
    this.#now = Math.max(this.#now, timer.due);
    timer.resolve();
    if (this.#timers.length > 0) this.#schedule();
  }
}

/** A sleep that only yields a turn of the event loop: time stands still. */
export function standStill(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** An S3 backend over `s3` (a fresh fake S3 when not given). */
export function s3Backend(s3: FakeS3 = createFakeS3()): S3Backend {
  return new S3Backend({
    bucket: "creds",
    prefix: "test/",
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
    fetch: s3.fetch,
  });
}

/** Assert `promise` rejects with a CredboxError of `code`; return it. */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  pattern?: RegExp,
): Promise<CredboxError> {
  let caught: CredboxError | undefined;
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CredboxError, `not a CredboxError: ${error}`);
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    caught = error;
    return true;
  });
  return caught!;
}

/**
 * Assert that no secret appears in `error`'s message, its cause chain, or
 * its JSON or inspected form.
 */
export function assertNoSecrets(error: unknown, secrets: string[]): void {
  const seen: string[] = [];
  for (let e = error; e !== undefined && e !== null; e = (e as Error).cause) {
    seen.push(String((e as Error).message), String(e), Deno.inspect(e));
    seen.push(JSON.stringify(e) ?? "");
  }
  const text = seen.join("\n");
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `a secret leaked into: ${text}`);
  }
}
