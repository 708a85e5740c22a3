/**
 * The one place that knows which JavaScript runtime is running. Everything
 * else asks here, so the core stays Web-standard.
 *
 * @module
 */

interface DenoLike {
  env: { get(name: string): string | undefined };
}
interface ProcessLike {
  env: Record<string, string | undefined>;
}

/**
 * A variable from the environment, or `undefined` where the runtime has none
 * (Workers pass their bindings explicitly instead).
 */
export function readEnv(name: string): string | undefined {
  const global = globalThis as { Deno?: DenoLike; process?: ProcessLike };
  try {
    if (global.Deno?.env) return global.Deno.env.get(name);
  } catch {
    // Without --allow-env Deno throws; treat the variable as unset.
    return undefined;
  }
  return global.process?.env?.[name];
}

/** Variables read from an explicit record, falling back to the runtime's. */
export type EnvSource = Record<string, string | undefined>;

/** `name` from `env` when given, else from the runtime's environment. */
export function envValue(
  name: string,
  env?: EnvSource,
): string | undefined {
  return env ? env[name] : readEnv(name);
}

/**
 * Let a timer run without keeping the process alive once nothing else
 * does (a test ending, a server shutting down). Deno marks it with
 * `Deno.unrefTimer`, Node and Bun with the timer's own `unref()`; Workers
 * have neither and end timers with the request.
 */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  if (typeof timer === "number") {
    const global = globalThis as {
      Deno?: { unrefTimer?: (id: number) => void };
    };
    global.Deno?.unrefTimer?.(timer);
  } else (timer as { unref?: () => void }).unref?.();
}
