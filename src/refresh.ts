/**
 * The OAuth 2.0 refresh_token grant (RFC 6749 §6): one form POST to the
 * credential's `token_uri`, retried on 5xx, 429 and network failures.
 *
 * Nothing secret leaves this file in an error: messages name the record,
 * the provider's host, the HTTP status and the OAuth error code, and a
 * `cause` is a copy of the original error with every secret of the
 * credential cut out of its message.
 *
 * @module
 */

import { type Backoff, backoffDelay } from "./backoff.ts";
import { type Credential, formatExpiry } from "./credential.ts";
import { CredboxError } from "./errors.ts";

/** Where a credential without `token_uri` is refreshed: Google's endpoint. */
export const GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";

/**
 * How the client authenticates to the token endpoint (RFC 6749 §2.3.1):
 * `client_id` and `client_secret` in the form body (what Google expects),
 * or as HTTP Basic.
 *
 * @example
 * ```ts
 * import type { ClientAuth } from "@credbox/credbox";
 *
 * const auth: ClientAuth = "basic";
 * console.assert(auth === "basic");
 * ```
 */
export type ClientAuth = "body" | "basic";

/** What {@linkcode refreshGrant} needs besides the credential. */
export interface GrantOptions {
  /** The record's id, for messages. */
  id: string;
  /** What the request is sent with. */
  fetch: typeof fetch;
  /** The clock, epoch milliseconds; expiry is computed from it. */
  now: () => number;
  /** How retries wait. */
  sleep: (ms: number) => Promise<void>;
  /** The retry delays. */
  backoff: Backoff;
  /** Retries after the first attempt. */
  retries: number;
  /** Each attempt's time limit, in milliseconds. */
  timeoutMs: number;
  /** `client_id`/`client_secret` in the form body or as HTTP Basic. */
  clientAuth: ClientAuth;
  /** No retry starts at or after this time (epoch milliseconds). */
  deadline?: number;
  /** Called before every request, for counting. */
  onCall?: () => void;
}

/** What a successful grant yields. */
export interface GrantResult {
  /** The new access token. */
  token: string;
  /** Its expiry, as `Credential.expiry` writes it; null when not given. */
  expiry: string | null;
  /** Present when the provider rotated the refresh token. */
  refresh_token?: string;
}

const ERROR_CODE = /^[a-z_]{1,64}$/;

/**
 * Run the refresh_token grant for `credential`.
 *
 * @throws {CredboxError} `REAUTH_REQUIRED` when the provider answers
 * `invalid_grant`; `REFRESH_FAILED` for any other refusal, for a malformed
 * answer, and when retries run out.
 *
 * @example Against the fake token endpoint
 * ```ts
 * import { refreshGrant } from "./refresh.ts";
 * import { createFakeTokenEndpoint } from "./testing/fake_token_endpoint.ts";
 *
 * const endpoint = createFakeTokenEndpoint();
 * const result = await refreshGrant(endpoint.signIn(), {
 *   id: "ana",
 *   fetch: endpoint.fetch,
 *   now: Date.now,
 *   sleep: () => Promise.resolve(),
 *   backoff: { baseMs: 0, capMs: 0, random: Math.random },
 *   retries: 0,
 *   timeoutMs: 1_000,
 *   clientAuth: "body",
 * });
 * console.assert(result.token.length > 0 && endpoint.calls === 1);
 * ```
 */
export async function refreshGrant(
  credential: Credential,
  options: GrantOptions,
): Promise<GrantResult> {
  const uri = credential.token_uri ?? GOOGLE_TOKEN_URI;
  const host = new URL(uri).host;
  const secrets = [
    credential.refresh_token,
    credential.client_secret,
    credential.token,
  ].filter((s): s is string => typeof s === "string" && s !== "")
    .flatMap((s) => [s, formEncode(s), encodeURIComponent(s)]);
  const request = requestOf(credential, options.clientAuth);

  let failure = "";
  let cause: unknown;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0) {
      if (options.deadline !== undefined && options.now() >= options.deadline) {
        break;
      }
      await options.sleep(backoffDelay(options.backoff, attempt));
    }

    options.onCall?.();
    const outcome = await post(uri, request, options);
    if ("error" in outcome) {
      failure = "the request failed";
      cause = redactedCopy(outcome.error, secrets);
      continue;
    }

    const { status, body } = outcome;
    if (status >= 200 && status < 300) {
      return resultOf(body, options, host);
    }
    const code = oauthError(body);
    if (code === "invalid_grant") {
      throw new CredboxError(
        "REAUTH_REQUIRED",
        `Cannot refresh '${options.id}': ${host} refused the refresh token (invalid_grant); the user must sign in again`,
      );
    }
    failure = `${host} answered ${status}${code ? ` (${code})` : ""}`;
    if (status !== 429 && status < 500) break;
  }

  throw new CredboxError(
    "REFRESH_FAILED",
    `Cannot refresh '${options.id}': ${failure}`,
    cause === undefined ? undefined : { cause },
  );
}

function requestOf(credential: Credential, auth: ClientAuth): RequestInit {
  const form = new URLSearchParams({ grant_type: "refresh_token" });
  form.set("refresh_token", credential.refresh_token ?? "");
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  const id = credential.client_id;
  const secret = credential.client_secret ?? undefined;
  if (auth === "basic" && id !== undefined) {
    // RFC 6749 §2.3.1: each part is form-encoded before base64.
    const pair = `${formEncode(id)}:${formEncode(secret ?? "")}`;
    headers.authorization = `Basic ${btoa(pair)}`;
  } else {
    if (id !== undefined) form.set("client_id", id);
    if (secret !== undefined) form.set("client_secret", secret);
  }
  return { method: "POST", headers, body: form.toString() };
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

type Outcome = { status: number; body: unknown } | { error: unknown };

async function post(
  uri: string,
  request: RequestInit,
  options: GrantOptions,
): Promise<Outcome> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  try {
    const response = await options.fetch(uri, {
      ...request,
      signal: abort.signal,
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  } catch (error) {
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

function resultOf(
  body: unknown,
  options: GrantOptions,
  host: string,
): GrantResult {
  const answer = (body ?? {}) as Record<string, unknown>;
  if (typeof answer.access_token !== "string" || answer.access_token === "") {
    throw new CredboxError(
      "REFRESH_FAILED",
      `Cannot refresh '${options.id}': ${host} answered without an access_token`,
    );
  }
  const seconds = Number(answer.expires_in);
  const expiry = answer.expires_in !== undefined && Number.isFinite(seconds)
    ? formatExpiry(options.now() + seconds * 1000)
    : null;
  const result: GrantResult = { token: answer.access_token, expiry };
  if (typeof answer.refresh_token === "string" && answer.refresh_token !== "") {
    result.refresh_token = answer.refresh_token;
  }
  return result;
}

function oauthError(body: unknown): string | undefined {
  const code = (body as { error?: unknown } | undefined)?.error;
  // Only a well-formed code is repeated; anything else might be an echo.
  return typeof code === "string" && ERROR_CODE.test(code) ? code : undefined;
}

function redactedCopy(error: unknown, secrets: string[]): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  let message = original.message;
  for (const secret of secrets) {
    message = message.replaceAll(secret, "[redacted]");
  }
  const copy = new Error(message);
  copy.name = original.name;
  return copy;
}
