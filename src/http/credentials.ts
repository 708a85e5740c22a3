/**
 * The `/v1/credentials` routes: list, read, write, delete, and the token
 * route that hands out a valid access token and nothing else.
 *
 * @module
 */

import { zValidator } from "@hono/zod-validator";
import type { Context, Hono, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { type Credential, expiresAt, parseCredential } from "../credential.ts";
import { CredboxError, isCredboxError } from "../errors.ts";
import { idFromStorageName, normalizeId, storagePrefix } from "../id.ts";
import { requireScope } from "./auth.ts";
import {
  noneMatchHits,
  toEtag,
  type WriteCondition,
  writeCondition,
} from "./etag.ts";
import { problem } from "./problem.ts";
import type { HttpEnv, HttpStore } from "./types.ts";

/** The largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The largest page the list route returns. */
export const MAX_PAGE = 1000;

const listQuery = z.object({
  prefix: z.string().max(256).optional(),
  cursor: z.string().min(1).max(4096).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
});

const tokenQuery = z.object({
  min_ttl: z.coerce.number().int().min(0).max(86_400).optional(),
});

// The record itself is checked by parseCredential, whose messages name the
// field and the rule; the schema only insists on an object.
const credentialBody = z.record(z.string(), z.unknown());

/** Answers a failed schema check as a 400 problem naming the fields. */
function invalid(
  result: {
    success: boolean;
    error?: { issues: readonly { path: PropertyKey[]; message: string }[] };
  },
  c: Context,
): Response | undefined {
  if (result.success || !result.error) return undefined;
  const what = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `'${path}': ${issue.message}` : issue.message;
  }).join("; ");
  return problem(
    c as Context<HttpEnv>,
    400,
    "BAD_REQUEST",
    `Invalid request: ${what}`,
  );
}

/** `c`'s query checked against `schema`; a 400 problem when it fails. */
function parseQuery<T>(c: Context<HttpEnv>, schema: z.ZodType<T>): T {
  const result = schema.safeParse(c.req.query());
  if (!result.success) {
    throw new HTTPException(400, { res: invalid(result, c) });
  }
  return result.data;
}

// Hono's JSON validator reads a body only when the type says JSON and
// otherwise validates `{}`, so the type is checked first to say why.
const requireJson: MiddlewareHandler<HttpEnv> = async (c, next) => {
  const type = c.req.header("content-type")?.split(";")[0].trim()
    .toLowerCase();
  if (type !== "application/json") {
    return problem(
      c,
      400,
      "BAD_REQUEST",
      "The body must be a credential as JSON: Content-Type: application/json",
    );
  }
  await next();
};

const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) =>
    problem(
      c as Context<HttpEnv>,
      413,
      "PAYLOAD_TOO_LARGE",
      `The body is larger than ${MAX_BODY_BYTES} bytes`,
    ),
});

/** The canonical id from the path, noted for the access log. */
function idParam(c: Context<HttpEnv>): string {
  const id = normalizeId(c.req.param("id"));
  c.set("credentialId", id);
  return id;
}

/** Add the credential routes to `app`. */
export function addCredentialRoutes(
  app: Hono<HttpEnv>,
  store: HttpStore,
): void {
  app.get(
    "/v1/credentials",
    requireScope("list"),
    zValidator("query", listQuery, invalid),
    async (c) => {
      const { prefix = "", cursor, limit = MAX_PAGE } = c.req.valid("query");
      const wanted = prefix.normalize("NFC");
      const page = await store.backend.list({
        prefix: storagePrefix(wanted),
        cursor,
        limit,
      });
      const ids: string[] = [];
      for (const name of page.names) {
        const id = idFromStorageName(name);
        if (id !== undefined && id.startsWith(wanted)) ids.push(id);
      }
      return c.json({ ids, next_cursor: page.cursor ?? null });
    },
  );

  app.get("/v1/credentials/:id", requireScope("read"), async (c) => {
    const id = idParam(c);
    const record = await store.load(id);
    if (!record) throw new CredboxError("NOT_FOUND", "No credential");
    const etag = toEtag(record.version);
    if (noneMatchHits(c.req.header("if-none-match"), record.version)) {
      return c.body(null, 304, { etag });
    }
    return c.json(record.credential, 200, { etag });
  });

  app.put(
    "/v1/credentials/:id",
    requireScope("write"),
    limitBody,
    requireJson,
    zValidator("json", credentialBody, invalid),
    async (c) => {
      const id = idParam(c);
      const credential = parseCredential(c.req.valid("json"));
      const condition = writeCondition(
        c.req.header("if-match"),
        c.req.header("if-none-match"),
      );
      const { version, created } = await put(store, id, credential, condition);
      const headers: Record<string, string> = { etag: toEtag(version) };
      if (created) {
        headers.location = `/v1/credentials/${encodeURIComponent(id)}`;
      }
      return c.json({ id }, created ? 201 : 200, headers);
    },
  );

  app.delete("/v1/credentials/:id", requireScope("write"), async (c) => {
    const id = idParam(c);
    const condition = writeCondition(
      c.req.header("if-match"),
      c.req.header("if-none-match"),
    );
    if (condition.kind === "absent") {
      return problem(c, 400, "BAD_REQUEST", "DELETE takes If-Match, not *");
    }
    const ifVersion = await versionFor(store, id, condition);
    const existed = await store.delete(id, { ifVersion });
    if (!existed) throw new CredboxError("NOT_FOUND", "No credential");
    return c.body(null, 204);
  });

  app.post(
    "/v1/credentials/:id/token",
    requireScope("token"),
    async (c) => {
      const id = idParam(c);
      // The hot route: most calls have no query, and parsing an absent one
      // through the validator middleware was a tenth of the route's time.
      const { min_ttl } = c.req.url.includes("?")
        ? parseQuery(c, tokenQuery)
        : {};
      const skewMs = min_ttl === undefined ? undefined : min_ttl * 1000;
      const { credential } = await store.fresh(id, { skewMs });
      return c.json(tokenView(credential));
    },
  );
}

/** The only fields the token route shows: never a refresh token or secret. */
function tokenView(credential: Credential): {
  access_token: string;
  expires_at: string | null;
  scopes: string[];
} {
  const token = credential.token;
  if (typeof token !== "string" || token === "") {
    throw new CredboxError("REAUTH_REQUIRED", "No access token");
  }
  return {
    access_token: token,
    expires_at: isoExpiry(credential),
    scopes: credential.scopes ?? [],
  };
}

// The same few expiry strings are formatted over and over on the token
// route; parsing one is a regex and a date check, so results are kept.
const isoOf = new Map<string, string | null>();

function isoExpiry(credential: Credential): string | null {
  const key = credential.expiry;
  if (typeof key !== "string") return null;
  let iso = isoOf.get(key);
  if (iso === undefined) {
    const ms = expiresAt(credential);
    iso = ms === undefined ? null : new Date(ms).toISOString();
    if (isoOf.size >= 4096) isoOf.clear();
    isoOf.set(key, iso);
  }
  return iso;
}

/**
 * Save under `condition`. Without one, a create is tried first so the
 * answer can be 201 as HTTP asks; a conflict there means it exists and the
 * save goes through unconditionally, as requested.
 */
async function put(
  store: HttpStore,
  id: string,
  credential: Credential,
  condition: WriteCondition,
): Promise<{ version: string; created: boolean }> {
  if (condition.kind === "absent" || condition.kind === "none") {
    try {
      const { version } = await store.save(id, credential, {
        ifVersion: null,
      });
      return { version, created: true };
    } catch (error) {
      if (condition.kind === "absent" || !isCredboxError(error, "CONFLICT")) {
        throw error;
      }
    }
    const { version } = await store.save(id, credential);
    return { version, created: false };
  }
  const ifVersion = await versionFor(store, id, condition);
  const { version } = await store.save(id, credential, { ifVersion });
  return { version, created: false };
}

/**
 * The version a conditional write must name. One tag is passed straight to
 * the backend's compare-and-set; `*` or several tags need the current
 * version first, and the write is then conditional on that, so a change in
 * between still fails with CONFLICT.
 */
async function versionFor(
  store: HttpStore,
  id: string,
  condition: WriteCondition,
): Promise<string | undefined> {
  if (condition.kind === "none") return undefined;
  if (condition.kind === "versions" && condition.versions.length === 1) {
    return condition.versions[0];
  }
  const current = await store.load(id);
  const matches = current !== undefined &&
    (condition.kind === "present" ||
      condition.kind === "versions" &&
        condition.versions.includes(current.version));
  if (!matches) {
    throw new CredboxError("CONFLICT", "The precondition failed");
  }
  return current.version;
}
