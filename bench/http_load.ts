/**
 * `deno task bench:http`: a bounded load run against the running service.
 *
 * Starts the service (`src/main.ts`, fs backend in a temporary folder) and,
 * beside it, a bare Hono app that answers constant JSON, each in its own
 * process; then drives them with autocannon at the same concurrency, in
 * alternating 2-second rounds so that load from elsewhere on the machine
 * falls on both alike. It prints requests per second over all rounds, the
 * median and worst p99, errors, and the ratio of the token route to the
 * bare route. The goal is a ratio of at least 0.5 with no errors; the run
 * exits 1 when it is missed.
 *
 * Options: `--duration <s>` (default 10), `--connections <n>` (default 10).
 *
 * @module
 */

import autocannon from "autocannon";
import { Keyring } from "../mod.ts";
import { createApiToken } from "../src/http/app.ts";

const args = Deno.args;
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const DURATION_S = option("duration", 10);
const CONNECTIONS = option("connections", 10);
const ROUND_S = 2;
const ROUNDS = Math.max(1, Math.round(DURATION_S / ROUND_S));

const CONFIG = new URL("../deno.json", import.meta.url).pathname;
const MAIN = new URL("../src/main.ts", import.meta.url).pathname;

// The baseline: Hono with no middleware, one constant JSON body.
const BARE = `
import { Hono } from "hono";
const app = new Hono();
app.get("/", (c) => c.json({ ok: true }));
Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: ({ port }) =>
  console.error("listening on http://127.0.0.1:" + port + "/") }, app.fetch);
`;

interface Server {
  base: string;
  stop(): Promise<void>;
}

async function spawn(args: string[], env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env,
    stdin: "null",
    // The service's access log is part of its cost, so it is written, but
    // to nowhere.
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream())
    .getReader();
  let text = "";
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    const base = /listening on (http:\/\/[\d.]+:\d+)\//.exec(text)?.[1];
    if (base) {
      // Keep draining so the child never blocks on a full pipe.
      (async () => {
        while (!(await reader.read()).done);
      })();
      return {
        base,
        async stop() {
          child.kill("SIGTERM");
          await child.status;
        },
      } satisfies Server;
    }
  }
  child.kill("SIGKILL");
  throw new Error(`server did not start:\n${text}`);
}

interface Target {
  name: string;
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** One entry per measured round. */
  rounds: { requests: number; seconds: number; p99: number; errors: number }[];
}

async function round(target: Target, seconds: number): Promise<void> {
  const result = await autocannon({
    url: target.url,
    method: (target.method ?? "GET") as "GET",
    headers: target.headers,
    connections: CONNECTIONS,
    duration: seconds,
  });
  target.rounds.push({
    requests: result.requests.total,
    seconds: result.duration,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  });
}

function summary(target: Target) {
  const sum = (pick: (r: Target["rounds"][number]) => number) =>
    target.rounds.reduce((total, r) => total + pick(r), 0);
  const p99s = target.rounds.map((r) => r.p99).sort((a, b) => a - b);
  return {
    rps: sum((r) => r.requests) / sum((r) => r.seconds),
    p99: p99s[Math.floor(p99s.length / 2)],
    worst: p99s[p99s.length - 1],
    requests: sum((r) => r.requests),
    errors: sum((r) => r.errors),
  };
}

const dir = await Deno.makeTempDir({ prefix: "credbox-bench-" });
const { token, entry } = createApiToken("bench", ["token", "write"]);
const env = {
  CREDBOX_STORE: `file://${dir}/records`,
  CREDBOX_KEYS: Keyring.newEntry("bench"),
  CREDBOX_API_TOKENS: entry,
  PORT: "0",
  HOME: Deno.env.get("HOME") ?? "",
  PATH: Deno.env.get("PATH") ?? "",
};
const service = await spawn(["run", "-A", "--config", CONFIG, MAIN], env);
const bare = await spawn(
  ["eval", "--config", CONFIG, BARE],
  { HOME: env.HOME, PATH: env.PATH },
);

try {
  const id = encodeURIComponent("ana@example.com");
  const auth = { authorization: `Bearer ${token}` };
  const put = await fetch(`${service.base}/v1/credentials/${id}`, {
    method: "PUT",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({
      token: "ya29.bench",
      refresh_token: "1//bench",
      expiry: "2999-01-01T00:00:00Z",
    }),
  });
  if (!put.ok) throw new Error(`PUT failed: ${put.status}`);
  await put.body?.cancel();

  const bareTarget: Target = {
    name: "bare Hono GET /",
    url: `${bare.base}/`,
    rounds: [],
  };
  const tokenTarget: Target = {
    name: "POST …/token (cached)",
    url: `${service.base}/v1/credentials/${id}/token`,
    method: "POST",
    headers: auth,
    rounds: [],
  };
  // Warm both up (JIT, connections, the store's cache), then forget it.
  for (const target of [bareTarget, tokenTarget]) {
    await round(target, ROUND_S);
    target.rounds = [];
  }
  for (let i = 0; i < ROUNDS; i++) {
    await round(bareTarget, ROUND_S);
    await round(tokenTarget, ROUND_S);
  }

  console.log(
    `${ROUNDS} alternating rounds of ${ROUND_S} s per target, ` +
      `${CONNECTIONS} connections, ${navigator.hardwareConcurrency} CPUs\n`,
  );
  console.log(
    "target                    req/s  p99 ms (worst)   requests  errors",
  );
  const results = [bareTarget, tokenTarget].map((t) => ({
    name: t.name,
    ...summary(t),
  }));
  for (const r of results) {
    console.log(
      `${r.name.padEnd(24)} ${r.rps.toFixed(0).padStart(6)} ${
        r.p99.toFixed(1).padStart(7)
      } ${`(${r.worst.toFixed(1)})`.padStart(8)} ${
        String(r.requests).padStart(10)
      } ${String(r.errors).padStart(7)}`,
    );
  }
  const ratio = results[1].rps / results[0].rps;
  const errors = results[0].errors + results[1].errors;
  console.log(`\nratio token/bare: ${ratio.toFixed(2)} (goal ≥ 0.50)`);
  if (ratio < 0.5 || errors > 0) {
    console.log("goal missed");
    Deno.exitCode = 1;
  }
} finally {
  await service.stop();
  await bare.stop();
  await Deno.remove(dir, { recursive: true });
}
