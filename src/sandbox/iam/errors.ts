import { entry, fromTable } from '../query/errors.js';

/**
 * IAM's own errors, as one table: wire code, HTTP status (botocore's IAM model) and message.
 * Messages are AWS's as captured by LocalStack's snapshot-tested IAM provider and moto's tests,
 * and in public logs of real calls (`Cannot exceed quota for AccessKeysPerUser: 2`, `This policy
 * has more than one version…`); the few marked "sandbox wording" have no public capture.
 */
export const IAM_ERRORS = {
  // NoSuchEntity (404)
  noSuchUser: entry('NoSuchEntity', 404, (name: string) => `The user with name ${name} cannot be found.`),
  noSuchRole: entry('NoSuchEntity', 404, (name: string) => `The role with name ${name} cannot be found.`),
  noSuchUserPolicy: entry('NoSuchEntity', 404, (name: string) => `The user policy with name ${name} cannot be found.`),
  noSuchRolePolicy: entry('NoSuchEntity', 404, (name: string) => `The role policy with name ${name} cannot be found.`),
  noSuchAccessKey: entry('NoSuchEntity', 404, (id: string) => `The Access Key with id ${id} cannot be found.`),
  policyNotFound: entry('NoSuchEntity', 404, (arn: string) => `Policy ${arn} was not found.`),
  policyNotAttachable: entry('NoSuchEntity', 404, (arn: string) => `Policy ${arn} does not exist or is not attachable.`),
  policyVersionNotFound: entry(
    'NoSuchEntity',
    404,
    (arn: string, versionId: string) => `Policy ${arn} version ${versionId} does not exist or is not attachable.`,
  ),

  // EntityAlreadyExists (409)
  userExists: entry('EntityAlreadyExists', 409, (name: string) => `User with name ${name} already exists.`),
  roleExists: entry('EntityAlreadyExists', 409, (name: string) => `Role with name ${name} already exists.`),
  policyExists: entry(
    'EntityAlreadyExists',
    409,
    (name: string) => `A policy called ${name} already exists. Duplicate names are not allowed.`,
  ),

  // DeleteConflict (409)
  mustDetachPolicies: entry('DeleteConflict', 409, () => 'Cannot delete entity, must detach all policies first.'),
  mustDeletePolicies: entry('DeleteConflict', 409, () => 'Cannot delete entity, must delete policies first.'),
  mustDeleteAccessKeys: entry('DeleteConflict', 409, () => 'Cannot delete entity, must delete access keys first.'),
  policyAttached: entry('DeleteConflict', 409, () => 'Cannot delete a policy attached to entities.'),
  policyHasVersions: entry(
    'DeleteConflict',
    409,
    () =>
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
  ),
  defaultVersion: entry('DeleteConflict', 409, () => 'Cannot delete the default version of a policy.'),

  // LimitExceeded (409)
  accessKeyQuota: entry('LimitExceeded', 409, () => 'Cannot exceed quota for AccessKeysPerUser: 2'),
  versionQuota: entry(
    'LimitExceeded',
    409,
    () => 'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
  ),
  attachedQuota: entry('LimitExceeded', 409, (kind: 'User' | 'Role') => `Cannot exceed quota for PoliciesPer${kind}: 10`),
  inlinePolicySize: entry(
    'LimitExceeded',
    409,
    (limit: number, kind: 'user' | 'role', name: string) => `Maximum policy size of ${limit} bytes exceeded for ${kind} ${name}`,
  ),
  managedPolicySize: entry('LimitExceeded', 409, () => 'Cannot exceed quota for PolicySize: 6144'),
  trustPolicySize: entry('LimitExceeded', 409, () => 'Cannot exceed quota for ACLSizePerRole: 2048'),
  tagQuota: entry('LimitExceeded', 409, (kind: 'User' | 'Role') => `Cannot exceed quota for TagsPer${kind}: 50`),

  // MalformedPolicyDocument (400): the message is the policy parser's.
  malformedPolicy: entry('MalformedPolicyDocument', 400, (message: string) => message),

  // InvalidInput / ValidationError (400)
  duplicateTagKeys: entry('InvalidInput', 400, () => 'Duplicate tag keys found. Please note that Tag keys are case insensitive.'),
  invalidArn: entry('InvalidInput', 400, (arn: string) => `ARN ${arn} is not valid.`),
  invalidAttachArn: entry('ValidationError', 400, (arn: string) => `ARN ${arn} is not valid.`),
  userNameRequired: entry('ValidationError', 400, () => 'Must specify userName when calling with non-User credentials'),
  /** Sandbox wording (IAM refuses this case; its text has no public capture). */
  simulateCallerRequired: entry(
    'InvalidInput',
    400,
    () => 'Invalid Input: CallerArn must be specified for a resource policy simulation when PolicySourceArn is not an IAM user.',
  ),
  /** Sandbox wording: the sandbox has no permissions boundaries to simulate. */
  boundaryUnsupported: entry(
    'InvalidInput',
    400,
    () => 'The ECR sandbox does not simulate permissions boundaries (PermissionsBoundaryPolicyInputList): leave it out, or try it against real AWS.',
  ),
  /** Sandbox wording: the keys `sandbox env` hands out stay usable, or the sandbox could lock its own learner out. */
  sandboxKey: entry(
    'InvalidInput',
    400,
    (id: string) =>
      `The ECR sandbox keeps access key ${id} active: it is the key \`ecr-workbook sandbox env\` gives out. To practise rotating or disabling keys, create another user and its keys.`,
  ),

  accessDenied: entry('AccessDenied', 403, (message: string) => message),
} as const;

export type IamErrorName = keyof typeof IAM_ERRORS;

/** Builds the named IAM error with its message arguments. */
export const iamError = <N extends IamErrorName>(name: N, ...args: Parameters<(typeof IAM_ERRORS)[N]['message']>) =>
  fromTable(IAM_ERRORS, name, ...args);
