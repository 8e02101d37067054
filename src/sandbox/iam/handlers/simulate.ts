import { validationError, type QueryParams, type XmlValue } from '../../query/protocol.js';
import type { AppliedPolicy } from '../backend.js';
import { iamError } from '../errors.js';
import type { ContextValue, Principal } from '../evaluate.js';
import { simulate, type EvaluationResult } from '../simulate.js';
import { page, RULES, type IamContext, type IamHandler } from './common.js';

const ACTION_NAME = { min: 3, max: 128 };
const RESOURCE_NAME = { min: 1, max: 2048 };
const CONTEXT_KEY = { min: 5, max: 256 };
const CONTEXT_TYPES = ['string', 'stringList', 'numeric', 'numericList', 'boolean', 'booleanList', 'ip', 'ipList', 'binary', 'binaryList', 'date', 'dateList'] as const;
const USER_ARN_RE = /^arn:aws:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/;
const OWNER_RE = /^arn:aws:iam::(\d{12}):root$/;

/** `ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.M, ContextKeyType}` as condition keys. */
function readContext(params: QueryParams): Record<string, ContextValue> {
  const entries =
    params.list('ContextEntries', (prefix) => ({
      name: params.requiredString(`${prefix}.ContextKeyName`, CONTEXT_KEY),
      values: params.stringList(`${prefix}.ContextKeyValues`) ?? [],
      type: params.requiredEnum(`${prefix}.ContextKeyType`, CONTEXT_TYPES),
    })) ?? [];
  // A list type is a multivalued key; a single value of a scalar type is that value.
  return Object.fromEntries(entries.map((e) => [e.name, e.type.endsWith('List') || e.values.length !== 1 ? e.values : e.values[0]!]));
}

/** The policies of PolicyInputList, each as IAM's simulator names them (`PolicyInputList.1`, …). */
function inputPolicies(ctx: IamContext): AppliedPolicy[] {
  return (ctx.params.stringList('PolicyInputList', RULES.policyDocument) ?? []).map((text, i) => ({
    id: `PolicyInputList.${i + 1}`,
    name: `PolicyInputList.${i + 1}`,
    type: 'identity',
    sourceType: 'none',
    text,
    document: ctx.iam.parse(text, 'identity'),
  }));
}

function resourcePolicy(ctx: IamContext): AppliedPolicy | undefined {
  const text = ctx.params.optionalString('ResourcePolicy', RULES.policyDocument);
  if (text === undefined) return undefined;
  return { id: 'ResourcePolicy', name: 'ResourcePolicy', type: 'resource', sourceType: 'resource', text, document: ctx.iam.parse(text, 'resource') };
}

/** CallerArn: an IAM user's ARN, simulated as the caller. */
function callerPrincipal(ctx: IamContext): Principal | undefined {
  const arn = ctx.params.optionalString('CallerArn', RESOURCE_NAME);
  if (arn === undefined) return undefined;
  const match = USER_ARN_RE.exec(arn);
  if (!match) throw iamError('invalidArn', arn);
  const user = ctx.iam.findUser(match[1]!, match[2]!);
  return { arn, accountId: match[1]!, userName: match[2]!, ...(user ? { userId: user.userId } : {}) };
}

/** Runs the simulation and pages its results (MaxItems, Marker). */
function answer(ctx: IamContext, principal: Principal, identityPolicies: AppliedPolicy[], resource: AppliedPolicy | undefined): Record<string, XmlValue> {
  const actions = ctx.params.stringList('ActionNames', ACTION_NAME);
  if (!actions) throw validationError('ActionNames', null, 'Member must not be null');
  const resources = ctx.params.stringList('ResourceArns', RESOURCE_NAME);
  const owner = ctx.params.optionalString('ResourceOwner', RESOURCE_NAME);
  ctx.params.optionalString('ResourceHandlingOption', { min: 1, max: 64 });
  const results = simulate({
    principal,
    identityPolicies,
    resourcePolicy: resource,
    actions,
    resources: resources?.length ? resources : ['*'],
    resourceOwner: owner === undefined ? principal.accountId : (OWNER_RE.exec(owner)?.[1] ?? owner),
    context: readContext(ctx.params),
    now: ctx.iam.store.now(),
  });
  const { items, ...more } = page(ctx.params, results);
  return { EvaluationResults: items.map(resultXml), ...more };
}

function resultXml(result: EvaluationResult): XmlValue {
  return { ...result, MatchedStatements: result.MatchedStatements.map((m) => ({ ...m, StartPosition: { ...m.StartPosition }, EndPosition: { ...m.EndPosition } })) };
}

/**
 * SimulatePrincipalPolicy: a user's or role's own policies (plus PolicyInputList), against the
 * actions and resources asked about; a ResourcePolicy is weighed only when given, as IAM's
 * simulator does (it never reads a repository's policy by itself).
 */
export const SimulatePrincipalPolicy: IamHandler = async (ctx) => {
  const sourceArn = ctx.params.requiredString('PolicySourceArn', RULES.arn);
  if (ctx.params.has('PermissionsBoundaryPolicyInputList.member.1')) throw iamError('boundaryUnsupported');
  const source = ctx.iam.holderByArn(sourceArn);
  if (!source || source.accountId !== ctx.accountId) {
    const match = /^arn:aws:iam::\d{12}:(user|role)\/(?:.*\/)?([^/]+)$/.exec(sourceArn);
    if (!match) throw iamError('invalidArn', sourceArn);
    throw iamError(match[1] === 'user' ? 'noSuchUser' : 'noSuchRole', match[2]!);
  }
  const resource = resourcePolicy(ctx);
  let principal = callerPrincipal(ctx);
  if (!principal) {
    if (resource && source.kind !== 'user') throw iamError('simulateCallerRequired');
    const tags = Object.fromEntries(source.holder.tags.map((t) => [t.Key, t.Value]));
    principal =
      source.kind === 'user'
        ? { arn: sourceArn, accountId: source.accountId, userName: source.holder.userName, userId: source.holder.userId, tags }
        : { arn: sourceArn, accountId: source.accountId, roleArn: sourceArn, tags };
  }
  const policies = [...ctx.iam.holderPolicies(source.kind, source.holder), ...inputPolicies(ctx)];
  return answer(ctx, principal, policies, resource);
};

/** SimulateCustomPolicy: the given policies alone (PolicyInputList), as the caller or CallerArn. */
export const SimulateCustomPolicy: IamHandler = async (ctx) => {
  if (!ctx.params.list('PolicyInputList', (p) => p)) throw validationError('PolicyInputList', null, 'Member must not be null');
  if (ctx.params.has('PermissionsBoundaryPolicyInputList.member.1')) throw iamError('boundaryUnsupported');
  const resource = resourcePolicy(ctx);
  const caller = callerPrincipal(ctx);
  if (resource && !caller) throw iamError('simulateCallerRequired');
  return answer(ctx, caller ?? ctx.iam.principal(ctx.identity), inputPolicies(ctx), resource);
};
