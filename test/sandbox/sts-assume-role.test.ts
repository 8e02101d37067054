import { CreateRepositoryCommand, DescribeRepositoriesCommand, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { AttachRolePolicyCommand, CreateRoleCommand, DeleteRoleCommand, type IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeRole, createUser, managedPolicy, policyText, type TestUser } from '../helpers/iam.js';
import { ecrClient, iamClient, startTestSandbox, stsClient, type TestSandbox } from '../helpers/sandbox.js';
import { expectAwsError } from './api-helpers.js';

/** STS AssumeRole: trust policies evaluated as IAM does, temporary keys, their expiry by the sandbox clock. */

let sandbox: TestSandbox;
let iam: IAMClient;
let alice: TestUser;
let bob: TestUser;
const account = '123456789012';
const roleArn = (name: string, acct = account) => `arn:aws:iam::${acct}:role/${name}`;
const trust = (principal: object, extra: object = {}) => policyText({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra });
const userKeys = (u: TestUser) => ({ accessKeyId: u.accessKeyId, secretAccessKey: u.secretAccessKey });

async function makeRole(client: IAMClient, name: string, document: string, policies: string[] = [], maxSessionDuration?: number): Promise<void> {
  await client.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: document, MaxSessionDuration: maxSessionDuration }));
  for (const p of policies) await client.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: managedPolicy(p) }));
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ withoutRegistry: true });
  iam = iamClient(sandbox);
  alice = await createUser(sandbox, 'alice');
  bob = await createUser(sandbox, 'bob');
  await makeRole(iam, 'puller', trust({ AWS: alice.arn }), ['AmazonEC2ContainerRegistryReadOnly']);
  await makeRole(iam, 'account-trust', trust({ AWS: `arn:aws:iam::${account}:root` }), ['AmazonEC2ContainerRegistryReadOnly']);
});
afterAll(async () => {
  iam?.destroy();
  await sandbox?.stop();
});

describe('AssumeRole', () => {
  it('a role that trusts the user by ARN: ASIA keys with a session token, an hour by the sandbox clock, the assumed-role ARN', async () => {
    const before = sandbox.store.now();
    const sts = stsClient(sandbox, userKeys(alice));
    try {
      const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn('puller'), RoleSessionName: 'ci' }));
      expect(out.Credentials!.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
      expect(out.Credentials!.SecretAccessKey).toHaveLength(40);
      expect(out.Credentials!.SessionToken!.length).toBeGreaterThan(100);
      const lifetime = out.Credentials!.Expiration!.getTime() / 1000 - before;
      expect(lifetime).toBeGreaterThan(3598);
      expect(lifetime).toBeLessThanOrEqual(3601);
      expect(out.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${account}:assumed-role/puller/ci`);
      expect(out.AssumedRoleUser!.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:ci$/);
      const session = stsClient(sandbox, { accessKeyId: out.Credentials!.AccessKeyId, secretAccessKey: out.Credentials!.SecretAccessKey, sessionToken: out.Credentials!.SessionToken });
      expect(await session.send(new GetCallerIdentityCommand({}))).toMatchObject({
        Arn: `arn:aws:sts::${account}:assumed-role/puller/ci`,
        UserId: out.AssumedRoleUser!.AssumedRoleId,
        Account: account,
      });
      session.destroy();
    } finally {
      sts.destroy();
    }
  });

  it('AccessDenied (403) in STS words when the trust policy does not name the caller, and for a role that does not exist', async () => {
    const sts = stsClient(sandbox, userKeys(bob));
    try {
      await expectAwsError(
        sts.send(new AssumeRoleCommand({ RoleArn: roleArn('puller'), RoleSessionName: 'visit' })),
        'AccessDenied',
        `User: ${bob.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn('puller')}`,
        403,
      );
      await expectAwsError(
        sts.send(new AssumeRoleCommand({ RoleArn: roleArn('no-such-role'), RoleSessionName: 'visit' })),
        'AccessDenied',
        `User: ${bob.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn('no-such-role')}`,
        403,
      );
    } finally {
      sts.destroy();
    }
  });

  it('a trust policy that names the account delegates to IAM: the caller needs an identity policy allowing sts:AssumeRole too', async () => {
    const sts = stsClient(sandbox, userKeys(bob));
    try {
      await expectAwsError(sts.send(new AssumeRoleCommand({ RoleArn: roleArn('account-trust'), RoleSessionName: 'visit' })), 'AccessDenied', /is not authorized to perform: sts:AssumeRole/, 403);
      await iam.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'assume', PolicyDocument: policyText({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn('account-trust') }) }));
      const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn('account-trust'), RoleSessionName: 'visit' }));
      expect(out.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${account}:assumed-role/account-trust/visit`);
    } finally {
      sts.destroy();
    }
  });

  it("the session acts with the role's policies: read-only describes, and is denied a create in AWS words", async () => {
    const session = await assumeRole(sandbox, roleArn('puller'), userKeys(alice), { sessionName: 'reader' });
    const ecr = ecrClient(sandbox, session);
    try {
      await ecr.send(new DescribeRepositoriesCommand({}));
      await expectAwsError(
        ecr.send(new CreateRepositoryCommand({ repositoryName: 'not-mine' })),
        'AccessDeniedException',
        `User: arn:aws:sts::${account}:assumed-role/puller/reader is not authorized to perform: ecr:CreateRepository on resource: arn:aws:ecr:us-east-1:${account}:repository/not-mine because no identity-based policy allows the ecr:CreateRepository action`,
      );
      // A registry login made with the session ends no later than the session.
      const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
      expect(authorizationData![0]!.expiresAt!.getTime()).toBeLessThanOrEqual(session.expiration.getTime());
    } finally {
      ecr.destroy();
    }
  });

  it('a session key needs its session token: without it, or with another, the key is invalid', async () => {
    const session = await assumeRole(sandbox, roleArn('puller'), userKeys(alice));
    for (const sessionToken of [undefined, `${session.sessionToken.slice(0, -4)}AAAA`]) {
      const sts = stsClient(sandbox, { ...session, sessionToken });
      await expectAwsError(sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      sts.destroy();
    }
  });

  it('expires by the sandbox clock: ExpiredToken from STS, ExpiredTokenException from ECR, AWS words', async () => {
    const session = await assumeRole(sandbox, roleArn('puller'), userKeys(alice), { durationSeconds: 900 });
    const sts = stsClient(sandbox, session);
    const ecr = ecrClient(sandbox, session);
    try {
      await sts.send(new GetCallerIdentityCommand({}));
      sandbox.store.state.clockOffsetSeconds = 901;
      await expectAwsError(sts.send(new GetCallerIdentityCommand({})), 'ExpiredToken', 'The security token included in the request is expired', 403);
      await expectAwsError(ecr.send(new DescribeRepositoriesCommand({})), 'ExpiredTokenException', 'The security token included in the request is expired');
    } finally {
      sandbox.store.state.clockOffsetSeconds = 0;
      sts.destroy();
      ecr.destroy();
    }
  });

  it("DurationSeconds: within the role's MaxSessionDuration, at least 900, an hour at most for a role session assuming a role", async () => {
    const sts = stsClient(sandbox, userKeys(alice));
    try {
      await expectAwsError(
        sts.send(new AssumeRoleCommand({ RoleArn: roleArn('puller'), RoleSessionName: 'long', DurationSeconds: 7200 })),
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
      await expectAwsError(
        sts.send(new AssumeRoleCommand({ RoleArn: roleArn('puller'), RoleSessionName: 'short', DurationSeconds: 60 })),
        'ValidationError',
        "1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
      );
      await makeRole(iam, 'long-runner', trust({ AWS: roleArn('puller') }), [], 14400);
      const session = await assumeRole(sandbox, roleArn('puller'), userKeys(alice));
      const chained = stsClient(sandbox, session);
      await expectAwsError(
        chained.send(new AssumeRoleCommand({ RoleArn: roleArn('long-runner'), RoleSessionName: 'chain', DurationSeconds: 7200 })),
        'ValidationError',
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      );
      const hop = await chained.send(new AssumeRoleCommand({ RoleArn: roleArn('long-runner'), RoleSessionName: 'chain' }));
      expect(hop.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${account}:assumed-role/long-runner/chain`);
      chained.destroy();
    } finally {
      sts.destroy();
    }
  });

  it('RoleSessionName is validated; session policies and MFA are refused, saying the sandbox has none', async () => {
    const sts = stsClient(sandbox, userKeys(alice));
    try {
      await expectAwsError(
        sts.send(new AssumeRoleCommand({ RoleArn: roleArn('puller'), RoleSessionName: 'has space' })),
        'ValidationError',
        "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
      );
      await expectAwsError(
        sts.send(new AssumeRoleCommand({ RoleArn: roleArn('puller'), RoleSessionName: 'ok', Policy: policyText({ Effect: 'Allow', Action: '*', Resource: '*' }) })),
        'ValidationError',
        /does not apply session policies/,
      );
    } finally {
      sts.destroy();
    }
  });

  it('ExternalId and session tags are condition keys of the trust policy (sts:ExternalId; sts:TagSession needed for tags)', async () => {
    await makeRole(iam, 'vendor', trust({ AWS: alice.arn }, { Condition: { StringEquals: { 'sts:ExternalId': 'shared-secret' } } }));
    const sts = stsClient(sandbox, userKeys(alice));
    try {
      await expectAwsError(sts.send(new AssumeRoleCommand({ RoleArn: roleArn('vendor'), RoleSessionName: 'vendor-session' })), 'AccessDenied', /sts:AssumeRole on resource/, 403);
      await sts.send(new AssumeRoleCommand({ RoleArn: roleArn('vendor'), RoleSessionName: 'vendor-session', ExternalId: 'shared-secret' }));
      await expectAwsError(
        sts.send(new AssumeRoleCommand({ RoleArn: roleArn('puller'), RoleSessionName: 'tagged', Tags: [{ Key: 'team', Value: 'ci' }] })),
        'AccessDenied',
        `User: ${alice.arn} is not authorized to perform: sts:TagSession on resource: ${roleArn('puller')}`,
        403,
      );
    } finally {
      sts.destroy();
    }
  });

  it("a role deleted ends its sessions: the session's key is no longer valid", async () => {
    await makeRole(iam, 'short-lived', trust({ AWS: alice.arn }));
    const session = await assumeRole(sandbox, roleArn('short-lived'), userKeys(alice));
    await iam.send(new DeleteRoleCommand({ RoleName: 'short-lived' }));
    const sts = stsClient(sandbox, session);
    await expectAwsError(sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
    sts.destroy();
  });
});

describe('across accounts', () => {
  it('a role of the second account that trusts the first: its admin assumes it; a user without sts:AssumeRole of its own cannot', async () => {
    const partnerKey = sandbox.iam.secondAccountKey()!;
    const partnerIam = iamClient(sandbox, { accessKeyId: partnerKey.accessKeyId, secretAccessKey: partnerKey.secretAccessKey! });
    await makeRole(partnerIam, 'shared-reader', trust({ AWS: `arn:aws:iam::${account}:root` }), ['AmazonEC2ContainerRegistryReadOnly']);
    partnerIam.destroy();
    const target = roleArn('shared-reader', '111122223333');
    const session = await assumeRole(sandbox, target, {}, { sessionName: 'visitor' });
    expect(session.arn).toBe('arn:aws:sts::111122223333:assumed-role/shared-reader/visitor');
    const sts = stsClient(sandbox, userKeys(alice));
    try {
      await expectAwsError(
        sts.send(new AssumeRoleCommand({ RoleArn: target, RoleSessionName: 'visit' })),
        'AccessDenied',
        `User: ${alice.arn} is not authorized to perform: sts:AssumeRole on resource: ${target}`,
        403,
      );
    } finally {
      sts.destroy();
    }
  });

  it('sessions survive a restart', async () => {
    const first = await startTestSandbox({ withoutRegistry: true });
    const client = iamClient(first);
    await makeRole(client, 'durable', trust({ AWS: `arn:aws:iam::${account}:user/ecr-learner` }));
    client.destroy();
    const session = await assumeRole(first, roleArn('durable'), {});
    await first.stop();
    const again = await startTestSandbox({ withoutRegistry: true, dir: first.dir });
    const sts = stsClient(again, session);
    try {
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:sts::${account}:assumed-role/durable/test-session`);
    } finally {
      sts.destroy();
      await again.stop();
    }
  });
});
