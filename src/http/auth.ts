/**
 * API tokens and their scopes.
 *
 * The configuration (`CREDBOX_API_TOKENS`) lists `name:scope+scope:sha256hex`
 * entries, so it holds no usable secret: a presented bearer token is hashed
 * with SHA-256 and its digest compared with every configured one in
 * constant time. `admin` holds every scope.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { CredboxError } from "../errors.ts";
import { problem } from "./problem.ts";
import { sha256 } from "./sha256.ts";
import type { HttpEnv, Principal } from "./types.ts";

export { sha256 };

/** Every scope, in the order the docs list them. */
export const SCOPES = ["list", "read", "write", "token", "admin"] as const;

/** What an API token may do; `admin` holds every other scope. */
export type Scope = typeof SCOPES[number];

/** One configured API token: a name, its scopes and the token's digest. */
export interface ApiToken extends Principal {
  /** SHA-256 of the token. */
  digest: Uint8Array;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const HEX = /^[0-9a-fA-F]{64}$/;

/**
 * Read the `name:scope+scope:sha256hex,…` form. Whitespace around entries
 * and one trailing comma are tolerated; an empty text means no tokens.
 *
 * @param label What to call the text in errors (`CREDBOX_API_TOKENS`).
 * @throws {CredboxError} `INVALID_CONFIG` naming the entry's position and
 * the rule it breaks; never the entry, which may be a pasted raw token.
 *
 * @example
 * ```ts
 * import { parseApiTokens } from "@credbox/credbox/http";
 *
 * const digest = "0".repeat(64);
 * const [ops] = parseApiTokens(`ops:read+list:${digest}`);
 * console.assert(ops.name === "ops" && ops.scopes.has("list"));
 * ```
 */
export function parseApiTokens(text: string, label = "tokens"): ApiToken[] {
  if (typeof text !== "string") {
    throw new CredboxError("INVALID_CONFIG", `${label} must be a string`);
  }
  const entries = text.split(",").map((entry) => entry.trim());
  if (entries.at(-1) === "") entries.pop();
  if (entries.length === 1 && entries[0] === "") return [];

  const tokens: ApiToken[] = [];
  entries.forEach((entry, index) => {
    const fail = (rule: string): never => {
      throw new CredboxError(
        "INVALID_CONFIG",
        `${label}: entry ${index + 1} ${rule}`,
      );
    };
    const parts = entry.split(":");
    if (parts.length !== 3) fail("must be name:scope+scope:sha256hex");
    const [name, scopeText, hex] = parts;
    if (!NAME.test(name)) fail("needs a name of 1 to 64 A-Z a-z 0-9 _ . -");
    const scopes = new Set<string>();
    for (const scope of scopeText.split("+")) {
      if (!(SCOPES as readonly string[]).includes(scope)) {
        fail(`has a scope that is not one of ${SCOPES.join(", ")}`);
      }
      scopes.add(scope);
    }
    if (!HEX.test(hex)) {
      fail("must end in 64 hex digits: the token's SHA-256, not the token");
    }
    const earlier = tokens.findIndex((t) => t.name === name);
    if (earlier >= 0) fail(`repeats the name of entry ${earlier + 1}`);
    const digest = fromHex(hex);
    const same = tokens.findIndex((t) => equalBytes(t.digest, digest) === 1);
    if (same >= 0) fail(`repeats the token of entry ${same + 1}`);
    tokens.push({ name, scopes, digest });
  });
  return tokens;
}

/**
 * Make a new API token: the secret to hand to a caller, and the entry for
 * `CREDBOX_API_TOKENS` that holds only its hash.
 *
 * @example
 * ```ts
 * import { createApiToken, parseApiTokens } from "@credbox/credbox/http";
 *
 * const { token, entry } = createApiToken("mcp", ["token"]);
 * console.assert(token.startsWith("cbx_") && !entry.includes(token));
 * console.assert(parseApiTokens(entry)[0].scopes.has("token"));
 * ```
 */
export function createApiToken(
  name: string,
  scopes: readonly Scope[],
): { token: string; entry: string } {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new CredboxError(
      "INVALID_CONFIG",
      `Cannot create API token: 'name' must be 1 to 64 A-Z a-z 0-9 _ . -, got ${
        JSON.stringify(name)
      }`,
    );
  }
  const bad = scopes.find((s) => !(SCOPES as readonly string[]).includes(s));
  if (scopes.length === 0 || bad !== undefined) {
    throw new CredboxError(
      "INVALID_CONFIG",
      `Cannot create API token: 'scopes' must be one or more of ${
        SCOPES.join(", ")
      }`,
    );
  }
  const random = crypto.getRandomValues(new Uint8Array(32));
  // base64url fits the bearer token grammar and survives shells and URLs.
  const token = "cbx_" + btoa(String.fromCharCode(...random))
    .replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
  const entry = `${name}:${scopes.join("+")}:${toHex(sha256(token))}`;
  return { token, entry };
}

/**
 * Middleware that admits a request whose bearer token is one of `tokens`
 * and records who it is; anything else gets 401 with `WWW-Authenticate`.
 */
export function authenticate(
  tokens: readonly ApiToken[],
): MiddlewareHandler<HttpEnv> {
  const unauthorized = (error: string, detail: string) => ({
    wwwAuthenticateHeader: error
      ? `Bearer realm="credbox", error="${error}"`
      : `Bearer realm="credbox"`,
    message: (c: Parameters<MiddlewareHandler<HttpEnv>>[0]) =>
      problem(c, 401, "UNAUTHORIZED", detail),
  });
  return bearerAuth<HttpEnv>({
    verifyToken: (presented, c) => {
      const digest = sha256(presented);
      let found: ApiToken | undefined;
      // Compare with every entry, without stopping at a match, so the time
      // taken says nothing about which entry (or none) matched.
      for (const token of tokens) {
        if (equalBytes(token.digest, digest) === 1) found = token;
      }
      if (found) c.set("principal", { name: found.name, scopes: found.scopes });
      return found !== undefined;
    },
    noAuthenticationHeader: unauthorized(
      "",
      "An API token is required: Authorization: Bearer <token>",
    ),
    // A malformed header is still "no credentials" to a client: 401, so it
    // retries with a token, rather than the middleware's default 400.
    invalidAuthenticationHeader: unauthorized(
      "invalid_request",
      "The Authorization header must be: Bearer <token>",
    ),
    invalidToken: unauthorized("invalid_token", "The API token is not valid"),
  });
}

/** Middleware that answers 403 unless the token holds `scope` (or admin). */
export function requireScope(scope: Scope): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const scopes = c.get("principal")?.scopes;
    if (!scopes || !(scopes.has(scope) || scopes.has("admin"))) {
      return problem(
        c,
        403,
        "FORBIDDEN",
        `The API token lacks the '${scope}' scope`,
        {
          "www-authenticate":
            `Bearer realm="credbox", error="insufficient_scope", scope="${scope}"`,
        },
      );
    }
    await next();
  };
}

/** Lower-case hex of bytes. */
export function toHex(bytes: ArrayLike<number>): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    out += bytes[i].toString(16).padStart(2, "0");
  }
  return out;
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  }
  return bytes;
}

// 1 when equal, 0 otherwise, touching every byte whatever the inputs.
function equalBytes(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0 ? 1 : 0;
}
