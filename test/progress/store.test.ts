import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyProgress, isDone, isPassed, nextStep, progressFile, ProgressStore, summarize, type Progress, type ReviewCard } from '../../src/progress/store.js';

const ORDER = ['knowledge-check', 'caller-identity', 'create-repository', 'docker-login', 'build-image'];

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ecrwb-progress-'));
  vi.stubEnv('ECR_WORKBOOK_HOME', home);
});
afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(home, { recursive: true, force: true });
});

/** A clock that moves one second per call, from a fixed start. */
function clock(start = Date.parse('2025-01-02T03:04:05.000Z')): () => Date {
  let t = start;
  return () => new Date((t += 1000));
}

describe('ProgressStore', () => {
  it('lives in progress.json under the state dir (ECR_WORKBOOK_HOME)', async () => {
    expect(progressFile()).toBe(path.join(home, 'progress.json'));
    const { store, warning } = await ProgressStore.open();
    expect(store.file).toBe(path.join(home, 'progress.json'));
    expect(warning).toBeUndefined();
    expect(store.progress).toEqual({ version: 1, target: 'sandbox', steps: {} });
    // Opening alone writes nothing.
    expect(fs.existsSync(store.file)).toBe(false);
  });

  it('round-trips through the file', async () => {
    const { store } = await ProgressStore.open({ now: clock() });
    await store.setSettings({ target: 'aws', region: 'eu-west-1', profile: 'course', learner: 'alice' });
    await store.markFailed('caller-identity', { reason: 'no credentials' });
    await store.markPassed('caller-identity', { account: '111122223333' });
    await store.markSkipped('knowledge-check');
    await store.recordQuiz('why-ecr', { answers: [0, 2, 1, 1], correct: 4, total: 4 });
    await store.setCurrentStep('build-image');

    const written = JSON.parse(fs.readFileSync(store.file, 'utf8')) as Progress;
    expect(written).toEqual({
      version: 1,
      target: 'aws',
      region: 'eu-west-1',
      profile: 'course',
      learner: 'alice',
      currentStep: 'build-image',
      steps: {
        'caller-identity': { status: 'passed', at: '2025-01-02T03:04:07.000Z', attempts: 2, evidence: { account: '111122223333' } },
        'knowledge-check': { status: 'skipped', at: '2025-01-02T03:04:08.000Z', attempts: 0 },
      },
      quiz: { 'why-ecr': { answers: [0, 2, 1, 1], correct: 4, total: 4, at: '2025-01-02T03:04:09.000Z' } },
    });
    const { store: again } = await ProgressStore.open();
    expect(again.progress).toEqual(written);
    expect(store.progress).toEqual(written);
  });

  it('counts attempts and never lets a failed re-check undo a pass', async () => {
    const { store } = await ProgressStore.open();
    await store.markFailed('create-repository');
    await store.markFailed('create-repository');
    expect(store.progress.steps['create-repository']).toMatchObject({ status: 'failed', attempts: 2 });
    await store.markPassed('create-repository');
    expect(store.progress.steps['create-repository']).toMatchObject({ status: 'passed', attempts: 3 });
    // After clean-up (lesson 09) this check fails by design; the pass stays.
    await store.markFailed('create-repository', { found: 'nothing' });
    expect(store.progress.steps['create-repository']).toMatchObject({ status: 'passed', attempts: 4 });
    expect(store.progress.steps['create-repository']?.evidence).toBeUndefined();
  });

  it('writes atomically: whole JSON, a trailing newline, no temp files left, owner-only', async () => {
    const { store } = await ProgressStore.open();
    await Promise.all(ORDER.map((id) => store.markPassed(id)));
    expect(Object.keys((await ProgressStore.open()).store.progress.steps).sort()).toEqual([...ORDER].sort());
    for (let i = 0; i < 20; i++) await store.markFailed('docker-login');
    expect(fs.readdirSync(home)).toEqual(['progress.json']);
    const text = fs.readFileSync(store.file, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(() => JSON.parse(text)).not.toThrow();
    if (process.platform !== 'win32') expect(fs.statSync(store.file).mode & 0o777).toBe(0o600);
  });

  it('re-reads before each change, so two processes do not undo each other', async () => {
    const { store: watch } = await ProgressStore.open();
    const { store: check } = await ProgressStore.open();
    await watch.markPassed('caller-identity');
    await check.markPassed('create-repository');
    const { store: fresh } = await ProgressStore.open();
    expect(Object.keys(fresh.progress.steps).sort()).toEqual(['caller-identity', 'create-repository']);
  });

  it('moves a corrupt file aside, says so, and starts fresh', async () => {
    fs.writeFileSync(progressFile(), '{"version":1,"steps":');
    const { store, warning } = await ProgressStore.open();
    expect(store.progress).toEqual(emptyProgress());
    const moved = fs.readdirSync(home).filter((f) => f.startsWith('progress.json.corrupt-'));
    expect(moved).toHaveLength(1);
    expect(fs.readFileSync(path.join(home, moved[0]!), 'utf8')).toBe('{"version":1,"steps":');
    expect(fs.existsSync(progressFile())).toBe(false);
    expect(warning).toContain(path.join(home, moved[0]!));
    expect(warning).toMatch(/^Your progress file could not be read: it is not valid JSON \(/);
    expect(warning).toContain('ecr-workbook check');
    await store.markPassed('caller-identity');
    expect((await ProgressStore.open()).store.progress.steps['caller-identity']?.status).toBe('passed');
  });

  it('treats valid JSON of the wrong shape (another version) as corrupt', async () => {
    fs.writeFileSync(progressFile(), JSON.stringify({ version: 2, target: 'sandbox', steps: {} }));
    const { warning, store } = await ProgressStore.open({ target: 'aws' });
    expect(warning).toMatch(/does not have the expected shape/);
    expect(store.progress).toEqual({ version: 1, target: 'aws', steps: {} });
  });

  it('remembers the classroom a learner joined, keeps it through reset, and forgets it on leave', async () => {
    const member = { url: 'http://127.0.0.1:5124', code: 'K7MQ4PXA', name: 'alice', token: 'tok', roomId: 'r1', target: 'sandbox' as const, joinedAt: '2025-01-02T03:04:05.000Z' };
    const { store } = await ProgressStore.open();
    await store.markPassed('caller-identity');
    await store.setClassroom(member);
    expect((await ProgressStore.open()).store.progress.classroom).toEqual(member);
    await store.reset();
    expect((await ProgressStore.open()).store.progress.classroom).toEqual(member);
    await store.setClassroom(undefined);
    expect((await ProgressStore.open()).store.progress).not.toHaveProperty('classroom');
  });

  it('treats a classroom entry without its token (or with an unknown target) as a corrupt file', async () => {
    for (const classroom of [{ url: 'http://x:1', code: 'K7MQ4PXA', name: 'alice', roomId: 'r', target: 'sandbox', joinedAt: 'now' }, { url: 'http://x:1', code: 'C', name: 'a', token: 't', roomId: 'r', target: 'moon', joinedAt: 'now' }]) {
      fs.writeFileSync(progressFile(), JSON.stringify({ version: 1, target: 'sandbox', steps: {}, classroom }));
      const { warning, store } = await ProgressStore.open();
      expect(warning).toMatch(/does not have the expected shape/);
      expect(store.progress.classroom).toBeUndefined();
    }
  });

  it('reports corruption found by a later change through onWarning', async () => {
    const warnings: string[] = [];
    const { store } = await ProgressStore.open({ onWarning: (m) => warnings.push(m) });
    await store.markPassed('caller-identity');
    fs.writeFileSync(store.file, 'not json');
    await store.markPassed('create-repository');
    expect(warnings).toHaveLength(1);
    expect(Object.keys(store.progress.steps)).toEqual(['create-repository']);
  });

  it('resets progress but keeps the settings', async () => {
    const { store } = await ProgressStore.open();
    await store.setSettings({ target: 'aws', region: 'us-west-2' });
    await store.markPassed('caller-identity');
    await store.recordQuiz('why-ecr', { answers: [0], correct: 1, total: 4 });
    await store.setCurrentStep('docker-login');
    await store.reset();
    expect(store.progress).toEqual({ version: 1, target: 'aws', region: 'us-west-2', steps: {} });
  });

  it('forgets one step, a setting, or the picked step', async () => {
    const { store } = await ProgressStore.open();
    await store.markPassed('caller-identity');
    await store.markPassed('create-repository');
    await store.resetStep('caller-identity');
    expect(Object.keys(store.progress.steps)).toEqual(['create-repository']);
    await store.setSettings({ region: 'us-west-2', learner: 'bob' });
    await store.setSettings({ learner: undefined });
    expect(store.progress.learner).toBeUndefined();
    expect(store.progress.region).toBe('us-west-2');
    await store.setCurrentStep('build-image');
    await store.setCurrentStep(undefined);
    expect(store.progress.currentStep).toBeUndefined();
  });
});

describe('current step', () => {
  const progress = (steps: Record<string, 'passed' | 'skipped' | 'failed'>, currentStep?: string): Progress => ({
    ...emptyProgress(),
    ...(currentStep ? { currentStep } : {}),
    steps: Object.fromEntries(Object.entries(steps).map(([id, status]) => [id, { status, at: '2025-01-01T00:00:00.000Z', attempts: 1 }])),
  });

  it('is the first step, at the start', () => {
    expect(nextStep(emptyProgress(), ORDER)).toBe('knowledge-check');
  });

  it('is the first step not passed or skipped, in course order', () => {
    expect(nextStep(progress({ 'knowledge-check': 'passed', 'caller-identity': 'skipped' }), ORDER)).toBe('create-repository');
    expect(nextStep(progress({ 'knowledge-check': 'passed', 'caller-identity': 'failed' }), ORDER)).toBe('caller-identity');
    // Done out of order: the earliest gap comes first.
    expect(nextStep(progress({ 'caller-identity': 'passed', 'create-repository': 'passed' }), ORDER)).toBe('knowledge-check');
  });

  it('starts from a picked step and wraps round to earlier gaps', () => {
    expect(nextStep(progress({}, 'docker-login'), ORDER)).toBe('docker-login');
    expect(nextStep(progress({ 'docker-login': 'passed' }, 'docker-login'), ORDER)).toBe('build-image');
    expect(nextStep(progress({ 'docker-login': 'passed', 'build-image': 'passed' }, 'docker-login'), ORDER)).toBe('knowledge-check');
    // A pick that is no longer in the course is ignored.
    expect(nextStep(progress({ 'knowledge-check': 'passed' }, 'removed-step'), ORDER)).toBe('caller-identity');
  });

  it('is undefined when every step is done', () => {
    expect(nextStep(progress(Object.fromEntries(ORDER.map((id) => [id, 'passed' as const]))), ORDER)).toBeUndefined();
    expect(nextStep(emptyProgress(), [])).toBeUndefined();
  });

  it('never counts a skipped step as passed', async () => {
    const { store } = await ProgressStore.open();
    await store.markSkipped('caller-identity');
    expect(isPassed(store.progress, 'caller-identity')).toBe(false);
    expect(isDone(store.progress, 'caller-identity')).toBe(true);
    expect(store.progress.steps['caller-identity']?.attempts).toBe(0);
    expect(summarize(store.progress, ORDER)).toEqual({ passed: 0, skipped: 1, failed: 0, pending: 4 });
    expect(store.currentStep(ORDER)).toBe('knowledge-check');
    await store.markPassed('knowledge-check');
    expect(store.currentStep(ORDER)).toBe('create-repository');
    // Checking a skipped step later records the real result.
    await store.markPassed('caller-identity');
    expect(summarize(store.progress, ORDER)).toEqual({ passed: 2, skipped: 0, failed: 0, pending: 3 });
  });
});

describe('interview review state', () => {
  const card = (over: Partial<ReviewCard> = {}): ReviewCard => ({
    due: '2025-01-05T00:00:00.000Z',
    stability: 3.1,
    difficulty: 5.2,
    scheduledDays: 3,
    learningSteps: 0,
    reps: 2,
    lapses: 0,
    state: 'review',
    lastReview: '2025-01-02T00:00:00.000Z',
    ...over,
  });

  it('round-trips beside the rest of progress, each change re-reading the file first', async () => {
    const { store: quiz } = await ProgressStore.open();
    const { store: check } = await ProgressStore.open();
    await quiz.reviewQuestion('login-command', () => card());
    // Another process (a `check` in the other terminal) changes the file in between.
    await check.markPassed('caller-identity');
    await quiz.reviewQuestion('login-command', (prior) => card({ reps: prior!.reps + 1 }));
    await quiz.reviewQuestion('token-lifetime', (prior) => card({ state: prior ? 'relearning' : 'learning' }));
    const { store } = await ProgressStore.open();
    expect(store.progress.steps['caller-identity']?.status).toBe('passed');
    expect(store.progress.review).toEqual({ 'login-command': card({ reps: 3 }), 'token-lifetime': card({ state: 'learning' }) });
    // A step change keeps the cards.
    await check.markFailed('docker-login');
    expect((await ProgressStore.open()).store.progress.review?.['login-command']?.reps).toBe(3);
  });

  it('a malformed card makes the file corrupt like any other bad field: moved aside, with the cards in it', async () => {
    for (const bad of [card({ state: 'mature' as ReviewCard['state'] }), card({ due: 'soon' }), card({ reps: -1 }), card({ stability: Number.NaN }), { due: '2025-01-05T00:00:00.000Z' }]) {
      const text = JSON.stringify({ version: 1, target: 'sandbox', steps: { 'caller-identity': { status: 'passed', at: '2025-01-01T00:00:00.000Z', attempts: 1 } }, review: { q: bad } });
      fs.writeFileSync(progressFile(), text);
      const { store, warning } = await ProgressStore.open();
      expect(warning, JSON.stringify(bad)).toMatch(/does not have the expected shape/);
      expect(store.progress).toEqual(emptyProgress());
      const moved = fs.readdirSync(home).filter((f) => f.startsWith('progress.json.corrupt-'));
      expect(moved.map((f) => fs.readFileSync(path.join(home, f), 'utf8'))).toContain(text);
      for (const f of moved) fs.rmSync(path.join(home, f));
    }
    fs.writeFileSync(progressFile(), JSON.stringify({ version: 1, target: 'sandbox', steps: {}, review: [] }));
    expect((await ProgressStore.open()).warning).toMatch(/expected shape/);
  });

  it('reset forgets the cards with the steps; settings stay', async () => {
    const { store } = await ProgressStore.open();
    await store.setSettings({ region: 'eu-west-1' });
    await store.reviewQuestion('login-command', () => card());
    await store.reset();
    expect(store.progress).toEqual({ version: 1, target: 'sandbox', region: 'eu-west-1', steps: {} });
  });
});

describe('break-fix drills in progress', () => {
  it('a drill starts, counts its hints and checks, and ends solved: no longer current, its result kept', async () => {
    const { store } = await ProgressStore.open({ now: clock() });
    await store.startDrill('expired-token');
    expect(store.progress.drills).toEqual({ current: { id: 'expired-token', startedAt: '2025-01-02T03:04:06.000Z', hints: 0, checks: 0 } });
    await store.countDrill('hints');
    await store.countDrill('checks');
    await store.countDrill('checks');
    await store.finishDrill('solved');
    const { store: again } = await ProgressStore.open();
    expect(again.progress.drills).toEqual({ results: { 'expired-token': { outcome: 'solved', at: '2025-01-02T03:04:07.000Z', hints: 1, checks: 2 } } });
  });

  it('a drill once solved stays solved when it is given up later; a given-up one becomes solved when solved', async () => {
    const { store } = await ProgressStore.open({ now: clock() });
    await store.startDrill('expired-token');
    await store.finishDrill('solved');
    await store.startDrill('expired-token');
    await store.finishDrill('gave-up');
    expect(store.progress.drills?.results?.['expired-token']?.outcome).toBe('solved');
    expect(store.progress.drills?.current).toBeUndefined();
    await store.startDrill('immutable-latest');
    await store.finishDrill('gave-up');
    expect(store.progress.drills?.results?.['immutable-latest']?.outcome).toBe('gave-up');
    await store.startDrill('immutable-latest');
    await store.finishDrill('solved');
    expect(store.progress.drills?.results?.['immutable-latest']?.outcome).toBe('solved');
  });

  it('counting or finishing with no drill in progress changes nothing', async () => {
    const { store } = await ProgressStore.open();
    await store.countDrill('hints');
    await store.finishDrill('solved');
    expect(store.progress.drills).toBeUndefined();
  });

  it('reset forgets the drills ended, keeps the one in progress (its resources are still in the sandbox)', async () => {
    const { store } = await ProgressStore.open({ now: clock() });
    await store.startDrill('expired-token');
    await store.finishDrill('solved');
    await store.reset();
    expect(store.progress.drills).toBeUndefined();
    await store.startDrill('wrong-region-login');
    await store.reset();
    expect(store.progress.drills).toEqual({ current: { id: 'wrong-region-login', startedAt: expect.any(String), hints: 0, checks: 0 } });
  });

  it('a malformed drill entry makes the file corrupt, as any other field', async () => {
    const good = { current: { id: 'x', startedAt: '2025-01-01T00:00:00.000Z', hints: 0, checks: 0 } };
    for (const bad of [
      { current: { ...good.current, hints: -1 } },
      { current: { ...good.current, id: '' } },
      { current: { ...good.current, startedAt: 'yesterday' } },
      { results: { x: { outcome: 'won', at: '2025-01-01T00:00:00.000Z', hints: 0, checks: 1 } } },
      { results: [] },
      [],
    ]) {
      fs.writeFileSync(progressFile(), JSON.stringify({ version: 1, target: 'sandbox', steps: {}, drills: bad }));
      const { store, warning } = await ProgressStore.open();
      expect(warning, JSON.stringify(bad)).toMatch(/does not have the expected shape/);
      expect(store.progress).toEqual(emptyProgress());
    }
    fs.writeFileSync(progressFile(), JSON.stringify({ version: 1, target: 'sandbox', steps: {}, drills: good }));
    expect((await ProgressStore.open()).warning).toBeUndefined();
  });
});
