/**
 * IAM's policy evaluation, pure: policies and a request in; a decision, the statement that
 * decided and the reason out. No I/O and no clock: the time comes in the request.
 *
 * The logic is the IAM User Guide's (`reference_policies_evaluation-logic`, `…_policy-eval-denyallow`,
 * `…_policy-eval-basics`, `…-cross-account`), for the policy types the sandbox has (identity
 * policies, repository policies, role trust policies; no SCPs, boundaries or session policies):
 * 1. An applicable Deny in any policy decides: explicit deny.
 * 2. The root user of the resource's account is allowed ("by default, all requests are
 *    implicitly denied with the exception of the AWS account root user").
 * 3. Same account: an Allow in an identity policy, or an Allow in the resource policy whose
 *    Principal names the caller (its user or session ARN, its role's ARN, or `*`). A resource
 *    policy that names only the account "delegates authority to the account"
 *    (`reference_policies_elements_principal`): it still needs an identity Allow.
 *    Role trust policies are the documented exception: "IAM role trust policies and KMS key
 *    policies … must explicitly allow access for principals", so an identity Allow counts only
 *    where the trust policy trusts the caller's account.
 * 4. Cross account: an identity Allow and a resource-policy Allow for the caller or its account.
 */
import { parseDateValue, parseOperator, type ParsedOperator, type PolicyDocument, type PrincipalValue, type Statement } from './policy.js';

export interface Principal {
  /** arn:aws:iam::111122223333:user/ci-reader | arn:aws:sts::111122223333:assumed-role/role/session | arn:aws:iam::111122223333:root */
  arn: string;
  accountId: string;
  /** For an assumed-role session: the role's ARN (a Principal element naming the role matches the session). */
  roleArn?: string;
  /** A service principal asking to assume a role: 'ecs-tasks.amazonaws.com'. */
  service?: string;
  /** aws:username (users only). */
  userName?: string;
  /** aws:userid (AIDA… for a user, AROA…:session for a session), when the caller knows it. */
  userId?: string;
  /** aws:PrincipalTag/* */
  tags?: Record<string, string>;
  /** The caller is its account's root user. */
  isRoot?: boolean;
}
export type ContextValue = string | string[] | boolean | number;
export interface AuthzRequest {
  principal: Principal;
  action: string; // 'ecr:PutImage', 'sts:AssumeRole', 'iam:CreateUser'
  resource: string; // an ARN, or '*'
  /** The account that owns the resource (undefined for '*' / account-less actions). */
  resourceAccount?: string;
  /** aws:ResourceTag/* (and ecr:ResourceTag/* for ECR's actions). */
  resourceTags?: Record<string, string>;
  /** Extra condition keys; derived keys (aws:PrincipalArn, aws:PrincipalAccount, aws:username,
   *  aws:userid, aws:PrincipalTag/*, aws:ResourceTag/*, aws:CurrentTime, aws:EpochTime,
   *  aws:SecureTransport=false, aws:PrincipalType) are filled in by evaluate from the request.
   *  A key given here wins over a derived one. An array is a multivalued key. */
  context?: Record<string, ContextValue>;
  /** Epoch seconds (the sandbox clock). */
  now?: number;
}
export interface PolicyRef {
  id: string;
  type: 'identity' | 'resource';
  document: PolicyDocument;
  /** A role trust policy (evaluated with trust policies' rule, see the file comment); implied for sts:AssumeRole*. */
  trust?: boolean;
}
export type DecisionReason =
  | 'allowed-by-identity'
  | 'allowed-by-resource'
  | 'explicit-deny-identity'
  | 'explicit-deny-resource'
  | 'no-identity-allow' // "because no identity-based policy allows the <action> action"
  | 'no-resource-allow'; // cross-account: "because no resource-based policy allows the <action> action"
export interface StatementRef {
  policyId: string;
  policyType: 'identity' | 'resource';
  index: number;
  sid?: string;
}
export interface Decision {
  decision: 'allow' | 'deny';
  reason: DecisionReason;
  /** The statement that decided (the Deny, or an Allow that granted). */
  statement?: StatementRef;
  /** Every statement that matched (for SimulatePrincipalPolicy's MatchedStatements). */
  matched: Array<StatementRef & { effect: 'Allow' | 'Deny' }>;
  /** Condition keys the matching statements asked about that the request did not carry (SimulatePrincipalPolicy's MissingContextValues). */
  missingContextValues: string[];
}

/** IAM's evaluation logic: explicit deny wins; same account: identity OR resource allow;
 *  cross account: identity allow AND resource allow; root of the resource's account: allowed unless denied. */
export function evaluate(request: AuthzRequest, identityPolicies: PolicyRef[], resourcePolicy?: PolicyRef): Decision {
  const { principal } = request;
  const ctx = requestContext(request);
  const matched: Decision['matched'] = [];
  const missing = new Set<string>();
  let identityDeny: StatementRef | undefined;
  let identityAllow: StatementRef | undefined;
  let resourceDeny: StatementRef | undefined;
  let directAllow: StatementRef | undefined;
  let accountAllow: StatementRef | undefined;

  // A service is no IAM identity: its own policies are not consulted, only the resource's.
  const identities = principal.service !== undefined ? [] : identityPolicies;
  // Policy variables are read only in policies of Version 2012-10-17; older ones take `${…}` literally.
  const contextOf = (policy: PolicyRef): Context => (policy.document.Version === '2012-10-17' ? ctx : { ...ctx, variables: false });
  for (const policy of identities) {
    const policyCtx = contextOf(policy);
    policy.document.Statement.forEach((statement, index) => {
      if (!statementApplies(statement, request, policyCtx, missing)) return;
      const ref = statementRef(policy, 'identity', index, statement);
      matched.push({ ...ref, effect: statement.Effect });
      if (statement.Effect === 'Deny') identityDeny ??= ref;
      else identityAllow ??= ref;
    });
  }
  if (resourcePolicy) {
    const policyCtx = contextOf(resourcePolicy);
    resourcePolicy.document.Statement.forEach((statement, index) => {
      const who = principalMatch(statement, principal);
      if (who === 'none' || !statementApplies(statement, request, policyCtx, missing)) return;
      const ref = statementRef(resourcePolicy, 'resource', index, statement);
      matched.push({ ...ref, effect: statement.Effect });
      if (statement.Effect === 'Deny') resourceDeny ??= ref;
      else if (who === 'direct') directAllow ??= ref;
      else accountAllow ??= ref;
    });
  }
  const result = (decision: 'allow' | 'deny', reason: DecisionReason, statement?: StatementRef): Decision => ({
    decision,
    reason,
    ...(statement ? { statement } : {}),
    matched,
    missingContextValues: [...missing],
  });

  if (identityDeny) return result('deny', 'explicit-deny-identity', identityDeny);
  if (resourceDeny) return result('deny', 'explicit-deny-resource', resourceDeny);

  if (principal.service !== undefined) {
    return directAllow ? result('allow', 'allowed-by-resource', directAllow) : result('deny', 'no-resource-allow');
  }
  const sameAccount = request.resourceAccount === undefined || request.resourceAccount === principal.accountId;
  // The root user needs no identity policy in its own account: it is allowed whatever is not denied.
  const identityAllows = identityAllow !== undefined || principal.isRoot === true;
  if (sameAccount && principal.isRoot) return result('allow', 'allowed-by-identity', identityAllow);

  const trust = resourcePolicy !== undefined && (resourcePolicy.trust === true || /^sts:assumerole/i.test(request.action));
  if (sameAccount) {
    if (!trust && identityAllow) return result('allow', 'allowed-by-identity', identityAllow);
    if (directAllow) return result('allow', 'allowed-by-resource', directAllow);
    // Only a trust policy gets here with an identity Allow: it counts where the account is trusted.
    if (identityAllow && accountAllow) return result('allow', 'allowed-by-identity', identityAllow);
    return result('deny', trust && !accountAllow ? 'no-resource-allow' : 'no-identity-allow');
  }
  if (!identityAllows) return result('deny', 'no-identity-allow');
  const resourceAllow = directAllow ?? accountAllow;
  return resourceAllow ? result('allow', 'allowed-by-resource', resourceAllow) : result('deny', 'no-resource-allow');
}

/** AWS's AccessDenied wording for a denied request:
 *  `User: <arn> is not authorized to perform: <action> on resource: <resource> because no identity-based policy allows the <action> action`
 *  and the `with an explicit deny in an identity-based policy`, `because no resource-based policy allows …`,
 *  `with an explicit deny in a resource-based policy` variants (IAM User Guide, troubleshoot_access-denied). */
export function accessDeniedMessage(request: AuthzRequest, decision: Decision): string {
  const who = request.principal.arn || request.principal.service || '';
  const head = `User: ${who} is not authorized to perform: ${request.action} on resource: ${request.resource}`;
  switch (decision.reason) {
    case 'explicit-deny-identity':
      return `${head} with an explicit deny in an identity-based policy`;
    case 'explicit-deny-resource':
      return `${head} with an explicit deny in a resource-based policy`;
    case 'no-identity-allow':
      return `${head} because no identity-based policy allows the ${request.action} action`;
    case 'no-resource-allow':
      return `${head} because no resource-based policy allows the ${request.action} action`;
    default:
      throw new Error(`accessDeniedMessage: the request was allowed (${decision.reason})`);
  }
}

/** SimulatePrincipalPolicy's EvalDecision for a decision: 'allowed' | 'explicitDeny' | 'implicitDeny'. */
export function evalDecisionName(decision: Decision): 'allowed' | 'explicitDeny' | 'implicitDeny' {
  if (decision.decision === 'allow') return 'allowed';
  return decision.reason.startsWith('explicit-deny') ? 'explicitDeny' : 'implicitDeny';
}

function statementRef(policy: PolicyRef, policyType: 'identity' | 'resource', index: number, statement: Statement): StatementRef {
  return { policyId: policy.id, policyType, index, ...(statement.Sid ? { sid: statement.Sid } : {}) };
}

// ---------------------------------------------------------------------------------------------
// The request context

interface ContextEntry {
  values: string[];
  multi: boolean;
}
/** The request's condition keys, and whether the policy being read resolves variables (only Version 2012-10-17 does). */
interface Context {
  keys: Map<string, ContextEntry>;
  variables: boolean;
}

function toEntry(value: ContextValue): ContextEntry {
  if (Array.isArray(value)) return { values: value.map(String), multi: true };
  return { values: [String(value)], multi: false };
}

/** The condition keys of a request, by lower-case name (IAM's key names are not case-sensitive). */
function requestContext(request: AuthzRequest): Context {
  const { principal } = request;
  const keys = new Map<string, ContextEntry>();
  const set = (key: string, value: ContextValue | undefined) => {
    if (value !== undefined) keys.set(key.toLowerCase(), toEntry(value));
  };
  if (principal.service !== undefined) {
    set('aws:PrincipalServiceName', principal.service);
  } else {
    set('aws:PrincipalArn', principalArn(principal));
    set('aws:PrincipalAccount', principal.accountId);
    set('aws:PrincipalType', principalType(principal));
    const userName = principal.userName ?? (/:user\//.test(principal.arn) ? principal.arn.slice(principal.arn.lastIndexOf('/') + 1) : undefined);
    if (!principal.isRoot) set('aws:username', userName);
    set('aws:userid', principal.userId ?? (principal.isRoot ? principal.accountId : undefined));
    for (const [key, value] of Object.entries(principal.tags ?? {})) set(`aws:PrincipalTag/${key}`, value);
  }
  const service = request.action.split(':')[0]?.toLowerCase();
  for (const [key, value] of Object.entries(request.resourceTags ?? {})) {
    set(`aws:ResourceTag/${key}`, value);
    if (service === 'ecr') set(`ecr:ResourceTag/${key}`, value);
  }
  if (request.now !== undefined) {
    set('aws:CurrentTime', new Date(request.now * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    set('aws:EpochTime', String(Math.floor(request.now)));
  }
  // The sandbox answers plain http.
  set('aws:SecureTransport', false);
  for (const [key, value] of Object.entries(request.context ?? {})) set(key, value);
  return { keys, variables: true };
}

/** The condition keys evaluate sees for a request (derived ones and the request's own), by lower-case name. */
export function conditionContext(request: AuthzRequest): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, entry] of requestContext(request).keys) out[key] = entry.multi ? entry.values : entry.values[0]!;
  return out;
}

function principalArn(principal: Principal): string {
  if (principal.isRoot) return `arn:aws:iam::${principal.accountId}:root`;
  if (principal.roleArn) return principal.roleArn;
  const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(principal.arn);
  return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : principal.arn;
}

function principalType(principal: Principal): string | undefined {
  if (principal.isRoot) return 'Account';
  if (principal.roleArn || /:assumed-role\//.test(principal.arn)) return 'AssumedRole';
  if (/:federated-user\//.test(principal.arn)) return 'FederatedUser';
  if (/:user\//.test(principal.arn)) return 'User';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Statements

function statementApplies(statement: Statement, request: AuthzRequest, ctx: Context, missing: Set<string>): boolean {
  if (statement.Action && !statement.Action.some((p) => actionMatches(p, request.action))) return false;
  if (statement.NotAction && statement.NotAction.some((p) => actionMatches(p, request.action))) return false;
  if (statement.Resource && !statement.Resource.some((p) => resourceMatches(p, request.resource, ctx) === true)) return false;
  // An excluded resource that names a variable without a value makes the statement "invalid"
  // (reference_policies_variables): it no more applies than it would by matching.
  if (statement.NotResource && statement.NotResource.some((p) => resourceMatches(p, request.resource, ctx) !== false)) return false;
  return conditionsHold(statement.Condition, ctx, missing);
}

const regexCache = new Map<string, RegExp>();
const REGEX_CACHE_LIMIT = 4096;

function cachedRegex(key: string, build: () => string, flags: string): RegExp {
  let re = regexCache.get(key);
  if (!re) {
    if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
    re = new RegExp(build(), flags);
    regexCache.set(key, re);
  }
  return re;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A glob (`*` any run, `?` one character) as a regular expression source, anchored. */
function globSource(glob: string): string {
  let out = '';
  for (const c of glob) out += c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : escapeRegex(c);
  return `^${out}$`;
}

/** `ecr:Get*` against `ecr:GetAuthorizationToken`: wildcards, not case-sensitive (actions never are). */
function actionMatches(pattern: string, action: string): boolean {
  if (pattern === '*') return true;
  return cachedRegex(`a\u0000${pattern}`, () => globSource(pattern), 'i').test(action);
}

/**
 * A policy string with its variables resolved, as the glob pieces it is made of: `${aws:username}`
 * becomes the caller's name as literal text (its `*` is no wildcard), `${*}` `${?}` `${$}` the
 * literal characters, `${key, 'default'}` the default when the key is absent. Undefined when a
 * variable cannot be resolved: IAM's rule is that the element then matches nothing.
 */
type GlobPiece = { literal: string } | { wildcard: '*' | '?' };

function resolveVariables(text: string, ctx: Context, unresolved?: { seen: boolean }): GlobPiece[] | undefined {
  const pieces: GlobPiece[] = [];
  let literal = '';
  const flush = () => {
    if (literal) pieces.push({ literal });
    literal = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      if (end !== -1) {
        const inner = text.slice(i + 2, end);
        const replacement = variableValue(inner, ctx);
        if (replacement === undefined) {
          // Asked to, stand a wildcard in for it, so the rest of the pattern can still be compared.
          if (!unresolved) return undefined;
          unresolved.seen = true;
          flush();
          pieces.push({ wildcard: '*' });
        } else literal += replacement;
        i = end;
        continue;
      }
    }
    if (c === '*' || c === '?') {
      flush();
      pieces.push({ wildcard: c });
    } else literal += c;
  }
  flush();
  return pieces;
}

function variableValue(inner: string, ctx: Context): string | undefined {
  if (inner === '*' || inner === '?' || inner === '$') return inner;
  const comma = /^\s*([^,]+?)\s*,\s*'(.*)'\s*$/.exec(inner);
  const key = (comma ? comma[1]! : inner).trim().toLowerCase();
  const entry = ctx.keys.get(key);
  // A multivalued key cannot stand in a string (reference_policies_variables).
  if (entry && !entry.multi && entry.values.length === 1) return entry.values[0];
  return comma ? comma[2] : undefined;
}

function piecesSource(pieces: GlobPiece[], wildcardSource: (w: '*' | '?') => string): string {
  return pieces.map((p) => ('literal' in p ? escapeRegex(p.literal) : wildcardSource(p.wildcard))).join('');
}

/** A glob with policy variables, matched against `value`; undefined when a variable cannot be resolved. */
function globWithVariablesMatches(pattern: string, value: string, ctx: Context, ignoreCase: boolean): boolean | undefined {
  if (!ctx.variables || !pattern.includes('${')) {
    return cachedRegex(`g${ignoreCase ? 'i' : ''}\u0000${pattern}`, () => globSource(pattern), ignoreCase ? 'i' : '').test(value);
  }
  const pieces = resolveVariables(pattern, ctx);
  if (!pieces) return undefined;
  const source = `^${piecesSource(pieces, (w) => (w === '*' ? '[\\s\\S]*' : '[\\s\\S]'))}$`;
  return cachedRegex(`r${ignoreCase ? 'i' : ''}\u0000${source}`, () => source, ignoreCase ? 'i' : '').test(value);
}

/** A policy string with variables resolved to plain text (no wildcards), or undefined. */
function resolvedText(text: string, ctx: Context): string | undefined {
  if (!ctx.variables || !text.includes('${')) return text;
  const pieces = resolveVariables(text, ctx);
  return pieces?.map((p) => ('literal' in p ? p.literal : p.wildcard)).join('');
}

/** Splits an ARN into its six parts (the sixth keeps its colons); undefined when it is not ARN-shaped. */
function arnParts(arn: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const colon = arn.indexOf(':', start);
    if (colon === -1) return undefined;
    parts.push(arn.slice(start, colon));
    start = colon + 1;
  }
  parts.push(arn.slice(start));
  return parts[0] === 'arn' ? parts : undefined;
}

/**
 * An ARN pattern against an ARN, part by part (reference_policies_elements_resource): wildcards
 * stay within their colon-delimited part, except in the last part, and a pattern of fewer parts
 * whose last part ends in `*` reaches over the rest. Case-sensitive. Undefined when the pattern
 * names a variable without a value; for a Resource (`partial`), only if the rest of the ARN
 * matches, since an ARN of another account or region does not match whatever the variable is.
 */
function arnGlobMatches(pattern: string, arn: string, ctx: Context, partial = false): boolean | undefined {
  const target = arnParts(arn);
  if (ctx.variables && pattern.includes('${')) {
    const unresolved = { seen: false };
    const pieces = resolveVariables(pattern, ctx, partial ? unresolved : undefined);
    if (!pieces) return undefined;
    // Resolved patterns repeat (one per caller), so they are cached by their resolved text.
    const key = pieces.map((p) => ('literal' in p ? p.literal : `\u0000${p.wildcard}`)).join('');
    let compiled = resolvedArnPatternCache.get(key);
    if (compiled === undefined) {
      if (resolvedArnPatternCache.size >= REGEX_CACHE_LIMIT) resolvedArnPatternCache.clear();
      compiled = compileArnPattern(pieces);
      resolvedArnPatternCache.set(key, compiled);
    }
    const matches = partsMatch(compiled, target);
    return matches && unresolved.seen ? undefined : matches;
  }
  let compiled = arnPatternCache.get(pattern);
  if (compiled === undefined) {
    if (arnPatternCache.size >= REGEX_CACHE_LIMIT) arnPatternCache.clear();
    compiled = compileArnPattern(splitGlob(pattern));
    arnPatternCache.set(pattern, compiled);
  }
  return partsMatch(compiled, target);
}

const partsMatch = (compiled: RegExp[] | null, target: string[] | undefined) =>
  target !== undefined && compiled !== null && compiled.every((re, i) => re.test(target[i]!));

const arnPatternCache = new Map<string, RegExp[] | null>();
const resolvedArnPatternCache = new Map<string, RegExp[] | null>();

/** The six part-matchers of an ARN pattern (null when it can match no ARN). */
function compileArnPattern(pieces: GlobPiece[]): RegExp[] | null {
  const parts: GlobPiece[][] = [[]];
  for (const piece of pieces) {
    if (!('literal' in piece)) {
      parts.at(-1)!.push(piece);
      continue;
    }
    piece.literal.split(':').forEach((chunk, i) => {
      if (i > 0 && parts.length < 6) parts.push([]);
      else if (i > 0) parts.at(-1)!.push({ literal: ':' });
      if (chunk) parts.at(-1)!.push({ literal: chunk });
    });
  }
  if (parts.length < 6) {
    const last = parts.at(-1)!.at(-1);
    if (!last || 'literal' in last || last.wildcard !== '*') return null;
    while (parts.length < 6) parts.push([{ wildcard: '*' }]);
  }
  // The ARN is split the same way, so no wildcard can reach past its own part.
  return parts.map((part) => new RegExp(`^${piecesSource(part, (w) => (w === '*' ? '[\\s\\S]*' : '[\\s\\S]'))}$`));
}

function splitGlob(pattern: string): GlobPiece[] {
  const pieces: GlobPiece[] = [];
  let literal = '';
  for (const c of pattern) {
    if (c === '*' || c === '?') {
      if (literal) pieces.push({ literal });
      literal = '';
      pieces.push({ wildcard: c });
    } else literal += c;
  }
  if (literal) pieces.push({ literal });
  return pieces;
}

/** Whether a Resource pattern covers the resource; undefined when it names a variable without a value. */
function resourceMatches(pattern: string, resource: string, ctx: Context): boolean | undefined {
  // A request on "*" (an action without resource-level permissions) is not ARN-shaped: only "*" covers it.
  if (pattern === '*') return true;
  return arnGlobMatches(pattern, resource, ctx, true);
}

// ---------------------------------------------------------------------------------------------
// Principals

type PrincipalMatch = 'direct' | 'account' | 'none';

/** How a resource-policy statement's Principal or NotPrincipal applies to the caller. */
function principalMatch(statement: Statement, principal: Principal): PrincipalMatch {
  if (statement.Principal !== undefined) return principalElementMatch(statement.Principal, principal);
  if (statement.NotPrincipal !== undefined) return notPrincipalExcludes(statement.NotPrincipal, principal) ? 'none' : 'direct';
  return 'none';
}

const listOf = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function accountOfPrincipalValue(value: string): string | undefined {
  if (/^\d{12}$/.test(value)) return value;
  const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(value);
  return root?.[1];
}

/** Principal: `*` and the caller's own ARN, role or service match it directly; its account "delegates to the account". */
function principalElementMatch(element: PrincipalValue, principal: Principal): PrincipalMatch {
  if (element === '*') return 'direct';
  if (principal.service !== undefined) {
    return listOf(element.Service).includes(principal.service) ? 'direct' : 'none';
  }
  let account = false;
  for (const value of listOf(element.AWS)) {
    if (value === '*') return 'direct';
    if (value === principal.arn || (principal.roleArn !== undefined && value === principal.roleArn)) return 'direct';
    if (accountOfPrincipalValue(value) === principal.accountId) account = true;
  }
  return account ? 'account' : 'none';
}

/**
 * NotPrincipal: the statement applies to everyone it does not exclude. The NotPrincipal page:
 * "AWS might validate the account first and then the user… the account first, then the role,
 * and then the assumed-role user", and "if the NotPrincipal element was missing the ARN of the
 * role… deny access to the role… missing the ARN of the AWS account… deny access to the AWS
 * account and all entities in that account". So a caller is excluded only when every level of
 * it is listed: its account; then its user ARN, or its role's ARN and its session ARN.
 */
function notPrincipalExcludes(element: PrincipalValue, principal: Principal): boolean {
  if (element === '*') return true;
  if (principal.service !== undefined) return listOf(element.Service).includes(principal.service);
  const values = listOf(element.AWS);
  if (values.includes('*')) return true;
  const levels = principalLevels(principal);
  return levels.every((level) => (level === 'account' ? values.some((v) => accountOfPrincipalValue(v) === principal.accountId) : values.includes(level)));
}

/** The identities a caller is checked as, outermost first: 'account', then its own ARNs. */
function principalLevels(principal: Principal): string[] {
  if (principal.isRoot) return ['account'];
  const roleArn = principal.roleArn ?? (/:assumed-role\//.test(principal.arn) ? principalArn(principal) : undefined);
  return roleArn ? ['account', roleArn, principal.arn] : ['account', principal.arn];
}

// ---------------------------------------------------------------------------------------------
// Conditions

const NEGATED = new Set([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'NumericNotEquals',
  'DateNotEquals',
  'ArnNotEquals',
  'ArnNotLike',
  'NotIpAddress',
]);

/** Every operator block holds, and in each block every key (AND); a key holds when any of its values does (OR). */
function conditionsHold(condition: Statement['Condition'], ctx: Context, missing: Set<string>): boolean {
  if (!condition) return true;
  // Every key the statement asks about is noted before the first failing one ends the walk.
  for (const [name, block] of Object.entries(condition)) {
    if (name === 'Null') continue;
    for (const key of Object.keys(block)) if (!ctx.keys.has(key.toLowerCase())) missing.add(key);
  }
  for (const [name, block] of Object.entries(condition)) {
    const operator = parseOperator(name);
    if (!operator) return false;
    for (const [key, values] of Object.entries(block)) {
      if (!keyHolds(operator, ctx.keys.get(key.toLowerCase()), values, ctx)) return false;
    }
  }
  return true;
}

/**
 * One key of one operator (reference_policies_elements_condition_operators and
 * reference_policies_condition-single-vs-multi-valued-context-keys): a key absent from the
 * request fails a positive operator and satisfies a negated one; `…IfExists` is satisfied by
 * an absent key; `ForAllValues:` holds for an absent key (every one of no values matches),
 * `ForAnyValue:` does not. A multivalued key needs a set operator.
 */
function keyHolds(operator: ParsedOperator, entry: ContextEntry | undefined, values: string[], ctx: Context): boolean {
  if (operator.base === 'Null') {
    const absent = entry === undefined;
    return values.some((v) => v.toLowerCase() === String(absent));
  }
  const negated = NEGATED.has(operator.base);
  if (!entry) {
    if (operator.set === 'ForAllValues') return true;
    if (operator.set === 'ForAnyValue') return false;
    return operator.ifExists || negated;
  }
  if (operator.set === 'ForAnyValue') return entry.values.some((v) => valueHolds(operator.base, v, values, ctx));
  if (operator.set === 'ForAllValues') return entry.values.every((v) => valueHolds(operator.base, v, values, ctx));
  if (entry.multi) return false;
  return valueHolds(operator.base, entry.values[0]!, values, ctx);
}

/**
 * One request value against the policy's values: any of them for a positive operator, none of
 * them for a negated one. A value whose variable has no value matches nothing, and a negated
 * operator cannot hold through it ("any attempt to match it fails", reference_policies_variables).
 */
function valueHolds(base: string, value: string, policyValues: string[], ctx: Context): boolean {
  const negated = NEGATED.has(base);
  const positive = negated ? positiveOf(base) : base;
  let any = false;
  let unresolved = false;
  for (const policyValue of policyValues) {
    const result = compare(positive, value, policyValue, ctx);
    if (result === undefined) unresolved = true;
    else if (result) any = true;
  }
  return negated ? !any && !unresolved : any;
}

function positiveOf(base: string): string {
  if (base === 'NotIpAddress') return 'IpAddress';
  return base.replace('Not', '');
}

/** One comparison; undefined when the policy value names a variable without a value. Variables are read by the string and ARN operators only. */
function compare(base: string, value: string, policyValue: string, ctx: Context): boolean | undefined {
  switch (base) {
    case 'StringEquals': {
      const text = resolvedText(policyValue, ctx);
      return text === undefined ? undefined : text === value;
    }
    case 'StringEqualsIgnoreCase': {
      const text = resolvedText(policyValue, ctx);
      return text === undefined ? undefined : text.toLowerCase() === value.toLowerCase();
    }
    case 'StringLike':
      return globWithVariablesMatches(policyValue, value, ctx, false);
    case 'ArnEquals':
    case 'ArnLike':
      return arnGlobMatches(policyValue, value, ctx);
    case 'NumericEquals':
    case 'NumericLessThan':
    case 'NumericLessThanEquals':
    case 'NumericGreaterThan':
    case 'NumericGreaterThanEquals':
      return ordered(base.slice('Numeric'.length), parseNumber(value), parseNumber(policyValue));
    case 'DateEquals':
    case 'DateLessThan':
    case 'DateLessThanEquals':
    case 'DateGreaterThan':
    case 'DateGreaterThanEquals':
      return ordered(base.slice('Date'.length), parseDateValue(value), parseDateValue(policyValue));
    case 'Bool':
      return value.toLowerCase() === policyValue.toLowerCase();
    case 'BinaryEquals':
      return value === policyValue;
    case 'IpAddress':
      return ipInCidr(value, policyValue);
    default:
      return false;
  }
}

function parseNumber(text: string): number | undefined {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text.trim())) return undefined;
  return Number(text);
}

function ordered(relation: string, left: number | undefined, right: number | undefined): boolean {
  if (left === undefined || right === undefined) return false;
  switch (relation) {
    case 'Equals':
      return left === right;
    case 'LessThan':
      return left < right;
    case 'LessThanEquals':
      return left <= right;
    case 'GreaterThan':
      return left > right;
    case 'GreaterThanEquals':
      return left >= right;
    default:
      return false;
  }
}

/** An address as a number and its width in bits (IPv4 32, IPv6 128); undefined when it is not one. */
function parseIp(text: string): { value: bigint; bits: number } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const octets = text.split('.').map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    return { value: octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n), bits: 32 };
  }
  if (!text.includes(':')) return undefined;
  let head = text;
  let tailV4: bigint[] = [];
  const v4 = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4) {
    const parsed = parseIp(v4[2]!);
    if (!parsed) return undefined;
    head = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
    tailV4 = [parsed.value >> 16n, parsed.value & 0xffffn];
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const group = (s: string) => (s === '' ? [] : s.split(':'));
  const left = group(halves[0]!);
  const right = halves.length === 2 ? group(halves[1]!) : [];
  if ([...left, ...right].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const fill = 8 - left.length - right.length - tailV4.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const groups = [...left.map((g) => BigInt(`0x${g}`)), ...Array<bigint>(fill).fill(0n), ...right.map((g) => BigInt(`0x${g}`)), ...tailV4];
  return { value: groups.reduce((acc, g) => (acc << 16n) | g, 0n), bits: 128 };
}

function ipInCidr(address: string, cidr: string): boolean {
  const [base, prefixText] = cidr.split('/');
  const ip = parseIp(address);
  const net = parseIp(base ?? '');
  if (!ip || !net || ip.bits !== net.bits) return false;
  const prefix = prefixText === undefined ? net.bits : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > net.bits) return false;
  const shift = BigInt(net.bits - prefix);
  return ip.value >> shift === net.value >> shift;
}
