/**
 * What the command line reads and writes besides its arguments: the
 * environment, standard streams, the network for S3 and the clock. Tests
 * pass their own; the defaults are Deno's.
 *
 * @module
 */

import type { EnvSource } from "../runtime.ts";

/** The `fetch` the S3 backend sends with. */
export type FetchLike = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

/**
 * What `run()` may be given instead of the process's own streams and
 * environment. Every field is optional.
 *
 * @example Capture what a command prints
 * ```ts
 * import type { CliIo } from "./io.ts";
 *
 * const lines: string[] = [];
 * const io: CliIo = { env: {}, stdout: (text) => lines.push(text) };
 * io.stdout?.("hello\n");
 * console.assert(lines[0] === "hello\n");
 * ```
 */
export interface CliIo {
  /** Variables to read instead of the process environment. */
  env?: Record<string, string | undefined>;
  /** Receives what goes to standard output. */
  stdout?: (text: string) => void;
  /** Receives what goes to standard error. */
  stderr?: (text: string) => void;
  /** Standard input, read whole (for `put ID -`). */
  stdin?: () => Promise<Uint8Array>;
  /** What S3 requests are sent with. Default: the global `fetch`. */
  fetch?: FetchLike;
  /** The clock, in epoch milliseconds. Default: `Date.now`. */
  now?: () => number;
  /** True when standard error is a terminal: draw progress bars there. */
  stderrIsTerminal?: boolean;
  /** Stops a long command (rotate, import) between two records. */
  signal?: AbortSignal;
}

/**
 * {@linkcode CliIo} with every default filled in.
 *
 * @example
 * ```ts
 * import { resolveIo } from "./io.ts";
 *
 * const io = resolveIo({ env: {}, stdout: () => {}, stderr: () => {} });
 * console.assert(io.tty === false && typeof io.now() === "number");
 * ```
 */
export interface Io {
  /** The variables commands read. */
  env: EnvSource;
  /** Write to standard output. */
  out(text: string): void;
  /** Write to standard error. */
  err(text: string): void;
  /** Standard input, read whole. */
  stdin(): Promise<Uint8Array>;
  /** The S3 `fetch`, when one was given. */
  fetch: FetchLike | undefined;
  /** The clock. */
  now(): number;
  /** Standard error is a terminal. */
  tty: boolean;
  /** Aborted when the command should stop between records. */
  signal: AbortSignal | undefined;
}

const encoder = new TextEncoder();

/**
 * Fill in the defaults of `io`: the process's environment and streams.
 *
 * @example
 * ```ts
 * import { resolveIo } from "./io.ts";
 *
 * const io = resolveIo({ env: { A: "1" }, stdout: () => {} });
 * console.assert(io.env.A === "1");
 * ```
 */
export function resolveIo(io: CliIo = {}): Io {
  return {
    env: io.env ?? Deno.env.toObject(),
    out: io.stdout ?? ((text) => writeAll(Deno.stdout, text)),
    err: io.stderr ?? ((text) => writeAll(Deno.stderr, text)),
    stdin: io.stdin ?? (async () =>
      await new Response(Deno.stdin.readable)
        .bytes()),
    fetch: io.fetch,
    now: io.now ?? Date.now,
    tty: io.stderrIsTerminal ??
      (io.stderr === undefined && Deno.stderr.isTerminal()),
    signal: io.signal,
  };
}

function writeAll(
  stream: { writeSync(bytes: Uint8Array): number },
  text: string,
): void {
  const bytes = encoder.encode(text);
  // writeSync may write part of the buffer, as write(2) does.
  for (let at = 0; at < bytes.length;) {
    at += stream.writeSync(bytes.subarray(at));
  }
}
