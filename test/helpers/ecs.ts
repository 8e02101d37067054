import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { AttachRolePolicyCommand, CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { execa } from 'execa';
import { lessonsDir } from '../../src/course/load.js';
import { ensureBusyboxBase } from '../../src/runner/course-check.js';
import { TASK_LABEL, type ContainerClient } from '../../src/sandbox/ecs/containers.js';
import { containerLabel } from '../../src/sandbox/registry/container.js';
import { sandboxHome } from '../../src/paths.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { docker, ok, retryBuildRace, sh, trackImage } from './docker.js';
import { managedPolicy } from './iam.js';
import { clientConfig, ecrClient, iamClient, installedAwsClis, tempDir, type CredentialOverrides } from './sandbox.js';

/**
 * ECS set-ups for tests: the runnable demo image (busybox's httpd, no Docker Hub), execution roles
 * made through the sandbox's real IAM API, and the task containers a sandbox labelled, so a test
 * can assert none is left.
 */

type Sandbox = Pick<RunningSandbox, 'endpoint' | 'region' | 'credentials'>;

/** The trust policy ECS needs to assume a role (or, for a test of its absence, another service's). */
export const trustFor = (service: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });

/** SDK v3 ECS client for the sandbox. */
export function ecsClient(sandbox: Sandbox, overrides: CredentialOverrides = {}): ECSClient {
  return new ECSClient(clientConfig(sandbox, overrides));
}

/** Creates a role with a trust policy, AWS managed policies (by their path/name) and inline policies. */
export async function createRole(
  sandbox: Sandbox,
  roleName: string,
  options: { trust?: string; managed?: string[]; inline?: Record<string, string> } = {},
): Promise<string> {
  const iam = iamClient(sandbox);
  try {
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: options.trust ?? trustFor('ecs-tasks.amazonaws.com') }));
    for (const name of options.managed ?? []) await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: managedPolicy(name) }));
    for (const [name, document] of Object.entries(options.inline ?? {})) await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: name, PolicyDocument: document }));
    return Role!.Arn!;
  } finally {
    iam.destroy();
  }
}

/** The AWS managed policy ECS task execution roles use. */
export const EXECUTION_POLICY = 'service-role/AmazonECSTaskExecutionRolePolicy';

/**
 * Builds the runnable demo app (busybox httpd serving the lesson's page, with a mark of this
 * build so its digest is its own) and tags it `target`; the image is removed by removeBuiltImages.
 */
export async function buildRunnableImage(target: string, env: NodeJS.ProcessEnv, page = `test ${crypto.randomUUID()}`): Promise<void> {
  const context = path.join(tempDir('ecrwb-runnable-'), 'app');
  fs.cpSync(path.join(lessonsDir(), 'assets', 'demo-app'), context, { recursive: true });
  fs.appendFileSync(path.join(context, 'index.html'), `<!-- ${page} -->\n`);
  await ensureBusyboxBase(env, context);
  trackImage(target);
  await retryBuildRace(() => ok(docker(['build', '-q', '-t', target, '-f', path.join(context, 'Dockerfile.busybox'), context], env)));
}

/**
 * A repository in the sandbox holding the runnable demo app as `v1`, pushed with the learner's
 * login (made in `env`'s docker config): its image reference and the digest the push reported.
 */
export async function pushRunnableImage(
  sandbox: Sandbox & Pick<RunningSandbox, 'registryHost'>,
  env: NodeJS.ProcessEnv,
  repo: string,
): Promise<{ image: string; digest: string }> {
  const ecr = ecrClient(sandbox);
  try {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: repo }));
  } finally {
    ecr.destroy();
  }
  const image = `${sandbox.registryHost}/${repo}:v1`;
  await ok(sh(`'${installedAwsClis()[0]!.path}' ecr get-login-password --endpoint-url '${sandbox.endpoint}' | docker login --username AWS --password-stdin '${sandbox.registryHost}'`, env));
  await buildRunnableImage(image, env);
  const pushed = await ok(docker(['push', image], env));
  return { image, digest: /digest: (sha256:[0-9a-f]{64})/.exec(pushed)![1]! };
}

/** Ids of the task containers a sandbox (by its label value) has in the engine (docker's daemon, or podman's store), running or not. */
export async function taskContainers(label: string, client: ContainerClient = 'docker'): Promise<string[]> {
  const { stdout } = await execa(client, ['ps', '-aq', '--filter', `label=${TASK_LABEL}=${label}`]);
  return stdout.split('\n').filter(Boolean);
}

/** The task label of the sandbox a course replay starts in `work` (its state folder's sandbox). */
export const replayTaskLabel = (work: string) => containerLabel(sandboxHome(path.join(work, 'state')));

/** Polls until `done` says yes, or fails after `timeoutMs` with what it last saw. */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    last = await probe();
  }
  return last;
}
