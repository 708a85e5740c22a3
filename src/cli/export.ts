/**
 * `export`: write every credential back out as the MCP server's plaintext
 * files. Only with `--plaintext`, since the output holds every secret.
 *
 * @module
 */

import { isCredboxError } from "../errors.ts";
import { UsageError } from "./args.ts";
import { type Command, EXIT, STORE_HELP, STORE_OPTIONS } from "./command.ts";
import { openCliStore } from "./config.ts";
import { mcpFileName } from "./mcp_names.ts";
import { Tally } from "./report.ts";

const encoder = new TextEncoder();

/**
 * `credbox export DIR --plaintext`: one `quote(id).json` file per
 * credential, mode 0600, in a folder made 0700.
 *
 * @example Refused without --plaintext
 * ```ts
 * import { exportCommand } from "./export.ts";
 * import { parseArgs } from "./args.ts";
 * import { resolveIo } from "./io.ts";
 *
 * const io = resolveIo({ env: {} });
 * const args = parseArgs(["/tmp/out"], exportCommand.options);
 * const refused = await exportCommand.run(args, io).catch((e) => e);
 * console.assert(refused.name === "UsageError");
 * ```
 */
export const exportCommand: Command = {
  name: "export",
  summary: "write every credential as plaintext MCP files (--plaintext)",
  usage: `Usage: credbox export DIR --plaintext [--overwrite]

Write each credential as a plaintext JSON file in DIR, named as the
Google Workspace MCP server names them ('quote(id, safe="@._-").json'),
so that server, or 'credbox import', can read them back. The files hold
every token and secret in the clear: they are written mode 0600 and a new
DIR is made mode 0700.

Options:
  --plaintext    required: says you know the output is not encrypted
  --overwrite    replace files already in DIR (default: keep them, and
                 report them as failed)
${STORE_HELP}

Exit code: 0 when every credential was written, 1 otherwise.`,
  options: {
    ...STORE_OPTIONS,
    plaintext: { type: "boolean" },
    overwrite: { type: "boolean" },
  },
  positionals: [1, 1],
  async run(args, io) {
    if (!args.boolean("plaintext")) {
      throw new UsageError(
        "export writes every token and secret unencrypted: " +
          "pass --plaintext to confirm",
      );
    }
    const dir = args.positionals[0];
    if (dir.startsWith("s3://")) {
      throw new UsageError("export writes to a local folder, not to S3");
    }
    const store = await openCliStore(args, io);
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });

    const tally = new Tally(["exported", "failed"]);
    for await (const id of store.list()) {
      const name = mcpFileName(id);
      try {
        if (name.startsWith(".")) {
          throw new Error("its file name would be hidden");
        }
        const record = await store.load(id);
        if (!record) continue; // deleted since it was listed
        const text = JSON.stringify(record.credential, null, 2);
        const path = `${dir}/${name}`;
        await Deno.writeFile(path, encoder.encode(text), {
          mode: 0o600,
          createNew: !args.boolean("overwrite"),
        });
        // mode applies only to a file the write creates.
        await Deno.chmod(path, 0o600);
        tally.add("exported");
        io.out(`exported  ${id} -> ${name}\n`);
      } catch (error) {
        tally.add("failed");
        io.out(`failed    ${id}: ${reason(error)}\n`);
      }
    }
    io.out(`export: ${tally}\n`);
    return tally.count("failed") > 0 ? EXIT.failed : EXIT.ok;
  },
};

function reason(error: unknown): string {
  if (isCredboxError(error)) return `${error.message} (${error.code})`;
  if (error instanceof Deno.errors.AlreadyExists) {
    return "the file exists; --overwrite replaces it";
  }
  return error instanceof Error ? error.message : String(error);
}
