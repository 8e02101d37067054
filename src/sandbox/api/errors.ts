/**
 * ECR control-plane errors, one factory per AWS error shape, with ECR's exact codes and
 * wording. Serialized in one place (api/protocol.ts) as `{"__type","message"}`.
 *
 * Where a message was captured from real ECR (moto, localstack snapshots, issue reports,
 * docs/shared/ecr-facts.md) it is copied verbatim; the few marked "sandbox wording" have no
 * public capture, so they follow ECR's style and say what to fix.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** An image id as ECR prints it in messages: `{imageDigest:'null', imageTag:'v9'}`. */
function imageIdText(imageId: { imageDigest?: string; imageTag?: string }): string {
  return `{imageDigest:'${imageId.imageDigest ?? 'null'}', imageTag:'${imageId.imageTag ?? 'null'}'}`;
}

/** `Invalid parameter at '<member>' failed to satisfy constraint: '<rule>'`: ECR's one shape for bad input. */
const invalidParameter = (member: string, rule: string) =>
  new AwsError('InvalidParameterException', `Invalid parameter at '${member}' failed to satisfy constraint: '${rule}'`);

/** ECR's words for an imageId with neither digest nor tag (a whole-call error, or a per-id failure). */
export const MISSING_DIGEST_AND_TAG_MESSAGE = 'Invalid request parameters: both tag and digest cannot be null';
/** ECR's words for a digest that is not `<algorithm>:<hex>` (a whole-call error, or a per-id failure). */
export const INVALID_IMAGE_DIGEST_MESSAGE = "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'";

export const errors = {
  repositoryNotFound: (name: string, registryId: string) =>
    new AwsError(
      'RepositoryNotFoundException',
      `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
    ),
  repositoryAlreadyExists: (name: string, registryId: string) =>
    new AwsError(
      'RepositoryAlreadyExistsException',
      `The repository with name '${name}' already exists in the registry with id '${registryId}'`,
    ),
  repositoryNotEmpty: (name: string, registryId: string) =>
    new AwsError(
      'RepositoryNotEmptyException',
      `The repository with name '${name}' in registry with id '${registryId}' cannot be deleted because it still contains images`,
    ),
  imageNotFound: (imageId: { imageDigest?: string; imageTag?: string }, name: string, registryId: string) =>
    new AwsError(
      'ImageNotFoundException',
      `The image with imageId ${imageIdText(imageId)} does not exist within the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  repositoryPolicyNotFound: (name: string, registryId: string) =>
    new AwsError(
      'RepositoryPolicyNotFoundException',
      `Repository policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  lifecyclePolicyNotFound: (name: string, registryId: string) =>
    new AwsError(
      'LifecyclePolicyNotFoundException',
      `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  scanNotFound: (imageId: { imageDigest?: string; imageTag?: string }, name: string, registryId: string) =>
    new AwsError(
      'ScanNotFoundException',
      `Image scan does not exist for the image with '${imageIdText(imageId)}' in the repository with name '${name}' in the registry with id '${registryId}'`,
    ),

  invalidParameter,
  /** An imageId with neither digest nor tag, where the whole call fails (DescribeImages, StartImageScan). */
  missingDigestAndTag: () => new AwsError('InvalidParameterException', MISSING_DIGEST_AND_TAG_MESSAGE),
  /** A digest that is not `<algorithm>:<hex>`, where the whole call fails. */
  invalidImageDigest: () => new AwsError('InvalidParameterException', INVALID_IMAGE_DIGEST_MESSAGE),
  /** Sandbox wording: the API reference says these cannot be combined, no capture of the text. */
  paginationWithList: (listMember: string) =>
    new AwsError(
      'InvalidParameterException',
      `Invalid parameter at 'nextToken' failed to satisfy constraint: 'nextToken and maxResults cannot be used together with ${listMember}'`,
    ),
  invalidNextToken: () => invalidParameter('nextToken', 'The pagination token is not valid.'),
  invalidArn: () => invalidParameter('resourceArn', 'Invalid ARN'),
  /** Captured from real ECR (aws-cdk#35246); the filters-without-exclusion case copies its shape. */
  exclusionFiltersRequired: (mutability: string) =>
    invalidParameter(
      'imageTagMutabilityExclusionFilters',
      `ImageTagMutabilityExclusionFilters can't be null when imageTagMutability is set as ${mutability}`,
    ),
  exclusionFiltersNotAllowed: (mutability: string) =>
    invalidParameter(
      'imageTagMutabilityExclusionFilters',
      `ImageTagMutabilityExclusionFilters are not allowed when imageTagMutability is set as ${mutability}`,
    ),
  /** Sandbox wording: real ECR refuses a KMS key with AES256 encryption. */
  kmsKeyWithoutKms: () =>
    invalidParameter('encryptionConfiguration', 'kmsKey can only be specified when encryptionType is KMS or KMS_DSSE'),
  invalidRepositoryPolicy: () => invalidParameter('PolicyText', 'Invalid repository policy provided'),
  lifecyclePolicyInvalid: (detail: string) => invalidParameter('LifecyclePolicyText', `Lifecycle policy validation failure: ${detail}`),

  /** Sandbox wording throughout: the exception's documented meaning, made specific. */
  invalidTagParameter: (message: string) => new AwsError('InvalidTagParameterException', message),
  /** The model's documentation text for TooManyTagsException. */
  tooManyTags: () =>
    new AwsError(
      'TooManyTagsException',
      'The list of tags on the repository is over the limit. The maximum number of tags that can be applied to a repository is 50.',
    ),
  validation: (message: string) => new AwsError('ValidationException', message),
  limitExceeded: (message: string) => new AwsError('LimitExceededException', message),
  /** StartImageScan more than once per image per 24 hours (scan on push counts). */
  scanQuotaExceeded: () => new AwsError('LimitExceededException', 'The scan quota per image has been exceeded. Wait and try again.'),
  server: (message: string) => new AwsError('ServerException', message, 500),

  // Protocol-level errors (shared by every AWS JSON service).
  serialization: (message: string) => new AwsError('SerializationException', message),
  unknownOperation: (target: string) =>
    new AwsError('UnknownOperationException', `The operation '${target}' is not a known ECR operation.`),
  /** A JSON 1.1 call without X-Amz-Target: Coral's exception for it, in sandbox wording (AWS sends no message). */
  missingTarget: () =>
    new AwsError(
      'UnknownOperationException',
      "The request has no X-Amz-Target header, so it names no operation: send 'X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>' with Content-Type application/x-amz-json-1.1.",
    ),
  notImplemented: (operation: string) =>
    new AwsError(
      'UnsupportedOperationException',
      `The ECR sandbox does not implement ${operation}. It is a real ECR operation: try it against real AWS (--target aws), or see the sandbox's list of supported operations in README.md.`,
    ),
  payloadTooLarge: (limit: number) =>
    new AwsError('RequestEntityTooLargeException', `The request body is larger than the ${limit} bytes the ECR API accepts.`, 413),
  missingAuthenticationToken: () =>
    new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400),
  unrecognizedClient: () =>
    new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400),
  invalidSignature: (message: string) => new AwsError('InvalidSignatureException', message, 400),
  incompleteSignature: (message: string) => new AwsError('IncompleteSignatureException', message, 400),
  accessDenied: (message: string) => new AwsError('AccessDeniedException', message, 400),
};
