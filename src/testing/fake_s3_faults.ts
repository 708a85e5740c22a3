/**
 * Latency profiles and fault injection for the fake S3.
 *
 * @module
 */

/** Kinds of request, as latency profiles name them. */
export type RequestKind = "PUT" | "GET" | "HEAD" | "LIST" | "DELETE";

/** Milliseconds added before the fake answers, per kind of request. */
export type LatencyProfile = Partial<Record<RequestKind, number>>;

/**
 * The worst-case cross-region latencies the original measurements assumed.
 */
export const CROSS_REGION: Readonly<Record<RequestKind, number>> = Object
  .freeze({ PUT: 200, GET: 100, HEAD: 50, LIST: 100, DELETE: 50 });

/**
 * What a fault does: `"throttle"` answers 503 SlowDown, `"500"` answers
 * 500 InternalError, `"drop"` rejects the fetch as a dropped connection
 * does (a `TypeError`), and `"slow"` answers correctly after `slowMs`.
 */
export type FaultKind = "throttle" | "500" | "drop" | "slow";

/** Which requests fail, and how. */
export interface FaultOptions {
  /** The share of requests that meet a fault, from 0 to 1. */
  rate: number;
  /** The faults to draw from, equally likely. Default: all four. */
  kinds?: FaultKind[];
  /** A source of numbers in [0, 1), for repeatable runs. */
  random?: () => number;
  /** How long a `"slow"` response is held. Default: 1,000 ms. */
  slowMs?: number;
}

const ALL_KINDS: FaultKind[] = ["throttle", "500", "drop", "slow"];

/** The latency of each kind of request, from the option's form. */
export function latencyOf(
  latency: "cross-region" | LatencyProfile | undefined,
): LatencyProfile {
  if (latency === undefined) return {};
  if (latency === "cross-region") return CROSS_REGION;
  if (typeof latency !== "object" || latency === null) {
    throw new TypeError(
      `createFakeS3: 'latency' must be "cross-region" or an object`,
    );
  }
  for (const [kind, ms] of Object.entries(latency)) {
    if (!(kind in CROSS_REGION) || !(Number.isFinite(ms) && ms >= 0)) {
      throw new RangeError(
        `createFakeS3: latency '${kind}' must be a kind of request with ` +
          `milliseconds >= 0, got ${ms}`,
      );
    }
  }
  return latency;
}

/** Draws the fault, if any, each request meets. */
export class FaultPlan {
  readonly #rate: number;
  readonly #kinds: FaultKind[];
  readonly #random: () => number;
  /** How long a slow response is held, in milliseconds. */
  readonly slowMs: number;

  /** A plan from the options; no faults without them. */
  constructor(options?: FaultOptions) {
    const rate = options?.rate ?? 0;
    if (!(rate >= 0 && rate <= 1)) {
      throw new RangeError(
        `createFakeS3: faults 'rate' must be from 0 to 1, got ${rate}`,
      );
    }
    const kinds = options?.kinds ?? ALL_KINDS;
    const unknown = kinds.find((kind) => !ALL_KINDS.includes(kind));
    if (kinds.length === 0 || unknown !== undefined) {
      throw new RangeError(
        `createFakeS3: faults 'kinds' must be some of ${ALL_KINDS.join(", ")}`,
      );
    }
    this.#rate = rate;
    this.#kinds = kinds;
    this.#random = options?.random ?? Math.random;
    this.slowMs = options?.slowMs ?? 1_000;
  }

  /** The fault the next request meets, if any. */
  next(): FaultKind | undefined {
    if (this.#rate === 0 || this.#random() >= this.#rate) return undefined;
    const index = Math.floor(this.#random() * this.#kinds.length);
    return this.#kinds[Math.min(index, this.#kinds.length - 1)];
  }
}

// Timers fire late: on Deno a 100 ms setTimeout takes about 101.6 ms and a
// 0 ms one about 2 ms, which a latency profile would charge to the client.
// So a wait sleeps on a timer until this close to its end, then yields
// through a MessageChannel (a macrotask, no timer clamp) until the deadline.
const COARSE_MS = 4;

/**
 * Wait `ms` (to within a fraction of a millisecond), or reject with the
 * signal's reason once it aborts.
 */
export async function delay(
  ms: number,
  signal: AbortSignal | null,
): Promise<void> {
  if (signal?.aborted) throw signal.reason;
  if (ms <= 0) return;
  const deadline = performance.now() + ms;
  if (ms > COARSE_MS) await sleep(ms - COARSE_MS, signal);
  await yieldUntil(deadline, signal);
}

function sleep(ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

async function yieldUntil(
  deadline: number,
  signal: AbortSignal | null,
): Promise<void> {
  const channel = new MessageChannel();
  try {
    while (performance.now() < deadline) {
      if (signal?.aborted) throw signal.reason;
      await new Promise<void>((resolve) => {
        channel.port1.onmessage = () => resolve();
        channel.port2.postMessage(0);
      });
    }
  } finally {
    // An open port keeps the event loop (and a test) alive.
    channel.port1.close();
    channel.port2.close();
  }
}
