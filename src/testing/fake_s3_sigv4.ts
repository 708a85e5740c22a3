/**
 * Verification of AWS Signature Version 4 header signatures, as S3 checks
 * them, with Web Crypto only. The fake S3 uses it so that a wrong secret
 * fails the way it fails against AWS.
 *
 * @module
 */

import type { S3ErrorBody } from "./fake_s3_xml.ts";

/** The key pair the fake S3 accepts. */
export interface FakeCredentials {
  /** The access key id. */
  accessKeyId: string;
  /** The secret access key. */
  secretAccessKey: string;
}

/** The parts of a request a signature covers. */
export interface SignedRequest {
  /** HTTP method. */
  method: string;
  /** The URL as sent. */
  url: URL;
  /** The headers as sent. */
  headers: Headers;
  /** The body as sent. */
  body: Uint8Array;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,]+)\/(\d{8})\/([^/,]+)\/([^/,]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const UNSIGNED = "UNSIGNED-PAYLOAD";
const encoder = new TextEncoder();

/**
 * Checks the `Authorization` header of requests against one key pair.
 * Signing keys are kept per day, region and service, as AWS derives them,
 * since each derivation is four HMACs.
 */
export class SignatureVerifier {
  readonly #credentials: FakeCredentials;
  readonly #keys = new Map<string, Promise<CryptoKey>>();

  /** A verifier accepting only `credentials`. */
  constructor(credentials: FakeCredentials) {
    this.#credentials = credentials;
  }

  /** `undefined` when `request` is validly signed, else the S3 error. */
  async verify(request: SignedRequest): Promise<S3ErrorBody | undefined> {
    const header = request.headers.get("authorization");
    if (header === null) {
      return forbidden("AccessDenied", "Access Denied");
    }
    const match = AUTHORIZATION.exec(header);
    const amzDate = request.headers.get("x-amz-date");
    if (!match || amzDate === null || !amzDate.startsWith(match[2])) {
      return {
        status: 400,
        code: "AuthorizationHeaderMalformed",
        message: "The authorization header is malformed",
      };
    }
    const [, accessKeyId, date, region, service, signedHeaders, signature] =
      match;
    if (accessKeyId !== this.#credentials.accessKeyId) {
      return forbidden(
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
      );
    }

    const payloadHash = request.headers.get("x-amz-content-sha256") ??
      UNSIGNED;
    if (
      payloadHash !== UNSIGNED && payloadHash !== await sha256(request.body)
    ) {
      return {
        status: 400,
        code: "XAmzContentSHA256Mismatch",
        message: "The provided 'x-amz-content-sha256' header does not " +
          "match what was computed.",
      };
    }

    const canonical = [
      request.method,
      request.url.pathname,
      canonicalQuery(request.url.search),
      canonicalHeaders(request, signedHeaders.split(";")),
      signedHeaders,
      payloadHash,
    ].join("\n");
    const scope = `${date}/${region}/${service}/aws4_request`;
    const toSign = [
      "AWS4-HMAC-SHA256",
      amzDate,
      scope,
      await sha256(encoder.encode(canonical)),
    ].join("\n");

    const key = await this.#signingKey(date, region, service);
    const expected = await crypto.subtle.sign(
      "HMAC",
      key,
      encoder.encode(toSign),
    );
    if (hex(new Uint8Array(expected)) !== signature) {
      return forbidden(
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature " +
          "you provided. Check your key and signing method.",
      );
    }
    return undefined;
  }

  #signingKey(
    date: string,
    region: string,
    service: string,
  ): Promise<CryptoKey> {
    const id = `${date}/${region}/${service}`;
    let key = this.#keys.get(id);
    if (!key) {
      key = (async () => {
        let bytes: Uint8Array = encoder.encode(
          `AWS4${this.#credentials.secretAccessKey}`,
        );
        for (const part of [date, region, service, "aws4_request"]) {
          bytes = await hmac(bytes, part);
        }
        return await importHmacKey(bytes);
      })();
      this.#keys.set(id, key);
    }
    return key;
  }
}

function forbidden(code: string, message: string): S3ErrorBody {
  return { status: 403, code, message };
}

function canonicalQuery(search: string): string {
  if (search.length <= 1) return "";
  const pairs = search.slice(1).split("&").filter(Boolean).map((pair) => {
    const at = pair.indexOf("=");
    const name = at < 0 ? pair : pair.slice(0, at);
    const value = at < 0 ? "" : pair.slice(at + 1);
    return [reencode(name), reencode(value)] as const;
  });
  pairs.sort(([a, x], [b, y]) => a < b ? -1 : a > b ? 1 : x < y ? -1 : 1);
  return pairs.map(([name, value]) => `${name}=${value}`).join("&");
}

// Query text may arrive encoded in any valid way; SigV4 signs one form.
function reencode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, "%20")).replace(
    /[^A-Za-z0-9_.~-]/g,
    (ch) =>
      [...encoder.encode(ch)].map((b) =>
        `%${b.toString(16).toUpperCase().padStart(2, "0")}`
      ).join(""),
  );
}

function canonicalHeaders(request: SignedRequest, names: string[]): string {
  return names.map((name) => {
    let value = request.headers.get(name);
    // fetch fills these in itself, so a stub may not see them.
    if (value === null && name === "host") value = request.url.host;
    if (value === null && name === "content-length") {
      value = String(request.body.length);
    }
    return `${name}:${(value ?? "").trim().replace(/\s+/g, " ")}\n`;
  }).join("");
}

async function sha256(bytes: Uint8Array): Promise<string> {
  return hex(
    new Uint8Array(
      await crypto.subtle.digest("SHA-256", bytes as BufferSource),
    ),
  );
}

function importHmacKey(key: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    key as BufferSource,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
}

async function hmac(key: Uint8Array, data: string): Promise<Uint8Array> {
  const cryptoKey = await importHmacKey(key);
  return new Uint8Array(
    await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(data)),
  );
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
