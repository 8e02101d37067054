import type { EcrBackend } from '../backend/ecr.js';
import type { RepositoryRecord } from '../backend/types.js';
import type { IamBackend } from '../iam/backend.js';
import { accessDeniedMessage, evaluate, type AuthzRequest, type ContextValue, type Decision, type PolicyRef } from '../iam/evaluate.js';
import type { IamRole, Identity, RoleAssumer } from '../iam/types.js';
import type { RegistryRoute } from '../registry/routes.js';

/**
 * The one place access is decided. Every front (the ECR API, the registry, IAM, STS) turns its
 * request into (principal, action, resource, context) here and asks IAM's evaluation; handlers
 * never decide access. A denial comes back as AWS's own words, which each front wraps in its
 * wire format (AccessDeniedException, AccessDenied, DENIED).
 */

/** The ECR registry (one account's ECR backend) that holds an account's repositories. */
export type RegistryLookup = (accountId: string) => EcrBackend | undefined;

/** What one decision is about, besides who asks. */
export interface AuthzTarget {
  action: string;
  resource: string;
  resourceAccount?: string;
  resourcePolicy?: PolicyRef;
  resourceTags?: Record<string, string>;
  context?: Record<string, ContextValue>;
}

/** A denial: AWS's message, and the decision behind it (for tests and the console). */
export interface Denial {
  message: string;
  decision: Decision;
}

const REPOSITORY_ARN_RE = /^arn:aws[a-z-]*:ecr:([a-z0-9-]+):([0-9]{12}):repository\/(.+)$/;
const ACCOUNT_RE = /^[0-9]{12}$/;

/**
 * The account whose registry an ECR API call is about: the one `registryId` names, or the one in
 * a repository ARN (TagResource and its kin), else the caller's own.
 */
export function ecrRegistryOf(identity: Identity, input: Record<string, unknown>): string {
  if (typeof input.registryId === 'string' && ACCOUNT_RE.test(input.registryId)) return input.registryId;
  if (typeof input.resourceArn === 'string') {
    const match = REPOSITORY_ARN_RE.exec(input.resourceArn);
    if (match) return match[2]!;
  }
  return identity.accountId;
}

/**
 * The ECR action a registry (`/v2/`) request needs, as ECR maps them (User Guide, image-push and
 * image-pull permissions): manifests are BatchGetImage to read, PutImage to write and
 * BatchDeleteImage to delete (by digest), the referrers list BatchGetImage, a layer's
 * bytes GetDownloadUrlForLayer, a layer's existence BatchCheckLayerAvailability, and the three
 * steps of an upload InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload. Listing tags is
 * ListImages, the catalog DescribeRepositories. Undefined: a valid login is all it takes (`/v2/`),
 * or the registry refuses the request whoever asks.
 */
export function registryAction(kind: RegistryRoute['kind'], method: string): string | undefined {
  const read = method === 'GET' || method === 'HEAD';
  switch (kind) {
    case 'catalog':
      return 'ecr:DescribeRepositories';
    case 'tags':
      return 'ecr:ListImages';
    case 'manifest':
      return read ? 'ecr:BatchGetImage' : method === 'PUT' ? 'ecr:PutImage' : method === 'DELETE' ? 'ecr:BatchDeleteImage' : undefined;
    // As ListImageReferrers, ECR's API twin of this route, does.
    case 'referrers':
      return 'ecr:BatchGetImage';
    case 'blob':
      return method === 'GET' ? 'ecr:GetDownloadUrlForLayer' : method === 'HEAD' ? 'ecr:BatchCheckLayerAvailability' : undefined;
    case 'upload':
      return method === 'POST' ? 'ecr:InitiateLayerUpload' : method === 'PUT' ? 'ecr:CompleteLayerUpload' : 'ecr:UploadLayerPart';
    default:
      return undefined;
  }
}

/** Which IAM resource an IAM action is about (the operation table names one per action). */
export type IamResourceKind =
  /** UserName, or the caller's own user when it is left out. */
  | 'user'
  /** The user CreateUser makes (UserName and Path). */
  | 'new-user'
  | 'role'
  | 'new-role'
  /** PolicyArn. */
  | 'policy'
  /** The policy CreatePolicy makes (PolicyName and Path). */
  | 'new-policy'
  /** SimulatePrincipalPolicy's PolicySourceArn. */
  | 'policy-source'
  /** ListUsers / ListRoles: the account's user/ or role/ path, as AWS names it in denials. */
  | 'users'
  | 'roles'
  | 'any';

export class Authorizer {
  constructor(
    private readonly iam: IamBackend,
    private readonly registries: RegistryLookup,
  ) {}

  /** IAM's evaluation for one request, and the request as the evaluator saw it. */
  private evaluate(identity: RoleAssumer, target: AuthzTarget): { request: AuthzRequest; decision: Decision } {
    const request: AuthzRequest = {
      // A service is no IAM identity: the evaluator consults only the resource's policy for it.
      principal: identity.kind === 'service' ? { arn: identity.service, accountId: '', service: identity.service } : this.iam.principal(identity),
      action: target.action,
      resource: target.resource,
      resourceAccount: target.resourceAccount,
      resourceTags: target.resourceTags,
      context: target.context,
      now: this.iam.store.now(),
    };
    const identityPolicies = identity.kind === 'service' ? [] : this.iam.identityPolicies(identity);
    return { request, decision: evaluate(request, identityPolicies, target.resourcePolicy) };
  }

  /** `undefined` when the request is allowed, else the denial in AWS's words. */
  check(identity: Identity, target: AuthzTarget): Denial | undefined {
    const { request, decision } = this.evaluate(identity, target);
    return decision.decision === 'allow' ? undefined : { message: accessDeniedMessage(request, decision), decision };
  }

  // ---------------------------------------------------------------- ECR

  /** A repository's ARN, policy (as the resource-based policy) and tags (aws:ResourceTag/*). */
  private repositoryTarget(action: string, region: string, accountId: string, name: string): AuthzTarget {
    const repo = this.registries(accountId)?.findRepository(region, name);
    return {
      action,
      resource: `arn:aws:ecr:${region}:${accountId}:repository/${name}`,
      resourceAccount: accountId,
      resourcePolicy: repo ? this.repositoryPolicy(repo) : undefined,
      resourceTags: repo ? Object.fromEntries(repo.tags.map((t) => [t.Key, t.Value])) : undefined,
    };
  }

  /**
   * A repository policy as the evaluator takes it. ECR validated it when it was set; one that no
   * longer parses (stored before the sandbox validated policies with IAM's rules) grants nothing.
   */
  private repositoryPolicy(repo: RepositoryRecord): PolicyRef | undefined {
    if (repo.policyText === undefined) return undefined;
    try {
      return { id: 'RepositoryPolicy', type: 'resource', document: this.iam.parse(repo.policyText, 'resource') };
    } catch {
      return undefined;
    }
  }

  /**
   * The targets of an ECR API call: `ecr:<Operation>` on the repository its input names (in the
   * account `registryId` names, else the caller's), `*` for GetAuthorizationToken and for
   * operations that name no repository, the region's `repository/*` for a DescribeRepositories
   * that lists them all, and the repository a TagResource-style call's ARN names.
   */
  ecrTargets(identity: Identity, region: string, operation: string, input: Record<string, unknown>): AuthzTarget[] {
    const action = `ecr:${operation}`;
    if (operation === 'GetAuthorizationToken') return [{ action, resource: '*' }];
    const registryId = ecrRegistryOf(identity, input);
    if (typeof input.resourceArn === 'string') {
      const match = REPOSITORY_ARN_RE.exec(input.resourceArn);
      if (!match) return [{ action, resource: input.resourceArn, resourceAccount: identity.accountId }];
      const [, arnRegion, account, name] = match as unknown as [string, string, string, string];
      return [this.repositoryTarget(action, arnRegion, account, name)];
    }
    if (operation === 'DescribeRepositories') {
      const names = Array.isArray(input.repositoryNames) ? input.repositoryNames.filter((n): n is string => typeof n === 'string') : undefined;
      if (!names) return [{ action, resource: `arn:aws:ecr:${region}:${registryId}:repository/*`, resourceAccount: registryId }];
      return [...new Set(names)].map((name) => this.repositoryTarget(action, region, registryId, name));
    }
    if (typeof input.repositoryName === 'string') return [this.repositoryTarget(action, region, registryId, input.repositoryName)];
    return [{ action, resource: '*', resourceAccount: registryId }];
  }

  /** Authorizes an ECR API call: the first denied target decides. */
  ecr(identity: Identity, region: string, operation: string, input: Record<string, unknown>): Denial | undefined {
    for (const target of this.ecrTargets(identity, region, operation, input)) {
      const denial = this.check(identity, target);
      if (denial) return denial;
    }
    return undefined;
  }

  /** Authorizes one registry request (`/v2/…`) as the identity its login token carries. */
  registry(identity: Identity, accountId: string, region: string, repositoryName: string, action: string): Denial | undefined {
    return this.check(identity, this.repositoryTarget(action, region, accountId, repositoryName));
  }

  // ---------------------------------------------------------------- ECS

  /**
   * The targets of an ECS API call, as ECS's authorization reference names them: a cluster's
   * ARN for the cluster actions, the task definition's ARN (its family's, when no revision is
   * named) for RunTask, a task's ARN for DescribeTasks and StopTask, with the `ecs:cluster`
   * condition key where ECS sets it; `*` for the task definition actions and the list calls.
   */
  ecsTargets(identity: Identity, region: string, operation: string, input: Record<string, unknown>): AuthzTarget[] {
    const action = `ecs:${operation}`;
    const account = identity.accountId;
    const arn = (kind: string, name: string) => (name.startsWith('arn:') ? name : `arn:aws:ecs:${region}:${account}:${kind}/${name}`);
    const clusterArn = arn('cluster', typeof input.cluster === 'string' && input.cluster ? input.cluster : 'default');
    const strings = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
    const inCluster = { 'ecs:cluster': clusterArn };
    switch (operation) {
      case 'CreateCluster':
        return [{ action, resource: arn('cluster', typeof input.clusterName === 'string' ? input.clusterName : 'default'), resourceAccount: account }];
      case 'DeleteCluster':
        return [{ action, resource: clusterArn, resourceAccount: account }];
      case 'DescribeClusters': {
        const names = strings(input.clusters);
        return (names.length > 0 ? names : ['default']).map((name) => ({ action, resource: arn('cluster', name), resourceAccount: account }));
      }
      case 'RunTask':
        return [{ action, resource: arn('task-definition', String(input.taskDefinition ?? '')), resourceAccount: account, context: inCluster }];
      case 'DescribeTasks':
        return strings(input.tasks).map((task) => ({ action, resource: taskArn(task), resourceAccount: account, context: inCluster }));
      case 'StopTask':
        return [{ action, resource: taskArn(String(input.task ?? '')), resourceAccount: account, context: inCluster }];
      case 'ListTasks':
        return [{ action, resource: '*', resourceAccount: account, context: inCluster }];
      default:
        return [{ action, resource: '*', resourceAccount: account }];
    }
    function taskArn(task: string): string {
      if (task.startsWith('arn:')) return task;
      return `arn:aws:ecs:${region}:${account}:task/${clusterArn.slice(clusterArn.indexOf(':cluster/') + ':cluster/'.length)}/${task}`;
    }
  }

  /** Authorizes an ECS API call: the first denied target decides. */
  ecs(identity: Identity, region: string, operation: string, input: Record<string, unknown>): Denial | undefined {
    for (const target of this.ecsTargets(identity, region, operation, input)) {
      const denial = this.check(identity, target);
      if (denial) return denial;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- IAM and STS

  /** The ARN an IAM action is about, in the caller's account (IAM calls never reach another). */
  iamResource(identity: Identity, kind: IamResourceKind, params: { get(name: string): string | undefined }): string {
    const account = identity.accountId;
    switch (kind) {
      case 'user': {
        const name = params.get('UserName') ?? (identity.kind === 'user' ? identity.userName : undefined);
        if (name === undefined) return '*';
        const user = this.iam.findUser(account, name);
        return this.iam.userArn(account, user ?? { path: '/', userName: name });
      }
      case 'new-user':
        return this.iam.userArn(account, { path: params.get('Path') ?? '/', userName: params.get('UserName') ?? '' });
      case 'role': {
        const name = params.get('RoleName') ?? '';
        return this.iam.roleArn(account, this.iam.findRole(account, name) ?? { path: '/', roleName: name });
      }
      case 'new-role':
        return this.iam.roleArn(account, { path: params.get('Path') ?? '/', roleName: params.get('RoleName') ?? '' });
      case 'policy':
        return params.get('PolicyArn') ?? '*';
      case 'new-policy':
        return `arn:aws:iam::${account}:policy${params.get('Path') ?? '/'}${params.get('PolicyName') ?? ''}`;
      case 'policy-source':
        return params.get('PolicySourceArn') ?? '*';
      case 'users':
        return `arn:aws:iam::${account}:user/`;
      case 'roles':
        return `arn:aws:iam::${account}:role/`;
      case 'any':
        return '*';
    }
  }

  /** Authorizes an IAM API call (`iam:<Action>` on its resource, with its IAM condition keys). */
  iamAction(identity: Identity, action: string, resource: string, context?: Record<string, ContextValue>): Denial | undefined {
    return this.check(identity, { action: `iam:${action}`, resource, resourceAccount: identity.accountId, ...(context ? { context } : {}) });
  }

  /**
   * sts:AssumeRole (and sts:TagSession when the call brings session tags): the role's trust
   * policy is the resource-based policy and must itself allow the caller, as trust policies do
   * (the evaluator's trust rule); across accounts the caller's own policies must allow too. A
   * role that does not exist is denied the same way, as STS does, so the answer never tells
   * whether it exists. An AWS service (ECS assuming a task's execution role) is trusted by the
   * trust policy's Service principal alone.
   */
  assumeRole(
    identity: RoleAssumer,
    roleArn: string,
    role: { accountId: string; role: IamRole } | undefined,
    options: { tagSession: boolean; context?: Record<string, ContextValue> },
  ): Denial | undefined {
    const actions = options.tagSession ? ['sts:AssumeRole', 'sts:TagSession'] : ['sts:AssumeRole'];
    for (const action of actions) {
      const { decision } = this.evaluate(identity, {
        action,
        resource: roleArn,
        resourceAccount: role?.accountId,
        resourcePolicy: role
          ? { id: 'TrustPolicy', type: 'resource', trust: true, document: this.iam.parse(role.role.assumeRolePolicyDocument, 'trust') }
          : undefined,
        resourceTags: role ? Object.fromEntries(role.role.tags.map((t) => [t.Key, t.Value])) : undefined,
        context: options.context,
      });
      // STS words this denial without a reason clause.
      if (!role || decision.decision !== 'allow') {
        const who = identity.kind === 'service' ? identity.service : identity.arn;
        return { message: `User: ${who} is not authorized to perform: ${action} on resource: ${roleArn}`, decision };
      }
    }
    return undefined;
  }
}
