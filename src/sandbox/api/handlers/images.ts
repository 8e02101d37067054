import type { TagStatus } from '../../backend/ecr.js';
import type { OperationHandler } from '../context.js';
import { decodeNextToken, paginate, refusePaginationWith } from '../pagination.js';
import {
  imageIdentifier,
  imageIdentifierList,
  optionalEnum,
  optionalInteger,
  optionalRegistryId,
  optionalString,
  optionalStringList,
  optionalStructure,
  requiredRepositoryName,
  requiredStructure,
  type Input,
} from '../validate.js';

const TAG_STATUS = ['TAGGED', 'UNTAGGED', 'ANY'] as const satisfies readonly TagStatus[];
const IMAGE_STATUS = ['ACTIVE', 'ARCHIVED', 'ACTIVATING', 'ANY'] as const;

/** The `filter` structure of DescribeImages/ListImages. */
function parseFilter(input: Input): { tagStatus?: TagStatus; imageStatus?: string } {
  const filter = optionalStructure(input, 'filter');
  if (!filter) return {};
  return { tagStatus: optionalEnum(filter, 'tagStatus', TAG_STATUS), imageStatus: optionalEnum(filter, 'imageStatus', IMAGE_STATUS) };
}

/** DescribeImages: one imageDetail per digest, by id (no pagination then) or all, paged. */
export const DescribeImages: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  refusePaginationWith(input, 'imageIds');
  const imageIds = imageIdentifierList(input, 'imageIds', false);
  const { repo, images } = api.backend.describeImages(api, { registryId, repositoryName, imageIds, ...parseFilter(input) });
  const { page, nextToken } = imageIds ? { page: images, nextToken: undefined } : paginate(images, input);
  return { imageDetails: page.map((image) => api.backend.describeImage(repo, image)), ...(nextToken ? { nextToken } : {}) };
};

/** ListImages: one entry per (digest, tag), paged. */
export const ListImages: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const ids = api.backend.listImageIds(api, { registryId, repositoryName, ...parseFilter(input) });
  const { page, nextToken } = paginate(ids, input);
  return { imageIds: page, ...(nextToken ? { nextToken } : {}) };
};

/**
 * BatchGetImage. acceptedMediaTypes is checked for shape only: the sandbox hands back the
 * manifest as pushed and does not convert between manifest formats.
 */
export const BatchGetImage: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const imageIds = imageIdentifierList(input, 'imageIds', true)!;
  optionalStringList(input, 'acceptedMediaTypes', 1, 100);
  return api.backend.batchGetImage(api, { registryId, repositoryName, imageIds });
};

/** BatchDeleteImage: per-id failures, the whole call fails only for the repository or bad parameters. */
export const BatchDeleteImage: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const imageIds = imageIdentifierList(input, 'imageIds', true)!;
  return api.backend.batchDeleteImage(api, { registryId, repositoryName, imageIds });
};

/** StartImageScan: recorded, but the sandbox has no scanner (the answer says so). */
export const StartImageScan: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const imageId = imageIdentifier(requiredStructure(input, 'imageId'), 'imageId');
  return api.backend.startImageScan(api, { registryId, repositoryName, imageId });
};

/** DescribeImageScanFindings: never any findings in the sandbox, and it says why. */
export const DescribeImageScanFindings: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const imageId = imageIdentifier(requiredStructure(input, 'imageId'), 'imageId');
  optionalInteger(input, 'maxResults', 1, 1000);
  decodeNextToken(optionalString(input, 'nextToken'));
  return api.backend.describeImageScanFindings(api, { registryId, repositoryName, imageId });
};
