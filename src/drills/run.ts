/**
 * The drills as the learner drives them (the CLI's `drill …` and the menu): start one (set the
 * sandbox up broken, run the failing command for real), check the fix, a hint at a time, give up
 * (the fix and the post-mortem), and where things stand. Progress keeps the drill in progress
 * and how each one ended; the drill's folder keeps what its setup made (`drill.json`).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { diagnosesOf, type CheckResult } from '../check/types.js';
import { dockerServerVersion } from '../docker/cli.js';
import { endpointUrlFor, parseAwsCliVersion } from '../course/render.js';
import type { Target } from '../course/target.js';
import type { ProgressStore } from '../progress/store.js';
import { awsCliVersion, renderFixes } from '../runner/session.js';
import { sandboxHome } from '../paths.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { runShell } from '../util/shell.js';
import { DrillKit, drillDir, drillEnvVars, drillRepository, DRILL_ENV_CLEARED, DrillSetupError, type Credentials, type DrillRecord } from './kit.js';
import * as messages from './messages.js';
import { loadScenario } from './scenarios/index.js';
import type { Drill, Drills } from './types.js';
import { renderDrillCommand, renderDrillMarkdown, renderDrillText } from './vars.js';

/** What the drill commands work with. */
export interface DrillRuntime {
  drills: Drills;
  store: ProgressStore;
  /** The workbook's state folder: drills live in `<state>/drills/<id>`, the sandbox in `<state>/sandbox`. */
  stateDir: string;
  /** The learner's environment (PATH, HOME, docker's host): the drill's own replaces their docker config and profiles. */
  env: NodeJS.ProcessEnv;
  /** The course's target: drills always run on the sandbox, and say so when it is AWS. */
  target: Target;
  /** Progress lines while the sandbox starts and the drill is set up. */
  onProgress?: (message: string) => void;
  /** The port to start the sandbox on, when the drill starts it (`--port`). */
  port?: number;
}

/** A drill problem for the learner (unknown drill, none in progress): the CLI exits 2 with it. */
export class DrillError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillError';
  }
}

/** How long the failing command may take: a pull or push that hangs on a firewall is stopped. */
const SYMPTOM_TIMEOUT_MS = 60_000;
const RECORD_FILE = 'drill.json';
const SYMPTOM_FILE = 'symptom.txt';

export interface Symptom {
  command: string;
  output: string;
  code: number;
}

/** A drill's text rendered for the learner's aws CLI and this run's values. */
export interface RenderedDrill {
  id: string;
  title: string;
  topic: string;
  story: string;
  symptom: Symptom;
  /** Set when the learner's aws CLI needs `--endpoint-url` (too old to read it from the environment). */
  endpointUrl?: string;
}

export function findDrill(drills: Drills, id: string): Drill {
  const drill = drills.drills.find((d) => d.id === id);
  if (!drill) throw new DrillError(messages.unknownDrill(id, drills.drills.map((d) => d.id)));
  return drill;
}

/** The running sandbox (started when it is not), and its administrator's keys. */
async function sandbox(rt: DrillRuntime) {
  const { sandboxUp, sandboxCredentials } = await import('../sandbox/control.js');
  const dir = sandboxHome(rt.stateDir);
  let runtime;
  try {
    ({ runtime } = await sandboxUp({ dir, onProgress: rt.onProgress, ...(rt.port !== undefined ? { port: rt.port } : {}) }));
  } catch (error) {
    // Why the sandbox cannot start (docker down, no registry image) is the learner's to fix: said as it is.
    throw new DrillError((error as Error).message);
  }
  const credentials = await sandboxCredentials(dir);
  if (!credentials) throw new DrillError(`The sandbox in ${dir} has no credentials in its state file.`);
  return { runtime, admin: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey } satisfies Credentials };
}

/** `--endpoint-url` for the learner's aws CLI when it needs one. */
async function endpointFlag(rt: DrillRuntime, endpoint: string): Promise<string | undefined> {
  return endpointUrlFor('sandbox', endpoint, parseAwsCliVersion((await awsCliVersion(rt.env)) ?? ''));
}

/** Runs the drill's failing command in its environment: its real output, as a terminal shows it. */
async function runSymptom(kit: DrillKit, command: string): Promise<Symptom> {
  // 2>&1 inside the shell keeps stdout and stderr in the order the command wrote them.
  const run = await runShell(`exec 2>&1\n${command}`, kit.env, kit.place.dir, { timeoutMs: SYMPTOM_TIMEOUT_MS });
  const output = run.timedOut ? `${run.output}\n(stopped after ${SYMPTOM_TIMEOUT_MS / 1000} s)` : run.output;
  return { command, output: output.replace(/\s+$/, ''), code: run.code };
}

/**
 * Starts a drill: cleans up anything an earlier run of it left, sets the sandbox up broken, runs
 * the failing command for real, and remembers the drill as in progress. Starting the drill in
 * progress again starts it afresh; another one in progress is refused.
 */
export async function startDrill(rt: DrillRuntime, id: string): Promise<RenderedDrill & { notes: string[] }> {
  const drill = findDrill(rt.drills, id);
  const current = rt.store.progress.drills?.current;
  if (current && current.id !== id) throw new DrillError(messages.otherDrillInProgress(current.id, id));
  const notes = rt.target === 'aws' ? [messages.onAwsTarget] : [];
  const scenario = await loadScenario(id);
  const { runtime, admin } = await sandbox(rt);
  const place = { id, dir: drillDir(rt.stateDir, id), endpoint: runtime.endpoint, registryHost: runtime.registryHost, region: runtime.region, account: runtime.accountId, repo: drillRepository(id) };
  const kit = new DrillKit(place, admin, rt.env);
  rt.onProgress?.(`setting up the drill '${id}'`);
  let symptom: Symptom;
  // Asking the aws CLI its version takes a second: meanwhile the setup runs.
  const flag = endpointFlag(rt, runtime.endpoint);
  flag.catch(() => undefined);
  let endpointUrl: string | undefined;
  try {
    await dockerServerVersion(kit.dockerClient);
  } catch (error) {
    throw new DrillError((error as Error).message);
  }
  try {
    // Whatever an earlier run of this drill left goes first: every start is a fresh one.
    await kit.cleanUp();
    await fsp.mkdir(path.join(place.dir, 'docker'), { recursive: true, mode: 0o700 });
    await scenario.setup(kit);
    endpointUrl = await flag;
    symptom = await runSymptom(kit, renderDrillCommand(drill.symptom, kit.vars(), endpointUrl));
  } catch (error) {
    await kit.cleanUp().catch(() => undefined);
    const step = error instanceof DrillSetupError ? error.step : 'setting up the sandbox';
    throw new DrillError(messages.setupFailed(step, (error as Error).message));
  }
  if (symptom.code === 0) {
    await kit.cleanUp();
    throw new DrillError(messages.symptomDidNotFail(symptom.command, symptom.output));
  }
  const record: DrillRecord = { ...place, startedAt: new Date().toISOString(), facts: kit.facts };
  await writeFileAtomic(path.join(place.dir, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
  await writeFileAtomic(path.join(place.dir, SYMPTOM_FILE), `${JSON.stringify(symptom)}\n`);
  await rt.store.startDrill(id);
  return { ...rendered(drill, kit, symptom, endpointUrl), notes };
}

function rendered(drill: Drill, kit: DrillKit, symptom: Symptom, endpointUrl: string | undefined): RenderedDrill {
  const vars = kit.vars();
  return {
    id: drill.id,
    title: renderDrillText(drill.title, vars),
    topic: drill.topic,
    story: renderDrillMarkdown(drill.story, vars, endpointUrl),
    symptom,
    ...(endpointUrl ? { endpointUrl } : {}),
  };
}

/**
 * The drill in progress: its text, its kit (on the running sandbox), what its start recorded, and
 * (asked only when commands are shown: it costs an `aws --version`) the endpoint flag.
 */
async function inProgress(rt: DrillRuntime): Promise<{ drill: Drill; kit: DrillKit; symptom: Symptom; endpointUrl: () => Promise<string | undefined> }> {
  const current = rt.store.progress.drills?.current;
  if (!current) throw new DrillError(messages.noCurrentDrill);
  const drill = findDrill(rt.drills, current.id);
  const dir = drillDir(rt.stateDir, current.id);
  let record: DrillRecord;
  let symptom: Symptom;
  try {
    record = JSON.parse(await fsp.readFile(path.join(dir, RECORD_FILE), 'utf8')) as DrillRecord;
    symptom = JSON.parse(await fsp.readFile(path.join(dir, SYMPTOM_FILE), 'utf8')) as Symptom;
  } catch {
    throw new DrillError(`The drill's folder ${dir} is gone or unreadable. Start the drill again: ecr-workbook drill start ${current.id}`);
  }
  const { runtime, admin } = await sandbox(rt);
  if (runtime.registryHost !== record.registryHost) {
    throw new DrillError(`The sandbox serves ${runtime.registryHost} now, and the drill was set up on ${record.registryHost}. Start it again: ecr-workbook drill start ${current.id}`);
  }
  const { startedAt: _startedAt, facts, ...place } = record;
  return { drill, kit: new DrillKit({ ...place, endpoint: runtime.endpoint }, admin, rt.env, facts), symptom, endpointUrl: () => endpointFlag(rt, runtime.endpoint) };
}

/** A result whose fix commands are rendered for the learner's aws CLI (asked only when there is one to render). */
async function withRenderedFixes(result: CheckResult, endpointUrl: () => Promise<string | undefined>): Promise<CheckResult> {
  if (!diagnosesOf(result).some((d) => d.command)) return result;
  return renderFixes(result, { endpointUrl: await endpointUrl(), client: 'docker' });
}

export interface DrillCheck {
  id: string;
  title: string;
  result: CheckResult;
  solved: boolean;
  /** Once solved: the post-mortem, and what was cleaned up. */
  postMortem?: string;
  cleanedUp?: string[];
}

/** Checks the fix against the real state; a pass records the drill solved and cleans it up. */
export async function checkDrill(rt: DrillRuntime): Promise<DrillCheck> {
  const { drill, kit, endpointUrl } = await inProgress(rt);
  const scenario = await loadScenario(drill.id);
  let result: CheckResult;
  try {
    result = await scenario.check(kit);
  } catch (error) {
    result = { status: 'error', summary: `the drill's check failed to run: ${(error as Error).message}`, evidence: [] };
  }
  await rt.store.countDrill('checks');
  const title = renderDrillText(drill.title, kit.vars());
  if (result.status !== 'pass') return { id: drill.id, title, result: await withRenderedFixes(result, endpointUrl), solved: false };
  const postMortem = renderDrillMarkdown(drill.postMortem, kit.vars(), await endpointUrl());
  await rt.store.finishDrill('solved');
  return { id: drill.id, title, result, solved: true, postMortem, cleanedUp: await kit.cleanUp() };
}

/** The hints so far, one more than last time (gentle first). */
export async function hintDrill(rt: DrillRuntime): Promise<{ id: string; hints: string[]; total: number }> {
  const { drill, kit, endpointUrl } = await inProgress(rt);
  const total = drill.hints.length;
  if ((rt.store.progress.drills?.current?.hints ?? 0) < total) await rt.store.countDrill('hints');
  const shown = Math.min(rt.store.progress.drills?.current?.hints ?? 1, total);
  const flag = await endpointUrl();
  return { id: drill.id, hints: drill.hints.slice(0, shown).map((h) => renderDrillMarkdown(h, kit.vars(), flag)), total };
}

/** Gives up: the reference fix and the post-mortem, the result recorded, the drill cleaned up. */
export async function giveUpDrill(rt: DrillRuntime): Promise<{ id: string; title: string; fix: string[]; postMortem: string; cleanedUp: string[] }> {
  const { drill, kit, endpointUrl } = await inProgress(rt);
  const vars = kit.vars();
  const flag = await endpointUrl();
  const fix = drill.fix.map((c) => renderDrillCommand(c, vars, flag));
  const postMortem = renderDrillMarkdown(drill.postMortem, vars, flag);
  await rt.store.finishDrill('gave-up');
  return { id: drill.id, title: renderDrillText(drill.title, vars), fix, postMortem, cleanedUp: await kit.cleanUp() };
}

/**
 * The reference fix of the drill in progress, rendered for the learner's aws CLI, or (tests,
 * which type it with each CLI) with `--endpoint-url` exactly when `endpointUrl` says.
 */
export async function drillFix(rt: DrillRuntime, endpointUrl?: string | null): Promise<string[]> {
  const found = await inProgress(rt);
  const flag = endpointUrl === undefined ? await found.endpointUrl() : (endpointUrl ?? undefined);
  return found.drill.fix.map((c) => renderDrillCommand(c, found.kit.vars(), flag));
}

/** The drill in progress again: its story and the symptom its start recorded. */
export async function showDrill(rt: DrillRuntime): Promise<RenderedDrill> {
  const { drill, kit, symptom, endpointUrl } = await inProgress(rt);
  return rendered(drill, kit, symptom, await endpointUrl());
}

/** The exports of the drill in progress's environment (`eval "$(ecr-workbook drill env)"`), without starting anything. */
export function drillEnvironment(rt: Pick<DrillRuntime, 'store' | 'stateDir'>): { set: Record<string, string>; unset: string[] } {
  const current = rt.store.progress.drills?.current;
  if (!current) throw new DrillError(messages.noCurrentDrill);
  const dir = drillDir(rt.stateDir, current.id);
  let record: DrillRecord;
  try {
    record = JSON.parse(fs.readFileSync(path.join(dir, RECORD_FILE), 'utf8')) as DrillRecord;
  } catch {
    throw new DrillError(`The drill's folder ${dir} is gone or unreadable. Start the drill again: ecr-workbook drill start ${current.id}`);
  }
  return { set: drillEnvVars(record), unset: [...DRILL_ENV_CLEARED] };
}

/** What `drill env --unset` clears: every variable `drill env` sets. */
export const DRILL_ENV_SET = Object.keys(drillEnvVars({ dir: '/', endpoint: 'http://localhost' }));
