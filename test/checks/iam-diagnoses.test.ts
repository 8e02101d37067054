import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/registry.js';
import type { CheckContext, CheckResult } from '../../src/check/types.js';
import { insertEndpointUrl } from '../../src/course/render.js';
import { sandboxHome } from '../../src/paths.js';
import { workbookOnPath } from '../../src/runner/course-check.js';
import { announceInProcessSandbox } from '../../src/sandbox/runtime.js';
import { removeRuntimeFile } from '../../src/util/daemon.js';
import { checkContext, learnerChain, type ResolvedTarget } from '../../src/targets/index.js';
import { buildImage, docker, ok, removeBuiltImages, sh, uniqueName } from '../helpers/docker.js';
import { installedAwsClis, isolatedCliEnv, startTestSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';

// Every diagnosis of lessons 10 and 11 (the IAM checks), each produced by making the learner's
// mistake for real with the aws CLI and docker against a sandbox, then running the check that
// should name it; its printed fix is then typed into the learner's shell, and (where the fix
// finishes the step) the check passes. The list test at the end holds the diagnoses table's IAM
// section to that, as test/checks/diagnoses.test.ts does for the rest of the table.

const TIMEOUT = 180_000;
const MAIN = '123456789012';
const SECOND = '111122223333';
const READ_ONLY = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly';
const aws = installedAwsClis()[0]!;
let sandbox: TestSandbox;
let env: NodeJS.ProcessEnv;
/** The workbook's state folder: the sandbox is announced there, so `ecr-workbook sandbox env` finds it. */
let state: string;
/** The diagnosis ids whose printed fixes a test below followed. */
const followed = new Set<string>();
/** A repository holding v1, shared by the checks that need an image. */
let repo: string;

/** An aws command as the learner types it, with a profile, sent to the sandbox. */
function awsAs(profile: string, args: string): string {
  return `"${aws.path}" --endpoint-url ${sandbox.endpoint} ${args} --region us-east-1 --profile ${profile}`;
}

/** Runs a learner's command (a diagnosis's fix, or a mistake); it must succeed. */
async function run(script: string): Promise<string> {
  return ok(sh(script, env));
}

/** A diagnosis's command, typed as printed (with the endpoint flag this CLI may needs); it must succeed. */
async function follow(result: CheckResult, shellEnv = env): Promise<void> {
  expect(result.diagnosis?.command, JSON.stringify(result.diagnosis)).toBeTruthy();
  expect(result.diagnosis!.command, 'a placeholder left unfilled').not.toMatch(/<[a-z0-9 -]+>|\{\{/);
  // `aws` is this CLI and `ecr-workbook` this package: their folders come first on the PATH.
  await ok(sh(insertEndpointUrl(result.diagnosis!.command!, sandbox.endpoint), shellEnv));
  followed.add(result.diagnosis!.id);
}

async function context(repositoryName = repo, overrides: Partial<CheckContext> = {}): Promise<CheckContext> {
  const resolved: ResolvedTarget = {
    target: 'sandbox',
    region: sandbox.region,
    accountId: MAIN,
    registryHost: sandbox.registryHost,
    repositoryName,
    endpoint: sandbox.endpoint,
    profile: 'ecr-workbook',
    credentials: sandbox.credentials,
    learnerCredentials: await learnerChain('ecr-workbook', env),
  };
  return checkContext(resolved, env, { localImage: `${repositoryName}:v1`, ...overrides });
}

async function check(id: string, params: Record<string, unknown>, ctx?: CheckContext): Promise<CheckResult> {
  return runCheck(id, ctx ?? (await context()), params);
}

const diagnosisOf = async (id: string, params: Record<string, unknown>, ctx?: CheckContext) => {
  const result = await check(id, params, ctx);
  return result.status === 'pass' ? 'pass' : result.diagnosis?.id;
};

/**
 * The check names the mistake `id` (its words holding each of `mistake`, its command matching
 * `command`), its printed fix is typed as printed, and the check then passes.
 */
async function namedThenFollowed(checkId: string, params: Record<string, unknown>, id: string, named: { mistake?: string[]; command?: string | RegExp } = {}): Promise<void> {
  const result = await check(checkId, params);
  expect(result.diagnosis?.id, JSON.stringify(result)).toBe(id);
  for (const words of named.mistake ?? []) expect(result.diagnosis?.mistake).toContain(words);
  if (typeof named.command === 'string') expect(result.diagnosis?.command).toContain(named.command);
  else if (named.command) expect(result.diagnosis?.command).toMatch(named.command);
  await follow(result);
  expect(await diagnosisOf(checkId, params)).toBe('pass');
}

/** `aws iam create-user`, as the learner (lesson 10's first command). */
const createUser = (user: string, profile = 'ecr-workbook') => run(awsAs(profile, `iam create-user --user-name ${user}`));
const attach = (user: string, arn = READ_ONLY, profile = 'ecr-workbook') => run(awsAs(profile, `iam attach-user-policy --user-name ${user} --policy-arn ${arn}`));
const putPolicy = (user: string, name: string, document: object) =>
  run(awsAs('ecr-workbook', `iam put-user-policy --user-name ${user} --policy-name ${name} --policy-document '${JSON.stringify(document)}'`));
/** An access key of `user` stored in `profile`, as lesson 10 does it. */
const keyInProfile = (user: string, profile: string, admin = 'ecr-workbook') =>
  run(
    `set -- $(${awsAs(admin, `iam create-access-key --user-name ${user} --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text`)}) && "${aws.path}" configure set aws_access_key_id "$1" --profile ${profile} && "${aws.path}" configure set aws_secret_access_key "$2" --profile ${profile} && "${aws.path}" configure set region us-east-1 --profile ${profile}`,
  );
const setProfileKeys = (profile: string, keys: { accessKeyId: string; secretAccessKey: string }) =>
  run(`"${aws.path}" configure set aws_access_key_id ${keys.accessKeyId} --profile ${profile} && "${aws.path}" configure set aws_secret_access_key '${keys.secretAccessKey}' --profile ${profile} && "${aws.path}" configure set region us-east-1 --profile ${profile}`);
const loginAs = (profile: string, dockerEnv = env) => ok(sh(`${awsAs(profile, 'ecr get-login-password')} | docker login --username AWS --password-stdin ${sandbox.registryHost}`, dockerEnv));
const allow = (Action: string | string[], Resource: string) => ({ Effect: 'Allow', Action, Resource });
const policy = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const repoArn = (name = repo, region = 'us-east-1', account = MAIN) => `arn:aws:ecr:${region}:${account}:repository/${name}`;

beforeAll(async () => {
  const home = tempDir('ecrwb-iam-diag-');
  state = path.join(home, 'state');
  sandbox = await startTestSandbox({ dir: sandboxHome(state) });
  await announceInProcessSandbox(sandbox.dir, sandbox);
  env = isolatedCliEnv(sandbox, home);
  // The learner after lesson 02: their keys in the profile the lessons use, and nothing exported.
  delete env.AWS_ACCESS_KEY_ID;
  delete env.AWS_SECRET_ACCESS_KEY;
  env.ECR_WORKBOOK_HOME = state;
  env.PATH = `${workbookOnPath(home)}:${path.dirname(aws.path)}:${env.PATH}`;
  await setProfileKeys('ecr-workbook', sandbox.credentials);
  // And lesson 11's first step: the second account's administrator in the profile `partner`.
  const second = sandbox.iam.secondAccountKey()!;
  await setProfileKeys('partner', { accessKeyId: second.accessKeyId, secretAccessKey: second.secretAccessKey! });
  repo = uniqueName('shared');
  await run(awsAs('ecr-workbook', `ecr create-repository --repository-name ${repo}`));
  await loginAs('ecr-workbook');
  await buildImage(`${sandbox.registryHost}/${repo}:v1`, env);
  await ok(docker(['push', `${sandbox.registryHost}/${repo}:v1`], env));
}, TIMEOUT);

afterAll(async () => {
  await removeBuiltImages();
  if (sandbox) removeRuntimeFile(sandbox.dir, process.pid);
  await sandbox?.stop();
});

describe('the CI user (iam-user-pull-only)', () => {
  it('missing: never created, then made by the printed fix', async () => {
    await namedThenFollowed('iam-user-pull-only', { user: 'ci-ghost' }, 'ci-user-missing');
  }, TIMEOUT);

  it('the policy on the wrong user: a look-alike name, or the learner themselves', async () => {
    await createUser('ci-typo');
    await createUser('ci-typos');
    await attach('ci-typos');
    await namedThenFollowed('iam-user-pull-only', { user: 'ci-typo' }, 'policy-on-wrong-user', { mistake: ["'ci-typos' holds AmazonEC2ContainerRegistryReadOnly"] });

    // No CI user at all, and the policy went to the learner's own user.
    await attach('ecr-learner');
    const self = await check('iam-user-pull-only', { user: 'robot' });
    expect(self.diagnosis?.id).toBe('policy-on-wrong-user');
    expect(self.diagnosis?.mistake).toContain("'ecr-learner' holds");
    await run(awsAs('ecr-workbook', `iam detach-user-policy --user-name ecr-learner --policy-arn ${READ_ONLY}`));
  }, TIMEOUT);

  it('no policy at all: IAM denies everything', async () => {
    await createUser('ci-bare');
    await namedThenFollowed('iam-user-pull-only', { user: 'ci-bare' }, 'ci-no-policy');
  }, TIMEOUT);

  it('FullAccess (or PowerUser) where read-only was asked: it could push', async () => {
    for (const broad of ['AmazonEC2ContainerRegistryFullAccess', 'AmazonEC2ContainerRegistryPowerUser']) {
      const user = `ci-${broad.slice(-9).toLowerCase()}`;
      await createUser(user);
      await attach(user, `arn:aws:iam::aws:policy/${broad}`);
      await namedThenFollowed('iam-user-pull-only', { user }, 'ci-policy-too-broad', { mistake: [broad, 'ecr:PutImage'] });
    }
  }, TIMEOUT);

  it('an inline policy for another region, then for another account', async () => {
    await createUser('ci-inline');
    const login = allow('ecr:GetAuthorizationToken', '*');
    await putPolicy('ci-inline', 'pull', policy(login, allow(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], repoArn(repo, 'us-west-2'))));
    await namedThenFollowed('iam-user-pull-only', { user: 'ci-inline' }, 'policy-arn-other-region', { mistake: ['us-west-2'] });

    await putPolicy('ci-inline', 'pull', policy(login, allow(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], repoArn(repo, 'us-east-1', SECOND))));
    await namedThenFollowed('iam-user-pull-only', { user: 'ci-inline' }, 'policy-arn-other-account', { mistake: [SECOND] });
  }, TIMEOUT);

  it('pull actions without ecr:GetAuthorizationToken: docker could never log in', async () => {
    await createUser('ci-nologin');
    await putPolicy('ci-nologin', 'pull', policy(allow(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], repoArn())));
    await namedThenFollowed('iam-user-pull-only', { user: 'ci-nologin' }, 'ci-cannot-login');
  }, TIMEOUT);

  it('an explicit Deny of a pull action beside the read-only policy', async () => {
    await createUser('ci-denied');
    await attach('ci-denied');
    await putPolicy('ci-denied', 'no-layers', policy({ Effect: 'Deny', Action: 'ecr:GetDownloadUrlForLayer', Resource: '*' }));
    await namedThenFollowed('iam-user-pull-only', { user: 'ci-denied' }, 'ci-cannot-pull', { mistake: ["the inline policy 'no-layers' denies some of them"] });
  }, TIMEOUT);

  it("the second account's user without its own side (both sides are needed across accounts)", async () => {
    await createUser('partner-bare', 'partner');
    await namedThenFollowed('iam-user-pull-only', { user: 'partner-bare', accountProfile: 'partner' }, 'partner-identity-policy-missing', { command: '--profile partner' });
  }, TIMEOUT);
});

describe('the profiles (profile-identity)', () => {
  beforeAll(async () => {
    await createUser('ci-profiled');
    await attach('ci-profiled');
  }, TIMEOUT);

  it('missing: the profile was never configured, then made by the printed fix', async () => {
    await namedThenFollowed('profile-identity', { profile: 'ci-profiled', user: 'ci-profiled' }, 'profile-missing');
  }, TIMEOUT);

  it("the admin's keys copied into the CI profile", async () => {
    await setProfileKeys('ci-copy', sandbox.credentials);
    await namedThenFollowed('profile-identity', { profile: 'ci-copy', user: 'ci-profiled' }, 'profile-holds-admin-keys', { mistake: [`arn:aws:iam::${MAIN}:user/ecr-learner`] });
  }, TIMEOUT);

  it("another user's key in the profile", async () => {
    await createUser('ci-other');
    await keyInProfile('ci-other', 'ci-wrong');
    // ci-profiled holds two keys by now (the two fixes above): the printed fix deletes the oldest first.
    await namedThenFollowed('profile-identity', { profile: 'ci-wrong', user: 'ci-profiled' }, 'profile-other-user', { command: /^aws .*iam delete-access-key --user-name ci-profiled --access-key-id AKIA\w+ .*&& set -- / });
  }, TIMEOUT);

  it('a key that was deleted since (the profile still holds it)', async () => {
    await createUser('ci-gone');
    await keyInProfile('ci-gone', 'ci-stale');
    await run(`for k in $(${awsAs('ecr-workbook', "iam list-access-keys --user-name ci-gone --query 'AccessKeyMetadata[].AccessKeyId' --output text")}); do ${awsAs('ecr-workbook', 'iam delete-access-key --user-name ci-gone --access-key-id "$k"')}; done`);
    await namedThenFollowed('profile-identity', { profile: 'ci-stale', user: 'ci-gone' }, 'profile-key-invalid');
  }, TIMEOUT);

  it("the second account's keys where your own account's user was meant", async () => {
    const second = sandbox.iam.secondAccountKey()!;
    await setProfileKeys('ci-elsewhere', { accessKeyId: second.accessKeyId, secretAccessKey: second.secretAccessKey! });
    await namedThenFollowed('profile-identity', { profile: 'ci-elsewhere', user: 'ci-profiled' }, 'profile-other-account');
  }, TIMEOUT);

  it('the second account not named (AWS target), with the id the profile signs in to', async () => {
    const result = await check('profile-identity', { profile: 'partner', account: 'partner_account_id' });
    expect(result.diagnosis?.id).toBe('partner-account-unset');
    expect(result.diagnosis?.command).toBe(`ecr-workbook --partner-account ${SECOND} check`);
  }, TIMEOUT);

  it("the partner profile holding your own account, then missing; the sandbox's command stores the second account's keys", async () => {
    await setProfileKeys('partner-mine', sandbox.credentials);
    const same = await check('profile-identity', { profile: 'partner-mine', account: SECOND });
    expect(same.diagnosis?.id).toBe('partner-profile-same-account');
    expect(same.diagnosis?.command).toBe('eval "$(ecr-workbook sandbox env --account second --aws-profile partner-mine)"');
    await follow(same);
    expect(await diagnosisOf('profile-identity', { profile: 'partner-mine', account: SECOND })).toBe('pass');
    await namedThenFollowed('profile-identity', { profile: 'partner-new', account: SECOND }, 'profile-missing');
  }, TIMEOUT);
});

describe("docker's login as the CI user (docker-login-identity)", () => {
  const params = { user: 'ci-docker', profile: 'ci-docker', pushRefused: true };
  let dockerEnv: NodeJS.ProcessEnv;
  /** The same check as real AWS would run it: no sandbox records, the registry asked instead. */
  const onAws = async () => context(repo, { sandboxControl: undefined });

  beforeAll(async () => {
    await createUser('ci-docker');
    await attach('ci-docker');
    await keyInProfile('ci-docker', 'ci-docker');
    // A docker config of its own, so the logins here do not disturb the other tests'.
    dockerEnv = { ...env, DOCKER_CONFIG: tempDir('ecrwb-iam-docker-') };
  }, TIMEOUT);

  it('not logged in at all; the printed login is the CI user’s', async () => {
    const result = await check('docker-login-identity', params, await context(repo, { env: dockerEnv }));
    expect(result.diagnosis?.id).toBe('ci-not-logged-in');
    await follow(result, dockerEnv);
    expect(await diagnosisOf('docker-login-identity', params, await context(repo, { env: dockerEnv }))).toBe('ci-not-pulled');
  }, TIMEOUT);

  it("logged in as the learner (their own login, still there): on the sandbox and on AWS's path", async () => {
    await loginAs('ecr-workbook', dockerEnv);
    const sandboxSide = await check('docker-login-identity', params, await context(repo, { env: dockerEnv }));
    expect(sandboxSide.diagnosis?.id).toBe('docker-login-other-identity');
    expect(sandboxSide.diagnosis?.mistake).toContain(`arn:aws:iam::${MAIN}:user/ecr-learner`);
    // The registry lets this login start an upload: it is not the read-only user's.
    expect(await diagnosisOf('docker-login-identity', params, { ...(await onAws()), env: dockerEnv })).toBe('docker-login-other-identity');
    await follow(sandboxSide, dockerEnv);
    expect(await diagnosisOf('docker-login-identity', params, { ...(await onAws()), env: dockerEnv })).toBe('pass');
  }, TIMEOUT);

  it('logged in as the CI user, but no pull yet; then no push tried; then both', async () => {
    const ctx = await context(repo, { env: dockerEnv });
    // A login's issue time is kept to the second (as the token's expiry is), and the test above
    // checked AWS's path as ci-docker, which pulls and tries a push: log in a second later, so
    // that what the check sees since this login is this test's alone.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await loginAs('ci-docker', dockerEnv);
    const notPulled = await check('docker-login-identity', params, ctx);
    expect(notPulled.diagnosis?.id, JSON.stringify(notPulled)).toBe('ci-not-pulled');
    await follow(notPulled, dockerEnv);
    const notTried = await check('docker-login-identity', params, ctx);
    expect(notTried.diagnosis?.id).toBe('ci-push-not-tried');
    // Its command succeeds exactly when ECR refuses the push, and shows the refusal.
    const push = await sh(insertEndpointUrl(notTried.diagnosis!.command!, sandbox.endpoint), dockerEnv);
    expect(push.exitCode).toBe(0);
    followed.add('ci-push-not-tried');
    expect(push.all).toContain(`denied: User: arn:aws:iam::${MAIN}:user/ci-docker is not authorized to perform: ecr:PutImage on resource: ${repoArn()} because no identity-based policy allows the ecr:PutImage action`);
    const passed = await check('docker-login-identity', params, ctx);
    expect(passed.status, JSON.stringify(passed)).toBe('pass');
    expect(passed.evidence.join('\n')).toContain('Refused (ecr:PutImage)');
    // And AWS's path: the registry refuses the read-only login's upload, naming it.
    expect(await diagnosisOf('docker-login-identity', params, { ...(await onAws()), env: dockerEnv })).toBe('pass');
  }, TIMEOUT);

  it('a login that may not pull: the refusal says which side', async () => {
    await createUser('ci-loginonly');
    await putPolicy('ci-loginonly', 'login', policy(allow('ecr:GetAuthorizationToken', '*')));
    await keyInProfile('ci-loginonly', 'ci-loginonly');
    await loginAs('ci-loginonly', dockerEnv);
    const pull = await docker(['pull', `${sandbox.registryHost}/${repo}:v1`], dockerEnv);
    expect(pull.exitCode).not.toBe(0);
    const loginOnly = { user: 'ci-loginonly', profile: 'ci-loginonly' };
    const result = await check('docker-login-identity', loginOnly, await context(repo, { env: dockerEnv }));
    expect(result.diagnosis?.id).toBe('ci-pull-refused');
    expect(result.diagnosis?.mistake).toContain('because no identity-based policy allows the ecr:BatchGetImage action');
    expect(await diagnosisOf('docker-login-identity', loginOnly, { ...(await onAws()), env: dockerEnv })).toBe('ci-pull-refused');

    // The user's key deleted since (lesson 10's clean-up): the login it made no longer works.
    await run(`for k in $(${awsAs('ecr-workbook', "iam list-access-keys --user-name ci-loginonly --query 'AccessKeyMetadata[].AccessKeyId' --output text")}); do ${awsAs('ecr-workbook', 'iam delete-access-key --user-name ci-loginonly --access-key-id "$k"')}; done`);
    const revoked = await check('docker-login-identity', params, await context(repo, { env: dockerEnv }));
    expect(revoked.diagnosis?.id).toBe('login-revoked');
    expect(revoked.diagnosis?.command).toContain('--profile ci-docker');
    await follow(revoked, dockerEnv);
    expect(await diagnosisOf('docker-login-identity', params, await context(repo, { env: dockerEnv }))).toBe('ci-not-pulled');
  }, TIMEOUT);
});

describe('the repository policy (repository-shared)', () => {
  const params = { account: SECOND, user: 'partner-ci' };
  let shared: string;
  const setPolicy = (document: object) => run(awsAs('ecr-workbook', `ecr set-repository-policy --repository-name ${shared} --policy-text '${JSON.stringify(document)}'`));
  const principal = (account: string) => ({ AWS: `arn:aws:iam::${account}:root` });
  const pull = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];

  /** The check names the mistake (and what it says), and the printed policy command makes it pass. */
  async function namedThenFixed(id: string, mentions?: string): Promise<void> {
    const result = await check('repository-shared', params, await context(shared));
    expect(result.diagnosis?.id).toBe(id);
    if (mentions) expect(result.diagnosis?.mistake).toContain(mentions);
    await follow(result);
    expect(await diagnosisOf('repository-shared', params, await context(shared))).toBe('pass');
  }

  beforeAll(async () => {
    shared = uniqueName('policy');
    await run(awsAs('ecr-workbook', `ecr create-repository --repository-name ${shared}`));
  }, TIMEOUT);

  it('no policy yet, then the printed one', async () => {
    await namedThenFixed('repository-policy-missing');
  }, TIMEOUT);

  it('the principal is another account', async () => {
    await setPolicy(policy({ Sid: 'Pull', Effect: 'Allow', Principal: principal('444455556666'), Action: pull }));
    await namedThenFixed('repository-policy-wrong-account', '444455556666');
  }, TIMEOUT);

  it('push actions granted where pull was asked', async () => {
    await setPolicy(policy({ Effect: 'Allow', Principal: principal(SECOND), Action: [...pull, 'ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'] }));
    await namedThenFixed('repository-policy-allows-push', 'ecr:PutImage');
  }, TIMEOUT);

  it("an explicit Deny (a copied 'nobody outside my account' statement) wins over the Allow", async () => {
    await setPolicy(
      policy(
        { Sid: 'AllowPartnerPull', Effect: 'Allow', Principal: principal(SECOND), Action: pull },
        { Sid: 'DenyOutsiders', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { StringNotEquals: { 'aws:PrincipalAccount': MAIN } } },
      ),
    );
    await namedThenFixed('repository-policy-explicit-deny', "'DenyOutsiders'");
  }, TIMEOUT);

  it('the manifest allowed, the layers not', async () => {
    await setPolicy(policy({ Effect: 'Allow', Principal: principal(SECOND), Action: 'ecr:BatchGetImage' }));
    await namedThenFixed('repository-policy-no-pull', 'ecr:GetDownloadUrlForLayer');
  }, TIMEOUT);

  it('the second account not named yet (AWS target): the id its profile signs in to is suggested', async () => {
    const result = await check('repository-shared', { account: 'partner_account_id', user: 'partner-ci', accountProfile: 'partner' }, await context(shared));
    expect(result.diagnosis?.id).toBe('partner-account-unset');
    expect(result.diagnosis?.mistake).toContain(SECOND);
  }, TIMEOUT);
});

describe('clean-up (iam-user-deleted)', () => {
  it('the user still there with its key and policy; the printed commands delete it in the order IAM wants', async () => {
    await createUser('ci-leftover');
    await attach('ci-leftover');
    await putPolicy('ci-leftover', 'extra', policy(allow('ecr:DescribeImages', '*')));
    await keyInProfile('ci-leftover', 'ci-leftover');
    const deleteFirst = await sh(awsAs('ecr-workbook', 'iam delete-user --user-name ci-leftover'), env);
    expect(deleteFirst.all).toContain('DeleteConflict');
    await namedThenFollowed('iam-user-deleted', { user: 'ci-leftover' }, 'ci-user-still-there', { mistake: ['1 access key(s) and 2 policies'] });
  }, TIMEOUT);

  it("in the second account, through its profile; no such profile on this machine means nothing was made there", async () => {
    await createUser('partner-leftover', 'partner');
    await keyInProfile('partner-leftover', 'partner-leftover', 'partner');
    await namedThenFollowed('iam-user-deleted', { user: 'partner-leftover', accountProfile: 'partner' }, 'ci-user-still-there', { command: '--profile partner' });
    expect(await diagnosisOf('iam-user-deleted', { user: 'partner-leftover', accountProfile: 'no-such-profile' })).toBe('pass');
  }, TIMEOUT);
});

describe("every diagnosis in the table's IAM section is made for real above, and its printed fix followed", () => {
  const source = fs.readFileSync(path.resolve(import.meta.dirname, '../../src/check/diagnoses.ts'), 'utf8');
  const section = source.slice(source.indexOf('lessons 10 and 11: IAM'));
  const ids = [...section.matchAll(/\bd\(\s*'([a-z-]+)'/g)].map((m) => m[1]!);
  // Made above, and not followed, each for a reason:
  const notFollowed: Record<string, string> = {
    'partner-account-unset': 'its command is the workbook\'s own setting (`--partner-account`), tested in test/cli/runner-cli.test.ts',
    'ci-pull-refused': 'words only: the refusal names the side, and that side\'s own step prints the command',
  };

  it('lists them', () => {
    expect(ids.length).toBeGreaterThan(20);
    const tested = fs.readFileSync(import.meta.filename, 'utf8');
    for (const id of ids) expect(tested, id).toContain(`'${id}'`);
  });

  it('followed every fix but those it cannot', () => {
    expect(ids.filter((id) => !(id in notFollowed) && !followed.has(id))).toEqual([]);
  });
});
