/** The real-AWS commands: `cleanup` (delete what the course created) and `iam-policy`. */
import { EXIT, ExitError } from '../errors.js';
import { resolveWithSpinner, session, type GlobalOptions } from './course.js';
import { openSession } from '../../runner/session.js';

const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

async function askYesNo(question: string): Promise<boolean> {
  const { default: Enquirer } = await import('enquirer');
  try {
    const answer = (await Enquirer.prompt({ type: 'confirm', name: 'ok', message: question, initial: false })) as { ok: boolean };
    return answer.ok;
  } catch {
    return false;
  }
}

/** `cleanup [--dry-run] [--yes] [--json]`: shows what the course created, with its cost, and deletes only that. */
export async function cleanup(opts: GlobalOptions & { dryRun?: boolean }): Promise<void> {
  const messages = await import('../../aws/messages.js');
  const { planCleanup, deleteOwned } = await import('../../aws/cleanup.js');
  const { explainAwsError } = await import('../../aws/errors.js');
  const s = await session(opts);
  const resolved = await resolveWithSpinner(s, opts);
  if (resolved.target === 'aws' && !resolved.callerArn) throw new ExitError(messages.leftoversUnknown(resolved.identityProblem ?? 'no credentials'), EXIT.unable);
  let plan: Awaited<ReturnType<typeof planCleanup>>;
  try {
    plan = await planCleanup(resolved, { progress: s.store.progress });
  } catch (error) {
    throw new ExitError(explainAwsError(error, resolved.target === 'aws' ? `ECR in ${resolved.region}` : 'the sandbox'), EXIT.unable);
  }
  const report = (action: string) => (r: (typeof plan.owned)[number]) => ({ ...r, action });

  if (!opts.json) {
    out(messages.cleanupWhere(plan.target, plan.accountId, plan.region));
    if (plan.owned.length === 0) out(messages.cleanupNothingOwned);
    else out([messages.cleanupOwnedHeader(plan.owned.length), ...plan.owned.map((r) => `  ${messages.repositoryLine(r, plan.free)}`), messages.cleanupTotal(plan.monthlyUsd, plan.free)].join('\n'));
    if (plan.notOwned.length > 0) {
      out(
        [
          '',
          messages.cleanupNotOwnedHeader,
          ...plan.notOwned.map((r) => `  ${messages.repositoryLine(r, plan.free)}${r.ownership === 'other-learner' ? ` (${messages.cleanupOtherLearner(r.learner ?? '')})` : ''}`),
        ].join('\n'),
      );
    }
    if (plan.otherLearners > 0) out(messages.cleanupOtherLearners(plan.otherLearners));
    if (!plan.listedAll) out(messages.cleanupListLimited);
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
        repositories: [...owned, ...plan.notOwned.map(report('kept'))],
        otherLearners: plan.otherLearners,
      }),
    );

  if (opts.dryRun || plan.owned.length === 0) {
    if (opts.json) json(plan.owned.map(report(opts.dryRun ? 'would-delete' : 'deleted')));
    else if (opts.dryRun && plan.owned.length > 0) out(`\n${messages.cleanupDryRun}`);
    return;
  }
  if (!opts.yes) {
    if (!process.stdin.isTTY || !process.stdout.isTTY) throw new ExitError(messages.cleanupNeedsYes, EXIT.unable);
    if (!(await askYesNo(messages.cleanupConfirm(plan.owned.length)))) {
      out(messages.cleanupDeclined);
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
    if (failed.length === 0) out(messages.cleanupDone(plan.free));
  }
  if (failed.length > 0) process.exitCode = EXIT.failed;
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
