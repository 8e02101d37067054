import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { confirmAwsTarget } from '../../src/aws/confirmation.js';
import { deleteOwned, planCleanup } from '../../src/aws/cleanup.js';
import { workbookOnPath } from '../../src/runner/course-check.js';
import { removeRepositoryImages } from '../../src/docker/cli.js';
import { renderCommand } from '../../src/course/render.js';
import { solutionFor } from '../../src/course/target.js';
import { templateVars } from '../../src/runner/session.js';
import { openSession, type Session } from '../../src/runner/session.js';
import { resolveAws } from '../../src/targets/aws.js';
import type { ResolvedTarget } from '../../src/targets/index.js';
import type { CourseStep } from '../../src/course/load.js';
import { failures, PARTNER_STEPS, replayAwsCourse, sh } from './aws-replay.js';

// The whole course on real AWS, with the learner's own credentials, the real aws and docker
// CLIs, and a learner prefix of its own (ecrwb-live-<id>/demo-app-<id>) so it can share an
// account with anything. It leaves nothing behind: lesson 09 deletes the repository, and
// cleanup (by the ownership tags) runs afterwards whatever happened. Lessons 14-15 make IAM roles
// (`<learner>-demo-app-<id>-task-execution`, and `codebuild-demo`, the name lesson 15 teaches),
// a cluster `ecr-workbook` and run a Fargate task (a cent or so): use an account without a role
// named codebuild-demo, whose default VPC has a subnet.
//
// Opt in, with working credentials, Docker and network:
//   ECR_WORKBOOK_LIVE_AWS=1 [ECR_WORKBOOK_LIVE_PROFILE=<profile>] [ECR_WORKBOOK_LIVE_REGION=<region>] \
//   [ECR_WORKBOOK_LIVE_PARTNER_ACCOUNT=<second account id, with a profile `partner` for it>] npx vitest run test/live
// The profile defaults to AWS_PROFILE, else `default`; the region to AWS_REGION, else the profile's.
const live = process.env.ECR_WORKBOOK_LIVE_AWS === '1';
if (!live) console.info('test/live: the real-AWS course is skipped; ECR_WORKBOOK_LIVE_AWS=1 (with AWS credentials) runs it.');

describe.skipIf(!live)('the whole course on real AWS (skipped: set ECR_WORKBOOK_LIVE_AWS=1, with AWS credentials, to run it)', () => {
  const id = randomBytes(3).toString('hex');
  const learner = `ecrwb-live-${id}`;
  // A repository (and so a local image, demo-app-<id>:v1) of its own: never the developer's demo-app:v1.
  const repo = `demo-app-${id}`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ecrwb-live-'));
  const profile = process.env.ECR_WORKBOOK_LIVE_PROFILE ?? process.env.AWS_PROFILE ?? 'default';
  const region = process.env.ECR_WORKBOOK_LIVE_REGION ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  /** Lesson 11's second account (with a profile `partner` for it); its sharing steps are skipped without. */
  const partnerAccount = process.env.ECR_WORKBOOK_LIVE_PARTNER_ACCOUNT;
  // The real HOME (the AWS files and the SSO cache live there); docker's config and the
  // workbook's state are throwaway, so the learner's own logins and progress stay untouched.
  // Lesson 15 runs `ecr-workbook ci run`: this package's CLI on PATH, as `npm link` would put it.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${workbookOnPath(work)}:${process.env.PATH}`,
    DOCKER_CONFIG: path.join(work, 'docker'),
    ECR_WORKBOOK_HOME: path.join(work, 'state'),
    AWS_PAGER: '',
  };
  delete env.ECR_WORKBOOK_AWS_ENDPOINT;
  let session: Session | undefined;
  let resolved: ResolvedTarget | undefined;

  afterAll(async () => {
    if (!session || !resolved) return;
    // Whatever failed above, delete what the course created, then prove nothing is left: lessons
    // 14-15's roles, cluster and task definitions by their last step's commands (each may find
    // its thing already gone), the repositories by their ownership tags.
    const last = session.course.steps.find((s) => s.id === 'clean-up-everything');
    if (last) {
      const vars = templateVars(session, resolved);
      for (const cmd of solutionFor(last, 'aws')) await sh(`${renderCommand(cmd, { vars })} >/dev/null 2>&1 || true`, env, work);
    }
    const plan = await planCleanup(resolved, { progress: session.store.progress });
    await deleteOwned(resolved, plan);
    const after = await planCleanup(resolved, { progress: session.store.progress });
    await sh(`docker rmi -f ${repo}:v1 >/dev/null 2>&1 || true`, env, work);
    await removeRepositoryImages(`${resolved.registryHost}/${resolved.repositoryName}`, { client: 'docker', env });
    expect(after.owned.map((r) => `${r.name} (${r.region})`)).toEqual([]);
  }, 300_000);

  it('knows who it is, and confirms the account and region once', async () => {
    session = await openSession({ home: env.ECR_WORKBOOK_HOME, target: 'aws', profile, learner, repo, ...(region ? { region } : {}), ...(partnerAccount ? { partnerAccount } : {}) });
    resolved = await resolveAws({ region: session.settings.region, profile, learner, repo, env });
    expect(resolved.identityProblem).toBeUndefined();
    expect(resolved.accountId).toMatch(/^\d{12}$/);
    expect(resolved.registryHost).toBe(`${resolved.accountId}.dkr.ecr.${resolved.region}.amazonaws.com`);
    expect(resolved.repositoryName).toBe(`${learner}/${repo}`);
    const stateDir = env.ECR_WORKBOOK_HOME!;
    expect(await confirmAwsTarget(resolved, { stateDir, yes: true, write: () => {} })).toBe('confirmed-by-flag');
    expect(await confirmAwsTarget(resolved, { stateDir, interactive: false })).toBe('remembered');
  }, 60_000);

  it('every step but lesson 02 (the credentials are this run\'s precondition; `aws configure` is not typed) goes from fail to pass with the lessons as written for AWS', async () => {
    expect(resolved, 'the identity test above must pass first').toBeDefined();
    // Lesson 11 needs a second account: its id, and a profile `partner` for it. Without them its
    // sharing steps are skipped, as a learner without one would; its clean-up still runs.
    const skip = partnerAccount ? undefined : (step: CourseStep) => PARTNER_STEPS.includes(step.id);
    const steps = await replayAwsCourse({ session: session!, resolved: resolved!, env, cwd: work, settleMs: 120_000, ...(skip ? { skip } : {}) });
    expect(failures(steps), failures(steps).join('\n\n')).toEqual([]);
  }, 900_000);
});
