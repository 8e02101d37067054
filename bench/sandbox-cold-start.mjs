#!/usr/bin/env node
// Cold start of the sandbox, registry image present: from `ecr-workbook sandbox up` to the
// first 200 from an authenticated GET /v2/ and a successful DescribeRepositories.
// Usage: node bench/sandbox-cold-start.mjs [runs]   (build first: npm run build)
// Target (issue 2): at most 2 s.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';

const runs = Number(process.argv[2] ?? 5);
const bin = path.resolve(import.meta.dirname, '../bin/ecr-workbook.js');
const times = [];
for (let i = 0; i < runs; i++) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ecrwb-bench-'));
  const env = { ...process.env, ECR_WORKBOOK_HOME: home };
  const t0 = performance.now();
  const up = spawnSync(process.execPath, [bin, 'sandbox', 'up', '--port', '0', '--json'], { env, encoding: 'utf8' });
  if (up.status !== 0) {
    console.error(up.stderr);
    process.exit(1);
  }
  const runtime = JSON.parse(up.stdout);
  const state = JSON.parse(fs.readFileSync(path.join(home, 'sandbox', 'state.json'), 'utf8'));
  const client = new ECRClient({ endpoint: runtime.endpoint, region: runtime.region, credentials: state.credentials });
  const [repos, token] = await Promise.all([
    client.send(new DescribeRepositoriesCommand({})),
    client.send(new GetAuthorizationTokenCommand({})),
  ]);
  const auth = token.authorizationData[0].authorizationToken;
  const v2 = await fetch(`${runtime.endpoint}/v2/`, { headers: { authorization: `Basic ${auth}` } });
  const elapsed = performance.now() - t0;
  if (v2.status !== 200 || !Array.isArray(repos.repositories)) throw new Error(`not ready: /v2/ answered ${v2.status}`);
  times.push(elapsed);
  console.log(`run ${i + 1}: ${elapsed.toFixed(0)} ms`);
  spawnSync(process.execPath, [bin, 'sandbox', 'down'], { env });
  fs.rmSync(home, { recursive: true, force: true });
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`cold start to ready over ${runs} runs: min ${times[0].toFixed(0)} ms, median ${median.toFixed(0)} ms, max ${times.at(-1).toFixed(0)} ms (target ≤ 2000 ms)`);
