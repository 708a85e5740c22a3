/**
 * The file names the Google Workspace MCP server gives its credential
 * files, and what an import makes of each name in its folder.
 *
 * The server writes `quote(email, safe="@._-") + ".json"` (Python's
 * `urllib.parse.quote`: letters, digits, `_ . - ~` and `@` stay, every other
 * UTF-8 byte becomes `%XX`). Older versions replaced every character but
 * letters and digits with `_`, which cannot be undone: `ana_b_example_com`
 * may be `ana.b@example.com` or `ana_b@example.com`. It keeps its OAuth
 * flow state in `oauth_states.json` beside the credentials.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

// What quote(..., safe="@._-") leaves alone: Python's always-safe set
// (letters, digits, "_.-~") plus "@".
const KEPT = /^[A-Za-z0-9_.~@-]$/;
const QUOTED = /^(?:[A-Za-z0-9_.~@-]|%[0-9A-Fa-f]{2})+$/;
const LEGACY = /^[A-Za-z0-9_]+$/;

/** Files the server keeps beside credentials, by name. */
const STATE_FILES = new Set(["oauth_states.json"]);

/** What an import makes of one file name. */
export type NameKind =
  | { kind: "credential"; id: string }
  | { kind: "legacy" }
  | { kind: "skip"; reason: string };

/**
 * The MCP server's file name for `id`: `quote(id, safe="@._-") + ".json"`.
 *
 * @example
 * ```ts
 * import { mcpFileName } from "./mcp_names.ts";
 *
 * console.assert(mcpFileName("ana@example.com") === "ana@example.com.json");
 * console.assert(mcpFileName("bob+x@example.com") === "bob%2Bx@example.com.json");
 * ```
 */
export function mcpFileName(id: string): string {
  let out = "";
  for (const byte of encoder.encode(id)) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && KEPT.test(ch)
      ? ch
      : "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out + ".json";
}

/**
 * What the file `name` in an MCP credentials folder is: a credential with
 * the id its name encodes, an older `_`-form name whose id must come from
 * elsewhere, or a file to skip, with why.
 *
 * A name counts as the current form when it holds `@`, as the server's own
 * `list_users` decides; an `@` never survives in the older form.
 *
 * @example
 * ```ts
 * import { classifyName } from "./mcp_names.ts";
 *
 * const current = classifyName("bob%2Bx@example.com.json");
 * console.assert(current.kind === "credential" && current.id === "bob+x@example.com");
 * console.assert(classifyName("ana_example_com.json").kind === "legacy");
 * console.assert(classifyName("oauth_states.json").kind === "skip");
 * ```
 */
export function classifyName(name: string): NameKind {
  if (name.includes("/")) return skip("in a subfolder");
  if (name.startsWith(".")) return skip("hidden file");
  if (STATE_FILES.has(name)) {
    return skip("OAuth state file of the MCP server, not a credential");
  }
  if (!name.endsWith(".json") || name === ".json") {
    return skip("not a .json file");
  }
  const stem = name.slice(0, -".json".length);
  if (stem.includes("@") && QUOTED.test(stem)) {
    const id = unquote(stem);
    return id === undefined
      ? skip("its name is not percent-encoded UTF-8")
      : { kind: "credential", id };
  }
  if (LEGACY.test(stem)) return { kind: "legacy" };
  return skip("its name is not an MCP credential file name");
}

function unquote(stem: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < stem.length; i++) {
    if (stem[i] === "%") {
      bytes.push(parseInt(stem.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(stem.charCodeAt(i));
    }
  }
  try {
    return decoder.decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

function skip(reason: string): NameKind {
  return { kind: "skip", reason };
}

/**
 * The id an older `_`-form file names inside itself, if any: a string with
 * an `@` in `account` (as google-auth's `to_json()` writes it), `email` or
 * `user_email`.
 *
 * @example
 * ```ts
 * import { idInside } from "./mcp_names.ts";
 *
 * console.assert(idInside({ account: "ana@example.com" }) === "ana@example.com");
 * console.assert(idInside({ account: "" }) === undefined);
 * ```
 */
export function idInside(json: Record<string, unknown>): string | undefined {
  for (const field of ["account", "email", "user_email"]) {
    const value = json[field];
    if (typeof value === "string" && value.includes("@")) return value;
  }
  return undefined;
}
