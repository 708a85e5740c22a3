/**
 * The request handler that carries every AWS SDK request over `fetch`.
 *
 * The SDK's Node build sends requests with `node:http`, which Workers and
 * Deno Deploy lack and which would hide requests from a stubbed `fetch`.
 * This handler is the one place where an SDK request becomes a `fetch`
 * call, so the same backend code runs on every runtime.
 *
 * @module
 */

/** The parts of a smithy `HttpRequest` this handler reads. */
export interface SdkHttpRequest {
  /** `"https:"` or `"http:"`. */
  protocol: string;
  /** Host name without the port. */
  hostname: string;
  /** Port, when not the protocol's default. */
  port?: number;
  /** The already encoded path. */
  path: string;
  /** Query parameters, unencoded; `null` is a bare key. */
  query?: Record<string, string | string[] | null>;
  /** HTTP method. */
  method: string;
  /** Signed headers. */
  headers: Record<string, string>;
  /** The request body, if any. */
  body?: unknown;
}

/** The smithy `HttpResponse` shape the SDK deserializers read. */
export interface SdkHttpResponse {
  /** HTTP status. */
  statusCode: number;
  /** HTTP reason phrase. */
  reason?: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Always a stream: the SDK's body collector cannot take `null`. */
  body: ReadableStream<Uint8Array>;
}

/** The `fetch` signature the handler calls. */
export type FetchFunction = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

// Browsers and Workers refuse to let callers set these; fetch derives both
// from the URL and body, with the same values the SDK signed.
const DERIVED_HEADERS = new Set(["host", "content-length"]);

/**
 * A smithy `HttpHandler` that sends each request with the given `fetch`.
 *
 * @example Give it to an S3Client
 * ```ts
 * import { FetchRequestHandler } from "./s3_fetch_handler.ts";
 *
 * const handler = new FetchRequestHandler(fetch);
 * console.assert(handler.metadata.handlerProtocol === "http/1.1");
 * ```
 */
export class FetchRequestHandler {
  /** What the SDK reads to pick protocol features. */
  readonly metadata: { handlerProtocol: string } = {
    handlerProtocol: "http/1.1",
  };
  readonly #fetch: FetchFunction;

  /** A handler calling `fetchFn` (the global `fetch` when omitted). */
  constructor(fetchFn?: FetchFunction) {
    this.#fetch = fetchFn ?? ((input, init) => fetch(input, init));
  }

  /** Send one request; a rejected `fetch` rejects as it is. */
  async handle(
    request: SdkHttpRequest,
    options: { abortSignal?: unknown } = {},
  ): Promise<{ response: SdkHttpResponse }> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (!DERIVED_HEADERS.has(name.toLowerCase())) headers.set(name, value);
    }
    const init: RequestInit & { duplex?: string } = {
      method: request.method,
      headers,
      // The SDK's own deprecated signal type is not a DOM one; fetch takes
      // only the real thing, which is what the backend passes.
      signal: options.abortSignal instanceof AbortSignal
        ? options.abortSignal
        : undefined,
    };
    if (request.method !== "GET" && request.method !== "HEAD") {
      init.body = request.body as BodyInit | undefined;
      if (request.body instanceof ReadableStream) init.duplex = "half";
    }
    const response = await this.#fetch(urlOf(request), init);

    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => out[name] = value);
    return {
      response: {
        statusCode: response.status,
        reason: response.statusText,
        headers: out,
        body: response.body ?? emptyStream(),
      },
    };
  }

  /** Nothing to configure: the SDK calls this for handlers it made. */
  updateHttpClientConfig(): void {}

  /** Nothing to report. */
  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  /** Nothing to release: fetch owns its connections. */
  destroy(): void {}
}

/** The full URL of an SDK request, with the query encoded as SigV4 does. */
export function urlOf(request: SdkHttpRequest): string {
  const port = request.port ? `:${request.port}` : "";
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(request.query ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const one of values) {
      pairs.push(
        one === null
          ? encodeRfc3986(key)
          : `${encodeRfc3986(key)}=${encodeRfc3986(one)}`,
      );
    }
  }
  const query = pairs.length > 0 ? `?${pairs.join("&")}` : "";
  return `${request.protocol}//${request.hostname}${port}${request.path}${query}`;
}

/** `encodeURIComponent`, plus the four characters RFC 3986 reserves. */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}
