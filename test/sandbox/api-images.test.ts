import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeImageScanFindingsCommand,
  ListImagesCommand,
  StartImageScanCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { beforeEach, describe, expect, it } from 'vitest';
import { SCAN_UNAVAILABLE } from '../../src/sandbox/backend/ecr.js';
import type { ImageRecord } from '../../src/sandbox/backend/types.js';
import type { TestSandbox } from '../helpers/sandbox.js';
import { digestOf, expectAwsError, notFound, repoName, seedImage, withApiSandbox } from './api-helpers.js';

const ACCOUNT = '123456789012';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

let sandbox: TestSandbox;
let ecr: ECRClient;
let removed: Array<[string, string, string[]]>;
withApiSandbox((s, e) => {
  sandbox = s;
  ecr = e;
});
beforeEach(() => {
  removed = [];
  sandbox.backend.onImagesRemoved = (region, repositoryName, digests) => removed.push([region, repositoryName, digests]);
});

/** A repository holding: `multi` (tags v1, latest), `single` (tag v2), `untagged` (no tags), oldest first. */
async function repoWithImages(options: { scanOnPush?: boolean } = {}) {
  const name = repoName();
  await ecr.send(new CreateRepositoryCommand({ repositoryName: name, imageScanningConfiguration: { scanOnPush: options.scanOnPush ?? false } }));
  const multi = seedImage(sandbox, name, { seed: `${name}-multi`, tags: ['v1', 'latest'], pushedAt: 1_700_000_000.25, sizeInBytes: 5000 });
  const single = seedImage(sandbox, name, {
    seed: `${name}-single`,
    tags: ['v2'],
    pushedAt: 1_700_000_100,
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactMediaType: 'application/vnd.oci.image.config.v1+json',
    lastPulledAt: 1_700_000_500,
  });
  const untagged = seedImage(sandbox, name, { seed: `${name}-untagged`, pushedAt: 1_700_000_200 });
  return { name, multi, single, untagged };
}

describe('DescribeImages', () => {
  it('returns one imageDetail per digest with ECR fields, imageTags omitted when untagged', async () => {
    const { name, multi, single, untagged } = await repoWithImages();
    const { imageDetails, nextToken } = await ecr.send(new DescribeImagesCommand({ repositoryName: name }));
    expect(nextToken).toBeUndefined();
    expect(imageDetails!.map((d) => d.imageDigest)).toEqual([multi.digest, single.digest, untagged.digest]);
    expect(imageDetails![0]).toEqual({
      registryId: ACCOUNT,
      repositoryName: name,
      imageDigest: multi.digest,
      imageTags: ['v1', 'latest'],
      imageSizeInBytes: 5000,
      imagePushedAt: new Date(1_700_000_000_250),
      imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    });
    expect(imageDetails![1]).toMatchObject({
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactMediaType: 'application/vnd.oci.image.config.v1+json',
      lastRecordedPullTime: new Date(1_700_000_500_000),
    });
    expect(imageDetails![2]).not.toHaveProperty('imageTags');
    expect(imageDetails![2]!.imageScanStatus).toBeUndefined();
  });

  it('sends timestamps as epoch-second JSON numbers', async () => {
    const { name } = await repoWithImages();
    const res = await sandbox.backend.describeImages({ region: 'us-east-1' }, { repositoryName: name });
    const detail = sandbox.backend.describeImage(res.repo, res.images[0]!);
    expect(detail.imagePushedAt).toBe(1_700_000_000.25);
  });

  it('describes by tag and by digest (once per digest, whichever id named it)', async () => {
    const { name, multi, untagged } = await repoWithImages();
    const { imageDetails } = await ecr.send(
      new DescribeImagesCommand({
        repositoryName: name,
        imageIds: [{ imageTag: 'latest' }, { imageDigest: multi.digest }, { imageDigest: untagged.digest }, { imageTag: 'v1', imageDigest: multi.digest }],
      }),
    );
    expect(imageDetails!.map((d) => d.imageDigest)).toEqual([multi.digest, untagged.digest]);
    expect(imageDetails![0]!.imageTags).toEqual(['v1', 'latest']);
  });

  it('filters by tagStatus', async () => {
    const { name, multi, single, untagged } = await repoWithImages();
    const tagged = await ecr.send(new DescribeImagesCommand({ repositoryName: name, filter: { tagStatus: 'TAGGED' } }));
    expect(tagged.imageDetails!.map((d) => d.imageDigest)).toEqual([multi.digest, single.digest]);
    const bare = await ecr.send(new DescribeImagesCommand({ repositoryName: name, filter: { tagStatus: 'UNTAGGED' } }));
    expect(bare.imageDetails!.map((d) => d.imageDigest)).toEqual([untagged.digest]);
    const any = await ecr.send(new DescribeImagesCommand({ repositoryName: name, filter: { tagStatus: 'ANY' } }));
    expect(any.imageDetails).toHaveLength(3);
  });

  it('pages with maxResults and nextToken', async () => {
    const { name, multi, single, untagged } = await repoWithImages();
    const first = await ecr.send(new DescribeImagesCommand({ repositoryName: name, maxResults: 2 }));
    expect(first.imageDetails!.map((d) => d.imageDigest)).toEqual([multi.digest, single.digest]);
    expect(first.nextToken).toBeTruthy();
    const second = await ecr.send(new DescribeImagesCommand({ repositoryName: name, maxResults: 2, nextToken: first.nextToken }));
    expect(second.imageDetails!.map((d) => d.imageDigest)).toEqual([untagged.digest]);
    expect(second.nextToken).toBeUndefined();
  });

  it('ImageNotFoundException for a listed tag that does not exist', async () => {
    const { name } = await repoWithImages();
    await expectAwsError(
      ecr.send(new DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: 'v1' }, { imageTag: 'v9' }] })),
      'ImageNotFoundException',
      `The image with imageId {imageDigest:'null', imageTag:'v9'} does not exist within the repository with name '${name}' in the registry with id '${ACCOUNT}'`,
    );
  });

  it('ImageNotFoundException for a digest that does not exist, or a tag on another digest', async () => {
    const { name, single } = await repoWithImages();
    const missing = digestOf('missing');
    await expectAwsError(
      ecr.send(new DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageDigest: missing }] })),
      'ImageNotFoundException',
      `The image with imageId {imageDigest:'${missing}', imageTag:'null'} does not exist within the repository with name '${name}' in the registry with id '${ACCOUNT}'`,
    );
    await expectAwsError(
      ecr.send(new DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageDigest: single.digest, imageTag: 'v1' }] })),
      'ImageNotFoundException',
      `The image with imageId {imageDigest:'${single.digest}', imageTag:'v1'} does not exist within the repository with name '${name}' in the registry with id '${ACCOUNT}'`,
    );
  });

  it('InvalidParameterException for imageIds with nextToken/maxResults, a bad tagStatus, or an empty imageId', async () => {
    const { name } = await repoWithImages();
    await expectAwsError(
      ecr.send(new DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: 'v1' }], maxResults: 10 })),
      'InvalidParameterException',
      "Invalid parameter at 'nextToken' failed to satisfy constraint: 'nextToken and maxResults cannot be used together with imageIds'",
    );
    await expectAwsError(
      ecr.send(new DescribeImagesCommand({ repositoryName: name, filter: { tagStatus: 'tagged' as never } })),
      'InvalidParameterException',
      "Invalid parameter at 'tagStatus' failed to satisfy constraint: 'Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]'",
    );
    await expectAwsError(
      ecr.send(new DescribeImagesCommand({ repositoryName: name, imageIds: [{}] })),
      'InvalidParameterException',
      'Invalid request parameters: both tag and digest cannot be null',
    );
    await expectAwsError(
      ecr.send(new DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: 't'.repeat(301) }] })),
      'InvalidParameterException',
      "Invalid parameter at 'imageTag' failed to satisfy constraint: 'Member must have length less than or equal to 300'",
    );
    await expectAwsError(
      ecr.send(new DescribeImagesCommand({ repositoryName: name, maxResults: 1001 })),
      'InvalidParameterException',
      "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'",
    );
  });

  it('RepositoryNotFoundException for a missing repository', async () => {
    await expectAwsError(ecr.send(new DescribeImagesCommand({ repositoryName: 'no-such-repo' })), 'RepositoryNotFoundException', notFound('no-such-repo'));
  });

  it('says honestly that no scan runs, for images in a scan-on-push repository', async () => {
    const { name } = await repoWithImages({ scanOnPush: true });
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: name }));
    for (const detail of imageDetails!) {
      expect(detail.imageScanStatus).toEqual({
        status: 'FINDINGS_UNAVAILABLE',
        description:
          'The ECR sandbox has no vulnerability scanner: scan on push is recorded, but no scan runs here. Run this lesson against real AWS to see findings.',
      });
      expect(detail.imageScanFindingsSummary).toBeUndefined();
    }
  });
});

describe('ListImages', () => {
  it('returns one entry per (digest, tag) and an untagged image once, digest only', async () => {
    const { name, multi, single, untagged } = await repoWithImages();
    const { imageIds, nextToken } = await ecr.send(new ListImagesCommand({ repositoryName: name }));
    expect(nextToken).toBeUndefined();
    expect(imageIds).toEqual([
      { imageDigest: multi.digest, imageTag: 'v1' },
      { imageDigest: multi.digest, imageTag: 'latest' },
      { imageDigest: single.digest, imageTag: 'v2' },
      { imageDigest: untagged.digest },
    ]);
  });

  it('filters by tagStatus', async () => {
    const { name, untagged } = await repoWithImages();
    expect((await ecr.send(new ListImagesCommand({ repositoryName: name, filter: { tagStatus: 'UNTAGGED' } }))).imageIds).toEqual([
      { imageDigest: untagged.digest },
    ]);
    expect((await ecr.send(new ListImagesCommand({ repositoryName: name, filter: { tagStatus: 'TAGGED' } }))).imageIds).toHaveLength(3);
  });

  it('pages one entry at a time with maxResults 1', async () => {
    const { name } = await repoWithImages();
    const all: unknown[] = [];
    let nextToken: string | undefined;
    do {
      const out = await ecr.send(new ListImagesCommand({ repositoryName: name, maxResults: 1, nextToken }));
      expect(out.imageIds).toHaveLength(1);
      all.push(...out.imageIds!);
      nextToken = out.nextToken;
    } while (nextToken);
    expect(all).toHaveLength(4);
  });

  it('InvalidParameterException for maxResults 0', async () => {
    const { name } = await repoWithImages();
    await expectAwsError(
      ecr.send(new ListImagesCommand({ repositoryName: name, maxResults: 0 })),
      'InvalidParameterException',
      "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value greater than or equal to 1'",
    );
  });

  it('RepositoryNotFoundException for a missing repository', async () => {
    await expectAwsError(ecr.send(new ListImagesCommand({ repositoryName: 'no-such-repo' })), 'RepositoryNotFoundException', notFound('no-such-repo'));
  });
});

describe('BatchGetImage', () => {
  it('gets an image by tag, with the manifest as pushed', async () => {
    const { name, multi } = await repoWithImages();
    const out = await ecr.send(new BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageTag: 'latest' }] }));
    expect(out.failures).toEqual([]);
    expect(out.images).toEqual([
      {
        registryId: ACCOUNT,
        repositoryName: name,
        imageId: { imageDigest: multi.digest, imageTag: 'latest' },
        imageManifest: multi.manifest,
        imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      },
    ]);
  });

  it('gets by digest: one entry per tag, the digest alone when untagged', async () => {
    const { name, multi, untagged } = await repoWithImages();
    const out = await ecr.send(
      new BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageDigest: multi.digest }, { imageDigest: untagged.digest }, { imageTag: 'v1' }] }),
    );
    expect(out.images!.map((i) => i.imageId)).toEqual([
      { imageDigest: multi.digest, imageTag: 'v1' },
      { imageDigest: multi.digest, imageTag: 'latest' },
      { imageDigest: untagged.digest },
    ]);
  });

  it('reports missing and malformed ids in failures[] with ECR failure codes', async () => {
    const { name, single } = await repoWithImages();
    const other = digestOf('other');
    const out = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: name,
        imageIds: [
          { imageTag: 'v9' },
          { imageDigest: 'invalid_digest' },
          {},
          { imageTag: 'v2', imageDigest: other },
          { imageTag: 'nope', imageDigest: other },
          { imageTag: 'v2', imageDigest: single.digest },
        ],
      }),
    );
    expect(out.images!.map((i) => i.imageId)).toEqual([{ imageDigest: single.digest, imageTag: 'v2' }]);
    expect(out.failures).toEqual([
      { imageId: { imageTag: 'v9' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
      {
        imageId: { imageDigest: 'invalid_digest' },
        failureCode: 'InvalidImageDigest',
        failureReason: "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
      },
      { imageId: {}, failureCode: 'MissingDigestAndTag', failureReason: 'Invalid request parameters: both tag and digest cannot be null' },
      {
        imageId: { imageTag: 'v2', imageDigest: other },
        failureCode: 'ImageTagDoesNotMatchDigest',
        failureReason: 'Invalid request parameters: given tag does not map to the given digest',
      },
      { imageId: { imageTag: 'nope', imageDigest: other }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
    ]);
  });

  it('InvalidParameterException for an empty imageIds list', async () => {
    const { name } = await repoWithImages();
    await expectAwsError(
      ecr.send(new BatchGetImageCommand({ repositoryName: name, imageIds: [] })),
      'InvalidParameterException',
      "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length greater than or equal to 1'",
    );
  });

  it('RepositoryNotFoundException for a missing repository', async () => {
    await expectAwsError(
      ecr.send(new BatchGetImageCommand({ repositoryName: 'no-such-repo', imageIds: [{ imageTag: 'latest' }] })),
      'RepositoryNotFoundException',
      notFound('no-such-repo'),
    );
  });
});

describe('BatchDeleteImage', () => {
  const images = (name: string): Record<string, ImageRecord> => sandbox.store.state.regions['us-east-1']!.repositories[name]!.images;

  it('by tag removes only that tag while others remain', async () => {
    const { name, multi } = await repoWithImages();
    const out = await ecr.send(new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: 'latest' }] }));
    expect(out).toMatchObject({ imageIds: [{ imageDigest: multi.digest, imageTag: 'latest' }], failures: [] });
    expect(images(name)[multi.digest]!.tags).toEqual(['v1']);
    expect(removed).toEqual([]);
  });

  it('removing the last tag deletes the image and tells the registry side', async () => {
    const { name, single } = await repoWithImages();
    await ecr.send(new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: 'v2' }] }));
    expect(images(name)[single.digest]).toBeUndefined();
    expect(removed).toEqual([['us-east-1', name, [single.digest]]]);
  });

  it('by digest deletes the image with all its tags', async () => {
    const { name, multi, untagged } = await repoWithImages();
    const out = await ecr.send(
      new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageDigest: multi.digest }, { imageDigest: untagged.digest }] }),
    );
    expect(out.imageIds).toEqual([
      { imageDigest: multi.digest, imageTag: 'v1' },
      { imageDigest: multi.digest, imageTag: 'latest' },
      { imageDigest: untagged.digest },
    ]);
    expect(Object.keys(images(name))).toHaveLength(1);
    expect(removed).toEqual([['us-east-1', name, [multi.digest, untagged.digest]]]);
  });

  it('a digest and one of its tags in one call delete once (ids resolve against the state before the call)', async () => {
    const { name, single } = await repoWithImages();
    const out = await ecr.send(
      new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageDigest: single.digest }, { imageTag: 'v2' }] }),
    );
    expect(out.imageIds).toEqual([{ imageDigest: single.digest, imageTag: 'v2' }]);
    expect(out.failures).toEqual([]);
  });

  it('tag plus matching digest removes that tag only', async () => {
    const { name, multi } = await repoWithImages();
    const out = await ecr.send(
      new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: 'v1', imageDigest: multi.digest }] }),
    );
    expect(out.imageIds).toEqual([{ imageDigest: multi.digest, imageTag: 'v1' }]);
    expect(images(name)[multi.digest]!.tags).toEqual(['latest']);
  });

  it('reports failures per id and deletes the rest', async () => {
    const { name, single, untagged } = await repoWithImages();
    const other = digestOf('other');
    const out = await ecr.send(
      new BatchDeleteImageCommand({
        repositoryName: name,
        imageIds: [
          { imageDigest: 'sha256:xyz' },
          {},
          { imageTag: 'v2', imageDigest: other },
          { imageTag: 'gone' },
          { imageDigest: other },
          { imageDigest: untagged.digest },
        ],
      }),
    );
    expect(out.imageIds).toEqual([{ imageDigest: untagged.digest }]);
    expect(out.failures).toEqual([
      {
        imageId: { imageDigest: 'sha256:xyz' },
        failureCode: 'InvalidImageDigest',
        failureReason: "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
      },
      { imageId: {}, failureCode: 'MissingDigestAndTag', failureReason: 'Invalid request parameters: both tag and digest cannot be null' },
      {
        imageId: { imageTag: 'v2', imageDigest: other },
        failureCode: 'ImageTagDoesNotMatchDigest',
        failureReason: 'Invalid request parameters: given tag does not map to the given digest',
      },
      { imageId: { imageTag: 'gone' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
      { imageId: { imageDigest: other }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
    ]);
    expect(images(name)[single.digest]).toBeDefined();
  });

  it('refuses to delete an image a remaining manifest list still names', async () => {
    const name = repoName();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const child = seedImage(sandbox, name, { seed: `${name}-amd64` });
    const index = seedImage(sandbox, name, {
      seed: `${name}-index`,
      tags: ['multi'],
      manifestMediaType: OCI_INDEX,
      manifest: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ digest: child.digest, size: 500 }] }),
    });
    const blocked = await ecr.send(new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageDigest: child.digest }] }));
    expect(blocked.imageIds).toEqual([]);
    expect(blocked.failures).toEqual([
      {
        imageId: { imageDigest: child.digest },
        failureCode: 'ImageReferencedByManifestList',
        failureReason: `Requested image referenced by manifest list: [${index.digest}]`,
      },
    ]);
    // Deleting the list and its child together is fine.
    const both = await ecr.send(
      new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: 'multi' }, { imageDigest: child.digest }] }),
    );
    expect(both.failures).toEqual([]);
    expect(images(name)).toEqual({});
  });

  it('RepositoryNotFoundException for a missing repository', async () => {
    await expectAwsError(
      ecr.send(new BatchDeleteImageCommand({ repositoryName: 'no-such-repo', imageIds: [{ imageTag: 'v1' }] })),
      'RepositoryNotFoundException',
      notFound('no-such-repo'),
    );
  });

  it('InvalidParameterException for more than 100 ids', async () => {
    const { name } = await repoWithImages();
    await expectAwsError(
      ecr.send(
        new BatchDeleteImageCommand({ repositoryName: name, imageIds: Array.from({ length: 101 }, (_, i) => ({ imageTag: `t${i}` })) }),
      ),
      'InvalidParameterException',
      "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length less than or equal to 100'",
    );
  });
});

describe('StartImageScan and DescribeImageScanFindings', () => {
  it('records the scan request and says no scanner runs; findings say the same', async () => {
    const { name, single } = await repoWithImages();
    await expectAwsError(
      ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: name, imageId: { imageTag: 'v2' } })),
      'ScanNotFoundException',
      `Image scan does not exist for the image with '{imageDigest:'null', imageTag:'v2'}' in the repository with name '${name}' in the registry with id '${ACCOUNT}'`,
    );
    const started = await ecr.send(new StartImageScanCommand({ repositoryName: name, imageId: { imageTag: 'v2' } }));
    expect(started).toMatchObject({
      registryId: ACCOUNT,
      repositoryName: name,
      imageId: { imageDigest: single.digest, imageTag: 'v2' },
      imageScanStatus: SCAN_UNAVAILABLE,
    });
    const findings = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: name, imageId: { imageDigest: single.digest } }));
    expect(findings.imageScanStatus).toEqual(SCAN_UNAVAILABLE);
    expect(findings.imageScanFindings).toBeUndefined();
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: 'v2' }] }));
    expect(imageDetails![0]!.imageScanStatus).toEqual(SCAN_UNAVAILABLE);
  });

  it('LimitExceededException for a second scan within 24 hours', async () => {
    const { name } = await repoWithImages();
    await ecr.send(new StartImageScanCommand({ repositoryName: name, imageId: { imageTag: 'v1' } }));
    await expectAwsError(
      ecr.send(new StartImageScanCommand({ repositoryName: name, imageId: { imageTag: 'latest' } })),
      'LimitExceededException',
      'The scan quota per image has been exceeded. Wait and try again.',
    );
  });

  it('ImageNotFoundException for an image that does not exist', async () => {
    const { name } = await repoWithImages();
    await expectAwsError(
      ecr.send(new StartImageScanCommand({ repositoryName: name, imageId: { imageTag: 'v9' } })),
      'ImageNotFoundException',
      `The image with imageId {imageDigest:'null', imageTag:'v9'} does not exist within the repository with name '${name}' in the registry with id '${ACCOUNT}'`,
    );
  });
});
