/**
 * Child processes for the runtime matrix, each with a time limit: a
 * command run to its end, and a server started on a free port, waited for
 * until it answers, and stopped.
 *
 * @module
 */

/** What a finished command printed, and how it ended. */
export interface Finished {
  ok: boolean;
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Run `cmd` to its end, killing it after `timeoutMs`. */
export async function runToEnd(
  cmd: string[],
  options: { timeoutMs: number; env?: Record<string, string> },
): Promise<Finished> {
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    kill(child, "SIGKILL");
  }, options.timeoutMs);
  try {
    const out = await child.output();
    const decoder = new TextDecoder();
    return {
      ok: out.success && !timedOut,
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
      timedOut,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** A server started by {@linkcode startServer}. */
export interface Server {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** What it printed so far (stdout and stderr, interleaved). */
  output(): string;
  /** Stop it (SIGTERM, then SIGKILL after 5 s) and wait for its exit. */
  stop(): Promise<void>;
}

/** The command and variables that start a server on `port`. */
export type ServerCommand = (port: number) => {
  cmd: string[];
  env?: Record<string, string>;
};

/**
 * Start a server on a free port and wait until `GET <url>/healthz`
 * answers 200. A port taken between the probe and the start is retried.
 */
export async function startServer(
  command: ServerCommand,
  options: { timeoutMs: number },
): Promise<Server> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = freePort();
    const { cmd, env } = command(port);
    const server = spawnServer(cmd, port, env);
    try {
      await waitUntilHealthy(server, options.timeoutMs);
      return server;
    } catch (error) {
      lastError = error;
      await server.stop();
      if (!/address already in use/i.test(server.output())) break;
    }
  }
  throw lastError;
}

function spawnServer(
  cmd: string[],
  port: number,
  env: Record<string, string> = {},
): Server & { exited: Promise<Deno.CommandStatus> } {
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) text += decoder.decode(chunk);
  };
  const pumped = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const exited = child.status;
  return {
    url: `http://127.0.0.1:${port}`,
    exited,
    output: () => text,
    async stop() {
      kill(child, "SIGTERM");
      const timer = setTimeout(() => kill(child, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      await pumped.catch(() => {});
    },
  };
}

async function waitUntilHealthy(
  server: Server & { exited: Promise<Deno.CommandStatus> },
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  server.exited.then(() => exited = true);
  while (Date.now() < deadline) {
    if (exited) throw new Error("the server exited before it answered");
    try {
      const res = await fetch(`${server.url}/healthz`, {
        signal: AbortSignal.timeout(2_000),
      });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server did not answer within ${timeoutMs} ms`);
}

/** A port nothing listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

function kill(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch {
    // Already gone.
  }
}
