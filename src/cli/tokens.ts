/**
 * `token create`: a new API token for the HTTP service.
 *
 * @module
 */

import { type Command, EXIT } from "./command.ts";
import { UsageError } from "./args.ts";

/**
 * `credbox token create --name N --scopes a+b`: print a new API token once,
 * and the `CREDBOX_API_TOKENS` entry that holds only its SHA-256.
 *
 * @example
 * ```ts
 * import { tokenCreate } from "./tokens.ts";
 * import { parseArgs } from "./args.ts";
 * import { resolveIo } from "./io.ts";
 *
 * let printed = "";
 * const io = resolveIo({ env: {}, stdout: (text) => printed += text });
 * const args = parseArgs(["--name", "mcp", "--scopes", "token"], tokenCreate.options);
 * await tokenCreate.run(args, io);
 * console.assert(printed.includes("cbx_") && printed.includes("mcp:token:"));
 * ```
 */
export const tokenCreate: Command = {
  name: "token create",
  summary: "make an API token for the HTTP service",
  usage: `Usage: credbox token create --name NAME --scopes SCOPE[+SCOPE...]

Make a new random API token. The token is printed once and kept nowhere:
hand it to the caller. The second line is its CREDBOX_API_TOKENS entry,
name:scopes:sha256hex, which holds only the token's SHA-256; append it
(comma-separated) to the service's CREDBOX_API_TOKENS.

Options:
  --name NAME       who the token is for: 1 to 64 of A-Z a-z 0-9 _ . -
  --scopes SCOPES   '+'-separated: list, read, write, token, admin
                    (admin holds every scope)`,
  options: { name: { type: "string" }, scopes: { type: "string" } },
  positionals: [0, 0],
  async run(args, io) {
    const name = args.string("name");
    const scopes = args.string("scopes");
    if (name === undefined) throw new UsageError("--name is required");
    if (scopes === undefined) throw new UsageError("--scopes is required");

    // The HTTP entry owns the token format; loading it here (and only
    // here) keeps hono out of every other command.
    const { createApiToken, SCOPES } = await import("../http/auth.ts");
    const wanted = scopes.split("+");
    const unknown = wanted.find((s) =>
      !(SCOPES as readonly string[]).includes(s)
    );
    if (unknown !== undefined) {
      throw new UsageError(
        `unknown scope '${unknown}': use ${SCOPES.join(", ")}`,
      );
    }
    const made = await createApiToken(
      name,
      [...new Set(wanted)] as typeof SCOPES[number][],
    );
    io.out(`API token (shown once, keep it secret): ${made.token}\n`);
    io.out(`CREDBOX_API_TOKENS entry: ${made.entry}\n`);
    return EXIT.ok;
  },
};
