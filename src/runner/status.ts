/**
 * The learner's progress per lesson, and what has drifted since: `status` and the menu's
 * Status show the same lines. Progress says what the learner achieved; `--verify` re-runs the
 * passed checks against real state now (recording nothing) and shows what no longer holds.
 */
import type { CheckResult } from '../check/types.js';
import type { CourseStep } from '../course/load.js';
import { summarize, type StepStatus } from '../progress/store.js';
import type { ResolvedTarget } from '../targets/index.js';
import { formatResult, painter, progressBar, type Painter } from './format.js';
import { currentStep, verifyStep, type Session } from './session.js';

/** A passed step whose check no longer passes. */
export interface Drift extends Pick<CheckResult, 'status' | 'summary' | 'evidence' | 'diagnosis' | 'more'> {
  /** The course's clean-up step (lesson 09) passed after it: deleting is what made it fail. */
  afterCleanUp: boolean;
}

export interface LessonStatus {
  number: number;
  id: string;
  title: string;
  steps: { id: string; status: StepStatus | 'pending'; drift?: Drift }[];
  passed: number;
  skipped: number;
}

/** Each lesson's steps and counts, with the drift found (if verified). */
export function lessonStatuses(session: Session, drift: ReadonlyMap<string, Drift> = new Map()): LessonStatus[] {
  const progress = session.store.progress;
  return session.course.lessons.map((lesson) => {
    const ids = lesson.steps.map((st) => st.id);
    const steps = ids.map((id) => {
      const found = drift.get(id);
      return { id, status: progress.steps[id]?.status ?? ('pending' as const), ...(found ? { drift: found } : {}) };
    });
    const { passed, skipped } = summarize(progress, ids);
    return { number: lesson.number, id: lesson.id, title: lesson.title, steps, passed, skipped };
  });
}

/** Re-runs every passed step's check (recording nothing); the steps that no longer pass, with what each found. */
export async function findDrift(session: Session, resolved: ResolvedTarget, env: NodeJS.ProcessEnv = process.env): Promise<Map<string, Drift>> {
  const passed = session.course.steps.filter((s) => session.store.progress.steps[s.id]?.status === 'passed');
  const cleanUp = passed.find((s) => s.check === 'repository-deleted');
  const drift = new Map<string, Drift>();
  // One at a time: checks share the docker daemon and the learner's credentials, and are fast.
  for (const step of passed) {
    const result = await verifyStep(session, resolved, step, env);
    if (result.status === 'pass') continue;
    const { status, summary, evidence, diagnosis, more } = result;
    drift.set(step.id, { status, summary, evidence, ...(diagnosis ? { diagnosis } : {}), ...(more ? { more } : {}), afterCleanUp: isBefore(step, cleanUp) });
  }
  return drift;
}

const isBefore = (step: CourseStep, other: CourseStep | undefined): boolean => !!other && step.index < other.index;

/** The status lines: a bar per lesson, then each drifted step with what it found and its fix. */
export function formatStatus(session: Session, lessons: LessonStatus[], p: Painter = painter()): string[] {
  const current = currentStep(session);
  const lines: string[] = [];
  for (const l of lessons) {
    const done = l.passed + l.skipped;
    const drifted = l.steps.filter((s) => s.drift && !s.drift.afterCleanUp);
    const mark =
      drifted.length > 0
        ? p.red('!')
        : l.passed === l.steps.length
          ? p.green('✔')
          : l.skipped > 0 && done === l.steps.length
            ? p.yellow('~')
            : current && current.lessonId === l.id
              ? p.yellow('▶')
              : ' ';
    lines.push(`${mark} ${String(l.number).padStart(2, '0')} ${l.title.padEnd(38)} ${progressBar(l.passed, l.steps.length)}${l.skipped ? p.dim(` (${l.skipped} skipped)`) : ''}`);
  }
  const drifts = lessons.flatMap((l) => l.steps.filter((s) => s.drift).map((s) => ({ id: s.id, drift: s.drift! })));
  const real = drifts.filter((d) => !d.drift.afterCleanUp);
  if (real.length > 0) {
    lines.push('', p.bold(`Passed before, not any more (${real.length}):`));
    for (const { id, drift } of real) lines.push(formatResult(id, { ...drift }, p).replace(/^/gm, '  '));
  }
  const cleaned = drifts.length - real.length;
  if (cleaned > 0) lines.push('', p.dim(`${cleaned} earlier step(s) look at what lesson 09 deleted: after clean-up their checks fail by design.`));
  return lines;
}
