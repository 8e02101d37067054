import crypto from 'node:crypto';
import { errors, INVALID_IMAGE_DIGEST_MESSAGE, MISSING_DIGEST_AND_TAG_MESSAGE } from '../api/errors.js';
import { userArn } from '../config.js';
import {
  findImageByTag,
  manifestDigest,
  MEDIA_TYPES,
  parseManifest,
  recordManifestPush,
  referencedBlobs,
  removeTags,
  tagPushRefusal,
  type ParsedManifest,
} from './images.js';
import { KeyedQueue } from './keyed-queue.js';
import { LayerApi } from './layers.js';
import { evaluateLifecyclePolicy } from './lifecycle.js';
import { normalizeLifecyclePolicy, parseLifecyclePolicy } from './lifecycle-policy.js';
import { normalizeRepositoryPolicy } from './repository-policy.js';
import type { RegistryStorage } from './storage.js';
import type { SandboxStore } from './store.js';
import type { Identity } from '../iam/types.js';
import type { ImageRecord, LifecyclePreview, LifecyclePreviewResult, MutabilityExclusionFilter, RegionState, RepositoryRecord, Tag, TagMutability } from './types.js';

/** Where the backend learns the registry host that repository URIs name. */
export interface BackendEnvironment {
  /** `localhost:PORT`: the host docker pushes to. */
  registryHost(): string;
}

/**
 * Which account's registry a backend holds and where its regions live in the state: the main
 * account's in `state.regions` (where they always were), another account's in
 * `state.accountRegions[id]`.
 */
export interface AccountRegistry {
  accountId(): string;
  /** The account's regions, created empty on first use. */
  regions(): Record<string, RegionState>;
}

/** The main (learner's) account's registry. */
export function mainRegistry(store: SandboxStore): AccountRegistry {
  return { accountId: () => store.state.accountId, regions: () => store.state.regions };
}

/** The registry of another account the sandbox hosts. */
export function otherRegistry(store: SandboxStore, accountId: string): AccountRegistry {
  return {
    accountId: () => accountId,
    regions: () => ((store.state.accountRegions ??= {})[accountId] ??= {}),
  };
}

/** Called when images leave the sandbox's books, so the registry can drop their content too. */
export type ImagesRemovedHook = (region: string, repositoryName: string, digests: string[]) => void;

/** The per-request context every operation gets: the region the request was signed for. */
export interface RequestContext {
  region: string;
  /** The ECR operation being served, for AccessDenied wording (`ecr:<operation>`). */
  operation?: string;
  /** Who is calling: PutImage records it as who pushed. */
  identity?: Identity;
}

/** An image identifier as the API takes and returns it. */
export interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}

/** One entry of BatchGetImage's / BatchDeleteImage's `failures`. */
export interface ImageFailure {
  imageId: ImageId;
  failureCode: string;
  failureReason: string;
}

/** DescribeImages/ListImages filter.tagStatus. */
export type TagStatus = 'TAGGED' | 'UNTAGGED' | 'ANY';

/**
 * An ECR call the sandbox refused for a repository, not yet followed by a success of the same
 * operation there: the learner's latest mistake, which a check can name precisely (a lifecycle
 * policy ECR rejected, a put-image with the wrong media type). Sandbox bookkeeping, in memory.
 */
export interface Refusal {
  operation: string;
  code: string;
  message: string;
  /** Epoch seconds, by the sandbox clock. */
  at: number;
}

/** Refusals kept per repository. */
const MAX_REFUSALS = 20;

/**
 * A registry (`/v2/`) request the sandbox saw for a repository, and who made it: a pull (a
 * manifest read) or a request IAM denied. ECR itself keeps only lastRecordedPullTime (CloudTrail
 * has the rest); the sandbox keeps these so a check can tell whose pull it was and that a read-only
 * identity's push was refused. Sandbox bookkeeping, in memory.
 */
export interface RegistryEvent {
  kind: 'pull' | 'denied';
  /** The identity the login token was issued to. */
  principalArn: string;
  /** The ECR action the request needed (`ecr:BatchGetImage`, `ecr:PutImage`, …). */
  action: string;
  /** A pull: the image pulled. */
  imageDigest?: string;
  /** A denial: AWS's words, as docker printed them after `denied: `. */
  message?: string;
  /** Epoch seconds, by the sandbox clock. */
  at: number;
}

/** Registry events kept per repository. */
const MAX_REGISTRY_EVENTS = 50;

/** What one application of a repository's lifecycle policy did. */
export interface LifecycleRun {
  region: string;
  repositoryName: string;
  /** Epoch seconds, by the sandbox clock. */
  evaluatedAt: number;
  /** The images it expired (deleted), oldest first within each rule. */
  expired: Array<LifecyclePreviewResult & { imageSizeInBytes: number }>;
  /** Images a `transition` rule selected: the sandbox has no archive storage class, so they stay. */
  transitionsSkipped: number;
}

/** What the sandbox says wherever real ECR would report a vulnerability scan. */
export const SCAN_UNAVAILABLE = {
  status: 'FINDINGS_UNAVAILABLE',
  description:
    'The ECR sandbox has no vulnerability scanner: scan on push is recorded, but no scan runs here. Run this lesson against real AWS to see findings.',
} as const;

/** BatchDeleteImage's digest check (moto copies it from real ECR); the '-' is moved last so it is literal. */
const IMAGE_DIGEST_RE = /^[a-zA-Z0-9_+.-]+:[a-fA-F0-9]+$/;
const REPOSITORY_ARN_RE = /^arn:aws[a-z-]*:ecr:([a-z0-9-]+):([0-9]{12}):repository\/(.+)$/;
/** Documented tag character set: letters, numbers, spaces and + - = . _ : / @. */
const TAG_CHARACTERS_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const MAX_TAGS = 50;
const SCAN_QUOTA_SECONDS = 24 * 60 * 60;

const FAILURE_REASONS = {
  MissingDigestAndTag: MISSING_DIGEST_AND_TAG_MESSAGE,
  InvalidImageDigest: INVALID_IMAGE_DIGEST_MESSAGE,
  ImageNotFound: 'Requested image not found',
  ImageTagDoesNotMatchDigest: 'Invalid request parameters: given tag does not map to the given digest',
} as const;

/** A request imageId resolved against a repository: an image (and the tag it named), or why not. */
type Resolved = { image: ImageRecord; tag?: string } | { failure: ImageFailure };

/** Copies only the members the caller gave (failures echo the imageId as sent). */
const echo = (id: ImageId): ImageId => ({
  ...(id.imageDigest !== undefined ? { imageDigest: id.imageDigest } : {}),
  ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}),
});

/** The child digests an image index / manifest list names (empty for a plain image). */
function referencedDigests(image: ImageRecord): string[] {
  try {
    const manifest = JSON.parse(image.manifest) as { manifests?: Array<{ digest?: unknown }> };
    if (!Array.isArray(manifest.manifests)) return [];
    return manifest.manifests.map((m) => m.digest).filter((d): d is string => typeof d === 'string');
  } catch {
    return [];
  }
}

/**
 * ECR's state and every rule, with no HTTP inside: the API handlers and the registry proxy
 * both call into it. Methods validate everything before they mutate, then mutate the store
 * and await its save before answering, so a refused call changes nothing.
 */
export class EcrBackend {
  onImagesRemoved: ImagesRemovedHook = () => {};
  /** The registry's storage and the region it serves, once its container is up (see attachStorage). */
  private attached?: { region: string; storage: RegistryStorage };
  /** Per repository: manifest pushes (docker's and PutImage's) and registry clean-up run one at a time. */
  readonly repositoryQueue = new KeyedQueue();
  /** The layer API (uploads in parts, availability, download URLs). */
  readonly layers: LayerApi = new LayerApi(this);
  private readonly refusals = new Map<string, Refusal[]>();
  private readonly registryEvents = new Map<string, RegistryEvent[]>();

  constructor(
    readonly store: SandboxStore,
    readonly env: BackendEnvironment,
    private readonly registry: AccountRegistry = mainRegistry(store),
  ) {}

  /** The account whose registry this is. */
  get accountId(): string {
    return this.registry.accountId();
  }

  /** The state of one of this registry's regions, created empty on first use. */
  private region(name: string): RegionState {
    const regions = this.registry.regions();
    return (regions[name] ??= { repositories: {} });
  }

  /** Remembers a refused call for a repository (the server reports every client error here). */
  noteRefusal(region: string, repositoryName: string, refusal: Omit<Refusal, 'at'>): void {
    appendCapped(this.refusals, repoKey(region, repositoryName), { ...refusal, at: this.store.now() }, MAX_REFUSALS);
  }

  /** Forgets the refusals of an operation once it succeeds for the repository. */
  noteSuccess(region: string, repositoryName: string, operation: string): void {
    const key = repoKey(region, repositoryName);
    const list = this.refusals.get(key)?.filter((r) => r.operation !== operation);
    if (list?.length) this.refusals.set(key, list);
    else this.refusals.delete(key);
  }

  /** Remembers a registry request for a repository (the registry proxy reports pulls and denials here). */
  noteRegistryEvent(region: string, repositoryName: string, event: Omit<RegistryEvent, 'at'>): void {
    appendCapped(this.registryEvents, repoKey(region, repositoryName), { ...event, at: this.store.now() }, MAX_REGISTRY_EVENTS);
  }

  /** The latest registry pulls and denials for a repository, oldest first. */
  registryActivity(region: string, repositoryName: string): RegistryEvent[] {
    return [...(this.registryEvents.get(repoKey(region, repositoryName)) ?? [])];
  }

  /** The refusals of a repository not yet followed by a success of the same operation, oldest first. */
  recentRefusals(region: string, repositoryName: string): Refusal[] {
    return [...(this.refusals.get(repoKey(region, repositoryName)) ?? [])];
  }

  /** The ARN of a repository in a region. */
  repositoryArn(region: string, name: string): string {
    return `arn:aws:ecr:${region}:${this.accountId}:repository/${name}`;
  }

  /** `localhost:PORT/<name>`: what docker tags and pushes. */
  repositoryUri(name: string): string {
    return `${this.env.registryHost()}/${name}`;
  }

  /** The repository, or undefined: no error, for callers that decide what missing means. */
  findRepository(region: string, name: string): RepositoryRecord | undefined {
    return this.registry.regions()[region]?.repositories[name];
  }

  /** The repository, or RepositoryNotFoundException. */
  requireRepository(region: string, name: string): RepositoryRecord {
    const repo = this.findRepository(region, name);
    if (!repo) throw errors.repositoryNotFound(name, this.accountId);
    return repo;
  }

  /** The API's view of a repository record. */
  describeRepository(region: string, repo: RepositoryRecord): Record<string, unknown> {
    return {
      repositoryArn: this.repositoryArn(region, repo.name),
      registryId: this.accountId,
      repositoryName: repo.name,
      repositoryUri: this.repositoryUri(repo.name),
      createdAt: repo.createdAt,
      imageTagMutability: repo.imageTagMutability,
      ...(repo.imageTagMutabilityExclusionFilters?.length
        ? { imageTagMutabilityExclusionFilters: repo.imageTagMutabilityExclusionFilters }
        : {}),
      imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
      encryptionConfiguration: repo.encryption,
    };
  }

  /** Repositories of a region in creation order (the order pagination walks). */
  listRepositories(region: string): RepositoryRecord[] {
    const repos = Object.values(this.registry.regions()[region]?.repositories ?? {});
    return repos.sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : 1));
  }

  /** A repository's images oldest push first (the order DescribeImages/ListImages walk). */
  listImages(repo: RepositoryRecord): ImageRecord[] {
    return Object.values(repo.images).sort((a, b) => a.pushedAt - b.pushedAt || (a.digest < b.digest ? -1 : 1));
  }

  // ---------------------------------------------------------------- registry and repositories

  /**
   * A registryId other than the sandbox's account is another AWS account's registry: the
   * learner's user has no resource-based policy there, so ECR answers AccessDenied (the usual
   * result of a wrong account id in a script).
   */
  private checkRegistry(ctx: RequestContext, registryId: string | undefined, resource: string): void {
    if (registryId === undefined || registryId === this.accountId) return;
    const action = `ecr:${ctx.operation ?? '*'}`;
    const user = userArn(this.accountId, this.store.state.credentials.userName);
    throw errors.accessDenied(
      `User: ${user} is not authorized to perform: ${action} on resource: arn:aws:ecr:${ctx.region}:${registryId}:repository/${resource} because no resource-based policy allows the ${action} action`,
    );
  }

  /** The named repository of the caller's registry, after the registryId check. */
  repository(ctx: RequestContext, registryId: string | undefined, name: string): RepositoryRecord {
    this.checkRegistry(ctx, registryId, name);
    return this.requireRepository(ctx.region, name);
  }

  /** CreateRepository: every input is checked before anything is written (atomic with its tags). */
  async createRepository(
    ctx: RequestContext,
    input: {
      repositoryName: string;
      registryId?: string;
      imageTagMutability?: TagMutability;
      imageTagMutabilityExclusionFilters?: MutabilityExclusionFilter[];
      scanOnPush?: boolean;
      tags?: Tag[];
      encryption?: RepositoryRecord['encryption'];
    },
  ): Promise<RepositoryRecord> {
    this.checkRegistry(ctx, input.registryId, input.repositoryName);
    const tags = input.tags ?? [];
    this.checkTags(tags);
    if (tags.length > MAX_TAGS) throw errors.tooManyTags();
    const imageTagMutability = input.imageTagMutability ?? 'MUTABLE';
    this.checkMutability(imageTagMutability, input.imageTagMutabilityExclusionFilters);
    const encryption = this.encryption(ctx.region, input.encryption);
    const region = this.region(ctx.region);
    if (region.repositories[input.repositoryName]) {
      throw errors.repositoryAlreadyExists(input.repositoryName, this.accountId);
    }
    const repo: RepositoryRecord = {
      name: input.repositoryName,
      createdAt: this.store.now(),
      imageTagMutability,
      ...(input.imageTagMutabilityExclusionFilters
        ? { imageTagMutabilityExclusionFilters: input.imageTagMutabilityExclusionFilters }
        : {}),
      scanOnPush: input.scanOnPush ?? false,
      encryption,
      tags: tags.map((t) => ({ Key: t.Key, Value: t.Value })),
      images: {},
    };
    region.repositories[repo.name] = repo;
    await this.store.save();
    return repo;
  }

  /** KMS without a key uses the AWS managed key for ECR; a key with AES256 is refused. */
  private encryption(region: string, requested: RepositoryRecord['encryption'] | undefined): RepositoryRecord['encryption'] {
    if (!requested || requested.encryptionType === 'AES256') {
      if (requested?.kmsKey !== undefined) throw errors.kmsKeyWithoutKms();
      return { encryptionType: 'AES256' };
    }
    return {
      encryptionType: requested.encryptionType,
      kmsKey: requested.kmsKey ?? `arn:aws:kms:${region}:${this.accountId}:key/${crypto.randomUUID()}`,
    };
  }

  /** Exclusion filters go with, and only with, the *_WITH_EXCLUSION settings. */
  private checkMutability(mutability: TagMutability, filters: MutabilityExclusionFilter[] | undefined): void {
    const withExclusion = mutability === 'IMMUTABLE_WITH_EXCLUSION' || mutability === 'MUTABLE_WITH_EXCLUSION';
    if (withExclusion && !filters?.length) throw errors.exclusionFiltersRequired(mutability);
    if (!withExclusion && filters !== undefined) throw errors.exclusionFiltersNotAllowed(mutability);
  }

  /** DescribeRepositories: the named ones (any missing fails the call) or all of the region. */
  describeRepositories(ctx: RequestContext, input: { registryId?: string; repositoryNames?: string[] }): RepositoryRecord[] {
    this.checkRegistry(ctx, input.registryId, '*');
    if (!input.repositoryNames) return this.listRepositories(ctx.region);
    return [...new Set(input.repositoryNames)].map((name) => this.requireRepository(ctx.region, name));
  }

  /** DeleteRepository: refuses a repository with images unless forced; forced, the images go too. */
  async deleteRepository(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string; force?: boolean },
  ): Promise<RepositoryRecord> {
    const repo = this.repository(ctx, input.registryId, input.repositoryName);
    const digests = Object.keys(repo.images);
    if (digests.length > 0 && !input.force) throw errors.repositoryNotEmpty(repo.name, this.accountId);
    delete this.region(ctx.region).repositories[repo.name];
    await this.store.save();
    this.notifyImagesRemoved(ctx.region, repo.name, digests);
    return repo;
  }

  /** PutImageTagMutability: MUTABLE/IMMUTABLE clear the exclusion filters. */
  async putImageTagMutability(
    ctx: RequestContext,
    input: {
      registryId?: string;
      repositoryName: string;
      imageTagMutability: TagMutability;
      imageTagMutabilityExclusionFilters?: MutabilityExclusionFilter[];
    },
  ): Promise<RepositoryRecord> {
    const repo = this.repository(ctx, input.registryId, input.repositoryName);
    this.checkMutability(input.imageTagMutability, input.imageTagMutabilityExclusionFilters);
    repo.imageTagMutability = input.imageTagMutability;
    if (input.imageTagMutabilityExclusionFilters) repo.imageTagMutabilityExclusionFilters = input.imageTagMutabilityExclusionFilters;
    else delete repo.imageTagMutabilityExclusionFilters;
    await this.store.save();
    return repo;
  }

  /** PutImageScanningConfiguration: scanOnPush defaults to false when omitted. */
  async putImageScanningConfiguration(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string; scanOnPush?: boolean },
  ): Promise<RepositoryRecord> {
    const repo = this.repository(ctx, input.registryId, input.repositoryName);
    repo.scanOnPush = input.scanOnPush ?? false;
    await this.store.save();
    return repo;
  }

  // ---------------------------------------------------------------- images

  /** The API's ImageDetail for one image: one per digest, imageTags left out when untagged. */
  describeImage(repo: RepositoryRecord, image: ImageRecord): Record<string, unknown> {
    const scanned = repo.scanOnPush || image.scanRequestedAt !== undefined;
    return {
      registryId: this.accountId,
      repositoryName: repo.name,
      imageDigest: image.digest,
      // Real ECR omits imageTags for an untagged image rather than sending [].
      ...(image.tags.length > 0 ? { imageTags: [...image.tags] } : {}),
      imageSizeInBytes: image.sizeInBytes,
      imagePushedAt: image.pushedAt,
      ...(scanned ? { imageScanStatus: { ...SCAN_UNAVAILABLE } } : {}),
      imageManifestMediaType: image.manifestMediaType,
      ...(image.artifactMediaType ? { artifactMediaType: image.artifactMediaType } : {}),
      ...(image.lastPulledAt !== undefined ? { lastRecordedPullTime: image.lastPulledAt } : {}),
    };
  }

  /**
   * DescribeImages: the listed images (any missing fails the call with ImageNotFoundException)
   * or all of them, filtered by tag status; one ImageRecord per digest.
   */
  describeImages(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string; imageIds?: ImageId[]; tagStatus?: TagStatus; imageStatus?: string },
  ): { repo: RepositoryRecord; images: ImageRecord[] } {
    const repo = this.repository(ctx, input.registryId, input.repositoryName);
    let images: ImageRecord[];
    if (input.imageIds) {
      const found = new Map<string, ImageRecord>();
      for (const id of input.imageIds) {
        const image = this.requireImage(repo, id);
        found.set(image.digest, image);
      }
      images = [...found.values()];
    } else {
      images = this.listImages(repo);
    }
    // The sandbox never archives images, so only ACTIVE (or ANY) images exist.
    if (input.imageStatus === 'ARCHIVED' || input.imageStatus === 'ACTIVATING') images = [];
    return { repo, images: images.filter((image) => this.matchesTagStatus(image.tags.length > 0, input.tagStatus)) };
  }

  /** ListImages: one entry per (digest, tag); an untagged image once, with its digest only. */
  listImageIds(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string; tagStatus?: TagStatus; imageStatus?: string },
  ): ImageId[] {
    const repo = this.repository(ctx, input.registryId, input.repositoryName);
    if (input.imageStatus === 'ARCHIVED' || input.imageStatus === 'ACTIVATING') return [];
    const ids: ImageId[] = [];
    for (const image of this.listImages(repo)) {
      if (image.tags.length === 0) {
        if (this.matchesTagStatus(false, input.tagStatus)) ids.push({ imageDigest: image.digest });
      } else if (this.matchesTagStatus(true, input.tagStatus)) {
        for (const tag of image.tags) ids.push({ imageDigest: image.digest, imageTag: tag });
      }
    }
    return ids;
  }

  private matchesTagStatus(tagged: boolean, tagStatus: TagStatus | undefined): boolean {
    return tagStatus === 'TAGGED' ? tagged : tagStatus === 'UNTAGGED' ? !tagged : true;
  }

  /** Resolves an imageId where a miss fails the whole call (DescribeImages, scans). */
  private requireImage(repo: RepositoryRecord, id: ImageId): ImageRecord {
    const resolved = this.resolveImageId(repo, id);
    if ('image' in resolved) return resolved.image;
    switch (resolved.failure.failureCode) {
      case 'MissingDigestAndTag':
        throw errors.missingDigestAndTag();
      case 'InvalidImageDigest':
        throw errors.invalidImageDigest();
      default:
        // A tag on another digest is not a mismatch here: that image is simply not found.
        throw errors.imageNotFound(id, repo.name, this.accountId);
    }
  }

  /** Resolves an imageId where a miss is a per-id failure (BatchGetImage, BatchDeleteImage). */
  private resolveImageId(repo: RepositoryRecord, id: ImageId): Resolved {
    const failure = (failureCode: keyof typeof FAILURE_REASONS): Resolved => ({
      failure: { imageId: echo(id), failureCode, failureReason: FAILURE_REASONS[failureCode] },
    });
    if (id.imageDigest === undefined && id.imageTag === undefined) return failure('MissingDigestAndTag');
    if (id.imageDigest !== undefined && !IMAGE_DIGEST_RE.test(id.imageDigest)) return failure('InvalidImageDigest');
    if (id.imageTag !== undefined) {
      const image = findImageByTag(repo, id.imageTag);
      if (!image) return failure('ImageNotFound');
      // An existing tag on another digest is a mismatch; a missing tag is simply not found.
      if (id.imageDigest !== undefined && image.digest !== id.imageDigest) return failure('ImageTagDoesNotMatchDigest');
      return { image, tag: id.imageTag };
    }
    const image = repo.images[id.imageDigest!];
    return image ? { image } : failure('ImageNotFound');
  }

  /**
   * The (digest, tag) pairs an imageId resolved to (its tag, or every pair of a bare digest)
   * that `seen` has not had yet; they are added to it. An image asked for twice counts once.
   */
  private unseenPairs({ image, tag }: { image: ImageRecord; tag?: string }, seen: Set<string>): ImageId[] {
    const pairs = tag !== undefined ? [{ imageDigest: image.digest, imageTag: tag }] : this.pairs(image);
    return pairs.filter((pair) => {
      const key = `${pair.imageDigest}\n${pair.imageTag ?? ''}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /** Every (digest, tag) pair of an image, or the digest alone when it is untagged. */
  private pairs(image: ImageRecord): ImageId[] {
    return image.tags.length > 0
      ? image.tags.map((tag) => ({ imageDigest: image.digest, imageTag: tag }))
      : [{ imageDigest: image.digest }];
  }

  /**
   * BatchGetImage: a tag names one (digest, tag) image; a bare digest returns one entry per
   * tag it carries (as localstack's ECR tests record), the digest alone when untagged.
   */
  batchGetImage(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string; imageIds: ImageId[] },
  ): { images: Record<string, unknown>[]; failures: ImageFailure[] } {
    const repo = this.repository(ctx, input.registryId, input.repositoryName);
    const images: Record<string, unknown>[] = [];
    const failures: ImageFailure[] = [];
    const seen = new Set<string>();
    for (const id of input.imageIds) {
      const resolved = this.resolveImageId(repo, id);
      if ('failure' in resolved) {
        failures.push(resolved.failure);
        continue;
      }
      const { image } = resolved;
      for (const imageId of this.unseenPairs(resolved, seen)) {
        images.push({
          registryId: this.accountId,
          repositoryName: repo.name,
          imageId,
          imageManifest: image.manifest,
          imageManifestMediaType: image.manifestMediaType,
        });
      }
    }
    return { images, failures };
  }

  /**
   * BatchDeleteImage. Every id is resolved against the repository as it was when the call
   * arrived (so a digest and one of its tags in one call delete once, as real ECR does), then:
   * a tag removes that tag, and the image when it was the last; a digest removes the image and
   * all its tags. An image still listed by a surviving manifest list stays, with a failure.
   */
  async batchDeleteImage(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string; imageIds: ImageId[] },
  ): Promise<{ imageIds: ImageId[]; failures: ImageFailure[] }> {
    const repo = this.repository(ctx, input.registryId, input.repositoryName);
    const failures: ImageFailure[] = [];
    const resolved: Array<{ id: ImageId; image: ImageRecord; tag?: string }> = [];
    const plan = new Map<string, { image: ImageRecord; whole: boolean; tags: Set<string> }>();
    for (const id of input.imageIds) {
      const r = this.resolveImageId(repo, id);
      if ('failure' in r) {
        failures.push(r.failure);
        continue;
      }
      resolved.push({ id, ...r });
      const entry = plan.get(r.image.digest) ?? { image: r.image, whole: false, tags: new Set<string>() };
      if (r.tag === undefined) entry.whole = true;
      else entry.tags.add(r.tag);
      plan.set(r.image.digest, entry);
    }

    const doomed = new Set(
      [...plan.values()].filter((e) => e.whole || e.image.tags.every((t) => e.tags.has(t))).map((e) => e.image.digest),
    );
    const blocked = new Map<string, string[]>();
    for (const other of Object.values(repo.images)) {
      if (doomed.has(other.digest)) continue;
      for (const child of referencedDigests(other)) {
        if (doomed.has(child)) blocked.set(child, [...(blocked.get(child) ?? []), other.digest]);
      }
    }

    const imageIds: ImageId[] = [];
    const seen = new Set<string>();
    for (const { id, image, tag } of resolved) {
      const parents = blocked.get(image.digest);
      if (parents) {
        failures.push({
          imageId: echo(id),
          failureCode: 'ImageReferencedByManifestList',
          failureReason: `Requested image referenced by manifest list: [${parents.join(', ')}]`,
        });
        continue;
      }
      imageIds.push(...this.unseenPairs({ image, tag }, seen));
    }

    const removed: string[] = [];
    for (const { image, tags } of plan.values()) {
      if (blocked.has(image.digest)) continue;
      if (doomed.has(image.digest)) removed.push(image.digest);
      else removeTags(image, tags);
    }
    this.dropImages(repo, removed);
    if (imageIds.length > 0) await this.store.save();
    this.notifyImagesRemoved(ctx.region, repo.name, removed);
    return { imageIds, failures };
  }

  /**
   * Takes images found in the registry's storage back into the books after the state file was
   * lost: the repository is created with ECR's defaults when the books lack it, and each image
   * the books lack is recorded untagged (tags lived only in the lost state), pushed at the time
   * its storage says. Image manifests go first, so an index finds its children for its size.
   * Returns how many repositories and images were added.
   */
  async adoptImages(
    region: string,
    repositoryName: string,
    images: Array<{ digest: string; manifest: string; parsed: ParsedManifest; pushedAt: number }>,
  ): Promise<{ repositoryAdded: boolean; imagesAdded: number }> {
    const repositories = this.store.region(region).repositories;
    const repositoryAdded = !repositories[repositoryName];
    const repo = (repositories[repositoryName] ??= {
      name: repositoryName,
      createdAt: Math.min(this.store.now(), ...images.map((image) => image.pushedAt)),
      imageTagMutability: 'MUTABLE',
      scanOnPush: false,
      encryption: { encryptionType: 'AES256' },
      tags: [],
      images: {},
    });
    let imagesAdded = 0;
    const indexesLast = [...images].sort((a, b) => Number(a.parsed.children.length > 0) - Number(b.parsed.children.length > 0));
    for (const image of indexesLast) {
      if (repo.images[image.digest]) continue;
      recordManifestPush(repo, { digest: image.digest, manifest: image.manifest, parsed: image.parsed, via: 'registry' }, image.pushedAt);
      imagesAdded++;
    }
    if (repositoryAdded || imagesAdded > 0) await this.store.save();
    return { repositoryAdded, imagesAdded };
  }

  /**
   * Takes images off the books (BatchDeleteImage and lifecycle expiry both come through here);
   * the caller saves, then tells the registry with notifyImagesRemoved so their storage goes too.
   */
  private dropImages(repo: RepositoryRecord, digests: string[]): void {
    for (const digest of digests) delete repo.images[digest];
  }

  /** Connects (or, with undefined, disconnects) the registry's storage for the region it serves. */
  attachStorage(region: string, storage: RegistryStorage | undefined): void {
    this.attached = storage ? { region, storage } : undefined;
  }

  /** The registry's storage for a request's region, or why there is none. */
  requireStorage(region: string): RegistryStorage {
    if (!this.attached) throw errors.registryNotRunning();
    if (region !== this.attached.region) throw errors.registryOtherRegion(region, this.attached.region);
    return this.attached.storage;
  }

  /**
   * PutImage: the rules of a docker push through `/v2/` (immutable tags, tags that move, size and
   * media types: images.ts), for a manifest sent through the API. A manifest the repository
   * already holds only gains the tag (retagging: no bytes travel); a new one must name layers the
   * repository holds, and goes into the registry's storage under its digest, so docker pulls it.
   */
  async putImage(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string; imageManifest: string; imageManifestMediaType?: string; imageTag?: string; imageDigest?: string },
  ): Promise<Record<string, unknown>> {
    const repo = this.repository(ctx, input.registryId, input.repositoryName);
    let declared: unknown;
    try {
      declared = (JSON.parse(input.imageManifest) as { mediaType?: unknown }).mediaType;
    } catch {
      throw errors.manifestInvalidJson();
    }
    // ECR reads an unlabelled manifest as Docker's and finds it malformed (the media type mix-up).
    if (declared === undefined && input.imageManifestMediaType === undefined) throw errors.manifestInvalidJson();
    if (typeof declared === 'string' && input.imageManifestMediaType !== undefined && declared !== input.imageManifestMediaType) {
      throw errors.manifestMediaTypeMismatch(input.imageManifestMediaType, declared);
    }
    const mediaType = input.imageManifestMediaType ?? String(declared);
    if (!(Object.values(MEDIA_TYPES) as string[]).includes(mediaType)) throw errors.manifestMediaTypeUnsupported(mediaType);
    const parsed = parseManifest(input.imageManifest, mediaType);
    const bytes = Buffer.from(input.imageManifest, 'utf8');
    const digest = manifestDigest(bytes);
    if (input.imageDigest !== undefined && input.imageDigest !== digest) throw errors.imageDigestDoesNotMatch(input.imageDigest, digest);
    const tag = input.imageTag;

    return this.repositoryQueue.run(repo.name, async () => {
      const current = this.repository(ctx, input.registryId, input.repositoryName);
      // ECR refuses an existing immutable tag even for the very same image.
      if (tagPushRefusal(current, tag)) throw errors.imageTagAlreadyExists(tag!, current.name);
      const existing = current.images[digest];
      if (existing && (tag === undefined || existing.tags.includes(tag))) throw errors.imageAlreadyExists(digest, tag, current.name, this.accountId);
      if (!existing) await this.storeManifest(ctx, current, digest, mediaType, parsed, bytes);
      const stored = this.findRepository(ctx.region, current.name);
      if (!stored) throw errors.repositoryNotFound(current.name, this.accountId);
      const record = recordManifestPush(stored, { digest, tag, manifest: input.imageManifest, parsed, via: 'put-image', by: ctx.identity?.arn }, this.store.now());
      await this.store.save();
      return {
        registryId: this.accountId,
        repositoryName: stored.name,
        imageId: { imageDigest: record.digest, ...(tag !== undefined ? { imageTag: tag } : {}) },
        imageManifest: record.manifest,
        imageManifestMediaType: record.manifestMediaType,
      };
    });
  }

  /** Puts a new manifest into the registry, after checking what it refers to is in the repository. */
  private async storeManifest(
    ctx: RequestContext,
    repo: RepositoryRecord,
    digest: string,
    mediaType: string,
    parsed: ReturnType<typeof parseManifest>,
    bytes: Buffer,
  ): Promise<void> {
    const storage = this.requireStorage(ctx.region);
    const children = parsed.children.map((c) => c.digest).filter((d) => !repo.images[d]);
    if (children.length > 0) throw errors.referencedImagesNotFound(children);
    const blobs = referencedBlobs(parsed);
    const sizes = await Promise.all(blobs.map((blob) => storage.blobSize(repo.name, blob)));
    const missing = blobs.filter((_, i) => sizes[i] === undefined);
    if (missing.length > 0) throw errors.layersNotFound(missing, repo.name, this.accountId);
    if ((await storage.putManifest(repo.name, digest, mediaType, bytes)) === 'blob-unknown') throw errors.layersNotFound(blobs, repo.name, this.accountId);
  }

  /** Tells the registry side which manifests left the books; its failure never fails the API call. */
  private notifyImagesRemoved(region: string, repositoryName: string, digests: string[]): void {
    if (digests.length === 0) return;
    const report = (error: unknown) =>
      console.error(`[sandbox] could not remove registry content of ${repositoryName}: ${(error as Error)?.message ?? error}`);
    try {
      const result: unknown = this.onImagesRemoved(region, repositoryName, digests);
      if (result instanceof Promise) result.catch(report);
    } catch (error) {
      report(error);
    }
  }

  // ---------------------------------------------------------------- scanning

  /** The image an imageId names, for StartImageScan / DescribeImageScanFindings. */
  private scanTarget(ctx: RequestContext, input: { registryId?: string; repositoryName: string; imageId: ImageId }) {
    const repo = this.repository(ctx, input.registryId, input.repositoryName);
    const image = this.requireImage(repo, input.imageId);
    const imageId: ImageId = { imageDigest: image.digest, ...(input.imageId.imageTag ? { imageTag: input.imageId.imageTag } : {}) };
    return { repo, image, imageId };
  }

  /**
   * StartImageScan: ECR allows one scan per image per 24 hours, scan on push included. The
   * sandbox records the request and says plainly that no scanner runs.
   */
  async startImageScan(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string; imageId: ImageId },
  ): Promise<Record<string, unknown>> {
    const { repo, image, imageId } = this.scanTarget(ctx, input);
    const now = this.store.now();
    const lastScan = Math.max(image.scanRequestedAt ?? -Infinity, repo.scanOnPush ? image.pushedAt : -Infinity);
    if (now - lastScan < SCAN_QUOTA_SECONDS) throw errors.scanQuotaExceeded();
    image.scanRequestedAt = now;
    await this.store.save();
    return { registryId: this.accountId, repositoryName: repo.name, imageId, imageScanStatus: { ...SCAN_UNAVAILABLE } };
  }

  /** DescribeImageScanFindings: ScanNotFound before any scan; afterwards, no findings, honestly. */
  describeImageScanFindings(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string; imageId: ImageId },
  ): Record<string, unknown> {
    const { repo, image, imageId } = this.scanTarget(ctx, input);
    if (!repo.scanOnPush && image.scanRequestedAt === undefined) {
      throw errors.scanNotFound(input.imageId, repo.name, this.accountId);
    }
    return { registryId: this.accountId, repositoryName: repo.name, imageId, imageScanStatus: { ...SCAN_UNAVAILABLE } };
  }

  // ---------------------------------------------------------------- tags

  /**
   * Tag rules (user guide, ecr-using-tags): key 1–128 and value 0–256 characters of the
   * documented set, `aws:` reserved, keys unique within one request.
   */
  private checkTags(tags: Tag[]): void {
    const keys = new Set<string>();
    for (const { Key, Value } of tags) {
      this.checkTagKey(Key);
      if (Value.length > 256) {
        throw errors.invalidTagParameter(`Invalid tag value for key '${Key}': tag values can have a maximum length of 256 characters.`);
      }
      if (!TAG_CHARACTERS_RE.test(Value)) {
        throw errors.invalidTagParameter(
          `Invalid tag value for key '${Key}': tag values can contain only letters, numbers, spaces and the characters + - = . _ : / @.`,
        );
      }
      if (keys.has(Key)) throw errors.invalidTagParameter(`Invalid tag key '${Key}': the key appears more than once; tag keys must be unique.`);
      keys.add(Key);
    }
  }

  private checkTagKey(key: string): void {
    if (key.length === 0) throw errors.invalidTagParameter('Invalid tag key: tag keys must be at least 1 character long.');
    if (key.length > 128) {
      throw errors.invalidTagParameter(`Invalid tag key '${key}': tag keys can have a maximum character length of 128 characters.`);
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw errors.invalidTagParameter(`Invalid tag key '${key}': the 'aws:' prefix is reserved for use by AWS.`);
    }
    if (!TAG_CHARACTERS_RE.test(key)) {
      throw errors.invalidTagParameter(
        `Invalid tag key '${key}': tag keys can contain only letters, numbers, spaces and the characters + - = . _ : / @.`,
      );
    }
  }

  /**
   * The repository a resource ARN names. Only repository ARNs can be tagged; another account's
   * ARN is AccessDenied, another region's is not found here (the repository is not in this
   * region's registry).
   */
  private repositoryByArn(ctx: RequestContext, arn: string): RepositoryRecord {
    const match = REPOSITORY_ARN_RE.exec(arn);
    if (!match) throw errors.invalidArn();
    const [, region, account, name] = match as unknown as [string, string, string, string];
    this.checkRegistry(ctx, account, name);
    if (region !== ctx.region) throw errors.repositoryNotFound(name, this.accountId);
    return this.requireRepository(ctx.region, name);
  }

  /** TagResource: adds tags, overwriting the value of keys the repository already has. */
  async tagResource(ctx: RequestContext, input: { resourceArn: string; tags: Tag[] }): Promise<void> {
    const repo = this.repositoryByArn(ctx, input.resourceArn);
    this.checkTags(input.tags);
    const merged = new Map(repo.tags.map((t) => [t.Key, t.Value]));
    for (const t of input.tags) merged.set(t.Key, t.Value);
    if (merged.size > MAX_TAGS) throw errors.tooManyTags();
    repo.tags = [...merged].map(([Key, Value]) => ({ Key, Value }));
    await this.store.save();
  }

  /** UntagResource: removes the keys; keys the repository does not have are ignored. */
  async untagResource(ctx: RequestContext, input: { resourceArn: string; tagKeys: string[] }): Promise<void> {
    const repo = this.repositoryByArn(ctx, input.resourceArn);
    for (const key of input.tagKeys) this.checkTagKey(key);
    const remove = new Set(input.tagKeys);
    repo.tags = repo.tags.filter((t) => !remove.has(t.Key));
    await this.store.save();
  }

  /** ListTagsForResource. */
  listTagsForResource(ctx: RequestContext, input: { resourceArn: string }): Tag[] {
    return this.repositoryByArn(ctx, input.resourceArn).tags.map((t) => ({ ...t }));
  }

  // ---------------------------------------------------------------- policies

  /** SetRepositoryPolicy: stored (and echoed) the way ECR reformats it. `force` has no lock-out check to skip here. */
  async setRepositoryPolicy(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string; policyText: string },
  ): Promise<RepositoryRecord> {
    const repo = this.repository(ctx, input.registryId, input.repositoryName);
    repo.policyText = normalizeRepositoryPolicy(input.policyText);
    await this.store.save();
    return repo;
  }

  /** GetRepositoryPolicy. */
  getRepositoryPolicy(ctx: RequestContext, input: { registryId?: string; repositoryName: string }): RepositoryRecord & { policyText: string } {
    const repo = this.repository(ctx, input.registryId, input.repositoryName);
    if (repo.policyText === undefined) throw errors.repositoryPolicyNotFound(repo.name, this.accountId);
    return repo as RepositoryRecord & { policyText: string };
  }

  /** DeleteRepositoryPolicy: returns the policy it removed. */
  async deleteRepositoryPolicy(ctx: RequestContext, input: { registryId?: string; repositoryName: string }): Promise<string> {
    const repo = this.getRepositoryPolicy(ctx, input);
    const policyText = repo.policyText;
    delete (repo as RepositoryRecord).policyText;
    await this.store.save();
    return policyText;
  }

  /** PutLifecyclePolicy: validated and stored as compact JSON; the scheduler applies it (see applyLifecyclePolicies). */
  async putLifecyclePolicy(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string; lifecyclePolicyText: string },
  ): Promise<RepositoryRecord> {
    const repo = this.repository(ctx, input.registryId, input.repositoryName);
    repo.lifecyclePolicyText = normalizeLifecyclePolicy(input.lifecyclePolicyText);
    repo.lifecyclePolicyUpdatedAt = this.store.now();
    await this.store.save();
    return repo;
  }

  /**
   * GetLifecyclePolicy. lastEvaluatedAt is when the scheduler last applied the policy (every
   * minute while the sandbox runs), or when it was put if it has not run since.
   */
  getLifecyclePolicy(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string },
  ): { repo: RepositoryRecord; lifecyclePolicyText: string; lastEvaluatedAt: number } {
    const repo = this.repository(ctx, input.registryId, input.repositoryName);
    if (repo.lifecyclePolicyText === undefined) throw errors.lifecyclePolicyNotFound(repo.name, this.accountId);
    const lastEvaluatedAt = repo.lifecyclePolicyEvaluatedAt ?? repo.lifecyclePolicyUpdatedAt ?? repo.createdAt;
    return { repo, lifecyclePolicyText: repo.lifecyclePolicyText, lastEvaluatedAt };
  }

  /** DeleteLifecyclePolicy: returns the policy it removed. */
  async deleteLifecyclePolicy(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string },
  ): Promise<{ repo: RepositoryRecord; lifecyclePolicyText: string; lastEvaluatedAt: number }> {
    const found = this.getLifecyclePolicy(ctx, input);
    delete found.repo.lifecyclePolicyText;
    delete found.repo.lifecyclePolicyUpdatedAt;
    delete found.repo.lifecyclePolicyEvaluatedAt;
    await this.store.save();
    return found;
  }

  // ---------------------------------------------------------------- lifecycle evaluation

  /** What a policy text would do to a repository's images now, as preview results. */
  private lifecycleResults(repo: RepositoryRecord, lifecyclePolicyText: string, now: number): LifecyclePreviewResult[] {
    const { verdicts } = evaluateLifecyclePolicy(parseLifecyclePolicy(lifecyclePolicyText), this.listImages(repo), now);
    return verdicts.map(({ image, rule, action }) => ({
      imageDigest: image.digest,
      imageTags: [...image.tags],
      imagePushedAt: image.pushedAt,
      action,
      appliedRulePriority: rule.rulePriority,
    }));
  }

  /**
   * StartLifecyclePolicyPreview: evaluates the given policy (validated as PutLifecyclePolicy
   * validates it), or the saved one, against the repository's images now, and keeps the result
   * for GetLifecyclePolicyPreview. Nothing is deleted. ECR answers IN_PROGRESS and finishes later;
   * the sandbox has finished by the time it answers, so the next Get says COMPLETE.
   */
  async startLifecyclePolicyPreview(
    ctx: RequestContext,
    input: { registryId?: string; repositoryName: string; lifecyclePolicyText?: string },
  ): Promise<{ repo: RepositoryRecord; preview: LifecyclePreview }> {
    const repo = this.repository(ctx, input.registryId, input.repositoryName);
    const lifecyclePolicyText = input.lifecyclePolicyText ?? repo.lifecyclePolicyText;
    if (lifecyclePolicyText === undefined) throw errors.lifecyclePolicyNotFound(repo.name, this.accountId);
    const now = this.store.now();
    const preview: LifecyclePreview = { lifecyclePolicyText, startedAt: now, results: this.lifecycleResults(repo, lifecyclePolicyText, now) };
    repo.lifecyclePreview = preview;
    await this.store.save();
    return { repo, preview };
  }

  /** GetLifecyclePolicyPreview: the last preview started for the repository. */
  getLifecyclePolicyPreview(ctx: RequestContext, input: { registryId?: string; repositoryName: string }): { repo: RepositoryRecord; preview: LifecyclePreview } {
    const repo = this.repository(ctx, input.registryId, input.repositoryName);
    if (!repo.lifecyclePreview) throw errors.lifecyclePolicyPreviewNotFound(repo.name, this.accountId);
    return { repo, preview: repo.lifecyclePreview };
  }

  /**
   * Applies the lifecycle policy of every repository that has one (or of the one named) at the
   * sandbox's now: ECR does this within 24 hours of a change, the sandbox every minute and on
   * `ecr-workbook sandbox lifecycle run`. Expired images leave the books as BatchDeleteImage's
   * do, and the registry then drops their manifests and unused layers. An image a surviving
   * manifest list names stays, as BatchDeleteImage keeps it.
   */
  async applyLifecyclePolicies(filter: { region?: string; repositoryName?: string } = {}): Promise<LifecycleRun[]> {
    const now = this.store.now();
    const runs: LifecycleRun[] = [];
    for (const [region, state] of Object.entries(this.store.state.regions)) {
      if (filter.region !== undefined && region !== filter.region) continue;
      for (const repo of Object.values(state.repositories)) {
        if (filter.repositoryName !== undefined && repo.name !== filter.repositoryName) continue;
        if (repo.lifecyclePolicyText === undefined) continue;
        const results = this.lifecycleResults(repo, repo.lifecyclePolicyText, now);
        const expiring = new Set(results.filter((r) => r.action === 'EXPIRE').map((r) => r.imageDigest));
        for (const other of Object.values(repo.images)) {
          if (!expiring.has(other.digest)) for (const child of referencedDigests(other)) expiring.delete(child);
        }
        const expired = results
          .filter((r) => expiring.has(r.imageDigest))
          .map((r) => ({ ...r, imageSizeInBytes: repo.images[r.imageDigest]?.sizeInBytes ?? 0 }));
        this.dropImages(repo, [...expiring]);
        repo.lifecyclePolicyEvaluatedAt = now;
        runs.push({ region, repositoryName: repo.name, evaluatedAt: now, expired, transitionsSkipped: results.filter((r) => r.action === 'TRANSITION').length });
      }
    }
    if (runs.length === 0) return runs;
    await this.store.save();
    for (const run of runs) this.notifyImagesRemoved(run.region, run.repositoryName, run.expired.map((e) => e.imageDigest));
    return runs;
  }
}

/** The key of a repository's recent refusals and registry events: its region and its name. */
function repoKey(region: string, repositoryName: string): string {
  return `${region}\n${repositoryName}`;
}

/** Appends `item` to the list under `key`, keeping only the last `max`. */
function appendCapped<T>(lists: Map<string, T[]>, key: string, item: T, max: number): void {
  lists.set(key, [...(lists.get(key) ?? []), item].slice(-max));
}
