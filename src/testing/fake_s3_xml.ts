/**
 * The XML bodies the fake S3 answers with, shaped as AWS documents them.
 *
 * @module
 */

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

/** Escape text for an XML element or attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => ENTITIES[ch]);
}

const ENTITIES: Record<string, string> = {
  "<": "&lt;",
  ">": "&gt;",
  "&": "&amp;",
  '"': "&quot;",
  "'": "&apos;",
};

function element(name: string, value: string | number | boolean): string {
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** What an S3 error response says. */
export interface S3ErrorBody {
  /** The S3 error code, for example `"NoSuchKey"`. */
  code: string;
  /** The human-readable message. */
  message: string;
  /** The HTTP status. */
  status: number;
  /** Extra elements AWS adds for some codes (`Key`, `BucketName`, ...). */
  details?: Record<string, string>;
}

/** An AWS-shaped XML error response; HEAD responses carry no body. */
export function errorResponse(
  error: S3ErrorBody,
  requestId: string,
  head = false,
): Response {
  const details = Object.entries(error.details ?? {})
    .map(([name, value]) => element(name, value)).join("");
  const body = XML_HEAD + "<Error>" + element("Code", error.code) +
    element("Message", error.message) + details +
    element("RequestId", requestId) + element("HostId", "fake-s3") +
    "</Error>";
  return new Response(head ? null : body, {
    status: error.status,
    headers: {
      "content-type": "application/xml",
      "x-amz-request-id": requestId,
    },
  });
}

/** One object in a listing. */
export interface ListedObject {
  /** The key. */
  key: string;
  /** The quoted ETag. */
  etag: string;
  /** Size in bytes. */
  size: number;
  /** Last write. */
  lastModified: Date;
}

/** What a ListObjectsV2 response says. */
export interface ListResult {
  /** The bucket. */
  bucket: string;
  /** The prefix asked for. */
  prefix: string;
  /** The page size asked for. */
  maxKeys: number;
  /** This page. */
  objects: ListedObject[];
  /** The token to pass for the next page, if any. */
  nextToken?: string;
  /** The token this page was asked with. */
  token?: string;
  /** The start-after asked for. */
  startAfter?: string;
  /** Whether keys are URL-encoded (`encoding-type=url`). */
  urlEncoded: boolean;
}

/** The ListBucketResult document of ListObjectsV2. */
export function listXml(result: ListResult): string {
  const key = (text: string) =>
    result.urlEncoded ? encodeURIComponent(text) : text;
  let xml = XML_HEAD + `<ListBucketResult xmlns="${NAMESPACE}">` +
    element("Name", result.bucket) + element("Prefix", key(result.prefix)) +
    element("KeyCount", result.objects.length) +
    element("MaxKeys", result.maxKeys) +
    element("IsTruncated", result.nextToken !== undefined);
  if (result.urlEncoded) xml += element("EncodingType", "url");
  if (result.token !== undefined) {
    xml += element("ContinuationToken", result.token);
  }
  if (result.nextToken !== undefined) {
    xml += element("NextContinuationToken", result.nextToken);
  }
  if (result.startAfter !== undefined) {
    xml += element("StartAfter", key(result.startAfter));
  }
  for (const object of result.objects) {
    xml += "<Contents>" + element("Key", key(object.key)) +
      element("LastModified", object.lastModified.toISOString()) +
      element("ETag", object.etag) + element("Size", object.size) +
      element("StorageClass", "STANDARD") + "</Contents>";
  }
  return xml + "</ListBucketResult>";
}
