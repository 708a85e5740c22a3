/**
 * An OAuth token endpoint inside the process, behind a `fetch` function,
 * that answers the refresh_token grant the way Google's does.
 *
 * @module
 */

import type { Credential } from "../credential.ts";
import { formatExpiry } from "../credential.ts";

/** A fault for one request: an HTTP status to answer, or a dropped call. */
export type FakeTokenFault = number | "network";

/** Options of {@linkcode createFakeTokenEndpoint}. */
export interface FakeTokenEndpointOptions {
  /** The clock, epoch milliseconds. Default: `Date.now`. */
  now?: () => number;
  /** Lifetime of issued access tokens, in seconds. Default: 3599. */
  expiresIn?: number;
  /**
   * Issue a new refresh token with every refresh and spend the one used,
   * as providers with refresh-token rotation do. Default: false (Google).
   */
  rotate?: boolean;
  /** The one client accepted. Default: a made-up Google client. */
  clientId?: string;
  /** That client's secret. */
  clientSecret?: string;
  /** The `token_uri` written into signed-in credentials. */
  tokenUri?: string;
  /** Faults for the first requests, one each, in order. */
  faults?: FakeTokenFault[];
}

/** One request as the fake saw it; it holds no secret. */
export interface FakeTokenRequest {
  /** How the client authenticated. */
  clientAuth: "body" | "basic" | "none" | "both";
  /** The status answered; 0 for a dropped call. */
  status: number;
  /** The OAuth error answered, if any. */
  error?: string;
}

/** What {@linkcode createFakeTokenEndpoint} returns. */
export interface FakeTokenEndpoint {
  /** A `fetch` that answers as the token endpoint; any URL reaches it. */
  fetch: (
    input: string | URL | Request,
    init?: RequestInit,
  ) => Promise<Response>;
  /** Requests received, faults included. */
  readonly calls: number;
  /** Access tokens issued by refresh grants. */
  readonly issued: number;
  /** Every request, oldest first. */
  readonly requests: readonly FakeTokenRequest[];
  /** The `token_uri` of signed-in credentials. */
  readonly tokenUri: string;
  /**
   * What a user's consent yields: a credential with a new refresh token and
   * an access token valid for `expiresIn` seconds (≤ 0: already expired).
   */
  signIn(options?: { scopes?: string[]; expiresIn?: number }): Credential;
  /** Revoke a refresh token, as a user removing the app's access does. */
  revoke(refreshToken: string): void;
  /** True when `accessToken` was issued here and has not expired. */
  isValid(accessToken: string): boolean;
  /** True when `refreshToken` would be accepted now. */
  isActive(refreshToken: string): boolean;
  /** Queue faults for the next requests, one each. */
  fail(...faults: FakeTokenFault[]): void;
}

interface Grant {
  state: "active" | "spent" | "revoked";
  scopes: string[];
}

const DEFAULT_SCOPES = ["https://www.googleapis.com/auth/gmail.readonly"];

/**
 * Make a fake token endpoint.
 *
 * @example A credential that expired, refreshed through the fake
 * ```ts
 * import { CredentialStore, Keyring, MemoryBackend } from "@credbox/credbox";
 * import { createFakeTokenEndpoint } from "@credbox/credbox/testing";
 *
 * const endpoint = createFakeTokenEndpoint({ rotate: true });
 * const store = new CredentialStore({
 *   backend: new MemoryBackend(),
 *   keyring: await Keyring.generate(),
 *   fetch: endpoint.fetch,
 * });
 * await store.save("ana@example.com", endpoint.signIn({ expiresIn: 0 }));
 * const fresh = await store.fresh("ana@example.com");
 * console.assert(endpoint.isValid(fresh.credential.token!));
 * console.assert(endpoint.calls === 1);
 * ```
 */
export function createFakeTokenEndpoint(
  options: FakeTokenEndpointOptions = {},
): FakeTokenEndpoint {
  const now = options.now ?? Date.now;
  const lifetime = options.expiresIn ?? 3599;
  const clientId = options.clientId ?? "fake-client.apps.googleusercontent.com";
  const clientSecret = options.clientSecret ?? "GOCSPX-fake-client-secret";
  const tokenUri = options.tokenUri ?? "https://oauth2.googleapis.com/token";
  const faults = [...(options.faults ?? [])];
  const grants = new Map<string, Grant>();
  const accessTokens = new Map<string, number>();
  const requests: FakeTokenRequest[] = [];
  let counter = 0;
  let issued = 0;

  function issueAccess(seconds: number): { token: string; expiresAt: number } {
    const token = `ya29.fake-access-${++counter}`;
    const expiresAt = now() + seconds * 1000;
    accessTokens.set(token, expiresAt);
    return { token, expiresAt };
  }

  function issueRefresh(scopes: string[]): string {
    const token = `1//fake-refresh-${++counter}`;
    grants.set(token, { state: "active", scopes });
    return token;
  }

  async function serve(
    input: string | URL | Request,
    init?: RequestInit,
  ): Promise<Response> {
    const request = new Request(input, init);
    const form = new URLSearchParams(await request.text());
    const entry: FakeTokenRequest = {
      clientAuth: clientAuthOf(request, form),
      status: 0,
    };
    requests.push(entry);

    const fault = faults.shift();
    if (fault === "network") {
      throw new TypeError("fake token endpoint: connection reset");
    }
    const response = fault !== undefined
      ? failure(
        fault,
        fault === 429 ? "rate_limit_exceeded" : "internal_failure",
      )
      : answer(request, form, entry);
    entry.status = response.status;
    if (response.status >= 400) {
      entry.error = (await response.clone().json()).error;
    }
    return response;
  }

  function answer(
    request: Request,
    form: URLSearchParams,
    entry: FakeTokenRequest,
  ): Response {
    if (request.method !== "POST") return failure(405, "invalid_request");
    const type = request.headers.get("content-type") ?? "";
    if (!type.startsWith("application/x-www-form-urlencoded")) {
      return failure(400, "invalid_request");
    }
    if (entry.clientAuth === "both") return failure(400, "invalid_request");
    const client = credentialsOf(request, form);
    if (client.id !== clientId || client.secret !== clientSecret) {
      return failure(401, "invalid_client");
    }
    if (form.get("grant_type") !== "refresh_token") {
      return failure(400, "unsupported_grant_type");
    }
    const presented = form.get("refresh_token") ?? "";
    const grant = grants.get(presented);
    if (!grant || grant.state !== "active") {
      return failure(400, "invalid_grant");
    }

    const access = issueAccess(lifetime);
    issued++;
    const body: Record<string, unknown> = {
      access_token: access.token,
      expires_in: lifetime,
      scope: grant.scopes.join(" "),
      token_type: "Bearer",
    };
    if (options.rotate) {
      grant.state = "spent";
      body.refresh_token = issueRefresh(grant.scopes);
    }
    return Response.json(body);
  }

  return {
    fetch: serve,
    get calls() {
      return requests.length;
    },
    get issued() {
      return issued;
    },
    requests,
    tokenUri,
    signIn(signIn = {}) {
      const scopes = signIn.scopes ?? DEFAULT_SCOPES;
      const refresh = issueRefresh(scopes);
      const access = issueAccess(signIn.expiresIn ?? lifetime);
      return {
        token: access.token,
        refresh_token: refresh,
        token_uri: tokenUri,
        client_id: clientId,
        client_secret: clientSecret,
        scopes: [...scopes],
        expiry: formatExpiry(access.expiresAt),
      };
    },
    revoke(refreshToken) {
      const grant = grants.get(refreshToken);
      if (grant) grant.state = "revoked";
    },
    isValid(accessToken) {
      const expiresAt = accessTokens.get(accessToken);
      return expiresAt !== undefined && now() < expiresAt;
    },
    isActive(refreshToken) {
      return grants.get(refreshToken)?.state === "active";
    },
    fail(...more) {
      faults.push(...more);
    },
  };
}

function clientAuthOf(
  request: Request,
  form: URLSearchParams,
): FakeTokenRequest["clientAuth"] {
  const basic = /^basic /i.test(request.headers.get("authorization") ?? "");
  const body = form.has("client_id");
  return basic && body ? "both" : basic ? "basic" : body ? "body" : "none";
}

function credentialsOf(
  request: Request,
  form: URLSearchParams,
): { id: string | null; secret: string | null } {
  const header = request.headers.get("authorization") ?? "";
  if (/^basic /i.test(header)) {
    let pair = "";
    try {
      pair = atob(header.slice(6).trim());
    } catch {
      return { id: null, secret: null };
    }
    const colon = pair.indexOf(":");
    if (colon < 0) return { id: null, secret: null };
    const decode = (part: string) => new URLSearchParams(`v=${part}`).get("v");
    return {
      id: decode(pair.slice(0, colon)),
      secret: decode(pair.slice(colon + 1)),
    };
  }
  return { id: form.get("client_id"), secret: form.get("client_secret") };
}

function failure(status: number, error: string): Response {
  // Google's error bodies: a code and a terse description, never an echo.
  const description = status >= 500 ? "Internal Server Error" : "Bad Request";
  return Response.json({ error, error_description: description }, { status });
}
