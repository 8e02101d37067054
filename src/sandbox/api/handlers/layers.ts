import type { OperationHandler } from '../context.js';
import {
  optionalRegistryId,
  optionalString,
  optionalStringList,
  requiredArray,
  requiredBlob,
  requiredInteger,
  requiredPatterned,
  requiredRepositoryName,
  requiredString,
  type Input,
} from '../validate.js';

/** The model's UploadId and LayerDigest patterns. */
const UPLOAD_ID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const LAYER_DIGEST_PATTERN = '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+';
/** The model's LayerPartBlob maximum: 20 MiB. */
const MAX_PART_BYTES = 20 * 1024 * 1024;

/** A required list of strings with the model's bounds. */
function requiredStrings(input: Input, member: string, min: number, max: number): string[] {
  requiredArray(input, member, min, max);
  return optionalStringList(input, member, min, max)!;
}

/** PutImage: imageManifest is 1–4194304 characters, imageTag 1–300. */
export const PutImage: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const imageManifest = requiredString(input, 'imageManifest', { min: 1, max: 4_194_304 });
  const imageManifestMediaType = optionalString(input, 'imageManifestMediaType');
  const imageTag = optionalString(input, 'imageTag', { min: 1, max: 300 });
  const imageDigest = optionalString(input, 'imageDigest');
  const image = await api.backend.putImage(api, { registryId, repositoryName, imageManifest, imageManifestMediaType, imageTag, imageDigest });
  return { image };
};

/** BatchCheckLayerAvailability: 1–100 digests. */
export const BatchCheckLayerAvailability: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const layerDigests = requiredStrings(input, 'layerDigests', 1, 100);
  return api.backend.layers.batchCheckLayerAvailability(api, { registryId, repositoryName, layerDigests });
};

/** InitiateLayerUpload. */
export const InitiateLayerUpload: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  return api.backend.layers.initiateLayerUpload(api, { registryId, repositoryName });
};

/** UploadLayerPart: the part arrives base64-encoded in the JSON body, at most 20 MiB. */
export const UploadLayerPart: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const uploadId = requiredPatterned(input, 'uploadId', UPLOAD_ID_PATTERN);
  const partFirstByte = requiredInteger(input, 'partFirstByte', 0);
  const partLastByte = requiredInteger(input, 'partLastByte', 0);
  const layerPartBlob = requiredBlob(input, 'layerPartBlob', MAX_PART_BYTES);
  return api.backend.layers.uploadLayerPart(api, { registryId, repositoryName, uploadId, partFirstByte, partLastByte, layerPartBlob });
};

/** CompleteLayerUpload: layerDigests holds the layer's digest (1–100 entries in the model). */
export const CompleteLayerUpload: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const uploadId = requiredPatterned(input, 'uploadId', UPLOAD_ID_PATTERN);
  const layerDigests = requiredStrings(input, 'layerDigests', 1, 100);
  return api.backend.layers.completeLayerUpload(api, { registryId, repositoryName, uploadId, layerDigests });
};

/** GetDownloadUrlForLayer: a URL served by the sandbox, valid for an hour of the sandbox clock. */
export const GetDownloadUrlForLayer: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const layerDigest = requiredPatterned(input, 'layerDigest', LAYER_DIGEST_PATTERN);
  return api.backend.layers.getDownloadUrlForLayer(api, { registryId, repositoryName, layerDigest });
};
