/**
 * ECR control-plane errors, one factory per AWS error shape, with ECR's exact codes and
 * wording. Serialized in one place (api/protocol.ts) as `{"__type","message"}`.
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

const repoInRegistry = (name: string, registryId: string) =>
  `The repository with name '${name}' does not exist in the registry with id '${registryId}'`;

export const errors = {
  repositoryNotFound: (name: string, registryId: string) =>
    new AwsError('RepositoryNotFoundException', repoInRegistry(name, registryId)),
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
      `The image with imageId {imageDigest:'${imageId.imageDigest ?? 'null'}', imageTag:'${imageId.imageTag ?? 'null'}'} does not exist within the repository with name '${name}' in the registry with id '${registryId}'`,
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
  /** `Invalid parameter at '<member>' failed to satisfy constraint: '<rule>'`. */
  invalidParameter: (member: string, rule: string) =>
    new AwsError('InvalidParameterException', `Invalid parameter at '${member}' failed to satisfy constraint: '${rule}'`),
  invalidParameterMessage: (message: string) => new AwsError('InvalidParameterException', message),
  invalidTagParameter: (message: string) => new AwsError('InvalidTagParameterException', message),
  tooManyTags: (message: string) => new AwsError('TooManyTagsException', message),
  validation: (message: string) => new AwsError('ValidationException', message),
  limitExceeded: (message: string) => new AwsError('LimitExceededException', message),
  server: (message: string) => new AwsError('ServerException', message, 500),

  // Protocol-level errors (shared by every AWS JSON service).
  serialization: (message: string) => new AwsError('SerializationException', message),
  unknownOperation: (target: string) =>
    new AwsError('UnknownOperationException', `The operation '${target}' is not a known ECR operation.`),
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
