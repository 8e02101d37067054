import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { boardView, learnerDetail, type StepInfo } from '../../src/classroom/board.js';
import { csvField, formatDuration, reportCsv, reportText } from '../../src/classroom/report.js';
import { canonicalCode, displayCode, hashToken, HISTORY_PER_LEARNER, MAX_LEARNERS, newJoinCode, Room, validateName, type RoomState } from '../../src/classroom/room.js';
import { archiveRoom, readRoom, ROOM_FILE, RoomSaver } from '../../src/classroom/store.js';
import { tempDir } from '../helpers/sandbox.js';

// The room's rules without HTTP: codes, names, tokens, what a report may carry, and the board,
// CSV and text the instructor reads, from the same view.

const STEPS: StepInfo[] = [
  { id: 'knowledge-check', lesson: 1, title: 'Answer the knowledge check' },
  { id: 'caller-identity', lesson: 2, title: 'Check who you are' },
  { id: 'create-repository', lesson: 3, title: 'Create …' },
];
const ids = STEPS.map((s) => s.id);

/** A clock the test moves by hand. */
function clock(start = '2025-03-04T10:00:00.000Z') {
  let t = Date.parse(start);
  const now = () => new Date(t);
  return Object.assign(now, { advance: (seconds: number) => (t += seconds * 1000) });
}

function newRoom(target: 'sandbox' | 'aws' = 'sandbox', now = clock()) {
  const state = Room.create({ target }, now());
  return { room: new Room(state, { steps: ids, now }), state, now };
}

describe('join codes', () => {
  it('are eight characters people cannot misread, shown as XXXX-XXXX and accepted in any case, with or without the dash', () => {
    const codes = new Set(Array.from({ length: 200 }, newJoinCode));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[ABCDEFGHJKMNPQRSTVWXYZ2-9]{8}$/);
    expect(displayCode('K7MQ4PXA')).toBe('K7MQ-4PXA');
    expect(canonicalCode(' k7mq-4pxa ')).toBe('K7MQ4PXA');
    const { room, state } = newRoom();
    expect(room.codeMatches(displayCode(state.code).toLowerCase())).toBe(true);
    expect(room.codeMatches(state.code.slice(0, 7))).toBe(false);
    expect(room.codeMatches(undefined)).toBe(false);
  });
});

describe('joining', () => {
  it('refuses a wrong code before looking at the name', () => {
    const { room } = newRoom();
    expect(() => room.join('AAAA-AAAA', 'alice')).toThrow(expect.objectContaining({ code: 'wrong-code', status: 403 }));
    expect(() => room.join('AAAA-AAAA', '')).toThrow(expect.objectContaining({ code: 'wrong-code' }));
    expect(room.state.learners).toHaveLength(0);
  });

  it('gives each learner a token of their own, and keeps only its hash', () => {
    const { room, state } = newRoom();
    const alice = room.join(state.code, 'alice');
    const bob = room.join(state.code, 'bob');
    expect(alice.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(alice.token).not.toBe(bob.token);
    expect(alice.learner.tokenHash).toBe(hashToken(alice.token));
    const saved = JSON.stringify(state);
    expect(saved).not.toContain(alice.token);
    expect(saved).not.toContain(bob.token);
    expect(room.learnerForToken(alice.token)?.name).toBe('alice');
    expect(room.learnerForToken('forged')).toBeUndefined();
  });

  it('refuses a name taken by someone else (any case); the same learner joining again with their token keeps it', () => {
    const { room, state } = newRoom();
    const alice = room.join(state.code, 'Alice');
    expect(() => room.join(state.code, 'alice')).toThrow(expect.objectContaining({ code: 'name-taken', status: 409, message: expect.stringContaining("'Alice'") }));
    expect(() => room.join(state.code, 'alice', 'not-her-token')).toThrow(expect.objectContaining({ code: 'name-taken' }));
    const again = room.join(state.code, 'alice', alice.token);
    expect(again).toMatchObject({ again: true, token: alice.token });
    expect(again.learner.name).toBe('Alice');
    expect(state.learners).toHaveLength(1);
  });

  it('lets a listed learner claim their name once', () => {
    const { room, state } = newRoom();
    room.addListed(['carol', 'dave', 'Carol']);
    expect(state.learners.map((l) => [l.name, l.listed, l.tokenHash])).toEqual([
      ['carol', true, undefined],
      ['dave', true, undefined],
    ]);
    const carol = room.join(state.code, 'carol');
    expect(carol.again).toBe(false);
    expect(state.learners).toHaveLength(2);
    expect(() => room.join(state.code, 'carol')).toThrow(expect.objectContaining({ code: 'name-taken' }));
  });

  it('checks names: not empty, at most 40 characters, no control or bidi characters; on AWS a repository prefix', () => {
    expect(validateName('  Zoë <b>  ', 'sandbox')).toBe('Zoë <b>');
    expect(validateName('Zoe\u0308', 'sandbox')).toBe('Zoë'); // NFC
    for (const bad of ['', '   ', undefined, 42, 'x'.repeat(41), 'eve\nmallory', 'tab\there', 'rtl\u202Eevil']) {
      expect(() => validateName(bad, 'sandbox')).toThrow(expect.objectContaining({ code: 'bad-name', status: 400 }));
    }
    expect(validateName('bob-smith', 'aws')).toBe('bob-smith');
    expect(validateName('team.a_1', 'aws')).toBe('team.a_1');
    for (const bad of ['Alice', 'zoë', 'a/b', '-x', 'x-', 'a b']) {
      expect(() => validateName(bad, 'aws'), bad).toThrow(/repository prefix/);
    }
  });

  it('is full at the most learners one room takes', () => {
    const { room, state } = newRoom();
    for (let i = 0; i < MAX_LEARNERS; i++) room.join(state.code, `learner-${i}`);
    expect(() => room.join(state.code, 'one-more')).toThrow(expect.objectContaining({ code: 'room-full' }));
  });
});

describe('reporting', () => {
  function joined() {
    const r = newRoom();
    const alice = r.room.join(r.state.code, 'alice');
    const bob = r.room.join(r.state.code, 'bob');
    return { ...r, alice, bob };
  }

  it('needs the room code, a token the room gave, and the token owner as the learner', () => {
    const { room, state, alice } = joined();
    const report = { learner: 'alice', step: 'caller-identity', status: 'pass' };
    expect(() => room.report('AAAAAAAA', alice.token, report)).toThrow(expect.objectContaining({ code: 'wrong-code', status: 403 }));
    expect(() => room.report(state.code, 'forged-token', report)).toThrow(expect.objectContaining({ code: 'unknown-learner', status: 401 }));
    expect(() => room.report(state.code, undefined, report)).toThrow(expect.objectContaining({ code: 'unknown-learner' }));
    expect(() => room.report(state.code, alice.token, { ...report, learner: 'bob' })).toThrow(expect.objectContaining({ code: 'not-yourself', status: 403 }));
    expect(room.learner('bob')!.history).toEqual([]);
    room.report(state.code, alice.token, { ...report, learner: 'ALICE' });
    expect(room.learner('alice')!.history).toHaveLength(1);
  });

  it('takes only a known step, pass/fail/error and a diagnosis id; a report carrying anything else is refused', () => {
    const { room, state, alice } = joined();
    const base = { learner: 'alice', step: 'create-repository', status: 'fail' };
    const refused = (input: unknown, code: string) => expect(() => room.report(state.code, alice.token, input)).toThrow(expect.objectContaining({ code }));
    refused({ ...base, step: 'no-such-step' }, 'unknown-step');
    refused({ ...base, step: undefined }, 'bad-report');
    refused({ ...base, status: 'passed' }, 'bad-report');
    refused({ ...base, diagnosis: 'Not An Id' }, 'bad-report');
    refused({ ...base, diagnosis: 'x'.repeat(65) }, 'bad-report');
    refused({ ...base, command: 'aws ecr create-repository --repository-name demo-app' }, 'bad-report');
    refused({ ...base, secretAccessKey: 'wJalr…' }, 'bad-report');
    refused(['alice'], 'bad-json');
    expect(room.learner('alice')!.history).toEqual([]);
    room.report(state.code, alice.token, { ...base, status: 'pass', diagnosis: 'repository-missing' });
    // A pass has no mistake to show.
    expect(room.learner('alice')!.history[0]).not.toHaveProperty('diagnosis');
  });

  it('keeps a passed step passed, counts attempts, and knows since when a step is failing', () => {
    const { room, state, alice, now } = joined();
    const send = (step: string, status: string, diagnosis?: string) => {
      room.report(state.code, alice.token, { learner: 'alice', step, status, ...(diagnosis ? { diagnosis } : {}) });
      now.advance(60);
    };
    send('create-repository', 'fail', 'repository-missing');
    send('create-repository', 'error', 'unreachable');
    let step = room.learner('alice')!.steps['create-repository']!;
    expect(step).toMatchObject({ attempts: 2, failingSince: '2025-03-04T10:00:00.000Z', last: { status: 'error', diagnosis: 'unreachable', at: '2025-03-04T10:01:00.000Z' } });
    send('create-repository', 'pass');
    send('create-repository', 'fail', 'repository-missing'); // clean-up later makes it fail on purpose
    step = room.learner('alice')!.steps['create-repository']!;
    expect(step).toMatchObject({ attempts: 4, passedAt: '2025-03-04T10:02:00.000Z', failingSince: '2025-03-04T10:03:00.000Z' });
    expect(boardView(state, STEPS, now(), { urls: [] }).learners[0]!.cells['create-repository']!.state).toBe('passed');
  });

  it('keeps the latest reports for the drill-down, and tells the listeners', () => {
    const { room, state, alice } = joined();
    const changes: string[] = [];
    room.onChange((kind) => changes.push(kind));
    for (let i = 0; i < HISTORY_PER_LEARNER + 5; i++) room.report(state.code, alice.token, { learner: 'alice', step: 'caller-identity', status: i % 2 ? 'pass' : 'fail' });
    expect(room.learner('alice')!.history).toHaveLength(HISTORY_PER_LEARNER);
    expect(room.learner('alice')!.steps['caller-identity']!.attempts).toBe(HISTORY_PER_LEARNER + 5);
    expect(changes).toHaveLength(HISTORY_PER_LEARNER + 5);
    expect(new Set(changes)).toEqual(new Set(['report']));
  });
});

describe('the board', () => {
  /** alice passed two steps; bob is stuck on create-repository since 10:01; carol stuck on caller-identity since 10:00; dave listed only. */
  function classroom() {
    const now = clock();
    const { room, state } = newRoom('sandbox', now);
    const t = (name: string) => room.join(state.code, name).token;
    const tokens = { alice: t('alice'), bob: t('bob'), carol: t('carol') };
    room.addListed(['dave']);
    const send = (name: keyof typeof tokens, step: string, status: string, diagnosis?: string) =>
      room.report(state.code, tokens[name], { learner: name, step, status, ...(diagnosis ? { diagnosis } : {}) });
    send('carol', 'caller-identity', 'fail', 'no-credentials');
    send('alice', 'caller-identity', 'fail', 'no-credentials');
    now.advance(60);
    send('bob', 'caller-identity', 'pass');
    send('bob', 'create-repository', 'fail', 'repository-missing');
    send('alice', 'caller-identity', 'pass');
    send('alice', 'create-repository', 'pass');
    now.advance(120);
    send('bob', 'create-repository', 'fail', 'scan-on-push-wrong');
    send('carol', 'knowledge-check', 'pass');
    send('carol', 'caller-identity', 'fail', 'invalid-credentials');
    now.advance(30);
    return { room, state, now };
  }

  it('shows every learner × step as passed, failed or not started, and who has not joined', () => {
    const { state, now } = classroom();
    const view = boardView(state, STEPS, now(), { urls: ['http://10.0.0.5:5124'] });
    const grid = Object.fromEntries(view.learners.map((l) => [l.name, [l.joined, l.passed, ...ids.map((id) => l.cells[id]!.state)]]));
    expect(grid).toEqual({
      alice: [true, 2, 'not-started', 'passed', 'passed'],
      bob: [true, 1, 'not-started', 'passed', 'failed'],
      carol: [true, 1, 'passed', 'failed', 'not-started'],
      dave: [false, 0, 'not-started', 'not-started', 'not-started'],
    });
    expect(view.learners.find((l) => l.name === 'bob')!.cells['create-repository']).toEqual({ state: 'failed', attempts: 2, diagnosis: 'scan-on-push-wrong', at: '2025-03-04T10:03:00.000Z' });
    expect(view.room).toMatchObject({ code: displayCode(state.code), target: 'sandbox', joinCommand: `ecr-workbook join http://10.0.0.5:5124 ${displayCode(state.code)} --name <your name>` });
  });

  it('lists who is stuck, longest first, on their latest diagnosis; a learner whose last check passed is not stuck', () => {
    const { state, now } = classroom();
    const view = boardView(state, STEPS, now(), { urls: [] });
    expect(view.stuck).toEqual([
      { name: 'carol', step: 'caller-identity', diagnosis: 'invalid-credentials', since: '2025-03-04T10:00:00.000Z', seconds: 210 },
      { name: 'bob', step: 'create-repository', diagnosis: 'scan-on-push-wrong', since: '2025-03-04T10:01:00.000Z', seconds: 150 },
    ]);
    expect(view.learners.find((l) => l.name === 'alice')!.stuck).toBeUndefined();
  });

  it('counts the mistakes failing right now, once per learner', () => {
    const { state, now } = classroom();
    expect(boardView(state, STEPS, now(), { urls: [] }).mistakes).toEqual([
      { diagnosis: 'invalid-credentials', learners: 1, names: ['carol'], steps: ['caller-identity'] },
      { diagnosis: 'scan-on-push-wrong', learners: 1, names: ['bob'], steps: ['create-repository'] },
    ]);
    const { room, state: s2 } = newRoom();
    for (const name of ['a', 'b', 'c']) {
      const token = room.join(s2.code, name).token;
      room.report(s2.code, token, { learner: name, step: 'create-repository', status: 'fail', diagnosis: 'repository-missing' });
      room.report(s2.code, token, { learner: name, step: 'create-repository', status: 'fail', diagnosis: 'repository-missing' });
      if (name !== 'c') room.report(s2.code, token, { learner: name, step: 'caller-identity', status: 'fail', diagnosis: 'no-credentials' });
    }
    expect(boardView(s2, STEPS, new Date(), { urls: [] }).mistakes.map((m) => [m.diagnosis, m.learners])).toEqual([
      ['repository-missing', 3],
      ['no-credentials', 2],
    ]);
  });

  it("opens one learner's details: steps and the reports, newest first", () => {
    const { room, state, now } = classroom();
    const detail = learnerDetail(room.learner('bob')!, STEPS, now());
    expect(detail.history.map((r) => [r.step, r.status, r.diagnosis])).toEqual([
      ['create-repository', 'fail', 'scan-on-push-wrong'],
      ['create-repository', 'fail', 'repository-missing'],
      ['caller-identity', 'pass', undefined],
    ]);
    expect(detail.stuck?.step).toBe('create-repository');
    expect(state.learners.length).toBe(4);
  });

  it('prints the same as CSV (one row per learner) and as text', () => {
    const { state, now } = classroom();
    const view = boardView(state, STEPS, now(), { urls: [] });
    const csv = reportCsv(view);
    expect(csv.split('\r\n')).toEqual([
      'learner,joined,passed,knowledge-check,caller-identity,create-repository,stuck_step,stuck_diagnosis,stuck_since',
      'alice,true,2,not-started,passed,passed,,,',
      'bob,true,1,not-started,passed,failed,create-repository,scan-on-push-wrong,2025-03-04T10:01:00.000Z',
      'carol,true,1,passed,failed,not-started,caller-identity,invalid-credentials,2025-03-04T10:00:00.000Z',
      'dave,false,0,not-started,not-started,not-started,,,',
      '',
    ]);
    const text = reportText(view);
    expect(text).toContain('4 learners, 3 steps.');
    expect(text).toContain('bob       ·  ✔  ✘  1/3\n');
    expect(text).toContain('  carol: caller-identity (invalid-credentials) for 3 min');
    expect(text).toContain('dave      ·  ·  ·  0/3  (not joined)');
    expect(text).toContain('Most common mistakes now:\n  invalid-credentials: 1 learner (caller-identity)');
  });
});

describe('CSV', () => {
  it('never hands a spreadsheet a formula, and quotes what needs quoting', () => {
    expect(csvField('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    for (const lead of ['+', '-', '@', '\t', '\r']) expect(csvField(`${lead}1+1`).replace(/^"/, '')).toMatch(/^'/);
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('Zoë <b>')).toBe('Zoë <b>');
    expect(csvField(undefined)).toBe('');
    expect(csvField(3)).toBe('3');
  });

  it('guards a learner name that would be a formula', () => {
    const { room, state } = newRoom();
    room.join(state.code, '=cmd|"/c calc"!A1');
    const rows = reportCsv(boardView(state, STEPS, new Date(), { urls: [] })).split('\r\n');
    expect(rows[1]).toBe(`"'=cmd|""/c calc""!A1",true,0,not-started,not-started,not-started,,,`);
  });

  it('writes durations as people read them', () => {
    expect([formatDuration(5), formatDuration(125), formatDuration(3725)]).toEqual(['5 s', '2 min', '1 h 02 min']);
  });
});

describe('the room file', () => {
  it('is saved after changes, read back with the same learners and results, and moved aside for a new room', async () => {
    const dir = tempDir('ecrwb-room-');
    const { room, state } = newRoom();
    const saver = new RoomSaver(dir, state, 20);
    room.onChange(() => saver.changed());
    const alice = room.join(state.code, 'alice');
    room.report(state.code, alice.token, { learner: 'alice', step: 'caller-identity', status: 'pass' });
    await expect.poll(() => fs.existsSync(path.join(dir, ROOM_FILE))).toBe(true);
    await saver.flush();
    const read = await readRoom(dir);
    expect(read.state).toEqual(state);
    const reopened = new Room(read.state!, { steps: ids });
    expect(reopened.learnerForToken(alice.token)?.name).toBe('alice');
    const archived = await archiveRoom(dir);
    expect(archived).toMatch(/room-.*\.json$/);
    expect(await readRoom(dir)).toEqual({});
    expect(await archiveRoom(dir)).toBeUndefined();
  });

  it('moves a corrupt or hand-broken file aside and says so', async () => {
    const dir = tempDir('ecrwb-room-');
    const { state } = newRoom();
    const broken: RoomState = { ...state, learners: [{ name: 'evil\u202Ename', steps: {}, history: [] }] };
    for (const text of ['{"version":1', JSON.stringify(broken), JSON.stringify({ ...state, code: 'lower' })]) {
      fs.writeFileSync(path.join(dir, ROOM_FILE), text);
      const read = await readRoom(dir);
      expect(read.state).toBeUndefined();
      expect(read.warning).toMatch(/room file was unreadable .* moved to /);
    }
  });
});
