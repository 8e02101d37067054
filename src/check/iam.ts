/**
 * What the IAM checks (lessons 10 and 11) share: the actions a pull and a push need, ARNs, and
 * the questions they ask IAM: does a user exist, which policies does it hold, what does the
 * policy simulator say. Every question goes to the real IAM API (the sandbox's, or AWS's), so a
 * check reads the same on both targets.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { partitionOf } from '../aws/regions.js';
import { LOGIN_ACTION } from '../aws/iam-policy.js';
import { editDistance } from '../util/edit-distance.js';
import { classifyAwsError } from './aws-errors.js';
import { resultForError } from './common.js';
import { iamDiagnoses, storeNewKeyCommand, type PolicyPlace } from './diagnoses.js';
import { fail, pass, type CheckContext, type CheckResult } from './types.js';

export { LOGIN_ACTION };

/**
 * What `docker pull` needs on the repository, besides the login (ECR User Guide, "Required IAM
 * permissions for pulling"): the manifest and the layers.
 */
export const PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] as const;

/**
 * Whether layers exist (a blob HEAD): what docker asks before it uploads, and some clients before
 * they download. AmazonEC2ContainerRegistryReadOnly allows it, PullOnly does not; a pull-only
 * identity may have it or not, so the checks show it and require nothing of it.
 */
export const LAYER_CHECK_ACTION = 'ecr:BatchCheckLayerAvailability';

/** What `docker push` adds (ECR User Guide, "Required IAM permissions for pushing"). */
export const PUSH_ACTIONS = ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'] as const;

/** The AWS managed policy lesson 10 attaches, and the broader ones it must not be. */
export const READ_ONLY_POLICY = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly';

/** The course repository's ARN, in the lesson's region and the learner's account. */
export function repositoryArn(ctx: Pick<CheckContext, 'region' | 'accountId' | 'repositoryName'>): string {
  return `arn:${partitionOf(ctx.region)}:ecr:${ctx.region}:${ctx.accountId}:repository/${ctx.repositoryName}`;
}

/** An IAM user's ARN (path `/`, as the lessons create them). */
export function userArn(region: string, accountId: string, userName: string): string {
  return `arn:${partitionOf(region)}:iam::${accountId}:user/${userName}`;
}

/** The user name in a user ARN, whatever its path (`arn:aws:iam::1:user/ci/ci-reader` → `ci-reader`). */
export function userNameOf(arn: string | undefined): string | undefined {
  return arn ? /:user\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1] : undefined;
}

/** The account in an ARN (`arn:aws:iam::111122223333:root` → `111122223333`). */
export function accountOf(arn: string): string | undefined {
  return /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1];
}

/** The principal an AccessDenied message names: `User: <arn> is not authorized…`. */
export function deniedPrincipal(message: string): string | undefined {
  return /User: (\S+) is not authorized/.exec(message)?.[1];
}

export interface IamUserView {
  userName: string;
  arn: string;
  tags: Record<string, string>;
}

/** The user, or undefined when IAM says NoSuchEntity. Other errors throw. */
export async function findUser(iam: IAMClient, userName: string): Promise<IamUserView | undefined> {
  const { GetUserCommand, ListUserTagsCommand } = await import('@aws-sdk/client-iam');
  try {
    const { User } = await iam.send(new GetUserCommand({ UserName: userName }));
    // GetUser carries tags on AWS, but only ListUserTags is documented to list them all.
    const { Tags } = await iam.send(new ListUserTagsCommand({ UserName: userName }));
    return { userName: User?.UserName ?? userName, arn: User?.Arn ?? '', tags: Object.fromEntries((Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])) };
  } catch (error) {
    if (isNoSuchEntity(error)) return undefined;
    throw error;
  }
}

/** A policy a user holds: attached (managed, AWS's or the account's) or inline, with its document. */
export interface HeldPolicy {
  kind: 'attached' | 'inline';
  /** The policy's name (`AmazonEC2ContainerRegistryReadOnly`, or the inline policy's name). */
  name: string;
  /** Attached policies only. */
  arn?: string;
  /** The document, parsed; undefined for AWS managed policies (their documents are AWS's). */
  document?: PolicyJson;
}

/** A policy document as JSON, loosely typed: the checks read it, never enforce it. */
export interface PolicyJson {
  Statement?: StatementJson | StatementJson[];
}

export interface StatementJson {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: unknown;
}

/** Statements as a list, whichever way the document wrote them. */
export function statementsOf(document: PolicyJson | undefined): StatementJson[] {
  const statement = document?.Statement;
  if (!statement) return [];
  return Array.isArray(statement) ? statement : [statement];
}

/** A string or a list of them, as a list. */
export const listOf = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** IAM returns policy documents URL-encoded (RFC 3986); the SDK hands them on as they came. */
export function parsePolicyDocument(text: string | undefined): PolicyJson | undefined {
  if (!text) return undefined;
  for (const candidate of [text, safeDecode(text)]) {
    try {
      return JSON.parse(candidate) as PolicyJson;
    } catch {
      /* try the next */
    }
  }
  return undefined;
}

/** A policy document's JSON text as IAM answered it, decoded when IAM URL-encoded it. */
export function policyDocumentText(text: string | undefined): string {
  if (!text) return '';
  return text.trimStart().startsWith('{') ? text : safeDecode(text);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Every policy a user holds, with the documents of its inline and customer managed policies. */
export async function userPolicies(iam: IAMClient, userName: string): Promise<HeldPolicy[]> {
  const { ListAttachedUserPoliciesCommand, ListUserPoliciesCommand, GetUserPolicyCommand, GetPolicyCommand, GetPolicyVersionCommand } = await import('@aws-sdk/client-iam');
  const [attached, inline] = await Promise.all([
    iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName })),
    iam.send(new ListUserPoliciesCommand({ UserName: userName })),
  ]);
  const held: HeldPolicy[] = [];
  for (const policy of attached.AttachedPolicies ?? []) {
    const arn = policy.PolicyArn ?? '';
    let document: PolicyJson | undefined;
    if (!arn.includes(':aws:policy/')) {
      // A customer managed policy: its default version's document.
      const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
      const { PolicyVersion } = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: Policy?.DefaultVersionId }));
      document = parsePolicyDocument(PolicyVersion?.Document);
    }
    held.push({ kind: 'attached', name: policy.PolicyName ?? arn, arn, ...(document ? { document } : {}) });
  }
  for (const name of inline.PolicyNames ?? []) {
    const { PolicyDocument } = await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: name }));
    held.push({ kind: 'inline', name, document: parsePolicyDocument(PolicyDocument) });
  }
  return held;
}

/** One action's answer from the policy simulator. */
export interface SimulatedAction {
  action: string;
  resource: string;
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  /** The policies whose statements decided (SourcePolicyId: a managed policy's or inline policy's name). */
  sources: string[];
}

/** SimulatePrincipalPolicy for a user: each action on each resource, as IAM's policy simulator answers. */
export async function simulateUser(iam: IAMClient, policySourceArn: string, actions: readonly string[], resources: readonly string[]): Promise<SimulatedAction[]> {
  const { SimulatePrincipalPolicyCommand } = await import('@aws-sdk/client-iam');
  const results: SimulatedAction[] = [];
  let marker: string | undefined;
  do {
    const out = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: policySourceArn, ActionNames: [...actions], ResourceArns: [...resources], Marker: marker }));
    results.push(...(out.EvaluationResults ?? []).map(simulated));
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return results;
}

/** SimulateCustomPolicy: the given identity policies and a resource policy, as a caller in another account. */
export async function simulateCustom(
  iam: IAMClient,
  input: { identityPolicies: string[]; resourcePolicy: string; callerArn: string; resourceOwner: string; actions: readonly string[]; resources: readonly string[] },
): Promise<SimulatedAction[]> {
  const { SimulateCustomPolicyCommand } = await import('@aws-sdk/client-iam');
  const caller = accountOf(input.callerArn) ?? '';
  // Given, not derived: AWS's simulator knows a key's value only when it is passed in.
  const contextEntries = [
    { ContextKeyName: 'aws:PrincipalAccount', ContextKeyValues: [caller], ContextKeyType: 'string' as const },
    { ContextKeyName: 'aws:PrincipalArn', ContextKeyValues: [input.callerArn], ContextKeyType: 'string' as const },
  ];
  const results: SimulatedAction[] = [];
  let marker: string | undefined;
  do {
    const out = await iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: input.identityPolicies,
        ResourcePolicy: input.resourcePolicy,
        CallerArn: input.callerArn,
        ResourceOwner: input.resourceOwner,
        ActionNames: [...input.actions],
        ResourceArns: [...input.resources],
        ContextEntries: contextEntries,
        Marker: marker,
      }),
    );
    results.push(...(out.EvaluationResults ?? []).map(simulated));
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return results;
}

function simulated(result: { EvalActionName?: string; EvalResourceName?: string; EvalDecision?: string; MatchedStatements?: Array<{ SourcePolicyId?: string }> }): SimulatedAction {
  const decision = result.EvalDecision === 'allowed' || result.EvalDecision === 'explicitDeny' ? result.EvalDecision : 'implicitDeny';
  return {
    action: result.EvalActionName ?? '',
    resource: result.EvalResourceName ?? '',
    decision,
    sources: [...new Set((result.MatchedStatements ?? []).map((m) => m.SourcePolicyId ?? '').filter(Boolean))],
  };
}

/** One evidence line per simulated action: `ecr:PutImage on arn:…: implicitDeny`. */
export function simulationEvidence(results: SimulatedAction[]): string[] {
  return results.map((r) => `${r.action} on ${r.resource}: ${r.decision}${r.sources.length ? ` (${r.sources.join(', ')})` : ''}`);
}

/** Whether IAM named an entity that does not exist (the SDK's and the query protocol's names). */
export function isNoSuchEntity(error: unknown): boolean {
  const name = (error as Error)?.name;
  return name === 'NoSuchEntityException' || name === 'NoSuchEntity';
}

/**
 * Deletes an IAM user as IAM requires it: its access keys, attached and inline policies first
 * (DeleteUser refuses a user that holds any). False when there was no such user.
 */
export async function deleteIamUser(client: IAMClient, UserName: string): Promise<boolean> {
  const iam = await import('@aws-sdk/client-iam');
  try {
    const { AccessKeyMetadata } = await client.send(new iam.ListAccessKeysCommand({ UserName }));
    for (const key of AccessKeyMetadata ?? []) await client.send(new iam.DeleteAccessKeyCommand({ UserName, AccessKeyId: key.AccessKeyId }));
    const { AttachedPolicies } = await client.send(new iam.ListAttachedUserPoliciesCommand({ UserName, MaxItems: 1000 }));
    for (const policy of AttachedPolicies ?? []) await client.send(new iam.DetachUserPolicyCommand({ UserName, PolicyArn: policy.PolicyArn }));
    const { PolicyNames } = await client.send(new iam.ListUserPoliciesCommand({ UserName, MaxItems: 1000 }));
    for (const PolicyName of PolicyNames ?? []) await client.send(new iam.DeleteUserPolicyCommand({ UserName, PolicyName }));
    await client.send(new iam.DeleteUserCommand({ UserName }));
    return true;
  } catch (error) {
    if (isNoSuchEntity(error)) return false;
    throw error;
  }
}

/** Whether an ARN pattern from a policy (`*` and `?` wildcards, as IAM reads Resource) matches `arn`. */
export function arnMatches(pattern: string, arn: string): boolean {
  const regex = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
  return regex.test(arn);
}

const ECR_REPOSITORY_ARN = /^arn:([^:]+):ecr:([^:]*):([^:]*):repository\/(.+)$/;

/** A statement's Resource that aims at the course repository but names another region or account. */
export interface MisplacedArn {
  policy: HeldPolicy;
  found: string;
  want: string;
  problem: 'region' | 'account';
  /** The policy's document with that ARN put right, as IAM takes it again. */
  corrected: string;
}

/**
 * The first ECR repository ARN in the user's Allow statements whose repository part matches the
 * course's repository while its region or account does not: the statement then grants nothing on
 * it (a copied example's account, a default region).
 */
export function misplacedRepositoryArn(held: HeldPolicy[], ctx: Pick<CheckContext, 'region' | 'accountId' | 'repositoryName'>): MisplacedArn | undefined {
  const want = repositoryArn(ctx);
  for (const policy of held) {
    for (const statement of statementsOf(policy.document)) {
      if (statement.Effect !== 'Allow') continue;
      for (const found of listOf(statement.Resource)) {
        const m = ECR_REPOSITORY_ARN.exec(found);
        if (!m || arnMatches(found, want) || !arnMatches(`repository/${m[4]}`, `repository/${ctx.repositoryName}`)) continue;
        const [, partition, region, account, name] = m as unknown as [string, string, string, string, string];
        const problem = !arnMatches(region, ctx.region) ? 'region' : !arnMatches(account, ctx.accountId) ? 'account' : undefined;
        if (!problem) continue;
        const fixed = `arn:${partition}:ecr:${ctx.region}:${ctx.accountId}:repository/${name}`;
        const corrected = JSON.stringify(policy.document, (key, value: unknown) => (value === found ? fixed : value));
        return { policy, found, want, problem, corrected };
      }
    }
  }
  return undefined;
}

/** The read-only and pull-only managed policies: what "the policy went to the wrong user" means. */
const PULL_POLICIES = [READ_ONLY_POLICY, 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly'];

/**
 * Another user who holds the read-only policy meant for `user`: the learner's own user, or one
 * whose name is close to it (`ci-readers`, `ci_reader`). Users with unrelated names are never
 * suspected, so a real account's other CI users are left out of it. Listing users may be denied
 * (a least-privilege learner): then only the learner's own user is looked at.
 */
export async function policyOnOtherUser(iam: IAMClient, user: string, self: string | undefined): Promise<{ other: string; policy: PolicyPlace } | undefined> {
  const { ListUsersCommand, ListAttachedUserPoliciesCommand } = await import('@aws-sdk/client-iam');
  const names = new Set<string>(self && self.toLowerCase() !== user.toLowerCase() ? [self] : []);
  try {
    const { Users } = await iam.send(new ListUsersCommand({ MaxItems: 100 }));
    for (const u of Users ?? []) {
      const name = u.UserName ?? '';
      const close = editDistance(name.toLowerCase(), user.toLowerCase()) <= 3 || name.toLowerCase().includes(user.toLowerCase());
      if (close && name.toLowerCase() !== user.toLowerCase()) names.add(name);
    }
  } catch (error) {
    if (classifyAwsError(error) !== 'access-denied') throw error;
  }
  for (const name of [...names].slice(0, 20)) {
    try {
      const { AttachedPolicies } = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: name }));
      const found = (AttachedPolicies ?? []).find((p) => PULL_POLICIES.includes(p.PolicyArn ?? ''));
      if (found) return { other: name, policy: { kind: 'attached', name: found.PolicyName ?? '', arn: found.PolicyArn ?? '' } };
    } catch (error) {
      if (classifyAwsError(error) !== 'access-denied' && !isNoSuchEntity(error)) throw error;
    }
  }
  return undefined;
}

/** What a profile check expects: who the profile signs in as, and the command that sets it up. */
export interface ProfileExpectation {
  profile: string;
  /** An IAM user name (lesson 10's CI user). */
  user?: string;
  /** The account (default: the learner's). */
  account?: string;
  /** The command that puts the right credentials in the profile (shown as the fix), worked out when needed. */
  setup: string | (() => Promise<string>);
}

/** Who a profile signs in as (STS GetCallerIdentity), or the failed result that says why it cannot. */
export async function profileCaller(ctx: CheckContext, profile: string, setup: ProfileExpectation['setup']): Promise<{ who: { Account?: string; Arn?: string } } | { result: CheckResult }> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  try {
    return { who: await (await ctx.asProfile(profile).sts()).send(new GetCallerIdentityCommand({})) };
  } catch (error) {
    const problem = classifyAwsError(error);
    if (problem === 'no-credentials') return { result: fail(`no credentials in the profile '${profile}'`, iamDiagnoses.profileMissing(profile, await setupOf(setup))) };
    if (problem === 'invalid-credentials') return { result: fail(`AWS refused the profile '${profile}'`, iamDiagnoses.profileKeyInvalid(profile, (error as Error).message, await setupOf(setup))) };
    return { result: resultForError(error, 'STS', ctx) };
  }
}

/**
 * STS GetCallerIdentity as the profile: it works, and signs in to the account (and as the user)
 * expected. GetCallerIdentity needs no permission, so this answers for any identity.
 */
export async function checkProfile(ctx: CheckContext, want: ProfileExpectation): Promise<CheckResult> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const caller = await profileCaller(ctx, want.profile, want.setup);
  if ('result' in caller) return caller.result;
  const { who } = caller;
  const evidence = [`aws sts get-caller-identity --profile ${want.profile}: ${who.Arn}`];
  const account = want.account ?? ctx.accountId;
  if (!/^\d{12}$/.test(account)) {
    const found = who.Account && who.Account !== ctx.accountId ? who.Account : undefined;
    return fail('no second account named yet', iamDiagnoses.partnerAccountUnset(found), evidence);
  }
  if (who.Account !== account) {
    if (want.account && who.Account === ctx.accountId) return fail(`'${want.profile}' is your own account`, iamDiagnoses.partnerProfileSameAccount(want.profile, ctx.accountId, await setupOf(want.setup)), evidence);
    return fail(`'${want.profile}' signs in to account ${who.Account}`, iamDiagnoses.profileOtherAccount(want.profile, who.Account ?? '?', account, await setupOf(want.setup)), evidence);
  }
  if (want.user && (userNameOf(who.Arn)?.toLowerCase() !== want.user.toLowerCase() || !/:user\//.test(who.Arn ?? ''))) {
    let mine: string | undefined;
    try {
      mine = (await (await ctx.sts()).send(new GetCallerIdentityCommand({}))).Arn;
    } catch {
      mine = undefined; // the learner's own profile is lesson 02's business
    }
    if (mine && mine === who.Arn) return fail(`'${want.profile}' holds your own keys`, iamDiagnoses.profileHoldsAdminKeys(want.profile, who.Arn ?? '', want.user, await setupOf(want.setup)), evidence);
    return fail(`'${want.profile}' signs in as another identity`, iamDiagnoses.profileOtherUser(want.profile, who.Arn ?? '', want.user, await setupOf(want.setup)), evidence);
  }
  return pass(`the profile '${want.profile}' signs in as ${who.Arn}`, evidence);
}

const setupOf = async (setup: ProfileExpectation['setup']): Promise<string> => (typeof setup === 'string' ? setup : setup());

/**
 * The command that gives `user` a new key in `profile`, asked of the account `iam` signs in to
 * (with `adminProfile`): when the user already has its two keys, the oldest goes first.
 */
export function newKeySetup(ctx: CheckContext, iam: () => Promise<IAMClient>, user: string, profile: string, adminProfile: string = ctx.profile): () => Promise<string> {
  return async () => {
    const { ListAccessKeysCommand } = await import('@aws-sdk/client-iam');
    let oldest: string | undefined;
    try {
      const keys = (await (await iam()).send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ?? [];
      if (keys.length >= 2) oldest = [...keys].sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0))[0]?.AccessKeyId;
    } catch {
      oldest = undefined; // not allowed to look, or no such user: the plain command says the rest
    }
    return storeNewKeyCommand(ctx, user, profile, adminProfile, oldest);
  };
}

/** The command that puts the second account's credentials in `profile`: the sandbox prints them; on AWS, `aws configure`. */
export function partnerProfileSetup(ctx: CheckContext, profile: string): string {
  return ctx.sandboxControl ? `eval "$(ecr-workbook sandbox env --account second --aws-profile ${profile})"` : `aws configure --profile ${profile}`;
}
