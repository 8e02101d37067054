import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { GetUserCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShell } from '../../src/util/shell.js';
import { BIN, ecrClient, iamClient, installedAwsClis } from '../helpers/sandbox.js';
import { waitOn } from '../helpers/tmux.js';
import { drillLab, type DrillLab } from './helpers.js';
import { SCENARIOS } from '../../src/drills/scenarios/index.js';
import { startDrill } from '../../src/drills/run.js';
import type { Drills } from '../../src/drills/types.js';
import { ProgressStore } from '../../src/progress/store.js';

// The drill commands as a learner and a script use them: --json shapes and exit codes, errors
// (no drill, an unknown one, another in progress, docker down), hints one at a time, giving up
// (the fix, the post-mortem, everything the drill made gone), the drill's environment in a real
// shell, status, and the menu in a real terminal.
let lab: DrillLab;
let env: NodeJS.ProcessEnv;
let learnerFiles: Record<string, string>;
let clients: { ecr: ReturnType<typeof ecrClient>; iam: ReturnType<typeof iamClient> };
const clis = installedAwsClis();
const cli = clis[0]!;
beforeAll(async () => {
  lab = await drillLab('cli');
  env = lab.env(cli);
  learnerFiles = lab.snapshot();
  clients = { ecr: ecrClient(lab.sandbox), iam: iamClient(lab.sandbox) };
}, 120_000);
afterAll(async () => {
  clients?.ecr.destroy();
  clients?.iam.destroy();
  await lab?.stop();
});

const json = async (...args: string[]) => {
  const r = await lab.workbook(env, ...args);
  return { status: r.status, body: JSON.parse(r.stdout) as Record<string, any>, stderr: r.stderr };
};

/** Whether a call finds its resource: false when it fails with `missing`, an error otherwise. */
async function found(call: () => Promise<unknown>, missing: string): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if ((error as Error).name === missing) return false;
    throw error;
  }
}

const repositoryExists = (name: string) => found(() => clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })), 'RepositoryNotFoundException');
const ciUserExists = () => found(() => clients.iam.send(new GetUserCommand({ UserName: 'drill-ci' })), 'NoSuchEntityException');

describe('the drill commands without a drill in progress', () => {
  it('list --json: the ten drills, each with its topic, none solved', async () => {
    const { status, body } = await json('drill', 'list', '--json');
    expect(status).toBe(0);
    expect(body).toMatchObject({ ok: true, solved: 0, total: 10 });
    expect(body.drills.map((d: { id: string }) => d.id).sort()).toEqual(lab.drills.drills.map((d) => d.id).sort());
    expect(body.drills.every((d: { status: string; topic: string }) => d.status === 'new' && d.topic)).toBe(true);
    const text = await lab.workbook(env, 'drill', 'list');
    expect(text.stdout).toContain('0 of 10 solved');
    expect(text.stdout).toMatch(/expired-token\s+authentication\s+The nightly push says the token expired/);
  });

  it('check, hint, give-up, env: exit 2 and a JSON error on stdout, the same words on stderr without --json', async () => {
    for (const command of ['check', 'hint', 'give-up', 'env']) {
      const r = await json('drill', command, '--json');
      expect(r.status, command).toBe(2);
      expect(r.body).toEqual({ ok: false, error: expect.stringContaining('No drill is in progress') });
      const plain = await lab.workbook(env, 'drill', command);
      expect(plain.status).toBe(2);
      expect(plain.stderr).toContain('ecr-workbook drill start <name>');
      expect(plain.stdout).toBe('');
    }
  });

  it('start of a drill that does not exist names the drills', async () => {
    const r = await json('drill', 'start', 'expired-tokn', '--json');
    expect(r.status).toBe(2);
    expect(r.body.error).toContain("There is no drill 'expired-tokn'");
    expect(r.body.error).toContain('expired-token');
  });

  it('with docker down, start says so and makes nothing', async () => {
    const r = await lab.workbook({ ...env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, 'drill', 'start', 'immutable-latest', '--json');
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).error).toContain('DOCKER_HOST is unix:///nonexistent/docker.sock, and there is no socket there, so docker cannot reach an engine');
    expect(await repositoryExists('drill/immutable-latest')).toBe(false);
    expect((await json('drill', 'status', '--json')).body.current).toBeNull();
  });

  it('when the sandbox cannot start, start says why in words (exit 2, no stack trace)', async () => {
    const fresh = { ...env, ECR_WORKBOOK_HOME: path.join(lab.home, 'fresh-state'), ECR_WORKBOOK_REGISTRY_IMAGE: 'ecr-workbook/no-such-registry:none', TESTCONTAINERS_RYUK_DISABLED: 'true' };
    const r = await lab.workbook(fresh, 'drill', 'start', 'expired-token');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^The sandbox's registry container \(ecr-workbook\/no-such-registry:none\) did not start/);
    expect(r.stderr).not.toContain('unexpected error');
  });

  it('env --unset works without a drill: the unsets of every variable env sets', async () => {
    const r = await lab.workbook(env, 'drill', 'env', '--unset');
    expect(r.stdout).toMatch(/^unset DOCKER_CONFIG AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_PROFILE AWS_ENDPOINT_URL_ECR AWS_ENDPOINT_URL_STS AWS_ENDPOINT_URL_IAM\n/);
  });
});

describe('a drill in progress', () => {
  it('start --json: the story, the real symptom, and the environment to work in; on the aws target it says drills run on the sandbox', async () => {
    const { status, body } = await json('--target', 'aws', 'drill', 'start', 'uri-as-repository-name', '--json');
    expect(status).toBe(0);
    expect(body.notes).toEqual([expect.stringContaining('drills always run on the local ECR sandbox')]);
    expect(body.symptom).toMatchObject({ code: 255, command: expect.stringContaining(`aws ecr create-repository --repository-name ${lab.sandbox.registryHost}/drill/uri-as-repository-name`) });
    expect(body.story).toContain(`ECR_REPOSITORY=${lab.sandbox.registryHost}/drill/uri-as-repository-name`);
    expect(body.env.set).toMatchObject({ AWS_PROFILE: 'ci', DOCKER_CONFIG: path.join(lab.state, 'drills', 'uri-as-repository-name', 'docker') });
    expect(await ciUserExists()).toBe(true);
    await lab.workbook(env, '--target', 'sandbox', 'status');
  });

  it('starting the drill in progress again starts it afresh', async () => {
    await json('drill', 'hint', '--json');
    const again = await json('drill', 'start', 'uri-as-repository-name', '--json');
    expect(again.status).toBe(0);
    expect((await json('drill', 'status', '--json')).body.current).toMatchObject({ id: 'uri-as-repository-name', hints: 0, checks: 0 });
  });

  it('another drill cannot start while this one is in progress', async () => {
    const r = await json('drill', 'start', 'expired-token', '--json');
    expect(r.status).toBe(2);
    expect(r.body.error).toContain("The drill 'uri-as-repository-name' is in progress");
  });

  it('the drill environment in a real shell: the CI user, not the course keys the shell had', async () => {
    const run = await runShell(`eval "$(node ${BIN} drill env)" && aws sts get-caller-identity --endpoint-url ${lab.sandbox.endpoint} --query Arn --output text && echo "$DOCKER_CONFIG"`, env);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('arn:aws:iam::123456789012:user/drill-ci');
    expect(run.output).toContain(path.join('drills', 'uri-as-repository-name', 'docker'));
  });

  it('status and hint in words; an aws CLI too old for the endpoint variables is told to add --endpoint-url', async () => {
    const status = await lab.workbook(env, 'drill', 'status');
    expect(status.stdout).toMatch(/In progress since .*: 0 hint\(s\), 0 check\(s\)\. 0 of 10 drills solved\./);
    expect(status.stdout).toContain('Drill: create-repository rejects the repository');
    expect(status.stdout).toContain('InvalidParameterException');
    const old = clis.find((c) => !c.readsEndpointEnv);
    if (old) {
      const shown = await lab.workbook(lab.env(old), 'drill', 'status');
      expect(shown.stdout).toContain(`add \`--endpoint-url ${lab.sandbox.endpoint}\` to your aws commands`);
      // A failing check's fix command is rendered for that CLI too.
      const check = JSON.parse((await lab.workbook(lab.env(old), 'drill', 'check', '--json')).stdout);
      expect(check.diagnosis.command).toBe(`aws ecr --endpoint-url ${lab.sandbox.endpoint} create-repository --repository-name drill/uri-as-repository-name`);
    }
    const check = JSON.parse((await lab.workbook(env, 'drill', 'check', '--json')).stdout);
    expect(check.diagnosis.command).toBe(cli.readsEndpointEnv ? 'aws ecr create-repository --repository-name drill/uri-as-repository-name' : expect.stringContaining('--endpoint-url'));
  });

  it('check in words: the verdict and the diagnosis id, its explanation only once every hint is seen', async () => {
    const before = await lab.workbook(env, 'drill', 'check');
    expect(before.status).toBe(1);
    expect(before.stdout).toContain('✖ NOT YET');
    expect(before.stdout).toContain('Diagnosis: repository-uri-as-name');
    expect(before.stdout).not.toContain('What went wrong');
    const first = await lab.workbook(env, 'drill', 'hint');
    expect(first.stdout).toContain('Hint 1: Read the constraint in the error.');
    expect(first.stdout).toContain('Hint 1 of 3. Another one: `ecr-workbook drill hint`.');
    const hints = [];
    for (let i = 0; i < 3; i++) hints.push((await json('drill', 'hint', '--json')).body);
    expect(hints.map((h) => h.hints.length)).toEqual([2, 3, 3]);
    expect(hints[0]).toMatchObject({ ok: true, id: 'uri-as-repository-name', total: 3 });
    expect(hints[2]!.hints[2]).toContain('`aws ecr create-repository --repository-name drill/uri-as-repository-name`');
    const after = await lab.workbook(env, 'drill', 'check');
    expect(after.stdout).toContain('What went wrong:');
    const status = await json('drill', 'status', '--json');
    const checks = clis.some((c) => !c.readsEndpointEnv) ? 4 : 3;
    expect(status.body.current).toMatchObject({ id: 'uri-as-repository-name', hints: 3, checks, symptom: { code: 255 } });
    expect((await lab.workbook(env, 'drill', 'hint')).stdout).toContain('That is every hint (3).');
  });

  it('give-up: the fix and the post-mortem, the result kept, and everything the drill made is gone', async () => {
    const { status, body } = await json('drill', 'give-up', '--json');
    expect(status).toBe(0);
    expect(body.fix).toEqual(['aws ecr create-repository --repository-name drill/uri-as-repository-name', `docker push ${lab.sandbox.registryHost}/drill/uri-as-repository-name:v1`]);
    expect(body.postMortem).toContain('What an interviewer wants to hear');
    expect(body.cleanedUp).toEqual(['IAM user drill-ci', '1 local image reference', "the drill's folder"]);
    expect(await ciUserExists()).toBe(false);
    expect(fs.existsSync(path.join(lab.state, 'drills', 'uri-as-repository-name'))).toBe(false);
    expect(spawnSync('docker', ['image', 'inspect', `${lab.sandbox.registryHost}/drill/uri-as-repository-name:v1`]).status).not.toBe(0);
    const list = await json('drill', 'list', '--json');
    expect(list.body.drills.find((d: { id: string }) => d.id === 'uri-as-repository-name').status).toBe('gave-up');
    expect(list.body.solved).toBe(0);
  });

  it('status counts a drill solved per topic, never one given up', async () => {
    const started = await json('drill', 'start', 'pushed-to-docker-hub', '--json');
    expect(started.status).toBe(0);
    // Asynchronously: the sandbox serving the push runs in this process.
    const target = `${lab.sandbox.registryHost}/drill/pushed-to-docker-hub:1.0`;
    const push = await runShell(`docker tag drill-web:1.0 ${target} && docker push ${target}`, { ...env, DOCKER_CONFIG: started.body.env.set.DOCKER_CONFIG });
    expect(push.code, push.output).toBe(0);
    const solved = await lab.workbook(env, 'drill', 'check');
    expect(solved.status).toBe(0);
    expect(solved.stdout).toContain('Solved: The push "worked", and ECR has nothing.');
    expect(solved.stdout).toContain('Post-mortem');
    expect(await repositoryExists('drill/pushed-to-docker-hub')).toBe(false);
    const status = JSON.parse((await lab.workbook(env, 'status', '--json')).stdout);
    expect(status.drills).toEqual({ solved: 1, total: 10, current: null });
    const rows = Object.fromEntries(status.practice.topics.map((t: { id: string; drills: unknown }) => [t.id, t.drills]));
    expect(rows['images-and-tags']).toEqual({ solved: 1, total: 1 });
    expect(rows.repositories).toEqual({ solved: 0, total: 1 });
    expect(rows.authentication).toEqual({ solved: 0, total: 3 });
    expect(rows.scanning).toEqual({ solved: 0, total: 0 });
    const text = (await lab.workbook(env, 'status')).stdout;
    expect(text).toMatch(/topic\s+seen\s+due\s+mastered\s+drills/);
    expect(text).toMatch(/images-and-tags\s+0\/\d+\s+0\s+0%\s+1\/1/);
    expect(text).toMatch(/scanning\s+0\/\d+\s+0\s+0%\s+–/);
    expect(text).toContain('1 of 10 solved');
  });
});

describe('a drill whose setup goes wrong', () => {
  const runtime = async (drills: Drills) => ({ drills, store: (await ProgressStore.open({ home: lab.state })).store, stateDir: lab.state, env, target: 'sandbox' as const });
  const fake = (symptom: string): Drills => ({ dir: '', drills: [{ ...lab.drills.drills[0]!, id: 'fake-drill', symptom }] });
  afterAll(() => {
    delete SCENARIOS['fake-drill'];
  });

  it('a symptom that does not fail is refused, and what the setup made is cleaned up', async () => {
    SCENARIOS['fake-drill'] = async () => ({ default: { setup: (kit) => kit.createRepository(), check: async () => ({ status: 'pass', summary: '', evidence: [] }) } });
    const rt = await runtime(fake('true'));
    await expect(startDrill(rt, 'fake-drill')).rejects.toThrow(/The drill's setup did not break what it should: `true` succeeded/);
    expect(await repositoryExists('drill/fake-drill')).toBe(false);
    expect(rt.store.progress.drills?.current).toBeUndefined();
  });

  it('a setup step that fails names the step, and what was made before it is cleaned up', async () => {
    SCENARIOS['fake-drill'] = async () => ({
      default: {
        setup: async (kit) => {
          await kit.createRepository();
          await kit.createCiUser({ managed: 'AmazonEC2ContainerRegistryPowerUser' });
          await kit.docker('pushing an image that is not there', ['push', `${kit.uri}:nothing`]);
        },
        check: async () => ({ status: 'pass', summary: '', evidence: [] }),
      },
    });
    const rt = await runtime(fake('false'));
    await expect(startDrill(rt, 'fake-drill')).rejects.toThrow(/Setting the drill up failed while pushing an image that is not there: docker push: An image does not exist locally/);
    expect(await repositoryExists('drill/fake-drill')).toBe(false);
    expect(await ciUserExists()).toBe(false);
    expect(fs.existsSync(path.join(lab.state, 'drills', 'fake-drill'))).toBe(false);
  });
});

describe('the drills in the interactive menu', () => {
  const socket = `ecrwb-drills-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { env: { ...env, TERM: 'xterm-256color' }, encoding: 'utf8' });
  const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-300', '-t', 'wb:0');
  const keys = (...k: string[]) => tmux('send-keys', '-t', 'wb:0', ...k);
  afterAll(() => {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
  });

  it('starts a drill, checks it (not yet), and gives it up from the menu', { timeout: 120_000 }, async () => {
    tmux('new-session', '-d', '-s', 'wb', '-x', '160', '-y', '50', `node ${BIN}; echo "[exited $?]"; sleep 600`);
    await waitOn(screen, 'What next?', 60_000);
    keys('Down', 'Down', 'Down', 'Enter');
    await waitOn(screen, 'Break-fix drills: 1 of 10 solved. Which one?');
    const ids = lab.drills.drills.map((d) => d.id);
    for (let i = 0; i < ids.indexOf('immutable-latest'); i++) keys('Down');
    keys('Enter');
    await waitOn(screen, 'Drill in progress: immutable-latest', 60_000);
    expect(screen()).toContain('cannot be overwritten because the repository is immutable');
    keys('Enter'); // Check my fix
    await waitOn(screen, 'Diagnosis: immutable-tag-repush');
    keys('Down', 'Down', 'Down', 'Enter'); // Give up
    await waitOn(screen, 'Give up on this drill?');
    keys('y');
    await waitOn(screen, 'The fix:');
    await waitOn(screen, 'Break-fix drills: 1 of 10 solved. Which one?');
    expect(await repositoryExists('drill/immutable-latest')).toBe(false);

    // Started again; while the menu waits, the learner gives it up in their other shell.
    const shown = (text: string) => screen().split(text).length - 1;
    const before = shown('Drill in progress: immutable-latest');
    for (let i = 0; i < ids.indexOf('immutable-latest'); i++) keys('Down');
    keys('Enter');
    await waitOn(() => String(shown('Drill in progress: immutable-latest') > before), 'true', 60_000);
    const elsewhere = await lab.workbook(env, 'drill', 'give-up', '--json');
    expect(elsewhere.status, elsewhere.stdout).toBe(0);
    keys('Enter'); // Check my fix, on the menu drawn before
    await waitOn(screen, 'The drill immutable-latest ended in your other shell: you gave up on it. Pick the next one.');
    await waitOn(screen, 'Break-fix drills: 1 of 10 solved. Which one?');
    expect(screen()).not.toContain('is gone or unreadable');
    keys('Escape');
    await waitOn(screen, '[exited');
  });
});

describe('after all of it', () => {
  it("the learner's ~/.aws and ~/.docker are exactly as they were", () => {
    expect(lab.snapshot()).toEqual(learnerFiles);
  });
});
