/** The sandbox's persisted state: plain JSON, versioned, one file. */

import type { EcsState } from '../ecs/types.js';
import type { IamState } from '../iam/types.js';

export type TagMutability = 'MUTABLE' | 'IMMUTABLE' | 'MUTABLE_WITH_EXCLUSION' | 'IMMUTABLE_WITH_EXCLUSION';

export interface Tag {
  Key: string;
  Value: string;
}

export interface MutabilityExclusionFilter {
  filterType: 'WILDCARD';
  filter: string;
}

/** How a tag came to point at an image: a docker push through `/v2/`, or the PutImage API. */
export interface TagArrival {
  via: 'registry' | 'put-image';
  /** Epoch seconds (the sandbox clock). */
  at: number;
  /** The principal that pushed or put it (its user or assumed-role session ARN). Absent for records made before it. */
  by?: string;
}

export interface ImageRecord {
  /** sha256 of the manifest bytes, `sha256:<hex>`. */
  digest: string;
  /** Tags in the order they were pushed; empty for an untagged image. */
  tags: string[];
  /** Epoch seconds (fractional). */
  pushedAt: number;
  /**
   * The principal whose push first stored this image, by docker push or PutImage (its user or
   * assumed-role session ARN; sandbox bookkeeping, as CloudTrail would show it on AWS).
   * Absent for records made before it.
   */
  pushedBy?: string;
  /** Compressed size: the sum of the layer sizes in the manifest (ECR's imageSizeInBytes). */
  sizeInBytes: number;
  manifestMediaType: string;
  artifactMediaType?: string;
  /** The manifest exactly as pushed, so BatchGetImage can answer without the registry. */
  manifest: string;
  lastPulledAt?: number;
  /** Epoch seconds of the last StartImageScan (the sandbox records the request; no scanner runs). */
  scanRequestedAt?: number;
  /**
   * How each tag arrived, by tag (sandbox bookkeeping, not an ECR field): lesson 13's check tells
   * a promotion with PutImage from a re-push with docker. Absent for records made before it.
   */
  tagArrivals?: Record<string, TagArrival>;
}

/** One image a lifecycle policy preview says will be acted on (GetLifecyclePolicyPreview's previewResults). */
export interface LifecyclePreviewResult {
  imageDigest: string;
  imageTags: string[];
  imagePushedAt: number;
  action: 'EXPIRE' | 'TRANSITION';
  appliedRulePriority: number;
}

/** The last lifecycle policy preview of a repository: evaluated when it was started. */
export interface LifecyclePreview {
  lifecyclePolicyText: string;
  startedAt: number;
  results: LifecyclePreviewResult[];
}

export interface RepositoryRecord {
  name: string;
  createdAt: number;
  imageTagMutability: TagMutability;
  imageTagMutabilityExclusionFilters?: MutabilityExclusionFilter[];
  scanOnPush: boolean;
  encryption: { encryptionType: 'AES256' | 'KMS' | 'KMS_DSSE'; kmsKey?: string };
  tags: Tag[];
  policyText?: string;
  lifecyclePolicyText?: string;
  /** Epoch seconds the lifecycle policy was last put. */
  lifecyclePolicyUpdatedAt?: number;
  /** Epoch seconds the policy was last applied (GetLifecyclePolicy's lastEvaluatedAt). */
  lifecyclePolicyEvaluatedAt?: number;
  lifecyclePreview?: LifecyclePreview;
  /** Images by digest. */
  images: Record<string, ImageRecord>;
}

export interface RegionState {
  repositories: Record<string, RepositoryRecord>;
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  userName: string;
}

export interface SandboxState {
  version: 1;
  accountId: string;
  credentials: IssuedCredentials;
  /** HMAC key that signs the registry passwords GetAuthorizationToken hands out. */
  tokenSecret: string;
  regions: Record<string, RegionState>;
  /**
   * Images were deleted from the registry since its storage was last garbage-collected: their
   * layers' bytes are still on disk until the next collection (at the next clean stop or start).
   */
  registryGcPending?: boolean;
  /** Seconds the sandbox's clock is ahead of real time (`sandbox clock advance`); see backend/clock.ts. */
  clockOffsetSeconds?: number;
  /** IAM (users, roles, policies) of every account the sandbox hosts, and STS sessions; seeded at start. */
  iam?: IamState;
  /**
   * The ECR registries of the accounts besides `accountId` (the second account), by account id
   * then region. The main account's stay in `regions`, as they always were.
   */
  accountRegions?: Record<string, Record<string, RegionState>>;
  /** ECS (clusters, task definitions, tasks) of every account, by account then region. */
  ecs?: EcsState;
}

export function isSandboxState(value: unknown): value is SandboxState {
  if (!value || typeof value !== 'object') return false;
  const v = value as Partial<SandboxState>;
  return (
    v.version === 1 &&
    typeof v.accountId === 'string' &&
    typeof v.tokenSecret === 'string' &&
    !!v.credentials &&
    typeof v.credentials.accessKeyId === 'string' &&
    typeof v.credentials.secretAccessKey === 'string' &&
    !!v.regions &&
    typeof v.regions === 'object'
  );
}
