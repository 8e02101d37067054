#!/usr/bin/env node
// A busy workshop on loopback: the classroom server (the real background daemon, as
// `classroom start` runs it) with the board open (one live stream), and N report-only learners
// who each join, then send one check result every 2 s for the given time, each on a new
// connection as a learner's `ecr-workbook check` does. Prints the server's latency per report
// (p50/p95/p99/max, as the learners measure it), errors, and the daemon's RSS (now and peak,
// from /proc) and CPU time.
// Usage: node bench/classroom-load.mjs [learners=100] [seconds=60]   (build first: npm run build)
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { classroomStart, classroomStop } from '../dist/src/classroom/control.js';

const learners = Number(process.argv[2] ?? 100);
const seconds = Number(process.argv[3] ?? 60);
const EVERY_MS = 2000;
const STEPS = ['knowledge-check', 'caller-identity', 'create-repository', 'docker-login', 'build-image', 'tag-image', 'push-image', 'verify-image', 'delete-repository'];
const MISTAKES = ['repository-missing', 'scan-on-push-wrong', 'login-wrong-user', 'image-not-tagged', 'token-expired'];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecrwb-classroom-bench-'));
const { runtime } = await classroomStart({ dir, port: 0 });
const port = runtime.port;

/** One POST on a connection of its own; resolves with the status and the milliseconds it took. */
function post(pathname, body, token) {
  const data = JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: pathname, method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...(token ? { authorization: `Bearer ${token}` } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started, text }));
      },
    );
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started, text: '' }));
    req.end(data);
  });
}

/** kB figures of /proc/<pid>/status (VmRSS now, VmHWM the peak) and CPU seconds from /proc/<pid>/stat. */
function usage(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)[1]);
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), cpu: ticks / 100 };
}

// The instructor's board: one live stream for the whole run.
const board = http.get({ host: '127.0.0.1', port, path: '/api/events' });
let boardEvents = 0;
board.on('response', (res) => res.on('data', (chunk) => (boardEvents += (String(chunk).match(/event: board/g) ?? []).length)));

const before = usage(runtime.pid);
const joined = await Promise.all(
  Array.from({ length: learners }, async (_, i) => {
    const name = `learner-${String(i).padStart(3, '0')}`;
    const res = await post('/api/join', { code: runtime.code, name });
    if (res.status !== 201) throw new Error(`join ${name}: ${res.status} ${res.text}`);
    return { name, token: JSON.parse(res.text).token };
  }),
);

const latencies = [];
let errors = 0;
const deadline = Date.now() + seconds * 1000;
await Promise.all(
  joined.map(async (learner, i) => {
    // Learners start spread over the first period, as a room does.
    await new Promise((r) => setTimeout(r, (i * EVERY_MS) / learners));
    for (let n = 0; Date.now() < deadline; n++) {
      const tick = Date.now();
      const step = STEPS[(i + Math.floor(n / 3)) % STEPS.length];
      const pass = n % 3 === 2;
      const res = await post('/api/report', { code: runtime.code, learner: learner.name, step, status: pass ? 'pass' : 'fail', ...(pass ? {} : { diagnosis: MISTAKES[(i + n) % MISTAKES.length] }) }, learner.token);
      if (res.status === 204) latencies.push(res.ms);
      else errors++;
      await new Promise((r) => setTimeout(r, Math.max(0, EVERY_MS - (Date.now() - tick))));
    }
  }),
);
const after = usage(runtime.pid);
board.destroy();
await classroomStop(dir);
fs.rmSync(dir, { recursive: true, force: true });

latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(1);
console.log(`${learners} learners × one report every ${EVERY_MS / 1000} s for ${seconds} s on loopback, board open (${boardEvents} board updates sent)`);
console.log(`reports: ${latencies.length} answered, ${errors} errors (${(latencies.length / seconds).toFixed(1)} per second)`);
console.log(`latency per report (new connection each): p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms, max ${latencies.at(-1).toFixed(1)} ms`);
console.log(`machine load average (1 min) at the end: ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs (latency includes waiting for a CPU)`);
console.log(`server RSS: ${(before.rss / 1024).toFixed(1)} MiB idle, ${(after.rss / 1024).toFixed(1)} MiB after, peak ${(after.hwm / 1024).toFixed(1)} MiB; CPU ${(after.cpu - before.cpu).toFixed(1)} s over the run`);
