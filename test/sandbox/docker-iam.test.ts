import { CreateRepositoryCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { AttachRolePolicyCommand, CreateRoleCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, docker, ok, removeBuiltImages, sh, uniqueName } from '../helpers/docker.js';
import { assumeRole, createUser, managedPolicy, policyText, type TestUser } from '../helpers/iam.js';
import { type AwsCli, ecrClient, iamClient, installedAwsClis, isolatedCliEnv, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * docker against the sandbox's registry as other identities than the learner: each login token
 * carries the identity that asked for it, and each registry request is authorized as it, with
 * ECR's mapping of requests to actions and AWS's words in docker's output.
 */

const TIMEOUT = 240_000;
const MAIN = '123456789012';
let sandbox: TestSandbox;
let cli: AwsCli;
let repo: string;
let image: string;
const repoArn = (name: string) => `arn:aws:ecr:us-east-1:${MAIN}:repository/${name}`;
const denied = (who: string, action: string, name: string, why: string) => `denied: User: ${who} is not authorized to perform: ${action} on resource: ${repoArn(name)} ${why}`;

/** A fresh docker and aws home whose aws CLI uses these keys (the learner's unless given). */
function homeFor(keys?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): NodeJS.ProcessEnv {
  const env = isolatedCliEnv(sandbox);
  if (keys) {
    env.AWS_ACCESS_KEY_ID = keys.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = keys.secretAccessKey;
    if (keys.sessionToken) env.AWS_SESSION_TOKEN = keys.sessionToken;
  }
  return env;
}

/** `aws ecr get-login-password | docker login`, with the real aws CLI, to a registry host. */
function login(env: NodeJS.ProcessEnv, host = sandbox.registryHost) {
  return sh(`'${cli.path}' ecr get-login-password --endpoint-url '${sandbox.endpoint}' | docker login --username AWS --password-stdin '${host}'`, env);
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  cli = installedAwsClis()[0]!;
  repo = uniqueName('demo-app');
  const admin = ecrClient(sandbox);
  await admin.send(new CreateRepositoryCommand({ repositoryName: repo }));
  admin.destroy();
  const env = homeFor();
  image = `${sandbox.registryHost}/${repo}:v1`;
  await ok(login(env));
  await buildImage(image, env);
  await ok(docker(['push', image], env));
}, TIMEOUT);

afterAll(async () => {
  await removeBuiltImages();
  await sandbox?.stop();
});

describe('a read-only CI user', () => {
  let reader: TestUser;
  beforeAll(async () => {
    reader = await createUser(sandbox, 'ci-reader', { managed: ['AmazonEC2ContainerRegistryReadOnly'] });
  });

  it('logs in and pulls; its push is denied with ECR\'s words; made Inactive, its login stops working', async () => {
    const env = homeFor(reader);
    expect(await ok(login(env))).toContain('Login Succeeded');
    await ok(docker(['rmi', image], env));
    expect(await ok(docker(['pull', image], env))).toContain(`Status: Downloaded newer image for ${image}`);
    const mine = `${sandbox.registryHost}/${repo}:ci-${process.pid}`;
    await buildImage(mine, env);
    const push = await docker(['push', mine], env);
    expect(push.exitCode).not.toBe(0);
    expect(push.all).toContain(denied(reader.arn, 'ecr:InitiateLayerUpload', repo, 'because no identity-based policy allows the ecr:InitiateLayerUpload action'));

    const iam = iamClient(sandbox);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'ci-reader', AccessKeyId: reader.accessKeyId, Status: 'Inactive' }));
    iam.destroy();
    await ok(docker(['rmi', image], env));
    const pull = await docker(['pull', image], env);
    expect(pull.exitCode).not.toBe(0);
    expect(pull.all).toContain('denied: The access key this login was made with has been deleted or made Inactive');
    const relogin = await login(env);
    expect(relogin.exitCode).not.toBe(0);
    expect(relogin.all).toContain('UnrecognizedClientException');
  }, TIMEOUT);
});

describe('a user with an explicit Deny', () => {
  it('uploads its layers (PowerUser), and its PutImage is refused with the explicit-deny words', async () => {
    const user = await createUser(sandbox, 'no-publish', {
      managed: ['AmazonEC2ContainerRegistryPowerUser'],
      inline: { 'no-put': policyText({ Effect: 'Deny', Action: 'ecr:PutImage', Resource: '*' }) },
    });
    const env = homeFor(user);
    await ok(login(env));
    const target = `${sandbox.registryHost}/${repo}:denied-${process.pid}`;
    await buildImage(target, env);
    const push = await docker(['push', target], env);
    expect(push.exitCode).not.toBe(0);
    expect(push.all).toContain(denied(user.arn, 'ecr:PutImage', repo, 'with an explicit deny in an identity-based policy'));
  }, TIMEOUT);
});

describe("an assumed role's temporary credentials", () => {
  it('push as the role session; once the session is over, docker hears the token expired', async () => {
    const user = await createUser(sandbox, 'deployer');
    const iam = iamClient(sandbox);
    await iam.send(
      new CreateRoleCommand({ RoleName: 'pusher', AssumeRolePolicyDocument: policyText({ Effect: 'Allow', Principal: { AWS: user.arn }, Action: 'sts:AssumeRole' }) }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'pusher', PolicyArn: managedPolicy('AmazonEC2ContainerRegistryPowerUser') }));
    iam.destroy();
    const session = await assumeRole(sandbox, `arn:aws:iam::${MAIN}:role/pusher`, user, { sessionName: 'deploy', durationSeconds: 900 });
    const env = homeFor(session);
    await ok(login(env));
    const target = `${sandbox.registryHost}/${repo}:session-${process.pid}`;
    await buildImage(target, env);
    expect(await ok(docker(['push', target], env))).toMatch(/digest: sha256:[0-9a-f]{64}/);

    sandbox.store.state.clockOffsetSeconds = 901;
    try {
      await ok(docker(['rmi', target], env));
      const pull = await docker(['pull', target], env);
      expect(pull.exitCode).not.toBe(0);
      expect(pull.all).toContain('denied: Your authorization token has expired. Reauthenticate and try again.');
      const relogin = await login(env);
      expect(relogin.exitCode).not.toBe(0);
      expect(relogin.all).toContain('ExpiredTokenException');
    } finally {
      sandbox.store.state.clockOffsetSeconds = 0;
    }
  }, TIMEOUT);
});

describe('the second account', () => {
  it("pulls the first account's image only once its repository policy allows the account", async () => {
    const key = sandbox.iam.secondAccountKey()!;
    const env = homeFor({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey! });
    // Its own credentials, the first account's registry host.
    expect(await ok(login(env))).toContain('Login Succeeded');
    const refused = await docker(['pull', image], env);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.all).toContain(denied('arn:aws:iam::111122223333:user/partner-admin', 'ecr:BatchGetImage', repo, 'because no resource-based policy allows the ecr:BatchGetImage action'));

    const admin = ecrClient(sandbox);
    await admin.send(
      new SetRepositoryPolicyCommand({
        repositoryName: repo,
        policyText: policyText({
          Sid: 'SecondAccountPulls',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111122223333:root' },
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        }),
      }),
    );
    admin.destroy();
    await docker(['rmi', image], env);
    expect(await ok(docker(['pull', image], env))).toContain(`Status: Downloaded newer image for ${image}`);
  }, TIMEOUT);

  it('has a registry of its own at 127.0.0.1:PORT, which docker uses without configuration', async () => {
    const key = sandbox.iam.secondAccountKey()!;
    const env = homeFor({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey! });
    const own = ecrClient(sandbox, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey! });
    const name = uniqueName('partner-app');
    await own.send(new CreateRepositoryCommand({ repositoryName: name }));
    own.destroy();
    const host = `127.0.0.1:${sandbox.port}`;
    expect(await ok(login(env, host))).toContain('Login Succeeded');
    const target = `${host}/${name}:v1`;
    await buildImage(target, env);
    await ok(docker(['push', target], env));
    expect(sandbox.secondBackend.findRepository(sandbox.region, name)!.images).not.toEqual({});
    expect(sandbox.backend.findRepository(sandbox.region, name)).toBeUndefined();
  }, TIMEOUT);
});
