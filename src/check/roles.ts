/**
 * What lessons 14 and 15 ask of IAM roles, on either target: a role and its trust policy (read
 * with GetRole and evaluated with the sandbox's own IAM evaluator, which is pure: the same on AWS's
 * answer), and what the role may do, asked of IAM itself with SimulatePrincipalPolicy.
 */
import { evaluate } from '../sandbox/iam/evaluate.js';
import { parsePolicy, PolicyError } from '../sandbox/iam/policy.js';
import { diagnoses } from './diagnoses.js';
import { fail, type CheckContext, type CheckResult } from './types.js';

export interface RoleFound {
  arn: string;
  name: string;
  /** The trust policy as JSON text (IAM answers it URL-encoded). */
  trustPolicy: string;
}

/** The actions an image pull needs (AmazonECSTaskExecutionRolePolicy grants them), on the repository. */
export const PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
/** The actions a docker push needs, on the repository. */
export const PUSH_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'];

/** A role by name (or ARN), or undefined when IAM has none. */
export async function findRole(ctx: CheckContext, nameOrArn: string): Promise<RoleFound | undefined> {
  const { GetRoleCommand } = await import('@aws-sdk/client-iam');
  const name = nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
  try {
    const { Role } = await (await ctx.iam()).send(new GetRoleCommand({ RoleName: name }));
    const raw = Role?.AssumeRolePolicyDocument ?? '';
    return { arn: Role!.Arn!, name: Role!.RoleName!, trustPolicy: raw.trimStart().startsWith('{') ? raw : decodeURIComponent(raw) };
  } catch (error) {
    if ((error as Error).name === 'NoSuchEntityException' || (error as Error).name === 'NoSuchEntity') return undefined;
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
export async function deniedActions(ctx: CheckContext, principalArn: string, actions: string[], resource: string): Promise<string[]> {
  const { SimulatePrincipalPolicyCommand } = await import('@aws-sdk/client-iam');
  const out = await (await ctx.iam()).send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: principalArn, ActionNames: actions, ResourceArns: [resource] }));
  return (out.EvaluationResults ?? []).filter((r) => r.EvalDecision !== 'allowed').map((r) => r.EvalActionName!);
}

/** The ARN of another repository in the same registry: where a least-privilege push role must be refused. */
export function otherRepositoryArn(repositoryArn: string): string {
  return `${repositoryArn.slice(0, repositoryArn.indexOf(':repository/'))}:repository/some-other-team/app`;
}

/**
 * A task execution role as ECS needs it: there, trusted by ecs-tasks.amazonaws.com, and allowed to
 * pull from the repository. The failing result with its diagnosis, or the evidence of a good one.
 */
export async function checkExecutionRole(
  ctx: CheckContext,
  role: string,
  repositoryArn: string,
): Promise<{ failed: CheckResult } | { evidence: string[] }> {
  const found = await findRole(ctx, role);
  const name = role.slice(role.lastIndexOf('/') + 1);
  if (!found) return { failed: fail(`there is no role ${name}`, diagnoses.executionRoleMissing(name), [`GetRole ${name}: NoSuchEntity`]) };
  const trust = trustsService(found.trustPolicy, 'ecs-tasks.amazonaws.com');
  const evidence = [`Role: ${found.arn}`, `Its trust policy allows: ${trust.principals.join(', ') || 'no one'}`];
  if (!trust.trusted) return { failed: fail(`ECS may not assume ${name}`, diagnoses.executionRoleNotTrusted(name, trust.principals), evidence) };
  const denied = [...(await deniedActions(ctx, found.arn, ['ecr:GetAuthorizationToken'], '*')), ...(await deniedActions(ctx, found.arn, PULL_ACTIONS, repositoryArn))];
  evidence.push(`SimulatePrincipalPolicy, pull from ${repositoryArn}: ${denied.length ? `denied ${denied.join(', ')}` : 'allowed'}`);
  if (denied.length > 0) return { failed: fail(`${name} may not pull the image`, diagnoses.executionRoleCannotPull(name, `${denied.join(', ')} ${denied.length === 1 ? 'is' : 'are'} denied (SimulatePrincipalPolicy)`), evidence) };
  return { evidence };
}

/**
 * A pipeline's service role as lesson 15 asks for it: there, trusted by codebuild.amazonaws.com,
 * allowed to push to the repository, and refused anywhere else (another repository, or IAM).
 */
export async function pipelineRoleScope(
  ctx: CheckContext,
  roleName: string,
  repositoryArn: string,
): Promise<{ failed: CheckResult } | { evidence: string[] }> {
  const role = await findRole(ctx, roleName);
  if (!role) return { failed: fail(`there is no role ${roleName}`, diagnoses.pipelineRoleMissing(roleName), [`GetRole ${roleName}: NoSuchEntity`]) };
  const trust = trustsService(role.trustPolicy, 'codebuild.amazonaws.com');
  const evidence = [`Role: ${role.arn}`, `Its trust policy allows: ${trust.principals.join(', ') || 'no one'}`];
  if (!trust.trusted) return { failed: fail(`CodeBuild may not assume ${roleName}`, diagnoses.pipelineRoleNotTrusted(roleName, trust.principals), evidence) };
  const denied = [...(await deniedActions(ctx, role.arn, ['ecr:GetAuthorizationToken'], '*')), ...(await deniedActions(ctx, role.arn, PUSH_ACTIONS, repositoryArn))];
  evidence.push(`SimulatePrincipalPolicy, push to ${repositoryArn}: ${denied.length ? `denied ${denied.join(', ')}` : 'allowed'}`);
  if (denied.length > 0) return { failed: fail(`${roleName} may not push`, diagnoses.pipelineRoleCannotPush(roleName, denied), evidence) };
  const elsewhere = otherRepositoryArn(repositoryArn);
  const otherDenied = await deniedActions(ctx, role.arn, PUSH_ACTIONS, elsewhere);
  const adminDenied = await deniedActions(ctx, role.arn, ['iam:CreateUser', 'ecr:DeleteRepository'], '*');
  const allowedElsewhere = PUSH_ACTIONS.filter((a) => !otherDenied.includes(a));
  evidence.push(`SimulatePrincipalPolicy, push to ${elsewhere}: ${allowedElsewhere.length ? `allowed ${allowedElsewhere.join(', ')}` : 'denied'}`);
  if (allowedElsewhere.length > 0 || adminDenied.length < 2) {
    const what = [
      ...(allowedElsewhere.length ? [`it may push to other repositories (${allowedElsewhere.join(', ')} on ${elsewhere})`] : []),
      ...(adminDenied.length < 2 ? [`it may ${['iam:CreateUser', 'ecr:DeleteRepository'].filter((a) => !adminDenied.includes(a)).join(' and ')} on *`] : []),
    ].join('; ');
    return { failed: fail(`${roleName} may do more than push to this repository`, diagnoses.pipelineRoleTooBroad(roleName, what), evidence) };
  }
  return { evidence };
}
