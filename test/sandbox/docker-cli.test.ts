import { CreateRepositoryCommand, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, docker, ok, removeBuiltImages, run, sh, uniqueName, type Run } from '../helpers/docker.js';
import { type AwsCli, ecrClient, installedAwsClis, isolatedCliEnv, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * The learner's flow with the real `docker` and every installed `aws` CLI against the sandbox,
 * and the mistakes of ecr-facts §6, each checked for ECR's message in docker's own output.
 */

type Sandbox = TestSandbox;

const clis = installedAwsClis();
const FLOW_TIMEOUT = 240_000;
let sandbox: Sandbox;

function loginScript(cli: AwsCli, sb: Sandbox, extra = ''): string {
  return `'${cli.path}' ecr get-login-password --endpoint-url '${sb.endpoint}' ${extra} | docker login --username AWS --password-stdin '${sb.registryHost}'`;
}

/**
 * Logs docker in with a token fetched through the SDK. A 2-second token can run out during a
 * slow login on a busy machine; that is not what the caller tests, so it tries again.
 */
async function sdkLogin(sb: Sandbox, env: NodeJS.ProcessEnv): Promise<void> {
  let last: Run | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const client = ecrClient(sb);
    const out = await client.send(new GetAuthorizationTokenCommand({}));
    client.destroy();
    const password = Buffer.from(out.authorizationData![0]!.authorizationToken!, 'base64').toString('utf8').slice('AWS:'.length);
    last = await run('docker', ['login', '--username', 'AWS', '--password-stdin', sb.registryHost], env, password);
    if (last.exitCode === 0) return;
  }
  throw new Error(`docker login failed:\n${last?.all}`);
}

async function createRepository(sb: Sandbox, name: string, imageTagMutability?: 'IMMUTABLE'): Promise<void> {
  const client = ecrClient(sb);
  await client.send(new CreateRepositoryCommand({ repositoryName: name, imageTagMutability }));
  client.destroy();
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
});

afterAll(async () => {
  await removeBuiltImages();
  await sandbox?.stop();
});

describe('the learner flow with the real CLIs', () => {
  it('finds at least one aws CLI to test with', () => {
    expect(clis.length).toBeGreaterThan(0);
  });

  it.each(clis.map((cli) => [cli.version.split(' ')[0]!, cli] as const))(
    '%s: create, log in, build, tag, push, pull, describe, delete --force',
    async (_version, cli) => {
      const env = isolatedCliEnv(sandbox);
      const ep = ['--endpoint-url', sandbox.endpoint];
      const name = uniqueName(`flow/v${cli.major}`);
      const uri = `${sandbox.registryHost}/${name}:v1`;

      const created = JSON.parse(await ok(run(cli.path, ['ecr', 'create-repository', '--repository-name', name, ...ep], env)));
      expect(created.repository.repositoryUri).toBe(`${sandbox.registryHost}/${name}`);

      expect(await ok(sh(loginScript(cli, sandbox), env))).toContain('Login Succeeded');
      await buildImage(uri, env);
      const pushed = await ok(docker(['push', uri], env));
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
      expect(digest, pushed).toBeDefined();

      await ok(docker(['rmi', uri], env));
      const pulled = await ok(docker(['pull', uri], env));
      expect(pulled).toContain(`Digest: ${digest}`);

      const described = JSON.parse(await ok(run(cli.path, ['ecr', 'describe-images', '--repository-name', name, ...ep], env)));
      expect(described.imageDetails).toHaveLength(1);
      expect(described.imageDetails[0]).toMatchObject({ imageDigest: digest, imageTags: ['v1'], repositoryName: name });
      expect(described.imageDetails[0].imageSizeInBytes).toBeGreaterThan(0);

      const stored = `http://${sandbox.registry!.host}:${sandbox.registry!.port}/v2/${name}/manifests/${digest}`;
      const storedStatus = async () =>
        (await fetch(stored, { method: 'HEAD', headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json', authorization: sandbox.registry!.authorization } })).status;
      expect(await storedStatus()).toBe(200);
      await ok(run(cli.path, ['ecr', 'delete-repository', '--repository-name', name, '--force', ...ep], env));
      // Really gone from the registry behind the sandbox, not only from its books.
      await expect.poll(storedStatus).toBe(404);
      await ok(docker(['rmi', uri], env));
      const gone = await docker(['pull', uri], env);
      expect(gone.exitCode).not.toBe(0);
      expect(gone.all).toContain(`name unknown: The repository with name '${name}' does not exist in the registry with id '${sandbox.accountId}'`);
    },
    FLOW_TIMEOUT,
  );
});

describe('learner mistakes, with ECR messages in docker output', () => {
  const cli = clis[0]!;

  it('push before create-repository: name unknown', async () => {
    const env = isolatedCliEnv(sandbox);
    const name = uniqueName('never-created');
    const uri = `${sandbox.registryHost}/${name}:v1`;
    await ok(sh(loginScript(cli, sandbox), env));
    await buildImage(uri, env);
    const push = await docker(['push', uri], env);
    expect(push.exitCode).not.toBe(0);
    expect(push.all).toContain(`name unknown: The repository with name '${name}' does not exist in the registry with id '${sandbox.accountId}'`);
  }, FLOW_TIMEOUT);

  it('overwriting a tag of an IMMUTABLE repository: tag invalid', async () => {
    const env = isolatedCliEnv(sandbox);
    const name = uniqueName('immutable');
    const uri = `${sandbox.registryHost}/${name}:v1`;
    await ok(run(cli.path, ['ecr', 'create-repository', '--repository-name', name, '--image-tag-mutability', 'IMMUTABLE', '--endpoint-url', sandbox.endpoint], env));
    await ok(sh(loginScript(cli, sandbox), env));
    await buildImage(uri, env);
    await ok(docker(['push', uri], env));
    await buildImage(uri, env); // different content, same tag
    const push = await docker(['push', uri], env);
    expect(push.exitCode).not.toBe(0);
    expect(push.all).toContain(
      `tag invalid: The image tag 'v1' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`,
    );
  }, FLOW_TIMEOUT);

  it('pushing without docker login: no basic auth credentials', async () => {
    const env = isolatedCliEnv(sandbox);
    const name = uniqueName('nologin');
    const uri = `${sandbox.registryHost}/${name}:v1`;
    await createRepository(sandbox, name);
    await buildImage(uri, env);
    const push = await docker(['push', uri], env);
    expect(push.exitCode).not.toBe(0);
    expect(push.all).toContain('no basic auth credentials');
  }, FLOW_TIMEOUT);

  it('logging in with a user name other than AWS: 401 Unauthorized', async () => {
    const env = isolatedCliEnv(sandbox);
    const login = await sh(`'${cli.path}' ecr get-login-password --endpoint-url '${sandbox.endpoint}' | docker login --username ecr-learner --password-stdin '${sandbox.registryHost}'`, env);
    expect(login.exitCode).not.toBe(0);
    expect(login.all).toContain(`login attempt to http://${sandbox.registryHost}/v2/ failed with status: 401 Unauthorized`);
  }, FLOW_TIMEOUT);

  it('logging in with a token from another region: 400 Bad Request', async () => {
    const env = isolatedCliEnv(sandbox);
    const login = await sh(loginScript(cli, sandbox, '--region eu-west-1'), env);
    expect(login.exitCode).not.toBe(0);
    expect(login.all).toContain(`login attempt to http://${sandbox.registryHost}/v2/ failed with status: 400 Bad Request`);
  }, FLOW_TIMEOUT);

  describe('with tokens that last 2 seconds', () => {
    let shortLived: Sandbox;
    beforeAll(async () => {
      shortLived = await startTestSandbox({ tokenTtlSeconds: 2 });
    });
    afterAll(async () => {
      await shortLived?.stop();
    });

    it('pushing after the token expired: denied: Your authorization token has expired', async () => {
      const env = isolatedCliEnv(shortLived);
      const name = uniqueName('expired');
      const uri = `${shortLived.registryHost}/${name}:v1`;
      await createRepository(shortLived, name);
      await buildImage(uri, env);
      // The SDK, not the CLI, fetches this token: a 2-second token must not spend a second on CLI start-up.
      await sdkLogin(shortLived, env);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const push = await docker(['push', uri], env);
      expect(push.exitCode).not.toBe(0);
      expect(push.all).toContain('denied: Your authorization token has expired. Reauthenticate and try again.');
    }, FLOW_TIMEOUT);
  });
});
