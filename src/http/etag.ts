/**
 * Entity tags for credential versions and the preconditions that use them.
 *
 * A backend's version is opaque and may hold any character (an S3 ETag
 * carries quotes), so the entity tag is its base64url form in quotes, which
 * is always a valid strong tag.
 *
 * @module
 */

import { HTTPException } from "hono/http-exception";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** The strong entity tag of a version. */
export function toEtag(version: string): string {
  const bytes = encoder.encode(version);
  const base64 = btoa(String.fromCharCode(...bytes));
  return `"${
    base64.replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "")
  }"`;
}

/** One tag of an `If-Match` / `If-None-Match` list. */
interface Tag {
  weak: boolean;
  /** The version it names, or `undefined` when it is not one of ours. */
  version: string | undefined;
}

/** A parsed precondition header: `*`, or a list of tags. */
type TagList = "*" | Tag[];

const TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;

/** Parse an `If-Match` / `If-None-Match` value; `undefined` when absent. */
export function parseTags(header: string | undefined): TagList | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === "*") return "*";
  const tags: Tag[] = [];
  for (const part of value.split(",")) {
    const m = TAG.exec(part.trim());
    if (!m) {
      throw new HTTPException(400, {
        message:
          "A precondition header must be * or a list of quoted entity tags",
      });
    }
    tags.push({ weak: m[1] !== undefined, version: fromOpaque(m[2]) });
  }
  return tags;
}

/** What a write must check before it applies, from its headers. */
export type WriteCondition =
  /** No precondition. */
  | { kind: "none" }
  /** `If-None-Match: *`: only if there is no credential. */
  | { kind: "absent" }
  /** `If-Match: *`: only if there is one, whatever its version. */
  | { kind: "present" }
  /** `If-Match: "…"`: only if it is at one of these versions. */
  | { kind: "versions"; versions: string[] };

/**
 * The condition of a PUT or DELETE. `If-Match` compares strongly, so a weak
 * tag or a foreign one never matches; `If-None-Match` on a write supports
 * only `*` (create-only), the one use it has there.
 */
export function writeCondition(
  ifMatch: string | undefined,
  ifNoneMatch: string | undefined,
): WriteCondition {
  const match = parseTags(ifMatch);
  const noneMatch = parseTags(ifNoneMatch);
  if (match !== undefined && noneMatch !== undefined) {
    throw new HTTPException(400, {
      message: "Give If-Match or If-None-Match, not both",
    });
  }
  if (noneMatch !== undefined) {
    if (noneMatch !== "*") {
      throw new HTTPException(400, {
        message: "If-None-Match on a write supports only *",
      });
    }
    return { kind: "absent" };
  }
  if (match === undefined) return { kind: "none" };
  if (match === "*") return { kind: "present" };
  const versions = match.filter((t) => !t.weak && t.version !== undefined)
    .map((t) => t.version as string);
  return { kind: "versions", versions };
}

/** True when `If-None-Match` on a read names `version` (weak comparison). */
export function noneMatchHits(
  header: string | undefined,
  version: string,
): boolean {
  const tags = parseTags(header);
  if (tags === undefined) return false;
  if (tags === "*") return true;
  return tags.some((t) => t.version === version);
}

function fromOpaque(text: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    const version = decoder.decode(bytes);
    // Only the canonical spelling counts, so one version has one tag.
    return toEtag(version) === `"${text}"` ? version : undefined;
  } catch {
    return undefined;
  }
}
