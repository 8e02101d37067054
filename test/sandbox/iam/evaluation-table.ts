/**
 * The evaluation table: cases taken from AWS's documented policy-evaluation examples, each with
 * the decision, the reason and the deciding statement the documentation leads to. Shared by the
 * evaluator's own test (evaluate.test.ts) and the oracle test (oracle.test.ts).
 *
 * Pages (IAM User Guide unless said): evaluation-logic = reference_policies_evaluation-logic
 * (incl. _policy-eval-denyallow), interplay = …_AccessPolicyLanguage_Interplay, cross-account =
 * reference_policies_evaluation-logic-cross-account, notaction / notresource / principal /
 * notprincipal / action / resource = reference_policies_elements_*, operators =
 * reference_policies_elements_condition_operators, multivalued =
 * reference_policies_condition-single-vs-multi-valued-context-keys, variables =
 * reference_policies_variables, trust = id_roles_compare-resource-policies, ecr-repo = ECR User
 * Guide repository-policy-examples, troubleshoot = troubleshoot_access-denied.
 */
import type { AuthzRequest, DecisionReason, Principal } from '../../../src/sandbox/iam/evaluate.js';

export const ACCOUNT = '123456789012';
export const OTHER = '444455556666';
export const REGION = 'us-east-1';
/** 2026-01-01T00:00:00Z: the sandbox clock the table's requests carry. */
export const NOW = 1_767_225_600;

export const repo = (name: string, account = ACCOUNT, region = REGION) => `arn:aws:ecr:${region}:${account}:repository/${name}`;
export const user = (name: string, account = ACCOUNT, tags?: Record<string, string>): Principal => ({
  arn: `arn:aws:iam::${account}:user/${name}`,
  accountId: account,
  userName: name,
  ...(tags ? { tags } : {}),
});
export const session = (role: string, name: string, account = ACCOUNT): Principal => ({
  arn: `arn:aws:sts::${account}:assumed-role/${role}/${name}`,
  accountId: account,
  roleArn: `arn:aws:iam::${account}:role/${role}`,
});
export const root = (account = ACCOUNT): Principal => ({ arn: `arn:aws:iam::${account}:root`, accountId: account, isRoot: true });
export const service = (name: string): Principal => ({ arn: name, accountId: '', service: name });
export const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

export interface TableCase {
  name: string;
  /** The documentation page the case comes from (see the file comment). */
  source: string;
  request: AuthzRequest;
  /** Identity policies, as JSON objects (parsed by the test with parsePolicy). */
  identity?: object[];
  resourcePolicy?: object;
  /** The resource policy is a role trust policy. */
  trust?: boolean;
  expect: {
    decision: 'allow' | 'deny';
    reason: DecisionReason;
    /** The deciding statement: which policy ('identity-N' or 'resource') and its index. */
    statement?: { policyId: string; index: number };
  };
  /**
   * Where @cloud-copilot/iam-simulate decides otherwise than the documentation, why; the table
   * follows the documentation and the oracle test asserts the oracle's (different) answer.
   */
  oracleDiffers?: string;
}

const req = (principal: Principal, action: string, resource: string, extra: Partial<AuthzRequest> = {}): AuthzRequest => ({
  principal,
  action,
  resource,
  resourceAccount: resource === '*' ? undefined : (extra.resourceAccount ?? accountOf(resource) ?? principal.accountId),
  now: NOW,
  ...extra,
});
const accountOf = (arn: string) => (/^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1]);

const carlos = user('carlossalazar');
const carlosPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowS3ListRead',
      Effect: 'Allow',
      Action: ['s3:GetBucketLocation', 's3:GetAccountPublicAccessBlock', 's3:ListAccessPoints', 's3:ListAllMyBuckets'],
      Resource: 'arn:aws:s3:::*',
    },
    { Sid: 'AllowS3Self', Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'] },
    { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::*log*' },
  ],
};
const carlosBucketPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/carlossalazar` },
      Action: 's3:*',
      Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'],
    },
  ],
};
const getListDenyReports = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'AllowGetList', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
    { Sid: 'DenyReports', Effect: 'Deny', Action: 'iam:*Report', Resource: '*' },
  ],
};
const mfaGuard = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyAllExceptListedIfNoMFA',
      Effect: 'Deny',
      NotAction: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:GetUser', 'iam:ListMFADevices', 'sts:GetSessionToken'],
      Resource: '*',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    },
  ],
};
const identityWith = (statement: object) => ({ Version: '2012-10-17', Statement: [statement] });
/** An identity policy allowing (or denying) one action on every resource under a condition. */
const allowIf = (action: string, condition: object) => identityWith({ Effect: 'Allow', Action: action, Resource: '*', Condition: condition });
const denyIf = (action: string, condition: object) => identityWith({ Effect: 'Deny', Action: action, Resource: '*', Condition: condition });
const pull = (resource: string | string[], extra: object = {}) =>
  identityWith({ Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: resource, ...extra });
const repoPolicy = (statement: object) => ({ Version: '2012-10-17', Statement: [statement] });
const trustPolicy = (principal: object, extra: object = {}) =>
  ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra }] });
const ciReader = user('ci-reader');
const demo = repo('demo-app');
const id0 = { policyId: 'identity-0', index: 0 };
const res0 = { policyId: 'resource', index: 0 };
const role = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;
/** The NotPrincipal page's examples: deny ecr:* to all but the listed principals, and let the other account pull. */
const denyAllBut = (...notPrincipal: string[]) => ({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Deny', NotPrincipal: { AWS: notPrincipal }, Action: 'ecr:*' },
    { Effect: 'Allow', Principal: { AWS: OTHER }, Action: 'ecr:BatchGetImage' },
  ],
});
const denyAllButBob = denyAllBut(`arn:aws:iam::${OTHER}:user/Bob`, `arn:aws:iam::${OTHER}:root`);
const denyAllButAuditApp = denyAllBut(
  `arn:aws:sts::${OTHER}:assumed-role/cross-account-read-only-role/cross-account-audit-app`,
  `arn:aws:iam::${OTHER}:role/cross-account-read-only-role`,
  `arn:aws:iam::${OTHER}:root`,
);

export const EVALUATION_TABLE: TableCase[] = [
  // ---- evaluation-logic: Carlos and his buckets ------------------------------------------
  {
    name: 'an explicit deny in the identity policy wins over its own allows (Carlos saves to carlossalazar-logs)',
    source: 'evaluation-logic',
    request: req(carlos, 's3:PutObject', 'arn:aws:s3:::carlossalazar-logs/notes.txt', { resourceAccount: ACCOUNT }),
    identity: [carlosPolicy],
    resourcePolicy: carlosBucketPolicy,
    expect: { decision: 'deny', reason: 'explicit-deny-identity', statement: { policyId: 'identity-0', index: 2 } },
  },
  {
    name: 'identity and bucket policy both allow: allowed (Carlos saves to carlossalazar)',
    source: 'evaluation-logic',
    request: req(carlos, 's3:PutObject', 'arn:aws:s3:::carlossalazar/notes.txt', { resourceAccount: ACCOUNT }),
    identity: [carlosPolicy],
    resourcePolicy: carlosBucketPolicy,
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: { policyId: 'identity-0', index: 1 } },
  },
  {
    name: 'same account: the resource policy alone, naming the user, allows',
    source: 'evaluation-logic',
    request: req(carlos, 's3:PutObject', 'arn:aws:s3:::carlossalazar/notes.txt', { resourceAccount: ACCOUNT }),
    identity: [],
    resourcePolicy: carlosBucketPolicy,
    expect: { decision: 'allow', reason: 'allowed-by-resource', statement: res0 },
  },
  {
    name: 'same account: the identity policy alone allows (no resource policy)',
    source: 'evaluation-logic',
    request: req(carlos, 's3:GetBucketLocation', 'arn:aws:s3:::photos', { resourceAccount: ACCOUNT }),
    identity: [carlosPolicy],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'no policy allows: implicit deny',
    source: 'evaluation-logic',
    request: req(carlos, 's3:DeleteBucket', 'arn:aws:s3:::photos', { resourceAccount: ACCOUNT }),
    identity: [carlosPolicy],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  // ---- interplay: AllowGetList / DenyReports --------------------------------------------
  {
    name: 'iam:Get* allows iam:GetUser',
    source: 'interplay',
    request: req(ciReader, 'iam:GetUser', `arn:aws:iam::${ACCOUNT}:user/ci-reader`),
    identity: [getListDenyReports],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'iam:CreatePolicy is implicitly denied',
    source: 'interplay',
    request: req(ciReader, 'iam:CreatePolicy', `arn:aws:iam::${ACCOUNT}:policy/p`),
    identity: [getListDenyReports],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'iam:*Report denies iam:GetOrganizationsAccessReport though iam:Get* allows it',
    source: 'interplay',
    request: req(ciReader, 'iam:GetOrganizationsAccessReport', '*'),
    identity: [getListDenyReports],
    expect: { decision: 'deny', reason: 'explicit-deny-identity', statement: { policyId: 'identity-0', index: 1 } },
  },
  {
    name: 'another policy allowing iam:GenerateCredentialReport does not lift the deny',
    source: 'interplay',
    request: req(ciReader, 'iam:GenerateCredentialReport', '*'),
    identity: [identityWith({ Effect: 'Allow', Action: 'iam:GenerateCredentialReport', Resource: '*' }), getListDenyReports],
    expect: { decision: 'deny', reason: 'explicit-deny-identity', statement: { policyId: 'identity-1', index: 1 } },
  },
  // ---- notaction ------------------------------------------------------------------------
  {
    name: 'Allow with NotAction iam:* allows an ECR push',
    source: 'notaction',
    request: req(ciReader, 'ecr:PutImage', demo),
    identity: [identityWith({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'Allow with NotAction iam:* does not allow iam:CreateUser',
    source: 'notaction',
    request: req(ciReader, 'iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/new`),
    identity: [identityWith({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'Deny NotAction with BoolIfExists MFA=false denies a request without MFA (key absent)',
    source: 'notaction',
    request: req(ciReader, 'ecr:PutImage', demo),
    identity: [allowAll, mfaGuard],
    expect: { decision: 'deny', reason: 'explicit-deny-identity', statement: { policyId: 'identity-1', index: 0 } },
  },
  {
    name: 'the same guard lets a request with MFA through',
    source: 'notaction',
    request: req(ciReader, 'ecr:PutImage', demo, { context: { 'aws:MultiFactorAuthPresent': true } }),
    identity: [allowAll, mfaGuard],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'the same guard does not deny the actions it lists (iam:GetUser)',
    source: 'notaction',
    request: req(ciReader, 'iam:GetUser', `arn:aws:iam::${ACCOUNT}:user/ci-reader`),
    identity: [allowAll, mfaGuard],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  // ---- notresource ----------------------------------------------------------------------
  {
    name: 'Allow with NotResource does not allow the excluded resource',
    source: 'notresource',
    request: req(ciReader, 's3:GetObject', 'arn:aws:s3:::HRBucket/Payroll/2025.csv', { resourceAccount: ACCOUNT }),
    identity: [identityWith({ Effect: 'Allow', Action: 's3:*', NotResource: ['arn:aws:s3:::HRBucket/Payroll', 'arn:aws:s3:::HRBucket/Payroll/*'] })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'Allow with NotResource allows every other resource',
    source: 'notresource',
    request: req(ciReader, 's3:GetObject', 'arn:aws:s3:::HRBucket/Public/handbook.pdf', { resourceAccount: ACCOUNT }),
    identity: [identityWith({ Effect: 'Allow', Action: 's3:*', NotResource: ['arn:aws:s3:::HRBucket/Payroll', 'arn:aws:s3:::HRBucket/Payroll/*'] })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'Deny with NotResource also denies actions on "*" (ecr:GetAuthorizationToken)',
    source: 'notresource',
    request: req(ciReader, 'ecr:GetAuthorizationToken', '*'),
    identity: [allowAll, identityWith({ Effect: 'Deny', Action: 'ecr:*', NotResource: demo })],
    expect: { decision: 'deny', reason: 'explicit-deny-identity', statement: { policyId: 'identity-1', index: 0 } },
  },
  // ---- action / resource wildcards ------------------------------------------------------
  {
    name: 'ecr:Get* covers ecr:GetAuthorizationToken on "*"',
    source: 'action',
    request: req(ciReader, 'ecr:GetAuthorizationToken', '*'),
    identity: [identityWith({ Effect: 'Allow', Action: 'ecr:Get*', Resource: '*' })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'action names are not case-sensitive',
    source: 'action',
    request: req(ciReader, 'ecr:BatchGetImage', demo),
    identity: [identityWith({ Effect: 'Allow', Action: 'ECR:batchgetimage', Resource: '*' })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'a * in the resource path covers repositories under team/',
    source: 'resource',
    request: req(ciReader, 'ecr:BatchGetImage', repo('team/api')),
    identity: [pull(repo('team/*'))],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'resource ARNs are case-sensitive',
    source: 'resource',
    request: req(ciReader, 'ecr:BatchGetImage', demo),
    identity: [pull(repo('Demo-App'))],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: '? matches exactly one character (app-? covers app-1)',
    source: 'resource',
    request: req(ciReader, 'ecr:BatchGetImage', repo('app-1')),
    identity: [pull(repo('app-?'))],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: '? does not cover two characters (app-? and app-10)',
    source: 'resource',
    request: req(ciReader, 'ecr:BatchGetImage', repo('app-10')),
    identity: [pull(repo('app-?'))],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'a resource ARN for another region does not match',
    source: 'resource',
    request: req(ciReader, 'ecr:BatchGetImage', demo),
    identity: [pull(repo('demo-app', ACCOUNT, 'eu-west-1'))],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'a * in the region part covers every region',
    source: 'resource',
    request: req(ciReader, 'ecr:BatchGetImage', demo),
    identity: [pull(`arn:aws:ecr:*:${ACCOUNT}:repository/demo-app`)],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'an action without resource-level permissions needs Resource "*" (GetAuthorizationToken on a repository ARN)',
    source: 'resource',
    request: req(ciReader, 'ecr:GetAuthorizationToken', '*'),
    identity: [identityWith({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: demo })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  // ---- condition operators ----------------------------------------------------------------
  {
    name: 'StringEquals on aws:PrincipalTag holds when the caller carries the tag',
    source: 'operators',
    request: req(user('ana', ACCOUNT, { 'job-category': 'iamuser-admin' }), 'iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/new`),
    identity: [allowIf('iam:*', { StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'StringEquals fails when the key is absent',
    source: 'operators',
    request: req(user('ana'), 'iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/new`),
    identity: [allowIf('iam:*', { StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'a negated operator holds when the key is absent (Deny StringNotEquals team=eng denies the untagged)',
    source: 'operators',
    request: req(user('ana'), 'ecr:PutImage', demo),
    identity: [allowAll, denyIf('ecr:PutImage', { StringNotEquals: { 'aws:PrincipalTag/team': 'eng' } })],
    expect: { decision: 'deny', reason: 'explicit-deny-identity', statement: { policyId: 'identity-1', index: 0 } },
  },
  {
    name: 'StringNotEquals lets the matching value through',
    source: 'operators',
    request: req(user('ana', ACCOUNT, { team: 'eng' }), 'ecr:PutImage', demo),
    identity: [allowAll, denyIf('ecr:PutImage', { StringNotEquals: { 'aws:PrincipalTag/team': 'eng' } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'StringEqualsIgnoreCase ignores case',
    source: 'operators',
    request: req(user('ana', ACCOUNT, { team: 'eng' }), 'ecr:PutImage', demo),
    identity: [allowIf('ecr:*', { StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'ENG' } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'StringEquals is case-sensitive',
    source: 'operators',
    request: req(user('ana', ACCOUNT, { team: 'eng' }), 'ecr:PutImage', demo),
    identity: [allowIf('ecr:*', { StringEquals: { 'aws:PrincipalTag/team': 'ENG' } })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'StringLike with a wildcard on aws:username',
    source: 'operators',
    request: req(ciReader, 'ecr:BatchGetImage', demo),
    identity: [allowIf('ecr:BatchGetImage', { StringLike: { 'aws:username': 'ci-*' } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'StringNotLike in a Deny spares the matching name',
    source: 'operators',
    request: req(user('admin-1'), 'ecr:DeleteRepository', demo),
    identity: [allowAll, denyIf('ecr:DeleteRepository', { StringNotLike: { 'aws:username': 'admin-*' } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'NumericLessThanEquals holds for a smaller value (s3:max-keys 5 <= 10)',
    source: 'operators',
    request: req(ciReader, 's3:ListBucket', 'arn:aws:s3:::photos', { resourceAccount: ACCOUNT, context: { 's3:max-keys': '5' } }),
    identity: [identityWith({ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::photos', Condition: { NumericLessThanEquals: { 's3:max-keys': '10' } } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'NumericLessThanEquals fails for a larger value (s3:max-keys 20)',
    source: 'operators',
    request: req(ciReader, 's3:ListBucket', 'arn:aws:s3:::photos', { resourceAccount: ACCOUNT, context: { 's3:max-keys': '20' } }),
    identity: [identityWith({ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::photos', Condition: { NumericLessThanEquals: { 's3:max-keys': '10' } } })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'NumericLessThan on aws:EpochTime: a grant that has expired',
    source: 'operators',
    request: req(ciReader, 'ecr:BatchGetImage', demo),
    identity: [allowIf('ecr:BatchGetImage', { NumericLessThan: { 'aws:EpochTime': String(NOW - 1) } })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'DateGreaterThan on aws:CurrentTime: a grant that has started',
    source: 'operators',
    request: req(ciReader, 'ecr:BatchGetImage', demo),
    identity: [allowIf('ecr:BatchGetImage', { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'DateLessThan on aws:CurrentTime: a grant that ended',
    source: 'operators',
    request: req(ciReader, 'ecr:BatchGetImage', demo),
    identity: [allowIf('ecr:BatchGetImage', { DateLessThan: { 'aws:CurrentTime': '2025-12-31T23:59:59Z' } })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'Bool aws:SecureTransport "true" never holds on the plain-http sandbox',
    source: 'operators',
    request: req(ciReader, 'ecr:BatchGetImage', demo),
    identity: [allowIf('ecr:BatchGetImage', { Bool: { 'aws:SecureTransport': 'true' } })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'Bool aws:SecureTransport false in a Deny (the DenyInsecureTransport pattern) denies',
    source: 'operators',
    request: req(ciReader, 'ecr:BatchGetImage', demo),
    identity: [allowAll, denyIf('*', { Bool: { 'aws:SecureTransport': false } })],
    expect: { decision: 'deny', reason: 'explicit-deny-identity', statement: { policyId: 'identity-1', index: 0 } },
  },
  {
    name: 'IpAddress holds for an address in the CIDR',
    source: 'operators',
    request: req(ciReader, 'ecr:BatchGetImage', demo, { context: { 'aws:SourceIp': '203.0.113.7' } }),
    identity: [allowIf('ecr:BatchGetImage', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'IpAddress fails for an address outside it',
    source: 'operators',
    request: req(ciReader, 'ecr:BatchGetImage', demo, { context: { 'aws:SourceIp': '198.51.100.1' } }),
    identity: [allowIf('ecr:BatchGetImage', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'ArnLike on aws:PrincipalArn with a wildcard',
    source: 'operators',
    request: req(ciReader, 'ecr:BatchGetImage', demo),
    resourcePolicy: repoPolicy({ Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage', Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/ci-*` } } }),
    expect: { decision: 'allow', reason: 'allowed-by-resource', statement: res0 },
  },
  {
    name: 'ArnNotEquals in a repository Deny spares the one named role (the NotPrincipal alternative the docs recommend)',
    source: 'notprincipal',
    request: req(session('deployer', 'ci'), 'ecr:PutImage', demo),
    identity: [allowAll],
    resourcePolicy: repoPolicy({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'ecr:PutImage', Condition: { ArnNotEquals: { 'aws:PrincipalArn': role('deployer') } } }),
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'ArnNotEquals denies every other principal',
    source: 'notprincipal',
    request: req(ciReader, 'ecr:PutImage', demo),
    identity: [allowAll],
    resourcePolicy: repoPolicy({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'ecr:PutImage', Condition: { ArnNotEquals: { 'aws:PrincipalArn': role('deployer') } } }),
    expect: { decision: 'deny', reason: 'explicit-deny-resource', statement: res0 },
  },
  {
    name: 'Null "true" in a Deny denies a request on an untagged repository',
    source: 'operators',
    request: req(ciReader, 'ecr:PutImage', demo),
    identity: [allowAll, denyIf('ecr:PutImage', { Null: { 'aws:ResourceTag/env': 'true' } })],
    expect: { decision: 'deny', reason: 'explicit-deny-identity', statement: { policyId: 'identity-1', index: 0 } },
  },
  {
    name: 'Null "true" does not deny a tagged repository',
    source: 'operators',
    request: req(ciReader, 'ecr:PutImage', demo, { resourceTags: { env: 'dev' } }),
    identity: [allowAll, denyIf('ecr:PutImage', { Null: { 'aws:ResourceTag/env': 'true' } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: '…IfExists holds when the key is absent (untagged repository)',
    source: 'operators',
    request: req(ciReader, 'ecr:PutImage', demo),
    identity: [allowIf('ecr:PutImage', { StringEqualsIfExists: { 'aws:ResourceTag/env': 'prod' } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: '…IfExists still compares a present key (env=dev is not prod)',
    source: 'operators',
    request: req(ciReader, 'ecr:PutImage', demo, { resourceTags: { env: 'dev' } }),
    identity: [allowIf('ecr:PutImage', { StringEqualsIfExists: { 'aws:ResourceTag/env': 'prod' } })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'ecr:ResourceTag works like aws:ResourceTag for ECR actions',
    source: 'ecr-repo',
    request: req(ciReader, 'ecr:BatchGetImage', demo, { resourceTags: { team: 'payments' } }),
    identity: [allowIf('ecr:BatchGetImage', { StringEquals: { 'ecr:ResourceTag/team': 'payments' } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'two keys in one block must both hold (AND)',
    source: 'operators',
    request: req(user('ana', ACCOUNT, { team: 'eng', level: 'junior' }), 'ecr:PutImage', demo),
    identity: [allowIf('ecr:PutImage', { StringEquals: { 'aws:PrincipalTag/team': 'eng', 'aws:PrincipalTag/level': 'senior' } })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'two values for one key: either will do (OR)',
    source: 'operators',
    request: req(user('ana', ACCOUNT, { team: 'ops' }), 'ecr:PutImage', demo),
    identity: [allowIf('ecr:PutImage', { StringEquals: { 'aws:PrincipalTag/team': ['eng', 'ops'] } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  // ---- multivalued ------------------------------------------------------------------------
  {
    name: 'ForAllValues: every requested tag key is in the list',
    source: 'multivalued',
    request: req(ciReader, 'ecr:TagResource', demo, { context: { 'aws:TagKeys': ['environment'] } }),
    identity: [allowIf('ecr:TagResource', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['environment', 'cost-center'] } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'ForAllValues: one requested key outside the list fails',
    source: 'multivalued',
    request: req(ciReader, 'ecr:TagResource', demo, { context: { 'aws:TagKeys': ['environment', 'owner'] } }),
    identity: [allowIf('ecr:TagResource', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['environment', 'cost-center'] } })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'ForAllValues holds when the key is absent (the documented pitfall)',
    source: 'multivalued',
    request: req(ciReader, 'ecr:TagResource', demo),
    identity: [allowIf('ecr:TagResource', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['environment', 'cost-center'] } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'ForAnyValue: one requested key in the list is enough',
    source: 'multivalued',
    request: req(ciReader, 'ecr:TagResource', demo, { context: { 'aws:TagKeys': ['owner', 'environment'] } }),
    identity: [allowIf('ecr:TagResource', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['environment'] } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'ForAnyValue fails when the key is absent',
    source: 'multivalued',
    request: req(ciReader, 'ecr:TagResource', demo),
    identity: [allowIf('ecr:TagResource', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['environment'] } })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'a multivalued key under a single-valued operator never matches',
    source: 'multivalued',
    request: req(ciReader, 'ecr:TagResource', demo, { context: { 'aws:TagKeys': ['environment'] } }),
    identity: [allowIf('ecr:TagResource', { StringEquals: { 'aws:TagKeys': 'environment' } })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  // ---- variables ----------------------------------------------------------------------------
  {
    name: '${aws:username} in Resource gives each user their own repositories',
    source: 'variables',
    request: req(user('alice'), 'ecr:PutImage', repo('alice/app')),
    identity: [identityWith({ Effect: 'Allow', Action: 'ecr:*', Resource: repo('${aws:username}/*') })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: '${aws:username} does not reach another user\'s repositories',
    source: 'variables',
    request: req(user('alice'), 'ecr:PutImage', repo('bob/app')),
    identity: [identityWith({ Effect: 'Allow', Action: 'ecr:*', Resource: repo('${aws:username}/*') })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: '${aws:username} has no value for a role session: the statement matches nothing',
    source: 'variables',
    request: req(session('deployer', 'alice'), 'ecr:PutImage', repo('alice/app')),
    identity: [identityWith({ Effect: 'Allow', Action: 'ecr:*', Resource: repo('${aws:username}/*') })],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: '${aws:PrincipalTag/team} in Resource',
    source: 'variables',
    request: req(user('ana', ACCOUNT, { team: 'payments' }), 'ecr:BatchGetImage', repo('payments/api')),
    identity: [identityWith({ Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: repo('${aws:PrincipalTag/team}/*') })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'a variable in a condition value (the repository\'s owner tag is the caller)',
    source: 'variables',
    request: req(user('ana'), 'ecr:DeleteRepository', demo, { resourceTags: { owner: 'ana' } }),
    identity: [allowIf('ecr:DeleteRepository', { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'a variable\'s default value stands in when the key is absent',
    source: 'variables',
    request: req(user('ana'), 'ecr:BatchGetImage', repo('shared/base')),
    identity: [identityWith({ Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: repo("${aws:PrincipalTag/team, 'shared'}/*") })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  // ---- repository policies, same account ------------------------------------------------------
  {
    name: 'same account: a repository policy naming the user allows without any identity policy',
    source: 'ecr-repo',
    request: req(ciReader, 'ecr:BatchGetImage', demo),
    identity: [],
    resourcePolicy: repoPolicy({ Sid: 'AllowPull', Effect: 'Allow', Principal: { AWS: ciReader.arn }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }),
    expect: { decision: 'allow', reason: 'allowed-by-resource', statement: res0 },
  },
  {
    name: 'same account: a repository policy naming only the account delegates to IAM (no identity allow: denied)',
    source: 'principal',
    request: req(ciReader, 'ecr:BatchGetImage', demo),
    identity: [],
    resourcePolicy: repoPolicy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'ecr:BatchGetImage' }),
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'same account: the identity policy allows though the repository policy names someone else',
    source: 'evaluation-logic',
    request: req(ciReader, 'ecr:BatchGetImage', demo),
    identity: [pull('*')],
    resourcePolicy: repoPolicy({ Effect: 'Allow', Principal: { AWS: user('bob').arn }, Action: 'ecr:BatchGetImage' }),
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'same account: a Deny in the repository policy beats the identity allow',
    source: 'evaluation-logic',
    request: req(ciReader, 'ecr:PutImage', demo),
    identity: [allowAll],
    resourcePolicy: repoPolicy({ Sid: 'DenyPush', Effect: 'Deny', Principal: '*', Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload'] }),
    expect: { decision: 'deny', reason: 'explicit-deny-resource', statement: res0 },
  },
  {
    name: 'a repository policy naming a role allows its sessions',
    source: 'evaluation-logic',
    request: req(session('deployer', 'build-42'), 'ecr:PutImage', demo),
    identity: [],
    resourcePolicy: repoPolicy({ Effect: 'Allow', Principal: { AWS: role('deployer') }, Action: 'ecr:PutImage' }),
    expect: { decision: 'allow', reason: 'allowed-by-resource', statement: res0 },
  },
  {
    name: 'a repository policy naming one session allows that session',
    source: 'principal',
    request: req(session('deployer', 'build-42'), 'ecr:PutImage', demo),
    identity: [],
    resourcePolicy: repoPolicy({ Effect: 'Allow', Principal: { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/build-42` }, Action: 'ecr:PutImage' }),
    expect: { decision: 'allow', reason: 'allowed-by-resource', statement: res0 },
  },
  {
    name: '…and not another session of the same role',
    source: 'principal',
    request: req(session('deployer', 'build-43'), 'ecr:PutImage', demo),
    identity: [],
    resourcePolicy: repoPolicy({ Effect: 'Allow', Principal: { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/build-42` }, Action: 'ecr:PutImage' }),
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'aws:PrincipalArn of a session is its role\'s ARN',
    source: 'operators',
    request: req(session('deployer', 'build-42'), 'ecr:PutImage', demo),
    identity: [allowIf('ecr:PutImage', { ArnEquals: { 'aws:PrincipalArn': role('deployer') } })],
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  // ---- root user ----------------------------------------------------------------------------
  {
    name: 'the root user of the repository\'s account needs no policy',
    source: 'evaluation-logic',
    request: req(root(), 'ecr:DeleteRepository', demo),
    identity: [],
    expect: { decision: 'allow', reason: 'allowed-by-identity' },
    oracleDiffers: 'iam-simulate has no special case for the root user yet (its DefaultServiceAuthorizer lists it as a to-do): without identity policies it answers ImplicitlyDenied.',
  },
  {
    name: 'the root user is still subject to an explicit deny in the repository policy',
    source: 'evaluation-logic',
    request: req(root(), 'ecr:DeleteRepository', demo),
    identity: [],
    resourcePolicy: repoPolicy({ Effect: 'Deny', Principal: '*', Action: 'ecr:DeleteRepository' }),
    expect: { decision: 'deny', reason: 'explicit-deny-resource', statement: res0 },
  },
  // ---- cross account ------------------------------------------------------------------------
  {
    name: 'cross account: repository policy for the account and the caller\'s identity allow: allowed',
    source: 'cross-account',
    request: req(user('carol', OTHER), 'ecr:BatchGetImage', demo),
    identity: [pull('*')],
    resourcePolicy: repoPolicy({ Sid: 'AllowCrossAccountPull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }),
    expect: { decision: 'allow', reason: 'allowed-by-resource', statement: res0 },
  },
  {
    name: 'cross account: the account id alone is the same principal as its :root ARN',
    source: 'principal',
    request: req(user('carol', OTHER), 'ecr:BatchGetImage', demo),
    identity: [pull('*')],
    resourcePolicy: repoPolicy({ Effect: 'Allow', Principal: { AWS: OTHER }, Action: 'ecr:BatchGetImage' }),
    expect: { decision: 'allow', reason: 'allowed-by-resource', statement: res0 },
  },
  {
    name: 'cross account: the repository policy alone is not enough',
    source: 'cross-account',
    request: req(user('carol', OTHER), 'ecr:BatchGetImage', demo),
    identity: [],
    resourcePolicy: repoPolicy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'ecr:BatchGetImage' }),
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'cross account: the identity policy alone is not enough (no repository policy)',
    source: 'cross-account',
    request: req(user('carol', OTHER), 'ecr:BatchGetImage', demo),
    identity: [pull('*')],
    expect: { decision: 'deny', reason: 'no-resource-allow' },
  },
  {
    name: 'cross account: a repository policy for a third account does not count',
    source: 'cross-account',
    request: req(user('carol', OTHER), 'ecr:BatchGetImage', demo),
    identity: [pull('*')],
    resourcePolicy: repoPolicy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'ecr:BatchGetImage' }),
    expect: { decision: 'deny', reason: 'no-resource-allow' },
  },
  {
    name: 'cross account: push actions granted where pull was asked do not allow a pull',
    source: 'cross-account',
    request: req(user('carol', OTHER), 'ecr:BatchGetImage', demo),
    identity: [pull('*')],
    resourcePolicy: repoPolicy({ Effect: 'Allow', Principal: { AWS: OTHER }, Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload'] }),
    expect: { decision: 'deny', reason: 'no-resource-allow' },
  },
  {
    name: 'cross account: the root user of the other account needs only the repository policy',
    source: 'cross-account',
    request: req(root(OTHER), 'ecr:BatchGetImage', demo),
    identity: [],
    resourcePolicy: repoPolicy({ Effect: 'Allow', Principal: { AWS: OTHER }, Action: 'ecr:BatchGetImage' }),
    expect: { decision: 'allow', reason: 'allowed-by-resource', statement: res0 },
    oracleDiffers: 'iam-simulate does not treat the root user as allowed by its own account, so the identity side stays implicitly denied.',
  },
  // ---- trust policies -----------------------------------------------------------------------
  {
    name: 'trust policy: the named service may assume the role',
    source: 'trust',
    request: req(service('ecs-tasks.amazonaws.com'), 'sts:AssumeRole', role('ecsTaskExecutionRole'), { resourceAccount: ACCOUNT }),
    resourcePolicy: trustPolicy({ Service: 'ecs-tasks.amazonaws.com' }),
    trust: true,
    expect: { decision: 'allow', reason: 'allowed-by-resource', statement: res0 },
  },
  {
    name: 'trust policy: another service may not',
    source: 'trust',
    request: req(service('ecs-tasks.amazonaws.com'), 'sts:AssumeRole', role('ec2-role'), { resourceAccount: ACCOUNT }),
    resourcePolicy: trustPolicy({ Service: 'ec2.amazonaws.com' }),
    trust: true,
    expect: { decision: 'deny', reason: 'no-resource-allow' },
  },
  {
    name: 'trust policy naming the user: allowed without an identity policy',
    source: 'evaluation-logic',
    request: req(ciReader, 'sts:AssumeRole', role('deployer')),
    identity: [],
    resourcePolicy: trustPolicy({ AWS: ciReader.arn }),
    trust: true,
    expect: { decision: 'allow', reason: 'allowed-by-resource', statement: res0 },
  },
  {
    name: 'trust policy naming the account: the user also needs an identity allow',
    source: 'trust',
    request: req(ciReader, 'sts:AssumeRole', role('deployer')),
    identity: [],
    resourcePolicy: trustPolicy({ AWS: `arn:aws:iam::${ACCOUNT}:root` }),
    trust: true,
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'trust policy naming the account and an identity allow: allowed',
    source: 'trust',
    request: req(ciReader, 'sts:AssumeRole', role('deployer')),
    identity: [identityWith({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role('deployer') })],
    resourcePolicy: trustPolicy({ AWS: `arn:aws:iam::${ACCOUNT}:root` }),
    trust: true,
    expect: { decision: 'allow', reason: 'allowed-by-identity', statement: id0 },
  },
  {
    name: 'same account, trust policy trusting someone else: an identity allow is not enough',
    source: 'evaluation-logic',
    request: req(ciReader, 'sts:AssumeRole', role('deployer')),
    identity: [identityWith({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' })],
    resourcePolicy: trustPolicy({ Service: 'ecs-tasks.amazonaws.com' }),
    trust: true,
    expect: { decision: 'deny', reason: 'no-resource-allow' },
  },
  {
    name: 'cross account: a trust policy for the other account and the user\'s identity allow',
    source: 'cross-account',
    request: req(user('carol', OTHER), 'sts:AssumeRole', role('deployer')),
    identity: [identityWith({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role('deployer') })],
    resourcePolicy: trustPolicy({ AWS: `arn:aws:iam::${OTHER}:root` }),
    trust: true,
    expect: { decision: 'allow', reason: 'allowed-by-resource', statement: res0 },
  },
  {
    name: 'sts:ExternalId in the trust policy: the right id is accepted',
    source: 'trust',
    request: req(user('carol', OTHER), 'sts:AssumeRole', role('deployer'), { context: { 'sts:ExternalId': 'Example987' } }),
    identity: [identityWith({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' })],
    resourcePolicy: trustPolicy({ AWS: OTHER }, { Condition: { StringEquals: { 'sts:ExternalId': 'Example987' } } }),
    trust: true,
    expect: { decision: 'allow', reason: 'allowed-by-resource', statement: res0 },
  },
  {
    name: 'sts:ExternalId in the trust policy: no id, no role',
    source: 'trust',
    request: req(user('carol', OTHER), 'sts:AssumeRole', role('deployer')),
    identity: [identityWith({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' })],
    resourcePolicy: trustPolicy({ AWS: OTHER }, { Condition: { StringEquals: { 'sts:ExternalId': 'Example987' } } }),
    trust: true,
    expect: { decision: 'deny', reason: 'no-resource-allow' },
  },
  // ---- NotPrincipal ---------------------------------------------------------------------------
  {
    name: 'Deny with NotPrincipal listing Bob and his account spares Bob',
    source: 'notprincipal',
    request: req(user('Bob', OTHER), 'ecr:BatchGetImage', demo),
    identity: [pull('*')],
    resourcePolicy: denyAllButBob,
    expect: { decision: 'allow', reason: 'allowed-by-resource', statement: { policyId: 'resource', index: 1 } },
  },
  {
    name: '…and denies everyone else, in his account too',
    source: 'notprincipal',
    request: req(user('Alice', OTHER), 'ecr:BatchGetImage', demo),
    identity: [pull('*')],
    resourcePolicy: denyAllButBob,
    expect: { decision: 'deny', reason: 'explicit-deny-resource', statement: res0 },
    oracleDiffers:
      'The NotPrincipal page: "all principals except the user named Bob in AWS account 444455556666 are explicitly denied". iam-simulate lets the listed account ARN exclude every principal of that account, so it does not deny Alice.',
  },
  {
    name: 'NotPrincipal listing only Bob\'s ARN, without his account, still denies Bob',
    source: 'notprincipal',
    request: req(user('Bob', OTHER), 'ecr:BatchGetImage', demo),
    identity: [pull('*')],
    resourcePolicy: denyAllBut(`arn:aws:iam::${OTHER}:user/Bob`),
    expect: { decision: 'deny', reason: 'explicit-deny-resource', statement: res0 },
    oracleDiffers:
      'The NotPrincipal page: without the account ARN "the policy might deny access to the entire account containing the principal" (AWS validates the account first). iam-simulate excludes a caller matched by any one NotPrincipal entry, so it spares Bob.',
  },
  {
    name: 'NotPrincipal listing the session, its role and the account spares that session',
    source: 'notprincipal',
    request: req(session('cross-account-read-only-role', 'cross-account-audit-app', OTHER), 'ecr:BatchGetImage', demo),
    identity: [pull('*')],
    resourcePolicy: denyAllButAuditApp,
    expect: { decision: 'allow', reason: 'allowed-by-resource', statement: { policyId: 'resource', index: 1 } },
  },
  {
    name: '…and denies another session of that role',
    source: 'notprincipal',
    request: req(session('cross-account-read-only-role', 'someone-else', OTHER), 'ecr:BatchGetImage', demo),
    identity: [pull('*')],
    resourcePolicy: denyAllButAuditApp,
    expect: { decision: 'deny', reason: 'explicit-deny-resource', statement: res0 },
    oracleDiffers:
      'The NotPrincipal page spares only "the assumed-role user named cross-account-audit-app"; iam-simulate matches the listed role ARN against every session of the role, so it spares this one too.',
  },
  // ---- troubleshoot: the lesson's own cases ------------------------------------------------
  {
    name: 'the read-only CI user cannot push (no identity-based policy allows ecr:PutImage)',
    source: 'troubleshoot',
    request: req(ciReader, 'ecr:PutImage', demo),
    identity: [pull('*')],
    expect: { decision: 'deny', reason: 'no-identity-allow' },
  },
  {
    name: 'a Principal "*" in the repository policy allows anyone in the account',
    source: 'ecr-repo',
    request: req(user('dave'), 'ecr:BatchGetImage', demo),
    identity: [],
    resourcePolicy: repoPolicy({ Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' }),
    expect: { decision: 'allow', reason: 'allowed-by-resource', statement: res0 },
  },
];
