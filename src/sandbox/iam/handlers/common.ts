import { isoSeconds, validationError, type QueryParams, type StringRule, type XmlValue } from '../../query/protocol.js';
import type { HolderKind, IamBackend, PolicyView } from '../backend.js';
import { iamError } from '../errors.js';
import type { AccessKeyRecord, IamRole, IamTag, IamUser, Identity } from '../types.js';

/** What every IAM operation handler gets: the backend, the caller, the request's members. */
export interface IamContext {
  iam: IamBackend;
  identity: Identity;
  /** The caller's account: IAM calls act on it, never on another. */
  accountId: string;
  params: QueryParams;
}

/** A thin handler: read and check members, call the backend, shape the XML result (undefined: no Result element). */
export type IamHandler = (ctx: IamContext) => Promise<Record<string, XmlValue> | undefined>;

/** The members' model rules (botocore's IAM model), quoted in ValidationError messages as IAM quotes them. */
export const RULES = {
  userName: { min: 1, max: 64, pattern: '[\\w+=,.@-]+' },
  existingUserName: { min: 1, max: 128, pattern: '[\\w+=,.@-]+' },
  roleName: { min: 1, max: 64, pattern: '[\\w+=,.@-]+' },
  policyName: { min: 1, max: 128, pattern: '[\\w+=,.@-]+' },
  path: { min: 1, max: 512, pattern: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)' },
  pathPrefix: { min: 1, max: 512, pattern: '\\u002F[\\u0021-\\u007F]*' },
  policyPath: { min: 1, max: 512, pattern: '((/[A-Za-z0-9\\.,\\+@=_-]+)*)/' },
  policyDocument: { min: 1, max: 131072, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' },
  arn: { min: 20, max: 2048 },
  accessKeyId: { min: 16, max: 128, pattern: '[\\w]+' },
  versionId: { pattern: 'v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?' },
  policyDescription: { max: 1000 },
  roleDescription: { max: 1000, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*' },
  tagKey: { min: 1, max: 128, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' },
  tagValue: { min: 0, max: 256, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*' },
  marker: { min: 1, max: 320, pattern: '[\\u0020-\\u00FF]+' },
} as const satisfies Record<string, StringRule>;

/** The user a call names, or the caller's own user when it names none (as IAM does for users). */
export function userNameOrSelf(ctx: IamContext): string {
  const named = ctx.params.optionalString('UserName', RULES.existingUserName);
  if (named !== undefined) return named;
  if (ctx.identity.kind !== 'user') throw iamError('userNameRequired');
  return ctx.identity.userName;
}

/** A `Tags` list (`Tags.member.N.Key/Value`), each member checked against its model rule. */
export function readTags(params: QueryParams, member = 'Tags'): IamTag[] | undefined {
  const tags = params.list(member, (prefix) => ({
    Key: params.requiredString(`${prefix}.Key`, RULES.tagKey),
    Value: params.requiredString(`${prefix}.Value`, RULES.tagValue),
  }));
  if (tags && tags.length > 50) throw validationError(member, null, 'Member must have length less than or equal to 50');
  return tags;
}

/** A `TagKeys` list. */
export function readTagKeys(params: QueryParams): string[] {
  const keys = params.stringList('TagKeys', RULES.tagKey, 50);
  if (!keys) throw validationError('TagKeys', null, 'Member must not be null');
  return keys;
}

/**
 * One page of a list answer: `Marker` is where the previous page stopped (the index, opaque to
 * clients), `MaxItems` the page size (100 when absent, as IAM pages).
 */
export function page<T>(params: QueryParams, items: T[]): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const maxItems = params.optionalInteger('MaxItems', 1, 1000) ?? 100;
  const marker = params.optionalString('Marker', RULES.marker);
  let start = 0;
  if (marker !== undefined) {
    start = Number(Buffer.from(marker, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw validationError('Marker', marker, 'Member must be a marker this API returned');
  }
  const shown = items.slice(start, start + maxItems);
  const next = start + shown.length;
  return next < items.length
    ? { items: shown, IsTruncated: true, Marker: Buffer.from(String(next)).toString('base64') }
    : { items: shown, IsTruncated: false };
}

/** A policy document as IAM returns it: URL-encoded JSON (the aws CLI decodes it; SDK callers decodeURIComponent). */
export const encodedDocument = (text: string) => encodeURIComponent(text);

const tagsXml = (tags: IamTag[]): XmlValue => (tags.length > 0 ? tags.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined);

/** IAM's User structure; tags where the operation returns them (GetUser, CreateUser). */
export function userXml(ctx: IamContext, user: IamUser, withTags: boolean): Record<string, XmlValue> {
  return {
    Path: user.path,
    UserName: user.userName,
    UserId: user.userId,
    Arn: ctx.iam.userArn(ctx.accountId, user),
    CreateDate: isoSeconds(user.createDate),
    Tags: withTags ? tagsXml(user.tags) : undefined,
  };
}

/** IAM's Role structure. CreateRole leaves out the description, session duration and last use. */
export function roleXml(ctx: IamContext, role: IamRole, full: boolean): Record<string, XmlValue> {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: ctx.iam.roleArn(ctx.accountId, role),
    CreateDate: isoSeconds(role.createDate),
    AssumeRolePolicyDocument: encodedDocument(role.assumeRolePolicyDocument),
    Description: full ? role.description : undefined,
    MaxSessionDuration: full ? role.maxSessionDuration : undefined,
    Tags: tagsXml(role.tags),
    RoleLastUsed: full ? {} : undefined,
  };
}

/** IAM's Policy structure; the description only where GetPolicy returns it. */
export function policyXml(policy: PolicyView, withDescription: boolean): Record<string, XmlValue> {
  return {
    PolicyName: policy.policyName,
    PolicyId: policy.policyId,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: policy.attachmentCount,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: withDescription ? policy.description : undefined,
    CreateDate: isoSeconds(policy.createDate),
    UpdateDate: isoSeconds(policy.updateDate),
    Tags: tagsXml(policy.tags),
  };
}

/** AccessKeyMetadata (ListAccessKeys): never the secret. */
export function accessKeyMetadataXml(user: IamUser, key: AccessKeyRecord): Record<string, XmlValue> {
  return { UserName: user.userName, AccessKeyId: key.accessKeyId, Status: key.status, CreateDate: isoSeconds(key.createDate) };
}

/** TagUser/TagRole, UntagUser/UntagRole and ListUserTags/ListRoleTags: the same three for both kinds. */
export function tagHandlers(kind: HolderKind): { tag: IamHandler; untag: IamHandler; list: IamHandler } {
  const name = (ctx: IamContext) => (kind === 'user' ? ctx.params.requiredString('UserName', RULES.existingUserName) : ctx.params.requiredString('RoleName', RULES.roleName));
  return {
    tag: async (ctx) => {
      await ctx.iam.tag(ctx.accountId, kind, name(ctx), readTags(ctx.params) ?? []);
      return undefined;
    },
    untag: async (ctx) => {
      await ctx.iam.untag(ctx.accountId, kind, name(ctx), readTagKeys(ctx.params));
      return undefined;
    },
    list: async (ctx) => {
      const { items, ...more } = page(ctx.params, ctx.iam.tags(ctx.accountId, kind, name(ctx)));
      return { Tags: items.map((t) => ({ Key: t.Key, Value: t.Value })), ...more };
    },
  };
}
