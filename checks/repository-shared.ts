import { GetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { partitionOf } from '../src/aws/regions.js';
import { findRepository, missingRepositoryResult, resultForError } from '../src/check/common.js';
import { iamDiagnoses } from '../src/check/diagnoses.js';
import {
  accountOf,
  LAYER_CHECK_ACTION,
  listOf,
  parsePolicyDocument,
  PULL_ACTIONS,
  PUSH_ACTIONS,
  repositoryArn,
  simulateCustom,
  simulationEvidence,
  statementsOf,
  type PolicyJson,
} from '../src/check/iam.js';
import { fail, pass, type Check, type CheckContext } from '../src/check/types.js';

/** What the other account's side is assumed to allow, so the simulation weighs the repository policy alone. */
const OTHER_SIDE_ALLOWS = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] });

/**
 * Lesson 11: the repository policy lets the second account (`account`) pull, and only pull.
 * Evaluated by IAM's policy simulator (SimulateCustomPolicy, the real IAM API on AWS) as a user
 * of that account, `user`, whose own side is taken to allow everything: this step is about
 * your side. The other side is the next step's, and the real pull proves both.
 */
const check: Check = async (ctx, params) => {
  const account = String(params.account);
  const user = String(params.user);
  const accountProfile = typeof params.accountProfile === 'string' ? params.accountProfile : undefined;
  try {
    if (!/^\d{12}$/.test(account)) return fail('no second account named yet', iamDiagnoses.partnerAccountUnset(await partnerAccountOf(ctx, accountProfile)));
    const client = await ctx.ecr();
    if (!(await findRepository(client, ctx.repositoryName))) return await missingRepositoryResult(ctx);
    let policyText: string;
    try {
      policyText = (await client.send(new GetRepositoryPolicyCommand({ repositoryName: ctx.repositoryName }))).policyText ?? '';
    } catch (error) {
      if ((error as Error).name !== 'RepositoryPolicyNotFoundException') throw error;
      return fail(`'${ctx.repositoryName}' has no repository policy`, iamDiagnoses.repositoryPolicyMissing(ctx, account), [`GetRepositoryPolicy: RepositoryPolicyNotFoundException`]);
    }
    const partition = partitionOf(ctx.region);
    const callerArn = `arn:${partition}:iam::${account}:user/${user}`;
    const results = await simulateCustom(await ctx.iam(), {
      identityPolicies: [OTHER_SIDE_ALLOWS],
      resourcePolicy: policyText,
      callerArn,
      resourceOwner: `arn:${partition}:iam::${ctx.accountId}:root`,
      actions: [...PULL_ACTIONS, LAYER_CHECK_ACTION, ...PUSH_ACTIONS],
      resources: [repositoryArn(ctx)],
    });
    const evidence = [`Repository policy: ${policyText.replace(/\s+/g, ' ')}`, `Simulated as ${callerArn}:`, ...simulationEvidence(results)];
    const pullsRefused = results.filter((r) => (PULL_ACTIONS as readonly string[]).includes(r.action) && r.decision !== 'allowed');
    if (pullsRefused.length > 0) {
      const policy = parsePolicyDocument(policyText);
      if (pullsRefused.some((r) => r.decision === 'explicitDeny')) {
        return fail(`the policy denies account ${account}`, iamDiagnoses.repositoryPolicyExplicitDeny(ctx, account, denySid(policy)), evidence);
      }
      const named = principalAccounts(policy);
      if (named.length > 0 && !named.includes(account)) return fail(`the policy names another account`, iamDiagnoses.repositoryPolicyWrongAccount(ctx, named, account), evidence);
      return fail(`account ${account} cannot pull`, iamDiagnoses.repositoryPolicyNoPull(ctx, pullsRefused.map((r) => r.action), account), evidence);
    }
    const pushes = results.filter((r) => (PUSH_ACTIONS as readonly string[]).includes(r.action) && r.decision === 'allowed');
    if (pushes.length > 0) return fail(`account ${account} can push too`, iamDiagnoses.repositoryPolicyAllowsPush(ctx, pushes.map((r) => r.action), account), evidence);
    return pass(`account ${account} may pull ${ctx.repositoryName}, and not push`, evidence);
  } catch (error) {
    return resultForError(error, 'ECR and IAM', ctx);
  }
};
export default check;

/** The account the second account's profile signs in to, when it works (a hint for --partner-account). */
async function partnerAccountOf(ctx: CheckContext, profile: string | undefined): Promise<string | undefined> {
  if (!profile) return undefined;
  try {
    const account = (await (await ctx.asProfile(profile).sts()).send(new GetCallerIdentityCommand({}))).Account;
    return account && account !== ctx.accountId ? account : undefined;
  } catch {
    return undefined;
  }
}

/** The Sid of the policy's first Deny statement (to name it). */
function denySid(policy: PolicyJson | undefined): string | undefined {
  return statementsOf(policy).find((s) => s.Effect === 'Deny')?.Sid;
}

/** The accounts the policy's Allow statements name as principals (`111122223333`, or from an ARN). */
function principalAccounts(policy: PolicyJson | undefined): string[] {
  const accounts = new Set<string>();
  for (const statement of statementsOf(policy)) {
    if (statement.Effect !== 'Allow' || typeof statement.Principal !== 'object' || statement.Principal === null) continue;
    for (const principal of listOf((statement.Principal as { AWS?: string | string[] }).AWS)) {
      const found = /^\d{12}$/.test(principal) ? principal : accountOf(principal);
      if (found) accounts.add(found);
    }
  }
  return [...accounts];
}
