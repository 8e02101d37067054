import crypto from 'node:crypto';
import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/sandbox/control-api/client.js';
import type { TagArrivalsOutput } from '../../src/sandbox/control-api/operations.js';
import { ecrClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { RegistryHttp, registryAuthorization, sha256Digest, type PushedImage } from '../helpers/registry-http.js';
import { expectAwsError, repoName } from './api-helpers.js';

// PutImage and the layer API against a sandbox with its registry: what goes in through the JSON
// API is what docker's /v2/ serves, and the other way round.

const ACCOUNT = '123456789012';
const MiB = 1024 * 1024;
let sandbox: TestSandbox;
let ecr: ECRClient;
let registry: RegistryHttp;
let control: ControlClient;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  ecr = ecrClient(sandbox);
  registry = new RegistryHttp(sandbox.endpoint, await registryAuthorization(sandbox));
  control = new ControlClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: sandbox.credentials });
}, 120_000);

afterAll(async () => {
  ecr?.destroy();
  await sandbox?.stop();
});

async function repository(mutability: 'MUTABLE' | 'IMMUTABLE' = 'MUTABLE'): Promise<string> {
  const name = repoName('put');
  await ecr.send(new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: mutability }));
  return name;
}

/** The manifest of a tag, as the retag recipe reads it. */
async function manifestOf(name: string, tag: string): Promise<string> {
  const { images } = await ecr.send(new BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageTag: tag }] }));
  return images![0]!.imageManifest!;
}

async function tagsOf(name: string): Promise<Record<string, string[]>> {
  const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: name }));
  return Object.fromEntries(imageDetails!.map((d) => [d.imageDigest!, d.imageTags ?? []]));
}

describe('PutImage', () => {
  it('retags an image without moving bytes: same digest, the new tag pulls through /v2/, and the arrival says PutImage', async () => {
    const name = await repository();
    const v1: PushedImage = await registry.pushImage(name, 'v1', [2048]);
    const manifest = await manifestOf(name, 'v1');
    expect(manifest).toBe(v1.manifest);
    const { image } = await ecr.send(new PutImageCommand({ repositoryName: name, imageTag: 'prod', imageManifest: manifest }));
    expect(image).toEqual({
      registryId: ACCOUNT,
      repositoryName: name,
      imageId: { imageDigest: v1.digest, imageTag: 'prod' },
      imageManifest: v1.manifest,
      imageManifestMediaType: v1.mediaType,
    });
    expect(await tagsOf(name)).toEqual({ [v1.digest]: ['v1', 'prod'] });
    const pulled = await registry.request('GET', `/v2/${name}/manifests/prod`, { headers: { accept: v1.mediaType } });
    expect(pulled.status).toBe(200);
    expect(pulled.headers.get('docker-content-digest')).toBe(v1.digest);
    expect(await pulled.text()).toBe(v1.manifest);
    const { tags } = await control.call<TagArrivalsOutput>('DescribeTagArrivals', { repositoryName: name });
    expect(tags.map((t) => [t.imageTag, t.via])).toEqual([
      ['v1', 'registry'],
      ['prod', 'put-image'],
    ]);
  });

  it('moves a tag in a MUTABLE repository; the image it leaves stays with its other tags', async () => {
    const name = await repository();
    const one = await registry.pushImage(name, 'v1', [100]);
    const two = await registry.pushImage(name, 'v2', [200]);
    await ecr.send(new PutImageCommand({ repositoryName: name, imageTag: 'prod', imageManifest: one.manifest }));
    await ecr.send(new PutImageCommand({ repositoryName: name, imageTag: 'prod', imageManifest: two.manifest }));
    expect(await tagsOf(name)).toEqual({ [one.digest]: ['v1'], [two.digest]: ['v2', 'prod'] });
  });

  it('refuses the same tag on the same image with ImageAlreadyExistsException', async () => {
    const name = await repository();
    const v1 = await registry.pushImage(name, 'v1', [100]);
    await expectAwsError(
      ecr.send(new PutImageCommand({ repositoryName: name, imageTag: 'v1', imageManifest: v1.manifest })),
      'ImageAlreadyExistsException',
      `Image with digest '${v1.digest}' and tag 'v1' already exists in the repository with name '${name}' in registry with id '${ACCOUNT}'`,
    );
  });

  it('refuses an existing tag in an IMMUTABLE repository, even for the very same image', async () => {
    const name = await repository('IMMUTABLE');
    const v1 = await registry.pushImage(name, 'v1', [100]);
    const v2 = await registry.pushImage(name, 'v2', [100]);
    await ecr.send(new PutImageCommand({ repositoryName: name, imageTag: 'prod', imageManifest: v2.manifest }));
    const message = `The image tag 'prod' already exists in the '${name}' repository and cannot be overwritten because the tag is immutable.`;
    await expectAwsError(ecr.send(new PutImageCommand({ repositoryName: name, imageTag: 'prod', imageManifest: v1.manifest })), 'ImageTagAlreadyExistsException', message);
    await expectAwsError(ecr.send(new PutImageCommand({ repositoryName: name, imageTag: 'prod', imageManifest: v2.manifest })), 'ImageTagAlreadyExistsException', message);
    expect(await tagsOf(name)).toEqual({ [v1.digest]: ['v1'], [v2.digest]: ['v2', 'prod'] });
  });

  it('needs the media type when the manifest does not name one, and refuses one that contradicts it', async () => {
    const name = await repository();
    const v1 = await registry.pushImage(name, 'v1', [100], true);
    const { mediaType, ...unlabelled } = JSON.parse(v1.manifest) as { mediaType: string };
    const bare = JSON.stringify(unlabelled);
    await expectAwsError(
      ecr.send(new PutImageCommand({ repositoryName: name, imageTag: 'bare', imageManifest: bare })),
      'InvalidParameterException',
      "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
    );
    const put = await ecr.send(new PutImageCommand({ repositoryName: name, imageTag: 'bare', imageManifest: bare, imageManifestMediaType: mediaType }));
    expect(put.image?.imageManifestMediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(put.image?.imageId?.imageDigest).toBe(sha256Digest(bare));
    await expectAwsError(
      ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: bare, imageManifestMediaType: mediaType })),
      'ImageAlreadyExistsException',
      `Image with digest '${sha256Digest(bare)}' and tag 'null' already exists in the repository with name '${name}' in registry with id '${ACCOUNT}'`,
    );
    await expectAwsError(
      ecr.send(new PutImageCommand({ repositoryName: name, imageTag: 'v1-docker', imageManifest: v1.manifest, imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json' })),
      'InvalidParameterException',
      /^Invalid parameter at 'ImageManifestMediaType' failed to satisfy constraint: 'The media type 'application\/vnd\.docker\.distribution\.manifest\.v2\+json' does not match the mediaType 'application\/vnd\.oci\.image\.manifest\.v1\+json'/,
    );
    await expectAwsError(
      ecr.send(new PutImageCommand({ repositoryName: name, imageTag: 'x', imageManifest: '"just text"' })),
      'InvalidParameterException',
      "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
    );
  });

  it('checks a given imageDigest against the manifest', async () => {
    const name = await repository();
    const v1 = await registry.pushImage(name, 'v1', [100]);
    await expectAwsError(
      ecr.send(new PutImageCommand({ repositoryName: name, imageTag: 'prod', imageManifest: v1.manifest, imageDigest: sha256Digest('other') })),
      'ImageDigestDoesNotMatchException',
      /^The specified image digest does not match the digest that Amazon ECR calculated for the image/,
    );
  });

  it('refuses a new manifest whose layers the repository does not hold, and a list naming missing images', async () => {
    const name = await repository();
    const other = await repository();
    const elsewhere = await registry.pushImage(other, 'v1', [100]);
    await expectAwsError(
      ecr.send(new PutImageCommand({ repositoryName: name, imageTag: 'copied', imageManifest: elsewhere.manifest })),
      'LayersNotFoundException',
      new RegExp(`^The specified layers could not be found: \\[.*${elsewhere.layers[0]!.digest}.*\\] are not in the repository with name '${name}'`),
    );
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: elsewhere.mediaType, digest: elsewhere.digest, size: elsewhere.manifest.length }],
    });
    await expectAwsError(
      ecr.send(new PutImageCommand({ repositoryName: name, imageTag: 'multi', imageManifest: index })),
      'ReferencedImagesNotFoundException',
      `The manifest list is referencing an image that does not exist: [${elsewhere.digest}]`,
    );
    expect(await tagsOf(name)).toEqual({});
  });
});

describe('image content in another region', () => {
  it('is refused honestly: the registry holds the sandbox region’s images only', async () => {
    const west = ecrClient(sandbox, { region: 'us-west-2' });
    try {
      await west.send(new CreateRepositoryCommand({ repositoryName: 'west-app' }));
      await expectAwsError(
        west.send(new InitiateLayerUploadCommand({ repositoryName: 'west-app' })),
        'UnsupportedOperationException',
        /^The sandbox's registry holds the images of us-east-1 only, so it cannot store or serve image content in us-west-2\./,
      );
    } finally {
      west.destroy();
    }
  });
});

describe('the layer API', () => {
  /** Uploads bytes in the given part sizes; returns the upload id. */
  async function upload(name: string, bytes: Buffer, parts: number[]): Promise<string> {
    const { uploadId, partSize } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: name }));
    expect(partSize).toBe(10 * MiB);
    let first = 0;
    for (const size of parts) {
      const out = await ecr.send(new UploadLayerPartCommand({ repositoryName: name, uploadId, partFirstByte: first, partLastByte: first + size - 1, layerPartBlob: bytes.subarray(first, first + size) }));
      expect(out).toMatchObject({ registryId: ACCOUNT, repositoryName: name, uploadId, lastByteReceived: first + size - 1 });
      first += size;
    }
    return uploadId!;
  }

  it('uploads a layer in parts, then PutImage makes an image docker pulls, and its layers download by URL', async () => {
    const name = await repository();
    const layer = crypto.randomBytes(5 * MiB + 1234);
    const layerDigest = sha256Digest(layer);
    const uploadId = await upload(name, layer, [5 * MiB, 1234]);
    const done = await ecr.send(new CompleteLayerUploadCommand({ repositoryName: name, uploadId, layerDigests: [layerDigest] }));
    expect(done).toMatchObject({ registryId: ACCOUNT, repositoryName: name, uploadId, layerDigest });
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layerDigest] } }));
    const configDigest = sha256Digest(config);
    const configUpload = await upload(name, config, [config.length]);
    await ecr.send(new CompleteLayerUploadCommand({ repositoryName: name, uploadId: configUpload, layerDigests: [configDigest] }));

    const check = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: name, layerDigests: [layerDigest, sha256Digest('nothing'), 'not-a-digest'] }));
    expect(check.layers).toEqual([
      { layerDigest, layerAvailability: 'AVAILABLE', layerSize: layer.length },
      { layerDigest: sha256Digest('nothing'), layerAvailability: 'UNAVAILABLE' },
    ]);
    expect(check.failures).toEqual([expect.objectContaining({ layerDigest: 'not-a-digest', failureCode: 'InvalidLayerDigest' })]);

    // Uploaded but named by no image yet: ECR calls that inaccessible.
    await expectAwsError(ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: name, layerDigest })), 'LayerInaccessibleException', /not associated with an image/);

    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: layerDigest }],
    });
    const put = await ecr.send(new PutImageCommand({ repositoryName: name, imageTag: 'api', imageManifest: manifest }));
    expect(put.image?.imageId).toEqual({ imageDigest: sha256Digest(manifest), imageTag: 'api' });
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: name }));
    expect(imageDetails![0]).toMatchObject({ imageTags: ['api'], imageSizeInBytes: layer.length });
    const pulled = await registry.request('GET', `/v2/${name}/manifests/api`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
    expect(await pulled.text()).toBe(manifest);
    const blob = await registry.request('GET', `/v2/${name}/blobs/${layerDigest}`);
    expect(Buffer.from(await blob.arrayBuffer()).equals(layer)).toBe(true);
    const recheck = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: name, layerDigests: [layerDigest] }));
    expect(recheck.layers![0]!.mediaType).toBe('application/vnd.docker.image.rootfs.diff.tar.gzip');

    const { downloadUrl, layerDigest: echoed } = await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: name, layerDigest }));
    expect(echoed).toBe(layerDigest);
    expect(downloadUrl).toMatch(new RegExp(`^http://localhost:${sandbox.port}/_layers/${sandbox.region}/${name}/blobs/${layerDigest}\\?X-Amz-Date=\\d{8}T\\d{6}Z&X-Amz-Expires=3600&X-Amz-Signature=[0-9a-f]{64}$`));
    const fetched = await fetch(downloadUrl!);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(layer)).toBe(true);

    const tampered = await fetch(downloadUrl!.replace(/.$/, (c) => (c === '0' ? '1' : '0')));
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    // An hour later by the sandbox clock, the URL has expired, as an S3 pre-signed URL does.
    await control.call('AdvanceClock', { seconds: 3601 });
    try {
      const expired = await fetch(downloadUrl!);
      expect(expired.status).toBe(403);
      expect(await expired.text()).toContain('<Code>AccessDenied</Code><Message>Request has expired</Message>');
    } finally {
      await control.call('ResetClock');
    }
    await expectAwsError(
      ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: name, layerDigest: sha256Digest('never') })),
      'LayersNotFoundException',
      `The layer with digest '${sha256Digest('never')}' does not exist within the repository with name '${name}' in the registry with id '${ACCOUNT}'`,
    );
  });

  it('refuses parts out of order or of the wrong length, with the last valid byte', async () => {
    const name = await repository();
    const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: name }));
    const part = crypto.randomBytes(1000);
    await ecr.send(new UploadLayerPartCommand({ repositoryName: name, uploadId, partFirstByte: 0, partLastByte: 999, layerPartBlob: part }));
    const error = (await ecr
      .send(new UploadLayerPartCommand({ repositoryName: name, uploadId, partFirstByte: 2000, partLastByte: 2999, layerPartBlob: part }))
      .catch((e: unknown) => e)) as { name: string; message: string; lastValidByteReceived?: number; uploadId?: string };
    expect(error.name).toBe('InvalidLayerPartException');
    expect(error.message).toContain('the next part must start at byte 1000, not 2000');
    expect(error.lastValidByteReceived).toBe(999);
    expect(error.uploadId).toBe(uploadId);
    await expectAwsError(
      ecr.send(new UploadLayerPartCommand({ repositoryName: name, uploadId, partFirstByte: 1000, partLastByte: 1499, layerPartBlob: part })),
      'InvalidLayerPartException',
      /bytes 1000 to 1499 are 500 bytes, but the part holds 1000/,
    );
  });

  it('refuses a small part that is not the last, a wrong digest, an empty upload, an unknown upload and a layer it has', async () => {
    const name = await repository();
    const bytes = crypto.randomBytes(2000);
    const small = await upload(name, bytes, [1000, 1000]);
    await expectAwsError(
      ecr.send(new CompleteLayerUploadCommand({ repositoryName: name, uploadId: small, layerDigests: [sha256Digest(bytes)] })),
      'LayerPartTooSmallException',
      'Layer parts must be at least 5 MiB in size (part 1 has 1000 bytes; only the last part may be smaller).',
    );
    const wrong = await upload(name, bytes, [2000]);
    await expectAwsError(ecr.send(new CompleteLayerUploadCommand({ repositoryName: name, uploadId: wrong, layerDigests: [sha256Digest('other')] })), 'InvalidLayerException', /does not match the digest specified/);
    const { uploadId: empty } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: name }));
    await expectAwsError(ecr.send(new CompleteLayerUploadCommand({ repositoryName: name, uploadId: empty, layerDigests: [sha256Digest('')] })), 'EmptyUploadException', /does not contain any layer parts/);
    await expectAwsError(
      ecr.send(new UploadLayerPartCommand({ repositoryName: name, uploadId: crypto.randomUUID(), partFirstByte: 0, partLastByte: 0, layerPartBlob: Buffer.from('x') })),
      'UploadNotFoundException',
      /^The upload could not be found, or the specified upload ID is not valid for this repository/,
    );
    const v1 = await registry.pushImage(name, 'v1', [300]);
    const layer = v1.layers[0]!;
    const again = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: name }));
    await ecr.send(new UploadLayerPartCommand({ repositoryName: name, uploadId: again.uploadId, partFirstByte: 0, partLastByte: 0, layerPartBlob: Buffer.from('x') }));
    await expectAwsError(ecr.send(new CompleteLayerUploadCommand({ repositoryName: name, uploadId: again.uploadId, layerDigests: [layer.digest] })), 'LayerAlreadyExistsException', /already exists in the associated repository/);
  });
});
