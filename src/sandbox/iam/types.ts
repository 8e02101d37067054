/** IAM and STS state, as persisted in the sandbox state file (plain JSON). */

export interface IamTag {
  Key: string;
  Value: string;
}

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface AccessKeyRecord {
  accessKeyId: string;
  /** Absent for the learner's own key, whose secret is `state.credentials` (one source of truth). */
  secretAccessKey?: string;
  status: AccessKeyStatus;
  /** Epoch seconds. */
  createDate: number;
  /** Handed out by `sandbox env`: the sandbox refuses to delete or deactivate it (see IamBackend). */
  sandboxKey?: boolean;
}

/** What users and roles share: inline policies (name → document text) and attached policy ARNs. */
export interface PolicyHolder {
  inlinePolicies: Record<string, string>;
  attachedPolicies: string[];
  tags: IamTag[];
}

export interface IamUser extends PolicyHolder {
  userName: string;
  path: string;
  userId: string;
  createDate: number;
  accessKeys: AccessKeyRecord[];
}

export interface IamRole extends PolicyHolder {
  roleName: string;
  path: string;
  roleId: string;
  createDate: number;
  /** The trust policy, as the caller sent it. */
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
}

export interface PolicyVersionRecord {
  versionId: string;
  document: string;
  createDate: number;
}

/** A customer managed policy. */
export interface ManagedPolicyRecord {
  policyName: string;
  path: string;
  policyId: string;
  arn: string;
  description?: string;
  createDate: number;
  updateDate: number;
  defaultVersionId: string;
  /** Oldest first. */
  versions: PolicyVersionRecord[];
  nextVersion: number;
  tags: IamTag[];
}

/** One account's IAM. Users, roles and policies are keyed by lower-cased name: IAM names ignore case. */
export interface IamAccountState {
  users: Record<string, IamUser>;
  roles: Record<string, IamRole>;
  /** Customer managed policies by lower-cased name. */
  policies: Record<string, ManagedPolicyRecord>;
}

/** Temporary credentials from sts:AssumeRole. */
export interface SessionRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  roleName: string;
  roleId: string;
  sessionName: string;
  issuedAt: number;
  /** Epoch seconds, by the sandbox clock. */
  expiration: number;
  /** Session tags (aws:PrincipalTag values besides the role's own). */
  tags?: IamTag[];
  /** Assumed by a role session (role chaining: at most one hour). */
  chained?: boolean;
}

export interface IamState {
  accounts: Record<string, IamAccountState>;
  /** By access key id (ASIA…). Expired sessions stay a while, so their callers hear "expired". */
  sessions: Record<string, SessionRecord>;
}

/** Who made a request, once its signature or registry token checked out. */
export type Identity =
  | {
      kind: 'user';
      accountId: string;
      arn: string;
      /** GetCallerIdentity's UserId (AIDA…). */
      userId: string;
      userName: string;
      accessKeyId: string;
    }
  | {
      kind: 'assumed-role';
      accountId: string;
      /** arn:aws:sts::<acct>:assumed-role/<role>/<session> */
      arn: string;
      /** `<roleId>:<session>` */
      userId: string;
      roleName: string;
      roleArn: string;
      sessionName: string;
      accessKeyId: string;
      expiration: number;
    };

/** An AWS service asking to assume a role (ECS for a task's execution role): its trust policy alone decides. */
export interface ServicePrincipal {
  kind: 'service';
  /** 'ecs-tasks.amazonaws.com' */
  service: string;
}

/** Whoever asks to assume a role: an IAM identity (sts:AssumeRole) or an AWS service. */
export type RoleAssumer = Identity | ServicePrincipal;
