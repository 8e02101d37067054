/** The real-AWS commands: `cleanup` (delete what the course created) and `iam-policy`. */
import { EXIT, ExitError } from '../errors.js';
import { resolveWithSpinner, session, type GlobalOptions } from './course.js';
import { openSession } from '../../runner/session.js';
import type { CleanupPlan, CourseRepository } from '../../aws/cleanup.js';
import type { ResolvedTarget } from '../../targets/index.js';

const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

/** Asks a yes/no question in the terminal; no (or Ctrl-C) is false. */
export async function askYesNo(question: string): Promise<boolean> {
  const { default: Enquirer } = await import('enquirer');
  try {
    const answer = (await Enquirer.prompt({ type: 'confirm', name: 'ok', message: question, initial: false })) as { ok: boolean };
    return answer.ok;
  } catch {
    return false;
  }
}

/** The words a cleanup-like command (`cleanup`, `classroom sweep`) prints around its plan. */
export interface PlanWords {
  where: string;
  nothingOwned: string;
  ownedHeader(n: number): string;
  total(usd: number, free: boolean): string;
  notOwnedHeader: string;
  /** Why a kept repository is kept, after its line (or nothing). */
  kept(r: CourseRepository): string | undefined;
  otherLearners(n: number): string;
  listLimited: string;
  dryRun: string;
  needsYes: string;
  confirm(n: number): string;
  declined: string;
  done(free: boolean): string;
}

/**
 * Shows a plan (what is deleted, what is kept and why, the monthly cost), then, unless a dry
 * run, asks (or takes --yes) and deletes only the plan's owned repositories. Exit 1 when a
 * deletion failed. `cleanup` and `classroom sweep` both end here.
 */
export async function carryOutPlan(resolved: ResolvedTarget, plan: CleanupPlan, opts: { dryRun?: boolean; yes?: boolean; json?: boolean }, words: PlanWords, jsonExtra: object = {}): Promise<void> {
  const messages = await import('../../aws/messages.js');
  const { deleteOwned } = await import('../../aws/cleanup.js');
  const report = (action: string) => (r: CourseRepository) => ({ ...r, action });

  if (!opts.json) {
    out(words.where);
    if (plan.owned.length === 0) out(words.nothingOwned);
    else out([words.ownedHeader(plan.owned.length), ...plan.owned.map((r) => `  ${messages.repositoryLine(r, plan.free)}`), words.total(plan.monthlyUsd, plan.free)].join('\n'));
    if (plan.notOwned.length > 0) {
      out(['', words.notOwnedHeader, ...plan.notOwned.map((r) => `  ${messages.repositoryLine(r, plan.free)}${words.kept(r) ? ` (${words.kept(r)})` : ''}`)].join('\n'));
    }
    if (plan.otherLearners > 0) out(words.otherLearners(plan.otherLearners));
    if (!plan.listedAll) out(words.listLimited);
  }

  const json = (owned: object[]) =>
    out(
      JSON.stringify({
        target: plan.target,
        account: plan.accountId,
        region: plan.region,
        free: plan.free,
        dryRun: !!opts.dryRun,
        listedAll: plan.listedAll,
        monthlyUsd: plan.monthlyUsd,
        ...jsonExtra,
        repositories: [...owned, ...plan.notOwned.map(report('kept'))],
        otherLearners: plan.otherLearners,
      }),
    );

  if (opts.dryRun || plan.owned.length === 0) {
    if (opts.json) json(plan.owned.map(report(opts.dryRun ? 'would-delete' : 'deleted')));
    else if (opts.dryRun && plan.owned.length > 0) out(`\n${words.dryRun}`);
    return;
  }
  if (!opts.yes) {
    if (!process.stdin.isTTY || !process.stdout.isTTY) throw new ExitError(words.needsYes, EXIT.unable);
    if (!(await askYesNo(words.confirm(plan.owned.length)))) {
      out(words.declined);
      return;
    }
  }
  const outcomes = await deleteOwned(resolved, plan);
  const failed = outcomes.filter((o) => !o.deleted);
  if (opts.json) {
    json(plan.owned.map((r, i) => ({ ...r, action: outcomes[i]!.deleted ? 'deleted' : 'failed', ...(outcomes[i]!.error ? { error: outcomes[i]!.error } : {}) })));
  } else {
    out('');
    for (const o of outcomes) out(o.deleted ? messages.cleanupDeleted(o.name, o.region) : messages.cleanupFailed(o.name, o.region, o.error ?? ''));
    if (failed.length === 0) out(words.done(plan.free));
  }
  if (failed.length > 0) process.exitCode = EXIT.failed;
}

/** `cleanup [--dry-run] [--yes] [--json]`: shows what the course created, with its cost, and deletes only that. */
export async function cleanup(opts: GlobalOptions & { dryRun?: boolean }): Promise<void> {
  const messages = await import('../../aws/messages.js');
  const { planCleanup } = await import('../../aws/cleanup.js');
  const { explainAwsError } = await import('../../aws/errors.js');
  const s = await session(opts);
  const resolved = await resolveWithSpinner(s, opts);
  if (resolved.target === 'aws' && !resolved.callerArn) throw new ExitError(messages.leftoversUnknown(resolved.identityProblem ?? 'no credentials'), EXIT.unable);
  let plan: CleanupPlan;
  try {
    plan = await planCleanup(resolved, { progress: s.store.progress });
  } catch (error) {
    throw new ExitError(explainAwsError(error, resolved.target === 'aws' ? `ECR in ${resolved.region}` : 'the sandbox'), EXIT.unable);
  }
  await carryOutPlan(resolved, plan, opts, {
    where: messages.cleanupWhere(plan.target, plan.accountId, plan.region),
    nothingOwned: messages.cleanupNothingOwned,
    ownedHeader: messages.cleanupOwnedHeader,
    total: messages.cleanupTotal,
    notOwnedHeader: messages.cleanupNotOwnedHeader,
    kept: (r) => (r.ownership === 'other-learner' ? messages.cleanupOtherLearner(r.learner ?? '') : undefined),
    otherLearners: messages.cleanupOtherLearners,
    listLimited: messages.cleanupListLimited,
    dryRun: messages.cleanupDryRun,
    needsYes: messages.cleanupNeedsYes,
    confirm: messages.cleanupConfirm,
    declined: messages.cleanupDeclined,
    done: messages.cleanupDone,
  });
}

/** `iam-policy`: the least-privilege IAM policy for the course, as JSON on stdout. */
export async function iamPolicy(opts: GlobalOptions): Promise<void> {
  const { coursePolicy } = await import('../../aws/iam-policy.js');
  const messages = await import('../../aws/messages.js');
  const { repositoryNameFor } = await import('../../targets/index.js');
  const s = await openSession(opts);
  const repositoryName = repositoryNameFor({ learner: s.settings.learner, repo: s.settings.repo });
  out(JSON.stringify(coursePolicy(repositoryName, s.settings.region), null, 2));
  // The note goes to stderr so `ecr-workbook iam-policy > policy.json` stays valid JSON.
  if (process.stderr.isTTY && !opts.json) process.stderr.write(`\n${messages.iamPolicyNote(repositoryName)}\n`);
}
