import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, DetachUserPolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { iamClient, stsClient, type CredentialOverrides } from './sandbox.js';

/**
 * IAM set-ups for tests, made through the sandbox's real IAM API (as a learner would with the
 * aws CLI): users with keys and policies, a learner stripped of some permissions, role sessions.
 */

type Sandbox = Pick<RunningSandbox, 'endpoint' | 'region' | 'credentials'>;

export const managedPolicy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/** A policy document as text. */
export const policyText = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

export interface TestUser {
  userName: string;
  arn: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Creates a user with an access key, the managed policies given (by name) and inline policies
 * (name → document), as `as` (the learner by default).
 */
export async function createUser(
  sandbox: Sandbox,
  userName: string,
  policies: { managed?: string[]; inline?: Record<string, string> } = {},
  as: CredentialOverrides = {},
): Promise<TestUser> {
  const iam = iamClient(sandbox, as);
  try {
    const { User } = await iam.send(new CreateUserCommand({ UserName: userName }));
    for (const name of policies.managed ?? []) await iam.send(new AttachUserPolicyCommand({ UserName: userName, PolicyArn: managedPolicy(name) }));
    for (const [name, document] of Object.entries(policies.inline ?? {})) {
      await iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: name, PolicyDocument: document }));
    }
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    return { userName, arn: User!.Arn!, accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  } finally {
    iam.destroy();
  }
}

/**
 * Takes permissions away from the learner the way an admin would: every action but `actions` is
 * allowed by an inline policy, and AdministratorAccess is detached. The learner's calls to those
 * actions are then refused "because no identity-based policy allows" them.
 */
export async function revokeFromLearner(sandbox: Sandbox, actions: string[]): Promise<void> {
  const iam = iamClient(sandbox);
  try {
    const document = policyText({ Effect: 'Allow', NotAction: actions, Resource: '*' });
    await iam.send(new PutUserPolicyCommand({ UserName: 'ecr-learner', PolicyName: 'all-but', PolicyDocument: document }));
    await iam.send(new DetachUserPolicyCommand({ UserName: 'ecr-learner', PolicyArn: managedPolicy('AdministratorAccess') }));
  } finally {
    iam.destroy();
  }
}

/** Temporary credentials of a role session (sts:AssumeRole as `as`). */
export async function assumeRole(
  sandbox: Sandbox,
  roleArn: string,
  as: CredentialOverrides,
  options: { sessionName?: string; durationSeconds?: number } = {},
): Promise<Required<Pick<CredentialOverrides, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>> & { expiration: Date; arn: string }> {
  const sts = stsClient(sandbox, as);
  try {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: options.sessionName ?? 'test-session', DurationSeconds: options.durationSeconds }),
    );
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken!, expiration: c.Expiration!, arn: out.AssumedRoleUser!.Arn! };
  } finally {
    sts.destroy();
  }
}
