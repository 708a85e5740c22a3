/**
 * The credbox command line: make keys and API tokens, import the plaintext
 * credential files of a Google Workspace MCP server, rotate keys, check a
 * store. It reads the service's variables: `CREDBOX_STORE`, `CREDBOX_KEYS`,
 * `CREDBOX_NAMESPACE`.
 *
 * ```sh
 * deno run -A jsr:@credbox/credbox/cli keygen
 * deno run -A jsr:@credbox/credbox/cli import ~/.google_workspace_mcp/credentials
 * deno run -A jsr:@credbox/credbox/cli rotate
 * ```
 *
 * Locally, `deno task cli …`. Exit codes: 0 done, 1 something failed, 2 the
 * command was misused.
 *
 * @example Run a command in-process, capturing what it prints
 * ```ts
 * import { run } from "@credbox/credbox/cli";
 *
 * let printed = "";
 * const code = await run(["keygen", "--id", "k1"], {
 *   stdout: (text) => printed += text,
 * });
 * console.assert(code === 0 && printed.startsWith("k1:"));
 * ```
 *
 * @module
 */

import { CredboxError } from "./errors.ts";
import { parseArgs, UsageError } from "./cli/args.ts";
import { type Command, EXIT } from "./cli/command.ts";
import { exportCommand } from "./cli/export.ts";
import { importCommand } from "./cli/import.ts";
import { type CliIo, type Io, resolveIo } from "./cli/io.ts";
import { keygen, keysAdd } from "./cli/keys.ts";
import { del, get, list, put } from "./cli/records.ts";
import { rotate } from "./cli/rotate.ts";
import { tokenCreate } from "./cli/tokens.ts";
import { verify } from "./cli/verify.ts";

export type { CliIo, FetchLike } from "./cli/io.ts";

const COMMANDS: readonly Command[] = [
  keygen,
  keysAdd,
  tokenCreate,
  put,
  get,
  list,
  del,
  importCommand,
  exportCommand,
  rotate,
  verify,
];

/**
 * Run one command line and resolve to its exit code: 0 done, 1 something
 * failed, 2 a usage error. It never exits the process and never throws for
 * a failure it can name; what it prints goes through `io`, whose fields
 * default to the process's own environment and streams. Error messages
 * never carry a token, a secret or a key.
 *
 * @param args The arguments after the program name, as in `Deno.args`.
 * @param io The environment, streams, S3 `fetch`, clock and abort signal
 * to use instead of the process's.
 *
 * @example Keep a credential in a folder, then read it back redacted
 * ```ts
 * import { run } from "@credbox/credbox/cli";
 * import { Keyring } from "@credbox/credbox";
 *
 * const dir = await Deno.makeTempDir();
 * const env = {
 *   CREDBOX_STORE: `file://${dir}`,
 *   CREDBOX_KEYS: Keyring.newEntry("k1"),
 * };
 * const json = '{"token":"ya29.secret","refresh_token":"1//secret"}';
 * let printed = "";
 * const io = {
 *   env,
 *   stdin: () => Promise.resolve(new TextEncoder().encode(json)),
 *   stdout: (text: string) => printed += text,
 *   stderr: () => {},
 * };
 * console.assert(await run(["put", "ana@example.com", "-"], io) === 0);
 * console.assert(await run(["get", "ana@example.com"], io) === 0);
 * console.assert(printed.includes("[redacted]") && !printed.includes("secret"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function run(
  args: readonly string[],
  io: CliIo = {},
): Promise<number> {
  const ready = resolveIo(io);
  const [first, second] = args;
  if (first === undefined || first === "--help" || first === "-h") {
    (first === undefined ? ready.err : ready.out)(overview());
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === "help") {
    return second === undefined
      ? (ready.out(overview()), EXIT.ok)
      : await run([...args.slice(1), "--help"], io);
  }

  const command = COMMANDS.find((c) => c.name === `${first} ${second}`) ??
    COMMANDS.find((c) => c.name === first);
  if (!command) {
    return usage(ready, undefined, `unknown command '${first}'`);
  }
  const rest = args.slice(command.name.split(" ").length);
  try {
    const parsed = parseArgs(rest, {
      ...command.options,
      help: { type: "boolean", short: "h" },
    });
    if (parsed.boolean("help")) {
      ready.out(command.usage + "\n");
      return EXIT.ok;
    }
    const [min, max] = command.positionals;
    const count = parsed.positionals.length;
    if (count < min || count > max) {
      throw new UsageError(
        min === max
          ? `expected ${min} argument${min === 1 ? "" : "s"}, got ${count}`
          : `expected ${min} to ${max} arguments, got ${count}`,
      );
    }
    return await command.run(parsed, ready);
  } catch (error) {
    if (error instanceof UsageError) {
      return usage(ready, command, error.message);
    }
    ready.err(`error: ${describe(error)}\n`);
    return EXIT.failed;
  }
}

function usage(io: Io, command: Command | undefined, message: string): number {
  const help = command ? `credbox ${command.name} --help` : "credbox --help";
  io.err(`error: ${message}\nRun '${help}' for usage.\n`);
  return EXIT.usage;
}

/**
 * What an error says, when that is safe to print: our own messages are
 * written never to hold secrets, and so are the runtime's file and type
 * errors. A parser's `SyntaxError` may quote the input, so it is named
 * only.
 */
function describe(error: unknown): string {
  if (error instanceof CredboxError) return `${error.message} (${error.code})`;
  if (
    error instanceof Error &&
    (Object.values(Deno.errors).some((type) => error instanceof type) ||
      error instanceof TypeError || error instanceof RangeError)
  ) {
    return error.message;
  }
  return `unexpected ${error instanceof Error ? error.name : typeof error}`;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: credbox COMMAND [options]

Keep OAuth credentials encrypted in a folder or an S3 bucket.

Commands:
${lines.join("\n")}

Configuration: CREDBOX_STORE (file:///path, s3://bucket/prefix, memory:),
CREDBOX_KEYS (id:base64,... the first is primary), CREDBOX_NAMESPACE.
Run 'credbox COMMAND --help' for a command's options.
Exit codes: 0 done, 1 something failed, 2 the command was misused.
`;
}

if (import.meta.main) {
  // Ctrl-C stops a long command between two records, so what it did so far
  // is whole and a re-run picks up the rest.
  // A second Ctrl-C leaves at once.
  const controller = new AbortController();
  Deno.addSignalListener("SIGINT", () => {
    if (controller.signal.aborted) Deno.exit(130);
    controller.abort();
  });
  Deno.exit(await run(Deno.args, { signal: controller.signal }));
}
