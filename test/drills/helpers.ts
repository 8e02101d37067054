import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { lessonsDir } from '../../src/course/lessons-dir.js';
import { drillsDir, loadDrills, type Drills } from '../../src/drills/load.js';
import { drillFix } from '../../src/drills/run.js';
import { drillRepository } from '../../src/drills/kit.js';
import { removeRepositoryImages } from '../../src/docker/cli.js';
import { localReferences } from '../helpers/docker.js';
import { sandboxHome } from '../../src/paths.js';
import { ProgressStore } from '../../src/progress/store.js';
import { announceInProcessSandbox } from '../../src/sandbox/runtime.js';
import { removeRuntimeFile } from '../../src/util/daemon.js';
import { runShell } from '../../src/util/shell.js';
import { BIN, startTestSandbox, tempDir, type AwsCli, type TestSandbox } from '../helpers/sandbox.js';

/**
 * A learner's machine for drills: HOME with a real-looking ~/.aws and ~/.docker of their own
 * (which no drill may change), the workbook's state under it, a sandbox this test process runs
 * (the CLI finds it by its state folder), and the learner's shell already pointed at the sandbox
 * for the course, as `eval "$(ecr-workbook sandbox env)"` leaves it.
 */
export interface DrillLab {
  home: string;
  state: string;
  sandbox: TestSandbox;
  drills: Drills;
  /** The learner's environment, with `cli`'s directory first on PATH. */
  env(cli?: AwsCli): NodeJS.ProcessEnv;
  /** Runs the built CLI. */
  workbook(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ status: number; stdout: string; stderr: string }>;
  /** Every file under ~/.aws and ~/.docker with its sha256. */
  snapshot(): Record<string, string>;
  stop(): Promise<void>;
}

function seedLearnerFiles(home: string): void {
  fs.mkdirSync(path.join(home, '.aws'), { recursive: true });
  fs.mkdirSync(path.join(home, '.docker'), { recursive: true });
  fs.writeFileSync(path.join(home, '.aws', 'config'), '[default]\nregion = eu-central-1\n\n[profile ecr-workbook]\nregion = us-east-1\n');
  fs.writeFileSync(path.join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = AKIALEARNERDEFAULT01\naws_secret_access_key = learner-secret\n');
  fs.writeFileSync(
    path.join(home, '.docker', 'config.json'),
    `${JSON.stringify({ auths: { 'registry.example.com': { auth: Buffer.from('learner:hunter2').toString('base64') } }, currentContext: 'default' }, null, '\t')}\n`,
  );
}

function filesUnder(root: string, dir: string, out: Record<string, string>): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const rel = path.relative(root, full);
    if (entry.isDirectory()) {
      out[`${rel}/`] = 'dir';
      filesUnder(root, full, out);
    } else out[rel] = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex');
  }
}

export async function drillLab(prefix: string): Promise<DrillLab> {
  const home = tempDir(`ecrwb-drills-${prefix}-`);
  seedLearnerFiles(home);
  const state = path.join(home, 'state');
  const sandbox = await startTestSandbox({ dir: sandboxHome(state) });
  await announceInProcessSandbox(sandboxHome(state), sandbox);
  const drills = await loadDrills(drillsDir(lessonsDir()));
  return {
    home,
    state,
    sandbox,
    drills,
    env(cli) {
      const env: NodeJS.ProcessEnv = {
        PATH: cli ? `${path.dirname(cli.path)}:${process.env.PATH}` : process.env.PATH,
        HOME: home,
        LANG: 'C.UTF-8',
        NO_COLOR: '1',
        ECR_WORKBOOK_HOME: state,
        AWS_PAGER: '',
        AWS_EC2_METADATA_DISABLED: 'true',
        // The course's environment, which the drill's must replace.
        AWS_ACCESS_KEY_ID: sandbox.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: sandbox.credentials.secretAccessKey,
        AWS_REGION: sandbox.region,
        AWS_DEFAULT_REGION: sandbox.region,
        AWS_ENDPOINT_URL_ECR: sandbox.endpoint,
      };
      for (const name of ['DOCKER_HOST', 'PYENV_ROOT', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED']) if (process.env[name]) env[name] = process.env[name];
      return env;
    },
    workbook(env, ...args) {
      return new Promise((resolve) => {
        execFile(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) =>
          resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
        );
      });
    },
    snapshot() {
      const out: Record<string, string> = {};
      for (const dir of ['.aws', '.docker']) filesUnder(home, path.join(home, dir), out);
      return out;
    },
    async stop() {
      // A drill a test left unsolved keeps its local images: every reference to a drill repository on this lab's port goes.
      for (const drill of drills.drills) await removeRepositoryImages(`${sandbox.registryHost}/${drillRepository(drill.id)}`, { client: 'docker', env: process.env });
      removeRuntimeFile(sandboxHome(state), process.pid);
      await sandbox.stop();
    },
  };
}

/** One drill lab for a test file: started before its tests, stopped after them. */
export function useDrillLab(prefix: string): () => DrillLab {
  let lab: DrillLab | undefined;
  beforeAll(async () => {
    lab = await drillLab(prefix);
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
  });
  return () => lab!;
}

/** The learner's shell after `eval "$(ecr-workbook drill env)"`. */
export async function drillShell(lab: DrillLab, env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const r = await lab.workbook(env, 'drill', 'env', '--json');
  expect(r.status, r.stdout + r.stderr).toBe(0);
  const vars = JSON.parse(r.stdout) as { set: Record<string, string>; unset: string[] };
  const shell = { ...env, ...vars.set };
  for (const name of vars.unset) delete shell[name];
  return shell;
}

/** The drill in progress's reference fix, rendered for `cli` (with --endpoint-url when it needs one). */
export async function referenceFix(lab: DrillLab, env: NodeJS.ProcessEnv, cli: AwsCli | undefined): Promise<string[]> {
  const { store } = await ProgressStore.open({ home: lab.state });
  return drillFix({ drills: lab.drills, store, stateDir: lab.state, env, target: 'sandbox' }, cli && !cli.readsEndpointEnv ? lab.sandbox.endpoint : null);
}

export interface DrillRun {
  start: Record<string, unknown> & { symptom: { command: string; output: string; code: number } };
  unfixed: Record<string, unknown> & { diagnosis?: { id: string } };
  fixed: Record<string, unknown>;
}

/**
 * One drill as a learner does it: start (the symptom really fails), check (not yet, with the
 * drill's own diagnosis), the reference fix typed in the drill's shell with the real CLIs, check
 * (solved). The learner's ~/.aws and ~/.docker are the same, byte for byte, before and after.
 */
export async function solveDrill(lab: DrillLab, id: string, cli?: AwsCli): Promise<DrillRun> {
  const env = lab.env(cli);
  const before = lab.snapshot();
  const drill = lab.drills.drills.find((d) => d.id === id)!;
  const started = await lab.workbook(env, 'drill', 'start', id, '--json');
  expect(started.status, started.stdout + started.stderr).toBe(0);
  const start = JSON.parse(started.stdout) as DrillRun['start'];
  expect(start.symptom.code).not.toBe(0);

  const first = await lab.workbook(env, 'drill', 'check', '--json');
  const unfixed = JSON.parse(first.stdout) as DrillRun['unfixed'];
  expect(first.status, first.stdout).toBe(1);
  expect(unfixed.diagnosis?.id).toBe(drill.diagnosis);

  const shell = await drillShell(lab, env);
  for (const command of await referenceFix(lab, env, cli)) {
    const run = await runShell(command, shell, lab.home);
    expect(run.code, `$ ${command}\n${run.output}`).toBe(0);
  }
  const second = await lab.workbook(env, 'drill', 'check', '--json');
  expect(second.status, second.stdout + second.stderr).toBe(0);
  const fixed = JSON.parse(second.stdout) as DrillRun['fixed'];
  expect(fixed).toMatchObject({ ok: true, solved: true, status: 'pass' });
  expect(lab.snapshot()).toEqual(before);
  // Solved, the drill removed what it made: no local reference to its repository is left, not
  // even the digest reference a moved tag leaves behind.
  expect(localReferences(`${lab.sandbox.registryHost}/${drillRepository(id)}`)).toEqual([]);
  return { start, unfixed, fixed };
}
