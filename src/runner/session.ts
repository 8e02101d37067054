/**
 * A learner's session: the course, their progress, their target resolved, and the template
 * values and check context that follow. Built lazily so `status` stays fast: the target (which
 * may start the sandbox) and the AWS SDK load only when a check or a rendered command needs them.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { loadCourseFast } from '../course/cache.js';
import type { Course, CourseStep, Lesson } from '../course/load.js';
import { endpointUrlFor, parseAwsCliVersion, renderParams, type RenderContext } from '../course/render.js';
import type { Target } from '../course/schema.js';
import { buildVars, DEFAULT_PROFILE, type TemplateVars } from '../course/vars.js';
import { ProgressStore, type Progress } from '../progress/store.js';
import type { CheckContext, CheckResult } from '../check/types.js';
import type { ResolvedTarget } from '../targets/index.js';

/** Options every runner command accepts (global CLI options). */
export interface SessionOptions {
  target?: Target;
  region?: string;
  profile?: string;
  repo?: string;
  learner?: string;
  /** Say yes to confirmations (scripts). */
  yes?: boolean;
  home?: string;
  env?: NodeJS.ProcessEnv;
  /** Progress lines while something slow happens (the sandbox starting). */
  onProgress?: (message: string) => void;
  /** Sandbox folder override (tests). */
  sandboxDir?: string;
}

export interface Session {
  course: Course;
  store: ProgressStore;
  /** A warning from opening progress (a corrupt file moved aside). */
  warning?: string;
  settings: { target: Target; region?: string; profile: string; repo?: string; learner?: string };
}

/** Opens the course and the progress store, remembering any settings given on the command line. */
export async function openSession(options: SessionOptions = {}): Promise<Session> {
  const [course, opened] = await Promise.all([loadCourseFast(), ProgressStore.open({ home: options.home, target: options.target })]);
  const { store, warning } = opened;
  const given = {
    ...(options.target ? { target: options.target } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.learner ? { learner: options.learner } : {}),
  };
  if (Object.keys(given).length > 0) await store.setSettings(given);
  const p = store.progress;
  return {
    course,
    store,
    warning,
    settings: { target: p.target, region: p.region, profile: p.profile ?? DEFAULT_PROFILE, repo: options.repo, learner: p.learner },
  };
}

/** Step ids in course order. */
export function stepOrder(course: Course): string[] {
  return course.steps.map((s) => s.id);
}

/** The step the learner is on: the first one neither passed nor skipped. */
export function currentStep(session: Session): CourseStep | undefined {
  const id = session.store.currentStep(stepOrder(session.course));
  return session.course.steps.find((s) => s.id === id);
}

export function lessonOf(session: Session, step: CourseStep): Lesson {
  return session.course.lessons.find((l) => l.id === step.lessonId)!;
}

/**
 * Resolves the target (starting the sandbox when needed). On AWS it then shows the account,
 * caller and region and asks once per (account, region): --yes answers for scripts, and without
 * a terminal the question is a refusal that names --yes.
 */
export async function resolveTarget(session: Session, options: SessionOptions): Promise<ResolvedTarget> {
  const targets = await import('../targets/index.js');
  const base = { region: session.settings.region, profile: session.settings.profile, learner: session.settings.learner, repo: session.settings.repo, env: options.env ?? process.env };
  if (session.settings.target === 'aws') {
    const resolved = await targets.resolveAws(base);
    const { confirmAwsTarget } = await import('../aws/confirmation.js');
    await confirmAwsTarget(resolved, { stateDir: path.dirname(session.store.file), yes: options.yes });
    return resolved;
  }
  return targets.resolveSandbox({ ...base, target: 'sandbox', sandboxDir: options.sandboxDir }, options.onProgress);
}

/** Template values for the resolved target. */
export function templateVars(session: Session, resolved: ResolvedTarget): TemplateVars {
  const sandboxKeys = resolved.target === 'sandbox' && 'accessKeyId' in resolved.credentials ? resolved.credentials : undefined;
  return buildVars({
    target: resolved.target,
    region: resolved.region,
    account: resolved.accountId,
    registry: resolved.registryHost,
    repo: resolved.repositoryName,
    profile: session.settings.profile,
    assets: session.course.assetsDir,
    accessKeyId: sandboxKeys?.accessKeyId,
    secretAccessKey: sandboxKeys?.secretAccessKey,
  });
}

let cliVersionCache: Promise<string | undefined> | undefined;

/** `aws --version` of the learner's CLI (undefined when none is installed). */
export function awsCliVersion(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  cliVersionCache ??= new Promise((resolve) => {
    execFile('aws', ['--version'], { env, timeout: 15_000 }, (error, stdout, stderr) => resolve(error ? undefined : `${stdout}${stderr}`.trim()));
  });
  return cliVersionCache;
}

/** How lessons render for this learner: values, and --endpoint-url where their CLI needs it. */
export async function renderContext(session: Session, resolved: ResolvedTarget, env: NodeJS.ProcessEnv = process.env): Promise<RenderContext> {
  const version = resolved.target === 'sandbox' ? parseAwsCliVersion((await awsCliVersion(env)) ?? '') : undefined;
  return { target: resolved.target, vars: templateVars(session, resolved), endpointUrl: endpointUrlFor(resolved.target, resolved.endpoint, version) };
}

/** The check context for a step, with the quiz score when the step is a knowledge check. */
export async function contextFor(session: Session, resolved: ResolvedTarget, step: CourseStep, env: NodeJS.ProcessEnv = process.env): Promise<CheckContext> {
  const { checkContext } = await import('../targets/index.js');
  const vars = templateVars(session, resolved);
  const quiz = session.store.progress.quiz?.[step.lessonId];
  const total = lessonOf(session, step).quiz?.length ?? 0;
  const stateDir = path.dirname(session.store.file);
  return checkContext(resolved, env, {
    localImage: vars.image,
    tag: vars.tag,
    lastCiBuild: async () => (await import('../ci/record.js')).readLastBuild(stateDir),
    quizScore: quiz ? { answered: quiz.answers.length, correct: quiz.correct, total } : { answered: 0, correct: 0, total },
  });
}

/** Runs a step's check and records the outcome in progress (pass → passed, fail → failed), and reports it to the learner's classroom. */
export async function checkStep(session: Session, resolved: ResolvedTarget, step: CourseStep, env: NodeJS.ProcessEnv = process.env): Promise<CheckResult & { check: string; ms: number }> {
  const { runCheck } = await import('../check/registry.js');
  const ctx = await contextFor(session, resolved, step, env);
  const params = renderParams(step, templateVars(session, resolved));
  const result = await runCheck(step.check, ctx, params);
  const evidence = { summary: result.summary, evidence: result.evidence, diagnosis: result.diagnosis?.id };
  if (result.status === 'pass') await session.store.markPassed(step.id, evidence);
  else if (result.status === 'fail') await session.store.markFailed(step.id, evidence);
  // In a classroom, the instructor's board hears of it too: in the background, and never more
  // than the step, the outcome and the diagnosis id.
  const classroom = session.store.progress.classroom;
  if (classroom) (await import('../classroom/reporter.js')).reportCheck(classroom, { step: step.id, status: result.status, ...(result.diagnosis ? { diagnosis: result.diagnosis.id } : {}) });
  return result;
}

export type { Progress };
