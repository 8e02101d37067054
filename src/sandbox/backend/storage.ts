/**
 * The registry's content-addressed storage, as the backend needs it for PutImage and the layer
 * API: the same storage docker pushes into through `/v2/`, so an image uploaded through the API
 * pulls with docker and the other way round. The backend never speaks HTTP; the registry side
 * implements this over its client for the registry container (registry/storage.ts).
 */
export interface RegistryStorage {
  /** The blob's size in bytes when the repository holds it, else undefined. */
  blobSize(repository: string, digest: string): Promise<number | undefined>;
  /** Starts a blob upload; resolves to its id and the handle that continues it. */
  startUpload(repository: string): Promise<{ uploadId: string; handle: string }>;
  /** Appends the bytes of one part; resolves to the handle for the next part. */
  uploadPart(repository: string, handle: string, bytes: Buffer): Promise<string>;
  /** Finishes an upload as the blob `digest`; 'digest-mismatch' when the bytes hash to another digest. */
  completeUpload(repository: string, handle: string, digest: string): Promise<'ok' | 'digest-mismatch'>;
  /** Gives up an upload (best effort). */
  cancelUpload(repository: string, handle: string): Promise<void>;
  /** Stores a manifest under its digest; 'blob-unknown' when it names a blob the repository lacks. */
  putManifest(repository: string, digest: string, mediaType: string, bytes: Buffer): Promise<'ok' | 'blob-unknown'>;
}

/** The registry could not do what was asked (it answered with an unexpected status). */
export class StorageError extends Error {}
