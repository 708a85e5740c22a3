/**
 * `import`: bring a folder of plaintext credential files, as the Google
 * Workspace MCP server writes them, into the store.
 *
 * @module
 */

import { type Credential, parseCredential } from "../credential.ts";
import { CredboxError, isCredboxError } from "../errors.ts";
import { normalizeId, storageName } from "../id.ts";
import type { CredentialStore } from "../store.ts";
import { UsageError } from "./args.ts";
import { type Command, EXIT, STORE_HELP, STORE_OPTIONS } from "./command.ts";
import { openCliStore } from "./config.ts";
import { openSource, type SourceFile } from "./import_source.ts";
import type { Io } from "./io.ts";
import { classifyName, idInside } from "./mcp_names.ts";
import { parseJson } from "./records.ts";
import { canonicalJson, Tally } from "./report.ts";

/**
 * `credbox import DIR|s3://bucket/prefix`: import every credential file
 * found there, with a line per file and a summary.
 *
 * @example A dry run over an empty folder
 * ```ts
 * import { importCommand } from "./import.ts";
 * import { parseArgs } from "./args.ts";
 * import { resolveIo } from "./io.ts";
 * import { Keyring } from "../crypto/keyring.ts";
 *
 * const dir = await Deno.makeTempDir();
 * let printed = "";
 * const io = resolveIo({
 *   env: { CREDBOX_STORE: "memory:", CREDBOX_KEYS: Keyring.newEntry() },
 *   stdout: (text) => printed += text,
 * });
 * const args = parseArgs([dir, "--dry-run"], importCommand.options);
 * console.assert(await importCommand.run(args, io) === 0);
 * console.assert(printed.includes("0 imported"));
 * await Deno.remove(dir);
 * ```
 */
export const importCommand: Command = {
  name: "import",
  summary: "import a folder of MCP credential files (or an s3:// prefix)",
  usage: `Usage: credbox import DIR|s3://bucket/prefix [options]

Import the plaintext credential files of a Google Workspace MCP server
credentials folder, or of an S3 prefix laid out the same way. The source
is only read, never changed.

Each file is reported on its own line, then a summary:
  imported     a new record was written
  unchanged    the store already holds exactly this credential
  exists       the store holds a different credential; kept (see
               --overwrite)
  overwritten  replaced, with compare-and-set
  skipped      not a credential: oauth_states.json, other files, folders
  failed       unreadable JSON, an invalid credential or id, a write that
               failed
Re-running an import is safe: what is already there is 'unchanged'.

File names: 'quote(email, safe="@._-").json' gives the id directly.
Files of older servers, named with every character other than letters and
digits replaced by '_', cannot be decoded reliably; their id is read from
an 'account', 'email' or 'user_email' field holding an '@', or given with
--id-for, and otherwise the file is skipped and reported.

Options:
  --dry-run            report what would happen, write nothing
  --overwrite          replace records that differ from the file
  --id-for FILE=ID     the id of FILE (repeatable), e.g.
                       --id-for ana_example_com.json=ana@example.com
${STORE_HELP}

S3 sources read AWS_REGION, AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY as the s3:// store does.

Exit code: 0 when no file failed, 1 otherwise.`,
  options: {
    ...STORE_OPTIONS,
    "dry-run": { type: "boolean" },
    overwrite: { type: "boolean" },
    "id-for": { type: "list" },
  },
  positionals: [1, 1],
  async run(args, io) {
    const idFor = new Map<string, string>();
    for (const pair of args.list("id-for")) {
      const eq = pair.indexOf("=");
      if (eq <= 0 || eq === pair.length - 1) {
        throw new UsageError(`--id-for takes FILE=ID, got '${pair}'`);
      }
      idFor.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const store = await openCliStore(args, io);
    const run: ImportRun = {
      store,
      dryRun: args.boolean("dry-run"),
      overwrite: args.boolean("overwrite"),
      idFor,
      seen: new Map(),
    };
    const tally = new Tally([
      "imported",
      "unchanged",
      "exists",
      "overwritten",
      "skipped",
      "failed",
    ]);

    const source = args.positionals[0];
    for await (const file of openSource(source, io.env, io.fetch)) {
      if (io.signal?.aborted) {
        io.err("import: interrupted; run it again to go on\n");
        tally.add("failed");
        break;
      }
      const result = await importOne(file, run);
      tally.add(result.status);
      report(io, file.name, result, run.dryRun);
    }
    io.out(`import: ${tally}${run.dryRun ? " (dry run)" : ""}\n`);
    return tally.count("failed") > 0 ? EXIT.failed : EXIT.ok;
  },
};

interface ImportRun {
  store: CredentialStore;
  dryRun: boolean;
  overwrite: boolean;
  idFor: Map<string, string>;
  /** Ids met so far, with the file they came from. */
  seen: Map<string, string>;
}

type Status =
  | "imported"
  | "unchanged"
  | "exists"
  | "overwritten"
  | "skipped"
  | "failed";

interface Result {
  status: Status;
  id?: string;
  detail?: string;
}

async function importOne(file: SourceFile, run: ImportRun): Promise<Result> {
  if (!file.isFile) return { status: "skipped", detail: "not a file" };
  const named = classifyName(file.name);
  if (named.kind === "skip") return { status: "skipped", detail: named.reason };

  let json: unknown;
  try {
    json = parseJson(await file.read(), "the file");
  } catch (error) {
    return failed(error);
  }

  let id = run.idFor.get(file.name) ??
    (named.kind === "credential" ? named.id : undefined);
  if (id === undefined) {
    // Anything may sit in the folder under a plain name; only what reads
    // as a credential is worth asking the operator about.
    try {
      parseCredential(json);
    } catch {
      return { status: "skipped", detail: "not a credential" };
    }
    id = idInside(json as Record<string, unknown>);
    if (id === undefined) {
      return {
        status: "skipped",
        detail: "older '_' file name, which does not give the id back; " +
          `pass --id-for ${file.name}=ID`,
      };
    }
  }

  let credential: Credential;
  try {
    id = normalizeId(id);
    credential = parseCredential(json);
  } catch (error) {
    return { ...failed(error), id };
  }
  const earlier = run.seen.get(id);
  if (earlier !== undefined) {
    return { status: "skipped", id, detail: `same id as ${earlier}` };
  }
  run.seen.set(id, file.name);

  try {
    return { ...await save(id, credential, run), id };
  } catch (error) {
    return { ...failed(error), id };
  }
}

async function save(
  id: string,
  credential: Credential,
  run: ImportRun,
): Promise<Result> {
  const { store } = run;
  const found = await store.backend.get(storageName(id));
  if (!found) {
    if (!run.dryRun) await store.save(id, credential, { ifVersion: null });
    return { status: "imported" };
  }

  let detail = "holds a different credential";
  try {
    const current = await store.load(id);
    if (
      current && canonicalJson(current.credential) === canonicalJson(credential)
    ) {
      return { status: "unchanged" };
    }
  } catch (error) {
    if (!isCredboxError(error)) throw error;
    detail = `holds a record that does not open here (${error.code})`;
  }
  if (!run.overwrite) {
    return { status: "exists", detail: `${detail}; --overwrite replaces it` };
  }
  if (!run.dryRun) {
    await store.save(id, credential, { ifVersion: found.version });
  }
  return { status: "overwritten" };
}

function failed(error: unknown): Result {
  if (error instanceof CredboxError) {
    return { status: "failed", detail: `${error.message} (${error.code})` };
  }
  throw error;
}

function report(io: Io, name: string, result: Result, dryRun: boolean): void {
  const wouldBe = dryRun &&
    (result.status === "imported" || result.status === "overwritten");
  const status = wouldBe ? `would be ${result.status}` : result.status;
  const id = result.id === undefined ? "" : ` -> ${result.id}`;
  const detail = result.detail === undefined ? "" : `: ${result.detail}`;
  io.out(`${status.padEnd(11)}  ${name}${id}${detail}\n`);
}
