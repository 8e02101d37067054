/**
 * A classroom on a shared AWS account: each learner's IAM policy (their prefix only), the real
 * ECR state of the room's prefixes for the board, read with the instructor's credentials. The
 * sweep itself is `aws/cleanup.ts`'s planRoomSweep and deleteOwned, shared with `cleanup`.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { CleanupPlan, CourseRepository } from '../aws/cleanup.js';
import { formatBytes, formatUsd } from '../aws/cost.js';
import { learnerPrefixPolicy, type IamPolicy } from '../aws/iam-policy.js';
import type { ResolvedTarget } from '../targets/index.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { EcrRepositoryView, EcrView } from './board.js';

/** Where a learner's policy is written: `<classroom dir>/policies/<name>.json`. */
export function policyFile(dir: string, learner: string): string {
  return path.join(dir, 'policies', `${learner}.json`);
}

/** Writes each learner's policy file (unchanged files are left alone); returns the files by name. */
export async function writePolicies(dir: string, learners: readonly string[], region: string, accountId: string): Promise<Map<string, IamPolicy>> {
  const written = new Map<string, IamPolicy>();
  for (const learner of learners) {
    const policy = learnerPrefixPolicy(learner, region, accountId);
    const file = policyFile(dir, learner);
    const text = `${JSON.stringify(policy, null, 2)}\n`;
    const current = await fsp.readFile(file, 'utf8').catch(() => undefined);
    if (current !== text) await writeFileAtomic(file, text);
    written.set(learner, policy);
  }
  return written;
}

function repositoryView(r: CourseRepository): EcrRepositoryView {
  return {
    name: r.name,
    ownership: r.ownership,
    ...(r.learner !== undefined ? { learnerTag: r.learner } : {}),
    images: r.images,
    bytes: r.bytes,
    size: formatBytes(r.bytes),
    monthlyUsd: r.monthlyUsd,
    ...(r.problem ? { problem: r.problem } : {}),
  };
}

/** The board's view of a sweep plan: each learner's repositories (by their prefix), and the cost. */
export function ecrViewOf(plan: CleanupPlan, learners: readonly string[], now: Date): EcrView {
  const byLearner: Record<string, EcrRepositoryView[]> = Object.fromEntries(learners.map((l) => [l, []]));
  for (const repo of [...plan.owned, ...plan.notOwned]) {
    const prefix = repo.name.includes('/') ? repo.name.slice(0, repo.name.indexOf('/')) : undefined;
    const owner = repo.ownership === 'tagged' ? repo.learner : prefix;
    if (owner !== undefined && byLearner[owner]) byLearner[owner].push(repositoryView(repo));
  }
  for (const list of Object.values(byLearner)) list.sort((a, b) => a.name.localeCompare(b.name));
  return {
    checkedAt: now.toISOString(),
    region: plan.region,
    accountId: plan.accountId,
    learners: byLearner,
    monthlyUsd: plan.monthlyUsd,
    monthlyCost: formatUsd(plan.monthlyUsd),
  };
}

/** Looks at the room's prefixes on ECR now. A failure becomes the view's `error`, keeping the last good look. */
export async function lookAtEcr(resolved: ResolvedTarget, learners: readonly string[], previous: EcrView | undefined, now: () => Date = () => new Date()): Promise<EcrView> {
  const { planRoomSweep } = await import('../aws/cleanup.js');
  try {
    return ecrViewOf(await planRoomSweep(resolved, { learners, prefixesOnly: true }), learners, now());
  } catch (error) {
    const { explainAwsError } = await import('../aws/errors.js');
    const reason = explainAwsError(error, `ECR in ${resolved.region}`).split('\n')[0] ?? String(error);
    return { ...(previous ?? { region: resolved.region, accountId: resolved.accountId, learners: {}, monthlyUsd: 0, monthlyCost: formatUsd(0) }), checkedAt: now().toISOString(), error: reason };
  }
}
