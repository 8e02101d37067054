import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { diagnosesOf, type CheckResult } from '../../src/check/types.js';
import type { ReplayStep } from '../../src/runner/course-check.js';
import type { ContainerClient } from '../../src/docker/client.js';
import { checkStep, openSession, verifyStep } from '../../src/runner/session.js';
import { learnerChain, type ResolvedTarget } from '../../src/targets/index.js';
import { runShell } from '../../src/util/shell.js';
import type { TestSandbox } from './sandbox.js';

/** A learner's machine in a test: their environment (isolated files) and the client they type. */
export interface TestLearner {
  env: NodeJS.ProcessEnv;
  /** The workbook's state folder (progress). */
  state: string;
  client: ContainerClient;
}

/**
 * Runs the course step that uses `check`, as the workbook does for a learner whose repository is
 * `repo` on `sandbox`: the step's own params, fixes rendered for the learner's aws CLI and client.
 * Records nothing in progress unless asked to.
 */
export async function checkAs(learner: TestLearner, sandbox: TestSandbox, repo: string, check: string, options: { record?: boolean } = {}): Promise<CheckResult> {
  const session = await openSession({ home: learner.state, target: 'sandbox', repo, client: learner.client });
  const resolved = await sandboxTarget(sandbox, repo, learner.env);
  const step = session.course.steps.find((s) => s.check === check);
  if (!step) throw new Error(`no course step uses the check '${check}'`);
  // Recorded (as `ecr-workbook check` does), a pass keeps its facts for later checks.
  return (options.record ? checkStep : verifyStep)(session, resolved, step, learner.env);
}

/** The sandbox target as the workbook resolves it for a learner (profile `ecr-workbook` in `env`) whose repository is `repo`. */
export async function sandboxTarget(sandbox: TestSandbox, repo: string, env: NodeJS.ProcessEnv): Promise<ResolvedTarget> {
  return {
    target: 'sandbox',
    region: sandbox.region,
    accountId: sandbox.accountId,
    registryHost: sandbox.registryHost,
    repositoryName: repo,
    endpoint: sandbox.endpoint,
    credentials: sandbox.credentials,
    learnerCredentials: await learnerChain('ecr-workbook', env),
  };
}

/** The diagnosis ids of a result (main first), or ['pass']. */
export function verdict(result: CheckResult): string[] {
  return result.status === 'pass' ? ['pass'] : diagnosesOf(result).map((d) => d.id);
}

/**
 * Types every fix command the result printed into the learner's shell (bash, with their
 * environment), each of which must succeed; returns the environment the shell has afterwards
 * (`unset DOCKER_HOST` changes it). `followed` collects the diagnosis ids whose fixes ran.
 */
export async function followFixes(result: CheckResult, learner: TestLearner, followed?: Set<string>): Promise<NodeJS.ProcessEnv> {
  const found = diagnosesOf(result);
  expect(found.length, `nothing to follow: ${result.status} ${result.summary}`).toBeGreaterThan(0);
  let env = learner.env;
  for (const d of found) {
    expect(d.command, `${d.id} prints no command`).toBeTruthy();
    expect(d.command, `${d.id}: a placeholder left unfilled`).not.toMatch(/<[a-z ]+>|\{\{/);
    const dump = path.join(learner.state, `env-${process.pid}-${Date.now()}`);
    fs.mkdirSync(learner.state, { recursive: true });
    const r = await runShell(`${d.command} && env -0 > ${dump}`, env);
    expect(r.code, `${d.id}: $ ${d.command}\n${r.output}`).toBe(0);
    env = Object.fromEntries(
      fs
        .readFileSync(dump, 'utf8')
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    fs.rmSync(dump, { force: true });
    followed?.add(d.id);
  }
  return env;
}

/** The check finds `expected`; its printed fixes, typed as printed, make it pass. */
export async function mistakeThenFix(learner: TestLearner, sandbox: TestSandbox, check: string, repo: string, expected: string[], followed?: Set<string>): Promise<void> {
  const before = await checkAs(learner, sandbox, repo, check);
  expect(verdict(before), before.summary).toEqual(expected);
  await followFixes(before, learner, followed);
  const after = await checkAs(learner, sandbox, repo, check);
  expect(verdict(after), `${after.summary}\n${after.evidence.join('\n')}`).toEqual(['pass']);
}

/** What each step's check says before the step is done, in course order (a replay asserts it). */
export const BEFORE_EACH_STEP: Readonly<Record<string, string>> = {
  'knowledge-check': 'quiz-not-answered',
  'caller-identity': 'no-credentials',
  'create-repository': 'repository-missing',
  'docker-login': 'not-logged-in',
  'build-image': 'image-not-built',
  'tag-image': 'tag-missing',
  'push-image': 'not-pushed',
  'verify-image': 'not-pulled-back',
  'delete-repository': 'repository-still-there',
  'bring-back-image': 'repository-missing',
  'create-ci-user': 'ci-user-missing',
  'ci-profile': 'profile-missing',
  // docker is still logged in as the learner, from bring-back-image.
  'ci-pull-push': 'docker-login-other-identity',
  'delete-ci-user': 'ci-user-still-there',
  'partner-profile': 'profile-missing',
  'share-repository': 'repository-policy-missing',
  'partner-ci-user': 'ci-user-missing',
  // docker's login is still ci-reader's, whose key lesson 10 deleted.
  'partner-pull': 'login-revoked',
  'delete-partner-user': 'ci-user-still-there',
  'delete-shared-repository': 'repository-still-there',
  'push-versions': 'repository-missing',
  'preview-policy': 'lifecycle-not-previewed',
  'apply-policy': 'lifecycle-not-applied',
  'promote-prod': 'not-promoted',
  'clean-up-promotion': 'repository-still-there',
  'push-runnable-image': 'repository-missing',
  'task-execution-role': 'execution-role-missing',
  'register-task-definition': 'task-definition-missing',
  'run-task': 'cluster-missing',
  'stop-task': 'tasks-still-running',
  'pipeline-role': 'pipeline-role-missing',
  'pipeline-push': 'ci-not-run',
  'github-actions-quiz': 'quiz-not-answered',
  'clean-up-everything': 'course-leftovers',
};

/** Every way a replayed step can fall short, one line each (empty when the replay held). */
export function shortfalls(steps: ReplayStep[]): string[] {
  return steps.flatMap((s) => [
    ...(!(s.step in BEFORE_EACH_STEP) ? [`${s.step}: a step this test does not know (it said ${s.before} ${s.beforeDiagnosis ?? ''} before): add it to BEFORE_EACH_STEP in test/helpers/learner.ts`] : []),
    ...(s.step in BEFORE_EACH_STEP && (s.before !== 'fail' || s.beforeDiagnosis !== BEFORE_EACH_STEP[s.step]) ? [`${s.step}: before the step ${s.before} ${s.beforeDiagnosis ?? ''}, expected fail ${BEFORE_EACH_STEP[s.step]}`] : []),
    ...s.commands.filter((c) => c.code !== 0).map((c) => `${s.step}: $ ${c.command} exited ${c.code}\n${c.output}`),
    ...(s.after !== 'pass' ? [`${s.step}: after the step ${s.after}: ${s.afterSummary}`] : []),
  ]);
}
