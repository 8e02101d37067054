import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  GetLifecyclePolicyCommand,
  GetLifecyclePolicyPreviewCommand,
  PutLifecyclePolicyCommand,
  StartLifecyclePolicyPreviewCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { beforeEach, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/sandbox/control-api/client.js';
import type { RunLifecycleOutput } from '../../src/sandbox/control-api/operations.js';
import { ecrClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { expectAwsError, repoName, seedImage, withApiSandbox } from './api-helpers.js';

const ACCOUNT = '123456789012';
const DAY = 86_400;

let sandbox: TestSandbox;
let ecr: ECRClient;
let control: ControlClient;
let removed: Array<[string, string, string[]]>;
withApiSandbox((s, e) => {
  sandbox = s;
  ecr = e;
  control = new ControlClient({ endpoint: s.endpoint, region: s.region, credentials: s.credentials });
});
beforeEach(async () => {
  removed = [];
  sandbox.backend.onImagesRemoved = (region, repositoryName, digests) => removed.push([region, repositoryName, digests]);
  await sandbox.store.resetClock();
});

/** Keep the three newest v* images, expire untagged images after a day. */
const POLICY = JSON.stringify({
  rules: [
    { rulePriority: 1, description: 'untagged after a day', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } },
    { rulePriority: 2, description: 'keep three versions', selection: { tagStatus: 'tagged', tagPatternList: ['v*'], countType: 'imageCountMoreThan', countNumber: 3 }, action: { type: 'expire' } },
  ],
});

/** v1..v5 pushed 5..1 days ago, two untagged images (3 days and 1 hour old), and `latest`. */
async function repoWithVersions() {
  const name = repoName('lc');
  await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
  const now = sandbox.store.now();
  const versions = [1, 2, 3, 4, 5].map((n) => seedImage(sandbox, name, { seed: `${name}-v${n}`, tags: [`v${n}`], pushedAt: now - (6 - n) * DAY, sizeInBytes: 1_000_000 * n }));
  const oldUntagged = seedImage(sandbox, name, { seed: `${name}-u1`, pushedAt: now - 3 * DAY, sizeInBytes: 7 });
  const newUntagged = seedImage(sandbox, name, { seed: `${name}-u2`, pushedAt: now - 3600 });
  const latest = seedImage(sandbox, name, { seed: `${name}-latest`, tags: ['latest'], pushedAt: now - 10 * DAY });
  return { name, versions, oldUntagged, newUntagged, latest };
}

describe('StartLifecyclePolicyPreview / GetLifecyclePolicyPreview', () => {
  it('previews a candidate policy without saving or deleting anything, in botocore’s shapes', async () => {
    const { name, versions, oldUntagged } = await repoWithVersions();
    const started = await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: name, lifecyclePolicyText: POLICY }));
    expect(started).toMatchObject({ registryId: ACCOUNT, repositoryName: name, lifecyclePolicyText: POLICY, status: 'IN_PROGRESS' });
    const preview = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: name }));
    expect(preview.status).toBe('COMPLETE');
    expect(preview.lifecyclePolicyText).toBe(POLICY);
    expect(preview.summary).toEqual({ expiringImageTotalCount: 3 });
    expect(preview.previewResults).toEqual([
      { imageDigest: oldUntagged.digest, imagePushedAt: new Date(oldUntagged.pushedAt * 1000), action: { type: 'EXPIRE' }, appliedRulePriority: 1, storageClass: 'STANDARD' },
      ...versions.slice(0, 2).map((v) => ({
        imageTags: v.tags,
        imageDigest: v.digest,
        imagePushedAt: new Date(v.pushedAt * 1000),
        action: { type: 'EXPIRE' },
        appliedRulePriority: 2,
        storageClass: 'STANDARD',
      })),
    ]);
    // A preview is a dry run: every image is still there, and no policy was saved.
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: name }));
    expect(imageDetails).toHaveLength(8);
    await expectAwsError(ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name })), 'LifecyclePolicyNotFoundException', /Lifecycle policy does not exist/);
  });

  it('previews the saved policy when none is given, and filters and pages the results', async () => {
    const { name, versions, oldUntagged } = await repoWithVersions();
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: POLICY }));
    const started = await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: name }));
    expect(started.lifecyclePolicyText).toBe(JSON.stringify(JSON.parse(POLICY)));
    const tagged = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: name, filter: { tagStatus: 'TAGGED' } }));
    expect(tagged.previewResults?.map((r) => r.imageTags)).toEqual([['v1'], ['v2']]);
    expect(tagged.summary?.expiringImageTotalCount).toBe(3);
    const untagged = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: name, filter: { tagStatus: 'UNTAGGED' } }));
    expect(untagged.previewResults?.map((r) => r.imageDigest)).toEqual([oldUntagged.digest]);
    const byId = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: name, imageIds: [{ imageTag: 'v2' }, { imageTag: 'v5' }] }));
    expect(byId.previewResults?.map((r) => r.imageDigest)).toEqual([versions[1]!.digest]);
    const first = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: name, maxResults: 2 }));
    expect(first.previewResults).toHaveLength(2);
    const second = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: name, maxResults: 2, nextToken: first.nextToken }));
    expect(second.previewResults).toHaveLength(1);
    expect(second.nextToken).toBeUndefined();
    await expectAwsError(
      ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: name, maxResults: 101 })),
      'InvalidParameterException',
      "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 100'",
    );
  });

  it('refuses what ECR refuses: no preview yet, no policy to preview, an invalid candidate', async () => {
    const { name } = await repoWithVersions();
    await expectAwsError(ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: name })), 'LifecyclePolicyPreviewNotFoundException', /no lifecycle policy preview for the repository with name/);
    await expectAwsError(
      ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: name })),
      'LifecyclePolicyNotFoundException',
      `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${ACCOUNT}'`,
    );
    const tagless = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 3 }, action: { type: 'expire' } }] });
    await expectAwsError(
      ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: name, lifecyclePolicyText: tagless.padEnd(100, ' ') })),
      'InvalidParameterException',
      /Lifecycle policy validation failure: Rule 1: tagPrefixList or tagPatternList is required when tagStatus is 'tagged'/,
    );
  });
});

describe('applying lifecycle policies (the scheduler, RunLifecycle)', () => {
  it('expires exactly what the preview said, deletes through the backend and tells the registry', async () => {
    const { name, versions, oldUntagged, newUntagged, latest } = await repoWithVersions();
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: POLICY }));
    const { runs } = await control.call<RunLifecycleOutput>('RunLifecycle', { repositoryName: name });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ region: sandbox.region, repositoryName: name, transitionsSkipped: 0 });
    expect(runs[0]!.expired.map((e) => [e.imageDigest, e.appliedRulePriority, e.imageSizeInBytes])).toEqual([
      [oldUntagged.digest, 1, 7],
      [versions[0]!.digest, 2, 1_000_000],
      [versions[1]!.digest, 2, 2_000_000],
    ]);
    const left = (await ecr.send(new DescribeImagesCommand({ repositoryName: name }))).imageDetails!.map((d) => d.imageDigest).sort();
    expect(left).toEqual([versions[2]!.digest, versions[3]!.digest, versions[4]!.digest, newUntagged.digest, latest.digest].sort());
    expect(removed).toEqual([[sandbox.region, name, [oldUntagged.digest, versions[0]!.digest, versions[1]!.digest]]]);
    const policy = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name }));
    expect(policy.lastEvaluatedAt?.getTime()).toBe(Math.round(runs[0]!.evaluatedAt * 1000));
    // Applied again at once, nothing more is due.
    const again = await control.call<RunLifecycleOutput>('RunLifecycle', { repositoryName: name });
    expect(again.runs[0]!.expired).toEqual([]);
  });

  it('an untagged image expires a day after its push once the clock moves, not before', async () => {
    const { name, newUntagged } = await repoWithVersions();
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: POLICY }));
    await control.call('RunLifecycle', { repositoryName: name });
    expect(sandbox.store.state.regions[sandbox.region]!.repositories[name]!.images[newUntagged.digest]).toBeDefined();
    await control.call('AdvanceClock', { seconds: DAY });
    const { runs } = await control.call<RunLifecycleOutput>('RunLifecycle', { repositoryName: name });
    expect(runs[0]!.expired.map((e) => e.imageDigest)).toEqual([newUntagged.digest]);
  });

  it('runs every repository with a policy when none is named, and leaves the others alone', async () => {
    const withPolicy = await repoWithVersions();
    const without = await repoWithVersions();
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: withPolicy.name, lifecyclePolicyText: POLICY }));
    const { runs } = await control.call<RunLifecycleOutput>('RunLifecycle');
    expect(runs.map((r) => r.repositoryName)).toContain(withPolicy.name);
    expect(runs.map((r) => r.repositoryName)).not.toContain(without.name);
    expect(Object.keys(sandbox.store.state.regions[sandbox.region]!.repositories[without.name]!.images)).toHaveLength(8);
  });

  it('keeps an image a surviving manifest list names, as BatchDeleteImage does', async () => {
    const name = repoName('lc-index');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const now = sandbox.store.now();
    const child = seedImage(sandbox, name, { seed: `${name}-child`, pushedAt: now - 5 * DAY });
    const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: child.digest, size: 10 }] });
    seedImage(sandbox, name, { seed: `${name}-index`, manifest: index, tags: ['multi'], pushedAt: now - 4 * DAY, manifestMediaType: 'application/vnd.oci.image.index.v1+json' });
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: POLICY }));
    const { runs } = await control.call<RunLifecycleOutput>('RunLifecycle', { repositoryName: name });
    expect(runs[0]!.expired).toEqual([]);
  });
});

describe('the schedule', () => {
  it('applies policies when the sandbox starts and then on its own, without being asked', async () => {
    const own = await startTestSandbox({ withoutRegistry: true, lifecycleIntervalMs: 200 });
    const client = ecrClient(own);
    try {
      const name = 'scheduled';
      await client.send(new CreateRepositoryCommand({ repositoryName: name }));
      const now = own.store.now();
      const old = seedImage(own, name, { seed: 'old', pushedAt: now - 3 * DAY });
      await client.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: POLICY }));
      const deadline = Date.now() + 5000;
      while (own.store.state.regions[own.region]!.repositories[name]!.images[old.digest] && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(own.store.state.regions[own.region]!.repositories[name]!.images[old.digest]).toBeUndefined();
      // A policy that came due while the sandbox was stopped acts when it starts again.
      const late = seedImage(own, name, { seed: 'late', pushedAt: now - 3 * DAY });
      await own.store.save();
      await own.stop();
      const again = await startTestSandbox({ dir: own.dir, withoutRegistry: true, lifecycleIntervalMs: 0 });
      try {
        await new Promise((r) => setTimeout(r, 200));
        expect(again.store.state.regions[again.region]!.repositories[name]!.images[late.digest]).toBeUndefined();
      } finally {
        await again.stop();
      }
    } finally {
      client.destroy();
      await own.stop();
    }
  });
});
