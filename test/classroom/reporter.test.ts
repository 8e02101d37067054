import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClassroomClientError, classroomUrl, joinRoom } from '../../src/classroom/client.js';
import { BACKOFF_MS, MAX_QUEUED, reportCheck, reportsSettled, resetReporter } from '../../src/classroom/reporter.js';
import { displayCode } from '../../src/classroom/room.js';
import type { ClassroomMembership } from '../../src/progress/store.js';
import { freePort } from '../helpers/sandbox.js';
import { startTestClassroom } from './helpers.js';

// What the learner's side sends, and that it never gets in a check's way: in the background,
// bounded, with a short timeout, one note on stderr when the classroom cannot be reached.

/** A server that records what it is sent and answers with `status` (or never, when `hang`). */
async function recordingServer(answer: { status: number; body?: object; hang?: boolean }) {
  const received: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (answer.hang) return;
      const text = answer.body ? JSON.stringify(answer.body) : '';
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const member = (url: string): ClassroomMembership => ({ url, code: 'K7MQ4PXA', name: 'alice', token: 'alice-token', roomId: 'r1', target: 'sandbox', joinedAt: '2025-01-01T00:00:00.000Z' });

let notes: string[];
afterEach(() => resetReporter());

describe('a check report', () => {
  it('carries the code, the learner, the step, the outcome and the diagnosis id: nothing else; the token goes as a bearer', async () => {
    notes = [];
    resetReporter((l) => notes.push(l));
    const server = await recordingServer({ status: 204 });
    try {
      reportCheck(member(server.url), { step: 'create-repository', status: 'fail', diagnosis: 'repository-missing' });
      reportCheck(member(server.url), { step: 'create-repository', status: 'pass', ...({ evidence: ['secret'], command: 'aws ecr …' } as object) });
      await reportsSettled();
      expect(server.received.map((r) => [r.method, r.url, r.headers['content-type'], r.headers.authorization])).toEqual([
        ['POST', '/api/report', 'application/json', 'Bearer alice-token'],
        ['POST', '/api/report', 'application/json', 'Bearer alice-token'],
      ]);
      expect(server.received.map((r) => JSON.parse(r.body))).toEqual([
        { code: 'K7MQ4PXA', learner: 'alice', step: 'create-repository', status: 'fail', diagnosis: 'repository-missing' },
        { code: 'K7MQ4PXA', learner: 'alice', step: 'create-repository', status: 'pass' },
      ]);
      expect(notes).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('reaches a real classroom, which records it', async () => {
    resetReporter((l) => notes.push(l));
    const room = await startTestClassroom();
    try {
      const joined = await joinRoom(room.url, displayCode(room.room.state.code), 'bob');
      reportCheck({ ...member(room.url), code: room.room.state.code, name: joined.name, token: joined.token }, { step: 'caller-identity', status: 'error', diagnosis: 'unreachable' });
      await reportsSettled();
      expect(room.room.learner('bob')!.history).toMatchObject([{ step: 'caller-identity', status: 'error', diagnosis: 'unreachable' }]);
    } finally {
      await room.stop();
    }
  });
});

describe('when the classroom is not there', () => {
  it('says so once, then drops reports for a while instead of waiting on each', async () => {
    notes = [];
    resetReporter((l) => notes.push(l));
    const url = `http://127.0.0.1:${await freePort()}`;
    reportCheck(member(url), { step: 'caller-identity', status: 'pass' });
    reportCheck(member(url), { step: 'create-repository', status: 'fail' });
    await reportsSettled();
    expect(notes).toEqual([`note: the classroom at ${url} cannot be reached, so this check was not reported to your instructor (it counts here as usual).`]);
  });

  it(`after a failure, sends nothing for ${BACKOFF_MS / 1000} s (a dead classroom costs no check a timeout)`, async () => {
    resetReporter(() => {});
    const server = await recordingServer({ status: 503, body: { error: 'internal', message: 'down' } });
    try {
      reportCheck(member(server.url), { step: 'caller-identity', status: 'pass' });
      await reportsSettled();
      reportCheck(member(server.url), { step: 'create-repository', status: 'pass' });
      await reportsSettled();
      expect(server.received.map((r) => JSON.parse(r.body).step)).toEqual(['caller-identity']);
    } finally {
      await server.close();
    }
  });

  it('gives up on a classroom that does not answer after its short timeout', async () => {
    notes = [];
    resetReporter((l) => notes.push(l));
    const server = await recordingServer({ status: 204, hang: true });
    try {
      const started = Date.now();
      reportCheck(member(server.url), { step: 'caller-identity', status: 'pass' });
      await reportsSettled();
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(server.received).toHaveLength(1);
      expect(notes[0]).toContain('cannot be reached');
    } finally {
      await server.close();
    }
  });

  it("passes on a refusal in the classroom's words, once", async () => {
    notes = [];
    resetReporter((l) => notes.push(l));
    const server = await recordingServer({ status: 401, body: { error: 'unknown-learner', message: 'This classroom does not know your token.' } });
    try {
      reportCheck(member(server.url), { step: 'caller-identity', status: 'pass' });
      await reportsSettled();
      expect(notes).toEqual([`note: the classroom at ${server.url} refused the report: This classroom does not know your token.`]);
    } finally {
      await server.close();
    }
  });

  it('keeps at most a small queue while a report is on its way: the oldest waiting are dropped', async () => {
    resetReporter(() => {});
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const bodies: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        bodies.push(JSON.parse(body).step);
        await gate;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (let i = 0; i < 50; i++) reportCheck(member(url), { step: `step-${i}`, status: 'fail' });
      await new Promise((r) => setTimeout(r, 200));
      release();
      await reportsSettled();
      expect(bodies).toHaveLength(1 + MAX_QUEUED);
      expect(bodies[0]).toBe('step-0');
      expect(bodies.slice(1)).toEqual(Array.from({ length: MAX_QUEUED }, (_, i) => `step-${50 - MAX_QUEUED + i}`));
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('joining', () => {
  let room: Awaited<ReturnType<typeof startTestClassroom>>;
  beforeAll(async () => {
    room = await startTestClassroom();
  });
  afterAll(async () => {
    await room?.stop();
  });

  it('takes the address as typed (with or without http://, a trailing slash)', () => {
    expect(classroomUrl('192.168.1.20:5124')).toBe('http://192.168.1.20:5124');
    expect(classroomUrl('http://localhost:5124/')).toBe('http://localhost:5124');
    for (const bad of ['ftp://x:1', 'http://', '::::']) expect(() => classroomUrl(bad), bad).toThrow(/not a classroom address/);
  });

  it("passes on the classroom's refusal, and tells a server that is no classroom apart", async () => {
    await expect(joinRoom(room.url, 'AAAA-AAAA', 'alice')).rejects.toMatchObject({ code: 'wrong-code', message: expect.stringContaining("not this classroom's join code") });
    const other = await recordingServer({ status: 404, body: { nope: true } });
    try {
      await expect(joinRoom(other.url, 'AAAA-AAAA', 'alice')).rejects.toMatchObject({ code: 'not-a-classroom' });
    } finally {
      await other.close();
    }
    const closed = `http://127.0.0.1:${await freePort()}`;
    const error = await joinRoom(closed, 'AAAA-AAAA', 'alice').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClassroomClientError);
    expect(error).toMatchObject({ code: 'unreachable', message: expect.stringContaining(`Could not reach the classroom at ${closed} (ECONNREFUSED)`) });
  });
});
