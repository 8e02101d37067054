import type { OperationHandler } from './context.js';
import { GetAuthorizationToken } from './handlers/auth.js';
import {
  BatchDeleteImage,
  BatchGetImage,
  DescribeImages,
  DescribeImageScanFindings,
  ListImages,
  StartImageScan,
} from './handlers/images.js';
import {
  DeleteLifecyclePolicy,
  DeleteRepositoryPolicy,
  GetLifecyclePolicy,
  GetLifecyclePolicyPreview,
  GetRepositoryPolicy,
  PutLifecyclePolicy,
  SetRepositoryPolicy,
  StartLifecyclePolicyPreview,
} from './handlers/policies.js';
import {
  CreateRepository,
  DeleteRepository,
  DescribeRepositories,
  PutImageScanningConfiguration,
  PutImageTagMutability,
} from './handlers/repositories.js';
import {
  BatchCheckLayerAvailability,
  CompleteLayerUpload,
  GetDownloadUrlForLayer,
  InitiateLayerUpload,
  PutImage,
  UploadLayerPart,
} from './handlers/layers.js';
import { ListTagsForResource, TagResource, UntagResource } from './handlers/tags.js';

export type { ApiContext, OperationHandler } from './context.js';

/** The operations the sandbox implements, by X-Amz-Target operation name. */
export const operations: Record<string, OperationHandler> = {
  // Repositories
  CreateRepository,
  DescribeRepositories,
  DeleteRepository,
  PutImageTagMutability,
  PutImageScanningConfiguration,
  // Registry login
  GetAuthorizationToken,
  // Images
  DescribeImages,
  ListImages,
  BatchGetImage,
  BatchDeleteImage,
  StartImageScan,
  DescribeImageScanFindings,
  // Pushing through the API (the same storage as docker's /v2/)
  PutImage,
  BatchCheckLayerAvailability,
  InitiateLayerUpload,
  UploadLayerPart,
  CompleteLayerUpload,
  GetDownloadUrlForLayer,
  // Tags
  TagResource,
  UntagResource,
  ListTagsForResource,
  // Policies
  SetRepositoryPolicy,
  GetRepositoryPolicy,
  DeleteRepositoryPolicy,
  PutLifecyclePolicy,
  GetLifecyclePolicy,
  DeleteLifecyclePolicy,
  StartLifecyclePolicyPreview,
  GetLifecyclePolicyPreview,
};

/** Every operation real ECR has (botocore's model); those missing above answer "not implemented". */
export const ECR_OPERATIONS = new Set(
  'BatchCheckLayerAvailability BatchDeleteImage BatchGetImage BatchGetRepositoryScanningConfiguration CompleteLayerUpload CreatePullThroughCacheRule CreateRepository CreateRepositoryCreationTemplate DeleteLifecyclePolicy DeletePullThroughCacheRule DeleteRegistryPolicy DeleteRepository DeleteRepositoryCreationTemplate DeleteRepositoryPolicy DeleteSigningConfiguration DeregisterPullTimeUpdateExclusion DescribeImageReplicationStatus DescribeImageScanFindings DescribeImageSigningStatus DescribeImages DescribePullThroughCacheRules DescribeRegistry DescribeRepositories DescribeRepositoryCreationTemplates GetAccountSetting GetAuthorizationToken GetDownloadUrlForLayer GetLifecyclePolicy GetLifecyclePolicyPreview GetRegistryPolicy GetRegistryScanningConfiguration GetRepositoryPolicy GetSigningConfiguration InitiateLayerUpload ListImageReferrers ListImages ListPullTimeUpdateExclusions ListTagsForResource PutAccountSetting PutImage PutImageScanningConfiguration PutImageTagMutability PutLifecyclePolicy PutRegistryPolicy PutRegistryScanningConfiguration PutReplicationConfiguration PutSigningConfiguration RegisterPullTimeUpdateExclusion SetRepositoryPolicy StartImageScan StartLifecyclePolicyPreview TagResource UntagResource UpdateImageStorageClass UpdatePullThroughCacheRule UpdateRepositoryCreationTemplate UploadLayerPart ValidatePullThroughCacheRule'.split(
    ' ',
  ),
);
