/**
 * IAM policy documents: parsed and validated as IAM validates them, for the three kinds the
 * sandbox stores (identity policies on users and roles, repository policies, role trust
 * policies), and normalized to one shape (every list an array) for the evaluator.
 *
 * The checks run in IAM's own order, and each failure is IAM's MalformedPolicyDocument with
 * IAM's wording. Sources of the wording, per message, are in POLICY_ERRORS below; the order
 * and the shape checks follow moto's `moto/iam/policy_validation.py` and LocalStack's copy of it
 * (both written against real IAM answers), with the principal rules from the IAM User Guide
 * (`reference_policies_elements_principal`, `…_notprincipal`).
 */

export type PolicyKind = 'identity' | 'resource' | 'trust';
export type PrincipalValue =
  | '*'
  | { AWS?: string | string[]; Service?: string | string[]; Federated?: string | string[]; CanonicalUser?: string | string[] };
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: PrincipalValue;
  NotPrincipal?: PrincipalValue;
  /** Normalized to arrays (as are NotAction, Resource, NotResource and the principal lists). */
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  /** operator → key → values, every value a string ("true", "42") as IAM compares them. */
  Condition?: Record<string, Record<string, string[]>>;
}
/** A parsed policy: Statement is always an array. */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: Statement[];
}

/** IAM's MalformedPolicyDocument (code + IAM's own wording), thrown by parsePolicy. */
export class PolicyError extends Error {
  readonly code = 'MalformedPolicyDocument' as const;
  constructor(message: string) {
    super(message);
    this.name = 'MalformedPolicyDocument';
  }
}

/**
 * Every MalformedPolicyDocument message, with where its wording comes from. "real" means a
 * capture of IAM's answer (CloudTrail records, error reports); "moto" means moto's validator,
 * whose messages were taken from IAM's answers.
 */
export const POLICY_ERRORS = {
  // moto; the generic answer to anything that is not policy-shaped JSON.
  syntax: () => 'Syntax errors in policy.',
  // real (CreatePolicy without Version, reported by learners); moto.
  version: () => 'Policy document must be version 2012-10-17 or greater.',
  // moto (Effect in the wrong case, unparseable dates, ARNs with too few segments).
  legacy: () => 'The policy failed legacy parsing',
  // moto.
  duplicateSid: () => 'Statement IDs (SID) in a single policy must be unique.',
  // real (CloudTrail record of a CreatePolicy with "Sid": "Atomic_Red_Team").
  sidNotAlphanumeric: () => 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  // moto.
  noActions: () => 'Policy statement must contain actions.',
  // moto; identity policies only (resource and trust policies name the resource by where they live).
  noResources: () => 'Policy statement must contain resources.',
  // real (PutUserPolicy / CreatePolicy with a Principal, reported by users and emulators alike).
  principalInIdentityPolicy: () => 'Policy document should not specify a principal.',
  // real (S3 PutBucketPolicy and Kinesis answers); IAM's CreateRole without a Principal is not
  // captured publicly, so the trust policy says the same.
  missingPrincipal: () => 'Missing required field Principal',
  // real (CreateRole with a Resource in the trust policy: "Has prohibited field Resource").
  // NotPrincipal in a trust policy is forbidden by the NotPrincipal page; its message follows this one.
  prohibitedField: (field: string) => `Has prohibited field ${field}`,
  // real (CreateRole / UpdateAssumeRolePolicy naming a wildcard or an entity that does not exist).
  invalidPrincipal: (type: string, value: string) => `Invalid principal in policy: "${type}":"${value}"`,
  // LocalStack's trust validator (the two spaces before "and" are in its copy of IAM's text).
  trustAction: () =>
    'Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity',
  // moto.
  noVendor: () => 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  // moto.
  oneColon: () => 'Actions/Condition can contain only one colon.',
  // moto.
  badVendor: (vendor: string) => `Vendor ${vendor} is not valid`,
  // real (CloudTrail record of a CreatePolicy with a registry URI as Resource); moto.
  resourceNotArn: (resource: string) => `Resource ${resource} must be in ARN format or "*".`,
  // moto.
  badPartition: (partition: string, rest: string) => `Partition "${partition}" is not valid for resource "arn:${partition}:${rest}".`,
  // moto.
  resourceVendor: () => 'Resource vendor must be fully qualified and cannot contain regexes.',
  // moto.
  iamRegion: (resource: string) => `IAM resource ${resource} cannot contain region information.`,
  // LocalStack's copy of moto's message (it added "root", which IAM accepts).
  iamPath: (prefixes: string) => `IAM resource path must either be "*", root, or start with ${prefixes}.`,
} as const;

/** The condition operators IAM knows (reference_policies_elements_condition_operators). */
export const CONDITION_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
] as const;
export type ConditionOperatorName = (typeof CONDITION_OPERATORS)[number];
const OPERATOR_SET: ReadonlySet<string> = new Set(CONDITION_OPERATORS);

/** An operator name split into its set prefix, base operator and IfExists suffix. */
export interface ParsedOperator {
  set?: 'ForAnyValue' | 'ForAllValues';
  base: ConditionOperatorName;
  ifExists: boolean;
}

/** Splits `ForAnyValue:StringLikeIfExists` into its parts; undefined for an operator IAM does not know. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let set: ParsedOperator['set'];
  for (const prefix of ['ForAnyValue', 'ForAllValues'] as const) {
    if (rest.startsWith(`${prefix}:`)) {
      set = prefix;
      rest = rest.slice(prefix.length + 1);
      break;
    }
  }
  let ifExists = false;
  // "Null" has no IfExists form: a NullIfExists operator is one IAM does not know.
  if (rest.endsWith('IfExists') && rest !== 'IfExists') {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  if (!OPERATOR_SET.has(rest) || (ifExists && rest === 'Null')) return undefined;
  return { ...(set ? { set } : {}), base: rest as ConditionOperatorName, ifExists };
}

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const TOP_LEVEL_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
// IAM's trust policies take only STS's own actions (LocalStack's list, from the STS action table).
const TRUST_ACTIONS = new Set(
  [
    'sts:AssumeRole',
    'sts:AssumeRoleWithSAML',
    'sts:AssumeRoleWithWebIdentity',
    'sts:DecodeAuthorizationMessage',
    'sts:GetAccessKeyInfo',
    'sts:GetCallerIdentity',
    'sts:GetFederationToken',
    'sts:GetServiceBearerToken',
    'sts:GetSessionToken',
    'sts:SetSourceIdentity',
    'sts:TagSession',
  ].map((a) => a.toLowerCase()),
);
const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc', '*']);
const IAM_RESOURCE_PREFIXES = [
  'user/',
  'federated-user/',
  'role/',
  'group/',
  'instance-profile/',
  'mfa/',
  'server-certificate/',
  'policy/',
  'sms-mfa/',
  'saml-provider/',
  'oidc-provider/',
  'report/',
  'access-report/',
];

/** Upper bounds that keep a hostile document cheap to reject (IAM's own size quotas are far smaller). */
export const POLICY_LIMITS = {
  /** Characters in the document text. */
  maxLength: 131_072,
  /** Nesting of objects and arrays; a well-formed policy needs 5. */
  maxDepth: 32,
} as const;

/** What parsePolicy may be told beyond the text and its kind. */
export interface ParseOptions {
  /**
   * IAM resolves every AWS principal of a trust policy to the entity it names when the policy is
   * saved, and refuses one that does not exist. Give this to check that (account principals and
   * `*` are not asked about).
   */
  principalExists?: (arn: string) => boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject => value !== null && typeof value === 'object' && !Array.isArray(value);
const has = (object: JsonObject, key: string) => Object.prototype.hasOwnProperty.call(object, key);
const fail = (message: string): never => {
  throw new PolicyError(message);
};

/** Parses and validates `text` as IAM does for the kind (identity policies may not have Principal; resource/trust policies must). */
export function parsePolicy(text: string, kind: PolicyKind, options: ParseOptions = {}): PolicyDocument {
  const raw = parseJson(text);
  const statements = checkSyntax(raw);
  checkVersion(raw, kind);
  checkLegacy(statements);
  checkPrincipalPlacement(statements, kind);
  checkSids(statements, kind);
  if (statements.some((s) => isMissingOrEmpty(s.Action ?? s.NotAction))) fail(POLICY_ERRORS.noActions());
  if (kind === 'identity' && statements.some((s) => isMissingOrEmpty(s.Resource ?? s.NotResource))) fail(POLICY_ERRORS.noResources());
  checkResourceFormats(statements);
  checkActionFormats(statements);
  if (kind === 'trust') checkTrustActions(statements);
  checkPrincipals(statements, options);
  return normalize(raw, statements);
}

/** The document as compact JSON in IAM's element order, for storing or echoing a parsed policy. */
export function canonicalPolicyText(document: PolicyDocument): string {
  const order: Array<keyof Statement> = ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'];
  const statements = document.Statement.map((statement) => {
    const out: Record<string, unknown> = {};
    for (const key of order) if (statement[key] !== undefined) out[key] = statement[key];
    return out;
  });
  return JSON.stringify({
    ...(document.Version !== undefined ? { Version: document.Version } : {}),
    ...(document.Id !== undefined ? { Id: document.Id } : {}),
    Statement: statements,
  });
}

/** A policy's size as IAM's quotas count it: every character except white space outside strings. */
export function policySize(text: string): number {
  let size = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      size++;
      if (c === '\\') {
        size++;
        i++;
      } else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      size++;
    } else if (c !== ' ' && c !== '\n' && c !== '\r' && c !== '\t') size++;
  }
  return size;
}

function parseJson(text: string): Json {
  if (typeof text !== 'string' || text.length > POLICY_LIMITS.maxLength || nestingDepth(text) > POLICY_LIMITS.maxDepth) {
    fail(POLICY_ERRORS.syntax());
  }
  try {
    return JSON.parse(text) as Json;
  } catch {
    return fail(POLICY_ERRORS.syntax());
  }
}

/** How deeply objects and arrays nest in `text`, read without parsing (so no depth can overflow a stack). */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

const isStringOrStrings = (value: Json | undefined) =>
  typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
const isMissingOrEmpty = (value: Json | undefined) => value === undefined || (Array.isArray(value) && value.length === 0);
const asList = (value: Json | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? (value as string[]) : [value as string]);

/** IAM's "Syntax errors in policy.": the document's shape, element names and value types. */
function checkSyntax(raw: Json): JsonObject[] {
  if (!isObject(raw)) return fail(POLICY_ERRORS.syntax());
  if (Object.keys(raw).some((key) => !TOP_LEVEL_KEYS.has(key))) fail(POLICY_ERRORS.syntax());
  if (has(raw, 'Version') && !(typeof raw.Version === 'string' && VERSIONS.has(raw.Version))) fail(POLICY_ERRORS.syntax());
  if (has(raw, 'Id') && typeof raw.Id !== 'string') fail(POLICY_ERRORS.syntax());
  const statement = raw.Statement;
  const statements = Array.isArray(statement) ? statement : isObject(statement) ? [statement] : fail(POLICY_ERRORS.syntax());
  if (statements.length === 0) fail(POLICY_ERRORS.syntax());
  for (const s of statements) {
    if (!isObject(s)) return fail(POLICY_ERRORS.syntax());
    if (Object.keys(s).some((key) => !STATEMENT_KEYS.has(key))) fail(POLICY_ERRORS.syntax());
    if ((has(s, 'Action') && has(s, 'NotAction')) || (has(s, 'Resource') && has(s, 'NotResource'))) fail(POLICY_ERRORS.syntax());
    if (has(s, 'Principal') && has(s, 'NotPrincipal')) fail(POLICY_ERRORS.syntax());
    // The case of Effect is checked later, by the "legacy parsing" stage.
    if (typeof s.Effect !== 'string' || !['allow', 'deny'].includes(s.Effect.toLowerCase())) fail(POLICY_ERRORS.syntax());
    for (const key of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
      if (has(s, key) && !isStringOrStrings(s[key])) fail(POLICY_ERRORS.syntax());
    }
    if (has(s, 'Sid') && typeof s.Sid !== 'string') fail(POLICY_ERRORS.syntax());
    for (const key of ['Principal', 'NotPrincipal'] as const) {
      if (has(s, key) && !principalShapeValid(s[key])) fail(POLICY_ERRORS.syntax());
    }
    if (has(s, 'Condition')) checkConditionSyntax(s.Condition);
  }
  return statements as JsonObject[];
}

function principalShapeValid(value: Json | undefined): boolean {
  if (value === '*') return true;
  if (!isObject(value) || Object.keys(value).length === 0) return false;
  return Object.entries(value).every(
    ([type, list]) => PRINCIPAL_TYPES.has(type) && isStringOrStrings(list) && asList(list).length > 0,
  );
}

const isConditionScalar = (value: Json) => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

function checkConditionSyntax(condition: Json | undefined): void {
  if (!isObject(condition)) return fail(POLICY_ERRORS.syntax());
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block)) return fail(POLICY_ERRORS.syntax());
    for (const values of Object.values(block)) {
      // IAM takes JSON booleans and numbers as well as strings ("Bool": {"aws:SecureTransport": false}).
      const ok = isConditionScalar(values) || (Array.isArray(values) && values.every(isConditionScalar));
      if (!ok) fail(POLICY_ERRORS.syntax());
    }
    // An operator IAM does not know is a syntax error unless its block is empty (moto, from IAM).
    if (!parseOperator(operator) && Object.keys(block).length > 0) fail(POLICY_ERRORS.syntax());
  }
}

/** Identity and trust policies must say 2012-10-17; repository policies may keep ECR's own 2008-10-17. */
function checkVersion(raw: Json, kind: PolicyKind): void {
  if (kind !== 'identity') return;
  if ((raw as JsonObject).Version !== '2012-10-17') fail(POLICY_ERRORS.version());
}

/** IAM's "legacy parsing" stage: Effect's exact case, date values, and ARNs with too few parts. */
function checkLegacy(statements: JsonObject[]): void {
  for (const s of statements) {
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') fail(POLICY_ERRORS.legacy());
    if (isObject(s.Condition)) {
      for (const [operator, block] of Object.entries(s.Condition)) {
        if (!parseOperator(operator)?.base.startsWith('Date')) continue;
        for (const values of Object.values(block as JsonObject)) {
          for (const value of Array.isArray(values) ? values : [values]) {
            if (parseDateValue(String(value)) === undefined) fail(POLICY_ERRORS.legacy());
          }
        }
      }
    }
    for (const resource of [...asList(s.Resource), ...asList(s.NotResource)]) {
      if (resource === '*' || !resource.includes(':')) continue;
      const parts = resource.split(':');
      if (resource.includes('::') && parts.length < 6) fail(POLICY_ERRORS.legacy());
      if (parts.length > 2 && parts[2] === '') fail(POLICY_ERRORS.legacy());
    }
  }
}

/**
 * A date as IAM's Date operators read it: ISO 8601 (a date, or a date and time with an optional
 * zone) or epoch seconds. Milliseconds since the epoch; undefined when it is neither.
 */
export function parseDateValue(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/i.exec(value);
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  if (+mo < 1 || +mo > 12 || +d < 1 || +d > 31 || +h > 23 || +mi > 59 || +s > 59) return undefined;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`}`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

function checkPrincipalPlacement(statements: JsonObject[], kind: PolicyKind): void {
  for (const s of statements) {
    const named = has(s, 'Principal') || has(s, 'NotPrincipal');
    if (kind === 'identity' && named) fail(POLICY_ERRORS.principalInIdentityPolicy());
    if (kind === 'identity') continue;
    if (kind === 'trust') {
      for (const field of ['Resource', 'NotResource', 'NotPrincipal']) if (has(s, field)) fail(POLICY_ERRORS.prohibitedField(field));
    }
    if (!named) fail(POLICY_ERRORS.missingPrincipal());
  }
}

function checkSids(statements: JsonObject[], kind: PolicyKind): void {
  const seen = new Set<string>();
  for (const s of statements) {
    const sid = s.Sid as string | undefined;
    if (!sid) continue;
    if (seen.has(sid)) fail(POLICY_ERRORS.duplicateSid());
    seen.add(sid);
  }
  // IAM's own policies (identity and trust) take only letters and digits; resource policies of
  // other services (ECR's "Sid": "AllowPull-2") are not held to that.
  if (kind !== 'resource' && statements.some((s) => typeof s.Sid === 'string' && !/^[0-9A-Za-z]*$/.test(s.Sid))) {
    fail(POLICY_ERRORS.sidNotAlphanumeric());
  }
}

function checkResourceFormats(statements: JsonObject[]): void {
  for (const s of statements) {
    for (const resource of [...asList(s.Resource), ...asList(s.NotResource)]) {
      const problem = resourceProblem(resource);
      if (problem) fail(problem);
    }
  }
}

/** What IAM says about a Resource that is not `*` or a well-formed ARN, or undefined when it is fine. */
function resourceProblem(resource: string): string | undefined {
  if (resource === '*') return undefined;
  if (!resource.includes(':')) return POLICY_ERRORS.resourceNotArn(resource);
  const parts = resource.split(':');
  const partition = parts[1] ?? '';
  if (!PARTITIONS.has(partition)) {
    // moto's reconstruction of the resource for the message: absent parts become "*".
    const rest = parts.length > 2 ? parts.slice(2) : [''];
    const service = rest[0] !== '' || rest.length > 1 ? rest[0]! : '*';
    const region = rest[1] ?? '*';
    const account = rest[2] ?? '*';
    const tail = rest.length > 3 ? rest.slice(3).join(':') : '*';
    return POLICY_ERRORS.badPartition(partition, `${service}:${region}:${account}:${tail}`);
  }
  if (parts.length < 3) return POLICY_ERRORS.resourceVendor();
  const service = parts[2]!;
  if (service === 'iam') {
    if ((parts[3] ?? '') !== '') return POLICY_ERRORS.iamRegion(resource);
    const path = parts.slice(5).join(':');
    if (parts.length >= 6 && path !== '*' && path !== 'root' && !IAM_RESOURCE_PREFIXES.some((p) => path.startsWith(p)) && !path.startsWith('*')) {
      return POLICY_ERRORS.iamPath(IAM_RESOURCE_PREFIXES.join(', '));
    }
  }
  return undefined;
}

function checkActionFormats(statements: JsonObject[]): void {
  for (const s of statements) {
    for (const action of [...asList(s.Action), ...asList(s.NotAction)]) {
      const parts = action.split(':');
      if (parts.length === 1 && action !== '*') fail(POLICY_ERRORS.noVendor());
      if (parts.length > 2) fail(POLICY_ERRORS.oneColon());
      if (parts[0] !== '*' && /[^a-zA-Z0-9\-.]/.test(parts[0]!)) fail(POLICY_ERRORS.badVendor(parts[0]!));
    }
    if (isObject(s.Condition)) {
      for (const block of Object.values(s.Condition)) {
        for (const key of Object.keys(block as JsonObject)) if (!key.includes(':')) fail(POLICY_ERRORS.noVendor());
      }
    }
  }
}

function checkTrustActions(statements: JsonObject[]): void {
  for (const s of statements) {
    for (const action of asList(s.Action)) if (!TRUST_ACTIONS.has(action.toLowerCase())) fail(POLICY_ERRORS.trustAction());
  }
}

const ACCOUNT_ID = /^\d{12}$/;
const UNIQUE_ID = /^A[A-Z0-9]{15,127}$/;
const AWS_PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam::\d{12}:(root|user\/[^*?]+|role\/[^*?]+)|sts::\d{12}:(assumed-role\/[^/*?]+\/[^*?]+|federated-user\/[^*?]+))$/;

/** Which AWS principal values IAM accepts: `*`, an account, a user, role, session or unique id. */
function checkPrincipals(statements: JsonObject[], options: ParseOptions): void {
  for (const s of statements) {
    for (const key of ['Principal', 'NotPrincipal'] as const) {
      const principal = s[key];
      if (!isObject(principal)) continue;
      for (const value of asList(principal.AWS)) {
        if (value === '*' || ACCOUNT_ID.test(value) || UNIQUE_ID.test(value)) continue;
        if (!AWS_PRINCIPAL_ARN.test(value)) fail(POLICY_ERRORS.invalidPrincipal('AWS', value));
        if (value.endsWith(':root')) continue;
        if (options.principalExists && !options.principalExists(value)) fail(POLICY_ERRORS.invalidPrincipal('AWS', value));
      }
      for (const value of asList(principal.Service)) {
        if (!/^[a-z0-9][a-z0-9.-]*$/.test(value)) fail(POLICY_ERRORS.invalidPrincipal('SERVICE', value));
      }
    }
  }
}

function normalize(raw: Json, statements: JsonObject[]): PolicyDocument {
  const doc = raw as JsonObject;
  return {
    ...(typeof doc.Version === 'string' ? { Version: doc.Version } : {}),
    ...(typeof doc.Id === 'string' ? { Id: doc.Id } : {}),
    Statement: statements.map((s) => {
      const out: Statement = { Effect: s.Effect as 'Allow' | 'Deny' };
      if (typeof s.Sid === 'string') out.Sid = s.Sid;
      for (const key of ['Principal', 'NotPrincipal'] as const) {
        const principal = s[key];
        if (principal === undefined) continue;
        out[key] =
          principal === '*'
            ? '*'
            : Object.fromEntries(Object.entries(principal as JsonObject).map(([type, list]) => [type, asList(list)]));
      }
      for (const key of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
        if (s[key] !== undefined) out[key] = [...asList(s[key])];
      }
      if (isObject(s.Condition)) {
        out.Condition = Object.fromEntries(
          Object.entries(s.Condition).map(([operator, block]) => [
            operator,
            Object.fromEntries(
              Object.entries(block as JsonObject).map(([key, values]) => [key, (Array.isArray(values) ? values : [values]).map(String)]),
            ),
          ]),
        );
      }
      return out;
    }),
  };
}
