/**
 * credbox keeps OAuth credentials for many users, each record sealed on the
 * client with AES-256-GCM under an envelope key and bound to its id and
 * namespace. This core entry holds the store, the keyring, the memory
 * backend and the errors; the fs and S3 backends, the HTTP app and the test
 * fakes are their own exports, loaded only by those who ask for them.
 *
 * @example Keep a user's credential
 * ```ts
 * import { CredentialStore, Keyring, MemoryBackend } from "@credbox/credbox";
 *
 * const store = new CredentialStore({
 *   backend: new MemoryBackend(),
 *   keyring: await Keyring.generate(),
 *   namespace: "workspace-mcp",
 * });
 * await store.save("ana@example.com", {
 *   token: "ya29.example",
 *   refresh_token: "1//example",
 *   token_uri: "https://oauth2.googleapis.com/token",
 *   client_id: "123.apps.googleusercontent.com",
 *   client_secret: "GOCSPX-example",
 *   scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
 *   expiry: "2025-10-21T14:03:00",
 * });
 * const record = await store.load("ana@example.com");
 * console.assert(record?.credential.client_id?.endsWith(".com"));
 * ```
 *
 * @module
 */

export * from "./src/errors.ts";
export {
  idFromStorageName,
  MAX_ID_BYTES,
  normalizeId,
  storageName,
  storagePrefix,
} from "./src/id.ts";
export * from "./src/credential.ts";
export * from "./src/backends/backend.ts";
export { MemoryBackend } from "./src/backends/memory.ts";
export * from "./src/store.ts";
export * from "./src/open.ts";
export { Keyring } from "./src/crypto/keyring.ts";
export { open, seal, sealedKeyId } from "./src/crypto/envelope.ts";
export type { SealContext, SealOptions } from "./src/crypto/envelope.ts";
export type { EnvSource } from "./src/runtime.ts";
