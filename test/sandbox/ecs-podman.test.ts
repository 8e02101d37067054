import { execFileSync } from 'node:child_process';
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeBuiltImages, uniqueName } from '../helpers/docker.js';
import { createRole, ecsClient, eventually, EXECUTION_POLICY, pushRunnableImage, taskContainers } from '../helpers/ecs.js';
import { policyText } from '../helpers/iam.js';
import { isolatedCliEnv, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * A learner whose client is podman: the sandbox's tasks pull with podman, with the execution
 * role's login in an auth file of the task's own (`--authfile`), over plain http to the loopback
 * registry. (Whether podman can then start a container depends on the machine: on this CI's VM
 * runc may not set rlimits, and the task stops with podman's CannotStartContainerError.)
 */

const hasPodman = (() => {
  try {
    execFileSync('podman', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const TIMEOUT = 180_000;
const ACCOUNT = '123456789012';
let sandbox: TestSandbox;
let ecs: ECSClient;
let image: string;
let digest: string;

beforeAll(async () => {
  if (!hasPodman) return;
  sandbox = await startTestSandbox({ containerClient: 'podman' });
  ecs = ecsClient(sandbox);
  const env = isolatedCliEnv(sandbox);
  ({ image, digest } = await pushRunnableImage(sandbox, env, uniqueName('podman-app')));
  await createRole(sandbox, 'ecsTaskExecutionRole', { managed: [EXECUTION_POLICY] });
  await createRole(sandbox, 'login-only', { inline: { login: policyText({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }) } });
  await ecs.send(new CreateClusterCommand({ clusterName: 'p' }));
}, TIMEOUT);

afterAll(async () => {
  if (!hasPodman) return;
  ecs?.destroy();
  await sandbox?.stop();
  // Its tasks ran in podman's store: the stopped sandbox leaves none of them there.
  if (sandbox) expect(await taskContainers(sandbox.ecsLabel, 'podman')).toEqual([]);
  if (image) await execa('podman', ['rmi', '-f', image], { reject: false });
  await removeBuiltImages();
});

describe.skipIf(!hasPodman)('ECS tasks with podman as the engine', () => {
  async function run(family: string, role: string) {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        containerDefinitions: [{ name: 'web', image, portMappings: [{ containerPort: 80 }] }],
      }),
    );
    const arn = (await ecs.send(new RunTaskCommand({ cluster: 'p', launchType: 'FARGATE', taskDefinition: family, networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'] } } }))).tasks![0]!.taskArn!;
    return eventually(
      async () => (await ecs.send(new DescribeTasksCommand({ cluster: 'p', tasks: [arn] }))).tasks![0]!,
      (t) => t.lastStatus === 'RUNNING' || t.lastStatus === 'STOPPED',
    );
  }

  it('pulls with the execution role\'s login (the pushed digest), and runs or says why podman could not start it', { timeout: TIMEOUT }, async () => {
    const task = await run('pulls', 'ecsTaskExecutionRole');
    expect(task.containers![0]!.imageDigest).toBe(digest);
    if (task.lastStatus === 'STOPPED') expect(task.stoppedReason).toMatch(/^CannotStartContainerError: Error: /);
  });

  it('a role that may not pull: podman\'s pull fails with the registry\'s denial', { timeout: TIMEOUT }, async () => {
    const task = await run('denied', 'login-only');
    expect(task).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart' });
    expect(task.stoppedReason).toMatch(/^CannotPullContainerError: /);
    expect(task.stoppedReason).toContain('assumed-role/login-only/');
    expect(task.stoppedReason).toContain('is not authorized to perform: ecr:BatchGetImage');
  });
});
