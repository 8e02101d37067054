import { page, readTags, roleXml, RULES, tagHandlers, type IamHandler } from './common.js';

/** CreateRole: the trust policy (AssumeRolePolicyDocument) says who may assume it. */
export const CreateRole: IamHandler = async (ctx) => {
  const roleName = ctx.params.requiredString('RoleName', RULES.roleName);
  const path = ctx.params.optionalString('Path', RULES.path);
  const document = ctx.params.requiredString('AssumeRolePolicyDocument', RULES.policyDocument);
  const description = ctx.params.optionalString('Description', RULES.roleDescription);
  const maxSessionDuration = ctx.params.optionalInteger('MaxSessionDuration', 3600, 43200);
  const role = await ctx.iam.createRole(ctx.accountId, { roleName, path, document, description, maxSessionDuration, tags: readTags(ctx.params) });
  return { Role: roleXml(ctx, role, false) };
};

export const GetRole: IamHandler = async (ctx) => {
  const role = ctx.iam.requireRole(ctx.accountId, ctx.params.requiredString('RoleName', RULES.roleName));
  return { Role: roleXml(ctx, role, true) };
};

export const ListRoles: IamHandler = async (ctx) => {
  const pathPrefix = ctx.params.optionalString('PathPrefix', RULES.pathPrefix);
  const { items, ...more } = page(ctx.params, ctx.iam.listRoles(ctx.accountId, pathPrefix));
  return { Roles: items.map((r) => roleXml(ctx, r, true)), ...more };
};

/** DeleteRole: DeleteConflict while policies are attached or inline. */
export const DeleteRole: IamHandler = async (ctx) => {
  await ctx.iam.deleteRole(ctx.accountId, ctx.params.requiredString('RoleName', RULES.roleName));
  return undefined;
};

/** UpdateAssumeRolePolicy: replaces the trust policy. */
export const UpdateAssumeRolePolicy: IamHandler = async (ctx) => {
  const roleName = ctx.params.requiredString('RoleName', RULES.roleName);
  await ctx.iam.updateAssumeRolePolicy(ctx.accountId, roleName, ctx.params.requiredString('PolicyDocument', RULES.policyDocument));
  return undefined;
};

const roleTags = tagHandlers('role');
export const TagRole = roleTags.tag;
export const UntagRole = roleTags.untag;
export const ListRoleTags = roleTags.list;
