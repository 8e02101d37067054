import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLastBuild } from '../../src/ci/record.js';
import { runCheck } from '../../src/check/registry.js';
import type { CheckContext, CheckResult } from '../../src/check/types.js';
import { removeRepositoryImages } from '../../src/docker/cli.js';
import { announceInProcessSandbox } from '../../src/sandbox/runtime.js';
import { checkContext } from '../../src/targets/index.js';
import { removeRuntimeFile } from '../../src/util/daemon.js';
import { runShell } from '../../src/util/shell.js';
import { removeBuiltImages, trackImage } from '../helpers/docker.js';
import { buildRunnableImage, taskContainers } from '../helpers/ecs.js';
import { sandboxTarget } from '../helpers/learner.js';
import { cliIn, installedAwsClis, isolatedCliEnv, scratchBuildContext, startTestSandbox, tempDir, type CliResult, type TestSandbox } from '../helpers/sandbox.js';

// Lessons 14 and 15's diagnoses, each made for real: the learner's mistake with the aws CLI,
// docker and `ecr-workbook ci run` against a sandbox, then the check that should name it.

const TIMEOUT = 240_000;
const ACCOUNT = '123456789012';
const CLUSTER = 'ecr-workbook';
const SUBNET = 'subnet-0123456789abcdef0';
const aws = installedAwsClis()[0]!;
let sandbox: TestSandbox;
let home: string;
let env: NodeJS.ProcessEnv;
let stateDir: string;

const sh = (script: string, cwd?: string) => runShell(script, env, cwd);
async function ok(script: string, cwd?: string): Promise<string> {
  const r = await sh(script, cwd);
  expect(r.code, `${script}\n${r.output}`).toBe(0);
  return r.output;
}
const awsCmd = (args: string) => `"${aws.path}" --endpoint-url ${sandbox.endpoint} ${args}`;
const trust = (service: string) => `'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"${service}"},"Action":"sts:AssumeRole"}]}'`;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

async function context(repo: string): Promise<CheckContext> {
  return checkContext(await sandboxTarget(sandbox, repo, env), env, { localImage: `${repo}:v1`, lastCiBuild: () => readLastBuild(stateDir) });
}

async function check(id: string, repo: string, params: Record<string, unknown>): Promise<CheckResult> {
  return runCheck(id, await context(repo), params);
}

async function diagnosis(id: string, repo: string, params: Record<string, unknown>): Promise<string | undefined> {
  const result = await check(id, repo, params);
  return result.status === 'pass' ? 'pass' : result.diagnosis?.id;
}

/** A repository with a runnable image pushed as `v1`. */
async function pushedRepo(repo: string, mutability = 'MUTABLE'): Promise<string> {
  await ok(awsCmd(`ecr create-repository --repository-name ${repo} --image-tag-mutability ${mutability}`));
  const image = `${sandbox.registryHost}/${repo}:v1`;
  await buildRunnableImage(image, env);
  await ok(`docker push ${image}`);
  return image;
}

async function executionRole(name: string, options: { trusted?: string; policy?: 'managed' | 'login-only' | 'none' } = {}): Promise<void> {
  await ok(awsCmd(`iam create-role --role-name ${name} --assume-role-policy-document ${trust(options.trusted ?? 'ecs-tasks.amazonaws.com')}`));
  const policy = options.policy ?? 'managed';
  if (policy === 'managed') await ok(awsCmd(`iam attach-role-policy --role-name ${name} --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`));
  if (policy === 'login-only') {
    await ok(awsCmd(`iam put-role-policy --role-name ${name} --policy-name login --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}]}'`));
  }
}

async function register(family: string, image: string, options: { role?: string; ports?: boolean; fargate?: boolean; command?: string[] } = {}): Promise<void> {
  const fargate = options.fargate ?? true;
  const container = {
    name: 'web',
    image,
    essential: true,
    ...(fargate ? {} : { memory: 64 }),
    ...(options.ports === false ? {} : { portMappings: [{ containerPort: 80 }] }),
    ...(options.command ? { command: options.command } : {}),
  };
  const flags = fargate ? '--requires-compatibilities FARGATE --network-mode awsvpc --cpu 256 --memory 512' : '';
  await ok(awsCmd(`ecs register-task-definition --family ${family} ${flags} ${options.role ? `--execution-role-arn ${roleArn(options.role)}` : ''} --container-definitions '${JSON.stringify([container])}'`));
}

/** Runs a task of the family and waits until it is RUNNING or STOPPED (or only the statuses given). */
async function runTask(family: string, settled = ['RUNNING', 'STOPPED']): Promise<string> {
  const arn = (await ok(awsCmd(`ecs run-task --cluster ${CLUSTER} --launch-type FARGATE --task-definition ${family} --network-configuration 'awsvpcConfiguration={subnets=[${SUBNET}]}' --query 'tasks[0].taskArn' --output text`))).trim();
  for (let i = 0; i < 200; i++) {
    const status = (await ok(awsCmd(`ecs describe-tasks --cluster ${CLUSTER} --tasks ${arn} --query 'tasks[0].lastStatus' --output text`))).trim();
    if (settled.includes(status)) return arn;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`task ${arn} never settled`);
}

async function stopAll(family: string): Promise<void> {
  await ok(`for t in $(${awsCmd(`ecs list-tasks --cluster ${CLUSTER} --family ${family} --query 'taskArns[]' --output text`)}); do ${awsCmd(`ecs stop-task --cluster ${CLUSTER} --task $t`)} >/dev/null; done`);
}

/** `ecr-workbook ci run` in a folder, as the learner runs it. */
const ciRun = (cwd: string, ...args: string[]): Promise<CliResult> => cliIn(env, cwd, 'ci', 'run', ...args);

/** A committed project folder whose buildspec is made of these phases' commands. */
async function pipeline(repo: string, phases: Partial<Record<'pre_build' | 'build' | 'post_build', string[]>>): Promise<string> {
  const dir = path.join(tempDir('ecrwb-pipe-'), 'demo');
  fs.mkdirSync(dir, { recursive: true });
  const lines = ['version: 0.2', 'env:', '  variables:', `    REGISTRY: ${sandbox.registryHost}`, `    REPOSITORY_URI: ${sandbox.registryHost}/${repo}`, 'phases:'];
  for (const [phase, commands] of Object.entries(phases)) lines.push(`  ${phase}:`, '    commands:', ...commands.map((c) => `      - ${c}`));
  fs.writeFileSync(path.join(dir, 'buildspec.yml'), `${lines.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY buildspec.yml /\n');
  await ok('git init -q && git add . && git -c user.name=t -c user.email=t@example.com commit -qm demo', dir);
  return dir;
}

const LOGIN = `${aws.path} ecr get-login-password --endpoint-url $AWS_ENDPOINT_URL_ECR --region $AWS_DEFAULT_REGION | docker login --username AWS --password-stdin $REGISTRY`;
const TAG = 'IMAGE_TAG=$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)';
const BUILD = 'docker build -q -t $REPOSITORY_URI:$IMAGE_TAG .';
const PUSH = 'docker push $REPOSITORY_URI:$IMAGE_TAG';

async function pipelineRole(name: string, repo: string, options: { trusted?: string; admin?: boolean; resource?: string } = {}): Promise<void> {
  const principal = options.trusted ? `{"Service":"${options.trusted}","AWS":"arn:aws:iam::${ACCOUNT}:root"}` : `{"Service":"codebuild.amazonaws.com","AWS":"arn:aws:iam::${ACCOUNT}:root"}`;
  await ok(awsCmd(`iam create-role --role-name ${name} --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":${principal},"Action":"sts:AssumeRole"}]}'`));
  const resource = options.resource ?? `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${repo}`;
  await ok(
    awsCmd(
      `iam put-role-policy --role-name ${name} --policy-name push --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"},{"Effect":"Allow","Action":["ecr:BatchCheckLayerAvailability","ecr:InitiateLayerUpload","ecr:UploadLayerPart","ecr:CompleteLayerUpload","ecr:PutImage"],"Resource":"${resource}"}]}'`,
    ),
  );
  if (options.admin) await ok(awsCmd(`iam attach-role-policy --role-name ${name} --policy-arn arn:aws:iam::aws:policy/AdministratorAccess`));
}

beforeAll(async () => {
  home = tempDir('ecrwb-ecsdiag-');
  stateDir = path.join(home, 'state');
  sandbox = await startTestSandbox({ dir: path.join(stateDir, 'sandbox') });
  await announceInProcessSandbox(sandbox.dir, sandbox);
  env = { ...isolatedCliEnv(sandbox, home), ECR_WORKBOOK_HOME: stateDir, NO_COLOR: '1', PATH: `${path.dirname(aws.path)}:${process.env.PATH}` };
  fs.writeFileSync(path.join(home, 'aws-credentials'), `[ecr-workbook]\naws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}\n`);
  fs.writeFileSync(path.join(home, 'aws-config'), '[profile ecr-workbook]\nregion = us-east-1\n');
  await ok(`${awsCmd('ecr get-login-password')} | docker login --username AWS --password-stdin ${sandbox.registryHost}`);
  await ok(awsCmd(`ecs create-cluster --cluster-name ${CLUSTER}`));
}, TIMEOUT);

afterAll(async () => {
  if (!sandbox) return;
  removeRuntimeFile(sandbox.dir, process.pid);
  await sandbox.stop();
  expect(await taskContainers(sandbox.ecsLabel)).toEqual([]);
  // Once the tasks' containers are gone: a container keeps its image, nameless, when its name goes.
  for (const repo of ['role-app', 'def-app', 'run-app', 'pipe-app', 'clean-app']) await removeRepositoryImages(`${sandbox.registryHost}/${repo}`, { client: 'docker', env });
  await removeBuiltImages();
}, TIMEOUT);

describe('lesson 14: the task execution role (task-execution-role)', () => {
  it('missing, not trusting ecs-tasks.amazonaws.com, without pull permissions, then right', { timeout: TIMEOUT }, async () => {
    await pushedRepo('role-app');
    const params = (roleName: string) => ({ roleName });
    expect(await diagnosis('task-execution-role', 'role-app', params('never-made'))).toBe('execution-role-missing');
    await executionRole('ec2-trusting', { trusted: 'ec2.amazonaws.com' });
    const untrusted = await check('task-execution-role', 'role-app', params('ec2-trusting'));
    expect(untrusted.diagnosis?.id).toBe('execution-role-not-trusted');
    expect(untrusted.diagnosis?.mistake).toContain('it trusts ec2.amazonaws.com');
    await executionRole('login-only', { policy: 'login-only' });
    const cannot = await check('task-execution-role', 'role-app', params('login-only'));
    expect(cannot.diagnosis?.id).toBe('execution-role-cannot-pull');
    expect(cannot.diagnosis?.mistake).toContain('ecr:BatchCheckLayerAvailability, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer are denied');
    await executionRole('ecsTaskExecutionRole');
    expect(await diagnosis('task-execution-role', 'role-app', params('ecsTaskExecutionRole'))).toBe('pass');
  });
});

describe('lesson 14: the task definition (task-definition-registered)', () => {
  const params = (family: string) => ({ family, roleName: 'ecsTaskExecutionRole', containerPort: 80 });

  it('missing, not for Fargate, an image without its registry host, a tag never pushed, no port mapped, a role ECS cannot assume; then right', { timeout: TIMEOUT }, async () => {
    const image = await pushedRepo('def-app');
    expect(await diagnosis('task-definition-registered', 'def-app', params('never-registered'))).toBe('task-definition-missing');
    await register('ec2-only', image, { role: 'ecsTaskExecutionRole', fargate: false });
    expect(await diagnosis('task-definition-registered', 'def-app', params('ec2-only'))).toBe('task-definition-not-fargate');
    await register('no-host', 'def-app:v1', { role: 'ecsTaskExecutionRole' });
    const noHost = await check('task-definition-registered', 'def-app', params('no-host'));
    expect(noHost.diagnosis?.id).toBe('image-uri-without-host');
    expect(noHost.diagnosis?.fix).toContain(`${sandbox.registryHost}/def-app:v1`);
    await register('never-pushed', `${sandbox.registryHost}/def-app:v9`, { role: 'ecsTaskExecutionRole' });
    expect(await diagnosis('task-definition-registered', 'def-app', params('never-pushed'))).toBe('image-tag-not-pushed');
    await register('no-port', image, { role: 'ecsTaskExecutionRole', ports: false });
    expect(await diagnosis('task-definition-registered', 'def-app', params('no-port'))).toBe('port-not-mapped');
    // No execution role: ECS itself refuses the definition, so the check's execution-role-not-set never comes to it.
    const noRole = await sh(awsCmd(`ecs register-task-definition --family no-role --requires-compatibilities FARGATE --network-mode awsvpc --cpu 256 --memory 512 --container-definitions '${JSON.stringify([{ name: 'web', image, portMappings: [{ containerPort: 80 }] }])}'`));
    expect(noRole.output).toContain('Fargate requires task definition to have execution role ARN to support ECR images.');
    expect(await diagnosis('task-definition-registered', 'def-app', params('no-role'))).toBe('task-definition-missing');
    await register('other-repo', `${sandbox.registryHost}/role-app:v1`, { role: 'ecsTaskExecutionRole' });
    expect(await diagnosis('task-definition-registered', 'def-app', params('other-repo'))).toBe('image-other-repository');
    await register('untrusted-role', image, { role: 'ec2-trusting' });
    expect(await diagnosis('task-definition-registered', 'def-app', params('untrusted-role'))).toBe('execution-role-not-trusted');
    await register('right', image, { role: 'ecsTaskExecutionRole' });
    expect(await diagnosis('task-definition-registered', 'def-app', params('right'))).toBe('pass');
  });
});

describe('lesson 14: the running task (task-serving, tasks-stopped)', () => {
  const params = (family: string, cluster = CLUSTER) => ({ family, cluster, containerPort: 80 });

  it('no cluster, no task, a role ECS cannot assume (run-task refused), a role that cannot pull, a tag never pushed, no host, no port, an image that cannot run; then its page', { timeout: TIMEOUT }, async () => {
    const image = await pushedRepo('run-app');
    expect(await diagnosis('task-serving', 'run-app', params('web', 'no-such-cluster'))).toBe('cluster-missing');
    await register('web', image, { role: 'ecsTaskExecutionRole' });
    expect(await diagnosis('task-serving', 'run-app', params('web'))).toBe('task-not-running');

    await register('untrusted', image, { role: 'ec2-trusting' });
    const refused = await sh(awsCmd(`ecs run-task --cluster ${CLUSTER} --launch-type FARGATE --task-definition untrusted --network-configuration 'awsvpcConfiguration={subnets=[${SUBNET}]}'`));
    expect(refused.output).toContain('ECS was unable to assume the role');
    expect(await diagnosis('task-serving', 'run-app', params('untrusted'))).toBe('execution-role-not-trusted');

    await register('no-pull', image, { role: 'login-only' });
    await runTask('no-pull');
    const denied = await check('task-serving', 'run-app', params('no-pull'));
    expect(denied.diagnosis?.id).toBe('execution-role-cannot-pull');
    // The CannotPullContainerError itself is shown.
    expect(denied.diagnosis?.mistake).toContain('CannotPullContainerError: Error response from daemon: pull access denied');
    expect(denied.diagnosis?.mistake).toContain('assumed-role/login-only/');

    await register('v9', `${sandbox.registryHost}/run-app:v9`, { role: 'ecsTaskExecutionRole' });
    await runTask('v9');
    expect(await diagnosis('task-serving', 'run-app', params('v9'))).toBe('image-tag-not-pushed');

    await register('hostless', 'run-app:v1', { role: 'ecsTaskExecutionRole' });
    await runTask('hostless');
    expect(await diagnosis('task-serving', 'run-app', params('hostless'))).toBe('image-uri-without-host');

    // An image with no program in it (lesson 05's offline variant) cannot start.
    const scratch = `${sandbox.registryHost}/run-app:scratch`;
    trackImage(scratch);
    await ok(`docker build -q -t ${scratch} ${scratchBuildContext(path.join(home, 'scratch'))} && docker push ${scratch}`);
    await register('scratch', scratch, { role: 'ecsTaskExecutionRole' });
    await runTask('scratch');
    expect(await diagnosis('task-serving', 'run-app', params('scratch'))).toBe('task-image-not-runnable');

    await register('portless', image, { role: 'ecsTaskExecutionRole', ports: false });
    await runTask('portless');
    expect(await diagnosis('task-serving', 'run-app', params('portless'))).toBe('port-not-mapped');
    await stopAll('portless');

    // An essential container that exits (not for a missing program): the task stops with its exit code.
    await register('exits', image, { role: 'ecsTaskExecutionRole', command: ['sh', '-c', 'exit 3'] });
    await runTask('exits', ['STOPPED']);
    const exited = await check('task-serving', 'run-app', params('exits'));
    expect(exited.diagnosis?.id).toBe('task-stopped');
    expect(exited.diagnosis?.mistake).toContain('exited with code 3');

    // Port 80 mapped, but the container serves nothing there.
    await register('silent', image, { role: 'ecsTaskExecutionRole', command: ['sleep', '600'] });
    await runTask('silent');
    expect(await diagnosis('task-serving', 'run-app', params('silent'))).toBe('task-not-answering');
    await stopAll('silent');

    await runTask('web');
    const serving = await check('task-serving', 'run-app', params('web'));
    expect(serving.status, JSON.stringify(serving)).toBe('pass');
    expect(serving.evidence.join('\n')).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/: HTTP 200, "demo-app"/);

    // v1 pushed again as another image: the running task still runs the digest it pulled.
    // (The first build keeps a tag of its own, for the clean-up to find.)
    await ok(`docker tag ${image} ${image}-first && printf 'FROM ${image}\\nLABEL rebuilt=1\\n' | docker build -q -t ${image} - && docker push ${image}`);
    expect(await diagnosis('task-serving', 'run-app', params('web'))).toBe('task-image-differs');

    // tasks-stopped: still running, then stopped.
    expect(await diagnosis('tasks-stopped', 'run-app', { family: 'web', cluster: CLUSTER })).toBe('tasks-still-running');
    await stopAll('web');
    expect(await diagnosis('tasks-stopped', 'run-app', { family: 'web', cluster: CLUSTER })).toBe('pass');
  });
});

describe('lesson 15: the pipeline (pipeline-role, pipeline-pushed)', () => {
  it('the role: missing, not trusting CodeBuild, unable to push, with admin rights; then least privilege', { timeout: TIMEOUT }, async () => {
    await ok(awsCmd('ecr create-repository --repository-name pipe-app --image-tag-mutability IMMUTABLE'));
    expect(await diagnosis('pipeline-role', 'pipe-app', { roleName: 'never-made' })).toBe('pipeline-role-missing');
    await pipelineRole('ecs-trusting', 'pipe-app', { trusted: 'ecs-tasks.amazonaws.com' });
    expect(await diagnosis('pipeline-role', 'pipe-app', { roleName: 'ecs-trusting' })).toBe('pipeline-role-not-trusted');
    await pipelineRole('wrong-repo', 'pipe-app', { resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/other-app` });
    const cannot = await check('pipeline-role', 'pipe-app', { roleName: 'wrong-repo' });
    expect(cannot.diagnosis?.id).toBe('pipeline-role-cannot-push');
    expect(cannot.diagnosis?.mistake).toContain('ecr:PutImage');
    await pipelineRole('admin-build', 'pipe-app', { admin: true });
    const broad = await check('pipeline-role', 'pipe-app', { roleName: 'admin-build' });
    expect(broad.diagnosis?.id).toBe('pipeline-role-too-broad');
    expect(broad.diagnosis?.mistake).toContain('it may push to other repositories');
    await pipelineRole('codebuild-demo', 'pipe-app');
    expect(await diagnosis('pipeline-role', 'pipe-app', { roleName: 'codebuild-demo' })).toBe('pass');
  });

  it('the push: no build, a build without the role, the login in the wrong phase, no SHA tag, latest re-pushed into an immutable repository, an admin role, a tag the learner pushed; then the role\'s commit-tagged push', { timeout: TIMEOUT }, async () => {
    const params = { roleName: 'codebuild-demo' };
    expect(await diagnosis('pipeline-pushed', 'pipe-app', params)).toBe('ci-not-run');

    const plain = await pipeline('pipe-app', { build: ['echo hello'] });
    expect((await ciRun(plain)).code).toBe(0);
    expect(await diagnosis('pipeline-pushed', 'pipe-app', params)).toBe('ci-not-as-role');

    // As the role, a command that fails for a reason of its own.
    const failing = await pipeline('pipe-app', { build: ['echo about to fail', 'exit 3'] });
    expect((await ciRun(failing, '--role', 'codebuild-demo')).code).toBe(1);
    const failed = await check('pipeline-pushed', 'pipe-app', params);
    expect(failed.diagnosis?.id).toBe('ci-build-failed');
    expect(failed.diagnosis?.mistake).toContain('BUILD');

    // The push in BUILD, the login after it in POST_BUILD: docker has no login yet.
    const late = await pipeline('pipe-app', { pre_build: [TAG], build: [BUILD, PUSH], post_build: [LOGIN] });
    expect((await ciRun(late, '--role', 'codebuild-demo')).code).toBe(1);
    const wrongPhase = await check('pipeline-pushed', 'pipe-app', params);
    expect(wrongPhase.diagnosis?.id).toBe('login-wrong-phase');
    expect(wrongPhase.diagnosis?.mistake).toContain('the login runs in POST_BUILD');
    expect(wrongPhase.diagnosis?.mistake).toContain('no basic auth credentials');

    const latestOnly = await pipeline('pipe-app', { pre_build: [LOGIN], build: ['docker build -q -t $REPOSITORY_URI:latest .'], post_build: ['docker push $REPOSITORY_URI:latest'] });
    expect((await ciRun(latestOnly, '--role', 'codebuild-demo')).code).toBe(0);
    const noSha = await check('pipeline-pushed', 'pipe-app', params);
    expect(noSha.diagnosis?.id).toBe('sha-tag-missing');
    expect(noSha.diagnosis?.mistake).toContain('the build pushed latest');

    // The same buildspec, a new commit: latest exists and the repository is IMMUTABLE.
    await ok('echo again > notes.txt && git add notes.txt && git -c user.name=t -c user.email=t@example.com commit -qm again', latestOnly);
    expect((await ciRun(latestOnly, '--role', 'codebuild-demo')).code).toBe(1);
    const immutable = await check('pipeline-pushed', 'pipe-app', params);
    expect(immutable.diagnosis?.id).toBe('latest-immutable');
    expect(immutable.diagnosis?.mistake).toContain("The image tag 'latest' already exists");

    // A SHA tag the learner pushed by hand, then a build as the role that pushes nothing.
    const byHand = await pipeline('pipe-app', { build: ['echo nothing to push'] });
    const sha = (await ok(`git -C ${byHand} rev-parse HEAD`)).trim().slice(0, 7);
    await ok(`docker build -q -t ${sandbox.registryHost}/pipe-app:${sha} ${byHand} && docker push ${sandbox.registryHost}/pipe-app:${sha}`);
    expect((await ciRun(byHand, '--role', 'codebuild-demo')).code).toBe(0);
    const other = await check('pipeline-pushed', 'pipe-app', params);
    expect(other.diagnosis?.id).toBe('pushed-by-other');
    expect(other.diagnosis?.mistake).toContain(`pushed by arn:aws:iam::${ACCOUNT}:user/ecr-learner`);

    // An admin role pushes fine, and is too broad.
    await pipelineRole('codebuild-admin', 'pipe-app', { admin: true });
    const admin = await pipeline('pipe-app', { pre_build: [LOGIN, TAG], build: [BUILD], post_build: [PUSH] });
    expect((await ciRun(admin, '--role', 'codebuild-admin')).code).toBe(0);
    expect(await diagnosis('pipeline-pushed', 'pipe-app', { roleName: 'codebuild-admin' })).toBe('pipeline-role-too-broad');

    const right = await pipeline('pipe-app', { pre_build: [LOGIN, TAG], build: [BUILD], post_build: [PUSH] });
    const run = await ciRun(right, '--role', 'codebuild-demo');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const passed = await check('pipeline-pushed', 'pipe-app', params);
    expect(passed.status, JSON.stringify(passed)).toBe('pass');
    expect(passed.evidence.join('\n')).toMatch(/Pushed by \(the sandbox's record\): arn:aws:sts::123456789012:assumed-role\/codebuild-demo\/AWSCodeBuild-/);
  });

  it('a build of a folder that is not a git repository has no commit to tag with', { timeout: TIMEOUT }, async () => {
    const dir = tempDir('ecrwb-nogit-');
    fs.writeFileSync(path.join(dir, 'buildspec.yml'), 'version: 0.2\nphases:\n  build:\n    commands: [echo hi]\n');
    const run = await ciRun(dir, '--role', 'codebuild-demo');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('CODEBUILD_RESOLVED_SOURCE_VERSION is not set');
    expect(await diagnosis('pipeline-pushed', 'pipe-app', { roleName: 'codebuild-demo' })).toBe('ci-not-git');
  });
});

describe('lesson 15: everything cleaned up (course-cleaned-up)', () => {
  it('names what is left with the command that removes it, then passes', { timeout: TIMEOUT }, async () => {
    const image = await pushedRepo('clean-app');
    await register('clean-app', image, { role: 'ecsTaskExecutionRole' });
    const params = { family: 'clean-app', cluster: 'clean', roles: ['ecsTaskExecutionRole'] };
    await ok(awsCmd('ecs create-cluster --cluster-name clean'));
    const left = await check('course-cleaned-up', 'clean-app', params);
    expect(left.diagnosis?.id).toBe('course-leftovers');
    expect(left.diagnosis?.fix).toContain('aws ecs delete-cluster --cluster clean');
    expect(left.diagnosis?.fix).toContain('aws ecr delete-repository --repository-name clean-app --force');
    await ok(awsCmd('ecs delete-cluster --cluster clean'));
    await ok(awsCmd('ecs deregister-task-definition --task-definition clean-app:1'));
    await ok(awsCmd('iam detach-role-policy --role-name ecsTaskExecutionRole --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'));
    await ok(awsCmd('iam delete-role --role-name ecsTaskExecutionRole'));
    expect((await check('course-cleaned-up', 'clean-app', params)).diagnosis?.mistake).toBe('Still there: the repository clean-app.');
    await ok(awsCmd('ecr delete-repository --repository-name clean-app --force'));
    expect(await diagnosis('course-cleaned-up', 'clean-app', params)).toBe('pass');
  });
});
