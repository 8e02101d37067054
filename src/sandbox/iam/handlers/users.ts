import { isoSeconds } from '../../query/protocol.js';
import { accessKeyMetadataXml, page, readTags, RULES, tagHandlers, userNameOrSelf, userXml, type IamHandler } from './common.js';

/** CreateUser. */
export const CreateUser: IamHandler = async (ctx) => {
  const userName = ctx.params.requiredString('UserName', RULES.userName);
  const path = ctx.params.optionalString('Path', RULES.path);
  const user = await ctx.iam.createUser(ctx.accountId, { userName, path, tags: readTags(ctx.params) });
  return { User: userXml(ctx, user, true) };
};

/** GetUser: the named user, or the caller's own. */
export const GetUser: IamHandler = async (ctx) => {
  const user = ctx.iam.requireUser(ctx.accountId, userNameOrSelf(ctx));
  return { User: userXml(ctx, user, true) };
};

/** ListUsers (no tags in the list, as IAM's list answers leave them out). */
export const ListUsers: IamHandler = async (ctx) => {
  const pathPrefix = ctx.params.optionalString('PathPrefix', RULES.pathPrefix);
  const { items, ...more } = page(ctx.params, ctx.iam.listUsers(ctx.accountId, pathPrefix));
  return { Users: items.map((u) => userXml(ctx, u, false)), ...more };
};

/** DeleteUser: DeleteConflict while it has policies or access keys. */
export const DeleteUser: IamHandler = async (ctx) => {
  await ctx.iam.deleteUser(ctx.accountId, ctx.params.requiredString('UserName', RULES.existingUserName));
  return undefined;
};

const userTags = tagHandlers('user');
export const TagUser = userTags.tag;
export const UntagUser = userTags.untag;
export const ListUserTags = userTags.list;

/** CreateAccessKey: the only answer that ever carries the secret. */
export const CreateAccessKey: IamHandler = async (ctx) => {
  const { user, key } = await ctx.iam.createAccessKey(ctx.accountId, userNameOrSelf(ctx));
  return {
    AccessKey: {
      UserName: user.userName,
      AccessKeyId: key.accessKeyId,
      Status: key.status,
      SecretAccessKey: key.secretAccessKey,
      CreateDate: isoSeconds(key.createDate),
    },
  };
};

export const ListAccessKeys: IamHandler = async (ctx) => {
  const { user, keys } = ctx.iam.listAccessKeys(ctx.accountId, userNameOrSelf(ctx));
  const { items, ...more } = page(ctx.params, keys);
  return { AccessKeyMetadata: items.map((k) => accessKeyMetadataXml(user, k)), ...more };
};

export const DeleteAccessKey: IamHandler = async (ctx) => {
  const accessKeyId = ctx.params.requiredString('AccessKeyId', RULES.accessKeyId);
  await ctx.iam.deleteAccessKey(ctx.accountId, userNameOrSelf(ctx), accessKeyId);
  return undefined;
};

/** UpdateAccessKey: Active or Inactive (the model also lists Expired, which IAM never lets a caller set). */
export const UpdateAccessKey: IamHandler = async (ctx) => {
  const accessKeyId = ctx.params.requiredString('AccessKeyId', RULES.accessKeyId);
  const status = ctx.params.requiredEnum('Status', ['Active', 'Inactive'] as const);
  await ctx.iam.updateAccessKey(ctx.accountId, userNameOrSelf(ctx), accessKeyId, status);
  return undefined;
};
