#!/usr/bin/env node
// Cold start of the CLI: `ecr-workbook --version` and `ecr-workbook status` (no sandbox, no SDK).
// Usage: node bench/cli-cold-start.mjs [runs]   (build first: npm run build). Target: ≤ 300 ms each.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const runs = Number(process.argv[2] ?? 15);
const bin = path.resolve(import.meta.dirname, '../bin/ecr-workbook.js');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ecrwb-bench-cli-'));
const env = { ...process.env, ECR_WORKBOOK_HOME: home, NO_COLOR: '1' };

function time(args) {
  const times = [];
  spawnSync(process.execPath, [bin, ...args], { env }); // warm the file cache once
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, ...args], { env });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(0);
  console.log(`ecr-workbook ${args.join(' ').padEnd(10)} min ${q(0)} ms  median ${q(0.5)} ms  p95 ${q(0.95)} ms  max ${q(1)} ms  (${runs} runs; target ≤ 300 ms)`);
}

const bare = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  bare.push(performance.now() - t0);
}
bare.sort((a, b) => a - b);
console.log(`node -e 0 (the floor)     median ${bare[Math.floor(runs / 2)].toFixed(0)} ms`);
time(['--version']);
time(['status']);
fs.rmSync(home, { recursive: true, force: true });
