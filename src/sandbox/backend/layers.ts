import crypto from 'node:crypto';
import { errors } from '../api/errors.js';
import type { EcrBackend, RequestContext } from './ecr.js';
import { blobsInUse, parseManifest } from './images.js';
import type { RegistryStorage } from './storage.js';
import type { RepositoryRecord } from './types.js';

/**
 * ECR's layer API: BatchCheckLayerAvailability, InitiateLayerUpload / UploadLayerPart /
 * CompleteLayerUpload, and GetDownloadUrlForLayer. The bytes go to and come from the registry's
 * storage (the same blobs docker pushes), so a layer uploaded here is one docker can pull once a
 * manifest names it (PutImage), and docker's layers are available here.
 */

/** ECR's limits on upload parts (service quotas): at least 5 MiB, except the last part. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
/** InitiateLayerUpload's partSize, as ECR answers it (the CLI's initiate-layer-upload example). */
export const LAYER_PART_SIZE = 10 * 1024 * 1024;
/** How long a GetDownloadUrlForLayer URL works: ECR's S3 URLs carry X-Amz-Expires=3600. */
export const DOWNLOAD_URL_SECONDS = 3600;
/** The model's LayerDigest pattern. */
const LAYER_DIGEST_RE = /^[a-zA-Z0-9_+.-]+:[a-fA-F0-9]+$/;

/** An upload in progress (kept in memory: an upload does not survive a restart, nor does one in the registry). */
interface Upload {
  region: string;
  repositoryName: string;
  uploadId: string;
  /** The registry's handle for the next part. */
  handle: string;
  /** The byte the next part must start at. */
  nextByte: number;
  /** Sizes of the parts received, in order. */
  parts: number[];
}

/** A download URL's query, as GetDownloadUrlForLayer signs it. */
export interface DownloadQuery {
  region: string;
  repositoryName: string;
  digest: string;
  /** `X-Amz-Date`: when the URL was issued. */
  date: string;
  /** `X-Amz-Expires`: seconds it is valid for. */
  expires: string;
  signature: string;
}

/** Why a download URL is refused, in S3's terms (ECR's URLs are S3 pre-signed URLs). */
export type DownloadRefusal = { status: 403; code: 'AccessDenied' | 'SignatureDoesNotMatch'; message: string } | { status: 404; code: 'NoSuchKey'; message: string };

/** `20261122T191500Z` for epoch seconds. */
function amzDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000;
}

export class LayerApi {
  private readonly uploads = new Map<string, Upload>();

  constructor(private readonly backend: EcrBackend) {}

  /** The registry's storage for a request's region: it holds the sandbox's one region only. */
  private storage(ctx: RequestContext): RegistryStorage {
    return this.backend.requireStorage(ctx.region);
  }

  /** The media types the repository's manifests give their layers and configs, by digest. */
  private layerMediaTypes(repo: RepositoryRecord): Map<string, string> {
    const types = new Map<string, string>();
    for (const image of Object.values(repo.images)) {
      try {
        const parsed = parseManifest(image.manifest, image.manifestMediaType);
        for (const d of [...(parsed.config ? [parsed.config] : []), ...parsed.layers]) if (d.mediaType) types.set(d.digest, d.mediaType);
      } catch {
        /* a manifest we cannot read names no layers */
      }
    }
    return types;
  }

  /** BatchCheckLayerAvailability: AVAILABLE with size and media type, or UNAVAILABLE; malformed digests are failures. */
  async batchCheckLayerAvailability(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string; layerDigests: string[] },
  ): Promise<{ layers: Record<string, unknown>[]; failures: Record<string, unknown>[] }> {
    const repo = this.backend.repository(ctx, input.registryId, input.repositoryName);
    const storage = this.storage(ctx);
    const mediaTypes = this.layerMediaTypes(repo);
    const layers: Record<string, unknown>[] = [];
    const failures: Record<string, unknown>[] = [];
    for (const layerDigest of input.layerDigests) {
      if (layerDigest === '') {
        failures.push({ layerDigest, failureCode: 'MissingLayerDigest', failureReason: 'Missing layer digest' });
        continue;
      }
      if (!LAYER_DIGEST_RE.test(layerDigest)) {
        failures.push({ layerDigest, failureCode: 'InvalidLayerDigest', failureReason: `Invalid layer digest: it must match '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'` });
        continue;
      }
      const size = await storage.blobSize(repo.name, layerDigest);
      const mediaType = mediaTypes.get(layerDigest);
      layers.push(
        size === undefined
          ? { layerDigest, layerAvailability: 'UNAVAILABLE' }
          : { layerDigest, layerAvailability: 'AVAILABLE', layerSize: size, ...(mediaType ? { mediaType } : {}) },
      );
    }
    return { layers, failures };
  }

  /** InitiateLayerUpload: an upload id (the registry's own upload UUID) and ECR's part size. */
  async initiateLayerUpload(ctx: RequestContext, input: { registryId?: string; repositoryName: string }): Promise<{ uploadId: string; partSize: number }> {
    const repo = this.backend.repository(ctx, input.registryId, input.repositoryName);
    const { uploadId, handle } = await this.storage(ctx).startUpload(repo.name);
    this.uploads.set(uploadId, { region: ctx.region, repositoryName: repo.name, uploadId, handle, nextByte: 0, parts: [] });
    return { uploadId, partSize: LAYER_PART_SIZE };
  }

  /** The upload with this id in this repository, or UploadNotFoundException. */
  private upload(ctx: RequestContext, repo: RepositoryRecord, uploadId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.region !== ctx.region || upload.repositoryName !== repo.name) throw errors.uploadNotFound(uploadId, repo.name);
    return upload;
  }

  /**
   * UploadLayerPart: parts arrive in order, each starting at the byte after the last one
   * received, and must be as long as the byte range they claim.
   */
  async uploadLayerPart(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string; uploadId: string; partFirstByte: number; partLastByte: number; layerPartBlob: Buffer },
  ): Promise<Record<string, unknown>> {
    const repo = this.backend.repository(ctx, input.registryId, input.repositoryName);
    const upload = this.upload(ctx, repo, input.uploadId);
    const storage = this.storage(ctx);
    const fields = { registryId: this.backend.accountId, repositoryName: repo.name, uploadId: upload.uploadId, lastValidByteReceived: Math.max(0, upload.nextByte - 1) };
    if (input.partFirstByte !== upload.nextByte) {
      const have = upload.nextByte === 0 ? 'no bytes yet' : `bytes 0 to ${upload.nextByte - 1}`;
      throw errors.invalidLayerPart(`the upload has ${have}, so the next part must start at byte ${upload.nextByte}, not ${input.partFirstByte}.`, fields);
    }
    const claimed = input.partLastByte - input.partFirstByte + 1;
    if (input.layerPartBlob.length === 0 || claimed !== input.layerPartBlob.length) {
      throw errors.invalidLayerPart(`bytes ${input.partFirstByte} to ${input.partLastByte} are ${Math.max(claimed, 0)} bytes, but the part holds ${input.layerPartBlob.length}.`, fields);
    }
    upload.handle = await storage.uploadPart(repo.name, upload.handle, input.layerPartBlob);
    upload.parts.push(input.layerPartBlob.length);
    upload.nextByte += input.layerPartBlob.length;
    return { registryId: this.backend.accountId, repositoryName: repo.name, uploadId: upload.uploadId, lastByteReceived: input.partLastByte };
  }

  /**
   * CompleteLayerUpload: every part but the last must be at least 5 MiB, and the bytes must hash
   * to the digest given. A layer the repository already has is refused (its upload dropped).
   */
  async completeLayerUpload(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string; uploadId: string; layerDigests: string[] },
  ): Promise<Record<string, unknown>> {
    const repo = this.backend.repository(ctx, input.registryId, input.repositoryName);
    const upload = this.upload(ctx, repo, input.uploadId);
    const storage = this.storage(ctx);
    const layerDigest = input.layerDigests[0]!;
    if (!LAYER_DIGEST_RE.test(layerDigest)) {
      throw errors.invalidParameter('layerDigests', "Member must satisfy regular expression pattern: [a-zA-Z0-9-_+.]+:[a-fA-F0-9]+");
    }
    if (upload.parts.length === 0) throw errors.emptyUpload(upload.uploadId);
    const small = upload.parts.slice(0, -1).findIndex((size) => size < MIN_PART_BYTES);
    if (small >= 0) throw errors.layerPartTooSmall(small + 1, upload.parts[small]!);
    if ((await storage.blobSize(repo.name, layerDigest)) !== undefined) {
      this.uploads.delete(upload.uploadId);
      await storage.cancelUpload(repo.name, upload.handle);
      throw errors.layerAlreadyExists(layerDigest, repo.name);
    }
    const result = await storage.completeUpload(repo.name, upload.handle, layerDigest);
    this.uploads.delete(upload.uploadId);
    if (result === 'digest-mismatch') throw errors.invalidLayer(layerDigest);
    return { registryId: this.backend.accountId, repositoryName: repo.name, uploadId: upload.uploadId, layerDigest };
  }

  /** The HMAC a download URL carries: region, repository, layer, issue time and lifetime, with the sandbox's secret. */
  private downloadSignature(q: Omit<DownloadQuery, 'signature'>): string {
    return crypto
      .createHmac('sha256', this.backend.store.state.tokenSecret)
      .update(['layer-download', q.region, q.repositoryName, q.digest, q.date, q.expires].join('\n'))
      .digest('hex');
  }

  /**
   * GetDownloadUrlForLayer: a URL on the sandbox that serves the layer to anyone holding it for
   * an hour by the sandbox clock, as ECR hands out a pre-signed S3 URL. Only layers an image of
   * the repository uses are served (an unreferenced upload is "inaccessible", as in ECR).
   */
  async getDownloadUrlForLayer(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string; layerDigest: string },
  ): Promise<{ downloadUrl: string; layerDigest: string }> {
    const repo = this.backend.repository(ctx, input.registryId, input.repositoryName);
    const storage = this.storage(ctx);
    if (!blobsInUse(repo).has(input.layerDigest)) {
      if ((await storage.blobSize(repo.name, input.layerDigest)) !== undefined) throw errors.layerInaccessible(input.layerDigest);
      throw errors.layerNotFound(input.layerDigest, repo.name, this.backend.accountId);
    }
    const query = { region: ctx.region, repositoryName: repo.name, digest: input.layerDigest, date: amzDate(Math.floor(this.backend.store.now())), expires: String(DOWNLOAD_URL_SECONDS) };
    const signature = this.downloadSignature(query);
    const search = new URLSearchParams({ 'X-Amz-Date': query.date, 'X-Amz-Expires': query.expires, 'X-Amz-Signature': signature });
    return {
      downloadUrl: `http://${this.backend.env.registryHost()}${downloadPath(ctx.region, repo.name, input.layerDigest)}?${search}`,
      layerDigest: input.layerDigest,
    };
  }

  /** Whether a download URL may be served now: its signature, its expiry by the sandbox clock, and the layer still in use. */
  checkDownload(query: DownloadQuery): DownloadRefusal | undefined {
    const expected = this.downloadSignature(query);
    const given = Buffer.from(query.signature, 'hex');
    if (given.length !== expected.length / 2 || !crypto.timingSafeEqual(given, Buffer.from(expected, 'hex'))) {
      return { status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided.' };
    }
    const issued = parseAmzDate(query.date);
    const lifetime = Number(query.expires);
    if (issued === undefined || !Number.isFinite(lifetime) || this.backend.store.now() > issued + lifetime) {
      return { status: 403, code: 'AccessDenied', message: 'Request has expired' };
    }
    const repo = this.backend.findRepository(query.region, query.repositoryName);
    if (!repo || !blobsInUse(repo).has(query.digest)) return { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' };
    return undefined;
  }
}

/** The sandbox path a layer download URL points at. */
export function downloadPath(region: string, repositoryName: string, digest: string): string {
  return `/_layers/${region}/${repositoryName}/blobs/${digest}`;
}

/** The parts of a download path, or undefined when it is not one. */
export function parseDownloadPath(pathname: string): { region: string; repositoryName: string; digest: string } | undefined {
  const m = /^\/_layers\/([a-z0-9-]+)\/(.+)\/blobs\/([a-zA-Z0-9_+.-]+:[a-fA-F0-9]+)$/.exec(pathname);
  return m ? { region: m[1]!, repositoryName: m[2]!, digest: m[3]! } : undefined;
}
