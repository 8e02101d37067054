import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  DescribeTasksCommand,
  ListClustersCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerLabel } from '../../src/sandbox/registry/container.js';
import { docker, ok, removeBuiltImages, sh, trackImage, uniqueName } from '../helpers/docker.js';
import { createRole, ecsClient, eventually, EXECUTION_POLICY, pushRunnableImage, taskContainers } from '../helpers/ecs.js';
import { createUser, policyText } from '../helpers/iam.js';
import { ecrClient, installedAwsClis, isolatedCliEnv, startTestSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';
import { httpGet } from '../../src/check/ecs.js';

/**
 * ECS tasks' lives in the sandbox, through the SDK: the EC2 launch type's bridge ports, overrides,
 * an essential container that exits, iam:PassRole and ecs:* authorization, clusters that hold
 * tasks, and the sandbox stopping (or dying) with tasks running: nothing is left behind.
 */

const TIMEOUT = 240_000;
const ACCOUNT = '123456789012';
const root = path.resolve(import.meta.dirname, '../..');
let sandbox: TestSandbox;
let ecs: ECSClient;
let image: string;
let env: NodeJS.ProcessEnv;
const execution = `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`;

async function describe1(client: ECSClient, cluster: string, arn: string): Promise<Task> {
  return (await client.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]!;
}

async function until(client: ECSClient, cluster: string, arn: string, status: string): Promise<Task> {
  return eventually(() => describe1(client, cluster, arn), (t) => t.lastStatus === status);
}

/**
 * Makes a sandbox ready to run a long task: its registry gets the runnable image (ECS always
 * pulls, as Fargate does: a local-only image is not enough), an execution role, a cluster and a
 * task definition `sleeper` whose container sleeps.
 */
async function prepareSleeper(target: Pick<TestSandbox, 'endpoint' | 'region' | 'credentials' | 'registryHost'>, cluster: string): Promise<void> {
  const ecr = ecrClient(target);
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'sleeper' }));
  ecr.destroy();
  const there = `${target.registryHost}/sleeper:v1`;
  const home = isolatedCliEnv(target);
  await ok(sh(`'${installedAwsClis()[0]!.path}' ecr get-login-password --endpoint-url '${target.endpoint}' | docker login --username AWS --password-stdin '${target.registryHost}'`, home));
  await ok(docker(['tag', image, there], home));
  trackImage(there);
  await ok(docker(['push', there], home));
  await createRole(target, 'ecsTaskExecutionRole', { managed: [EXECUTION_POLICY] });
  const client = ecsClient(target);
  try {
    await client.send(new CreateClusterCommand({ clusterName: cluster }));
    await client.send(
      new RegisterTaskDefinitionCommand({ family: 'sleeper', executionRoleArn: execution, containerDefinitions: [{ name: 's', image: there, memory: 16, command: ['sleep', '600'] }] }),
    );
  } finally {
    client.destroy();
  }
}

const children = new Set<ChildProcess>();

beforeAll(async () => {
  sandbox = await startTestSandbox();
  ecs = ecsClient(sandbox);
  env = isolatedCliEnv(sandbox);
  ({ image } = await pushRunnableImage(sandbox, env, uniqueName('ecs-life')));
  await createRole(sandbox, 'ecsTaskExecutionRole', { managed: [EXECUTION_POLICY] });
  await ecs.send(new CreateClusterCommand({ clusterName: 'life' }));
}, TIMEOUT);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  ecs?.destroy();
  await sandbox?.stop();
  if (sandbox) expect(await taskContainers(sandbox.ecsLabel)).toEqual([]);
  await removeBuiltImages();
}, TIMEOUT);

describe('ECS tasks in the sandbox', () => {
  it('runs an EC2 (bridge) task on a dynamic host port, with overrides; an essential container that exits stops the task with its exit code', { timeout: TIMEOUT }, async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'bridge',
        executionRoleArn: execution,
        containerDefinitions: [{ name: 'web', image, memory: 64, portMappings: [{ containerPort: 80 }], environment: [{ name: 'GREETING', value: 'hi' }] }],
      }),
    );
    const run = await ecs.send(new RunTaskCommand({ cluster: 'life', taskDefinition: 'bridge' }));
    const arn = run.tasks![0]!.taskArn!;
    expect(run.tasks![0]).toMatchObject({ launchType: 'EC2', lastStatus: 'PROVISIONING' });
    const task = await until(ecs, 'life', arn, 'RUNNING');
    const binding = task.containers![0]!.networkBindings![0]!;
    expect(binding).toMatchObject({ bindIP: '127.0.0.1', containerPort: 80 });
    expect(binding.hostPort).toBeGreaterThan(0);
    expect(await httpGet('127.0.0.1', binding.hostPort!)).toMatchObject({ status: 200 });
    expect(task.attachments).toEqual([]);
    // The cluster counts it; a cluster with a task is not deleted.
    expect((await ecs.send(new DescribeClustersCommand({ clusters: ['life'] }))).clusters![0]).toMatchObject({ runningTasksCount: 1, status: 'ACTIVE' });
    await expect(ecs.send(new DeleteClusterCommand({ cluster: 'life' }))).rejects.toMatchObject({ name: 'ClusterContainsTasksException', message: 'The Cluster cannot be deleted while Tasks are active.' });
    await ecs.send(new StopTaskCommand({ cluster: 'life', task: arn, reason: 'done with it' }));
    expect(await until(ecs, 'life', arn, 'STOPPED')).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'done with it' });

    // A command override that exits: the essential container ends, and so does the task.
    const exiting = await ecs.send(
      new RunTaskCommand({ cluster: 'life', taskDefinition: 'bridge', overrides: { containerOverrides: [{ name: 'web', command: ['sh', '-c', 'echo "$GREETING"; exit 3'] }] } }),
    );
    const ended = await until(ecs, 'life', exiting.tasks![0]!.taskArn!, 'STOPPED');
    expect(ended).toMatchObject({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' });
    expect(ended.containers![0]).toMatchObject({ exitCode: 3, lastStatus: 'STOPPED' });
    expect(ended.overrides?.containerOverrides?.[0]).toMatchObject({ name: 'web', command: ['sh', '-c', 'echo "$GREETING"; exit 3'] });
  });

  it('authorizes ECS calls as ecs:<Operation>, and RunTask needs iam:PassRole for the task\'s roles', { timeout: TIMEOUT }, async () => {
    const reader = await createUser(sandbox, uniqueName('ecs-reader'), {
      inline: { ecs: policyText({ Effect: 'Allow', Action: ['ecs:RunTask', 'ecs:ListClusters', 'ecs:DescribeTaskDefinition'], Resource: '*' }) },
    });
    const as = ecsClient(sandbox, { accessKeyId: reader.accessKeyId, secretAccessKey: reader.secretAccessKey });
    try {
      expect((await as.send(new ListClustersCommand({}))).clusterArns).toContain(`arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/life`);
      await expect(as.send(new CreateClusterCommand({ clusterName: 'theirs' }))).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: `User: ${reader.arn} is not authorized to perform: ecs:CreateCluster on resource: arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/theirs because no identity-based policy allows the ecs:CreateCluster action`,
      });
      await expect(as.send(new RunTaskCommand({ cluster: 'life', taskDefinition: 'bridge' }))).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: `User: ${reader.arn} is not authorized to perform: iam:PassRole on resource: ${execution} because no identity-based policy allows the iam:PassRole action`,
      });
    } finally {
      as.destroy();
    }
  });

  it('lists clusters, and deletes an empty one (INACTIVE, still described)', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'empty' }));
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual(expect.arrayContaining([`arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/empty`]));
    expect((await ecs.send(new DeleteClusterCommand({ cluster: 'empty' }))).cluster).toMatchObject({ status: 'INACTIVE' });
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).not.toContain(`arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/empty`);
    expect((await ecs.send(new DescribeClustersCommand({ clusters: ['empty', 'never'] })))).toMatchObject({
      clusters: [{ clusterName: 'empty', status: 'INACTIVE' }],
      failures: [{ arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/never`, reason: 'MISSING' }],
    });
  });
});

describe('a sandbox that stops or dies with tasks running', () => {
  it('sandbox stop removes the containers and marks the tasks STOPPED', { timeout: TIMEOUT }, async () => {
    const other = await startTestSandbox();
    const client = ecsClient(other);
    try {
      await prepareSleeper(other, 'c');
      const arn = (await client.send(new RunTaskCommand({ cluster: 'c', taskDefinition: 'sleeper' }))).tasks![0]!.taskArn!;
      await until(client, 'c', arn, 'RUNNING');
      expect(await taskContainers(other.ecsLabel)).toHaveLength(1);
    } finally {
      client.destroy();
      await other.stop();
    }
    expect(await taskContainers(other.ecsLabel)).toEqual([]);
    const again = await startTestSandbox({ dir: other.dir });
    const c2 = ecsClient(again);
    try {
      const listed = (await c2.send(new DescribeTasksCommand({ cluster: 'c', tasks: (await c2.send(new ListTasksCommand({ cluster: 'c', desiredStatus: 'STOPPED' }))).taskArns! }))).tasks!;
      expect(listed[0]).toMatchObject({ lastStatus: 'STOPPED', stoppedReason: 'Task stopped because the ECS sandbox stopped (ecr-workbook sandbox down).' });
    } finally {
      c2.destroy();
      await again.stop();
    }
  });

  it('a sandbox killed with SIGKILL leaves its task running; the next start removes it and says why the task stopped', { timeout: TIMEOUT }, async () => {
    const dir = tempDir('ecrwb-ecs-kill-');
    const child: ChildProcess = spawn(process.execPath, [path.join(root, 'test/fixtures/sandbox-child.mjs'), dir, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    const info = await new Promise<{ endpoint: string; region: string; credentials: TestSandbox['credentials']; registryHost: string }>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
      });
      child.once('exit', (code) => reject(new Error(`sandbox child exited ${code}`)));
    });
    const client = ecsClient(info);
    let arn: string;
    try {
      await prepareSleeper(info, 'k');
      arn = (await client.send(new RunTaskCommand({ cluster: 'k', taskDefinition: 'sleeper' }))).tasks![0]!.taskArn!;
      await until(client, 'k', arn, 'RUNNING');
    } finally {
      client.destroy();
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    children.delete(child);
    expect(await taskContainers(containerLabel(dir))).toHaveLength(1);
    const again = await startTestSandbox({ dir });
    const c2 = ecsClient(again);
    try {
      expect(await taskContainers(again.ecsLabel)).toEqual([]);
      expect(await describe1(c2, 'k', arn)).toMatchObject({
        lastStatus: 'STOPPED',
        stoppedReason: 'Task stopped because the ECS sandbox stopped while it ran (its containers were removed when the sandbox started again).',
      });
    } finally {
      c2.destroy();
      await again.stop();
      // The killed sandbox's registry container was replaced by the restart's, which stop() removed.
    }
  });
});
