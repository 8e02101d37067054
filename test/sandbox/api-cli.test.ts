import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedAwsClis, isolatedCliEnv, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * The real aws CLIs (every one installed: Debian's v2, a pip v1) against the sandbox through
 * --endpoint-url, as a learner would run them. Their env never touches the real ~/.aws.
 */

const clis = installedAwsClis();
let sandbox: TestSandbox;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sandbox = await startTestSandbox({ withoutRegistry: true });
  env = isolatedCliEnv(sandbox);
});
afterAll(async () => {
  await sandbox?.stop();
});

/** Runs `aws <args> --endpoint-url <sandbox>` and never throws on a non-zero exit. */
function aws(cliPath: string, args: string[]) {
  return execa(cliPath, [...args, '--endpoint-url', sandbox.endpoint, '--output', 'json'], { env, extendEnv: false, reject: false, timeout: 60_000 });
}

describe('the real aws CLI against the sandbox', () => {
  it('finds at least one installed aws CLI to test with', () => {
    expect(clis.length, 'no aws CLI on PATH or at /usr/bin/aws').toBeGreaterThan(0);
  });

  for (const cli of clis) {
    describe(cli.version, () => {
      const name = `cli-v${cli.major}-${process.pid}`;

      it('create-repository, then describe-repositories finds it', async () => {
        const created = await aws(cli.path, ['ecr', 'create-repository', '--repository-name', name, '--image-scanning-configuration', 'scanOnPush=true']);
        expect(created.exitCode, created.stderr).toBe(0);
        const { repository } = JSON.parse(created.stdout) as { repository: Record<string, unknown> };
        expect(repository).toMatchObject({
          repositoryName: name,
          registryId: '123456789012',
          repositoryUri: `localhost:${sandbox.port}/${name}`,
          imageScanningConfiguration: { scanOnPush: true },
        });
        // CLI v2 prints timestamps as ISO-8601; v1 passes the epoch number through.
        if (cli.major === 2) expect(repository.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$/);
        else expect(typeof repository.createdAt === 'number' || typeof repository.createdAt === 'string').toBe(true);

        const described = await aws(cli.path, ['ecr', 'describe-repositories', '--repository-names', name]);
        expect(described.exitCode, described.stderr).toBe(0);
        expect((JSON.parse(described.stdout) as { repositories: Array<{ repositoryName: string }> }).repositories.map((r) => r.repositoryName)).toEqual([name]);

        // The CLI paginates on its own (no --repository-names): the whole list comes back.
        const all = await aws(cli.path, ['ecr', 'describe-repositories', '--page-size', '1']);
        expect(all.exitCode, all.stderr).toBe(0);
        expect((JSON.parse(all.stdout) as { repositories: Array<{ repositoryName: string }> }).repositories.map((r) => r.repositoryName)).toContain(name);
      });

      // CLI v2 exits 254 on a service error; v1 has no separate code and exits 255.
      const serviceErrorExit = cli.major === 2 ? 254 : 255;

      it(`a service error exits ${serviceErrorExit} with the "An error occurred (Code) when calling the Op operation" line`, async () => {
        const missing = await aws(cli.path, ['ecr', 'describe-repositories', '--repository-names', `missing-v${cli.major}`]);
        expect(missing.exitCode).toBe(serviceErrorExit);
        expect(missing.stderr).toContain(
          `An error occurred (RepositoryNotFoundException) when calling the DescribeRepositories operation: The repository with name 'missing-v${cli.major}' does not exist in the registry with id '123456789012'`,
        );
        const upper = await aws(cli.path, ['ecr', 'create-repository', '--repository-name', 'MyApp']);
        expect(upper.exitCode).toBe(serviceErrorExit);
        expect(upper.stderr).toContain(
          "An error occurred (InvalidParameterException) when calling the CreateRepository operation: Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*''",
        );
      });

      it('a made-up --region is refused, naming the nearest real region and what AWS would do', async () => {
        const typo = await aws(cli.path, ['ecr', 'describe-repositories', '--region', 'us-esat-1']);
        expect(typo.exitCode).toBe(serviceErrorExit);
        expect(typo.stderr).toContain(
          "An error occurred (InvalidSignatureException) when calling the DescribeRepositories operation: Credential should be scoped to a valid region, not 'us-esat-1'. AWS has no region 'us-esat-1' (did you mean 'us-east-1'?)",
        );
        expect(typo.stderr).toContain('Could not connect to the endpoint URL');
        const sts = await execa(cli.path, ['sts', 'get-caller-identity', '--region', 'eu-wset-1', '--endpoint-url', sandbox.endpoint], { env, extendEnv: false, reject: false, timeout: 60_000 });
        expect(sts.exitCode).toBe(serviceErrorExit);
        expect(sts.stderr).toContain("(SignatureDoesNotMatch) when calling the GetCallerIdentity operation: Credential should be scoped to a valid region, not 'eu-wset-1'. AWS has no region 'eu-wset-1' (did you mean 'eu-west-1'?)");
      });

      it('get-login-password prints a password (the token splits on exactly one colon)', async () => {
        const login = await aws(cli.path, ['ecr', 'get-login-password']);
        expect(login.exitCode, login.stderr).toBe(0);
        expect(login.stdout.trim()).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
      });
    });
  }
});
