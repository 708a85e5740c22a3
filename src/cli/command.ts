/**
 * The shape every command of the command line has, and its exit codes.
 *
 * @module
 */

import type { OptionSpec, ParsedArgs } from "./args.ts";
import type { Io } from "./io.ts";

/** Exit codes: 0 done, 1 something failed, 2 the command was misused. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * One command: its name as typed (`"import"`, `"keys add"`), its help and
 * options, and what it does.
 *
 * @example A command that greets
 * ```ts
 * import { type Command, EXIT } from "./command.ts";
 *
 * const hello: Command = {
 *   name: "hello",
 *   summary: "say hello",
 *   usage: "credbox hello",
 *   options: {},
 *   positionals: [0, 0],
 *   run: (_args, io) => {
 *     io.out("hello\n");
 *     return Promise.resolve(EXIT.ok);
 *   },
 * };
 * console.assert(hello.name === "hello");
 * ```
 */
export interface Command {
  /** One or two words: `"list"`, `"token create"`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full `--help` text, without the trailing newline. */
  usage: string;
  /** Its options; `--help` is added to every command. */
  options: Readonly<Record<string, OptionSpec>>;
  /** How many positionals it takes: at least, at most. */
  positionals: readonly [number, number];
  /** Do it; resolve to the exit code. */
  run(args: ParsedArgs, io: Io): Promise<number>;
}

/** The options of every command that opens the store. */
export const STORE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  store: { type: "string" },
  namespace: { type: "string" },
};

/** The help lines of {@linkcode STORE_OPTIONS}, for each command's usage. */
export const STORE_HELP = `
Store:
  --store URL        the store (default: CREDBOX_STORE): file:///path,
                     s3://bucket/prefix or memory:
  --namespace NS     the namespace (default: CREDBOX_NAMESPACE)
  Keys come from CREDBOX_KEYS only, never from the command line, so they
  stay out of shell history and process lists.`;
