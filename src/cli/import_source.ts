/**
 * Where `import` reads plaintext credential files from: a local folder, or
 * an S3 prefix read as one (its own objects only, not its subfolders').
 *
 * @module
 */

import { CredboxError } from "../errors.ts";
import type { EnvSource } from "../runtime.ts";
import { s3Options } from "./config.ts";
import type { FetchLike } from "./io.ts";

/** One entry of a source folder. */
export interface SourceFile {
  /** The file name, relative to the folder. */
  name: string;
  /** False for folders and other entries that are not files. */
  isFile: boolean;
  /** The bytes, exactly as stored. */
  read(): Promise<Uint8Array>;
}

/**
 * The entries of `location` (a path, a `file:` URL or `s3://bucket/prefix`),
 * sorted by name. Nothing is ever written to a source.
 *
 * @example
 * ```ts
 * import { openSource } from "./import_source.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/ana@example.com.json`, "{}");
 * const names = [];
 * for await (const file of openSource(dir, {})) names.push(file.name);
 * console.assert(names[0] === "ana@example.com.json");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function openSource(
  location: string,
  env: EnvSource,
  fetch?: FetchLike,
): AsyncIterable<SourceFile> {
  if (location.startsWith("s3://")) return s3Source(location, env, fetch);
  const dir = location.startsWith("file:")
    ? decodeURIComponent(new URL(location).pathname)
    : location;
  return folderSource(dir);
}

async function* folderSource(dir: string): AsyncGenerator<SourceFile> {
  const entries: Deno.DirEntry[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) entries.push(entry);
  } catch (error) {
    throw new CredboxError(
      "INVALID_CONFIG",
      `Cannot read folder '${dir}': ${(error as Error).message}`,
    );
  }
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

  for (const entry of entries) {
    const path = `${dir}/${entry.name}`;
    let isFile = entry.isFile;
    if (entry.isSymlink) {
      isFile = await Deno.stat(path).then((s) => s.isFile, () => false);
    }
    yield { name: entry.name, isFile, read: () => Deno.readFile(path) };
  }
}

async function* s3Source(
  url: string,
  env: EnvSource,
  fetch?: FetchLike,
): AsyncGenerator<SourceFile> {
  const options = s3Options(url, env, fetch);
  // The prefix names a folder: "s3://b/creds" must not take in "credsX".
  const prefix = options.prefix && !options.prefix.endsWith("/")
    ? options.prefix + "/"
    : options.prefix ?? "";
  const sdk = await import("@aws-sdk/client-s3");
  const { FetchRequestHandler } = await import(
    "../backends/s3_fetch_handler.ts"
  );
  const client = new sdk.S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    requestHandler: new FetchRequestHandler(
      options.fetch,
    ) as unknown as import("@aws-sdk/client-s3").S3ClientConfig[
      "requestHandler"
    ],
  });
  const fail = (what: string, error: unknown) =>
    new CredboxError(
      "BACKEND",
      // The error's name only: S3 bodies are not ours to echo.
      `Cannot ${what} in bucket '${options.bucket}': S3 answered ${
        (error as Error)?.name ?? "an error"
      }`,
      { cause: error },
    );

  let token: string | undefined;
  do {
    const page = await client.send(
      new sdk.ListObjectsV2Command({
        Bucket: options.bucket,
        Prefix: prefix,
        ContinuationToken: token,
      }),
    ).catch((error) => {
      throw fail(`list '${prefix}'`, error);
    });
    for (const item of page.Contents ?? []) {
      const key = item.Key ?? "";
      yield {
        name: key.slice(prefix.length),
        isFile: !key.endsWith("/"),
        read: async () => {
          try {
            const out = await client.send(
              new sdk.GetObjectCommand({ Bucket: options.bucket, Key: key }),
            );
            return await out.Body!.transformToByteArray();
          } catch (error) {
            throw fail(`read '${key}'`, error);
          }
        },
      };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
