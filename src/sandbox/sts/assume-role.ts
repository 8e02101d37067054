import type { Authorizer } from '../authz/authorizer.js';
import type { IamBackend } from '../iam/backend.js';
import type { ContextValue } from '../iam/evaluate.js';
import type { IamRole, IamTag, RoleAssumer, SessionRecord } from '../iam/types.js';

/** Sessions made from a role session (role chaining) last an hour at most. */
const CHAINED_MAX_SECONDS = 3600;

export interface AssumeRoleRequest {
  roleArn: string;
  sessionName: string;
  /** Default one hour. */
  durationSeconds?: number;
  tags?: IamTag[];
  /** Condition keys the request carries (sts:ExternalId, aws:RequestTag/…). */
  context?: Record<string, ContextValue>;
}

export type AssumeRoleOutcome =
  | { ok: true; accountId: string; role: IamRole; session: SessionRecord }
  /** The trust policy (or, across accounts, the caller's own policies) does not allow it; AWS's words. */
  | { ok: false; reason: 'denied'; message: string }
  | { ok: false; reason: 'duration-chained' | 'duration-over-max' };

/**
 * sts:AssumeRole, the one way the sandbox hands out a role's temporary credentials: the role's
 * trust policy must allow the caller (an IAM identity, or an AWS service such as ECS assuming a
 * task's execution role), then a session (ASIA…, a session token) that expires after the
 * duration by the sandbox clock. STS's AssumeRole and ECS both come here.
 */
export async function assumeRole(iam: IamBackend, authorizer: Authorizer, caller: RoleAssumer, request: AssumeRoleRequest): Promise<AssumeRoleOutcome> {
  const tags = request.tags ?? [];
  const found = iam.roleByArn(request.roleArn);
  const denial = authorizer.assumeRole(caller, request.roleArn, found, { tagSession: tags.length > 0, context: request.context });
  if (denial || !found) {
    const who = caller.kind === 'service' ? caller.service : caller.arn;
    return { ok: false, reason: 'denied', message: denial?.message ?? `User: ${who} is not authorized to perform: sts:AssumeRole on resource: ${request.roleArn}` };
  }
  const chained = caller.kind === 'assumed-role';
  const durationSeconds = request.durationSeconds ?? 3600;
  if (chained && durationSeconds > CHAINED_MAX_SECONDS) return { ok: false, reason: 'duration-chained' };
  if (durationSeconds > found.role.maxSessionDuration) return { ok: false, reason: 'duration-over-max' };
  const session = await iam.issueSession(found.accountId, found.role, { sessionName: request.sessionName, durationSeconds, tags, chained });
  return { ok: true, accountId: found.accountId, role: found.role, session };
}
