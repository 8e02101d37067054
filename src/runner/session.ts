/**
 * A learner's session: the course, their progress, their target resolved, and the template
 * values and check context that follow. Built lazily so `status` stays fast: the target (which
 * may start the sandbox) and the AWS SDK load only when a check or a rendered command needs them.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { loadCourseFast } from '../course/cache.js';
import type { Course, CourseStep, Lesson } from '../course/load.js';
import { endpointUrlFor, parseAwsCliVersion, renderParams, renderShellCommand, renderTemplate, type RenderContext } from '../course/render.js';
import type { Target } from '../course/schema.js';
import { solutionFor } from '../course/target.js';
import { buildVars, DEFAULT_PROFILE, type TemplateVars } from '../course/vars.js';
import { isKnownRegion } from '../aws/regions.js';
import { detectClient, type ContainerClient } from '../docker/client.js';
import { ProgressStore, type Progress } from '../progress/store.js';
import { SECOND_ACCOUNT_ID } from '../sandbox/config.js';
import type { CheckContext, CheckResult, Diagnosis, Facts } from '../check/types.js';
import type { ResolvedTarget } from '../targets/index.js';

/** Options every runner command accepts (global CLI options). */
export interface SessionOptions {
  target?: Target;
  region?: string;
  profile?: string;
  repo?: string;
  learner?: string;
  /** Lesson 11 on AWS: the learner's second account (12 digits). */
  partnerAccount?: string;
  /** The container client the learner types (remembered); detected when never chosen. */
  client?: ContainerClient;
  /** The port to start the sandbox on, when the workbook starts it. */
  port?: number;
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
  /** A warning from opening progress (a corrupt file moved aside, a remembered region that does not exist). */
  warning?: string;
  settings: { target: Target; region?: string; profile: string; repo?: string; learner?: string; partnerAccount?: string; client?: ContainerClient; port?: number };
}

/** Opens the course and the progress store, remembering any settings given on the command line. */
export async function openSession(options: SessionOptions = {}): Promise<Session> {
  const [course, opened] = await Promise.all([loadCourseFast(), ProgressStore.open({ home: options.home, target: options.target })]);
  const { store, warning } = opened;
  // Only a real region is remembered (the CLI refuses others before this): a made-up one would
  // end up in every command a lesson shows.
  if (options.region && !isKnownRegion(options.region)) throw new Error(`'${options.region}' is not an AWS region.`);
  const given = {
    ...(options.target ? { target: options.target } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.learner ? { learner: options.learner } : {}),
    ...(options.partnerAccount ? { partnerAccount: options.partnerAccount } : {}),
    ...(options.client ? { client: options.client } : {}),
  };
  if (Object.keys(given).length > 0) await store.setSettings(given);
  let notes = warning;
  const remembered = store.progress.region;
  if (remembered && !isKnownRegion(remembered)) {
    // Remembered by an older version that did not check: forget it rather than render it.
    await store.setSettings({ region: undefined });
    notes = [notes, `Your progress remembered the region '${remembered}', which is not an AWS region; it is forgotten. Pass --region (for example --region us-east-1) to choose one.`].filter(Boolean).join('\n');
  }
  const p = store.progress;
  return {
    course,
    store,
    ...(notes ? { warning: notes } : {}),
    settings: { target: p.target, region: p.region, profile: p.profile ?? DEFAULT_PROFILE, repo: options.repo, learner: p.learner, partnerAccount: p.partnerAccount, client: p.client, port: options.port },
  };
}

const detected = new Map<string, Promise<ContainerClient>>();

/** The learner's container client: the one they chose (remembered), else what this machine has. */
export function clientOf(session: Session, env: NodeJS.ProcessEnv = process.env): Promise<ContainerClient> {
  if (session.settings.client) return Promise.resolve(session.settings.client);
  const key = env.PATH ?? '';
  if (!detected.has(key)) detected.set(key, detectClient(env));
  return detected.get(key)!;
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
  return targets.resolveSandbox(
    {
      ...base,
      target: 'sandbox',
      sandboxDir: options.sandboxDir,
      port: session.settings.port ?? options.port,
      // A learner who chose podman gets their ECS tasks run by podman too.
      ...(session.settings.client ? { containerClient: session.settings.client } : {}),
    },
    options.onProgress,
  );
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
    // The sandbox hosts its own second account; on AWS it is the learner's (--partner-account).
    partnerAccount: resolved.target === 'sandbox' ? SECOND_ACCOUNT_ID : session.settings.partnerAccount,
    assets: session.course.assetsDir,
    accessKeyId: sandboxKeys?.accessKeyId,
    secretAccessKey: sandboxKeys?.secretAccessKey,
  });
}

const cliVersions = new Map<string, Promise<string | undefined>>();

/** `aws --version` of the learner's CLI, the first `aws` on env's PATH (undefined when none is installed). */
export function awsCliVersion(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const key = env.PATH ?? '';
  if (!cliVersions.has(key)) {
    cliVersions.set(
      key,
      new Promise((resolve) => {
        execFile('aws', ['--version'], { env, timeout: 15_000 }, (error, stdout, stderr) => resolve(error ? undefined : `${stdout}${stderr}`.trim()));
      }),
    );
  }
  return cliVersions.get(key)!;
}

/** How lessons render for this learner: values, --endpoint-url where their CLI needs it, and their container client. */
export async function renderContext(session: Session, resolved: ResolvedTarget, env: NodeJS.ProcessEnv = process.env): Promise<RenderContext> {
  const [version, client] = await Promise.all([resolved.target === 'sandbox' ? awsCliVersion(env).then((v) => parseAwsCliVersion(v ?? '')) : undefined, clientOf(session, env)]);
  return { target: resolved.target, vars: templateVars(session, resolved), endpointUrl: endpointUrlFor(resolved.target, resolved.endpoint, version), client };
}

/** What the last passing check of `check` recorded (the first pass's facts are kept: see checkStep). */
function factsOf(session: Session, check: string): Facts | undefined {
  for (const step of session.course.steps) {
    const recorded = session.store.progress.steps[step.id];
    if (step.check === check && recorded?.status === 'passed') return (recorded.evidence as { facts?: Facts } | undefined)?.facts;
  }
  return undefined;
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
    profile: session.settings.profile,
    client: await clientOf(session, env),
    solutionOf: (check) => {
      const owner = session.course.steps.find((s) => s.check === check);
      return owner && solutionFor(owner, resolved.target).map((cmd) => renderTemplate(cmd, vars, { quote: true }));
    },
    factsOf: (check) => factsOf(session, check),
    quizScore: quiz ? { answered: quiz.answers.length, correct: quiz.correct, total } : { answered: 0, correct: 0, total },
  });
}

/** A result whose fix commands are rendered for the learner's aws CLI and container client, as lessons are. */
export function renderFixes<T extends CheckResult>(result: T, ctx: Parameters<typeof renderShellCommand>[1]): T {
  const render = (d: Diagnosis): Diagnosis => (d.command ? { ...d, command: renderShellCommand(d.command, ctx) } : d);
  return { ...result, ...(result.diagnosis ? { diagnosis: render(result.diagnosis) } : {}), ...(result.more ? { more: result.more.map(render) } : {}) };
}

/** Runs a step's check without recording anything (`status --verify`): what it finds now. */
export async function verifyStep(session: Session, resolved: ResolvedTarget, step: CourseStep, env: NodeJS.ProcessEnv = process.env): Promise<CheckResult & { check: string; ms: number }> {
  const { runCheck } = await import('../check/registry.js');
  const [ctx, render] = await Promise.all([contextFor(session, resolved, step, env), renderContext(session, resolved, env)]);
  return renderFixes(await runCheck(step.check, ctx, renderParams(step, render.vars)), render);
}

/**
 * Runs a step's check, records the outcome in progress (pass → passed, fail → failed), and
 * reports it to the learner's classroom. The facts of a step's first pass are kept through later
 * passes: lesson 08 counts pulls from the moment lesson 07's push was first verified, not from a
 * re-check after it.
 */
export async function checkStep(session: Session, resolved: ResolvedTarget, step: CourseStep, env: NodeJS.ProcessEnv = process.env): Promise<CheckResult & { check: string; ms: number }> {
  const result = await verifyStep(session, resolved, step, env);
  const prior = session.store.progress.steps[step.id];
  const priorFacts = prior?.status === 'passed' ? (prior.evidence as { facts?: Facts } | undefined)?.facts : undefined;
  const facts = priorFacts ?? result.facts;
  const evidence = { summary: result.summary, evidence: result.evidence, diagnosis: result.diagnosis?.id, ...(facts ? { facts } : {}) };
  if (result.status === 'pass') await session.store.markPassed(step.id, evidence);
  else if (result.status === 'fail') await session.store.markFailed(step.id, evidence);
  // In a classroom, the instructor's board hears of it too: in the background, and never more
  // than the step, the outcome and the diagnosis id.
  const classroom = session.store.progress.classroom;
  if (classroom) (await import('../classroom/reporter.js')).reportCheck(classroom, { step: step.id, status: result.status, ...(result.diagnosis ? { diagnosis: result.diagnosis.id } : {}) });
  return result;
}

export type { Progress };
