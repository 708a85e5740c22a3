/**
 * End to end: the service as `deno task serve` runs it, in a fresh folder,
 * over real HTTP on 127.0.0.1, stopped with SIGTERM.
 */

import assert from "node:assert/strict";

const MAIN = new URL("../src/main.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;
const STARTUP_MS = 30_000;

interface Running {
  child: Deno.ChildProcess;
  base: string;
  /** Everything written to stderr so far. */
  stderr: () => string;
  /** Send SIGTERM and wait for the exit; the stdout it wrote. */
  stop: () => Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Only what Deno needs to find its cache, plus `extra`. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { ...extra };
  for (const name of ["HOME", "PATH", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

async function start(cwd: string): Promise<Running> {
  const env = cleanEnv({ PORT: "0" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, MAIN],
    cwd,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  let err = "";
  const errDone = child.stderr.pipeThrough(new TextDecoderStream())
    .pipeTo(new WritableStream({ write: (chunk) => void (err += chunk) }));
  const out = new Response(child.stdout).text();

  const deadline = Date.now() + STARTUP_MS;
  let base: string | undefined;
  while (!base) {
    base = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(err)?.[1];
    if (base) break;
    if (Date.now() > deadline || /cannot start/.test(err)) {
      child.kill("SIGKILL");
      await child.status;
      throw new Error(`the service did not start:\n${err}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    base,
    stderr: () => err,
    stop: async () => {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const { code } = await child.status;
      clearTimeout(timer);
      await errDone;
      return { code, stdout: await out, stderr: err };
    },
  };
}

Deno.test("the service starts from nothing, serves over HTTP and stops on SIGTERM", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "credbox-serve-" });
  try {
    const first = await start(cwd);
    const token = /(cbx_[A-Za-z0-9_-]{43})/.exec(first.stderr())?.[1];
    assert.ok(token, "an admin token is printed on the first start");
    const auth = { authorization: `Bearer ${token}` };
    const id = encodeURIComponent("ana@example.com");

    const health = await fetch(`${first.base}/healthz`);
    assert.deepEqual(await health.json(), { status: "ok" });

    const anonymous = await fetch(`${first.base}/v1/credentials`);
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();

    const put = await fetch(`${first.base}/v1/credentials/${id}`, {
      method: "PUT",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        token: "ya29.e2e",
        refresh_token: "1//e2e-refresh",
        expiry: "2999-01-01T00:00:00Z",
      }),
    });
    assert.equal(put.status, 201);
    await put.body?.cancel();

    const minted = await fetch(`${first.base}/v1/credentials/${id}/token`, {
      method: "POST",
      headers: auth,
    });
    assert.equal(minted.status, 200);
    assert.equal((await minted.json()).access_token, "ya29.e2e");

    const stopped = await first.stop();
    assert.equal(stopped.code, 0);
    assert.match(stopped.stderr, /stopped/);
    const lines = stopped.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.status), [200, 401, 201, 200]);
    assert.ok(!stopped.stdout.includes(token));

    const mode = (await Deno.stat(`${cwd}/.credbox/keys`)).mode! & 0o777;
    assert.equal(mode, 0o600);
    assert.equal((await Deno.stat(`${cwd}/.credbox`)).mode! & 0o777, 0o700);

    // The second start reuses the keys and the token, and prints no token.
    const second = await start(cwd);
    assert.ok(!second.stderr().includes("cbx_"));
    const again = await fetch(`${second.base}/v1/credentials/${id}/token`, {
      method: "POST",
      headers: auth,
    });
    assert.equal((await again.json()).access_token, "ya29.e2e");
    assert.equal((await second.stop()).code, 0);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("a partial configuration stops the service, naming the variable", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "credbox-serve-" });
  try {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", CONFIG, MAIN],
      cwd,
      env: cleanEnv({ CREDBOX_STORE: "file:///tmp/credbox-e2e-secret-path" }),
      clearEnv: true,
      stdout: "null",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stderr);
    assert.equal(code, 1);
    assert.match(text, /CREDBOX_STORE is set but CREDBOX_KEYS is not/);
    assert.ok(!text.includes("credbox-e2e-secret-path"));
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
