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
 * Finds what the course created on the target (its region, and any region the learner's
 * progress recorded a repository in), with image counts, sizes and monthly cost. Deletes nothing.
 */
export async function planCleanup(resolved: ResolvedTarget, options: PlanOptions): Promise<CleanupPlan> {
  const { clientFactory } = await import('../targets/index.js');
  const clients = clientFactory(resolved);
  const me = await ownLearner(resolved);
  const recorded = progressRepositories(options.progress, resolved);
  const regions = [resolved.region, ...[...recorded.keys()].filter((r) => r !== resolved.region)];
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
  };
  for (const region of regions) {
    const client = await clients.ecr(region);
    const inProgress = recorded.get(region) ?? new Set<string>();
    // The course's own name is looked at in its region even when progress never recorded it.
    const known = new Set([...inProgress, ...(region === resolved.region ? [resolved.repositoryName] : [])]);
    let repositories = region === resolved.region ? await listAll(client) : undefined;
    if (!repositories) {
      if (region === resolved.region) plan.listedAll = false;
      repositories = await describeNames(client, known);
    }
    const classified = await mapLimit(repositories, options.concurrency ?? 5, async (repo): Promise<CourseRepository | 'other-learner' | undefined> => {
      const name = repo.repositoryName ?? '';
      const tags = await tagsOf(client, repo.repositoryArn);
      const createdByCourse = tags?.get(CREATED_BY_TAG.key) === CREATED_BY_TAG.value;
      const learner = tags?.get(LEARNER_TAG);
      const base = { name, region, ...(repo.repositoryUri ? { uri: repo.repositoryUri } : {}), ...(learner !== undefined ? { learner } : {}), images: 0, bytes: 0, monthlyUsd: 0 };
      if (createdByCourse && learner !== undefined && learner !== me) return known.has(name) ? { ...base, ownership: 'other-learner' } : 'other-learner';
      if (createdByCourse) return { ...base, ownership: 'tagged' };
      if (inProgress.has(name)) return { ...base, ownership: 'in-progress' };
      if (known.has(name)) return { ...base, ownership: 'not-owned' };
      return undefined; // not the course's, and not named like it: not our business
    });
    for (const item of classified) {
      if (item === undefined) continue;
      if (item === 'other-learner') plan.otherLearners++;
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
}

/** Deletes the plan's owned repositories with every image in them (DeleteRepository force). */
export async function deleteOwned(resolved: ResolvedTarget, plan: Pick<CleanupPlan, 'owned'>): Promise<DeleteOutcome[]> {
  const { clientFactory } = await import('../targets/index.js');
  const { DeleteRepositoryCommand } = await import('@aws-sdk/client-ecr');
  const { explainAwsError } = await import('./errors.js');
  const clients = clientFactory(resolved);
  const outcomes: DeleteOutcome[] = [];
  for (const repo of plan.owned) {
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
    if (plan.owned.length === 0) return { text: messages.leftoversNone(plan.target, plan.region), plan };
    const lines = plan.owned.map((r) => messages.repositoryLine(r, plan.free));
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
