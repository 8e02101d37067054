import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardView } from '../../src/classroom/board.js';
import { ProgressStore } from '../../src/progress/store.js';
import { writeRuntimeFile } from '../../src/util/daemon.js';
import { cliWith, ecrClient, learnerHome, startTestSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';
import { call } from './helpers.js';

// An instructor and three real learners, each with a sandbox of their own, through the built
// CLI: `classroom start` in the background, `join`, real `check`s that report themselves, the
// report as text, JSON and CSV, a classroom that goes away and comes back, and `leave`.

const base = { PATH: process.env.PATH, LANG: 'C.UTF-8', NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const instructor: NodeJS.ProcessEnv = { ...base, ...learnerHome(tempDir('ecrwb-instructor-')) };
const teach = (...args: string[]) => cliWith(instructor, ...args);

interface Learner {
  name: string;
  env: NodeJS.ProcessEnv;
  sandbox: TestSandbox;
  run(...args: string[]): ReturnType<typeof cliWith>;
  /** Writes the `ecr-workbook` profile lesson 02 asks for (with a wrong secret when told). */
  configure(secret?: string): void;
}

/** A learner with a home of their own and a sandbox of their own that their CLI finds (runtime.json). */
async function learner(name: string): Promise<Learner> {
  const env: NodeJS.ProcessEnv = { ...base, ...learnerHome(tempDir(`ecrwb-${name}-`)) };
  const sandbox = await startTestSandbox({ dir: path.join(env.ECR_WORKBOOK_HOME!, 'sandbox'), withoutRegistry: true });
  await writeRuntimeFile(sandbox.dir, {
    pid: process.pid,
    port: sandbox.port,
    startedAt: new Date().toISOString(),
    ...{ endpoint: sandbox.endpoint, registryHost: sandbox.registryHost, region: sandbox.region, host: '127.0.0.1', accountId: sandbox.accountId },
  });
  return {
    name,
    env,
    sandbox,
    run: (...args) => cliWith(env, ...args),
    configure(secret = sandbox.credentials.secretAccessKey) {
      fs.writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE!, `[ecr-workbook]\naws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${secret}\n`);
      fs.writeFileSync(env.AWS_CONFIG_FILE!, `[profile ecr-workbook]\nregion = ${sandbox.region}\n`);
    },
  };
}

let alice: Learner, bob: Learner, carol: Learner;
let room: { url: string; code: string; port: number };

const board = async (): Promise<BoardView> => JSON.parse((await teach('classroom', 'report', '--json')).stdout);
const cells = (view: BoardView, name: string) => {
  const row = view.learners.find((l) => l.name === name)!;
  return Object.fromEntries(Object.entries(row.cells).filter(([, c]) => c.state !== 'not-started').map(([id, c]) => [id, `${c.state}${c.diagnosis ? `:${c.diagnosis}` : ''}`]));
};

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([learner('alice'), learner('bob'), learner('carol')]);
  const started = await teach('classroom', 'start', '--port', '0', '--json');
  expect(started.code, started.stderr).toBe(0);
  const runtime = JSON.parse(started.stdout);
  room = { url: runtime.urls[0], code: runtime.code, port: runtime.port };
}, 120_000);

afterAll(async () => {
  await teach('classroom', 'stop');
  await Promise.all([alice, bob, carol].map((l) => l?.sandbox.stop()));
});

describe('a workshop with three learners', () => {
  it('starts in the background on loopback and says how to join', async () => {
    expect(room.url).toBe(`http://127.0.0.1:${room.port}`);
    expect(room.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const status = await teach('classroom', 'status');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Classroom ${room.code} is running`);
    expect(status.stdout).toContain(`ecr-workbook join ${room.url} ${room.code} --name <your name>`);
    const again = await teach('classroom', 'start');
    expect(again.stdout).toContain(`Classroom ${room.code} was already running.`);
    expect((await teach('classroom', 'start', '--new')).code).toBe(2);
  });

  it('each learner joins with one command; a wrong code or a taken name is refused', async () => {
    for (const l of [alice, bob, carol]) {
      const joined = await l.run('join', room.url, room.code.toLowerCase(), '--name', l.name);
      expect(joined.code, joined.stderr).toBe(0);
      expect(joined.stdout).toContain(`Joined classroom ${room.code} at ${room.url} as ${l.name}.`);
      expect(joined.stdout).toContain('never your credentials or the commands you type');
    }
    const status = JSON.parse((await alice.run('status', '--json')).stdout);
    expect(status.classroom).toEqual({ url: room.url, name: 'alice', code: room.code.replace('-', '') });
    expect((await alice.run('status')).stdout).toContain(`Your checks are reported to the classroom at ${room.url} as alice`);
    // Joining again from the same machine keeps the name (the token saved at join proves it).
    const again = await alice.run('join', `${room.url}/`, room.code, '--name', 'alice');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`Joined again classroom ${room.code}`);
    const wrong = await alice.run('join', room.url, 'AAAA-AAAA', '--name', 'alice2');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("not this classroom's join code");
    const taken = await carol.run('join', room.url, room.code, '--name', 'alice');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain("already joined as 'alice'");
    // Carol is still carol: a refused join changes nothing.
    expect((await ProgressStore.open({ home: carol.env.ECR_WORKBOOK_HOME })).store.progress.classroom?.name).toBe('carol');
  });

  it("reports every real check, and the board shows each learner's real progress", async () => {
    alice.configure();
    expect((await alice.run('check', 'caller-identity')).code).toBe(0);
    await ecrClient(alice.sandbox).send(new CreateRepositoryCommand({ repositoryName: 'demo-app', imageScanningConfiguration: { scanOnPush: true }, imageTagMutability: 'IMMUTABLE' }));
    expect((await alice.run('check', 'create-repository')).code).toBe(0);

    expect((await bob.run('check', 'caller-identity')).code).toBe(1);
    bob.configure();
    expect((await bob.run('check', 'caller-identity')).code).toBe(0);
    const missing = await bob.run('check', 'create-repository', '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).diagnosis.id).toBe('repository-missing');

    expect((await carol.run('check', 'knowledge-check')).code).toBe(1);
    carol.configure('not-the-secret');
    expect((await carol.run('check', 'caller-identity')).code).toBe(1);

    const view = await board();
    expect(cells(view, 'alice')).toEqual({ 'caller-identity': 'passed', 'create-repository': 'passed' });
    expect(cells(view, 'bob')).toEqual({ 'caller-identity': 'passed', 'create-repository': 'failed:repository-missing' });
    expect(cells(view, 'carol')).toEqual({ 'knowledge-check': 'failed:quiz-not-answered', 'caller-identity': 'failed:invalid-credentials' });
    expect(view.learners.find((l) => l.name === 'bob')!.cells['caller-identity']!.attempts).toBe(2);
    expect(view.stuck.map((s) => [s.name, s.step, s.diagnosis])).toEqual([
      ['bob', 'create-repository', 'repository-missing'],
      ['carol', 'caller-identity', 'invalid-credentials'],
    ]);
    expect(view.mistakes.map((m) => m.diagnosis).sort()).toEqual(['invalid-credentials', 'quiz-not-answered', 'repository-missing']);
  });

  it('prints the same board as text and as CSV', async () => {
    const view = await board();
    const csv = await teach('classroom', 'report', '--csv');
    expect(csv.code).toBe(0);
    const [header, ...rows] = csv.stdout.trimEnd().split('\r\n').map((line) => line.split(','));
    expect(header).toEqual(['learner', 'joined', 'passed', ...view.steps.map((s) => s.id), 'stuck_step', 'stuck_diagnosis', 'stuck_since']);
    expect(rows).toEqual(
      view.learners.map((l) => [l.name, 'true', String(l.passed), ...view.steps.map((s) => l.cells[s.id]!.state), l.stuck?.step ?? '', l.stuck?.diagnosis ?? '', l.stuck?.since ?? '']),
    );
    const text = (await teach('classroom', 'report')).stdout;
    expect(text).toContain(`Classroom ${room.code} (each learner on their own sandbox): 3 learners`);
    expect(text).toMatch(/bob: create-repository \(repository-missing\) for \d+ s/);
    expect((await teach('classroom', 'report', '--json', '--csv')).code).toBe(2);
  });

  it('refuses a learner reporting as another, with their own real token', async () => {
    const token = (await ProgressStore.open({ home: carol.env.ECR_WORKBOOK_HOME })).store.progress.classroom!.token;
    const forged = await call(room.url, 'POST', '/api/report', { token, body: { code: room.code, learner: 'alice', step: 'push-image', status: 'pass' } });
    expect(forged.status).toBe(403);
    expect(cells(await board(), 'alice')['push-image']).toBeUndefined();
  });

  it('a classroom that goes away never changes a check: same result and exit code, one note; back on the same address, reports flow again', async () => {
    expect((await teach('classroom', 'stop')).stdout).toContain(`Stopped classroom ${room.code}`);
    const offline = await alice.run('check', 'create-repository');
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain('✔ PASS');
    expect(offline.stderr.match(/cannot be reached/g)).toHaveLength(1);
    // The saved room still reports, and opens again on the same port and code.
    expect(cells(await board(), 'alice')['create-repository']).toBe('passed');
    const status = await teach('classroom', 'status', '--json');
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toEqual({ running: false, saved: { code: room.code, learners: 3 } });
    const reopened = JSON.parse((await teach('classroom', 'start', '--json')).stdout);
    expect(reopened).toMatchObject({ code: room.code, port: room.port, resumed: true });
    const before = (await board()).learners.find((l) => l.name === 'alice')!.cells['create-repository']!.attempts;
    const back = await alice.run('check', 'create-repository');
    expect(back.stderr).not.toContain('cannot be reached');
    expect((await board()).learners.find((l) => l.name === 'alice')!.cells['create-repository']!.attempts).toBe(before + 1);
  });

  it('a classroom that accepts but never answers holds a check up only for the short timeout', async () => {
    const hanging = http.createServer(() => {});
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    const store = (await ProgressStore.open({ home: bob.env.ECR_WORKBOOK_HOME })).store;
    const real = store.progress.classroom!;
    try {
      await store.setClassroom({ ...real, url: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}` });
      const checked = await bob.run('check', 'create-repository');
      expect(checked.code).toBe(1);
      expect(checked.stdout).toContain('NOT YET');
      expect(checked.stderr).toContain('cannot be reached');
    } finally {
      await store.setClassroom(real);
      hanging.closeAllConnections();
      hanging.close();
    }
  });

  it('leave stops the reports; progress stays', async () => {
    const left = await carol.run('leave');
    expect(left.stdout).toContain(`You left classroom ${room.code}`);
    const before = (await board()).learners.find((l) => l.name === 'carol')!.cells['caller-identity']!.attempts;
    expect((await carol.run('check', 'caller-identity')).code).toBe(1);
    expect((await board()).learners.find((l) => l.name === 'carol')!.cells['caller-identity']!.attempts).toBe(before);
    expect((await carol.run('leave')).code).toBe(1);
    const status = JSON.parse((await carol.run('status', '--json')).stdout);
    expect(status.lessons[1].steps[0]).toEqual({ id: 'caller-identity', status: 'failed' });
  });
});

describe('a room for other machines', () => {
  it('--host beyond loopback warns, and prints the addresses learners join at', async () => {
    const env: NodeJS.ProcessEnv = { ...base, ...learnerHome(tempDir('ecrwb-wide-')) };
    const started = await cliWith(env, 'classroom', 'start', '--host', '0.0.0.0', '--port', '0');
    try {
      expect(started.code, started.stderr).toBe(0);
      expect(started.stderr).toContain('warning: --host 0.0.0.0 makes the classroom reachable from other machines');
      expect(started.stdout).toMatch(/ecr-workbook join http:\/\/[\d.]+:\d+ [A-Z2-9]{4}-[A-Z2-9]{4} --name <your name>/);
      expect(started.stdout).not.toContain('Only this machine can join');
      expect((await cliWith(env, 'classroom', 'start', '--port', '1')).stderr).toContain('A classroom is already running on port');
    } finally {
      await cliWith(env, 'classroom', 'stop');
    }
  });
});
