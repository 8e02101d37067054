/**
 * What lessons 14 and 15 ask of IAM roles, on either target: a role and its trust policy (read
 * with GetRole and evaluated with the sandbox's own IAM evaluator, which is pure: the same on AWS's
 * answer), and what the role may do, asked of IAM itself with SimulatePrincipalPolicy.
 */
import { evaluate } from '../sandbox/iam/evaluate.js';
import { parsePolicy, PolicyError } from '../sandbox/iam/policy.js';
import { diagnoses } from './diagnoses.js';
import { LAYER_CHECK_ACTION, PULL_ACTIONS, PUSH_ACTIONS, isNoSuchEntity, policyDocumentText, simulateUser } from './iam.js';
import { LOGIN_ACTION } from '../aws/iam-policy.js';
import { fail, type CheckContext, type CheckResult, type Diagnosis } from './types.js';

export interface RoleFound {
  arn: string;
  name: string;
  /** The trust policy as JSON text (IAM answers it URL-encoded). */
  trustPolicy: string;
}

/** What ECS's image pull needs on the repository (AmazonECSTaskExecutionRolePolicy grants it): docker's pull, and the layer check. */
export const TASK_PULL_ACTIONS: readonly string[] = [LAYER_CHECK_ACTION, ...PULL_ACTIONS];
/** What a pipeline's docker push needs on the repository: the layer check docker makes first, and the push. */
export const PIPELINE_PUSH_ACTIONS: readonly string[] = [LAYER_CHECK_ACTION, ...PUSH_ACTIONS];

/** A role by name (or ARN), or undefined when IAM has none. */
export async function findRole(ctx: CheckContext, nameOrArn: string): Promise<RoleFound | undefined> {
  const { GetRoleCommand } = await import('@aws-sdk/client-iam');
  const name = nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
  try {
    const { Role } = await (await ctx.iam()).send(new GetRoleCommand({ RoleName: name }));
    return { arn: Role!.Arn!, name: Role!.RoleName!, trustPolicy: policyDocumentText(Role?.AssumeRolePolicyDocument) };
  } catch (error) {
    if (isNoSuchEntity(error)) return undefined;
    throw error;
  }
}

/** Whether a trust policy lets an AWS service assume the role, and every principal it allows (for the evidence). */
export function trustsService(trustPolicy: string, service: string): { trusted: boolean; principals: string[] } {
  let document;
  try {
    document = parsePolicy(trustPolicy, 'trust');
  } catch (error) {
    if (error instanceof PolicyError) return { trusted: false, principals: [] };
    throw error;
  }
  const principals = document.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => {
    const p = s.Principal;
    if (p === undefined) return [];
    if (p === '*') return ['*'];
    return Object.values(p).flatMap((v) => (Array.isArray(v) ? v : v === undefined ? [] : [v]));
  });
  const decision = evaluate(
    { principal: { arn: service, accountId: '', service }, action: 'sts:AssumeRole', resource: '*' },
    [],
    { id: 'TrustPolicy', type: 'resource', trust: true, document },
  );
  return { trusted: decision.decision === 'allow', principals: [...new Set(principals)] };
}

/** The actions (of those asked) IAM's simulator says the principal may not do on the resource. */
export async function deniedActions(ctx: CheckContext, principalArn: string, actions: readonly string[], resource: string): Promise<string[]> {
  return (await simulateUser(await ctx.iam(), principalArn, actions, [resource])).filter((r) => r.decision !== 'allowed').map((r) => r.action);
}

/** The ARN of another repository in the same registry: where a least-privilege push role must be refused. */
export function otherRepositoryArn(repositoryArn: string): string {
  return `${repositoryArn.slice(0, repositoryArn.indexOf(':repository/'))}:repository/some-other-team/app`;
}

/** What a lesson needs of a role: the service that must be able to assume it, and how to word each shortfall. */
interface RoleWanted {
  service: string;
  /** Who assumes it, in the summary: `ECS`, `CodeBuild`. */
  assumer: string;
  missing: (name: string) => Diagnosis;
  notTrusted: (name: string, principals: string[]) => Diagnosis;
}

/** The role there and trusted by the service: the role and its evidence, or the failing result. */
async function trustedRole(ctx: CheckContext, role: string, wanted: RoleWanted): Promise<{ failed: CheckResult } | { role: RoleFound; evidence: string[] }> {
  const found = await findRole(ctx, role);
  const name = role.slice(role.lastIndexOf('/') + 1);
  if (!found) return { failed: fail(`there is no role ${name}`, wanted.missing(name), [`GetRole ${name}: NoSuchEntity`]) };
  const trust = trustsService(found.trustPolicy, wanted.service);
  const evidence = [`Role: ${found.arn}`, `Its trust policy allows: ${trust.principals.join(', ') || 'no one'}`];
  if (!trust.trusted) return { failed: fail(`${wanted.assumer} may not assume ${name}`, wanted.notTrusted(name, trust.principals), evidence) };
  return { role: found, evidence };
}

/** What the role may not do of a login (GetAuthorizationToken on *) and `actions` on the repository. */
async function deniedWithLogin(ctx: CheckContext, roleArn: string, actions: readonly string[], repositoryArn: string): Promise<string[]> {
  return [...(await deniedActions(ctx, roleArn, [LOGIN_ACTION], '*')), ...(await deniedActions(ctx, roleArn, actions, repositoryArn))];
}

/**
 * A task execution role as ECS needs it: there, trusted by ecs-tasks.amazonaws.com, and allowed to
 * pull from the repository. The failing result with its diagnosis, or the evidence of a good one.
 */
export async function checkExecutionRole(ctx: CheckContext, role: string, repositoryArn: string): Promise<{ failed: CheckResult } | { evidence: string[] }> {
  const trusted = await trustedRole(ctx, role, { service: 'ecs-tasks.amazonaws.com', assumer: 'ECS', missing: diagnoses.executionRoleMissing, notTrusted: diagnoses.executionRoleNotTrusted });
  if ('failed' in trusted) return trusted;
  const { role: found, evidence } = trusted;
  const denied = await deniedWithLogin(ctx, found.arn, TASK_PULL_ACTIONS, repositoryArn);
  evidence.push(`SimulatePrincipalPolicy, pull from ${repositoryArn}: ${denied.length ? `denied ${denied.join(', ')}` : 'allowed'}`);
  if (denied.length > 0) return { failed: fail(`${found.name} may not pull the image`, diagnoses.executionRoleCannotPull(found.name, `${denied.join(', ')} ${denied.length === 1 ? 'is' : 'are'} denied (SimulatePrincipalPolicy)`), evidence) };
  return { evidence };
}

/**
 * A pipeline's service role as lesson 15 asks for it: there, trusted by codebuild.amazonaws.com,
 * allowed to push to the repository, and refused anywhere else (another repository, or IAM).
 */
export async function pipelineRoleScope(ctx: CheckContext, roleName: string, repositoryArn: string): Promise<{ failed: CheckResult } | { evidence: string[] }> {
  const trusted = await trustedRole(ctx, roleName, { service: 'codebuild.amazonaws.com', assumer: 'CodeBuild', missing: diagnoses.pipelineRoleMissing, notTrusted: diagnoses.pipelineRoleNotTrusted });
  if ('failed' in trusted) return trusted;
  const { role, evidence } = trusted;
  const denied = await deniedWithLogin(ctx, role.arn, PIPELINE_PUSH_ACTIONS, repositoryArn);
  evidence.push(`SimulatePrincipalPolicy, push to ${repositoryArn}: ${denied.length ? `denied ${denied.join(', ')}` : 'allowed'}`);
  if (denied.length > 0) return { failed: fail(`${roleName} may not push`, diagnoses.pipelineRoleCannotPush(roleName, denied), evidence) };
  const elsewhere = otherRepositoryArn(repositoryArn);
  const otherDenied = await deniedActions(ctx, role.arn, PIPELINE_PUSH_ACTIONS, elsewhere);
  const adminActions = ['iam:CreateUser', 'ecr:DeleteRepository'];
  const adminDenied = await deniedActions(ctx, role.arn, adminActions, '*');
  const allowedElsewhere = PIPELINE_PUSH_ACTIONS.filter((a) => !otherDenied.includes(a));
  evidence.push(`SimulatePrincipalPolicy, push to ${elsewhere}: ${allowedElsewhere.length ? `allowed ${allowedElsewhere.join(', ')}` : 'denied'}`);
  const adminAllowed = adminActions.filter((a) => !adminDenied.includes(a));
  if (allowedElsewhere.length > 0 || adminAllowed.length > 0) {
    const what = [
      ...(allowedElsewhere.length ? [`it may push to other repositories (${allowedElsewhere.join(', ')} on ${elsewhere})`] : []),
      ...(adminAllowed.length ? [`it may ${adminAllowed.join(' and ')} on *`] : []),
    ].join('; ');
    return { failed: fail(`${roleName} may do more than push to this repository`, diagnoses.pipelineRoleTooBroad(roleName, what), evidence) };
  }
  return { evidence };
}
