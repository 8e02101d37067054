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
    /** Members the error shape has besides its message (InvalidLayerPartException's lastValidByteReceived). */
    readonly fields: Record<string, unknown> = {},
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
  /** Sandbox wording in ECR's not-found shape; the model's documentation says "There is no dry run for this repository." */
  lifecyclePolicyPreviewNotFound: (name: string, registryId: string) =>
    new AwsError(
      'LifecyclePolicyPreviewNotFoundException',
      `There is no lifecycle policy preview for the repository with name '${name}' in the registry with id '${registryId}'. Start one with StartLifecyclePolicyPreview.`,
    ),
  scanNotFound: (imageId: { imageDigest?: string; imageTag?: string }, name: string, registryId: string) =>
    new AwsError(
      'ScanNotFoundException',
      `Image scan does not exist for the image with '${imageIdText(imageId)}' in the repository with name '${name}' in the registry with id '${registryId}'`,
    ),

  // PutImage and the layer API. ImageAlreadyExistsException is moto's copy of ECR's text; the
  // immutable-tag text is ECR's current wording as CI logs capture it ("because the tag is
  // immutable"; before tag-mutability exclusions it said "the repository is immutable"); "Invalid
  // JSON syntax" is what ECR answers a manifest without mediaType when imageManifestMediaType is
  // left out (aws/aws-cli#8620, aws/aws-sdk#193). The others have no public capture: they start
  // with the model's documentation of the exception and name what was wrong.
  imageAlreadyExists: (digest: string, tag: string | undefined, name: string, registryId: string) =>
    new AwsError(
      'ImageAlreadyExistsException',
      `Image with digest '${digest}' and tag '${tag ?? 'null'}' already exists in the repository with name '${name}' in registry with id '${registryId}'`,
    ),
  imageTagAlreadyExists: (tag: string, name: string) =>
    new AwsError(
      'ImageTagAlreadyExistsException',
      `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the tag is immutable.`,
    ),
  manifestInvalidJson: () => invalidParameter('ImageManifest', 'Invalid JSON syntax'),
  /** Sandbox wording: the manifest names one media type, the request another. */
  manifestMediaTypeMismatch: (given: string, inManifest: string) =>
    invalidParameter(
      'ImageManifestMediaType',
      `The media type '${given}' does not match the mediaType '${inManifest}' in the image manifest. Leave imageManifestMediaType out, or pass the imageManifestMediaType that batch-get-image returned with the manifest.`,
    ),
  /** Sandbox wording: a media type ECR does not store. */
  manifestMediaTypeUnsupported: (mediaType: string) =>
    invalidParameter('ImageManifestMediaType', `Unsupported image manifest media type '${mediaType}'.`),
  imageDigestDoesNotMatch: (given: string, computed: string) =>
    new AwsError(
      'ImageDigestDoesNotMatchException',
      `The specified image digest does not match the digest that Amazon ECR calculated for the image: '${given}' was given, the manifest's digest is '${computed}'.`,
    ),
  layersNotFound: (digests: string[], name: string, registryId: string) =>
    new AwsError(
      'LayersNotFoundException',
      `The specified layers could not be found: [${digests.join(', ')}] are not in the repository with name '${name}' in the registry with id '${registryId}'. Upload them first (InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload), or push the image with docker.`,
    ),
  /** GetDownloadUrlForLayer's wording, as an issue report captures it (monken/aws-ecr-public#11). */
  layerNotFound: (digest: string, name: string, registryId: string) =>
    new AwsError(
      'LayersNotFoundException',
      `The layer with digest '${digest}' does not exist within the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  layerInaccessible: (digest: string) =>
    new AwsError(
      'LayerInaccessibleException',
      `The specified layer is not available because it is not associated with an image. Unassociated image layers may be cleaned up at any time. (layer ${digest})`,
    ),
  referencedImagesNotFound: (digests: string[]) =>
    new AwsError('ReferencedImagesNotFoundException', `The manifest list is referencing an image that does not exist: [${digests.join(', ')}]`),
  layerPartTooSmall: (partNumber: number, size: number) =>
    new AwsError('LayerPartTooSmallException', `Layer parts must be at least 5 MiB in size (part ${partNumber} has ${size} bytes; only the last part may be smaller).`),
  invalidLayerPart: (detail: string, fields: { registryId: string; repositoryName: string; uploadId: string; lastValidByteReceived: number }) =>
    new AwsError(
      'InvalidLayerPartException',
      `The layer part size is not valid, or the first byte specified is not consecutive to the last byte of a previous layer part upload: ${detail}`,
      400,
      fields,
    ),
  uploadNotFound: (uploadId: string, name: string) =>
    new AwsError(
      'UploadNotFoundException',
      `The upload could not be found, or the specified upload ID is not valid for this repository: no upload '${uploadId}' in the repository with name '${name}'.`,
    ),
  invalidLayer: (digest: string) =>
    new AwsError(
      'InvalidLayerException',
      `The layer digest calculation performed by Amazon ECR upon receipt of the image layer does not match the digest specified ('${digest}').`,
    ),
  emptyUpload: (uploadId: string) =>
    new AwsError('EmptyUploadException', `The specified layer upload does not contain any layer parts (upload '${uploadId}').`),
  layerAlreadyExists: (digest: string, name: string) =>
    new AwsError('LayerAlreadyExistsException', `The image layer already exists in the associated repository: '${digest}' is already in '${name}'.`),
  /** The layer API and PutImage of a new manifest need the registry container. */
  registryNotRunning: () =>
    new AwsError('ServerException', "The sandbox's registry is not running, so image content cannot be stored or read. Restart the sandbox: ecr-workbook sandbox down && ecr-workbook sandbox up", 500),

  /** The registry container holds one region's images: the sandbox's. */
  registryOtherRegion: (region: string, registryRegion: string) =>
    new AwsError(
      'UnsupportedOperationException',
      `The sandbox's registry holds the images of ${registryRegion} only, so it cannot store or serve image content in ${region}. Use --region ${registryRegion}, or start the sandbox with --region ${region}.`,
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
  // Sandbox wording: the control API's own refusal (ECR has no such operation).
  unknownAccessKey: (accessKeyId: string) =>
    invalidParameter('accessKeyId', `The sandbox has no active access key '${accessKeyId}' (create one with aws iam create-access-key)`),
  unknownControlOperation: (operation: string, known: string[]) =>
    new AwsError('UnknownOperationException', `The sandbox control API has no operation '${operation}'. Its operations: ${known.join(', ')}.`),
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
  /** A session (AssumeRole) past its expiry. */
  expiredToken: () => new AwsError('ExpiredTokenException', 'The security token included in the request is expired', 400),
  invalidSignature: (message: string) => new AwsError('InvalidSignatureException', message, 400),
  incompleteSignature: (message: string) => new AwsError('IncompleteSignatureException', message, 400),
  accessDenied: (message: string) => new AwsError('AccessDeniedException', message, 400),
};
