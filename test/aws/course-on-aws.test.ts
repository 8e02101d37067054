import { ListTagsForResourceCommand, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import fs from 'node:fs';
import path from 'node:path';
import { SECOND_ACCOUNT_ID } from '../../src/sandbox/config.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planCleanup } from '../../src/aws/cleanup.js';
import { ensureBusyboxBase, workbookOnPath } from '../../src/runner/course-check.js';
import { removeRepositoryImages } from '../../src/docker/cli.js';
import { rememberConfirmation } from '../../src/aws/confirmation.js';
import { openSession } from '../../src/runner/session.js';
import { ecrClient, installedAwsClis, tempDir } from '../helpers/sandbox.js';
import { failures, replayAwsCourse, sh } from '../live/aws-replay.js';
import { awsOnSandbox, type AwsOnSandbox } from './helpers.js';
import { BEFORE_EACH_STEP } from '../helpers/learner.js';

// The whole course on the aws target's code path (lessons rendered for AWS, the aws target's
// credentials and identity, the ownership tags, cleanup), with the real aws and docker CLIs,
// against a sandbox standing in for AWS. test/live runs the same replay on real AWS.

const aws = installedAwsClis()[0]!;
const repo = `awspath-${process.pid}`;
let t: AwsOnSandbox;

beforeAll(async () => {
  t = await awsOnSandbox({ withoutRegistry: false });
}, 180_000);
afterAll(async () => {
  await t?.stop();
});

describe('the course on the aws target, against a sandbox', () => {
  it('every step but lesson 02 (its credentials are this run\'s precondition) fails first with its diagnosis, then passes after the AWS lessons\' commands (lesson 05 with the offline build); lesson 03 tags the repository; nothing is left', { timeout: 300_000 }, async () => {
    const work = tempDir('ecrwb-awspath-');
    // Lesson 11's precondition on AWS: a profile `partner` for the learner's second account (here
    // the sandbox's), and its id told to the workbook (--partner-account).
    const second = t.sandbox.iam.secondAccountKey()!;
    fs.appendFileSync(path.join(t.home, 'aws-credentials'), `[partner]\naws_access_key_id = ${second.accessKeyId}\naws_secret_access_key = ${second.secretAccessKey}\n`);
    fs.appendFileSync(path.join(t.home, 'aws-config'), `[profile partner]\nregion = us-east-1\n`);
    const session = await openSession({ home: t.freshState(), target: 'aws', region: 'us-east-1', learner: 'ci', repo, partnerAccount: SECOND_ACCOUNT_ID });
    // Docker's registry host is the sandbox's; every other value is what AWS would give.
    const resolved = await t.resolve({ learner: 'ci', repo, registryHost: t.sandbox.registryHost });
    expect(resolved.repositoryName).toBe(`ci/${repo}`);
    // Lesson 15 runs `ecr-workbook ci run`: the workbook on PATH, the account already confirmed (as the learner did when the course began).
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${workbookOnPath(work)}:${path.dirname(aws.path)}:${process.env.PATH}`,
      DOCKER_CONFIG: path.join(work, 'docker'),
      AWS_PAGER: '',
      LANG: 'C.UTF-8',
    };
    await rememberConfirmation(path.dirname(session.store.file), resolved.accountId, resolved.region, resolved.callerArn);
    await ensureBusyboxBase(env, work);
    let tags: Record<string, string> = {};
    const steps = await replayAwsCourse({
      session,
      resolved,
      env,
      cwd: work,
      endpointUrl: t.sandbox.endpoint,
      offlineBuild: true,
      onStep: async (step) => {
        if (step.step !== 'create-repository') return;
        const ecr = ecrClient(t.sandbox);
        const [created] = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [`ci/${repo}`] }))).repositories ?? [];
        const out = await ecr.send(new ListTagsForResourceCommand({ resourceArn: created!.repositoryArn! }));
        tags = Object.fromEntries((out.tags ?? []).map((tag) => [tag.Key!, tag.Value!]));
      },
    });
    try {
      expect(failures(steps), failures(steps).join('\n\n')).toEqual([]);
      expect(steps).toHaveLength(session.course.steps.length);
      // What each check said before its step: lesson 02 passes already (the credentials exist), and
      // so does lesson 11's partner profile (on AWS it is the precondition set up above).
      expect(Object.fromEntries(steps.map((s) => [s.step, s.before === 'pass' ? 'pass' : s.beforeDiagnosis]))).toEqual({ ...BEFORE_EACH_STEP, 'caller-identity': 'pass', 'partner-profile': 'pass' });
      expect(steps.flatMap((s) => s.commands.filter((c) => c.code !== 0))).toEqual([]);
      expect(tags).toEqual({ 'created-by': 'ecr-workbook', 'ecr-workbook-learner': 'ci' });
      const plan = await planCleanup(resolved, { progress: session.store.progress });
      expect(plan.owned).toEqual([]);
      // Lesson 10 deleted its user (ci-ci-reader, for learner ci), and lesson 11 the second account's.
      expect(plan.users).toEqual([]);
      expect(steps.find((s) => s.step === 'create-ci-user')?.afterSummary).toContain('ci-ci-reader can log in and pull');
    } finally {
      await sh(`docker rmi -f ${repo}:v1 >/dev/null 2>&1 || true`, env, work);
      await removeRepositoryImages(`${t.sandbox.registryHost}/ci/${repo}`, { client: 'docker', env });
    }
  });
});
