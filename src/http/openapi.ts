/**
 * The OpenAPI 3.1 description of the HTTP API, served at `/openapi.json`.
 *
 * Written out rather than generated: the routes are few and stable, and a
 * test checks that every route the app serves is described here, so the
 * two cannot drift apart unnoticed.
 *
 * @module
 */

const problem = { $ref: "#/components/responses/Problem" };

const idParam = {
  name: "id",
  in: "path",
  required: true,
  description: "The credential id, usually an email address, URL-encoded.",
  schema: { type: "string", minLength: 1, maxLength: 256 },
};

const etagHeader = {
  description: "The credential's version, for If-Match and If-None-Match.",
  schema: { type: "string" },
};

function errors(...statuses: number[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const status of [401, ...statuses, 500, 503]) out[status] = problem;
  return out;
}

/**
 * The API description, a fresh object each call.
 *
 * @example
 * ```ts
 * import { openApiDocument } from "@credbox/credbox/http";
 *
 * const doc = openApiDocument();
 * console.assert("/v1/credentials/{id}/token" in doc.paths);
 * ```
 */
export function openApiDocument(): {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, unknown>;
} {
  return {
    openapi: "3.1.0",
    info: { title: "credbox", version: "1" },
    paths: {
      "/v1/credentials": {
        get: {
          summary: "One page of credential ids",
          security: [{ bearer: ["list"] }],
          parameters: [
            query("prefix", "Only ids that start with this.", {
              type: "string",
              maxLength: 256,
            }),
            query("cursor", "The next_cursor of the previous page.", {
              type: "string",
            }),
            query("limit", "At most this many ids (a page may hold fewer).", {
              type: "integer",
              minimum: 1,
              maximum: 1000,
            }),
          ],
          responses: {
            200: json("The page", { $ref: "#/components/schemas/Page" }),
            ...errors(400, 403),
          },
        },
      },
      "/v1/credentials/{id}": {
        parameters: [idParam],
        get: {
          summary: "The credential, refresh token and secret included",
          security: [{ bearer: ["read"] }],
          parameters: [header("If-None-Match", "304 when it names it.")],
          responses: {
            200: {
              ...json("The credential", credentialRef),
              headers: { ETag: etagHeader },
            },
            304: { description: "Not modified", headers: { ETag: etagHeader } },
            ...errors(400, 403, 404),
          },
        },
        put: {
          summary: "Save the credential",
          security: [{ bearer: ["write"] }],
          parameters: [
            header("If-Match", "Only if at this version (or * : exists)."),
            header("If-None-Match", "Only * : only if there is none."),
          ],
          requestBody: {
            required: true,
            content: { "application/json": { schema: credentialRef } },
          },
          responses: {
            200: saved("Replaced"),
            201: saved("Created"),
            ...errors(400, 403, 412, 413),
          },
        },
        delete: {
          summary: "Delete the credential",
          security: [{ bearer: ["write"] }],
          parameters: [header("If-Match", "Only if at this version.")],
          responses: {
            204: { description: "Deleted" },
            ...errors(400, 403, 404, 412),
          },
        },
      },
      "/v1/credentials/{id}/token": {
        parameters: [idParam],
        post: {
          summary: "A valid access token, refreshed first when needed",
          security: [{ bearer: ["token"] }],
          parameters: [
            query("min_ttl", "Refresh unless valid this many more seconds.", {
              type: "integer",
              minimum: 0,
              maximum: 86400,
            }),
          ],
          responses: {
            200: json("The token", { $ref: "#/components/schemas/Token" }),
            ...errors(400, 403, 404, 409, 502),
          },
        },
      },
      "/healthz": {
        get: {
          summary: "Liveness",
          security: [],
          responses: { 200: json("Alive", { type: "object" }) },
        },
      },
      "/metrics": {
        get: {
          summary: "Prometheus text",
          security: [{ bearer: ["admin"] }],
          responses: {
            200: {
              description: "Metrics",
              content: { "text/plain": { schema: { type: "string" } } },
            },
            ...errors(403),
          },
        },
      },
      "/openapi.json": {
        get: {
          summary: "This document",
          security: [],
          responses: { 200: json("OpenAPI 3.1", { type: "object" }) },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "An API token from CREDBOX_API_TOKENS. Scopes: list, " +
            "read, write, token; admin holds them all.",
        },
      },
      responses: {
        Problem: {
          description: "An error (RFC 9457)",
          content: {
            "application/problem+json": {
              schema: { $ref: "#/components/schemas/Problem" },
            },
          },
        },
      },
      schemas: SCHEMAS,
    },
  };
}

const credentialRef = { $ref: "#/components/schemas/Credential" };

const SCHEMAS = {
  Credential: {
    type: "object",
    description: "A Google authorized-user credential; other fields are kept.",
    properties: {
      token: { type: ["string", "null"] },
      refresh_token: { type: ["string", "null"] },
      token_uri: { type: "string", format: "uri" },
      client_id: { type: "string" },
      client_secret: { type: ["string", "null"] },
      scopes: { type: ["array", "null"], items: { type: "string" } },
      expiry: { type: ["string", "null"], description: "ISO 8601" },
    },
    additionalProperties: true,
  },
  Token: {
    type: "object",
    required: ["access_token", "expires_at", "scopes"],
    properties: {
      access_token: { type: "string" },
      expires_at: { type: ["string", "null"], format: "date-time" },
      scopes: { type: "array", items: { type: "string" } },
    },
  },
  Page: {
    type: "object",
    required: ["ids", "next_cursor"],
    properties: {
      ids: { type: "array", items: { type: "string" } },
      next_cursor: { type: ["string", "null"] },
    },
  },
  Problem: {
    type: "object",
    required: ["type", "title", "status", "code", "detail"],
    properties: {
      type: { type: "string" },
      title: { type: "string" },
      status: { type: "integer" },
      code: { type: "string" },
      detail: { type: "string" },
      request_id: { type: "string" },
    },
  },
};

function json(description: string, schema: unknown): Record<string, unknown> {
  return { description, content: { "application/json": { schema } } };
}

function saved(description: string): Record<string, unknown> {
  return {
    ...json(description, {
      type: "object",
      properties: { id: { type: "string" } },
    }),
    headers: { ETag: etagHeader },
  };
}

function query(
  name: string,
  description: string,
  schema: unknown,
): Record<string, unknown> {
  return { name, in: "query", required: false, description, schema };
}

function header(name: string, description: string): Record<string, unknown> {
  return {
    name,
    in: "header",
    required: false,
    description,
    schema: {
      type: "string",
    },
  };
}
