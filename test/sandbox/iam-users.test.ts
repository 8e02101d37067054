import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  PutUserPolicyCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managedPolicy, policyText } from '../helpers/iam.js';
import { ecrClient, iamClient, startTestSandbox, stsClient, type TestSandbox } from '../helpers/sandbox.js';
import { expectAwsError } from './api-helpers.js';

/** IAM users and access keys through the SDK, as `aws iam` drives them: answers, IAM's errors, and keys at authentication. */

let sandbox: TestSandbox;
let iam: IAMClient;

beforeAll(async () => {
  sandbox = await startTestSandbox({ withoutRegistry: true });
  iam = iamClient(sandbox);
});
afterAll(async () => {
  iam?.destroy();
  await sandbox?.stop();
});

describe('users', () => {
  it('the learner is ecr-learner, with its key and AdministratorAccess, visible to IAM', async () => {
    const { User } = await iam.send(new GetUserCommand({}));
    expect(User).toMatchObject({ UserName: 'ecr-learner', Path: '/', Arn: 'arn:aws:iam::123456789012:user/ecr-learner' });
    const { Users } = await iam.send(new ListUsersCommand({}));
    expect(Users!.map((u) => u.UserName)).toContain('ecr-learner');
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'ecr-learner' }));
    expect(keys.AccessKeyMetadata).toEqual([
      { UserName: 'ecr-learner', AccessKeyId: sandbox.credentials.accessKeyId, Status: 'Active', CreateDate: expect.any(Date) },
    ]);
    // GetCallerIdentity and GetUser agree on the user id.
    const sts = stsClient(sandbox);
    expect((await sts.send(new GetCallerIdentityCommand({}))).UserId).toBe(User!.UserId);
    sts.destroy();
  });

  it('CreateUser: an AIDA id, an ARN with its path, the creation time by the sandbox clock, tags', async () => {
    const before = sandbox.store.now();
    const { User } = await iam.send(new CreateUserCommand({ UserName: 'ci-reader', Path: '/ci/', Tags: [{ Key: 'team', Value: 'build' }] }));
    expect(User).toMatchObject({ UserName: 'ci-reader', Path: '/ci/', Arn: 'arn:aws:iam::123456789012:user/ci/ci-reader', Tags: [{ Key: 'team', Value: 'build' }] });
    expect(User!.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(User!.CreateDate!.getTime() / 1000).toBeGreaterThanOrEqual(Math.floor(before));
    const got = await iam.send(new GetUserCommand({ UserName: 'CI-READER' }));
    expect(got.User).toMatchObject({ UserName: 'ci-reader', UserId: User!.UserId, Tags: [{ Key: 'team', Value: 'build' }] });
  });

  it('names ignore case: EntityAlreadyExists (409) for the same name in other letters', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'twin' }));
    await expectAwsError(iam.send(new CreateUserCommand({ UserName: 'TWIN' })), 'EntityAlreadyExistsException', 'User with name TWIN already exists.', 409);
  });

  it('NoSuchEntity (404) for a user that does not exist', async () => {
    await expectAwsError(iam.send(new GetUserCommand({ UserName: 'nobody' })), 'NoSuchEntityException', 'The user with name nobody cannot be found.', 404);
  });

  it('names are validated as IAM validates them (ValidationError with the model rule)', async () => {
    await expectAwsError(
      iam.send(new CreateUserCommand({ UserName: 'has space' })),
      'ValidationError',
      "1 validation error detected: Value 'has space' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
    await expectAwsError(
      iam.send(new CreateUserCommand({ UserName: 'x'.repeat(65) })),
      'ValidationError',
      `1 validation error detected: Value '${'x'.repeat(65)}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
    await expectAwsError(
      iam.send(new CreateUserCommand({ UserName: 'pathless', Path: 'ci' })),
      'ValidationError',
      "1 validation error detected: Value 'ci' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
    );
  });

  it('ListUsers: by name, with PathPrefix, paged by MaxItems and Marker', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await iam.send(new CreateUserCommand({ UserName: name, Path: '/paged/' }));
    const first = await iam.send(new ListUsersCommand({ PathPrefix: '/paged/', MaxItems: 2 }));
    expect(first.Users!.map((u) => u.UserName)).toEqual(['page-a', 'page-b']);
    expect(first.IsTruncated).toBe(true);
    const rest = await iam.send(new ListUsersCommand({ PathPrefix: '/paged/', MaxItems: 2, Marker: first.Marker }));
    expect(rest.Users!.map((u) => u.UserName)).toEqual(['page-c']);
    expect(rest.IsTruncated).toBe(false);
  });

  it('TagUser, ListUserTags, UntagUser; duplicate keys (in any case) are InvalidInput', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'tagged' }));
    await iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'owner', Value: 'me' }, { Key: 'env', Value: 'dev' }] }));
    await iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'OWNER', Value: 'you' }] }));
    expect((await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }))).Tags).toEqual([
      { Key: 'OWNER', Value: 'you' },
      { Key: 'env', Value: 'dev' },
    ]);
    await iam.send(new UntagUserCommand({ UserName: 'tagged', TagKeys: ['env'] }));
    expect((await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }))).Tags).toEqual([{ Key: 'OWNER', Value: 'you' }]);
    await expectAwsError(
      iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] })),
      'InvalidInputException',
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    );
  });

  it('DeleteUser: DeleteConflict (409) while policies are attached, inline or keys remain; then it is gone', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'leaving' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'leaving', PolicyArn: managedPolicy('AmazonEC2ContainerRegistryReadOnly') }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'leaving', PolicyName: 'extra', PolicyDocument: policyText({ Effect: 'Allow', Action: 'ecr:ListImages', Resource: '*' }) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'leaving' }));
    const conflict = (message: string) => expectAwsError(iam.send(new DeleteUserCommand({ UserName: 'leaving' })), 'DeleteConflictException', message, 409);
    await conflict('Cannot delete entity, must detach all policies first.');
    await iam.send(new DetachUserPolicyCommand({ UserName: 'leaving', PolicyArn: managedPolicy('AmazonEC2ContainerRegistryReadOnly') }));
    await conflict('Cannot delete entity, must delete policies first.');
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'leaving', PolicyName: 'extra' }));
    await conflict('Cannot delete entity, must delete access keys first.');
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'leaving', AccessKeyId: AccessKey!.AccessKeyId }));
    await iam.send(new DeleteUserCommand({ UserName: 'leaving' }));
    await expectAwsError(iam.send(new GetUserCommand({ UserName: 'leaving' })), 'NoSuchEntityException', 'The user with name leaving cannot be found.', 404);
  });
});

describe('access keys', () => {
  it('CreateAccessKey: AKIA id and a 40-character secret, once; at most two per user (LimitExceeded 409)', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'two-keys' }));
    const first = await iam.send(new CreateAccessKeyCommand({ UserName: 'two-keys' }));
    expect(first.AccessKey).toMatchObject({ UserName: 'two-keys', Status: 'Active' });
    expect(first.AccessKey!.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(first.AccessKey!.SecretAccessKey).toHaveLength(40);
    await iam.send(new CreateAccessKeyCommand({ UserName: 'two-keys' }));
    await expectAwsError(iam.send(new CreateAccessKeyCommand({ UserName: 'two-keys' })), 'LimitExceededException', 'Cannot exceed quota for AccessKeysPerUser: 2', 409);
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'two-keys' }));
    expect(listed.AccessKeyMetadata).toHaveLength(2);
    expect(JSON.stringify(listed)).not.toContain(first.AccessKey!.SecretAccessKey!);
  });

  it('a new key works at once; Inactive, it is refused at authentication (ECR, STS and IAM alike); Active again, it works', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'rotating' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'rotating', PolicyArn: managedPolicy('AmazonEC2ContainerRegistryReadOnly') }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'rotating' }));
    const as = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    const ecr = ecrClient(sandbox, as);
    const sts = stsClient(sandbox, as);
    const own = iamClient(sandbox, as);
    try {
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe('arn:aws:iam::123456789012:user/rotating');
      await ecr.send(new DescribeRepositoriesCommand({}));
      await iam.send(new UpdateAccessKeyCommand({ UserName: 'rotating', AccessKeyId: as.accessKeyId, Status: 'Inactive' }));
      await expectAwsError(ecr.send(new DescribeRepositoriesCommand({})), 'UnrecognizedClientException', 'The security token included in the request is invalid.');
      await expectAwsError(sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      await expectAwsError(own.send(new GetUserCommand({})), 'InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      expect((await iam.send(new ListAccessKeysCommand({ UserName: 'rotating' }))).AccessKeyMetadata![0]!.Status).toBe('Inactive');
      await iam.send(new UpdateAccessKeyCommand({ UserName: 'rotating', AccessKeyId: as.accessKeyId, Status: 'Active' }));
      await ecr.send(new DescribeRepositoriesCommand({}));
      // Deleted, it is unknown.
      await iam.send(new DeleteAccessKeyCommand({ UserName: 'rotating', AccessKeyId: as.accessKeyId }));
      await expectAwsError(sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
    } finally {
      ecr.destroy();
      sts.destroy();
      own.destroy();
    }
  });

  it('a user manages its own keys without naming itself (UserName left out)', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'self-service', Path: '/people/' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'self-service', PolicyName: 'own-keys', PolicyDocument: policyText({ Effect: 'Allow', Action: 'iam:*AccessKey*', Resource: 'arn:aws:iam::*:user/people/${aws:username}' }) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'self-service' }));
    const own = iamClient(sandbox, { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
    try {
      const second = await own.send(new CreateAccessKeyCommand({}));
      expect(second.AccessKey!.UserName).toBe('self-service');
      expect((await own.send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toHaveLength(2);
      await own.send(new DeleteAccessKeyCommand({ AccessKeyId: second.AccessKey!.AccessKeyId }));
    } finally {
      own.destroy();
    }
  });

  it('NoSuchEntity for a key the user does not have', async () => {
    await expectAwsError(
      iam.send(new DeleteAccessKeyCommand({ UserName: 'ecr-learner', AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' })),
      'NoSuchEntityException',
      'The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.',
      404,
    );
  });

  it('keeps the keys `sandbox env` hands out: deleting or deactivating them is refused, saying why', async () => {
    const message = `The ECR sandbox keeps access key ${sandbox.credentials.accessKeyId} active: it is the key \`ecr-workbook sandbox env\` gives out. To practise rotating or disabling keys, create another user and its keys.`;
    await expectAwsError(iam.send(new DeleteAccessKeyCommand({ UserName: 'ecr-learner', AccessKeyId: sandbox.credentials.accessKeyId })), 'InvalidInputException', message);
    await expectAwsError(
      iam.send(new UpdateAccessKeyCommand({ UserName: 'ecr-learner', AccessKeyId: sandbox.credentials.accessKeyId, Status: 'Inactive' })),
      'InvalidInputException',
      message,
    );
    const second = sandbox.iam.secondAccountKey()!;
    const partner = iamClient(sandbox, { accessKeyId: second.accessKeyId, secretAccessKey: second.secretAccessKey! });
    try {
      await expectAwsError(partner.send(new DeleteAccessKeyCommand({ AccessKeyId: second.accessKeyId })), 'InvalidInputException', /keeps access key AKIA/);
    } finally {
      partner.destroy();
    }
  });
});

describe('accounts', () => {
  it("the second account's IAM is its own: its administrator sees only its users, and is partner-admin in 111122223333", async () => {
    const second = sandbox.iam.secondAccountKey()!;
    const partner = iamClient(sandbox, { accessKeyId: second.accessKeyId, secretAccessKey: second.secretAccessKey! });
    try {
      const { Users } = await partner.send(new ListUsersCommand({}));
      expect(Users!.map((u) => u.Arn)).toEqual(['arn:aws:iam::111122223333:user/partner-admin']);
      await partner.send(new CreateUserCommand({ UserName: 'ci-reader' }));
      expect((await partner.send(new GetUserCommand({ UserName: 'ci-reader' }))).User!.Arn).toBe('arn:aws:iam::111122223333:user/ci-reader');
      await expectAwsError(partner.send(new GetUserCommand({ UserName: 'ecr-learner' })), 'NoSuchEntityException', 'The user with name ecr-learner cannot be found.', 404);
    } finally {
      partner.destroy();
    }
  });

  it('IAM state survives a restart', async () => {
    const first = await startTestSandbox({ withoutRegistry: true });
    const client = iamClient(first);
    await client.send(new CreateUserCommand({ UserName: 'durable' }));
    const { AccessKey } = await client.send(new CreateAccessKeyCommand({ UserName: 'durable' }));
    client.destroy();
    await first.stop();
    const again = await startTestSandbox({ withoutRegistry: true, dir: first.dir });
    const sts = stsClient(again, { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
    try {
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe('arn:aws:iam::123456789012:user/durable');
      expect(again.credentials.accessKeyId).toBe(first.credentials.accessKeyId);
      expect(again.iam.secondAccountKey()!.accessKeyId).toBe(first.iam.secondAccountKey()!.accessKeyId);
    } finally {
      sts.destroy();
      await again.stop();
    }
  });
});
