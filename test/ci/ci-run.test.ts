import fs from 'node:fs';
import path from 'node:path';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeRuntimeFile } from '../../src/util/daemon.js';
import { announceInProcessSandbox } from '../../src/sandbox/runtime.js';
import { removeRepositoryImages } from '../../src/docker/cli.js';
import { ok, sh } from '../helpers/docker.js';
import { buildRunnableImage } from '../helpers/ecs.js';
import { policyText } from '../helpers/iam.js';
import { cliIn, ecrClient, iamClient, installedAwsClis, learnerHome, startTestSandbox, tempDir, type CliResult, type TestSandbox } from '../helpers/sandbox.js';

/**
 * `ecr-workbook ci run` as a learner runs it, against a sandbox: the build runs as the service
 * role (its session's keys, none of the learner's: no profile, no docker login), with the
 * CODEBUILD_* variables from git, exits as the build ended, and the lesson's buildspec pushes a
 * commit-tagged image that the sandbox records as pushed by the role's session.
 */

const TIMEOUT = 240_000;
const ACCOUNT = '123456789012';
let sandbox: TestSandbox;
let home: string;
let env: NodeJS.ProcessEnv;
let repo: string;
const aws = installedAwsClis()[0]!;

const ciRun = (cwd: string, ...args: string[]): Promise<CliResult> => cliIn(env, cwd, 'ci', 'run', ...args);

/** A git repository holding these files, committed; returns its folder and the commit. */
async function project(files: Record<string, string>): Promise<{ dir: string; sha: string }> {
  const dir = path.join(tempDir('ecrwb-ci-'), 'app');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  await ok(sh('git init -q && git add . && git -c user.name=t -c user.email=t@example.com commit -qm app', { ...env, PWD: dir, GIT_DIR: path.join(dir, '.git'), GIT_WORK_TREE: dir }));
  const sha = (await ok(sh(`git -C '${dir}' rev-parse HEAD`, env))).trim();
  return { dir, sha };
}

async function createRole(name: string, trustAws: boolean): Promise<void> {
  const iam = iamClient(sandbox);
  const principal = trustAws ? { Service: 'codebuild.amazonaws.com', AWS: `arn:aws:iam::${ACCOUNT}:root` } : { Service: 'codebuild.amazonaws.com' };
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: policyText({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }) }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: 'push',
      PolicyDocument: policyText(
        { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        { Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'], Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${repo}` },
      ),
    }),
  );
  iam.destroy();
}

beforeAll(async () => {
  home = tempDir('ecrwb-ci-home-');
  const state = path.join(home, 'state');
  sandbox = await startTestSandbox({ dir: path.join(state, 'sandbox') });
  await announceInProcessSandbox(sandbox.dir, sandbox);
  fs.mkdirSync(path.join(home, 'docker'), { recursive: true });
  fs.writeFileSync(path.join(home, 'aws-credentials'), `[ecr-workbook]\naws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}\n`);
  fs.writeFileSync(path.join(home, 'aws-config'), `[profile ecr-workbook]\nregion = us-east-1\n`);
  // The learner's shell: their profile, keys of their own and a docker login: none of it may reach the build.
  env = {
    PATH: `${path.dirname(aws.path)}:${process.env.PATH}`,
    LANG: 'C.UTF-8',
    ...learnerHome(home),
    AWS_PROFILE: 'ecr-workbook',
    AWS_ACCESS_KEY_ID: sandbox.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sandbox.credentials.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    NO_COLOR: '1',
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
  };
  repo = `ci-${process.pid}`;
  const ecr = ecrClient(sandbox);
  await ecr.send(new CreateRepositoryCommand({ repositoryName: repo, imageTagMutability: 'IMMUTABLE' }));
  ecr.destroy();
  await createRole('codebuild-demo', true);
  await createRole('codebuild-untrusting', false);
  // A login of the learner's own, which the build must not see.
  await ok(sh(`'${aws.path}' ecr get-login-password --endpoint-url '${sandbox.endpoint}' | docker login --username AWS --password-stdin '${sandbox.registryHost}'`, env));
}, TIMEOUT);

afterAll(async () => {
  if (sandbox) {
    await removeRepositoryImages(`${sandbox.registryHost}/${repo}`, { client: 'docker', env });
    removeRuntimeFile(sandbox.dir, process.pid);
    await sandbox.stop();
  }
});

describe('ecr-workbook ci run', () => {
  it('runs as the service role, with none of the learner\'s identity, and the CODEBUILD_* variables from git', { timeout: TIMEOUT }, async () => {
    const buildspec = [
      'version: 0.2',
      'env:',
      '  variables:',
      '    GREETING: hello',
      '  exported-variables: [WHO]',
      'phases:',
      '  build:',
      '    commands:',
      `      - WHO=$('${aws.path}' sts get-caller-identity --endpoint-url "$AWS_ENDPOINT_URL_STS" --query Arn --output text)`,
      '      - echo "who=$WHO"',
      '      - echo "profile=[${AWS_PROFILE:-}] config=[$AWS_CONFIG_FILE]"',
      '      - echo "logins=[$(cat "$DOCKER_CONFIG/config.json" 2>/dev/null)]"',
      '      - echo "sha=$CODEBUILD_RESOLVED_SOURCE_VERSION n=$CODEBUILD_BUILD_NUMBER id=$CODEBUILD_BUILD_ID src=$CODEBUILD_SRC_DIR by=$CODEBUILD_INITIATOR ci=$CODEBUILD_CI $GREETING"',
      '',
    ].join('\n');
    const { dir, sha } = await project({ 'buildspec.yml': buildspec });
    const first = await ciRun(dir, '--role', 'codebuild-demo', '--json');
    expect(first.code, first.stderr).toBe(0);
    const record = JSON.parse(first.stdout);
    const session = record.assumedRoleArn as string;
    expect(session).toMatch(new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/codebuild-demo/AWSCodeBuild-[0-9a-f-]{36}$`));
    expect(record).toMatchObject({ status: 'SUCCEEDED', buildNumber: 1, project: 'app', sourceVersion: sha, roleArn: `arn:aws:iam::${ACCOUNT}:role/codebuild-demo` });
    expect(record.buildId).toMatch(/^app:[0-9a-f-]{36}$/);
    expect(record.exportedVariables).toEqual({ WHO: session });
    const log = first.stderr;
    expect(log).toContain(`who=${session}\n`);
    expect(log).toContain('profile=[] config=[');
    expect(log).not.toContain(`config=[${path.join(home, 'aws-config')}]`);
    expect(log).toContain('logins=[]\n');
    expect(log).toContain(`sha=${sha} n=1 id=${record.buildId} src=${fs.realpathSync(dir)} by=ecr-learner ci=true hello\n`);
    expect(log).toContain(`Running as ${session} (the service role arn:aws:iam::${ACCOUNT}:role/codebuild-demo, assumed through STS)`);
    expect(log).toMatch(/Phase details\n {2}INSTALL {5}SUCCEEDED/);
    expect(log).toContain(`Build ${record.buildId} (#1) SUCCEEDED`);
    // Build numbers count up per project, as CodeBuild's do.
    const second = await ciRun(dir, '--role', 'codebuild-demo', '--json');
    expect(JSON.parse(second.stdout).buildNumber).toBe(2);
  });

  it('pushes the lesson\'s commit-tagged image as the role, and the sandbox records the role\'s session as the pusher', { timeout: TIMEOUT }, async () => {
    const image = `${sandbox.registryHost}/${repo}:base`;
    await buildRunnableImage(image, env);
    const buildspec = [
      'version: 0.2',
      'env:',
      '  variables:',
      `    REGISTRY: ${sandbox.registryHost}`,
      `    REPOSITORY_URI: ${sandbox.registryHost}/${repo}`,
      '  exported-variables: [IMAGE_TAG]',
      'phases:',
      '  pre_build:',
      '    commands:',
      `      - ${aws.path} ecr get-login-password --endpoint-url "$AWS_ENDPOINT_URL_ECR" --region $AWS_DEFAULT_REGION | docker login --username AWS --password-stdin $REGISTRY`,
      '      - IMAGE_TAG=$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)',
      '  build:',
      '    commands:',
      `      - docker tag ${image} $REPOSITORY_URI:$IMAGE_TAG`,
      '  post_build:',
      '    commands:',
      '      - docker push $REPOSITORY_URI:$IMAGE_TAG',
      '',
    ].join('\n');
    const { dir, sha } = await project({ 'buildspec.yml': buildspec });
    const result = await ciRun(dir, '--role', 'codebuild-demo');
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain(`Exported variables: IMAGE_TAG=${sha.slice(0, 7)}`);
    const stored = sandbox.backend.findRepository('us-east-1', repo)!;
    const pushed = Object.values(stored.images).find((i) => i.tags.includes(sha.slice(0, 7)))!;
    expect(pushed.pushedBy).toMatch(new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/codebuild-demo/AWSCodeBuild-`));
    expect(pushed.tagArrivals?.[sha.slice(0, 7)]).toMatchObject({ via: 'registry', by: pushed.pushedBy });
    // The learner's own docker login was never the build's: their config still has only their login.
    expect(fs.readFileSync(path.join(home, 'docker', 'config.json'), 'utf8')).toContain(sandbox.registryHost);
  });

  it('exits 1 when the build FAILED, and 2 when it cannot run: no buildspec, a buildspec CodeBuild would refuse, a role it cannot assume', { timeout: TIMEOUT }, async () => {
    const failing = await project({ 'buildspec.yml': 'version: 0.2\nphases:\n  pre_build:\n    commands: [false]\n  build:\n    commands: [echo never]\n' });
    const failed = await ciRun(failing.dir, '--role', 'codebuild-demo');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/BUILD {7}SKIPPED {10}not run: PRE_BUILD failed: a failure in INSTALL or PRE_BUILD ends the build/);
    expect(failed.stdout).toContain('FAILED in');

    const empty = tempDir('ecrwb-ci-empty-');
    const none = await ciRun(empty, '--role', 'codebuild-demo');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`There is no buildspec at ${path.join(fs.realpathSync(empty), 'buildspec.yml')}`);

    const bad = await project({ 'buildspec.yml': 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo Build: done\n' });
    const refused = await ciRun(bad.dir, '--role', 'codebuild-demo');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('YAML_FILE_ERROR: buildspec.yml (line 5): expected Commands[0] to be of string type');

    const untrusting = await ciRun(failing.dir, '--role', 'codebuild-untrusting');
    expect(untrusting.code).toBe(2);
    expect(untrusting.stderr).toContain(
      `Could not assume the service role arn:aws:iam::${ACCOUNT}:role/codebuild-untrusting: User: arn:aws:iam::${ACCOUNT}:user/ecr-learner is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCOUNT}:role/codebuild-untrusting`,
    );
  });
});
