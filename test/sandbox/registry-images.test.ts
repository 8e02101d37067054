import { describe, expect, it } from 'vitest';
import {
  blobsInUse,
  imageSizeInBytes,
  isDigestReference,
  manifestDigest,
  matchesWildcard,
  parseManifest,
  recordManifestPush,
  tagIsImmutable,
  tagPushRefusal,
  ManifestParseError,
  MEDIA_TYPES,
} from '../../src/sandbox/backend/images.js';
import type { RepositoryRecord, TagMutability } from '../../src/sandbox/backend/types.js';

function repository(mutability: TagMutability = 'MUTABLE', filters: string[] = []): RepositoryRecord {
  return {
    name: 'team/app',
    createdAt: 1_700_000_000,
    imageTagMutability: mutability,
    ...(filters.length ? { imageTagMutabilityExclusionFilters: filters.map((filter) => ({ filterType: 'WILDCARD' as const, filter })) } : {}),
    scanOnPush: false,
    encryption: { encryptionType: 'AES256' },
    tags: [],
    images: {},
  };
}

const hex = (c: string) => `sha256:${c.repeat(64)}`;

function schema2(layerSizes: number[], seed = 'a'): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.dockerManifest,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1234, digest: hex('c') },
    layers: layerSizes.map((size, i) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size, digest: hex(String.fromCharCode(seed.charCodeAt(0) + i)) })),
  });
}

function push(repo: RepositoryRecord, manifest: string, tag?: string, now = 1_700_000_100, contentType?: string) {
  return recordManifestPush(repo, { digest: manifestDigest(manifest), tag, manifest, parsed: parseManifest(manifest, contentType), via: 'registry' }, now);
}

describe('parseManifest and imageSizeInBytes', () => {
  it('sums the layer sizes of a Docker schema 2 manifest, without the config', () => {
    const parsed = parseManifest(schema2([100, 250, 7]), MEDIA_TYPES.dockerManifest);
    expect(parsed.mediaType).toBe(MEDIA_TYPES.dockerManifest);
    expect(parsed.artifactMediaType).toBe('application/vnd.docker.container.image.v1+json');
    expect(imageSizeInBytes(parsed, repository())).toBe(357);
  });

  it('reads an OCI manifest without a mediaType field by its Content-Type, and prefers artifactType', () => {
    const text = JSON.stringify({
      schemaVersion: 2,
      artifactType: 'application/vnd.example.sbom',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', size: 2, digest: hex('e') },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 4096, digest: hex('1') }],
    });
    const parsed = parseManifest(text, 'application/vnd.oci.image.manifest.v1+json; charset=utf-8');
    expect(parsed.mediaType).toBe(MEDIA_TYPES.ociManifest);
    expect(parsed.artifactMediaType).toBe('application/vnd.example.sbom');
    expect(imageSizeInBytes(parsed, repository())).toBe(4096);
  });

  it('sizes an index as its largest child already recorded, else 0', () => {
    const repo = repository();
    const small = push(repo, schema2([10], 'a'));
    const large = push(repo, schema2([500, 500], 'k'));
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: [
        { mediaType: MEDIA_TYPES.dockerManifest, digest: small.digest, size: 1 },
        { mediaType: MEDIA_TYPES.dockerManifest, digest: large.digest, size: 1 },
        { mediaType: MEDIA_TYPES.dockerManifest, digest: hex('9'), size: 1 },
      ],
    });
    const parsed = parseManifest(index);
    expect(parsed.mediaType).toBe(MEDIA_TYPES.ociIndex);
    expect(parsed.layers).toEqual([]);
    expect(parsed.artifactMediaType).toBeUndefined();
    expect(imageSizeInBytes(parsed, repo)).toBe(1000);
    expect(imageSizeInBytes(parsed, repository())).toBe(0);
  });

  it('reads a Docker manifest list by its Content-Type', () => {
    const list = JSON.stringify({ schemaVersion: 2, manifests: [] });
    expect(parseManifest(list, MEDIA_TYPES.dockerManifestList).mediaType).toBe(MEDIA_TYPES.dockerManifestList);
  });

  it('gives schema 1 manifests (no sizes) size 0', () => {
    const parsed = parseManifest(JSON.stringify({ schemaVersion: 1, fsLayers: [{ blobSum: hex('1') }] }));
    expect(parsed.mediaType).toBe(MEDIA_TYPES.dockerSchema1);
    expect(imageSizeInBytes(parsed, repository())).toBe(0);
  });

  it('refuses text that is not a JSON object', () => {
    expect(() => parseManifest('not json')).toThrow(ManifestParseError);
    expect(() => parseManifest('[1,2]')).toThrow(ManifestParseError);
  });

  it('digests the exact bytes, and tells digests from tags', () => {
    expect(manifestDigest('')).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(isDigestReference(hex('a'))).toBe(true);
    expect(isDigestReference('v1.2.3')).toBe(false);
  });
});

describe('recordManifestPush', () => {
  it('records a new image with its tag, push time, size and media types', () => {
    const repo = repository();
    const manifest = schema2([1, 2]);
    const image = push(repo, manifest, 'v1', 1_700_000_123.5);
    expect(repo.images[image.digest]).toEqual({
      digest: manifestDigest(manifest),
      tags: ['v1'],
      pushedAt: 1_700_000_123.5,
      sizeInBytes: 3,
      manifestMediaType: MEDIA_TYPES.dockerManifest,
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
      manifest,
      tagArrivals: { v1: { via: 'registry', at: 1_700_000_123.5 } },
    });
  });

  it('records how each tag arrived, and forgets it when the tag moves away', () => {
    const repo = repository();
    const v1 = schema2([1], 'a');
    push(repo, v1, 'v1', 100);
    const promoted = recordManifestPush(repo, { digest: manifestDigest(v1), tag: 'prod', manifest: v1, parsed: parseManifest(v1), via: 'put-image' }, 200);
    expect(promoted.tagArrivals).toEqual({ v1: { via: 'registry', at: 100 }, prod: { via: 'put-image', at: 200 } });
    // The same tag pushed again onto the same image keeps its first arrival.
    push(repo, v1, 'prod', 300);
    expect(promoted.tagArrivals?.prod).toEqual({ via: 'put-image', at: 200 });
    const other = push(repo, schema2([2], 'b'), 'prod', 400);
    expect(promoted.tagArrivals).toEqual({ v1: { via: 'registry', at: 100 } });
    expect(other.tagArrivals).toEqual({ prod: { via: 'registry', at: 400 } });
  });

  it('moves a tag to the new image; the old one stays, untagged when that was its last tag', () => {
    const repo = repository();
    const old = push(repo, schema2([1], 'a'), 'latest');
    push(repo, schema2([1], 'a'), 'v1');
    const other = push(repo, schema2([2], 'b'), 'v2');
    const next = push(repo, schema2([3], 'c'), 'latest');
    expect(repo.images[old.digest]!.tags).toEqual(['v1']);
    push(repo, schema2([4], 'd'), 'v1');
    expect(repo.images[old.digest]!.tags).toEqual([]);
    expect(Object.keys(repo.images)).toHaveLength(4);
    expect(repo.images[next.digest]!.tags).toEqual(['latest']);
    expect(repo.images[other.digest]!.tags).toEqual(['v2']);
  });

  it('adds a tag to an image already present without changing its push time or size', () => {
    const repo = repository();
    const manifest = schema2([5]);
    push(repo, manifest, 'v1', 100);
    const again = push(repo, manifest, 'stable', 200);
    expect(again).toMatchObject({ tags: ['v1', 'stable'], pushedAt: 100, sizeInBytes: 5 });
    expect(push(repo, manifest, 'v1', 300).tags).toEqual(['v1', 'stable']);
  });

  it('records a push by digest as an untagged image', () => {
    const repo = repository();
    expect(push(repo, schema2([5]), undefined).tags).toEqual([]);
  });

  it('knows which blobs the remaining images still use', () => {
    const repo = repository();
    push(repo, schema2([1, 1], 'a'), 'v1');
    expect([...blobsInUse(repo)].sort()).toEqual([hex('a'), hex('b'), hex('c')]);
    expect(blobsInUse(undefined).size).toBe(0);
  });
});

describe('tag immutability', () => {
  it('matches ECR wildcard filters against the whole tag', () => {
    expect(matchesWildcard('latest', 'latest')).toBe(true);
    expect(matchesWildcard('latest', 'latest-1')).toBe(false);
    expect(matchesWildcard('dev-*', 'dev-42')).toBe(true);
    expect(matchesWildcard('dev-*', 'dev-')).toBe(true);
    expect(matchesWildcard('dev-*', 'prod-dev-1')).toBe(false);
    expect(matchesWildcard('*-rc.*', '1.0-rc.2')).toBe(true);
    expect(matchesWildcard('v1.0', 'v1x0')).toBe(false); // '.' is a literal dot
    expect(matchesWildcard('*', 'anything')).toBe(true);
  });

  it('follows the repository setting and inverts it for excluded tags', () => {
    expect(tagIsImmutable(repository('MUTABLE'), 'v1')).toBe(false);
    expect(tagIsImmutable(repository('IMMUTABLE'), 'latest')).toBe(true);
    const immutableExceptDev = repository('IMMUTABLE_WITH_EXCLUSION', ['dev-*', 'latest']);
    expect(tagIsImmutable(immutableExceptDev, 'dev-3')).toBe(false);
    expect(tagIsImmutable(immutableExceptDev, 'latest')).toBe(false);
    expect(tagIsImmutable(immutableExceptDev, 'v1.0.0')).toBe(true);
    const mutableExceptReleases = repository('MUTABLE_WITH_EXCLUSION', ['release-*']);
    expect(tagIsImmutable(mutableExceptReleases, 'release-7')).toBe(true);
    expect(tagIsImmutable(mutableExceptReleases, 'latest')).toBe(false);
  });

  it('refuses only an existing immutable tag, even for the same image', () => {
    const repo = repository('IMMUTABLE_WITH_EXCLUSION', ['latest']);
    const manifest = schema2([1]);
    expect(tagPushRefusal(repo, 'v1')).toBeUndefined();
    push(repo, manifest, 'v1');
    push(repo, manifest, 'latest');
    expect(tagPushRefusal(repo, 'v1')).toBe('immutable-tag');
    expect(tagPushRefusal(repo, 'v2')).toBeUndefined();
    expect(tagPushRefusal(repo, 'latest')).toBeUndefined();
    expect(tagPushRefusal(repo, undefined)).toBeUndefined();
    expect(tagPushRefusal(repository('MUTABLE'), 'v1')).toBeUndefined();
  });
});
