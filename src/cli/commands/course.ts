/** The learner's commands: check, watch, hint, status, lessons, lesson, reset, and the course linter. */
import { EXIT, ExitError } from '../errors.js';
import type { SessionOptions } from '../../runner/session.js';
import { checkStep, clientOf, currentStep, lessonOf, openSession, renderContext, resolveTarget, stepOrder, templateVars, type Session } from '../../runner/session.js';
import { colorEnabled, renderLesson, renderStep, renderTemplate, terminalWidth } from '../../course/render.js';
import { isPassed } from '../../progress/store.js';
import { formatResult, painter } from '../../runner/format.js';
import { findDrift, formatStatus, lessonStatuses, type Drift } from '../../runner/status.js';
import type { CourseStep } from '../../course/load.js';
import type { ResolvedTarget } from '../../targets/index.js';
import type { SandboxRuntime } from '../../sandbox/runtime.js';
import { startSpinner } from '../../util/spinner.js';
import { loadBankFast, loadDrillsFast } from '../../course/cache.js';
import { orderTopics, practiceSummary, practiceTable } from '../../quiz/practice.js';
import { statusLine } from '../../drills/messages.js';

const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
const warn = (text: string) => process.stderr.write(`warning: ${text}\n`);

export interface GlobalOptions extends SessionOptions {
  json?: boolean;
}

/** Opens the learner's session; its warning (a progress file moved aside) goes to stderr. */
export async function session(opts: GlobalOptions): Promise<Session> {
  const s = await openSession(opts);
  if (s.warning) warn(s.warning);
  return s;
}

/**
 * The step a command is about: a step id, a lesson (id or number: `03`, `3`, `create-repository`)
 * meaning its first step not yet passed, or by default the current step. Undefined when the
 * course is complete and no step was named.
 */
function findStep(s: Session, stepId: string | undefined): CourseStep | undefined {
  if (!stepId) return currentStep(s);
  const byId = s.course.steps.find((st) => st.id === stepId);
  if (byId) return byId;
  const lesson = s.course.lessons.find((l) => l.id === stepId || (/^\d{1,2}$/.test(stepId) && l.number === Number(stepId)));
  if (!lesson) throw new ExitError(`There is no step or lesson '${stepId}'. The steps are listed by: ecr-workbook lessons`, EXIT.unable);
  const steps = s.course.steps.filter((st) => st.lessonId === lesson.id);
  return steps.find((st) => !isPassed(s.store.progress, st.id)) ?? steps[0];
}

const COURSE_COMPLETE = 'Every step is done. Well done! See `ecr-workbook status` (add --verify to re-check them all), or `ecr-workbook reset` to start again.';

function findStepOrExit(s: Session, stepId: string | undefined): CourseStep {
  const step = findStep(s, stepId);
  if (!step) throw new ExitError(COURSE_COMPLETE, EXIT.ok);
  return step;
}

/**
 * Resolves the target with a spinner while the sandbox starts (quiet for --json or without a
 * terminal on stderr, unless told); `ready`, when given, is said once the sandbox is up.
 */
export async function resolveWithSpinner(s: Session, opts: GlobalOptions, options: { quiet?: boolean; ready?: string } = {}): Promise<ResolvedTarget> {
  const quiet = options.quiet ?? (opts.json || !process.stderr.isTTY);
  let spinner: ReturnType<typeof startSpinner> | undefined;
  try {
    const resolved = await resolveTarget(s, {
      ...opts,
      onProgress: (m) => {
        spinner ??= startSpinner('starting the ECR sandbox', { quiet });
        spinner.update(m);
      },
    });
    if (options.ready) spinner?.succeed(options.ready);
    for (const w of resolved.warnings ?? []) warn(w);
    return resolved;
  } catch (error) {
    spinner?.fail('could not reach the target');
    throw new ExitError(`${(error as Error).message}`, EXIT.unable);
  } finally {
    spinner?.stop();
  }
}

/** `check [step]`: exit 0 pass, 1 fail, 2 could not check. With --json, stdout is JSON whatever happens. */
export async function check(stepId: string | undefined, opts: GlobalOptions): Promise<void> {
  const s = await session(opts);
  const step = findStep(s, stepId);
  if (!step) {
    out(opts.json ? JSON.stringify({ step: null, status: 'complete', summary: COURSE_COMPLETE }) : COURSE_COMPLETE);
    return;
  }
  const resolved = await resolveWithSpinner(s, opts);
  const result = await checkStep(s, resolved, step, opts.env);
  const vars = templateVars(s, resolved);
  // Template values only: the title needs no aws CLI version (asking for it costs a process).
  const title = renderTemplate(step.title, vars);
  if (opts.json) {
    out(JSON.stringify({ step: step.id, lesson: step.lessonId, title, ...result }));
  } else {
    out(formatResult(title, result));
    if (result.status === 'pass') {
      const next = currentStep(s);
      if (next) out(`\nNext: ${renderTemplate(next.title, vars)} (lesson ${lessonOf(s, next).number}). Run \`ecr-workbook\` to read it, or \`ecr-workbook check\` when you have done it.`);
      else out('\nThat was the last step of the course. Well done!');
    } else if (result.status === 'fail') out(`\nA hint: ecr-workbook hint ${step.id}`);
  }
  process.exitCode = result.status === 'pass' ? EXIT.ok : result.status === 'fail' ? EXIT.failed : EXIT.unable;
}

/** A step (default: the current one) rendered for the learner's target: title, hints, solution. */
async function renderedStep(stepId: string | undefined, opts: GlobalOptions) {
  const s = await session(opts);
  const step = findStepOrExit(s, stepId);
  const resolved = await resolveWithSpinner(s, opts);
  return { step, rendered: renderStep(step, await renderContext(s, resolved, opts.env)) };
}

/** `hint [step] [--all]`: the hints, gentle first. */
export async function hint(stepId: string | undefined, opts: GlobalOptions & { all?: boolean; level?: number }): Promise<void> {
  const { step, rendered } = await renderedStep(stepId, opts);
  const level = Math.min(Math.max(opts.level ?? 1, 1), rendered.hints.length);
  const shown = opts.all ? rendered.hints : rendered.hints.slice(0, level);
  if (opts.json) {
    out(JSON.stringify({ step: step.id, hints: shown, total: rendered.hints.length }));
    return;
  }
  out(`${painter().bold(rendered.title)}`);
  shown.forEach((h, i) => out(`  Hint ${i + 1}/${rendered.hints.length}: ${h}`));
  if (!opts.all && level < rendered.hints.length) out(`\nMore specific: ecr-workbook hint ${step.id} --level ${level + 1}   (or --all)`);
}

/** `solution [step]`: the reference commands, rendered for the learner's target. */
export async function solution(stepId: string | undefined, opts: GlobalOptions): Promise<void> {
  const { step, rendered } = await renderedStep(stepId, opts);
  if (opts.json) out(JSON.stringify({ step: step.id, solution: rendered.solution }));
  else out([painter().bold(rendered.title), ...rendered.solution.map((c) => `  ${c}`)].join('\n'));
}

/** `skip [step]`: recorded as skipped, never as passed. */
export async function skip(stepId: string | undefined, opts: GlobalOptions): Promise<void> {
  const s = await session(opts);
  const step = findStepOrExit(s, stepId);
  await s.store.markSkipped(step.id);
  if (opts.json) out(JSON.stringify({ step: step.id, status: 'skipped' }));
  else out(`Skipped '${step.id}' (recorded as skipped, not passed). Come back with: ecr-workbook check ${step.id}`);
}

/** The region the course works in: the remembered one, else what the target would use. */
async function effectiveRegion(s: Session, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (s.settings.region) return s.settings.region;
  if (s.settings.target === 'aws') return (await import('../../targets/aws.js')).awsRegion({ profile: s.settings.profile, env });
  // The sandbox's: the running (or last) one's, else the region a fresh sandbox starts in.
  const [{ readRuntimeFile }, { DEFAULT_REGION }, { sandboxHome }] = await Promise.all([import('../../util/daemon.js'), import('../../sandbox/config.js'), import('../../paths.js')]);
  return (await readRuntimeFile<SandboxRuntime>(sandboxHome()))?.region ?? DEFAULT_REGION;
}

/** `status [--verify] [--json]`: a progress bar per lesson. Fast without --verify: no SDK, no sandbox. */
export async function status(opts: GlobalOptions & { verify?: boolean }): Promise<void> {
  const s = await session(opts);
  const progress = s.store.progress;
  const env = opts.env ?? process.env;
  const current = currentStep(s);
  let drift: Map<string, Drift> | undefined;
  if (opts.verify) {
    const resolved = await resolveWithSpinner(s, opts);
    const spinner = startSpinner('re-checking the passed steps', { quiet: opts.json || !process.stderr.isTTY });
    try {
      drift = await findDrift(s, resolved, env);
    } finally {
      spinner.stop();
    }
  }
  const lessons = lessonStatuses(s, drift);
  const [region, client] = await Promise.all([effectiveRegion(s, env), clientOf(s, env)]);
  // On AWS, what the course left there (and its cost); the sandbox path stays fast.
  const left =
    progress.target === 'aws'
      ? await (await import('../../aws/cleanup.js')).awsStatusLeftovers({ region: s.settings.region, profile: s.settings.profile, learner: s.settings.learner, repo: s.settings.repo }, progress, opts.env)
      : undefined;
  const total = stepOrder(s.course).length;
  const passed = lessons.reduce((n, l) => n + l.passed, 0);
  // Interview practice per topic, from the stored review cards (no scheduler loaded).
  const [bank, drills] = await Promise.all([loadBankFast(), loadDrillsFast()]);
  // Break-fix drills per topic: solved counts only a drill whose check passed, never one given up.
  const tallies = drills.drills.map((d) => ({ topic: d.topic, solved: progress.drills?.results?.[d.id]?.outcome === 'solved' }));
  const practice = practiceSummary(orderTopics(bank, (id) => s.course.lessons.find((l) => l.id === id)?.number), progress.review, new Date(), tallies);
  if (opts.json) {
    // The classroom without its token: status output gets pasted into chats.
    const classroom = progress.classroom ? { url: progress.classroom.url, name: progress.classroom.name, code: progress.classroom.code } : null;
    out(
      JSON.stringify({
        target: progress.target,
        region: region ?? null,
        profile: s.settings.profile,
        learner: progress.learner ?? null,
        client,
        currentStep: current?.id ?? null,
        passed,
        total,
        lessons,
        practice,
        drills: { ...practice.drills, current: progress.drills?.current?.id ?? null },
        classroom,
        ...(drift ? { verified: true, drifted: [...drift.keys()] } : {}),
        ...(left ? { onAws: left.plan ?? null } : {}),
      }),
    );
    return;
  }
  const p = painter();
  out(`${p.bold('ecr-workbook')}: target ${progress.target}${region ? `, region ${region}` : ''}, profile ${s.settings.profile}, client ${client}${progress.learner ? `, learner ${progress.learner}` : ''}`);
  out(formatStatus(s, lessons, p).join('\n'));
  if (left) out(`\n${left.text}`);
  if (progress.classroom) out(`\nYour checks are reported to the classroom at ${progress.classroom.url} as ${progress.classroom.name} (leave with \`ecr-workbook leave\`).`);
  const drifted = drift ? [...drift.values()].filter((d) => !d.afterCleanUp).length : 0;
  out(
    `\n${passed} of ${total} steps passed.${current ? ` Next: ${current.id} (lesson ${lessonOf(s, current).number}); check it with \`ecr-workbook check\`.` : ' The course is complete.'}` +
      (drift ? (drifted ? '' : passed ? ' Every passed step still holds.' : '') : passed ? ' Re-check the passed steps against real state with: ecr-workbook status --verify' : ''),
  );
  out(`\n${p.bold('Interview practice')}: ${practice.due} due, ${practice.seen} of ${practice.questions} questions seen, ${practice.mastered} mastered. Practise with \`ecr-workbook quiz\`.`);
  for (const row of practiceTable(practice.topics)) out(row);
  const drill = progress.drills?.current;
  out(`${p.bold('Break-fix drills')} (the drills column): ${statusLine(practice.drills!.solved, practice.drills!.total, drill?.id)}`);
}

/** `lessons`: the lesson list, each with its step ids (what `check`, `hint` and `skip` take). */
export async function lessons(opts: GlobalOptions): Promise<void> {
  const s = await session(opts);
  if (opts.json) {
    out(JSON.stringify(s.course.lessons.map((l) => ({ number: l.number, id: l.id, title: l.title, minutes: l.minutes, steps: l.steps.map((st) => st.id) }))));
    return;
  }
  const p = painter();
  for (const l of s.course.lessons) {
    const done = l.steps.every((st) => isPassed(s.store.progress, st.id));
    out(`${done ? '✔' : ' '} ${String(l.number).padStart(2, '0')}  ${l.id.padEnd(22)} ${l.title} (${l.minutes} min)`);
    out(p.dim(`      step${l.steps.length > 1 ? 's' : ''}: ${l.steps.map((st) => `${st.id}${isPassed(s.store.progress, st.id) ? ' ✔' : ''}`).join(', ')}`));
  }
  out('\nRead one with: ecr-workbook lesson <number or id>. Check a step with: ecr-workbook check <step id or lesson number>');
}

/** `lesson [id]`: the lesson rendered for the learner's target. */
export async function lesson(id: string | undefined, opts: GlobalOptions): Promise<void> {
  const s = await session(opts);
  const lessonRecord = id ? s.course.lessons.find((l) => l.id === id || String(l.number) === id.replace(/^0/, '')) : (() => {
    const step = currentStep(s);
    return step ? lessonOf(s, step) : s.course.lessons[0];
  })();
  if (!lessonRecord) throw new ExitError(`There is no lesson '${id}'. See the list with: ecr-workbook lessons`, EXIT.unable);
  const resolved = await resolveWithSpinner(s, opts);
  // marked-terminal is heavy: loaded only to show a lesson.
  const { toTerminal } = await import('../../course/terminal.js');
  const markdown = renderLesson(lessonRecord, await renderContext(s, resolved, opts.env));
  out(opts.json ? JSON.stringify({ id: lessonRecord.id, markdown }) : toTerminal(markdown, { color: colorEnabled(), width: terminalWidth() }));
}

/** `reset [--yes]`: forget progress (settings are kept). */
export async function reset(opts: GlobalOptions): Promise<void> {
  if (!opts.yes) {
    if (!process.stdin.isTTY) throw new ExitError('reset forgets all your progress. Run `ecr-workbook reset --yes` to confirm.', EXIT.unable);
    const { default: Enquirer } = await import('enquirer');
    const answer = (await Enquirer.prompt({ type: 'confirm', name: 'ok', message: 'Forget all your progress (your AWS or sandbox resources are not touched)?', initial: false })) as { ok: boolean };
    if (!answer.ok) {
      out('Nothing was reset.');
      return;
    }
  }
  const s = await session(opts);
  await s.store.reset();
  out(opts.json ? JSON.stringify({ reset: true }) : 'Progress reset. Start again with: ecr-workbook');
}
