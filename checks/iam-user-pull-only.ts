import { GetUserCommand } from '@aws-sdk/client-iam';
import { resultForError } from '../src/check/common.js';
import { iamDiagnoses } from '../src/check/diagnoses.js';
import {
  checkProfile,
  findUser,
  LAYER_CHECK_ACTION,
  LOGIN_ACTION,
  misplacedRepositoryArn,
  newKeySetup,
  partnerProfileSetup,
  policyOnOtherUser,
  profileCaller,
  PULL_ACTIONS,
  PUSH_ACTIONS,
  repositoryArn,
  simulateUser,
  simulationEvidence,
  userNameOf,
  userPolicies,
  type HeldPolicy,
  type SimulatedAction,
} from '../src/check/iam.js';
import { fail, pass, type Check, type CheckContext, type CheckResult } from '../src/check/types.js';

/**
 * Lessons 10 and 11: an IAM user may log in and pull the course's repository, and may not push,
 * as IAM's policy simulator (SimulatePrincipalPolicy) says from the user's own policies. With
 * `accountProfile` the user lives in the account that profile signs in to (lesson 11's second
 * account; the repository is then another account's, and only the user's own side is asked
 * about here). With `profile`, that profile must also hold the user's key.
 */
const check: Check = async (ctx, params) => {
  const userName = String(params.user);
  const accountProfile = typeof params.accountProfile === 'string' ? params.accountProfile : undefined;
  const keyProfile = typeof params.profile === 'string' ? params.profile : undefined;
  try {
    let account = ctx.accountId;
    if (accountProfile) {
      // The account the user lives in is the one its profile signs in to (lesson 11's first step checked which).
      const caller = await profileCaller(ctx, accountProfile, partnerProfileSetup(ctx, accountProfile));
      if ('result' in caller) return caller.result;
      account = caller.who.Account ?? account;
    }
    const iam = accountProfile ? await ctx.asProfile(accountProfile).iam() : await ctx.iam();
    const crossAccount = account !== ctx.accountId;
    const user = await findUser(iam, userName);
    if (!user) {
      if (!crossAccount) {
        const other = await policyOnOtherUser(iam, userName, await ownUserName(ctx));
        if (other) return fail(`no IAM user '${userName}'`, iamDiagnoses.policyOnWrongUser(ctx, userName, other.other, other.policy), [`GetUser ${userName}: NoSuchEntity`]);
      }
      return fail(`no IAM user '${userName}' in account ${account}`, iamDiagnoses.ciUserMissing(ctx, userName, accountProfile), [`GetUser ${userName}: NoSuchEntity`]);
    }
    const resource = repositoryArn(ctx);
    const results = [...(await simulateUser(iam, user.arn, [LOGIN_ACTION], ['*'])), ...(await simulateUser(iam, user.arn, [...PULL_ACTIONS, LAYER_CHECK_ACTION, ...PUSH_ACTIONS], [resource]))];
    const evidence = [`User: ${user.arn}`, ...simulationEvidence(results)];
    const allowed = (actions: readonly string[]) => results.filter((r) => actions.includes(r.action) && r.decision === 'allowed');
    const refused = (actions: readonly string[]) => results.filter((r) => actions.includes(r.action) && r.decision !== 'allowed');

    const pushes = allowed(PUSH_ACTIONS);
    if (pushes.length > 0) {
      const held = await userPolicies(iam, userName);
      const culprit = grantingPolicy(held, pushes);
      return fail(`${userName} can push`, iamDiagnoses.ciPolicyTooBroad(ctx, userName, culprit, pushes.map((r) => r.action)), evidence);
    }
    const pullsRefused = refused([LOGIN_ACTION, ...PULL_ACTIONS]);
    if (pullsRefused.length > 0) return await whyNoPull(ctx, { iam, userName, account, accountProfile, crossAccount, refusedActions: pullsRefused, resource, evidence });
    const verdict = pass(`${userName} can log in and pull ${ctx.repositoryName}, and cannot push`, evidence);
    if (!keyProfile) return verdict;
    const setup = newKeySetup(ctx, async () => iam, userName, keyProfile, accountProfile ?? ctx.profile);
    const profile = await checkProfile(ctx, { profile: keyProfile, user: userName, account, setup });
    return { ...profile, evidence: [...evidence, ...profile.evidence], ...(profile.status === 'pass' ? { summary: `${verdict.summary}; the profile '${keyProfile}' holds its key` } : {}) };
  } catch (error) {
    return resultForError(error, 'IAM', ctx);
  }
};
export default check;

/** The learner's own IAM user name, when the course's credentials are a user's. */
async function ownUserName(ctx: CheckContext): Promise<string | undefined> {
  try {
    return userNameOf((await (await ctx.iam()).send(new GetUserCommand({}))).User?.Arn);
  } catch {
    return undefined; // a role, or not allowed to ask: then only look-alike names are suspects
  }
}

/** The policy behind simulated actions: the one the simulator named, else the first the user holds. */
function grantingPolicy(held: HeldPolicy[], results: SimulatedAction[]): HeldPolicy {
  const named = new Set(results.flatMap((r) => r.sources));
  return held.find((p) => named.has(p.name)) ?? held[0] ?? { kind: 'attached', name: 'a policy' };
}

/** Why a user may not log in or pull: no policy at all, the wrong ARN, the other account's side, or which actions. */
async function whyNoPull(
  ctx: CheckContext,
  facts: {
    iam: Awaited<ReturnType<CheckContext['iam']>>;
    userName: string;
    account: string;
    accountProfile?: string;
    crossAccount: boolean;
    refusedActions: SimulatedAction[];
    resource: string;
    evidence: string[];
  },
): Promise<CheckResult> {
  const { iam, userName, evidence } = facts;
  const missing = facts.refusedActions.map((r) => r.action);
  const held = await userPolicies(iam, userName);
  evidence.push(`Policies of ${userName}: ${held.length ? held.map((p) => (p.kind === 'inline' ? `${p.name} (inline)` : p.name)).join(', ') : 'none'}`);
  const summary = `${userName} cannot ${missing.includes(LOGIN_ACTION) && missing.length === 1 ? 'log in' : 'pull'}`;
  // A Deny the user's own policies hold: the simulator names the policy its statement is in.
  const denied = facts.refusedActions.filter((r) => r.decision === 'explicitDeny');
  const deny = denied.length ? grantingPolicy(held, denied) : undefined;
  const cannotPull = () =>
    fail(summary, iamDiagnoses.ciCannotPull(ctx, userName, missing, facts.resource, { ...(facts.accountProfile ? { profile: facts.accountProfile } : {}), ...(deny ? { deny } : {}) }), evidence);
  if (facts.crossAccount) {
    if (!deny) return fail(summary, iamDiagnoses.partnerIdentityPolicyMissing(ctx, userName, facts.account, facts.accountProfile ?? '', missing), evidence);
    return cannotPull();
  }
  if (deny) return cannotPull();
  if (held.length === 0) {
    const other = await policyOnOtherUser(iam, userName, await ownUserName(ctx));
    if (other) return fail(summary, iamDiagnoses.policyOnWrongUser(ctx, userName, other.other, other.policy), evidence);
    return fail(summary, iamDiagnoses.ciNoPolicy(ctx, userName), evidence);
  }
  const misplaced = misplacedRepositoryArn(held, ctx);
  if (misplaced) {
    const diagnose = misplaced.problem === 'region' ? iamDiagnoses.policyArnOtherRegion : iamDiagnoses.policyArnOtherAccount;
    return fail(summary, diagnose(ctx, userName, misplaced.policy, misplaced.found, misplaced.want, misplaced.corrected), evidence);
  }
  if (missing.length === 1 && missing[0] === LOGIN_ACTION) return fail(summary, iamDiagnoses.ciCannotLogin(ctx, userName), evidence);
  return cannotPull();
}
