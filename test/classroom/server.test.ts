import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardView } from '../../src/classroom/board.js';
import { boardText } from '../../src/classroom/messages.js';
import { displayCode } from '../../src/classroom/room.js';
import { joinUrls } from '../../src/classroom/index.js';
import { isLocalPeer, MAX_BODY_BYTES, MAX_FAILURES, MAX_WATCHERS } from '../../src/classroom/server.js';
import os from 'node:os';
import http from 'node:http';
import { consoleAssetsDir } from '../../src/sandbox/console/assets.js';
import { CONTENT_SECURITY_POLICY } from '../../src/util/html.js';
import { call, join, report, requestFromPeer, startTestClassroom, waitForBoard } from './helpers.js';

// The classroom server over real HTTP: 30 report-only learners at once, the refusals (wrong
// code, someone else's name, no token, too big, not JSON, too many wrong tries), the board only
// for this machine, and the live stream.

type Classroom = Awaited<ReturnType<typeof startTestClassroom>>;
let room: Classroom;
let code: string;

beforeAll(async () => {
  room = await startTestClassroom();
  code = displayCode(room.room.state.code);
});
afterAll(async () => {
  await room?.stop();
});

describe('a room of 30 learners reporting through the HTTP interface', () => {
  it('joins them all at once and shows each one’s checks on the board', async () => {
    const watching = waitForBoard<BoardView>(room.url, (b) => b.learners.length === 30 && b.learners.every((l) => l.cells['create-repository']!.attempts === 2));
    const learners = await Promise.all(Array.from({ length: 30 }, (_, i) => join(room.url, code, `learner-${String(i).padStart(2, '0')}`)));
    // Each: caller-identity passes; create-repository fails twice, with one of three mistakes; every third passes it on the third try.
    const mistakes = ['repository-missing', 'scan-on-push-wrong', 'repository-in-other-region'];
    await Promise.all(
      learners.map(async (l, i) => {
        expect((await report(room.url, code, l, 'caller-identity', 'pass')).status).toBe(204);
        expect((await report(room.url, code, l, 'create-repository', 'fail', mistakes[i % 3])).status).toBe(204);
        expect((await report(room.url, code, l, 'create-repository', i % 3 === 0 ? 'pass' : 'fail', mistakes[i % 3])).status).toBe(204);
      }),
    );
    const live = await watching;
    const board = (await call(room.url, 'GET', '/api/board')).json as unknown as BoardView;
    for (const view of [live, board]) {
      expect(view.learners.map((l) => l.name)).toEqual(learners.map((l) => l.name));
      view.learners.forEach((l, i) => {
        expect(l.cells['caller-identity']!.state).toBe('passed');
        expect(l.cells['create-repository']).toMatchObject({ state: i % 3 === 0 ? 'passed' : 'failed', attempts: 2 });
        expect(l.cells['push-image']!.state).toBe('not-started');
      });
    }
    expect(board.stuck).toHaveLength(20);
    expect(board.mistakes.map((m) => [m.diagnosis, m.learners])).toEqual([
      ['repository-in-other-region', 10],
      ['scan-on-push-wrong', 10],
    ]);
    expect(board.room.joinCommand).toBe(`ecr-workbook join ${room.url} ${code} --name <your name>`);
  });

  it("gives one learner's details, newest report first", async () => {
    const detail = await call(room.url, 'GET', `/api/learners/${encodeURIComponent('learner-01')}`);
    expect(detail.status).toBe(200);
    expect((detail.json.history as Array<{ step: string; diagnosis?: string }>).map((r) => [r.step, r.diagnosis])).toEqual([
      ['create-repository', 'scan-on-push-wrong'],
      ['create-repository', 'scan-on-push-wrong'],
      ['caller-identity', undefined],
    ]);
    expect((await call(room.url, 'GET', '/api/learners/nobody')).status).toBe(404);
  });
});

describe('refusals', () => {
  let alice: { name: string; token: string };
  let bob: { name: string; token: string };
  beforeAll(async () => {
    alice = await join(room.url, code, 'alice');
    bob = await join(room.url, code, 'bob');
  });

  it('a wrong join code, for joining and for reporting', async () => {
    const joined = await call(room.url, 'POST', '/api/join', { body: { code: 'AAAA-AAAA', name: 'mallory' } });
    expect(joined.status).toBe(403);
    expect(joined.json).toEqual({ error: 'wrong-code', message: expect.stringContaining("not this classroom's join code") });
    const reported = await call(room.url, 'POST', '/api/report', { token: alice.token, body: { code: 'AAAA-AAAA', learner: 'alice', step: 'caller-identity', status: 'pass' } });
    expect(reported.status).toBe(403);
    expect(room.room.learner('mallory')).toBeUndefined();
    expect(room.room.learner('alice')!.history).toEqual([]);
  });

  it('a learner reporting as another, or without a token the room gave', async () => {
    const asBob = await report(room.url, code, { name: 'bob', token: alice.token }, 'caller-identity', 'pass');
    expect(asBob.status).toBe(403);
    expect(asBob.json.error).toBe('not-yourself');
    const noToken = await report(room.url, code, { name: 'bob', token: '' }, 'caller-identity', 'pass');
    expect(noToken.status).toBe(401);
    const forged = await report(room.url, code, { name: 'bob', token: 'x'.repeat(32) }, 'caller-identity', 'pass');
    expect(forged.json.error).toBe('unknown-learner');
    expect(room.room.learner('bob')!.history).toEqual([]);
    expect((await report(room.url, code, bob, 'caller-identity', 'pass')).status).toBe(204);
  });

  it('taking a name already in the room', async () => {
    const taken = await call(room.url, 'POST', '/api/join', { body: { code, name: 'ALICE' } });
    expect(taken.status).toBe(409);
    expect(taken.json.error).toBe('name-taken');
    const again = await call(room.url, 'POST', '/api/join', { body: { code, name: 'alice', token: alice.token } });
    expect(again.status).toBe(200);
    const steps = ((await call(room.url, 'GET', '/api/board')).json as unknown as BoardView).steps.length;
    expect(again.json).toMatchObject({ name: 'alice', token: alice.token, again: true, room: { id: room.room.state.id, target: 'sandbox', region: null, steps } });
  });

  it('bodies that are too big, not JSON, or not an object; wrong methods', async () => {
    const big = await call(room.url, 'POST', '/api/join', { body: JSON.stringify({ code, name: 'x'.repeat(MAX_BODY_BYTES) }) });
    expect(big.status).toBe(413);
    expect(big.json.error).toBe('too-large');
    const form = await call(room.url, 'POST', '/api/join', { body: undefined, headers: { 'content-type': 'text/plain' } });
    expect(form.status).toBe(415);
    expect((await call(room.url, 'POST', '/api/join', { body: '{"code":' })).json.error).toBe('bad-json');
    expect((await call(room.url, 'POST', '/api/join', { body: '[1]' })).json.error).toBe('bad-json');
    const get = await call(room.url, 'GET', '/api/report');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await call(room.url, 'DELETE', '/')).status).toBe(405);
  });

  it('too many wrong codes or tokens from one address: it must wait, even with the right code', async () => {
    const other = await startTestClassroom();
    try {
      const right = displayCode(other.room.state.code);
      for (let i = 0; i < MAX_FAILURES; i++) expect((await call(other.url, 'POST', '/api/join', { body: { code: 'AAAA-AAAA', name: 'guess' } })).status).toBe(403);
      const limited = await call(other.url, 'POST', '/api/join', { body: { code: right, name: 'guess' } });
      expect(limited.status).toBe(429);
      expect(limited.json.error).toBe('too-many-attempts');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(other.room.state.learners).toEqual([]);
    } finally {
      await other.stop();
    }
  });
});

describe('the board is the instructor’s, on this machine only', () => {
  it('serves the page with a strict CSP and its own files only (the console’s style and helpers, byte for byte)', async () => {
    const page = await call(room.url, 'GET', '/', { headers: { host: `localhost:${room.port}` } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.text).toContain('<script type="module" src="/assets/board.js"></script>');
    expect(page.text).toContain(`<title>${boardText.documentTitle}</title>`);
    const shared = consoleAssetsDir();
    for (const [name, type, file] of [
      ['console.css', 'text/css; charset=utf-8', path.join(shared, 'console.css')],
      ['dom.js', 'text/javascript; charset=utf-8', path.join(shared, 'dom.js')],
      ['board.js', 'text/javascript; charset=utf-8', path.resolve('src/classroom/assets/board.js')],
      ['board.css', 'text/css; charset=utf-8', path.resolve('src/classroom/assets/board.css')],
    ] as const) {
      const asset = await call(room.url, 'GET', `/assets/${name}`);
      expect(asset.status, name).toBe(200);
      expect(asset.headers.get('content-type')).toBe(type);
      expect(asset.text).toBe(fs.readFileSync(file, 'utf8'));
    }
    for (const bad of ['/assets/index.ts', '/assets/../room.ts', '/assets/', '/nope']) expect((await call(room.url, 'GET', bad)).status, bad).toBe(404);
  });

  it('refuses a Host name that is not this machine’s (a web page rebinding its DNS to 127.0.0.1)', async () => {
    for (const p of ['/', '/api/board', '/api/events']) {
      const answer = await call(room.url, 'GET', p, { headers: { host: `evil.example:${room.port}` } });
      expect(answer.status, p).toBe(403);
      expect(answer.json.error).toBe('bad-host');
    }
    const join = await call(room.url, 'POST', '/api/join', { body: { code, name: 'rebound' }, headers: { host: 'evil.example' } });
    expect(join.status).toBe(403);
  });

  it('refuses the board to another machine, which may still join and report', async () => {
    const wide = await startTestClassroom({ host: '0.0.0.0' });
    try {
      const wideCode = wide.room.state.code;
      const board = await requestFromPeer(wide, '203.0.113.9', `GET /api/board HTTP/1.1\r\nHost: localhost:${wide.port}\r\nConnection: close\r\n\r\n`);
      expect(board.status).toBe(403);
      expect(board.text).toContain('instructor-only');
      const page = await requestFromPeer(wide, '::ffff:198.51.100.7', `GET / HTTP/1.1\r\nHost: 198.51.100.1:${wide.port}\r\nConnection: close\r\n\r\n`);
      expect(page.status).toBe(403);
      const body = JSON.stringify({ code: wideCode, name: 'remote' });
      const joined = await requestFromPeer(
        wide,
        '203.0.113.9',
        `POST /api/join HTTP/1.1\r\nHost: 192.168.1.20:${wide.port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(joined.status).toBe(201);
      expect(wide.room.learner('remote')).toBeDefined();
      expect(wide.urls.at(-1)).toBe(`http://127.0.0.1:${wide.port}`);
      expect((await call(`http://127.0.0.1:${wide.port}`, 'GET', '/api/board')).status).toBe(200);
    } finally {
      await wide.stop();
    }
  });

  it('answers the board under this machine’s own address (the instructor opening it by the address learners use)', async () => {
    const own = Object.values(os.networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4');
    if (!own) return; // a machine with loopback only has no other address to try
    const wide = await startTestClassroom({ host: '0.0.0.0' });
    try {
      const board = await call(`http://${own.address}:${wide.port}`, 'GET', '/api/board');
      expect(board.status).toBe(200);
      expect(wide.urls[0]).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:\d+$/);
      expect(wide.urls).toContain(`http://${own.address}:${wide.port}`);
    } finally {
      await wide.stop();
    }
  });

  it('lists the addresses learners join at, for the address it listens on', () => {
    const interfaces = {
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
      eth0: [
        { address: '192.168.1.20', family: 'IPv4', internal: false },
        { address: 'fe80::1', family: 'IPv6', internal: false },
      ],
    } as unknown as ReturnType<typeof os.networkInterfaces>;
    expect(joinUrls('127.0.0.1', 5124, interfaces)).toEqual(['http://127.0.0.1:5124']);
    expect(joinUrls('0.0.0.0', 5124, interfaces)).toEqual(['http://192.168.1.20:5124', 'http://127.0.0.1:5124']);
    expect(joinUrls('10.1.2.3', 5124, interfaces)).toEqual(['http://10.1.2.3:5124']);
    expect(joinUrls('fd00::5', 5124, interfaces)).toEqual(['http://[fd00::5]:5124']);
  });

  it('knows this machine’s own peers', () => {
    expect(['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1'].every(isLocalPeer)).toBe(true);
    expect(['203.0.113.9', '::ffff:198.51.100.7', undefined].some(isLocalPeer)).toBe(false);
  });
});

describe('the live stream and a restart', () => {
  it(`serves at most ${MAX_WATCHERS} open boards at once`, async () => {
    const other = await startTestClassroom();
    const streams: http.ClientRequest[] = [];
    try {
      const open = () =>
        new Promise<number>((resolve) => {
          const req = http.get(`${other.url}/api/events`, (res) => {
            resolve(res.statusCode ?? 0);
            if (res.statusCode !== 200) res.resume();
          });
          streams.push(req);
        });
      const statuses = await Promise.all(Array.from({ length: MAX_WATCHERS }, open));
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(await open()).toBe(503);
    } finally {
      for (const req of streams) req.destroy();
      await other.stop();
    }
  });

  it('refuses to open a saved room as another kind of room', async () => {
    const first = await startTestClassroom();
    await first.stop();
    await expect(startTestClassroom({ dir: first.dir, target: 'aws' })).rejects.toThrow('The saved room is a sandbox room, not aws.');
  });

  it('sends the board when something changes', async () => {
    const carol = await join(room.url, code, 'carol');
    const seen = waitForBoard<BoardView>(room.url, (b) => b.learners.find((l) => l.name === 'carol')?.cells['build-image']?.state === 'failed');
    await new Promise((r) => setTimeout(r, 100));
    await report(room.url, code, carol, 'build-image', 'fail', 'docker-down');
    const board = await seen;
    expect(board.learners.find((l) => l.name === 'carol')!.stuck).toMatchObject({ step: 'build-image', diagnosis: 'docker-down' });
  });

  it('opens the same room again after a stop: same code, tokens still good', async () => {
    const first = await startTestClassroom();
    const dave = await join(first.url, displayCode(first.room.state.code), 'dave');
    await report(first.url, first.room.state.code, dave, 'caller-identity', 'fail', 'no-credentials');
    await first.stop();
    const again = await startTestClassroom({ dir: first.dir });
    try {
      expect(again.resumed).toBe(true);
      expect(again.room.state.code).toBe(first.room.state.code);
      expect((await report(again.url, again.room.state.code, dave, 'caller-identity', 'pass')).status).toBe(204);
      expect(again.room.learner('dave')!.steps['caller-identity']).toMatchObject({ attempts: 2, passedAt: expect.any(String) });
    } finally {
      await again.stop();
    }
    const fresh = await startTestClassroom({ dir: first.dir, fresh: true });
    try {
      expect(fresh.resumed).toBe(false);
      expect(fresh.archivedTo).toMatch(/room-.*\.json$/);
      expect(fresh.room.state.code).not.toBe(first.room.state.code);
      expect((await report(fresh.url, fresh.room.state.code, dave, 'caller-identity', 'pass')).json.error).toBe('unknown-learner');
    } finally {
      await fresh.stop();
    }
  });
});
