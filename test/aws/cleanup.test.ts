import { CreateRepositoryCommand, DescribeRepositoriesCommand, type Tag } from '@aws-sdk/client-ecr';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, GetUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsStatusLeftovers, deleteOwned, leftoverSummary, planCleanup } from '../../src/aws/cleanup.js';
import { formatUsd, monthlyStorageUsd } from '../../src/aws/cost.js';
import { ProgressStore } from '../../src/progress/store.js';
import type { ResolvedTarget } from '../../src/targets/index.js';
import { ecrClient, iamClient } from '../helpers/sandbox.js';
import { seedImage } from '../sandbox/api-helpers.js';
import { awsOnSandbox, cli, type AwsOnSandbox } from './helpers.js';

// `ecr-workbook cleanup` deletes what the course created (its tags, or the learner's progress)
// and nothing else, with each repository's images, size and monthly cost shown first.

const COURSE: Tag[] = [{ Key: 'created-by', Value: 'ecr-workbook' }];
const owner = (learner: string): Tag[] => [...COURSE, { Key: 'ecr-workbook-learner', Value: learner }];

let t: AwsOnSandbox;
const host = (region: string) => `${t.sandbox.accountId}.dkr.ecr.${region}.amazonaws.com`;

async function create(name: string, tags: Tag[] = [], region = 'us-east-1', images: number[] = []): Promise<void> {
  await ecrClient(t.sandbox, { region }).send(new CreateRepositoryCommand({ repositoryName: name, ...(tags.length ? { tags } : {}) }));
  images.forEach((size, i) => seedImage(t.sandbox, name, { seed: `${name}-${region}-${i}`, tags: [`v${i + 1}`], sizeInBytes: size }, region));
}

async function names(region = 'us-east-1'): Promise<string[]> {
  const out = await ecrClient(t.sandbox, { region }).send(new DescribeRepositoriesCommand({}));
  return (out.repositories ?? []).map((r) => r.repositoryName!).sort();
}

/** A progress that recorded these repository URIs in a check's evidence, as the checks do. */
async function progressWith(state: string, uris: string[]): Promise<ProgressStore> {
  const { store } = await ProgressStore.open({ home: state, target: 'aws' });
  await store.setSettings({ target: 'aws' });
  await store.markPassed('create-repository', { summary: 'ok', evidence: uris.map((u) => `Repository: ${u}`) });
  return store;
}

beforeAll(async () => {
  t = await awsOnSandbox();
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('a shared account: learner alice', () => {
  let resolved: ResolvedTarget;
  let store: ProgressStore;

  beforeAll(async () => {
    await create('alice/demo-app', owner('alice'), 'us-east-1', [50_000_000, 30_000_000]);
    await create('bob/demo-app', owner('bob'), 'us-east-1', [20_000_000]);
    await create('alice/old-try'); // untagged, but alice's progress recorded it
    await create('alice/demo-app', owner('alice'), 'us-west-2', [1_000]); // made in the wrong region; progress saw it there
    await create('prod-api'); // progress recorded it, but on the sandbox: a different registry
    await create('payments'); // the account's own business
    store = await progressWith(t.freshState(), [`${host('us-east-1')}/alice/old-try`, `${host('us-west-2')}/alice/demo-app`, 'localhost:5123/prod-api']);
    resolved = await t.resolve({ learner: 'alice' });
  });

  it('plans: owned by tag or progress, with images, size and cost; other learners and strangers are left alone', async () => {
    const plan = await planCleanup(resolved, { progress: store.progress });
    expect(plan).toMatchObject({ target: 'aws', region: 'us-east-1', free: false, otherLearners: 1, listedAll: true, notOwned: [] });
    const owned = plan.owned.map((r) => [r.name, r.region, r.ownership, r.images, r.bytes]);
    expect(owned).toEqual(
      expect.arrayContaining([
        ['alice/demo-app', 'us-east-1', 'tagged', 2, 80_000_000],
        ['alice/old-try', 'us-east-1', 'in-progress', 0, 0],
        ['alice/demo-app', 'us-west-2', 'tagged', 1, 1_000],
      ]),
    );
    expect(owned).toHaveLength(3);
    expect(plan.monthlyUsd).toBeCloseTo(monthlyStorageUsd(80_001_000));
    expect(formatUsd(plan.owned.find((r) => r.images === 2)!.monthlyUsd)).toBe('$0.0080');
  });

  it('--dry-run shows the same and deletes nothing', async () => {
    const before = await names();
    const dry = await cli('cleanup', '--dry-run', '--learner', 'alice', '--target', 'aws', '--yes');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`On AWS, account ${t.sandbox.accountId}, us-east-1.`);
    expect(dry.stdout).toContain('alice/demo-app (us-east-1): 2 images, 80.0 MB, about $0.0080 a month');
    expect(dry.stdout).toContain('alice/old-try (us-east-1): 0 images, 0 B');
    expect(dry.stdout).toContain('alice/demo-app (us-west-2): 1 image, 1.0 kB');
    expect(dry.stdout).toContain('1 more repository was created by the course for other learners');
    expect(dry.stdout).toContain('Dry run: nothing was deleted.');
    expect(dry.stdout).not.toContain('bob/demo-app');
    expect(dry.stdout).not.toContain('payments');
    expect(await names()).toEqual(before);

    const json = JSON.parse((await cli('cleanup', '--dry-run', '--json')).stdout);
    expect(json).toMatchObject({ target: 'aws', account: t.sandbox.accountId, region: 'us-east-1', free: false, dryRun: true, otherLearners: 1 });
    expect(json.repositories.map((r: { name: string; action: string }) => `${r.name}:${r.action}`).sort()).toEqual([
      'alice/demo-app:would-delete',
      'alice/demo-app:would-delete',
      'alice/old-try:would-delete',
    ]);
    expect(await names()).toEqual(before);
  });

  it('refuses to delete without --yes when there is no terminal', async () => {
    const before = await names();
    const refused = await cli('cleanup');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('ecr-workbook cleanup --yes');
    expect(await names()).toEqual(before);
  });

  it('deletes only what alice owns, in every region it is in', async () => {
    const done = await cli('cleanup', '--yes');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('Deleted alice/demo-app (us-east-1).');
    expect(done.stdout).toContain('Deleted alice/demo-app (us-west-2).');
    expect(done.stdout).toContain('Deleted alice/old-try (us-east-1).');
    expect(await names()).toEqual(['bob/demo-app', 'payments', 'prod-api']);
    expect(await names('us-west-2')).toEqual([]);
    const left = await leftoverSummary(resolved, store.progress);
    expect(left.text).toBe('Nothing the course created is left on AWS in us-east-1.');
  });
});

describe('one learner per account: the course repository is demo-app', () => {
  it('an untagged demo-app the progress never saw survives (reported); a tagged one is deleted', async () => {
    await create('demo-app', [], 'eu-central-1', [5_000_000]); // someone's own, same name
    await create('demo-app', COURSE, 'eu-west-1', [5_000_000]); // the course's
    t.freshState();

    const foreign = await cli('--target', 'aws', '--region', 'eu-central-1', 'cleanup', '--yes');
    expect(foreign.code).toBe(0);
    expect(foreign.stdout).toContain('Nothing the course created is left.');
    expect(foreign.stdout).toContain('Left alone, because the workbook cannot show the course created them');
    expect(foreign.stdout).toContain('demo-app (eu-central-1): 1 image, 5.0 MB');
    expect(await names('eu-central-1')).toEqual(['demo-app']);

    const ours = await cli('--region', 'eu-west-1', 'cleanup', '--yes', '--json');
    expect(ours.code).toBe(0);
    expect(JSON.parse(ours.stdout).repositories).toMatchObject([{ name: 'demo-app', region: 'eu-west-1', ownership: 'tagged', action: 'deleted', images: 1, bytes: 5_000_000 }]);
    expect(await names('eu-west-1')).toEqual([]);
  });

  it('says what is left and what it costs (quitting mid-course, status on AWS)', async () => {
    await create('demo-app', COURSE, 'ap-south-1', [250_000_000]);
    const resolved = await t.resolve({ region: 'ap-south-1' });
    const left = await leftoverSummary(resolved, { steps: {} });
    expect(left.text).toBe(
      [
        'Still on AWS in ap-south-1, about $0.025 a month until deleted:',
        '  demo-app (ap-south-1): 1 image, 250.0 MB, about $0.025 a month',
        'Lesson 09 deletes it; so does `ecr-workbook cleanup` (add --dry-run to look first).',
      ].join('\n'),
    );
    // `status` on AWS resolves the target itself, without the confirmation (looking is free).
    const status = await awsStatusLeftovers({ region: 'ap-south-1', profile: 'ecr-workbook' }, { steps: {} });
    expect(status.text).toBe(left.text);
    expect(await deleteOwned(resolved, left.plan!)).toEqual([{ name: 'demo-app', region: 'ap-south-1', deleted: true }]);
    expect((await awsStatusLeftovers({ region: 'ap-south-1', profile: 'ecr-workbook' }, { steps: {} })).text).toBe('Nothing the course created is left on AWS in ap-south-1.');
    const noCreds = await awsStatusLeftovers({ region: 'ap-south-1', profile: 'not-configured-yet' }, { steps: {} });
    expect(noCreds.text).toMatch(/^Could not list what the course left on AWS: No AWS credentials/);
  });
});

describe('the sandbox target', () => {
  it('works the same, and says it is free', async () => {
    await create('sandbox-course', COURSE, 'sa-east-1', [40_000_000]);
    const resolved: ResolvedTarget = {
      target: 'sandbox',
      region: 'sa-east-1',
      accountId: t.sandbox.accountId,
      registryHost: t.sandbox.registryHost,
      repositoryName: 'sandbox-course',
      endpoint: t.sandbox.endpoint,
      credentials: t.sandbox.credentials,
      learnerCredentials: async () => t.sandbox.credentials,
    };
    const plan = await planCleanup(resolved, { progress: { steps: {} } });
    expect(plan.free).toBe(true);
    expect(plan.owned.map((r) => r.name)).toEqual(['sandbox-course']);
    const left = await leftoverSummary(resolved, { steps: {} });
    expect(left.text).toContain('Still in the sandbox (free):');
    expect(left.text).toContain('would cost about $0.0040 a month on AWS');
    await deleteOwned(resolved, plan);
    expect(await names('sa-east-1')).toEqual([]);
  });
});

describe("lesson 10's IAM user", () => {
  const iam = () => iamClient(t.sandbox);
  const tags = (learner?: string) => [{ Key: 'created-by', Value: 'ecr-workbook' }, ...(learner ? [{ Key: 'ecr-workbook-learner', Value: learner }] : [])];
  async function makeUser(name: string, userTags: Array<{ Key: string; Value: string }>): Promise<void> {
    const client = iam();
    await client.send(new CreateUserCommand({ UserName: name, ...(userTags.length ? { Tags: userTags } : {}) }));
    await client.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly' }));
    await client.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'extra', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:DescribeImages', Resource: '*' }] }) }));
    await client.send(new CreateAccessKeyCommand({ UserName: name }));
    client.destroy();
  }
  const exists = async (name: string) => {
    const client = iam();
    try {
      await client.send(new GetUserCommand({ UserName: name }));
      return true;
    } catch {
      return false;
    } finally {
      client.destroy();
    }
  };

  it('deletes the course-tagged ci-reader, keys and policies first; a dry run and the JSON say so first', async () => {
    await makeUser('ci-reader', tags('default'));
    t.freshState();
    const dry = await cli('--target', 'aws', '--region', 'us-east-1', 'cleanup', '--dry-run', '--yes');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("Lesson 10's IAM user (tagged created-by=ecr-workbook), deleted with its keys and policies:");
    expect(dry.stdout).toContain('IAM user ci-reader: 1 access key, 2 policies');
    expect(dry.stdout).not.toContain('Nothing the course created is left.');
    expect(await exists('ci-reader')).toBe(true);

    const done = await cli('--region', 'us-east-1', 'cleanup', '--yes', '--json');
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout).users).toMatchObject([{ name: 'ci-reader', ownership: 'tagged', keys: 1, policies: 2, action: 'deleted' }]);
    expect(await exists('ci-reader')).toBe(false);
  });

  it('never touches a user of that name it cannot show the course made, nor one tagged for another learner', async () => {
    await makeUser('ci-reader', []); // someone's own user, with the course's user name
    await makeUser('alice-ci-reader', tags('bob')); // the course's, but for bob
    t.freshState();
    const mine = await cli('--target', 'aws', '--region', 'us-east-1', 'cleanup', '--yes');
    expect(mine.code).toBe(0);
    expect(mine.stdout).toContain('Left alone, because the workbook cannot show the course created it');
    expect(mine.stdout).toContain('IAM user ci-reader: 1 access key, 2 policies (IAM users cost nothing; an unused key is a risk) (no created-by=ecr-workbook tag)');
    expect(await exists('ci-reader')).toBe(true);

    const alice = await cli('--region', 'us-east-1', '--learner', 'alice', 'cleanup', '--yes', '--json');
    expect(alice.code).toBe(0);
    expect(JSON.parse(alice.stdout).users).toMatchObject([{ name: 'alice-ci-reader', ownership: 'other-learner', learner: 'bob', action: 'kept' }]);
    expect(await exists('alice-ci-reader')).toBe(true);
    const status = await awsStatusLeftovers({ region: 'us-east-1', profile: 'ecr-workbook', learner: 'alice' }, { steps: {} });
    expect(status.text).not.toContain('alice-ci-reader');
  });
});
