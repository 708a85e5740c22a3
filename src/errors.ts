/**
 * The one error type credbox callers catch, with a stable `code`.
 *
 * @module
 */

/** The stable codes a {@linkcode CredboxError} carries. */
export type CredboxErrorCode =
  | "INVALID_ID"
  | "INVALID_CREDENTIAL"
  | "INVALID_CONFIG"
  | "NOT_FOUND"
  | "CONFLICT"
  | "DECRYPT_FAILED"
  | "UNKNOWN_KEY"
  | "BACKEND"
  | "REFRESH_FAILED"
  | "REAUTH_REQUIRED";

/** Every code, in a fixed order, for validation and documentation. */
export const ERROR_CODES: readonly CredboxErrorCode[] = [
  "INVALID_ID",
  "INVALID_CREDENTIAL",
  "INVALID_CONFIG",
  "NOT_FOUND",
  "CONFLICT",
  "DECRYPT_FAILED",
  "UNKNOWN_KEY",
  "BACKEND",
  "REFRESH_FAILED",
  "REAUTH_REQUIRED",
];

/**
 * An error a caller is expected to handle. The message names what was wrong
 * and never carries a token, a refresh token, a client secret or a key.
 *
 * @example Telling a lost race from other failures
 * ```ts
 * import { CredboxError } from "@credbox/credbox";
 *
 * const error = new CredboxError("CONFLICT", "Cannot save 'ana': changed");
 * console.assert(error.code === "CONFLICT");
 * console.assert(error instanceof Error);
 * ```
 */
export class CredboxError extends Error {
  /** What went wrong, stable across releases. */
  readonly code: CredboxErrorCode;

  /**
   * Make an error. `cause` is kept for debugging; it must not hold secrets.
   */
  constructor(
    code: CredboxErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CredboxError";
    this.code = code;
  }
}

/**
 * True when `error` is a {@linkcode CredboxError}, optionally with `code`.
 *
 * @example
 * ```ts
 * import { CredboxError, isCredboxError } from "@credbox/credbox";
 *
 * console.assert(isCredboxError(new CredboxError("NOT_FOUND", "x"), "NOT_FOUND"));
 * console.assert(!isCredboxError(new Error("x")));
 * ```
 */
export function isCredboxError(
  error: unknown,
  code?: CredboxErrorCode,
): error is CredboxError {
  return error instanceof CredboxError &&
    (code === undefined || error.code === code);
}
