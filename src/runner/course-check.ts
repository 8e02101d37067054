/**
 * The authoring linter (`ecr-workbook course check`), as rustlings' `dev check`: the schema
 * holds, every referenced check exists and every check is referenced, and, against a fresh
 * sandbox, each step's reference solution turns its check from fail to pass.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listCheckIds } from '../check/registry.js';
import { runShell as run, shellQuote } from '../util/shell.js';
import { sandboxHome } from '../paths.js';
import { removeRuntimeFile } from '../util/daemon.js';
import { taskEngine } from '../sandbox/ecs/containers.js';
import { announceInProcessSandbox } from '../sandbox/runtime.js';
import type { CheckResult } from '../check/types.js';
import { lessonsDir, readCourse, type Course, type CourseStep } from '../course/load.js';
import { renderStep, type RenderContext } from '../course/render.js';
import { scoreQuiz } from '../course/quiz.js';
import { bankDir, readBank } from '../quiz/bank.js';
import { lintBank, type Coverage } from '../quiz/lint.js';
import { drillsDir, readDrills } from '../drills/load.js';
import { lintDrills } from '../drills/lint.js';
import { SCENARIOS } from '../drills/scenarios/index.js';
import { DEFAULT_REPO, DEFAULT_TAG } from '../course/vars.js';
import { openSession, checkStep, lessonOf, templateVars, type Session } from './session.js';
import type { ResolvedTarget } from '../targets/index.js';
import type { ContainerClient } from '../docker/client.js';
import { removeRepositoryImages, retryBuildRace } from '../docker/cli.js';

/**
 * Static problems: schema and cross-references, the question bank beside the lessons (its
 * schema, and lintBank: sources, stems, real errors, command rules, coverage), and the break-fix
 * drills (their schema, and lintDrills: scenarios, topics). Empty when the course is sound. `dir`
 * is the lessons folder, `checks` the checks folder (defaults: the shipped ones).
 */
export async function lintCourse(dir?: string, checksFolder?: string): Promise<{ course?: Course; problems: string[]; coverage?: Coverage }> {
  const { course, problems } = await readCourse(dir);
  if (!course) return { problems };
  const read = await readBank(bankDir(course.dir));
  problems.push(...read.problems);
  const coverage = read.bank ? lintBank(read.bank, course) : undefined;
  if (coverage) problems.push(...coverage.problems);
  const drills = await readDrills(drillsDir(course.dir));
  problems.push(...drills.problems);
  if (drills.drills) problems.push(...lintDrills(drills.drills.drills, read.bank?.topics.map((t) => t.id), Object.keys(SCENARIOS)));
  const checks = listCheckIds(checksFolder);
  const referenced = new Set(course.steps.map((s) => s.check));
  for (const step of course.steps) {
    if (!checks.includes(step.check)) problems.push(`lessons: step '${step.id}' names check '${step.check}', but there is no checks/${step.check}.ts`);
  }
  for (const id of checks) if (!referenced.has(id)) problems.push(`checks/${id}.ts is not used by any lesson step`);
  return { course, problems, ...(coverage ? { coverage: coverage.coverage } : {}) };
}

export interface ReplayStep {
  step: string;
  before: CheckResult['status'];
  after: CheckResult['status'];
  commands: { command: string; code: number; output: string }[];
  /** Failed before, every command exited 0, and passed after. */
  ok: boolean;
  afterSummary: string;
  beforeDiagnosis?: string;
}

export interface ReplayOptions {
  /** The aws CLI to run the solutions with (a path). */
  awsCli: string;
  /** The container client the lessons are rendered for and run with (default docker). */
  client?: ContainerClient;
  /** Whether that CLI reads AWS_ENDPOINT_URL_* (else commands get --endpoint-url). */
  readsEndpointEnv: boolean;
  /** A repository name of its own, so parallel replays do not share local image names. */
  repo?: string;
  onStep?: (result: ReplayStep) => void;
  /** Called before each step's first check, with what a benchmark needs to run checks itself. */
  beforeStep?: (step: CourseStep, session: Session, resolved: ResolvedTarget, env: NodeJS.ProcessEnv) => Promise<void>;
  /** Where to start the throwaway sandbox and the learner's home. */
  workDir?: string;
}

/**
 * Replays the course against a fresh in-process sandbox with the real docker and aws CLIs,
 * in a throwaway HOME: check (must fail), run the reference solution, check (must pass).
 */
export async function replayCourse(options: ReplayOptions): Promise<ReplayStep[]> {
  const { startSandbox } = await import('../sandbox/index.js');
  const { learnerChain, repositoryNameFor } = await import('../targets/index.js');
  const work = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ecrwb-replay-'));
  const home = path.join(work, 'home');
  fs.mkdirSync(path.join(home, 'docker'), { recursive: true });
  // Where `ecr-workbook sandbox …` in a solution looks for the running sandbox (ECR_WORKBOOK_HOME below).
  const sandboxDir = sandboxHome(path.join(work, 'state'));
  // The engine lessons 14-15's tasks run on, as `sandbox up` picks it on this machine: it may not
  // be the learner's client (podman cannot start containers everywhere docker can).
  const engine = await taskEngine();
  const sandbox = await startSandbox({ dir: sandboxDir, containerClient: engine });
  await announceInProcessSandbox(sandboxDir, sandbox);
  const env: NodeJS.ProcessEnv = {
    PATH: `${workbookOnPath(work)}:${path.dirname(options.awsCli)}:${process.env.PATH}`,
    LANG: 'C.UTF-8',
    HOME: home,
    DOCKER_CONFIG: path.join(home, 'docker'),
    AWS_CONFIG_FILE: path.join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'aws-credentials'),
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    ECR_WORKBOOK_HOME: path.join(work, 'state'),
    // Podman's logins go to $XDG_RUNTIME_DIR/containers/auth.json: a folder of this run's own.
    XDG_RUNTIME_DIR: path.join(work, 'run'),
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
    // What `eval "$(ecr-workbook sandbox env)"` sets for the endpoints (keys come from the profile).
    AWS_ENDPOINT_URL_ECR: sandbox.endpoint,
    AWS_ENDPOINT_URL_STS: sandbox.endpoint,
    AWS_ENDPOINT_URL_IAM: sandbox.endpoint,
    AWS_ENDPOINT_URL_ECS: sandbox.endpoint,
  };
  fs.mkdirSync(env.XDG_RUNTIME_DIR!, { recursive: true, mode: 0o700 });
  const repo = options.repo ?? DEFAULT_REPO;
  const client = options.client ?? 'docker';
  await ensureBusyboxBase(env, work, client);
  // A build left over from an earlier replay would make the build step pass before it runs.
  await run(`${client} rmi -f ${localImageFor(repo)} >/dev/null 2>&1 || true`, env, work);
  try {
    const session: Session = await openSession({ home: path.join(work, 'state'), target: 'sandbox', region: sandbox.region, repo, client });
    const resolved: ResolvedTarget = {
      target: 'sandbox',
      region: sandbox.region,
      accountId: sandbox.accountId,
      registryHost: sandbox.registryHost,
      repositoryName: repositoryNameFor({ repo }),
      endpoint: sandbox.endpoint,
      credentials: sandbox.credentials,
      learnerCredentials: await learnerChain(session.settings.profile, env),
    };
    const vars = { ...templateVars(session, resolved), assets: assetsOfThisRun(session.course.assetsDir, work) };
    const ctx: RenderContext = { target: 'sandbox', vars, endpointUrl: options.readsEndpointEnv ? undefined : sandbox.endpoint, client };
    return await replaySteps(session, resolved, env, work, {
      commandsFor: (step) => renderStep(step, ctx).solution,
      beforeStep: options.beforeStep && ((step) => options.beforeStep!(step, session, resolved, env)),
      onStep: options.onStep,
    });
  } finally {
    removeRuntimeFile(sandboxDir, process.pid);
    try {
      // First: stopping removes the tasks' containers, which would keep their images.
      await sandbox.stop();
    } finally {
      await run(`${client} rmi -f ${localImageFor(repo)} >/dev/null 2>&1 || true`, env, work);
      // The learner's images, and those the tasks pulled into their engine's store.
      for (const store of new Set([client, engine])) await removeRepositoryImages(`${sandbox.registryHost}/${repo}`, { client: store, env });
    }
  }
}

/** The base image lessons 14-15's runnable offline demo app is built FROM (scripts/build-busybox-image.sh). */
export const BUSYBOX_BASE_IMAGE = 'ecr-workbook/busybox:local';

/**
 * Makes sure lessons 14-15's reference solutions can build on this machine: their offline image
 * is FROM ecr-workbook/busybox:local, made once (in the client's own image store: docker's, or
 * podman's) from Debian's busybox-static when it is missing.
 */
export async function ensureBusyboxBase(env: NodeJS.ProcessEnv, cwd: string, client: ContainerClient = 'docker'): Promise<void> {
  if ((await run(`${client} image inspect ${BUSYBOX_BASE_IMAGE} >/dev/null 2>&1`, env, cwd)).code === 0) return;
  const script = path.join(path.dirname(lessonsDir()), 'scripts', 'build-busybox-image.sh');
  const built = await run(`CONTAINER_CLIENT=${client} ${shellQuote(script)} ${BUSYBOX_BASE_IMAGE}`, env, cwd);
  if (built.code !== 0) {
    throw new Error(`Lessons 14-15 build their runnable offline image FROM ${BUSYBOX_BASE_IMAGE}, which is not in ${client}'s images and could not be built: ${built.output.trim()}`);
  }
}

/**
 * A copy of the lessons' assets whose demo page carries a mark of this run, so the images the
 * replay builds are its own: docker's build cache would otherwise hand every run (and any other
 * test on the same daemon) the very same image, and docker answers a pull of a manifest it has
 * cached without asking the registry, which lesson 08's check would then never see.
 */
export function assetsOfThisRun(assetsDir: string, work: string): string {
  const copy = path.join(work, 'assets');
  fs.cpSync(assetsDir, copy, { recursive: true });
  fs.appendFileSync(path.join(copy, 'demo-app', 'index.html'), `<!-- course replay ${path.basename(work)} -->\n`);
  return copy;
}

/** A folder holding an `ecr-workbook` command that runs this package's CLI, as `npm link` would. */
export function workbookOnPath(work: string): string {
  const dir = path.join(work, 'bin');
  fs.mkdirSync(dir, { recursive: true });
  // The package root is the lessons folder's parent, from src/ (vitest) and dist/src/ alike.
  const bin = path.join(path.dirname(lessonsDir()), 'bin', 'ecr-workbook.js');
  fs.writeFileSync(path.join(dir, 'ecr-workbook'), `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(bin)} "$@"\n`, { mode: 0o755 });
  return dir;
}

export interface StepReplayOptions {
  /** The shell lines that do a step: its reference solution, rendered for the target. */
  commandsFor(step: CourseStep): string[];
  /** A step whose check may pass before its commands run (a precondition of the whole run). */
  mayPassBefore?(step: CourseStep): boolean;
  /** Re-check a step this long while the target records it (AWS can lag); 0 by default. */
  settleMs?: number;
  beforeStep?: (step: CourseStep) => Promise<void>;
  onStep?: (result: ReplayStep) => void | Promise<void>;
  /** Steps left out of the replay, as a learner skips them. */
  skip?(step: CourseStep): boolean;
}

/**
 * Replays every step of the session's course on a resolved target: check (must fail), run the
 * step's commands in `env` (each must exit 0; the replay stops at the first that does not; the
 * knowledge check is answered right instead), check again (must pass). The sandbox replay and the aws target's both use it.
 */
export async function replaySteps(session: Session, resolved: ResolvedTarget, env: NodeJS.ProcessEnv, cwd: string, options: StepReplayOptions): Promise<ReplayStep[]> {
  const results: ReplayStep[] = [];
  for (const step of session.course.steps) {
    if (options.skip?.(step)) continue;
    await options.beforeStep?.(step);
    const before = await checkStep(session, resolved, step, env);
    const commands: ReplayStep['commands'] = [];
    if (step.check === 'knowledge-check') {
      const lesson = lessonOf(session, step);
      await session.store.recordQuiz(lesson.id, scoreQuiz(lesson.quiz!, lesson.quiz!.map((q) => q.answer)));
    } else {
      for (const command of options.commandsFor(step)) {
        const r = await runReplayCommand(command, env, cwd);
        commands.push({ command, ...r });
        if (r.code !== 0) break;
      }
    }
    let after = await checkStep(session, resolved, step, env);
    const deadline = Date.now() + (options.settleMs ?? 0);
    while (after.status !== 'pass' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      after = await checkStep(session, resolved, step, env);
    }
    const result: ReplayStep = {
      step: step.id,
      before: before.status,
      after: after.status,
      commands,
      ok: (before.status === 'fail' || options.mayPassBefore?.(step) === true) && commands.every((c) => c.code === 0) && after.status === 'pass',
      afterSummary: after.summary + (after.diagnosis ? ` (${after.diagnosis.id}: ${after.diagnosis.mistake})` : ''),
      ...(before.diagnosis ? { beforeDiagnosis: before.diagnosis.id } : {}),
    };
    results.push(result);
    await options.onStep?.(result);
  }
  return results;
}

/**
 * Runs a step's command line, and runs it again (twice at most) when a build in it lost docker's
 * FROM-scratch cache race to another process on the same daemon (BUILD_CACHE_RACE). The lessons'
 * build loops can run again: each build comes from the cache and each push finds its layers. The
 * output says so, so a replay's log shows every retry.
 */
export async function runReplayCommand(command: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; output: string }> {
  let output = '';
  const r = await retryBuildRace(
    async () => {
      const attempt = await run(command, env, cwd);
      output += attempt.output;
      return attempt;
    },
    (attempt) => attempt.output,
    (lost, retry) => (output += `\n[replay: a build lost docker's cache race to another process (${lost}); ran it again, retry ${retry}]\n`),
  );
  return { code: r.code, output };
}

/** The local image name the build lesson makes for a repository (`demo-app:v1`). */
function localImageFor(repo: string): string {
  return `${repo.split('/').pop()}:${DEFAULT_TAG}`;
}

export type { CourseStep };
