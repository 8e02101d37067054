/**
 * What the course left behind, and deleting it: `ecr-workbook cleanup`, `status` on AWS, and
 * the summary when a learner quits mid-course. A repository counts as the course's when its
 * tags say so (created-by=ecr-workbook, and no other learner's name) or when the learner's
 * progress recorded it. Anything else is never touched: a repository the workbook cannot show
 * the course created is reported, even when its name is the course's.
 */
import type { ECRClient, Repository } from '@aws-sdk/client-ecr';
import type { Progress } from '../progress/store.js';
import type { ResolvedTarget } from '../targets/index.js';
import { monthlyStorageUsd } from './cost.js';
import * as messages from './messages.js';

/** The tag lesson 03 puts on the repository it creates. */
export const CREATED_BY_TAG = { key: 'created-by', value: 'ecr-workbook' } as const;
/** The tag that says whose it is on a shared account (lesson 03 on AWS). */
export const LEARNER_TAG = 'ecr-workbook-learner';

export type Ownership =
  /** Tagged created-by=ecr-workbook (for this learner, or with no learner tag). */
  | 'tagged'
  /** Untagged, but the learner's progress recorded it. */
  | 'in-progress'
  /** Has the course's name, but nothing shows the course created it: never touched. */
  | 'not-owned'
  /** Tagged by the course for another learner: never touched. */
  | 'other-learner';

export interface CourseRepository {
  name: string;
  region: string;
  uri?: string;
  ownership: Ownership;
  /** The learner tag's value, when there is one. */
  learner?: string;
  images: number;
  /** The images' sizes added up (ECR's imageSizeInBytes). */
  bytes: number;
  monthlyUsd: number;
  /** Why its images could not be counted. */
  problem?: string;
}

/** Lesson 10's IAM user, as cleanup sees it. */
export interface CourseUser {
  name: string;
  arn?: string;
  /** `tagged` (the course's, deleted), `not-owned` or `other-learner` (reported, never touched). */
  ownership: Ownership;
  /** The learner tag's value, when there is one. */
  learner?: string;
  keys: number;
  policies: number;
  /** Why it could not be looked at (then it is only reported). */
  problem?: string;
}

export interface CleanupPlan {
  target: ResolvedTarget['target'];
  accountId: string;
  region: string;
  /** The sandbox bills nothing. */
  free: boolean;
  /** What cleanup deletes. */
  owned: CourseRepository[];
  /** Reported, never touched. */
  notOwned: CourseRepository[];
  /** Repositories the course made for other learners in this account, left alone. */
  otherLearners: number;
  /** False when the IAM policy allows no listing: only known names were looked at. */
  listedAll: boolean;
  monthlyUsd: number;
  /** Lesson 10's IAM user, when the course made it (deleted with its keys and policies). */
  users: CourseUser[];
  /** That user's name taken by one the course cannot show it made: reported, never touched. */
  usersKept: CourseUser[];
}

export interface PlanOptions {
  /** The learner's progress: the repositories its checks recorded. */
  progress: Pick<Progress, 'steps'>;
  /** Parallel ECR calls (ListTagsForResource per repository). */
  concurrency?: number;
}

/** Which learner a repository belongs to, as lesson 03 tags it. */
export async function ownLearner(resolved: ResolvedTarget): Promise<string> {
  const { learnerOf } = await import('../course/vars.js');
  return learnerOf(resolved.repositoryName);
}

/**
 * The repositories the learner's progress recorded (`Repository: <uri>` in a check's
 * evidence), by region. Only URIs on this target's registry count: progress kept from the
 * sandbox must never make a same-named repository on AWS look like the course's.
 */
export function progressRepositories(progress: Pick<Progress, 'steps'>, resolved: ResolvedTarget): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const step of Object.values(progress.steps)) {
    const evidence = (step.evidence as { evidence?: unknown } | undefined)?.evidence;
    if (!Array.isArray(evidence)) continue;
    for (const line of evidence) {
      const uri = typeof line === 'string' ? /^Repository: (\S+)$/.exec(line)?.[1] : undefined;
      if (!uri) continue;
      const slash = uri.indexOf('/');
      const host = uri.slice(0, slash);
      const name = uri.slice(slash + 1);
      const region = regionOfRegistry(host, resolved);
      if (!region || !name) continue;
      if (!found.has(region)) found.set(region, new Set());
      found.get(region)!.add(name);
    }
  }
  return found;
}

/** The region a registry host belongs to, if it is this target's account (undefined otherwise). */
function regionOfRegistry(host: string, resolved: ResolvedTarget): string | undefined {
  if (host === resolved.registryHost) return resolved.region;
  const aws = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host);
  return resolved.target === 'aws' && aws && aws[1] === resolved.accountId ? aws[2] : undefined;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Every repository in the region, or undefined when the IAM policy does not allow listing. */
async function listAll(client: ECRClient): Promise<Repository[] | undefined> {
  const { DescribeRepositoriesCommand } = await import('@aws-sdk/client-ecr');
  const { classifyAwsError } = await import('../check/aws-errors.js');
  const repositories: Repository[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const out = await client.send(new DescribeRepositoriesCommand({ nextToken, maxResults: 1000 }));
      repositories.push(...(out.repositories ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
  } catch (error) {
    // The course's least-privilege policy allows DescribeRepositories on its repository only.
    if (classifyAwsError(error) === 'access-denied') return undefined;
    throw error;
  }
  return repositories;
}

async function describeNames(client: ECRClient, names: Iterable<string>): Promise<Repository[]> {
  const { findRepository } = await import('../check/common.js');
  const found = await Promise.all([...names].map((name) => findRepository(client, name)));
  return found.filter((r): r is Repository => !!r);
}

async function tagsOf(client: ECRClient, arn: string | undefined): Promise<Map<string, string> | undefined> {
  if (!arn) return undefined;
  const { ListTagsForResourceCommand } = await import('@aws-sdk/client-ecr');
  try {
    const out = await client.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    return new Map((out.tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  } catch {
    return undefined; // tags we may not read prove nothing: the repository is then not "tagged"
  }
}

async function measure(client: ECRClient, repo: CourseRepository): Promise<CourseRepository> {
  const { listImageDetails } = await import('../check/images.js');
  const { explainAwsError } = await import('./errors.js');
  try {
    const details = await listImageDetails(client, repo.name);
    const bytes = details.reduce((sum, d) => sum + (d.imageSizeInBytes ?? 0), 0);
    return { ...repo, images: details.length, bytes, monthlyUsd: monthlyStorageUsd(bytes) };
  } catch (error) {
    return { ...repo, problem: explainAwsError(error, 'ECR').split('\n')[0] };
  }
}

/**
 * Whose repositories a plan looks for: one learner's (`cleanup`) or a classroom's (`classroom
 * sweep`). `classify` turns a repository's name and ownership tags into what the plan does
 * with it: owned (deleted), kept and reported, counted as another learner's, or none of our
 * business (undefined).
 */
export interface OwnerScope {
  /** Regions to look in; the first is the target's own, where everything is listed. */
  regions: string[];
  /** Names to look up where listing is not allowed (and in the other regions). */
  known(region: string): Set<string>;
  classify(repo: { name: string; region: string; createdByCourse: boolean; learner?: string }): Ownership | 'counted-other' | undefined;
  /** Which listed repositories to read the tags of at all (default: every one). */
  consider?(name: string): boolean;
}

/**
 * Finds what the course created on the target (its region, and any region the learner's
 * progress recorded a repository in), with image counts, sizes and monthly cost. Deletes nothing.
 */
export async function planCleanup(resolved: ResolvedTarget, options: PlanOptions): Promise<CleanupPlan> {
  const me = await ownLearner(resolved);
  const recorded = progressRepositories(options.progress, resolved);
  const known = (region: string) => new Set([...(recorded.get(region) ?? []), ...(region === resolved.region ? [resolved.repositoryName] : [])]);
  const plan = await planFor(resolved, options.concurrency, {
    regions: [resolved.region, ...[...recorded.keys()].filter((r) => r !== resolved.region)],
    // The course's own name is looked at in its region even when progress never recorded it.
    known,
    classify({ name, region, createdByCourse, learner }) {
      if (createdByCourse && learner !== undefined && learner !== me) return known(region).has(name) ? 'other-learner' : 'counted-other';
      if (createdByCourse) return 'tagged';
      if (recorded.get(region)?.has(name)) return 'in-progress';
      if (known(region).has(name)) return 'not-owned';
      return undefined; // not the course's, and not named like it: not our business
    },
  });
  const user = await planUser(resolved, me);
  if (user) (user.ownership === 'tagged' ? plan.users : plan.usersKept).push(user);
  return plan;
}

/**
 * Lesson 10's CI user (`ci-reader`, `alice-ci-reader`): the course's when its tags say so
 * (created-by=ecr-workbook, and this learner's name or none). A user of that name without the
 * tags is reported and never touched, whoever made it. Lesson 11's user lives in the learner's
 * second account, which cleanup does not sign in to: its own clean-up step deletes it.
 */
async function planUser(resolved: ResolvedTarget, me: string): Promise<CourseUser | undefined> {
  const { clientFactory } = await import('../targets/index.js');
  const { ciUserFor } = await import('../course/vars.js');
  const { findUser, userPolicies } = await import('../check/iam.js');
  const { ListAccessKeysCommand } = await import('@aws-sdk/client-iam');
  const { explainAwsError } = await import('./errors.js');
  const name = ciUserFor(resolved.repositoryName);
  const iam = await clientFactory(resolved).iam();
  let found;
  try {
    found = await findUser(iam, name);
  } catch (error) {
    return { name, ownership: 'not-owned', keys: 0, policies: 0, problem: explainAwsError(error, 'IAM').split('\n')[0] };
  }
  if (!found) return undefined;
  const createdByCourse = found.tags[CREATED_BY_TAG.key] === CREATED_BY_TAG.value;
  const learner = found.tags[LEARNER_TAG];
  const ownership: Ownership = !createdByCourse ? 'not-owned' : learner !== undefined && learner !== me ? 'other-learner' : 'tagged';
  const user: CourseUser = { name, arn: found.arn, ownership, ...(learner !== undefined ? { learner } : {}), keys: 0, policies: 0 };
  try {
    const [{ AccessKeyMetadata }, policies] = await Promise.all([iam.send(new ListAccessKeysCommand({ UserName: name })), userPolicies(iam, name)]);
    return { ...user, keys: AccessKeyMetadata?.length ?? 0, policies: policies.length };
  } catch (error) {
    return { ...user, problem: explainAwsError(error, 'IAM').split('\n')[0] };
  }
}

/**
 * What a classroom's learners made on a shared account, in the room's region: a repository is
 * the room's when its tags say the course created it for one of the room's learners and it lies
 * under that learner's prefix (`alice/…`). Anything else under a learner's prefix is kept and
 * reported (untagged, or tagged for someone outside the room); the course's repositories of
 * learners outside the room are only counted. Deletes nothing.
 */
export async function planRoomSweep(
  resolved: ResolvedTarget,
  options: {
    learners: readonly string[];
    repository?: string;
    concurrency?: number;
    /** Look under the learners' prefixes only (the board's regular look): fewer calls, and no count of other learners'. */
    prefixesOnly?: boolean;
  },
): Promise<CleanupPlan> {
  const { repoForLearner, DEFAULT_REPO } = await import('../course/vars.js');
  const learners = new Set(options.learners);
  const prefixOf = (name: string) => (name.includes('/') ? name.slice(0, name.indexOf('/')) : undefined);
  return planFor(resolved, options.concurrency, {
    regions: [resolved.region],
    known: () => new Set(options.learners.map((l) => repoForLearner(options.repository ?? DEFAULT_REPO, l))),
    classify({ name, createdByCourse, learner }) {
      const prefix = prefixOf(name);
      const inRoomPrefix = prefix !== undefined && learners.has(prefix);
      if (createdByCourse && learner !== undefined && learners.has(learner) && prefix === learner) return 'tagged';
      if (inRoomPrefix) return createdByCourse && learner !== undefined && !learners.has(learner) ? 'other-learner' : 'not-owned';
      if (createdByCourse && learner !== undefined && learners.has(learner)) return 'not-owned'; // tagged for the room, outside its prefix
      return createdByCourse && learner !== undefined ? 'counted-other' : undefined;
    },
    ...(options.prefixesOnly ? { consider: (name: string) => { const prefix = prefixOf(name); return prefix !== undefined && learners.has(prefix); } } : {}),
  });
}

async function planFor(resolved: ResolvedTarget, concurrency: number | undefined, scope: OwnerScope): Promise<CleanupPlan> {
  const { clientFactory } = await import('../targets/index.js');
  const clients = clientFactory(resolved);
  const plan: CleanupPlan = {
    target: resolved.target,
    accountId: resolved.accountId,
    region: resolved.region,
    free: resolved.target === 'sandbox',
    owned: [],
    notOwned: [],
    otherLearners: 0,
    listedAll: true,
    monthlyUsd: 0,
    users: [],
    usersKept: [],
  };
  for (const region of scope.regions) {
    const client = await clients.ecr(region);
    let repositories = region === resolved.region ? await listAll(client) : undefined;
    if (!repositories) {
      if (region === resolved.region) plan.listedAll = false;
      repositories = await describeNames(client, scope.known(region));
    }
    if (scope.consider) repositories = repositories.filter((r) => scope.consider!(r.repositoryName ?? ''));
    const classified = await mapLimit(repositories, concurrency ?? 5, async (repo): Promise<CourseRepository | 'counted-other' | undefined> => {
      const name = repo.repositoryName ?? '';
      const tags = await tagsOf(client, repo.repositoryArn);
      const createdByCourse = tags?.get(CREATED_BY_TAG.key) === CREATED_BY_TAG.value;
      const learner = tags?.get(LEARNER_TAG);
      const ownership = scope.classify({ name, region, createdByCourse, ...(learner !== undefined ? { learner } : {}) });
      if (ownership === undefined || ownership === 'counted-other') return ownership;
      return { name, region, ...(repo.repositoryUri ? { uri: repo.repositoryUri } : {}), ...(learner !== undefined ? { learner } : {}), ownership, images: 0, bytes: 0, monthlyUsd: 0 };
    });
    for (const item of classified) {
      if (item === undefined) continue;
      if (item === 'counted-other') plan.otherLearners++;
      else if (item.ownership === 'tagged' || item.ownership === 'in-progress') plan.owned.push(await measure(client, item));
      else plan.notOwned.push(await measure(client, item));
    }
  }
  plan.monthlyUsd = plan.owned.reduce((sum, r) => sum + r.monthlyUsd, 0);
  return plan;
}

export interface DeleteOutcome {
  name: string;
  region: string;
  deleted: boolean;
  /** Why it could not be deleted (an AccessDenied names the IAM action to add). */
  error?: string;
  /** A repository (the default) or lesson 10's IAM user. */
  kind?: 'repository' | 'user';
}

/**
 * Deletes the plan's owned repositories with every image in them (DeleteRepository force), then
 * its IAM user: keys, policies, then the user, the only order IAM accepts.
 */
export async function deleteOwned(resolved: ResolvedTarget, plan: Pick<CleanupPlan, 'owned'> & Partial<Pick<CleanupPlan, 'users'>>): Promise<DeleteOutcome[]> {
  const outcomes = await deleteRepositories(resolved, plan.owned);
  for (const user of plan.users ?? []) outcomes.push(await deleteUser(resolved, user.name));
  return outcomes;
}

async function deleteUser(resolved: ResolvedTarget, name: string): Promise<DeleteOutcome> {
  const { clientFactory } = await import('../targets/index.js');
  const { deleteIamUser } = await import('../check/iam.js');
  const { explainAwsError } = await import('./errors.js');
  const outcome = { name, region: 'IAM', kind: 'user' as const };
  try {
    // Gone already (lesson 10's last step in another terminal) is what we wanted anyway.
    await deleteIamUser(await clientFactory(resolved).iam(), name);
    return { ...outcome, deleted: true };
  } catch (error) {
    return { ...outcome, deleted: false, error: explainAwsError(error, 'IAM') };
  }
}

async function deleteRepositories(resolved: ResolvedTarget, owned: CourseRepository[]): Promise<DeleteOutcome[]> {
  const { clientFactory } = await import('../targets/index.js');
  const { DeleteRepositoryCommand } = await import('@aws-sdk/client-ecr');
  const { explainAwsError } = await import('./errors.js');
  const clients = clientFactory(resolved);
  const outcomes: DeleteOutcome[] = [];
  for (const repo of owned) {
    try {
      await (await clients.ecr(repo.region)).send(new DeleteRepositoryCommand({ repositoryName: repo.name, force: true }));
      outcomes.push({ name: repo.name, region: repo.region, deleted: true });
    } catch (error) {
      // Deleted meanwhile (lesson 09 in another terminal) is what we wanted anyway.
      if ((error as Error).name === 'RepositoryNotFoundException') outcomes.push({ name: repo.name, region: repo.region, deleted: true });
      else outcomes.push({ name: repo.name, region: repo.region, deleted: false, error: explainAwsError(error, 'ECR', { profile: resolved.profile }) });
    }
  }
  return outcomes;
}

export interface Leftovers {
  /** What to show the learner. */
  text: string;
  plan?: CleanupPlan;
}

/**
 * What the course left on the target and what it costs a month, as a few lines for the learner
 * (quitting the menu, `status` on AWS). Never throws: a failure to look becomes the text.
 */
export async function leftoverSummary(resolved: ResolvedTarget, progress: Pick<Progress, 'steps'>): Promise<Leftovers> {
  try {
    const plan = await planCleanup(resolved, { progress });
    if (plan.owned.length === 0 && plan.users.length === 0) return { text: messages.leftoversNone(plan.target, plan.region), plan };
    const lines = [...plan.owned.map((r) => messages.repositoryLine(r, plan.free)), ...plan.users.map(messages.userLine)];
    return { text: messages.leftoversSome(plan.target, plan.region, lines, plan.monthlyUsd), plan };
  } catch (error) {
    const { explainAwsError } = await import('./errors.js');
    return { text: messages.leftoversUnknown(explainAwsError(error, 'ECR', { profile: resolved.profile })) };
  }
}

/**
 * For `status` on the aws target: resolves it without the confirmation (looking costs
 * nothing) and summarizes what is left. Never throws.
 */
export async function awsStatusLeftovers(
  settings: { region?: string; profile?: string; learner?: string; repo?: string },
  progress: Pick<Progress, 'steps'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Leftovers> {
  try {
    const { resolveAws } = await import('../targets/aws.js');
    const resolved = await resolveAws({ ...settings, env });
    if (!resolved.callerArn) return { text: messages.leftoversUnknown(resolved.identityProblem ?? 'no credentials') };
    return await leftoverSummary(resolved, progress);
  } catch (error) {
    return { text: messages.leftoversUnknown((error as Error).message) };
  }
}
