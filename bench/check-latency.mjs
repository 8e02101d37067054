#!/usr/bin/env node
// Latency of each sandbox check, in-process as the runner runs it, at the point of the course
// where the learner is about to clean up (repository, login, image and push all in place), and
// the time of the whole course replay. Usage: node bench/check-latency.mjs [runs]
// (build first: npm run build; needs docker and an aws CLI). Target: p95 ≤ 200 ms per check.
import { execFileSync } from 'node:child_process';
import { replayCourse } from '../dist/src/runner/course-check.js';
import { contextFor, templateVars } from '../dist/src/runner/session.js';
import { runCheck } from '../dist/src/check/registry.js';
import { readsEndpointEnv, renderParams } from '../dist/src/course/render.js';

const runs = Number(process.argv[2] ?? 30);
const awsCli = execFileSync('bash', ['-c', 'command -v aws'], { encoding: 'utf8' }).trim();
const version = execFileSync(awsCli, ['--version'], { encoding: 'utf8' }).trim();
const rows = [];
const t0 = performance.now();
const steps = await replayCourse({
  awsCli,
  readsEndpointEnv: readsEndpointEnv(version),
  repo: 'bench-app',
  beforeStep: async (step, session, resolved, env) => {
    if (step.id !== 'delete-repository') return;
    for (const s of session.course.steps) {
      const params = renderParams(s, templateVars(session, resolved));
      const times = [];
      let status;
      for (let i = 0; i < runs; i++) {
        const ctx = await contextFor(session, resolved, s, env);
        const t = performance.now();
        status = (await runCheck(s.check, ctx, params)).status;
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      rows.push({ check: s.check, status, median: times[Math.floor(runs / 2)], p95: times[Math.min(runs - 1, Math.floor(runs * 0.95))] });
    }
  },
});
const replayMs = performance.now() - t0;
for (const r of rows) console.log(`${r.check.padEnd(22)} ${String(r.status).padEnd(5)} median ${r.median.toFixed(0).padStart(4)} ms  p95 ${r.p95.toFixed(0).padStart(4)} ms`);
console.log(`worst p95: ${Math.max(...rows.map((r) => r.p95)).toFixed(0)} ms over ${runs} runs each (target ≤ 200 ms); fresh SDK clients per check, as the CLI makes them`);
console.log(`full course replay with ${version.split(' ')[0]}: ${(replayMs / 1000).toFixed(1)} s including the check timing above; ${steps.filter((s) => s.ok).length}/${steps.length} steps went from fail to pass`);
