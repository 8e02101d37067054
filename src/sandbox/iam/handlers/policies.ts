import { isoSeconds } from '../../query/protocol.js';
import type { HolderKind } from '../backend.js';
import { encodedDocument, page, policyXml, readTags, RULES, type IamContext, type IamHandler } from './common.js';

// Inline and attached policies work the same on users and roles: one handler each, made for both.

const NAME_MEMBER: Record<HolderKind, 'UserName' | 'RoleName'> = { user: 'UserName', role: 'RoleName' };

/** The user or role a policy call names (AttachUserPolicy takes the shorter userNameType). */
function holderName(ctx: IamContext, kind: HolderKind, forAttach = false): string {
  const rule = kind === 'role' ? RULES.roleName : forAttach ? RULES.userName : RULES.existingUserName;
  return ctx.params.requiredString(NAME_MEMBER[kind], rule);
}

/** PutUserPolicy / PutRolePolicy. */
const putInline =
  (kind: HolderKind): IamHandler =>
  async (ctx) => {
    const name = holderName(ctx, kind);
    const policyName = ctx.params.requiredString('PolicyName', RULES.policyName);
    const document = ctx.params.requiredString('PolicyDocument', RULES.policyDocument);
    await ctx.iam.putInlinePolicy(ctx.accountId, kind, name, policyName, document);
    return undefined;
  };

/** GetUserPolicy / GetRolePolicy: the document URL-encoded, as IAM returns it. */
const getInline =
  (kind: HolderKind): IamHandler =>
  async (ctx) => {
    const name = holderName(ctx, kind);
    const policyName = ctx.params.requiredString('PolicyName', RULES.policyName);
    const { holderName: stored, document } = ctx.iam.getInlinePolicy(ctx.accountId, kind, name, policyName);
    return { [NAME_MEMBER[kind]]: stored, PolicyName: policyName, PolicyDocument: encodedDocument(document) };
  };

const deleteInline =
  (kind: HolderKind): IamHandler =>
  async (ctx) => {
    const name = holderName(ctx, kind);
    await ctx.iam.deleteInlinePolicy(ctx.accountId, kind, name, ctx.params.requiredString('PolicyName', RULES.policyName));
    return undefined;
  };

const listInline =
  (kind: HolderKind): IamHandler =>
  async (ctx) => {
    const { items, ...more } = page(ctx.params, ctx.iam.listInlinePolicies(ctx.accountId, kind, holderName(ctx, kind)));
    return { PolicyNames: items, ...more };
  };

const attach =
  (kind: HolderKind): IamHandler =>
  async (ctx) => {
    const name = holderName(ctx, kind, true);
    await ctx.iam.attachPolicy(ctx.accountId, kind, name, ctx.params.requiredString('PolicyArn', RULES.arn));
    return undefined;
  };

const detach =
  (kind: HolderKind): IamHandler =>
  async (ctx) => {
    const name = holderName(ctx, kind, true);
    await ctx.iam.detachPolicy(ctx.accountId, kind, name, ctx.params.requiredString('PolicyArn', RULES.arn));
    return undefined;
  };

const listAttached =
  (kind: HolderKind): IamHandler =>
  async (ctx) => {
    const name = holderName(ctx, kind, true);
    const pathPrefix = ctx.params.optionalString('PathPrefix', RULES.policyPath);
    const { items, ...more } = page(ctx.params, ctx.iam.listAttachedPolicies(ctx.accountId, kind, name, pathPrefix));
    return { AttachedPolicies: items.map((p) => ({ PolicyName: p.policyName, PolicyArn: p.policyArn })), ...more };
  };

export const PutUserPolicy = putInline('user');
export const GetUserPolicy = getInline('user');
export const DeleteUserPolicy = deleteInline('user');
export const ListUserPolicies = listInline('user');
export const AttachUserPolicy = attach('user');
export const DetachUserPolicy = detach('user');
export const ListAttachedUserPolicies = listAttached('user');
export const PutRolePolicy = putInline('role');
export const GetRolePolicy = getInline('role');
export const DeleteRolePolicy = deleteInline('role');
export const ListRolePolicies = listInline('role');
export const AttachRolePolicy = attach('role');
export const DetachRolePolicy = detach('role');
export const ListAttachedRolePolicies = listAttached('role');

// ---------------------------------------------------------------- managed policies

/** CreatePolicy: the answer leaves out the description (GetPolicy has it). */
export const CreatePolicy: IamHandler = async (ctx) => {
  const policyName = ctx.params.requiredString('PolicyName', RULES.policyName);
  const path = ctx.params.optionalString('Path', RULES.policyPath);
  const document = ctx.params.requiredString('PolicyDocument', RULES.policyDocument);
  const description = ctx.params.optionalString('Description', RULES.policyDescription);
  const policy = await ctx.iam.createPolicy(ctx.accountId, { policyName, path, document, description, tags: readTags(ctx.params) });
  return { Policy: policyXml(policy, false) };
};

/** GetPolicy: customer managed, or AWS managed (`arn:aws:iam::aws:policy/…`). */
export const GetPolicy: IamHandler = async (ctx) => {
  const policy = ctx.iam.getPolicy(ctx.accountId, ctx.params.requiredString('PolicyArn', RULES.arn));
  return { Policy: policyXml(policy, true) };
};

export const GetPolicyVersion: IamHandler = async (ctx) => {
  const arn = ctx.params.requiredString('PolicyArn', RULES.arn);
  const versionId = ctx.params.requiredString('VersionId', RULES.versionId);
  const version = ctx.iam.getPolicyVersion(ctx.accountId, arn, versionId);
  return {
    PolicyVersion: {
      Document: encodedDocument(version.document),
      VersionId: version.versionId,
      IsDefaultVersion: version.isDefault,
      CreateDate: isoSeconds(version.createDate),
    },
  };
};

export const DeletePolicy: IamHandler = async (ctx) => {
  await ctx.iam.deletePolicy(ctx.accountId, ctx.params.requiredString('PolicyArn', RULES.arn));
  return undefined;
};

/** ListPolicies: Scope All (default), Local or AWS; OnlyAttached; PathPrefix. */
export const ListPolicies: IamHandler = async (ctx) => {
  const scope = ctx.params.optionalEnum('Scope', ['All', 'AWS', 'Local'] as const);
  const onlyAttached = ctx.params.optionalBoolean('OnlyAttached');
  const pathPrefix = ctx.params.optionalString('PathPrefix', RULES.policyPath);
  ctx.params.optionalEnum('PolicyUsageFilter', ['PermissionsPolicy', 'PermissionsBoundary'] as const);
  const { items, ...more } = page(ctx.params, ctx.iam.listPolicies(ctx.accountId, { scope, onlyAttached, pathPrefix }));
  return { Policies: items.map((p) => policyXml(p, false)), ...more };
};

export const CreatePolicyVersion: IamHandler = async (ctx) => {
  const arn = ctx.params.requiredString('PolicyArn', RULES.arn);
  const document = ctx.params.requiredString('PolicyDocument', RULES.policyDocument);
  const setAsDefault = ctx.params.optionalBoolean('SetAsDefault') ?? false;
  const version = await ctx.iam.createPolicyVersion(ctx.accountId, arn, document, setAsDefault);
  return { PolicyVersion: { VersionId: version.versionId, IsDefaultVersion: version.isDefault, CreateDate: isoSeconds(version.createDate) } };
};

export const ListPolicyVersions: IamHandler = async (ctx) => {
  const versions = ctx.iam.listPolicyVersions(ctx.accountId, ctx.params.requiredString('PolicyArn', RULES.arn));
  const { items, ...more } = page(ctx.params, versions);
  return {
    Versions: items.map((v) => ({ VersionId: v.versionId, IsDefaultVersion: v.isDefault, CreateDate: isoSeconds(v.createDate) })),
    ...more,
  };
};

export const DeletePolicyVersion: IamHandler = async (ctx) => {
  const arn = ctx.params.requiredString('PolicyArn', RULES.arn);
  await ctx.iam.deletePolicyVersion(ctx.accountId, arn, ctx.params.requiredString('VersionId', RULES.versionId));
  return undefined;
};

export const SetDefaultPolicyVersion: IamHandler = async (ctx) => {
  const arn = ctx.params.requiredString('PolicyArn', RULES.arn);
  await ctx.iam.setDefaultPolicyVersion(ctx.accountId, arn, ctx.params.requiredString('VersionId', RULES.versionId));
  return undefined;
};
