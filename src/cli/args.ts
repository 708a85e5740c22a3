/**
 * The command line's argument parser: GNU-style long options
 * (`--name value`, `--name=value`), a few one-letter ones, `--` to end
 * options, and positionals. Small on purpose: JSR is out of reach for
 * `@std/cli`, and a command line this size needs no more.
 *
 * @module
 */

/** How one option takes its value. */
export interface OptionSpec {
  /** `boolean`: a flag; `string`: one value; `list`: repeatable. */
  type: "boolean" | "string" | "list";
  /** A one-letter alias, without the dash. */
  short?: string;
}

/**
 * A mistake in how the command was called: exit code 2, with a pointer to
 * `--help`.
 *
 * @example
 * ```ts
 * import { UsageError } from "./args.ts";
 *
 * const error = new UsageError("unknown option '--x'");
 * console.assert(error instanceof Error && error.name === "UsageError");
 * ```
 */
export class UsageError extends Error {
  /** Make one; the message must not carry a secret. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The options and positionals of one command line, read with the type each
 * option was declared with.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 *
 * const parsed = parseArgs(["a.json", "--dry-run", "--store=memory:"], {
 *   "dry-run": { type: "boolean" },
 *   store: { type: "string" },
 * });
 * console.assert(parsed.boolean("dry-run"));
 * console.assert(parsed.string("store") === "memory:");
 * console.assert(parsed.positionals[0] === "a.json");
 * ```
 */
export class ParsedArgs {
  /** The arguments that are not options, in order. */
  readonly positionals: readonly string[];
  readonly #values: ReadonlyMap<string, string | boolean | string[]>;

  /** Wrap what {@linkcode parseArgs} read. */
  constructor(
    values: ReadonlyMap<string, string | boolean | string[]>,
    positionals: readonly string[],
  ) {
    this.#values = values;
    this.positionals = positionals;
  }

  /** True when the flag was given. */
  boolean(name: string): boolean {
    return this.#values.get(name) === true;
  }

  /** The value of a one-value option, or `undefined`. */
  string(name: string): string | undefined {
    const value = this.#values.get(name);
    return typeof value === "string" ? value : undefined;
  }

  /** Every value of a repeatable option, in order. */
  list(name: string): string[] {
    const value = this.#values.get(name);
    return Array.isArray(value) ? [...value] : [];
  }
}

/**
 * Read `args` against `options`.
 *
 * @throws {UsageError} for an unknown option, a missing value, a value
 * given to a flag, or a one-value option given twice.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 *
 * const parsed = parseArgs(["--id-for", "a=b", "--id-for", "c=d", "--", "-x"], {
 *   "id-for": { type: "list" },
 * });
 * console.assert(parsed.list("id-for").length === 2);
 * console.assert(parsed.positionals[0] === "-x");
 * ```
 */
export function parseArgs(
  args: readonly string[],
  options: Readonly<Record<string, OptionSpec>>,
): ParsedArgs {
  const values = new Map<string, string | boolean | string[]>();
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(options)) {
    if (spec.short) byShort.set(spec.short, name);
  }

  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    // A lone "-" is the usual name for standard input: a positional.
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }

    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else if (arg.length === 2) {
      name = byShort.get(arg[1]);
    }
    const spec = name === undefined ? undefined : options[name];
    if (name === undefined || spec === undefined) {
      throw new UsageError(`unknown option '${optionName(arg)}'`);
    }

    if (spec.type === "boolean") {
      if (inline !== undefined) {
        throw new UsageError(`option '--${name}' takes no value`);
      }
      values.set(name, true);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= args.length) {
        throw new UsageError(`option '--${name}' needs a value`);
      }
      value = args[++i];
    }
    if (spec.type === "list") {
      const list = values.get(name);
      values.set(name, Array.isArray(list) ? [...list, value] : [value]);
    } else if (values.has(name)) {
      throw new UsageError(`option '--${name}' is given twice`);
    } else {
      values.set(name, value);
    }
  }
  return new ParsedArgs(values, positionals);
}

// Only the part before "=": the value may be a secret pasted by mistake.
function optionName(arg: string): string {
  const eq = arg.indexOf("=");
  return eq < 0 ? arg : arg.slice(0, eq);
}
