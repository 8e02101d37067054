import { issueToken } from '../auth/token.js';
import type { EcrBackend } from '../backend/ecr.js';
import { errors } from './errors.js';
import {
  optionalArray,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalRegistryId,
  optionalString,
  requiredRepositoryName,
  checkRepositoryName,
  type Input,
} from './validate.js';

/** What every operation handler gets besides its input. */
export interface ApiContext {
  backend: EcrBackend;
  /** The region the request was signed for. */
  region: string;
  accessKeyId: string;
  tokenTtlSeconds: number;
  /** `http://localhost:PORT`: GetAuthorizationToken's proxyEndpoint. */
  proxyEndpoint: string;
}

/** A thin handler: validate and shape parameters, call the backend, shape the output. No rules here. */
export type OperationHandler = (api: ApiContext, input: Input) => Promise<unknown>;

const MUTABILITY = ['IMMUTABLE', 'MUTABLE', 'MUTABLE_WITH_EXCLUSION', 'IMMUTABLE_WITH_EXCLUSION'] as const;

/** Encodes a pagination position as an opaque token. */
export function encodeNextToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64');
}

/** Decodes a nextToken; anything the sandbox did not issue is InvalidParameterException. */
export function decodeNextToken(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const value = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { o?: unknown };
    if (typeof value.o === 'number' && Number.isInteger(value.o) && value.o >= 0) return value.o;
  } catch {
    /* fall through */
  }
  throw errors.invalidParameterMessage('Invalid parameter at \'nextToken\' failed to satisfy constraint: \'The pagination token is not valid.\'');
}

/** One page of items: up to maxResults (default 100) from the token's offset, and the next token. */
export function paginate<T>(items: T[], input: Input, defaultMax = 100, maxAllowed = 1000): { page: T[]; nextToken?: string } {
  const maxResults = optionalInteger(input, 'maxResults', 1, maxAllowed) ?? defaultMax;
  const offset = decodeNextToken(optionalString(input, 'nextToken'));
  const page = items.slice(offset, offset + maxResults);
  const next = offset + maxResults;
  return next < items.length ? { page, nextToken: encodeNextToken(next) } : { page };
}

const CreateRepository: OperationHandler = async (api, input) => {
  optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const imageTagMutability = optionalEnum(input, 'imageTagMutability', MUTABILITY);
  const scanning = input.imageScanningConfiguration as Input | undefined;
  const scanOnPush = scanning ? optionalBoolean(scanning, 'scanOnPush') : undefined;
  const repo = await api.backend.createRepository(
    { region: api.region },
    { repositoryName, imageTagMutability, scanOnPush },
  );
  return { repository: api.backend.describeRepository(api.region, repo) };
};

const DescribeRepositories: OperationHandler = async (api, input) => {
  optionalRegistryId(input);
  const names = optionalArray(input, 'repositoryNames', 1, 100);
  if (names) {
    if (input.nextToken !== undefined || input.maxResults !== undefined) {
      throw errors.invalidParameterMessage('Cannot specify nextToken or maxResults when repositoryNames is specified.');
    }
    const repositories = names.map((n) => {
      const name = checkRepositoryName(String(n), 'repositoryNames');
      return api.backend.describeRepository(api.region, api.backend.requireRepository(api.region, name));
    });
    return { repositories };
  }
  const { page, nextToken } = paginate(api.backend.listRepositories(api.region), input);
  return { repositories: page.map((r) => api.backend.describeRepository(api.region, r)), ...(nextToken ? { nextToken } : {}) };
};

const GetAuthorizationToken: OperationHandler = async (api, input) => {
  optionalArray(input, 'registryIds', 1, 10);
  const state = api.backend.store.state;
  const token = issueToken(
    state.tokenSecret,
    { region: api.region, accessKeyId: api.accessKeyId, accountId: state.accountId },
    api.tokenTtlSeconds,
  );
  return {
    authorizationData: [
      { authorizationToken: token.authorizationToken, expiresAt: token.expiresAt, proxyEndpoint: api.proxyEndpoint },
    ],
  };
};

/** The operations the sandbox implements, by X-Amz-Target operation name. */
export const operations: Record<string, OperationHandler> = {
  CreateRepository,
  DescribeRepositories,
  GetAuthorizationToken,
};

/** Every operation real ECR has (botocore's model); those missing above answer "not implemented". */
export const ECR_OPERATIONS = new Set(
  'BatchCheckLayerAvailability BatchDeleteImage BatchGetImage BatchGetRepositoryScanningConfiguration CompleteLayerUpload CreatePullThroughCacheRule CreateRepository CreateRepositoryCreationTemplate DeleteLifecyclePolicy DeletePullThroughCacheRule DeleteRegistryPolicy DeleteRepository DeleteRepositoryCreationTemplate DeleteRepositoryPolicy DeleteSigningConfiguration DeregisterPullTimeUpdateExclusion DescribeImageReplicationStatus DescribeImageScanFindings DescribeImageSigningStatus DescribeImages DescribePullThroughCacheRules DescribeRegistry DescribeRepositories DescribeRepositoryCreationTemplates GetAccountSetting GetAuthorizationToken GetDownloadUrlForLayer GetLifecyclePolicy GetLifecyclePolicyPreview GetRegistryPolicy GetRegistryScanningConfiguration GetRepositoryPolicy GetSigningConfiguration InitiateLayerUpload ListImageReferrers ListImages ListPullTimeUpdateExclusions ListTagsForResource PutAccountSetting PutImage PutImageScanningConfiguration PutImageTagMutability PutLifecyclePolicy PutRegistryPolicy PutRegistryScanningConfiguration PutReplicationConfiguration PutSigningConfiguration RegisterPullTimeUpdateExclusion SetRepositoryPolicy StartImageScan StartLifecyclePolicyPreview TagResource UntagResource UpdateImageStorageClass UpdatePullThroughCacheRule UpdateRepositoryCreationTemplate UploadLayerPart ValidatePullThroughCacheRule'.split(
    ' ',
  ),
);
