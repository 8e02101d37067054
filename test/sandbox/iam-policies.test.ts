import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListUserPoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  SetDefaultPolicyVersionCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGED_POLICIES } from '../../src/sandbox/iam/managed.js';
import { managedPolicy, policyText } from '../helpers/iam.js';
import { iamClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { expectAwsError } from './api-helpers.js';

/** Inline, attached and customer managed policies (with versions), and roles with their trust policies. */

let sandbox: TestSandbox;
let iam: IAMClient;

const READ_ONLY = managedPolicy('AmazonEC2ContainerRegistryReadOnly');
const pull = policyText({ Sid: 'Pull', Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: '*' });
const trust = (principal: object) => policyText({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' });

beforeAll(async () => {
  sandbox = await startTestSandbox({ withoutRegistry: true });
  iam = iamClient(sandbox);
  await iam.send(new CreateUserCommand({ UserName: 'alice' }));
});
afterAll(async () => {
  iam?.destroy();
  await sandbox?.stop();
});

describe('inline user policies', () => {
  it('PutUserPolicy, GetUserPolicy (the document URL-encoded, as IAM returns it), ListUserPolicies', async () => {
    await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'pull', PolicyDocument: pull }));
    const got = await iam.send(new GetUserPolicyCommand({ UserName: 'ALICE', PolicyName: 'pull' }));
    expect(got).toMatchObject({ UserName: 'alice', PolicyName: 'pull' });
    expect(got.PolicyDocument).toBe(encodeURIComponent(pull));
    expect(decodeURIComponent(got.PolicyDocument!)).toBe(pull);
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: 'alice' }))).PolicyNames).toEqual(['pull']);
  });

  it('MalformedPolicyDocument with IAM words: not JSON, a Principal in an identity policy', async () => {
    await expectAwsError(iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'bad', PolicyDocument: '{not json' })), 'MalformedPolicyDocumentException', 'Syntax errors in policy.');
    await expectAwsError(
      iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'bad', PolicyDocument: policyText({ Effect: 'Allow', Principal: '*', Action: 'ecr:*', Resource: '*' }) })),
      'MalformedPolicyDocumentException',
      'Policy document should not specify a principal.',
    );
  });

  it('an inline user policy over 2048 characters (not counting white space) is LimitExceeded', async () => {
    const big = policyText({ Effect: 'Allow', Action: Array.from({ length: 200 }, (_, i) => `ecr:Action${i}`), Resource: '*' });
    await expectAwsError(
      iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'big', PolicyDocument: big })),
      'LimitExceededException',
      'Maximum policy size of 2048 bytes exceeded for user alice',
      409,
    );
  });

  it('NoSuchEntity for an inline policy the user does not have', async () => {
    await expectAwsError(iam.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'nope' })), 'NoSuchEntityException', 'The user policy with name nope cannot be found.', 404);
  });
});

describe('attached policies', () => {
  it('AttachUserPolicy with an AWS managed policy, ListAttachedUserPolicies, DetachUserPolicy', async () => {
    await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: READ_ONLY }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: READ_ONLY }));
    expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'alice' }))).AttachedPolicies).toEqual([
      { PolicyName: 'AmazonEC2ContainerRegistryReadOnly', PolicyArn: READ_ONLY },
    ]);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: READ_ONLY }))).Policy!.AttachmentCount).toBe(1);
    await iam.send(new DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: READ_ONLY }));
    expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'alice' }))).AttachedPolicies).toEqual([]);
  });

  it('a policy that does not exist is not attachable; one not attached is not found; a malformed ARN is refused', async () => {
    const nope = managedPolicy('AmazonEC2ContainerRegistryEverything');
    await expectAwsError(iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: nope })), 'NoSuchEntityException', `Policy ${nope} does not exist or is not attachable.`, 404);
    await expectAwsError(iam.send(new DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: READ_ONLY })), 'NoSuchEntityException', `Policy ${READ_ONLY} was not found.`, 404);
    await expectAwsError(iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: 'AmazonEC2ContainerRegistryReadOnly' })), 'ValidationError', 'ARN AmazonEC2ContainerRegistryReadOnly is not valid.');
  });
});

describe('managed policies', () => {
  it('GetPolicy and GetPolicyVersion answer for the built-in AWS managed policies, with their real documents', async () => {
    const managed = MANAGED_POLICIES.get(READ_ONLY)!;
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: READ_ONLY }));
    expect(Policy).toMatchObject({ PolicyName: 'AmazonEC2ContainerRegistryReadOnly', Arn: READ_ONLY, Path: '/', DefaultVersionId: managed.versionId, IsAttachable: true });
    expect(Policy!.PolicyId).toMatch(/^ANPA[0-9A-F]{17}$/);
    const { PolicyVersion } = await iam.send(new GetPolicyVersionCommand({ PolicyArn: READ_ONLY, VersionId: managed.versionId }));
    expect(PolicyVersion).toMatchObject({ VersionId: managed.versionId, IsDefaultVersion: true });
    expect(JSON.parse(decodeURIComponent(PolicyVersion!.Document!))).toEqual(JSON.parse(managed.documentText));
    await expectAwsError(
      iam.send(new GetPolicyVersionCommand({ PolicyArn: READ_ONLY, VersionId: 'v999' })),
      'NoSuchEntityException',
      `Policy ${READ_ONLY} version v999 does not exist or is not attachable.`,
      404,
    );
    const taskRole = managedPolicy('service-role/AmazonECSTaskExecutionRolePolicy');
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: taskRole }))).Policy).toMatchObject({ Path: '/service-role/', PolicyName: 'AmazonECSTaskExecutionRolePolicy' });
  });

  it('CreatePolicy (v1, the default; no description in its answer, GetPolicy has it); names are unique', async () => {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'pull-demo', PolicyDocument: pull, Description: 'pull demo-app' }));
    expect(Policy).toMatchObject({ PolicyName: 'pull-demo', Arn: 'arn:aws:iam::123456789012:policy/pull-demo', DefaultVersionId: 'v1', AttachmentCount: 0, IsAttachable: true });
    expect(Policy!.Description).toBeUndefined();
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: Policy!.Arn }))).Policy!.Description).toBe('pull demo-app');
    await expectAwsError(
      iam.send(new CreatePolicyCommand({ PolicyName: 'PULL-demo', PolicyDocument: pull })),
      'EntityAlreadyExistsException',
      'A policy called PULL-demo already exists. Duplicate names are not allowed.',
      409,
    );
    await expectAwsError(iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::123456789012:policy/missing' })), 'NoSuchEntityException', 'Policy arn:aws:iam::123456789012:policy/missing was not found.', 404);
  });

  it('ListPolicies: Scope Local, AWS (the six built in) and All; OnlyAttached', async () => {
    const local = await iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
    expect(local.Policies!.map((p) => p.PolicyName)).toEqual(['pull-demo']);
    const aws = await iam.send(new ListPoliciesCommand({ Scope: 'AWS' }));
    expect(aws.Policies!.map((p) => p.Arn).sort()).toEqual([...MANAGED_POLICIES.keys()].sort());
    const all = await iam.send(new ListPoliciesCommand({}));
    expect(all.Policies).toHaveLength(7);
    const attached = await iam.send(new ListPoliciesCommand({ OnlyAttached: true }));
    // The learner's AdministratorAccess is attached from the start.
    expect(attached.Policies!.map((p) => p.PolicyName)).toEqual(['AdministratorAccess']);
  });

  it('versions: CreatePolicyVersion (SetAsDefault), ListPolicyVersions newest first, at most five, the default cannot go', async () => {
    const arn = 'arn:aws:iam::123456789012:policy/pull-demo';
    const v2 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: pull, SetAsDefault: true }));
    expect(v2.PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: true });
    expect(v2.PolicyVersion!.Document).toBeUndefined();
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.DefaultVersionId).toBe('v2');
    for (let i = 0; i < 3; i++) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: pull }));
    await expectAwsError(
      iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: pull })),
      'LimitExceededException',
      'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
      409,
    );
    const { Versions } = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
    expect(Versions!.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v5', false],
      ['v4', false],
      ['v3', false],
      ['v2', true],
      ['v1', false],
    ]);
    await expectAwsError(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' })), 'DeleteConflictException', 'Cannot delete the default version of a policy.', 409);
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' }));
    expect((await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' }))).PolicyVersion!.IsDefaultVersion).toBe(true);
  });

  it('DeletePolicy: refused while attached, and while versions besides the default remain', async () => {
    const arn = 'arn:aws:iam::123456789012:policy/pull-demo';
    await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: arn }));
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.AttachmentCount).toBe(1);
    await expectAwsError(iam.send(new DeletePolicyCommand({ PolicyArn: arn })), 'DeleteConflictException', 'Cannot delete a policy attached to entities.', 409);
    await iam.send(new DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: arn }));
    await expectAwsError(
      iam.send(new DeletePolicyCommand({ PolicyArn: arn })),
      'DeleteConflictException',
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
      409,
    );
    for (const v of ['v1', 'v2', 'v3', 'v4']) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    await expectAwsError(iam.send(new GetPolicyCommand({ PolicyArn: arn })), 'NoSuchEntityException', `Policy ${arn} was not found.`, 404);
  });
});

describe('roles', () => {
  it('CreateRole with a trust policy; GetRole answers it URL-encoded, with the session limit; names are unique', async () => {
    const document = trust({ AWS: 'arn:aws:iam::123456789012:user/alice' });
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'puller', AssumeRolePolicyDocument: document, Description: 'pulls images' }));
    expect(Role).toMatchObject({ RoleName: 'puller', Path: '/', Arn: 'arn:aws:iam::123456789012:role/puller' });
    expect(Role!.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    const got = await iam.send(new GetRoleCommand({ RoleName: 'puller' }));
    expect(got.Role).toMatchObject({ RoleName: 'puller', MaxSessionDuration: 3600, Description: 'pulls images', AssumeRolePolicyDocument: encodeURIComponent(document) });
    expect((await iam.send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName)).toEqual(['puller']);
    await expectAwsError(iam.send(new CreateRoleCommand({ RoleName: 'Puller', AssumeRolePolicyDocument: document })), 'EntityAlreadyExistsException', 'Role with name Puller already exists.', 409);
    await expectAwsError(iam.send(new GetRoleCommand({ RoleName: 'pusher' })), 'NoSuchEntityException', 'The role with name pusher cannot be found.', 404);
  });

  it('trust policies are checked as IAM checks them: the principals must exist, no Resource, only sts actions', async () => {
    await expectAwsError(
      iam.send(new CreateRoleCommand({ RoleName: 'ghost', AssumeRolePolicyDocument: trust({ AWS: 'arn:aws:iam::123456789012:user/nobody' }) })),
      'MalformedPolicyDocumentException',
      'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/nobody"',
    );
    await expectAwsError(
      iam.send(
        new CreateRoleCommand({
          RoleName: 'ghost',
          AssumeRolePolicyDocument: policyText({ Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 'sts:AssumeRole', Resource: '*' }),
        }),
      ),
      'MalformedPolicyDocumentException',
      'Has prohibited field Resource',
    );
  });

  it('UpdateAssumeRolePolicy replaces the trust policy', async () => {
    const document = trust({ AWS: 'arn:aws:iam::111122223333:root' });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'puller', PolicyDocument: document }));
    expect(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: 'puller' }))).Role!.AssumeRolePolicyDocument!)).toBe(document);
  });

  it("a role's inline and attached policies; DeleteRole is refused (409) until both are gone", async () => {
    await iam.send(new PutRolePolicyCommand({ RoleName: 'puller', PolicyName: 'pull', PolicyDocument: pull }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'puller', PolicyArn: READ_ONLY }));
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'puller' }))).PolicyNames).toEqual(['pull']);
    expect(decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName: 'puller', PolicyName: 'pull' }))).PolicyDocument!)).toBe(pull);
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'puller' }))).AttachedPolicies).toEqual([
      { PolicyName: 'AmazonEC2ContainerRegistryReadOnly', PolicyArn: READ_ONLY },
    ]);
    await expectAwsError(iam.send(new DeleteRoleCommand({ RoleName: 'puller' })), 'DeleteConflictException', 'Cannot delete entity, must detach all policies first.', 409);
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'puller', PolicyArn: READ_ONLY }));
    await expectAwsError(iam.send(new DeleteRoleCommand({ RoleName: 'puller' })), 'DeleteConflictException', 'Cannot delete entity, must delete policies first.', 409);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'puller', PolicyName: 'pull' }));
    await expectAwsError(iam.send(new GetRolePolicyCommand({ RoleName: 'puller', PolicyName: 'pull' })), 'NoSuchEntityException', 'The role policy with name pull cannot be found.', 404);
    await iam.send(new DeleteRoleCommand({ RoleName: 'puller' }));
    expect((await iam.send(new ListRolesCommand({}))).Roles).toEqual([]);
  });
});
