import type { Authorizer } from '../authz/authorizer.js';
import type { IamBackend } from '../iam/backend.js';
import type { IamTag, Identity } from '../iam/types.js';
import { validationError, type QueryParams, type XmlValue } from '../query/protocol.js';
import { isoSeconds } from '../query/protocol.js';
import { assumeRole } from './assume-role.js';
import { stsError } from './errors.js';

/** The XML namespace of STS's answers. */
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const STS_VERSION = '2011-06-15';

export interface StsContext {
  iam: IamBackend;
  authorizer: Authorizer;
  identity: Identity;
  params: QueryParams;
}

export type StsHandler = (ctx: StsContext) => Promise<Record<string, XmlValue>>;

/** GetCallerIdentity: who the keys belong to. It needs no permission and works under any Deny. */
const GetCallerIdentity: StsHandler = async ({ identity }) => ({ Arn: identity.arn, UserId: identity.userId, Account: identity.accountId });

const SESSION_NAME = { min: 2, max: 64, pattern: '[\\w+=,.@-]*' };
const EXTERNAL_ID = { min: 2, max: 1224, pattern: '[\\w+=,.@:\\/-]*' };
const TAG_KEY = { min: 1, max: 128, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' };
const TAG_VALUE = { min: 0, max: 256, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*' };

function sessionTags(params: QueryParams): IamTag[] {
  const tags =
    params.list('Tags', (prefix) => ({ Key: params.requiredString(`${prefix}.Key`, TAG_KEY), Value: params.requiredString(`${prefix}.Value`, TAG_VALUE) })) ?? [];
  if (tags.length > 50) throw validationError('Tags', null, 'Member must have length less than or equal to 50');
  return tags;
}

/**
 * AssumeRole: the role's trust policy must allow the caller (and, across accounts, the
 * caller's own policies too); then temporary credentials (ASIA…, a session token) that expire
 * after DurationSeconds by the sandbox clock.
 */
const AssumeRole: StsHandler = async ({ iam, authorizer, identity, params }) => {
  const roleArn = params.requiredString('RoleArn', { min: 20, max: 2048 });
  const sessionName = params.requiredString('RoleSessionName', SESSION_NAME);
  const durationSeconds = params.optionalInteger('DurationSeconds', 900, 43200);
  if (params.has('Policy') || params.list('PolicyArns', (p) => p)) throw stsError('sessionPolicyUnsupported');
  if (params.has('SerialNumber') || params.has('TokenCode')) throw stsError('mfaUnsupported');
  const tags = sessionTags(params);
  const externalId = params.optionalString('ExternalId', EXTERNAL_ID);
  const sourceIdentity = params.optionalString('SourceIdentity', SESSION_NAME);
  const outcome = await assumeRole(iam, authorizer, identity, {
    roleArn,
    sessionName,
    durationSeconds,
    tags,
    context: {
      ...(externalId !== undefined ? { 'sts:ExternalId': externalId } : {}),
      ...(sourceIdentity !== undefined ? { 'sts:SourceIdentity': sourceIdentity } : {}),
      ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.Key}`, t.Value])),
      ...(tags.length > 0 ? { 'aws:TagKeys': tags.map((t) => t.Key) } : {}),
    },
  });
  if (!outcome.ok) {
    if (outcome.reason === 'denied') throw stsError('accessDenied', outcome.message);
    throw stsError(outcome.reason === 'duration-chained' ? 'durationChained' : 'durationOverMax');
  }
  const { session, role: found, accountId } = outcome;
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: isoSeconds(session.expiration),
    },
    AssumedRoleUser: {
      AssumedRoleId: `${found.roleId}:${sessionName}`,
      Arn: `arn:aws:sts::${accountId}:assumed-role/${found.roleName}/${sessionName}`,
    },
    // How full the packed session tags are, in percent of the limit.
    PackedPolicySize: tags.length > 0 ? Math.min(100, tags.length * 2) : undefined,
    SourceIdentity: sourceIdentity,
  };
};

/** The STS actions the sandbox implements. */
export const STS_OPERATIONS: Record<string, StsHandler> = { GetCallerIdentity, AssumeRole };

/** Every action real STS has (botocore's model); those missing above answer "not implemented". */
export const STS_ACTIONS = new Set(
  'AssumeRole AssumeRoleWithSAML AssumeRoleWithWebIdentity AssumeRoot DecodeAuthorizationMessage GetAccessKeyInfo GetCallerIdentity GetDelegatedAccessToken GetFederationToken GetSessionToken GetWebIdentityToken'.split(' '),
);
