/**
 * The service under load: a child process serves the app on 127.0.0.1 and
 * drives it with 16 concurrent clients, 70% token, 20% read and 10% write
 * requests over 200 users, after a warm-up. Every request must succeed,
 * and the heap after the run (measured after a full collection) must not
 * have grown by more than 8 MiB over the heap before it. Latencies are
 * reported, never asserted.
 *
 * Bounds: 3,000 requests or 10 s by default; 50,000 requests or 120 s
 * with `CREDBOX_LONG=1`.
 */

import assert from "node:assert/strict";
import { bound, report } from "./reliability_helpers.ts";

const runner = new URL("./fixtures/load_run.ts", import.meta.url).pathname;

Deno.test("load: mixed token, read and write requests all succeed and the heap stays flat", async () => {
  const requests = bound(3_000, 50_000);
  const maxMs = bound(10_000, 120_000);
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      runner,
      String(requests),
      String(maxMs),
      "16",
    ],
    stdout: "piped",
    stderr: "piped",
    // The child stops by itself; this is only for a hang.
    signal: AbortSignal.timeout(maxMs + 60_000),
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  const figures = JSON.parse(new TextDecoder().decode(output.stdout));
  report("load", figures);

  assert.equal(figures.errors, 0, `failed: ${figures.errorStatuses}`);
  assert.ok(figures.requests >= Math.min(requests, 500), "too few requests");
  const growth = figures.heapAfterMB - figures.heapBeforeMB;
  assert.ok(growth < 8, `the heap grew by ${growth} MiB`);
});
