import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyText } from '../helpers/iam.js';
import { installedAwsClis, isolatedCliEnv, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * The real `aws iam` and `aws sts` (every installed CLI: Debian's v2, a pip v1) against the
 * sandbox, for every IAM and STS operation it serves and IAM's errors, as a learner types them.
 * Policy documents come back decoded (botocore URL-decodes IAM's documents), so these also prove
 * the sandbox encodes them as IAM does.
 */

const clis = installedAwsClis();
/** Each test runs a dozen or more aws commands, a second or more each on a busy machine. */
const CLI_TIMEOUT = 240_000;
let sandbox: TestSandbox;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sandbox = await startTestSandbox({ withoutRegistry: true });
  env = isolatedCliEnv(sandbox);
});
afterAll(async () => {
  await sandbox?.stop();
});

const pullPolicy = policyText({ Sid: 'Pull', Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: '*' });
const repo = 'arn:aws:ecr:us-east-1:123456789012:repository/demo-app';

describe('the real aws iam and aws sts CLIs against the sandbox', () => {
  it('finds at least one installed aws CLI to test with', () => {
    expect(clis.length).toBeGreaterThan(0);
  });

  for (const cli of clis) {
    describe(cli.version, () => {
      const v = `v${cli.major}`;
      // CLI v2 exits 254 on a service error; v1 exits 255.
      const serviceError = cli.major === 2 ? 254 : 255;
      const run = (args: string[], keys: Partial<Record<'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY' | 'AWS_SESSION_TOKEN', string>> = {}) =>
        execa(cli.path, [...args, '--endpoint-url', sandbox.endpoint, '--output', 'json'], { env: { ...env, ...keys }, extendEnv: false, reject: false, timeout: 60_000 });
      /** Runs a command that must succeed, and returns its JSON (or undefined for no output). */
      const ok = async (...args: string[]) => {
        const result = await run(args);
        expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0);
        return result.stdout.trim() ? JSON.parse(result.stdout) : undefined;
      };
      /** Runs a command that must fail with this AWS error line. */
      const fails = async (code: string, message: string, args: string[], keys = {}) => {
        const result = await run(args, keys);
        expect(result.exitCode, result.stderr).toBe(serviceError);
        expect(result.stderr).toContain(`An error occurred (${code}) when calling the `);
        expect(result.stderr).toContain(`operation: ${message}`);
      };
      const user = `ci-reader-${v}`;
      const role = `puller-${v}`;
      const policyArn = `arn:aws:iam::123456789012:policy/pull-${v}`;
      let keys: { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string };

      it('users: create-user, get-user, list-users, tag-user, list-user-tags, untag-user; EntityAlreadyExists, NoSuchEntity, ValidationError', async () => {
        expect((await ok('iam', 'create-user', '--user-name', user)).User).toMatchObject({ UserName: user, Arn: `arn:aws:iam::123456789012:user/${user}` });
        expect((await ok('iam', 'get-user', '--user-name', user)).User.UserName).toBe(user);
        expect((await ok('iam', 'get-user')).User.UserName).toBe('ecr-learner');
        expect((await ok('iam', 'list-users')).Users.map((u: { UserName: string }) => u.UserName)).toContain(user);
        await ok('iam', 'tag-user', '--user-name', user, '--tags', 'Key=created-by,Value=ecr-workbook');
        expect((await ok('iam', 'list-user-tags', '--user-name', user)).Tags).toEqual([{ Key: 'created-by', Value: 'ecr-workbook' }]);
        await ok('iam', 'untag-user', '--user-name', user, '--tag-keys', 'created-by');
        await fails('EntityAlreadyExists', `User with name ${user} already exists.`, ['iam', 'create-user', '--user-name', user]);
        await fails('NoSuchEntity', `The user with name nobody-${v} cannot be found.`, ['iam', 'get-user', '--user-name', `nobody-${v}`]);
        await fails(
          'ValidationError',
          "1 validation error detected: Value 'no spaces' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
          ['iam', 'create-user', '--user-name', 'no spaces'],
        );
      }, CLI_TIMEOUT);

      it('policies: attach/list/detach a managed policy, put/get/list/delete an inline one (decoded by the CLI); MalformedPolicyDocument', async () => {
        const readOnly = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly';
        await ok('iam', 'attach-user-policy', '--user-name', user, '--policy-arn', readOnly);
        expect((await ok('iam', 'list-attached-user-policies', '--user-name', user)).AttachedPolicies).toEqual([
          { PolicyName: 'AmazonEC2ContainerRegistryReadOnly', PolicyArn: readOnly },
        ]);
        await ok('iam', 'put-user-policy', '--user-name', user, '--policy-name', 'pull', '--policy-document', pullPolicy);
        expect((await ok('iam', 'get-user-policy', '--user-name', user, '--policy-name', 'pull')).PolicyDocument).toEqual(JSON.parse(pullPolicy));
        expect((await ok('iam', 'list-user-policies', '--user-name', user)).PolicyNames).toEqual(['pull']);
        await ok('iam', 'delete-user-policy', '--user-name', user, '--policy-name', 'pull');
        await fails('MalformedPolicyDocument', 'Policy document should not specify a principal.', [
          'iam',
          'put-user-policy',
          '--user-name',
          user,
          '--policy-name',
          'bad',
          '--policy-document',
          policyText({ Effect: 'Allow', Principal: '*', Action: 'ecr:*', Resource: '*' }),
        ]);
        await fails('NoSuchEntity', `Policy ${readOnly}x does not exist or is not attachable.`, ['iam', 'attach-user-policy', '--user-name', user, '--policy-arn', `${readOnly}x`]);
      }, CLI_TIMEOUT);

      it('managed policies: create-policy, get-policy, versions, list-policies (Local and AWS), get-policy-version of an AWS one, delete-policy', async () => {
        expect((await ok('iam', 'create-policy', '--policy-name', `pull-${v}`, '--policy-document', pullPolicy)).Policy.Arn).toBe(policyArn);
        expect((await ok('iam', 'get-policy', '--policy-arn', policyArn)).Policy.DefaultVersionId).toBe('v1');
        expect((await ok('iam', 'create-policy-version', '--policy-arn', policyArn, '--policy-document', pullPolicy, '--set-as-default')).PolicyVersion.VersionId).toBe('v2');
        expect((await ok('iam', 'get-policy-version', '--policy-arn', policyArn, '--version-id', 'v2')).PolicyVersion.Document).toEqual(JSON.parse(pullPolicy));
        expect((await ok('iam', 'list-policy-versions', '--policy-arn', policyArn)).Versions.map((x: { VersionId: string }) => x.VersionId)).toEqual(['v2', 'v1']);
        await ok('iam', 'set-default-policy-version', '--policy-arn', policyArn, '--version-id', 'v1');
        await ok('iam', 'delete-policy-version', '--policy-arn', policyArn, '--version-id', 'v2');
        expect((await ok('iam', 'list-policies', '--scope', 'Local')).Policies.map((p: { Arn: string }) => p.Arn)).toContain(policyArn);
        const aws = (await ok('iam', 'list-policies', '--scope', 'AWS')).Policies.map((p: { PolicyName: string }) => p.PolicyName);
        expect(aws).toEqual(expect.arrayContaining(['AmazonEC2ContainerRegistryReadOnly', 'AmazonEC2ContainerRegistryPullOnly', 'AmazonEC2ContainerRegistryPowerUser', 'AmazonEC2ContainerRegistryFullAccess', 'AmazonECSTaskExecutionRolePolicy', 'AdministratorAccess']));
        const managed = await ok('iam', 'get-policy', '--policy-arn', 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly');
        const version = await ok('iam', 'get-policy-version', '--policy-arn', managed.Policy.Arn, '--version-id', managed.Policy.DefaultVersionId);
        expect(version.PolicyVersion.Document.Statement[0].Action).toContain('ecr:BatchGetImage');
        await ok('iam', 'attach-user-policy', '--user-name', user, '--policy-arn', policyArn);
        await fails('DeleteConflict', 'Cannot delete a policy attached to entities.', ['iam', 'delete-policy', '--policy-arn', policyArn]);
        await ok('iam', 'detach-user-policy', '--user-name', user, '--policy-arn', policyArn);
        await ok('iam', 'delete-policy', '--policy-arn', policyArn);
      }, CLI_TIMEOUT);

      it('access keys: create-access-key (at most two: LimitExceeded), list, update to Inactive (refused at sts), delete', async () => {
        const created = (await ok('iam', 'create-access-key', '--user-name', user)).AccessKey;
        keys = { AWS_ACCESS_KEY_ID: created.AccessKeyId, AWS_SECRET_ACCESS_KEY: created.SecretAccessKey };
        const spare = (await ok('iam', 'create-access-key', '--user-name', user)).AccessKey;
        await fails('LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2', ['iam', 'create-access-key', '--user-name', user]);
        expect((await ok('iam', 'list-access-keys', '--user-name', user)).AccessKeyMetadata).toHaveLength(2);
        const asUser = await run(['sts', 'get-caller-identity'], keys);
        expect(JSON.parse(asUser.stdout).Arn).toBe(`arn:aws:iam::123456789012:user/${user}`);
        await ok('iam', 'update-access-key', '--user-name', user, '--access-key-id', spare.AccessKeyId, '--status', 'Inactive');
        await fails('InvalidClientTokenId', 'The security token included in the request is invalid.', ['sts', 'get-caller-identity'], {
          AWS_ACCESS_KEY_ID: spare.AccessKeyId,
          AWS_SECRET_ACCESS_KEY: spare.SecretAccessKey,
        });
        await ok('iam', 'delete-access-key', '--user-name', user, '--access-key-id', spare.AccessKeyId);
        await fails('DeleteConflict', 'Cannot delete entity, must detach all policies first.', ['iam', 'delete-user', '--user-name', user]);
      }, CLI_TIMEOUT);

      it('the simulator: simulate-principal-policy and simulate-custom-policy', async () => {
        const principal = await ok('iam', 'simulate-principal-policy', '--policy-source-arn', `arn:aws:iam::123456789012:user/${user}`, '--action-names', 'ecr:BatchGetImage', 'ecr:PutImage', '--resource-arns', repo);
        expect(principal.EvaluationResults.map((r: { EvalDecision: string }) => r.EvalDecision)).toEqual(['allowed', 'implicitDeny']);
        const custom = await ok('iam', 'simulate-custom-policy', '--policy-input-list', pullPolicy, '--action-names', 'ecr:BatchGetImage');
        expect(custom.EvaluationResults[0]).toMatchObject({ EvalDecision: 'allowed', MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1' }] });
        // A read-only user may not use IAM: AccessDenied in IAM's words.
        await fails(
          'AccessDenied',
          `User: arn:aws:iam::123456789012:user/${user} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::123456789012:user/ because no identity-based policy allows the iam:ListUsers action`,
          ['iam', 'list-users'],
          keys,
        );
      }, CLI_TIMEOUT);

      it('roles: create-role, get-role, update-assume-role-policy, role policies, list-roles, sts assume-role and its session, delete-role', async () => {
        const trust = policyText({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::123456789012:user/${user}` }, Action: 'sts:AssumeRole' });
        expect((await ok('iam', 'create-role', '--role-name', role, '--assume-role-policy-document', trust)).Role.Arn).toBe(`arn:aws:iam::123456789012:role/${role}`);
        expect((await ok('iam', 'get-role', '--role-name', role)).Role.AssumeRolePolicyDocument).toEqual(JSON.parse(trust));
        await ok('iam', 'update-assume-role-policy', '--role-name', role, '--policy-document', trust);
        await ok('iam', 'attach-role-policy', '--role-name', role, '--policy-arn', 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly');
        expect((await ok('iam', 'list-attached-role-policies', '--role-name', role)).AttachedPolicies).toHaveLength(1);
        await ok('iam', 'put-role-policy', '--role-name', role, '--policy-name', 'pull', '--policy-document', pullPolicy);
        expect((await ok('iam', 'get-role-policy', '--role-name', role, '--policy-name', 'pull')).PolicyDocument).toEqual(JSON.parse(pullPolicy));
        expect((await ok('iam', 'list-role-policies', '--role-name', role)).PolicyNames).toEqual(['pull']);
        expect((await ok('iam', 'list-roles')).Roles.map((r: { RoleName: string }) => r.RoleName)).toContain(role);

        const assumed = await run(['sts', 'assume-role', '--role-arn', `arn:aws:iam::123456789012:role/${role}`, '--role-session-name', 'ci'], keys);
        expect(assumed.exitCode, assumed.stderr).toBe(0);
        const credentials = JSON.parse(assumed.stdout).Credentials;
        const session = { AWS_ACCESS_KEY_ID: credentials.AccessKeyId, AWS_SECRET_ACCESS_KEY: credentials.SecretAccessKey, AWS_SESSION_TOKEN: credentials.SessionToken };
        expect(JSON.parse((await run(['sts', 'get-caller-identity'], session)).stdout).Arn).toBe(`arn:aws:sts::123456789012:assumed-role/${role}/ci`);
        await fails('AccessDenied', `User: arn:aws:iam::123456789012:user/ecr-learner is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/${role}`, [
          'sts',
          'assume-role',
          '--role-arn',
          `arn:aws:iam::123456789012:role/${role}`,
          '--role-session-name',
          'admin',
        ]);
        sandbox.store.state.clockOffsetSeconds = 3601;
        try {
          await fails('ExpiredToken', 'The security token included in the request is expired', ['sts', 'get-caller-identity'], session);
        } finally {
          sandbox.store.state.clockOffsetSeconds = 0;
        }
        await fails('DeleteConflict', 'Cannot delete entity, must detach all policies first.', ['iam', 'delete-role', '--role-name', role]);
        await ok('iam', 'detach-role-policy', '--role-name', role, '--policy-arn', 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly');
        await ok('iam', 'delete-role-policy', '--role-name', role, '--policy-name', 'pull');
        await ok('iam', 'delete-role', '--role-name', role);
        await fails('NoSuchEntity', `The role with name ${role} cannot be found.`, ['iam', 'get-role', '--role-name', role]);
      }, CLI_TIMEOUT);
    });
  }
});
