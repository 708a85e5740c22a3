/**
 * The OAuth credential record: the fields of a Google authorized-user
 * credential, as the Google Workspace MCP server writes one JSON file per
 * user. Unknown extra fields are kept as they are.
 *
 * @module
 */

import { CredboxError } from "./errors.ts";
import { typeName } from "./id.ts";

/**
 * One user's OAuth credential.
 *
 * @example
 * ```ts
 * import type { Credential } from "@credbox/credbox";
 *
 * const credential: Credential = {
 *   token: "ya29.example",
 *   refresh_token: "1//0g-example",
 *   token_uri: "https://oauth2.googleapis.com/token",
 *   client_id: "123.apps.googleusercontent.com",
 *   client_secret: "GOCSPX-example",
 *   scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
 *   expiry: "2025-10-21T14:03:00",
 * };
 * console.assert(credential.scopes?.length === 1);
 * ```
 */
export interface Credential {
  /** The access token. */
  token?: string | null;
  /** The refresh token; never shown to HTTP callers. */
  refresh_token?: string | null;
  /** Where refresh_token grants are posted. */
  token_uri?: string;
  /** The OAuth client id. */
  client_id?: string;
  /** The OAuth client secret. */
  client_secret?: string | null;
  /** The granted scopes. */
  scopes?: string[] | null;
  /**
   * When the access token expires: ISO 8601, with a zone or naive (read as
   * UTC), or null when unknown.
   */
  expiry?: string | null;
  /** Any other field, kept as it was. */
  [field: string]: unknown;
}

/** The largest serialized credential accepted, in bytes. */
export const MAX_CREDENTIAL_BYTES = 64 * 1024;

const encoder = new TextEncoder();

// 2025-10-21T14:03:00, optional fraction, optional Z or ±hh:mm.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Check a credential and return a copy, field order and unknown fields kept.
 *
 * @throws {CredboxError} `INVALID_CREDENTIAL`, naming the field and the rule;
 * never the field's value.
 *
 * @example
 * ```ts
 * import { parseCredential } from "@credbox/credbox";
 *
 * const credential = parseCredential(JSON.parse(
 *   '{"token":"ya29.x","refresh_token":"1//x","expiry":null,"account":""}',
 * ));
 * console.assert(credential.account === "");
 * ```
 */
export function parseCredential(value: unknown): Credential {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    invalid(`expected a JSON object, got ${typeName(value)}`);
  }
  const input = value as Record<string, unknown>;
  for (const field of ["token", "refresh_token", "client_secret"]) {
    optionalString(input, field, true);
  }
  optionalString(input, "client_id", false);
  optionalString(input, "token_uri", false);
  if (input.token_uri !== undefined) checkTokenUri(input.token_uri as string);
  if (
    typeof input.token !== "string" && typeof input.refresh_token !== "string"
  ) {
    invalid("it needs a 'token' or a 'refresh_token'");
  }
  const scopes = input.scopes;
  if (
    scopes !== undefined && scopes !== null &&
    !(Array.isArray(scopes) && scopes.every((s) => typeof s === "string"))
  ) {
    invalid(`'scopes' must be an array of strings, got ${typeName(scopes)}`);
  }
  if (input.expiry !== undefined && input.expiry !== null) {
    if (typeof input.expiry !== "string") {
      invalid(
        `'expiry' must be a string or null, got ${typeName(input.expiry)}`,
      );
    }
    if (Number.isNaN(parseExpiry(input.expiry))) {
      invalid("'expiry' is not an ISO 8601 date and time");
    }
  }

  let text: string;
  try {
    text = JSON.stringify(input);
  } catch {
    invalid("it cannot be serialized as JSON");
  }
  const size = encoder.encode(text).length;
  if (size > MAX_CREDENTIAL_BYTES) {
    invalid(`${size} bytes as JSON, at most ${MAX_CREDENTIAL_BYTES} allowed`);
  }
  return JSON.parse(text) as Credential;
}

/**
 * Parse an `expiry` string to epoch milliseconds; a naive time is UTC.
 * NaN when it is not a date.
 *
 * @example
 * ```ts
 * import { parseExpiry } from "@credbox/credbox";
 *
 * console.assert(parseExpiry("2025-10-21T14:03:00") === Date.UTC(2025, 9, 21, 14, 3));
 * console.assert(parseExpiry("2025-10-21T16:03:00+02:00") === Date.UTC(2025, 9, 21, 14, 3));
 * ```
 */
export function parseExpiry(expiry: string): number {
  const m = ISO.exec(expiry);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s = "0", frac = "", zone = "Z"] = m;
  const ms = frac ? Math.floor(Number("0" + frac) * 1000) : 0;
  // Date.UTC reads the years 0 to 99 as 1900 to 1999; setUTCFullYear does
  // not. 2000 is a leap year, so February 29 survives until the year is set.
  const check = new Date(Date.UTC(2000, +mo - 1, +d, +h, +mi, +s, ms));
  const base = check.setUTCFullYear(+y);
  if (
    check.getUTCFullYear() !== +y || check.getUTCMonth() !== +mo - 1 ||
    check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59
  ) {
    return NaN;
  }
  if (zone.toUpperCase() === "Z") return base;
  const sign = zone[0] === "-" ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const offset = (+digits.slice(0, 2) * 60 + +digits.slice(2)) * 60_000;
  return base - sign * offset;
}

/**
 * When the credential's access token expires, in epoch milliseconds, or
 * `undefined` when it does not say.
 *
 * @example
 * ```ts
 * import { expiresAt } from "@credbox/credbox";
 *
 * console.assert(expiresAt({ token: "t", expiry: null }) === undefined);
 * ```
 */
export function expiresAt(credential: Credential): number | undefined {
  const expiry = credential.expiry;
  if (typeof expiry !== "string") return undefined;
  const ms = parseExpiry(expiry);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Format epoch milliseconds the way the MCP server writes `expiry`: naive
 * UTC, seconds precision and a six-digit fraction.
 *
 * @example
 * ```ts
 * import { formatExpiry } from "@credbox/credbox";
 *
 * console.assert(formatExpiry(Date.UTC(2025, 9, 21, 14, 3)) === "2025-10-21T14:03:00.000000");
 * ```
 */
export function formatExpiry(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2025-10-21T14:03:00.000Z
  return iso.slice(0, 19) + "." + iso.slice(20, 23) + "000";
}

function optionalString(
  input: Record<string, unknown>,
  field: string,
  nullable: boolean,
): void {
  const value = input[field];
  if (value === undefined || typeof value === "string") return;
  if (nullable && value === null) return;
  invalid(
    `'${field}' must be a string${nullable ? " or null" : ""}, got ${
      typeName(value)
    }`,
  );
}

function checkTokenUri(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    invalid("'token_uri' is not a URL");
  }
  const loopback = url.hostname === "localhost" ||
    url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    invalid(
      `'token_uri' must be https (http only on loopback), got ${url.protocol}`,
    );
  }
  if (url.username || url.password) {
    invalid("'token_uri' must not carry a user name or password");
  }
}

function invalid(reason: string): never {
  throw new CredboxError("INVALID_CREDENTIAL", `Invalid credential: ${reason}`);
}
