/**
 * The blob port: content-addressed storage by sha256. Adapters (filesystem now, S3-compatible later)
 * implement it; uploads are verified against their address and become visible only when complete.
 */

/** Size of a stored blob. */
export interface BlobInfo {
  size: number;
}

/** Content-addressed blob storage. */
export interface BlobStore {
  /** The blob's size, or null when it is not stored. */
  stat(sha256: string): Promise<BlobInfo | null>;
  /**
   * Stores the bytes of `body` under `sha256` after checking that they hash to it (an ApiError 422 if not,
   * 413 past `maxBytes`). Storing an existing blob again is a no-op (`created: false`).
   */
  put(sha256: string, body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ size: number; created: boolean }>;
  /** The blob's bytes as a web stream, or null when it is not stored. */
  get(sha256: string): Promise<{ size: number; body: ReadableStream<Uint8Array> } | null>;
}
