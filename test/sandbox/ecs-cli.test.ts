import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeBuiltImages, sh, uniqueName } from '../helpers/docker.js';
import { createRole, EXECUTION_POLICY, pushRunnableImage, taskContainers, trustFor } from '../helpers/ecs.js';
import { policyText } from '../helpers/iam.js';
import { installedAwsClis, isolatedCliEnv, startTestSandbox, type AwsCli, type TestSandbox } from '../helpers/sandbox.js';
import { httpGet } from '../../src/check/ecs.js';

/**
 * The real `aws ecs` CLI (v1 and v2) against the sandbox's ECS: a Fargate task definition
 * registered, a task run as a real container pulled through the registry with its execution
 * role, its page served on the port DescribeTasks reports, StopTask; and tasks that cannot start,
 * stopped with ECS's reasons. No task container outlives the file.
 */

const TIMEOUT = 240_000;
const ACCOUNT = '123456789012';
const CLUSTER = 'ecr-workbook';
const SUBNET = 'subnet-0123456789abcdef0';
let sandbox: TestSandbox;
let env: NodeJS.ProcessEnv;
let repo: string;
let image: string;
let pushedDigest: string;
const clis = installedAwsClis();
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

/** The aws CLI with the sandbox's endpoint, answering JSON (or failing with its stderr). */
async function aws(cli: AwsCli, args: string[]): Promise<{ exitCode: number; json: any; all: string }> {
  const result = await sh(`'${cli.path}' --endpoint-url '${sandbox.endpoint}' --output json ${args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}`, env);
  let json: unknown;
  try {
    json = JSON.parse(result.all);
  } catch {
    json = undefined;
  }
  return { exitCode: result.exitCode, json, all: result.all };
}

function containerDefinitions(name: string, img: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify([{ name, image: img, portMappings: [{ containerPort: 80 }], essential: true, ...extra }]);
}

async function register(cli: AwsCli, family: string, img: string, role: string | undefined, extra: string[] = []) {
  return aws(cli, [
    'ecs', 'register-task-definition', '--family', family,
    '--requires-compatibilities', 'FARGATE', '--network-mode', 'awsvpc', '--cpu', '256', '--memory', '512',
    ...(role ? ['--execution-role-arn', role] : []),
    '--container-definitions', containerDefinitions('web', img),
    ...extra,
  ]);
}

async function runTask(cli: AwsCli, family: string) {
  return aws(cli, [
    'ecs', 'run-task', '--cluster', CLUSTER, '--launch-type', 'FARGATE', '--task-definition', family,
    '--network-configuration', `awsvpcConfiguration={subnets=[${SUBNET}],assignPublicIp=ENABLED}`,
  ]);
}

async function describeTask(cli: AwsCli, taskArn: string) {
  const out = await aws(cli, ['ecs', 'describe-tasks', '--cluster', CLUSTER, '--tasks', taskArn]);
  expect(out.exitCode, out.all).toBe(0);
  return out.json.tasks[0];
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  env = isolatedCliEnv(sandbox);
  repo = uniqueName('ecs-app');
  ({ image, digest: pushedDigest } = await pushRunnableImage(sandbox, env, repo));
  await createRole(sandbox, 'ecsTaskExecutionRole', { managed: [EXECUTION_POLICY] });
  const created = await aws(clis[0]!, ['ecs', 'create-cluster', '--cluster-name', CLUSTER]);
  expect(created.json.cluster).toMatchObject({ clusterName: CLUSTER, status: 'ACTIVE', clusterArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${CLUSTER}` });
}, TIMEOUT);

afterAll(async () => {
  await sandbox?.stop();
  // Nothing the sandbox ran outlives it.
  if (sandbox) expect(await taskContainers(sandbox.ecsLabel)).toEqual([]);
  await removeBuiltImages();
}, TIMEOUT);

describe('aws ecs against the sandbox', () => {
  it('finds an aws CLI', () => expect(clis.length).toBeGreaterThan(0));

  for (const cli of clis) {
    it(`registers, runs, describes, serves and stops a Fargate task with ${cli.version.split(' ')[0]}`, { timeout: TIMEOUT }, async () => {
      const family = `web-v${cli.major}`;
      const registered = await register(cli, family, image, roleArn('ecsTaskExecutionRole'));
      expect(registered.exitCode, registered.all).toBe(0);
      expect(registered.json.taskDefinition).toMatchObject({
        taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${family}:1`,
        family,
        revision: 1,
        status: 'ACTIVE',
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        requiresCompatibilities: ['FARGATE'],
        compatibilities: ['EC2', 'FARGATE'],
        executionRoleArn: roleArn('ecsTaskExecutionRole'),
        containerDefinitions: [{ name: 'web', image, essential: true, cpu: 0, portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }] }],
      });
      const described = await aws(cli, ['ecs', 'describe-task-definition', '--task-definition', family]);
      expect(described.json.taskDefinition.revision).toBe(1);
      const listed = await aws(cli, ['ecs', 'list-task-definitions', '--family-prefix', family]);
      expect(listed.json.taskDefinitionArns).toEqual([`arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${family}:1`]);

      const run = await runTask(cli, family);
      expect(run.exitCode, run.all).toBe(0);
      const started = run.json.tasks[0];
      // RunTask answers before anything is pulled, as ECS does.
      expect(started).toMatchObject({ lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', launchType: 'FARGATE', platformVersion: '1.4.0' });
      expect(started.taskArn).toMatch(new RegExp(`^arn:aws:ecs:us-east-1:${ACCOUNT}:task/${CLUSTER}/[0-9a-f]{32}$`));
      const waited = await aws(cli, ['ecs', 'wait', 'tasks-running', '--cluster', CLUSTER, '--tasks', started.taskArn]);
      expect(waited.exitCode, waited.all).toBe(0);

      const task = await describeTask(cli, started.taskArn);
      expect(task).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', taskDefinitionArn: registered.json.taskDefinition.taskDefinitionArn });
      expect(task.attachments[0]).toMatchObject({ type: 'ElasticNetworkInterface', status: 'ATTACHED' });
      expect(task.attachments[0].details).toContainEqual({ name: 'subnetId', value: SUBNET });
      const [container] = task.containers;
      expect(container).toMatchObject({ name: 'web', image, imageDigest: pushedDigest, lastStatus: 'RUNNING' });
      const [binding] = container.networkBindings;
      expect(binding).toMatchObject({ bindIP: '127.0.0.1', containerPort: 80, protocol: 'tcp' });
      const page = await httpGet('127.0.0.1', binding.hostPort);
      expect(page).toMatchObject({ status: 200 });
      expect((page as { body: string }).body).toContain('<h1>Hello from Amazon ECR</h1>');
      expect((await aws(cli, ['ecs', 'list-tasks', '--cluster', CLUSTER, '--family', family])).json.taskArns).toEqual([started.taskArn]);

      const stopped = await aws(cli, ['ecs', 'stop-task', '--cluster', CLUSTER, '--task', started.taskArn]);
      expect(stopped.exitCode, stopped.all).toBe(0);
      // StopTask answers at once: the task still runs, and is to stop.
      expect(stopped.json.task).toMatchObject({ desiredStatus: 'STOPPED', lastStatus: 'RUNNING', stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user' });
      expect((await aws(cli, ['ecs', 'wait', 'tasks-stopped', '--cluster', CLUSTER, '--tasks', started.taskArn])).exitCode).toBe(0);
      const after = await describeTask(cli, started.taskArn);
      expect(after).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated' });
      expect(after.containers[0].exitCode).toBe(0);
      expect(await httpGet('127.0.0.1', binding.hostPort, 1000)).toHaveProperty('error');
      expect((await aws(cli, ['ecs', 'list-tasks', '--cluster', CLUSTER, '--family', family, '--desired-status', 'STOPPED'])).json.taskArns).toEqual([started.taskArn]);

      const deregistered = await aws(cli, ['ecs', 'deregister-task-definition', '--task-definition', `${family}:1`]);
      expect(deregistered.json.taskDefinition).toMatchObject({ status: 'INACTIVE' });
      const gone = await aws(cli, ['ecs', 'describe-task-definition', '--task-definition', family]);
      expect(gone.exitCode).not.toBe(0);
      expect(gone.all).toContain('An error occurred (ClientException) when calling the DescribeTaskDefinition operation: Unable to describe task definition.');
    });
  }

  it('stops a task whose execution role may not pull, with the registry\'s own denial as CannotPullContainerError', { timeout: TIMEOUT }, async () => {
    const cli = clis[0]!;
    await createRole(sandbox, 'login-only', { inline: { login: policyText({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }) } });
    expect((await register(cli, 'no-pull', image, roleArn('login-only'))).exitCode).toBe(0);
    const run = await runTask(cli, 'no-pull');
    const arn = run.json.tasks[0].taskArn;
    const waited = await aws(cli, ['ecs', 'wait', 'tasks-stopped', '--cluster', CLUSTER, '--tasks', arn]);
    expect(waited.exitCode, waited.all).toBe(0);
    const task = await describeTask(cli, arn);
    const session = arn.split('/').pop();
    const reason = `CannotPullContainerError: Error response from daemon: pull access denied for ${sandbox.registryHost}/${repo}, repository does not exist or may require 'docker login': denied: User: arn:aws:sts::${ACCOUNT}:assumed-role/login-only/${session} is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${repo} because no identity-based policy allows the ecr:BatchGetImage action`;
    expect(task).toMatchObject({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedReason: reason });
    expect(task.containers[0]).toMatchObject({ lastStatus: 'STOPPED', reason });
    expect(task.containers[0].runtimeId).toBeUndefined();
  });

  it('stops a task whose role may not even log in, as Fargate says it (ResourceInitializationError)', { timeout: TIMEOUT }, async () => {
    const cli = clis[0]!;
    await createRole(sandbox, 'no-login', { inline: { pull: policyText({ Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: '*' }) } });
    expect((await register(cli, 'no-login', image, roleArn('no-login'))).exitCode).toBe(0);
    const arn = (await runTask(cli, 'no-login')).json.tasks[0].taskArn;
    await aws(cli, ['ecs', 'wait', 'tasks-stopped', '--cluster', CLUSTER, '--tasks', arn]);
    const task = await describeTask(cli, arn);
    expect(task.stoppedReason).toBe(
      `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::${ACCOUNT}:assumed-role/no-login/${arn.split('/').pop()} is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action`,
    );
  });

  it('stops a task whose tag was never pushed with manifest unknown, and one without a registry host with Docker Hub\'s answer', { timeout: TIMEOUT }, async () => {
    const cli = clis[0]!;
    expect((await register(cli, 'never-pushed', `${sandbox.registryHost}/${repo}:v9`, roleArn('ecsTaskExecutionRole'))).exitCode).toBe(0);
    expect((await aws(cli, ['ecs', 'register-task-definition', '--family', 'no-host', '--memory', '128', '--container-definitions', containerDefinitions('web', `${repo}:v1`)])).exitCode).toBe(0);
    const missing = (await runTask(cli, 'never-pushed')).json.tasks[0].taskArn;
    const noHost = (await aws(cli, ['ecs', 'run-task', '--cluster', CLUSTER, '--task-definition', 'no-host'])).json.tasks[0];
    expect(noHost).toMatchObject({ launchType: 'EC2' });
    await aws(cli, ['ecs', 'wait', 'tasks-stopped', '--cluster', CLUSTER, '--tasks', missing, noHost.taskArn]);
    expect((await describeTask(cli, missing)).stoppedReason).toBe(
      `CannotPullContainerError: Error response from daemon: manifest for ${sandbox.registryHost}/${repo}:v9 not found: manifest unknown: Requested image not found`,
    );
    // Docker Hub: out of reach here ("no such host"), or "pull access denied" with network; docker's words either way.
    expect((await describeTask(cli, noHost.taskArn)).stoppedReason).toMatch(/^CannotPullContainerError: Error response from daemon: .*(registry-1\.docker\.io|pull access denied for ecs-app)/);
  });

  it('refuses to run a task whose role does not trust ecs-tasks.amazonaws.com, in ECS\'s words', { timeout: TIMEOUT }, async () => {
    const cli = clis[0]!;
    await createRole(sandbox, 'ec2-only', { trust: trustFor('ec2.amazonaws.com'), managed: [EXECUTION_POLICY] });
    expect((await register(cli, 'untrusted', image, roleArn('ec2-only'))).exitCode).toBe(0);
    const run = await runTask(cli, 'untrusted');
    expect(run.exitCode).not.toBe(0);
    expect(run.all).toContain(
      `An error occurred (ClientException) when calling the RunTask operation: ECS was unable to assume the role '${roleArn('ec2-only')}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.`,
    );
    expect((await aws(cli, ['ecs', 'list-tasks', '--cluster', CLUSTER, '--family', 'untrusted'])).json.taskArns).toEqual([]);
  });

  it('validates task definitions and RunTask as ECS does', { timeout: TIMEOUT }, async () => {
    const cli = clis[0]!;
    const refused = async (args: string[], code: string, op: string, message: string) => {
      const out = await aws(cli, args);
      expect(out.exitCode, out.all).not.toBe(0);
      expect(out.all).toContain(`An error occurred (${code}) when calling the ${op} operation: ${message}`);
    };
    const fargate = ['ecs', 'register-task-definition', '--family', 'bad', '--requires-compatibilities', 'FARGATE'];
    await refused([...fargate, '--cpu', '256', '--memory', '512', '--container-definitions', containerDefinitions('web', image)], 'ClientException', 'RegisterTaskDefinition', 'Fargate only supports network mode ‘awsvpc’.');
    await refused([...fargate, '--network-mode', 'awsvpc', '--cpu', '256', '--memory', '4096', '--container-definitions', containerDefinitions('web', image)], 'ClientException', 'RegisterTaskDefinition', 'No Fargate configuration exists for given values: 256 CPU, 4096 memory.');
    await refused([...fargate, '--network-mode', 'awsvpc', '--memory', '512', '--container-definitions', containerDefinitions('web', image)], 'ClientException', 'RegisterTaskDefinition', "Fargate requires that 'cpu' be defined at the task level.");
    await refused([...fargate, '--network-mode', 'awsvpc', '--cpu', '256', '--memory', '512', '--container-definitions', containerDefinitions('web', image)], 'ClientException', 'RegisterTaskDefinition', 'Fargate requires task definition to have execution role ARN to support ECR images.');
    await refused(
      ['ecs', 'register-task-definition', '--family', 'bad', '--network-mode', 'awsvpc', '--memory', '128', '--container-definitions', JSON.stringify([{ name: 'web', image, portMappings: [{ containerPort: 80, hostPort: 8080 }] }])],
      'ClientException', 'RegisterTaskDefinition', 'When networkMode=awsvpc, the host ports and container ports in port mappings must match.',
    );
    await refused(['ecs', 'register-task-definition', '--family', 'bad', '--container-definitions', JSON.stringify([{ name: 'web', image }])], 'ClientException', 'RegisterTaskDefinition', "Invalid setting for container 'web'. At least one of 'memory' or 'memoryReservation' must be specified.");
    await refused(['ecs', 'register-task-definition', '--family', 'bad', '--memory', '128', '--container-definitions', JSON.stringify([{ name: 'web' }])], 'ClientException', 'RegisterTaskDefinition', 'Container.image should not be null or empty.');
    // An EC2-only definition cannot run on Fargate; an awsvpc one needs its network configuration.
    await aws(cli, ['ecs', 'register-task-definition', '--family', 'ec2-only', '--memory', '128', '--container-definitions', containerDefinitions('web', image)]);
    await refused(['ecs', 'run-task', '--cluster', CLUSTER, '--launch-type', 'FARGATE', '--task-definition', 'ec2-only'], 'InvalidParameterException', 'RunTask', 'Task definition does not support launch_type FARGATE.');
    await register(cli, 'needs-network', image, roleArn('ecsTaskExecutionRole'));
    await refused(['ecs', 'run-task', '--cluster', CLUSTER, '--launch-type', 'FARGATE', '--task-definition', 'needs-network'], 'InvalidParameterException', 'RunTask', "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    await refused(['ecs', 'run-task', '--cluster', 'nowhere', '--task-definition', 'needs-network'], 'ClusterNotFoundException', 'RunTask', 'Cluster not found.');
    await refused(['ecs', 'run-task', '--cluster', CLUSTER, '--task-definition', 'never-registered'], 'ClientException', 'RunTask', 'Unable to describe task definition.');
    await refused(['ecs', 'stop-task', '--cluster', CLUSTER, '--task', '0123456789abcdef0123456789abcdef'], 'InvalidParameterException', 'StopTask', 'The referenced task was not found.');
    const missing = await aws(cli, ['ecs', 'describe-tasks', '--cluster', CLUSTER, '--tasks', '0123456789abcdef0123456789abcdef']);
    expect(missing.json).toEqual({ tasks: [], failures: [{ arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/${CLUSTER}/0123456789abcdef0123456789abcdef`, reason: 'MISSING' }] });
    await refused(['ecs', 'list-services', '--cluster', CLUSTER], 'UnsupportedOperationException', 'ListServices', 'The ECS sandbox does not implement ListServices.');
  });
});
