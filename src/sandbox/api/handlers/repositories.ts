import type { MutabilityExclusionFilter, RepositoryRecord, Tag, TagMutability } from '../../backend/types.js';
import type { OperationHandler } from '../context.js';
import { errors } from '../errors.js';
import { paginate, refusePaginationWith } from '../pagination.js';
import {
  checkRepositoryNameInList,
  optionalArray,
  optionalBoolean,
  optionalEnum,
  optionalRegistryId,
  optionalString,
  optionalStructure,
  requiredEnum,
  requiredRepositoryName,
  requiredString,
  requiredStructure,
  type Input,
} from '../validate.js';

// ECR's order, as its enum message lists the values (ecr-facts §2); botocore's model order differs.
const MUTABILITY = ['IMMUTABLE', 'MUTABLE', 'MUTABLE_WITH_EXCLUSION', 'IMMUTABLE_WITH_EXCLUSION'] as const satisfies readonly TagMutability[];
const ENCRYPTION_TYPES = ['AES256', 'KMS', 'KMS_DSSE'] as const;
const EXCLUSION_FILTER_PATTERN = '^[0-9a-zA-Z._*-]{1,128}$';
const EXCLUSION_FILTER_RE = new RegExp(EXCLUSION_FILTER_PATTERN);

const asStructure = (value: unknown, member: string): Input => requiredStructure({ [member]: value }, member);

/** A `tags` list of {Key, Value}; both members are required by the model (an empty Value is fine). */
export function parseTags(input: Input, member = 'tags'): Tag[] | undefined {
  return optionalArray(input, member, 0, Number.MAX_SAFE_INTEGER)?.map((item) => parseTag(item, member));
}

/** One {Key, Value} element of a tags list. */
export function parseTag(item: unknown, member = 'tags'): Tag {
  const tag = asStructure(item, member);
  return { Key: requiredString(tag, 'Key'), Value: requiredString(tag, 'Value') };
}

/** imageTagMutabilityExclusionFilters: 1–5 × {filterType: WILDCARD, filter: ^[0-9a-zA-Z._*-]{1,128}$}. */
function parseExclusionFilters(input: Input): MutabilityExclusionFilter[] | undefined {
  const member = 'imageTagMutabilityExclusionFilters';
  return optionalArray(input, member, 1, 5)?.map((item) => {
    const filter = asStructure(item, member);
    const filterType = requiredEnum(filter, 'filterType', ['WILDCARD'] as const);
    const value = requiredString(filter, 'filter', { min: 1, max: 128 });
    if (!EXCLUSION_FILTER_RE.test(value)) {
      throw errors.invalidParameter('filter', `Member must satisfy regular expression pattern: ${EXCLUSION_FILTER_PATTERN}`);
    }
    return { filterType, filter: value };
  });
}

/** The scanning configuration's scanOnPush flag, when the structure is given. */
function parseScanOnPush(input: Input, required: boolean): boolean | undefined {
  const config = required ? requiredStructure(input, 'imageScanningConfiguration') : optionalStructure(input, 'imageScanningConfiguration');
  return config ? optionalBoolean(config, 'scanOnPush') : undefined;
}

function parseEncryption(input: Input): RepositoryRecord['encryption'] | undefined {
  const config = optionalStructure(input, 'encryptionConfiguration');
  if (!config) return undefined;
  const encryptionType = requiredEnum(config, 'encryptionType', ENCRYPTION_TYPES);
  const kmsKey = optionalString(config, 'kmsKey', { min: 1, max: 2048 });
  return { encryptionType, ...(kmsKey !== undefined ? { kmsKey } : {}) };
}

/** CreateRepository. */
export const CreateRepository: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const repo = await api.backend.createRepository(api, {
    repositoryName,
    registryId,
    tags: parseTags(input),
    imageTagMutability: optionalEnum(input, 'imageTagMutability', MUTABILITY),
    imageTagMutabilityExclusionFilters: parseExclusionFilters(input),
    scanOnPush: parseScanOnPush(input, false),
    encryption: parseEncryption(input),
  });
  return { repository: api.backend.describeRepository(api.region, repo) };
};

/** DescribeRepositories: by name (no pagination then) or every repository of the region, paged. */
export const DescribeRepositories: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  refusePaginationWith(input, 'repositoryNames');
  const repositoryNames = optionalArray(input, 'repositoryNames', 1, 100)?.map((name) =>
    checkRepositoryNameInList(requiredString({ repositoryNames: name }, 'repositoryNames'), 'repositoryNames'),
  );
  const repos = api.backend.describeRepositories(api, { registryId, repositoryNames });
  const { page, nextToken } = repositoryNames ? { page: repos, nextToken: undefined } : paginate(repos, input);
  return { repositories: page.map((r) => api.backend.describeRepository(api.region, r)), ...(nextToken ? { nextToken } : {}) };
};

/** DeleteRepository (force deletes the images too). */
export const DeleteRepository: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const force = optionalBoolean(input, 'force');
  const repo = await api.backend.deleteRepository(api, { registryId, repositoryName, force });
  return { repository: api.backend.describeRepository(api.region, repo) };
};

/** PutImageTagMutability. */
export const PutImageTagMutability: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const repo = await api.backend.putImageTagMutability(api, {
    registryId,
    repositoryName,
    imageTagMutability: requiredEnum(input, 'imageTagMutability', MUTABILITY),
    imageTagMutabilityExclusionFilters: parseExclusionFilters(input),
  });
  return {
    registryId: api.backend.accountId,
    repositoryName: repo.name,
    imageTagMutability: repo.imageTagMutability,
    ...(repo.imageTagMutabilityExclusionFilters ? { imageTagMutabilityExclusionFilters: repo.imageTagMutabilityExclusionFilters } : {}),
  };
};

/** PutImageScanningConfiguration. */
export const PutImageScanningConfiguration: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const scanOnPush = parseScanOnPush(input, true);
  const repo = await api.backend.putImageScanningConfiguration(api, { registryId, repositoryName, scanOnPush });
  return { registryId: api.backend.accountId, repositoryName: repo.name, imageScanningConfiguration: { scanOnPush: repo.scanOnPush } };
};
