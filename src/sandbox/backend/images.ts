import crypto from 'node:crypto';
import type { ImageRecord, RepositoryRecord, TagArrival } from './types.js';

/**
 * ECR's rules for a manifest pushed into a repository: its digest and size, the media types
 * DescribeImages reports, where a tag points after the push, and which tags are immutable.
 * Pure functions over RepositoryRecord; no HTTP here (the registry proxy calls them).
 */

/** The manifest media types registries (and ECR) accept. */
export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociIndex]);
const KNOWN_TYPES: ReadonlySet<string> = new Set(Object.values(MEDIA_TYPES));

/** Every manifest type the sandbox stores, for an Accept header that takes any of them. */
export const ANY_MANIFEST_ACCEPT = Object.values(MEDIA_TYPES).join(', ');

export interface Descriptor {
  digest: string;
  size: number;
  mediaType?: string;
}

/** What the push rules need to know about a manifest. */
export interface ParsedManifest {
  mediaType: string;
  /** ECR's artifactMediaType: the manifest's artifactType, else its config's media type. */
  artifactMediaType?: string;
  config?: Descriptor;
  /** Layers of an image manifest; empty for an index. */
  layers: Descriptor[];
  /** Child manifests of an index (manifest list); empty for an image manifest. */
  children: Descriptor[];
  /** The manifest this one refers to (OCI 1.1 `subject`: a signature's or SBOM's image). */
  subject?: Descriptor;
  /** The manifest's own annotations, which the referrers API lists with it. */
  annotations?: Record<string, string>;
}

/** The pushed bytes are not a JSON object, so not a manifest at all. */
export class ManifestParseError extends Error {}

/** The manifest's digest as registries compute it: sha256 of the exact bytes pushed. */
export function manifestDigest(bytes: Uint8Array | string): string {
  return `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;
}

/** Whether a manifest reference is a digest (`algo:hex`) rather than a tag; tags cannot contain ':'. */
export function isDigestReference(reference: string): boolean {
  return reference.includes(':');
}

function descriptors(value: unknown): Descriptor[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    if (!item || typeof item !== 'object') return [];
    const d = item as Record<string, unknown>;
    if (typeof d.digest !== 'string') return [];
    return [
      {
        digest: d.digest,
        size: typeof d.size === 'number' && Number.isFinite(d.size) && d.size >= 0 ? d.size : 0,
        ...(typeof d.mediaType === 'string' ? { mediaType: d.mediaType } : {}),
      },
    ];
  });
}

/**
 * Reads a manifest. The media type is the request's Content-Type when it names a manifest type
 * (that is what the registry goes by), else the manifest's own mediaType, else inferred from
 * its shape. Throws ManifestParseError when the text is not a JSON object.
 */
export function parseManifest(text: string, contentType?: string): ParsedManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ManifestParseError((error as Error).message);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ManifestParseError('a manifest is a JSON object');
  const m = value as Record<string, unknown>;
  const headerType = contentType?.split(';')[0]?.trim().toLowerCase();
  let mediaType: string;
  if (headerType && KNOWN_TYPES.has(headerType)) mediaType = headerType;
  else if (typeof m.mediaType === 'string') mediaType = m.mediaType;
  else if (Array.isArray(m.manifests)) mediaType = MEDIA_TYPES.ociIndex;
  else if (Array.isArray(m.fsLayers)) mediaType = MEDIA_TYPES.dockerSchema1;
  else mediaType = MEDIA_TYPES.ociManifest;

  const isIndex = INDEX_TYPES.has(mediaType);
  const config = isIndex ? undefined : descriptors([m.config])[0];
  const artifactMediaType = typeof m.artifactType === 'string' ? m.artifactType : config?.mediaType;
  const subject = descriptors([m.subject])[0];
  const annotations = stringMap(m.annotations);
  return {
    mediaType,
    ...(artifactMediaType ? { artifactMediaType } : {}),
    ...(config ? { config } : {}),
    layers: isIndex ? [] : descriptors(m.layers),
    children: isIndex ? descriptors(m.manifests) : [],
    ...(subject ? { subject } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

/** An object of string values (annotations), or undefined. */
function stringMap(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** One entry of a referrers answer (an OCI image index's descriptor). */
export interface ReferrerDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/**
 * The OCI 1.1 referrers of `digest` in a repository: its images whose manifest names it as
 * `subject`, from the sandbox's books (the registry behind it knows no referrers), optionally
 * only those of one artifactType. Oldest push first, as DescribeImages lists them.
 */
export function referrersOf(repo: RepositoryRecord, digest: string, artifactType?: string): ReferrerDescriptor[] {
  const found: Array<{ image: ImageRecord; descriptor: ReferrerDescriptor }> = [];
  for (const image of Object.values(repo.images)) {
    let parsed: ParsedManifest;
    try {
      parsed = parseManifest(image.manifest, image.manifestMediaType);
    } catch {
      continue;
    }
    if (parsed.subject?.digest !== digest) continue;
    if (artifactType !== undefined && parsed.artifactMediaType !== artifactType) continue;
    found.push({
      image,
      descriptor: {
        mediaType: image.manifestMediaType,
        digest: image.digest,
        size: Buffer.byteLength(image.manifest),
        ...(parsed.artifactMediaType ? { artifactType: parsed.artifactMediaType } : {}),
        ...(parsed.annotations ? { annotations: parsed.annotations } : {}),
      },
    });
  }
  return found.sort((a, b) => a.image.pushedAt - b.image.pushedAt || (a.image.digest < b.image.digest ? -1 : 1)).map((f) => f.descriptor);
}

/**
 * ECR's imageSizeInBytes: the sum of the (compressed) layer sizes, without the config. For an
 * index it is the largest child image already in the repository, else 0 (ECR documents "the
 * largest child" for a manifest list). Schema 1 manifests carry no sizes, hence 0.
 */
export function imageSizeInBytes(manifest: ParsedManifest, repo: RepositoryRecord): number {
  if (manifest.children.length > 0 || INDEX_TYPES.has(manifest.mediaType)) {
    return manifest.children.reduce((largest, child) => Math.max(largest, repo.images[child.digest]?.sizeInBytes ?? 0), 0);
  }
  return manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
}

/** Whether an ECR wildcard filter (`*` = any run of characters, nothing else special) matches the whole tag. */
export function matchesWildcard(filter: string, tag: string): boolean {
  const pattern = filter
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(tag);
}

/**
 * Whether pushing to this tag may not move it. The `*_WITH_EXCLUSION` settings invert the
 * repository's default for tags that match any of its exclusion filters.
 */
export function tagIsImmutable(repo: RepositoryRecord, tag: string): boolean {
  const excluded = () => (repo.imageTagMutabilityExclusionFilters ?? []).some((f) => matchesWildcard(f.filter, tag));
  switch (repo.imageTagMutability) {
    case 'MUTABLE':
      return false;
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !excluded();
    case 'MUTABLE_WITH_EXCLUSION':
      return excluded();
  }
}

/** The image that carries `tag` in this repository, if any. */
export function findImageByTag(repo: RepositoryRecord, tag: string): ImageRecord | undefined {
  return Object.values(repo.images).find((image) => image.tags.includes(tag));
}

/**
 * Why a manifest push to `tag` must be refused, or undefined when it may go ahead. ECR refuses
 * an existing immutable tag even when the pushed digest is the very same image
 * (aws/containers-roadmap#2179): re-running a CI push of an unchanged image fails too.
 */
export function tagPushRefusal(repo: RepositoryRecord, tag: string | undefined): 'immutable-tag' | undefined {
  if (tag === undefined || !tagIsImmutable(repo, tag)) return undefined;
  return findImageByTag(repo, tag) ? 'immutable-tag' : undefined;
}

export interface ManifestPush {
  digest: string;
  /** The tag pushed to; undefined for a push by digest (an untagged image, e.g. a multi-arch child). */
  tag?: string;
  /** The manifest text exactly as pushed. */
  manifest: string;
  parsed: ParsedManifest;
  /** Through the registry (`docker push`) or the PutImage API: recorded per tag. */
  via: TagArrival['via'];
  /** Who pushed (a user or assumed-role session ARN): recorded on the image and per tag. */
  by?: string;
}

/**
 * Records a manifest push the registry accepted (call tagPushRefusal first). The tag moves off
 * any other image, which stays in the repository, untagged if that was its last tag, as in ECR.
 * Pushing a digest the repository already holds only adds the tag: its imagePushedAt and size
 * keep their first values.
 */
export function recordManifestPush(repo: RepositoryRecord, push: ManifestPush, now: number): ImageRecord {
  if (push.tag !== undefined) {
    for (const image of Object.values(repo.images)) {
      if (image.digest !== push.digest && image.tags.includes(push.tag)) removeTags(image, new Set([push.tag]));
    }
  }
  const record: ImageRecord = repo.images[push.digest] ?? {
    digest: push.digest,
    tags: [],
    pushedAt: now,
    sizeInBytes: imageSizeInBytes(push.parsed, repo),
    manifestMediaType: push.parsed.mediaType,
    ...(push.parsed.artifactMediaType ? { artifactMediaType: push.parsed.artifactMediaType } : {}),
    manifest: push.manifest,
    ...(push.by ? { pushedBy: push.by } : {}),
  };
  repo.images[push.digest] = record;
  if (push.tag !== undefined) {
    if (!record.tags.includes(push.tag)) record.tags.push(push.tag);
    // A tag pushed again onto the image it already names keeps how it first arrived.
    if (!record.tagArrivals?.[push.tag]) {
      record.tagArrivals = { ...record.tagArrivals, [push.tag]: { via: push.via, at: now, ...(push.by ? { by: push.by } : {}) } };
    }
  }
  return record;
}

/** Takes tags off an image, with the record of how they arrived. */
export function removeTags(image: ImageRecord, tags: ReadonlySet<string>): void {
  image.tags = image.tags.filter((t) => !tags.has(t));
  for (const tag of tags) if (image.tagArrivals) delete image.tagArrivals[tag];
}

/** The blobs (config and layers) an image's manifest refers to; none for an index. */
export function referencedBlobs(manifest: ParsedManifest): string[] {
  return [...(manifest.config ? [manifest.config.digest] : []), ...manifest.layers.map((layer) => layer.digest)];
}

/** The blobs any image still in the repository refers to, so removal keeps shared layers. */
export function blobsInUse(repo: RepositoryRecord | undefined): Set<string> {
  const inUse = new Set<string>();
  for (const image of Object.values(repo?.images ?? {})) {
    try {
      for (const digest of referencedBlobs(parseManifest(image.manifest, image.manifestMediaType))) inUse.add(digest);
    } catch {
      /* a record without a readable manifest holds nothing we could free */
    }
  }
  return inUse;
}
