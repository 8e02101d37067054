import http from 'node:http';
import { duplexPair } from 'node:stream';
import { startClassroom, type ClassroomOptions, type RunningClassroom } from '../../src/classroom/index.js';
import { tempDir } from '../helpers/sandbox.js';

/** A classroom served by this process on a free port, in a temp folder. Call `stop()`. */
export async function startTestClassroom(options: Partial<ClassroomOptions> = {}): Promise<RunningClassroom & { dir: string; url: string }> {
  const dir = options.dir ?? tempDir('ecrwb-classroom-');
  const classroom = await startClassroom({ port: 0, ...options, dir });
  return Object.assign(classroom, { dir, url: `http://127.0.0.1:${classroom.port}` });
}

export interface Answer {
  status: number;
  headers: Headers;
  json: { error?: string; message?: string; [key: string]: unknown };
  text: string;
}

/** One HTTP request as a learner's CLI or the board sends it (any Host header); the answer's body read as JSON when it is. */
export function call(url: string, method: string, path: string, options: { body?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}),
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let json = {};
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        const answerHeaders = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') answerHeaders.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers: answerHeaders, json, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A learner joining: their name and token. */
export async function join(url: string, code: string, name: string): Promise<{ name: string; token: string }> {
  const answer = await call(url, 'POST', '/api/join', { body: { code, name } });
  if (answer.status !== 201) throw new Error(`join ${name}: ${answer.status} ${answer.text}`);
  return { name: answer.json.name as string, token: answer.json.token as string };
}

/** One check's report, as the learner's CLI sends it. */
export function report(url: string, code: string, learner: { name: string; token: string }, step: string, status: 'pass' | 'fail' | 'error', diagnosis?: string): Promise<Answer> {
  return call(url, 'POST', '/api/report', { token: learner.token, body: { code, learner: learner.name, step, status, ...(diagnosis ? { diagnosis } : {}) } });
}

/**
 * A raw HTTP/1.1 request handed to the server as if it came from another machine (`peer`):
 * the server's real parser and routes, with a socket whose remote address is not this machine's.
 */
export function requestFromPeer(classroom: RunningClassroom, peer: string, raw: string): Promise<{ status: number; text: string }> {
  const [client, serverSide] = duplexPair();
  Object.defineProperty(serverSide, 'remoteAddress', { value: peer });
  classroom.server.http.emit('connection', serverSide);
  return new Promise((resolve, reject) => {
    let text = '';
    client.setEncoding('utf8');
    client.on('data', (chunk: string) => {
      text += chunk;
      // One answer is enough: the status line, headers and a Content-Length body.
      const head = text.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? NaN);
      if (head >= 0 && Buffer.byteLength(text.slice(head + 4)) >= length) {
        client.destroy();
        resolve({ status: Number(text.slice(9, 12)), text });
      }
    });
    client.on('error', reject);
    client.write(raw);
  });
}

/** Reads server-sent `board` events from the classroom's /api/events until `until` accepts one. */
export async function waitForBoard<T>(url: string, until: (board: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(`${url}/api/events`, { signal: controller.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.split('\n').find((l) => l.startsWith('data: '));
        if (event.includes('event: board') && data) {
          const board = JSON.parse(data.slice(6)) as T;
          if (until(board)) return board;
        }
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
