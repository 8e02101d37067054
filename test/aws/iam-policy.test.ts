import { AttachUserPolicyCommand, CreatePolicyCommand, DetachUserPolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/registry.js';
import { checkContext } from '../../src/targets/index.js';
import { sh } from '../helpers/docker.js';
import { CI_USER_ACTIONS, LOGIN_ACTION, REPOSITORY_ACTIONS, coursePolicy, type IamPolicy } from '../../src/aws/iam-policy.js';
import { iamClient, installedAwsClis, isolatedCliEnv, startTestSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';
import { cli } from './helpers.js';

// `ecr-workbook iam-policy`: the least-privilege policy for the course, as JSON that IAM accepts.

/** What the course's commands and the workbook's own calls need, per lesson. */
const NEEDED = [
  'ecr:CreateRepository',
  'ecr:TagResource',
  'ecr:DescribeRepositories',
  'ecr:BatchCheckLayerAvailability',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
  'ecr:DescribeImages',
  'ecr:ListImages',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchDeleteImage',
  'ecr:DeleteRepository',
  'ecr:ListTagsForResource',
  'ecr:SetRepositoryPolicy',
  'ecr:GetRepositoryPolicy',
];

async function printed(...args: string[]): Promise<IamPolicy> {
  const home = tempDir('ecrwb-iam-');
  process.env.ECR_WORKBOOK_HOME = home;
  try {
    const result = await cli(...args, 'iam-policy');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as IamPolicy;
  } finally {
    delete process.env.ECR_WORKBOOK_HOME;
  }
}

describe('ecr-workbook iam-policy', () => {
  it('prints valid JSON: GetAuthorizationToken on *, everything else on the course repository only', async () => {
    const policy = await printed();
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement).toHaveLength(5);
    const [login, repo] = policy.Statement;
    expect(login).toEqual({ Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' });
    expect(repo!.Resource).toBe('arn:aws:ecr:*:*:repository/demo-app');
    expect(repo!.Effect).toBe('Allow');
    expect([...repo!.Action].sort()).toEqual(expect.arrayContaining([...NEEDED].sort()));
  });

  it('is least privilege: no wildcard action, ECR on the repository, IAM on the CI user only, on * only the login and the simulator', () => {
    const policy = coursePolicy('alice/demo-app');
    const actions = policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    for (const action of actions) expect(action).toMatch(/^(ecr|iam):[A-Z][A-Za-z]+$/);
    expect(new Set(actions).size).toBe(actions.length);
    expect(policy.Statement.filter((s) => s.Resource === '*').flatMap((s) => s.Action)).toEqual([LOGIN_ACTION, 'iam:SimulateCustomPolicy']);
    // IAM only on lesson 10's user (this learner's), and only the read-only policy may be attached to it.
    for (const statement of policy.Statement.filter((s) => [s.Action].flat().some((a) => a.startsWith('iam:')) && s.Resource !== '*')) {
      expect(statement.Resource).toBe('arn:aws:iam::*:user/alice-ci-reader');
    }
    expect(policy.Statement.find((s) => s.Action === 'iam:AttachUserPolicy')?.Condition).toEqual({ ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly' } });
    expect(Object.keys(CI_USER_ACTIONS)).not.toContain('iam:AttachUserPolicy');
    // Nothing the course never does: replication, registry settings, inline IAM policies, other users, keys of its own.
    for (const broad of ['ecr:*', 'iam:*', 'ecr:PutReplicationConfiguration', 'ecr:PutRegistryPolicy', 'ecr:DeleteRepositoryPolicy', 'iam:PutUserPolicy', 'iam:ListUsers', 'iam:UpdateAccessKey', 'sts:GetCallerIdentity']) {
      expect(actions).not.toContain(broad);
    }
    expect(Object.keys(REPOSITORY_ACTIONS).every((a) => actions.includes(a))).toBe(true);
  });

  it('scopes to the learner prefix, and to the partition of a China or GovCloud region', async () => {
    expect((await printed('--learner', 'alice')).Statement[1]!.Resource).toBe('arn:aws:ecr:*:*:repository/alice/demo-app');
    expect((await printed('--learner', 'bob', '--repo', 'shop', '--region', 'cn-north-1')).Statement[1]!.Resource).toBe('arn:aws-cn:ecr:*:*:repository/bob/shop');
  });
});

describe('the course policy as the learner’s only permissions, on the sandbox', () => {
  let sandbox: TestSandbox;
  let env: NodeJS.ProcessEnv;
  const cliPath = installedAwsClis()[0]!.path;
  const aws = (args: string) => sh(`"${cliPath}" --endpoint-url ${sandbox.endpoint} ${args}`, env);

  beforeAll(async () => {
    sandbox = await startTestSandbox({ withoutRegistry: true });
    env = isolatedCliEnv(sandbox);
    // What an admin does with `ecr-workbook iam-policy`: a managed policy, attached; AdministratorAccess gone.
    const iam = iamClient(sandbox);
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'ecr-workbook-course', PolicyDocument: JSON.stringify(coursePolicy('demo-app')) }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'ecr-learner', PolicyArn: Policy!.Arn }));
    await iam.send(new DetachUserPolicyCommand({ UserName: 'ecr-learner', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    iam.destroy();
  }, 120_000);
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("is enough for lessons 10 and 11 on the learner's side, and refuses what would make the learner an admin", async () => {
    const READ_ONLY = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly';
    const must = async (args: string) => {
      const r = await aws(args);
      expect(r.exitCode, `${args}\n${r.all}`).toBe(0);
      return r.all;
    };
    await must('ecr create-repository --repository-name demo-app --tags Key=created-by,Value=ecr-workbook');
    await must('iam create-user --user-name ci-reader --tags Key=created-by,Value=ecr-workbook Key=ecr-workbook-learner,Value=default');
    await must(`iam attach-user-policy --user-name ci-reader --policy-arn ${READ_ONLY}`);
    const admin = await aws('iam attach-user-policy --user-name ci-reader --policy-arn arn:aws:iam::aws:policy/AdministratorAccess');
    expect(admin.all).toContain('is not authorized to perform: iam:AttachUserPolicy on resource: arn:aws:iam::123456789012:user/ci-reader because no identity-based policy allows');
    const other = await aws('iam create-user --user-name someone-else');
    expect(other.all).toContain('AccessDenied');
    await must('iam create-access-key --user-name ci-reader');
    await must(`iam simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:user/ci-reader --action-names ecr:BatchGetImage --resource-arns arn:aws:ecr:us-east-1:123456789012:repository/demo-app`);
    // The check itself, with the learner's restricted keys.
    const ctx = checkContext(
      { target: 'sandbox', region: 'us-east-1', accountId: '123456789012', registryHost: sandbox.registryHost, repositoryName: 'demo-app', endpoint: sandbox.endpoint, credentials: sandbox.credentials, learnerCredentials: async () => sandbox.credentials },
      env,
    );
    expect((await runCheck('iam-user-pull-only', ctx, { user: 'ci-reader' })).status).toBe('pass');
    const policyText = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }] });
    await must(`ecr set-repository-policy --repository-name demo-app --policy-text '${policyText}'`);
    expect((await runCheck('repository-shared', ctx, { account: '111122223333', user: 'partner-ci' })).status).toBe('pass');
    // Lesson 10's clean-up, and cleanup's own calls.
    expect((await runCheck('iam-user-deleted', ctx, { user: 'ci-reader' })).diagnosis?.id).toBe('ci-user-still-there');
    const keys = JSON.parse(await must('iam list-access-keys --user-name ci-reader --output json')).AccessKeyMetadata as Array<{ AccessKeyId: string }>;
    for (const key of keys) await must(`iam delete-access-key --user-name ci-reader --access-key-id ${key.AccessKeyId}`);
    await must(`iam detach-user-policy --user-name ci-reader --policy-arn ${READ_ONLY}`);
    await must('iam delete-user --user-name ci-reader');
    await must('ecr delete-repository --repository-name demo-app --force');
  }, 120_000);
});
