import fs from 'node:fs';
import path from 'node:path';
import { CreateRepositoryCommand, DeleteRepositoryCommand, DescribeRepositoriesCommand, GetAuthorizationTokenCommand, ListImagesCommand, type Tag } from '@aws-sdk/client-ecr';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthlyStorageUsd } from '../../src/aws/cost.js';
import type { BoardView } from '../../src/classroom/board.js';
import { ProgressStore } from '../../src/progress/store.js';
import { awsOnSandbox, cli, type AwsOnSandbox } from '../aws/helpers.js';
import { createUser, type TestUser } from '../helpers/iam.js';
import { cliWith, ecrClient, installedAwsClis, isolatedCliEnv, tempDir } from '../helpers/sandbox.js';
import { seedImage } from '../sandbox/api-helpers.js';
import { startTestClassroom } from './helpers.js';

// A classroom on a shared AWS account, run against the sandbox's endpoint (the same code as on
// AWS): the room's policies, a learner joining and checking on the aws target, the board reading
// the real ECR state of each prefix, and the sweep deleting exactly what the room's tags show it
// created, with the cost, while foreign repositories of the same names survive.

const COURSE: Tag[] = [{ Key: 'created-by', Value: 'ecr-workbook' }];
const owner = (learner: string): Tag[] => [...COURSE, { Key: 'ecr-workbook-learner', Value: learner }];

let t: AwsOnSandbox;
let room: { code: string; url: string };
let aliceEnv: NodeJS.ProcessEnv;

async function create(name: string, tags: Tag[], images: number[] = [], region = 'us-east-1'): Promise<void> {
  await ecrClient(t.sandbox, { region }).send(new CreateRepositoryCommand({ repositoryName: name, ...(tags.length ? { tags } : {}) }));
  images.forEach((size, i) => seedImage(t.sandbox, name, { seed: `${name}-${region}-${i}`, tags: [`v${i + 1}`], sizeInBytes: size }, region));
}

async function names(region = 'us-east-1'): Promise<string[]> {
  const out = await ecrClient(t.sandbox, { region }).send(new DescribeRepositoriesCommand({}));
  return (out.repositories ?? []).map((r) => r.repositoryName!).sort();
}

const report = async (): Promise<BoardView> => JSON.parse((await cli('classroom', 'report', '--json')).stdout);

beforeAll(async () => {
  t = await awsOnSandbox();
  const started = await cli('--target', 'aws', '--profile', 'ecr-workbook', 'classroom', 'start', '--port', '0', '--learners', 'alice,bob', '--ecr-poll', '1', '--json');
  expect(started.code, started.stderr).toBe(0);
  const runtime = JSON.parse(started.stdout);
  room = { code: runtime.code, url: runtime.urls[0] };
  expect(runtime).toMatchObject({ target: 'aws', region: 'us-east-1', accountId: t.sandbox.accountId, learners: 2 });
  aliceEnv = { ...process.env, ECR_WORKBOOK_HOME: tempDir('ecrwb-alice-state-') };
}, 120_000);

afterAll(async () => {
  await cli('classroom', 'stop');
  await t?.stop();
});

describe('a classroom on a shared AWS account', () => {
  it("writes each listed learner's policy at start: their prefix only, in the room's region and account, plus logging in", async () => {
    const roster = await cli('classroom', 'roster', '--json');
    expect(roster.code).toBe(0);
    const { learners, accountId, region } = JSON.parse(roster.stdout);
    expect([accountId, region]).toEqual([t.sandbox.accountId, 'us-east-1']);
    expect(learners.map((l: { name: string; joined: boolean; prefix: string; repository: string }) => [l.name, l.joined, l.prefix, l.repository])).toEqual([
      ['alice', false, 'alice/', 'alice/demo-app'],
      ['bob', false, 'bob/', 'bob/demo-app'],
    ]);
    const alice = learners[0];
    expect(alice.policy.Statement).toEqual([
      { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      expect.objectContaining({ Sid: 'OwnPrefixOnly', Effect: 'Allow', Resource: `arn:aws:ecr:us-east-1:${t.sandbox.accountId}:repository/alice/*` }),
    ]);
    expect(alice.policy.Statement[1].Action).toEqual(expect.arrayContaining(['ecr:CreateRepository', 'ecr:PutImage', 'ecr:DeleteRepository', 'ecr:ListTagsForResource']));
    expect(JSON.parse(fs.readFileSync(alice.policyFile, 'utf8'))).toEqual(alice.policy);
    expect(alice.policyFile).toBe(path.join(t.state, 'classroom', 'policies', 'alice.json'));
    expect(JSON.parse((await cli('classroom', 'roster', '--policy', 'alice')).stdout)).toEqual(alice.policy);
    const text = (await cli('classroom', 'roster')).stdout;
    expect(text).toContain(`Shared AWS account ${t.sandbox.accountId}, us-east-1.`);
    expect(text).toContain(`aws iam put-user-policy --user-name alice --policy-name ecr-workbook-classroom --policy-document file://${alice.policyFile}`);
    expect((await cli('classroom', 'roster', '--policy', 'mallory')).code).toBe(1);
  });

  it('a learner joins with one command: their target becomes aws in the room region, under their prefix, and their checks report', async () => {
    const joined = await cliWith(aliceEnv, 'join', room.url, room.code, '--name', 'alice');
    expect(joined.code, joined.stderr).toBe(0);
    expect(joined.stdout).toContain('your target is now aws in us-east-1, and your repositories are alice/… (your repository: alice/demo-app)');
    const progress = (await ProgressStore.open({ home: aliceEnv.ECR_WORKBOOK_HOME })).store.progress;
    expect(progress).toMatchObject({ target: 'aws', region: 'us-east-1', learner: 'alice', classroom: { name: 'alice', target: 'aws' } });
    // A name that cannot be a repository prefix is refused on a shared account.
    const upper = await cliWith({ ...process.env, ECR_WORKBOOK_HOME: tempDir('ecrwb-x-') }, 'join', room.url, room.code, '--name', 'Bob Smith');
    expect(upper.code).toBe(1);
    expect(upper.stderr).toContain('your name is your repository prefix');

    // A learner the instructor did not list gets a policy as they join.
    const dave = await cliWith({ ...process.env, ECR_WORKBOOK_HOME: tempDir('ecrwb-dave-') }, 'join', room.url, room.code, '--name', 'dave');
    expect(dave.code, dave.stderr).toBe(0);
    await expect.poll(() => fs.existsSync(path.join(t.state, 'classroom', 'policies', 'dave.json'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(t.state, 'classroom', 'policies', 'dave.json'), 'utf8')).Statement[1].Resource).toBe(`arn:aws:ecr:us-east-1:${t.sandbox.accountId}:repository/dave/*`);

    expect((await cliWith(aliceEnv, 'check', 'create-repository', '--yes')).code).toBe(1);
    await create('alice/demo-app', owner('alice'), [40_000_000, 10_000_000]);
    await ecrClient(t.sandbox).send(new (await import('@aws-sdk/client-ecr')).PutImageScanningConfigurationCommand({ repositoryName: 'alice/demo-app', imageScanningConfiguration: { scanOnPush: true } }));
    await ecrClient(t.sandbox).send(new (await import('@aws-sdk/client-ecr')).PutImageTagMutabilityCommand({ repositoryName: 'alice/demo-app', imageTagMutability: 'IMMUTABLE' }));
    const passed = await cliWith(aliceEnv, 'check', 'create-repository', '--yes');
    expect(passed.code, passed.stdout).toBe(0);
    const view = await report();
    const row = view.learners.find((l) => l.name === 'alice')!;
    expect(row).toMatchObject({ joined: true, cells: { 'create-repository': { state: 'passed', attempts: 2 } } });
  });

  it("shows the real ECR state of each learner's prefix beside their checks, with the ownership tags", async () => {
    await create('bob/demo-app', owner('bob'), [5_000_000]);
    await create('bob/notes', []); // under bob's prefix, but nothing says the course made it
    await create('alice/side', owner('carol')); // tagged for someone outside this room
    await create('carol/demo-app', owner('carol'), [1_000_000]); // another room's learner
    await create('demo-app', [], [2_000_000]); // the account's own, same name as the course's
    await create('alice/demo-app', [], [3_000_000], 'us-west-2'); // the same name, another region, untagged
    await expect.poll(async () => (await report()).ecr?.learners.bob?.length, { timeout: 15_000, interval: 300 }).toBe(2);
    const ecr = (await report()).ecr!;
    expect(ecr).toMatchObject({ region: 'us-east-1', accountId: t.sandbox.accountId });
    expect(ecr.error).toBeUndefined();
    const shown = Object.fromEntries(Object.entries(ecr.learners).map(([name, repos]) => [name, repos.map((r) => [r.name, r.ownership, r.images])]));
    expect(shown).toEqual({
      alice: [
        ['alice/demo-app', 'tagged', 2],
        ['alice/side', 'other-learner', 0],
      ],
      bob: [
        ['bob/demo-app', 'tagged', 1],
        ['bob/notes', 'not-owned', 0],
      ],
      dave: [],
    });
    expect(ecr.monthlyUsd).toBeCloseTo(monthlyStorageUsd(55_000_000));
    expect(ecr.monthlyCost).toBe('$0.0055');
  });

  it('sweep --dry-run shows exactly what the room created, with the cost, and what it keeps and why; deletes nothing', async () => {
    const before = await names();
    const dry = await cli('classroom', 'sweep', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan).toMatchObject({ target: 'aws', account: t.sandbox.accountId, region: 'us-east-1', dryRun: true, otherLearners: 1, learners: ['alice', 'bob', 'dave'] });
    expect(plan.monthlyUsd).toBeCloseTo(monthlyStorageUsd(45_000_000));
    expect(plan.repositories.map((r: { name: string; action: string; ownership: string }) => `${r.name}:${r.action}:${r.ownership}`).sort()).toEqual([
      'alice/demo-app:would-delete:tagged',
      'alice/side:kept:other-learner',
      'bob/demo-app:would-delete:tagged',
      'bob/notes:kept:not-owned',
    ]);
    const text = (await cli('classroom', 'sweep', '--dry-run')).stdout;
    expect(text).toContain(`Sweeping what the classroom's 3 learners created on AWS, account ${t.sandbox.accountId}, us-east-1.`);
    expect(text).toContain('alice/demo-app (us-east-1): 2 images, 50.0 MB, about $0.0050 a month');
    expect(text).toContain('Together about $0.0055 a month until deleted.');
    expect(text).toContain("alice/side (us-east-1): 0 images, 0 B, about $0.00 a month (the course made it for 'carol', who is not in this room)");
    expect(text).toContain("bob/notes (us-east-1): 0 images, 0 B, about $0.00 a month (not tagged as the course's for this learner)");
    expect(text).toContain('1 more repository was created by the course for learners outside this room');
    expect(text).toContain('Dry run: nothing was deleted.');
    const refused = await cli('classroom', 'sweep');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Nothing was deleted');
    expect(await names()).toEqual(before);
  });

  it('sweep deletes only the room’s tagged repositories; foreign ones of the same names survive', async () => {
    const swept = await cli('classroom', 'sweep', '--yes');
    expect(swept.code, swept.stderr).toBe(0);
    expect(swept.stdout).toContain('Deleted alice/demo-app (us-east-1).');
    expect(swept.stdout).toContain('Deleted bob/demo-app (us-east-1).');
    expect(swept.stdout).toContain('The room left nothing behind on AWS.');
    expect(await names()).toEqual(['alice/side', 'bob/notes', 'carol/demo-app', 'demo-app']);
    expect(await names('us-west-2')).toEqual(['alice/demo-app']);
    const again = JSON.parse((await cli('classroom', 'sweep', '--json')).stdout);
    expect(again.repositories.filter((r: { action: string }) => r.action !== 'kept')).toEqual([]);
  });
});

describe("each learner's policy, enforced by the sandbox's IAM", () => {
  it("keeps a learner out of another's prefix, while their own works; the sweep then leaves nothing behind", async () => {
    const roster = JSON.parse((await cli('classroom', 'roster', '--json')).stdout) as { learners: Array<{ name: string; policy: object }> };
    const policyOf = (name: string) => JSON.stringify(roster.learners.find((l) => l.name === name)!.policy);
    // As the roster says: a user per learner, the learner's policy put on it, an access key.
    const [alice, bob] = [await createUser(t.sandbox, 'alice', { inline: { 'ecr-workbook-classroom': policyOf('alice') } }), await createUser(t.sandbox, 'bob', { inline: { 'ecr-workbook-classroom': policyOf('bob') } })];
    const as = (user: TestUser) => ecrClient(t.sandbox, { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
    const denied = (user: TestUser, action: string, repository: string) =>
      expect.objectContaining({
        name: 'AccessDeniedException',
        message: `User: ${user.arn} is not authorized to perform: ecr:${action} on resource: arn:aws:ecr:us-east-1:${t.sandbox.accountId}:repository/${repository} because no identity-based policy allows the ecr:${action} action`,
      });

    // Each creates their own repository, tagged as lesson 03 does: allowed.
    await as(alice).send(new CreateRepositoryCommand({ repositoryName: 'alice/demo-app', tags: owner('alice') }));
    await as(bob).send(new CreateRepositoryCommand({ repositoryName: 'bob/demo-app', tags: owner('bob') }));
    await as(alice).send(new GetAuthorizationTokenCommand({}));
    expect((await as(alice).send(new DescribeRepositoriesCommand({ repositoryNames: ['alice/demo-app'] }))).repositories).toHaveLength(1);

    // Bob's prefix is closed to alice, whatever she tries.
    await expect(as(alice).send(new CreateRepositoryCommand({ repositoryName: 'bob/sneaky' }))).rejects.toEqual(denied(alice, 'CreateRepository', 'bob/sneaky'));
    await expect(as(alice).send(new DescribeRepositoriesCommand({ repositoryNames: ['bob/demo-app'] }))).rejects.toEqual(denied(alice, 'DescribeRepositories', 'bob/demo-app'));
    await expect(as(alice).send(new DeleteRepositoryCommand({ repositoryName: 'bob/demo-app', force: true }))).rejects.toEqual(denied(alice, 'DeleteRepository', 'bob/demo-app'));
    await expect(as(bob).send(new ListImagesCommand({ repositoryName: 'alice/demo-app' }))).rejects.toEqual(denied(bob, 'ListImages', 'alice/demo-app'));
    // And outside any prefix.
    await expect(as(alice).send(new CreateRepositoryCommand({ repositoryName: 'demo-app-2' }))).rejects.toEqual(denied(alice, 'CreateRepository', 'demo-app-2'));

    // The real aws CLI, as the learner types it, sees the same refusal.
    const awsCli = installedAwsClis()[0]!;
    const env = isolatedCliEnv({ region: 'us-east-1', credentials: { ...t.sandbox.credentials, accessKeyId: alice.accessKeyId, secretAccessKey: alice.secretAccessKey } });
    const refused = await execa(awsCli.path, ['ecr', 'delete-repository', '--repository-name', 'bob/demo-app', '--force', '--endpoint-url', t.sandbox.endpoint], { env, extendEnv: false, reject: false });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain(`AccessDeniedException`);
    expect(refused.stderr).toContain(`User: ${alice.arn} is not authorized to perform: ecr:DeleteRepository on resource: arn:aws:ecr:us-east-1:${t.sandbox.accountId}:repository/bob/demo-app`);
    expect(await names()).toEqual(expect.arrayContaining(['alice/demo-app', 'bob/demo-app']));

    const swept = await cli('classroom', 'sweep', '--yes', '--json');
    expect(JSON.parse(swept.stdout).repositories.filter((r: { action: string }) => r.action === 'deleted').map((r: { name: string }) => r.name).sort()).toEqual(['alice/demo-app', 'bob/demo-app']);
    expect(await names()).toEqual(['alice/side', 'bob/notes', 'carol/demo-app', 'demo-app']);
  });
});

describe('what the aws room needs', () => {
  it('the instructor’s own working credentials', async () => {
    const env = { ...process.env, ECR_WORKBOOK_HOME: tempDir('ecrwb-nocreds-') };
    const started = await cliWith(env, '--target', 'aws', '--region', 'us-east-1', '--profile', 'not-configured', 'classroom', 'start', '--port', '0');
    expect(started.code).toBe(2);
    expect(started.stderr).toContain("A classroom on a shared AWS account needs the instructor's own credentials");
    expect((await cliWith(env, 'classroom', 'status')).code).toBe(1);
  });

  it('the same account when a saved room opens again', async () => {
    const dir = tempDir('ecrwb-aws-room-');
    const first = await startTestClassroom({ dir, target: 'aws', profile: 'ecr-workbook' });
    expect(first.room.state).toMatchObject({ accountId: t.sandbox.accountId, region: 'us-east-1', profile: 'ecr-workbook' });
    await first.stop();
    const file = path.join(dir, 'room.json');
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), accountId: '111122223333' }));
    await expect(startTestClassroom({ dir })).rejects.toThrow(`The room was opened on AWS account 111122223333, but these credentials are for account ${t.sandbox.accountId}.`);
  });

  it('a sandbox room has nothing on AWS to sweep', async () => {
    const env = { ...process.env, ECR_WORKBOOK_HOME: tempDir('ecrwb-sandbox-room-') };
    expect((await cliWith(env, 'classroom', 'sweep')).code).toBe(1); // no room yet
    const started = await cliWith(env, 'classroom', 'start', '--port', '0');
    expect(started.code, started.stderr).toBe(0);
    try {
      expect((await cliWith(env, 'classroom', 'sweep')).stdout).toContain('A sandbox room keeps nothing on AWS');
      expect((await cliWith(env, 'classroom', 'roster')).stdout).toContain('there are no IAM policies to hand out');
    } finally {
      await cliWith(env, 'classroom', 'stop');
    }
  });
});
