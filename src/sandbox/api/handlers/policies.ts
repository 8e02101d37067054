import type { LifecyclePreviewResult } from '../../backend/types.js';
import type { OperationHandler } from '../context.js';
import { paginate, refusePaginationWith } from '../pagination.js';
import {
  imageIdentifierList,
  optionalBoolean,
  optionalEnum,
  optionalRegistryId,
  optionalString,
  optionalStructure,
  requiredRepositoryName,
  requiredString,
} from '../validate.js';

/** SetRepositoryPolicy: policyText is 0–10240 characters in the model. */
export const SetRepositoryPolicy: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const policyText = requiredString(input, 'policyText', { max: 10240 });
  optionalBoolean(input, 'force');
  const repo = await api.backend.setRepositoryPolicy(api, { registryId, repositoryName, policyText });
  return { registryId: api.backend.accountId, repositoryName: repo.name, policyText: repo.policyText };
};

/** GetRepositoryPolicy. */
export const GetRepositoryPolicy: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const repo = api.backend.getRepositoryPolicy(api, { registryId, repositoryName });
  return { registryId: api.backend.accountId, repositoryName: repo.name, policyText: repo.policyText };
};

/** DeleteRepositoryPolicy: answers with the policy it removed. */
export const DeleteRepositoryPolicy: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const policyText = await api.backend.deleteRepositoryPolicy(api, { registryId, repositoryName });
  return { registryId: api.backend.accountId, repositoryName, policyText };
};

/** PutLifecyclePolicy: lifecyclePolicyText is 100–30720 characters in the model. */
export const PutLifecyclePolicy: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const lifecyclePolicyText = requiredString(input, 'lifecyclePolicyText', { min: 100, max: 30720 });
  const repo = await api.backend.putLifecyclePolicy(api, { registryId, repositoryName, lifecyclePolicyText });
  return { registryId: api.backend.accountId, repositoryName: repo.name, lifecyclePolicyText: repo.lifecyclePolicyText };
};

/** GetLifecyclePolicy, with lastEvaluatedAt. */
export const GetLifecyclePolicy: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const found = api.backend.getLifecyclePolicy(api, { registryId, repositoryName });
  return {
    registryId: api.backend.accountId,
    repositoryName: found.repo.name,
    lifecyclePolicyText: found.lifecyclePolicyText,
    lastEvaluatedAt: found.lastEvaluatedAt,
  };
};

/** DeleteLifecyclePolicy: answers with the policy it removed. */
export const DeleteLifecyclePolicy: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const found = await api.backend.deleteLifecyclePolicy(api, { registryId, repositoryName });
  return {
    registryId: api.backend.accountId,
    repositoryName: found.repo.name,
    lifecyclePolicyText: found.lifecyclePolicyText,
    lastEvaluatedAt: found.lastEvaluatedAt,
  };
};

/** StartLifecyclePolicyPreview: the given policy (100–30720 characters) or the saved one. */
export const StartLifecyclePolicyPreview: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const lifecyclePolicyText = optionalString(input, 'lifecyclePolicyText', { min: 100, max: 30720 });
  const { repo, preview } = await api.backend.startLifecyclePolicyPreview(api, { registryId, repositoryName, lifecyclePolicyText });
  return { registryId: api.backend.accountId, repositoryName: repo.name, lifecyclePolicyText: preview.lifecyclePolicyText, status: 'IN_PROGRESS' };
};

const PREVIEW_TAG_STATUS = ['TAGGED', 'UNTAGGED', 'ANY'] as const;

/** One previewResults entry as the model shapes it (imageTags left out for an untagged image, as DescribeImages does). */
function previewResult(result: LifecyclePreviewResult): Record<string, unknown> {
  return {
    ...(result.imageTags.length > 0 ? { imageTags: result.imageTags } : {}),
    imageDigest: result.imageDigest,
    imagePushedAt: result.imagePushedAt,
    action: { type: result.action, ...(result.action === 'TRANSITION' ? { targetStorageClass: 'ARCHIVE' } : {}) },
    appliedRulePriority: result.appliedRulePriority,
    storageClass: 'STANDARD',
  };
}

/**
 * GetLifecyclePolicyPreview: the last preview's results, filtered by tagStatus or by imageIds
 * (no pagination then), else paged by maxResults (1–100). The summary counts every result.
 */
export const GetLifecyclePolicyPreview: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  refusePaginationWith(input, 'imageIds');
  const imageIds = imageIdentifierList(input, 'imageIds', false);
  const filter = optionalStructure(input, 'filter');
  const tagStatus = filter ? optionalEnum(filter, 'tagStatus', PREVIEW_TAG_STATUS) : undefined;
  const { repo, preview } = api.backend.getLifecyclePolicyPreview(api, { registryId, repositoryName });
  let results = preview.results.filter((r) => (tagStatus === 'TAGGED' ? r.imageTags.length > 0 : tagStatus === 'UNTAGGED' ? r.imageTags.length === 0 : true));
  if (imageIds) {
    results = results.filter((r) => imageIds.some((id) => (id.imageDigest === undefined || id.imageDigest === r.imageDigest) && (id.imageTag === undefined || r.imageTags.includes(id.imageTag))));
  }
  const { page, nextToken } = imageIds ? { page: results, nextToken: undefined } : paginate(results, input, 100, 100);
  const transitioning = preview.results.filter((r) => r.action === 'TRANSITION').length;
  return {
    registryId: api.backend.accountId,
    repositoryName: repo.name,
    lifecyclePolicyText: preview.lifecyclePolicyText,
    status: 'COMPLETE',
    previewResults: page.map(previewResult),
    ...(nextToken ? { nextToken } : {}),
    summary: {
      expiringImageTotalCount: preview.results.length - transitioning,
      ...(transitioning > 0 ? { transitioningImageTotalCounts: [{ targetStorageClass: 'ARCHIVE', imageTotalCount: transitioning }] } : {}),
    },
  };
};
