#!/usr/bin/env node
// Push throughput through the sandbox's registry proxy against pushing straight into the same
// registry container, and the sandbox's peak memory meanwhile.
//
//   npm run build && ECR_WORKBOOK_REGISTRY_IMAGE=ecr-workbook/registry:local node bench/push-throughput.mjs [--size-mib 256] [--rounds 3]
//
// Each round builds a fresh FROM-scratch image holding SIZE MiB of random bytes (fresh, so docker
// can neither skip nor cross-mount a layer it pushed before), then pushes it once through the
// sandbox (localhost:PORT, with ECR auth) and once directly (127.0.0.1:<mapped port>, with the
// container's own credentials; docker allows plain HTTP to loopback registries), alternating which
// goes first. Throughput is the image's size over the wall time of `docker push`; the ratio
// compares the medians. The sandbox
// runs as a child process so its peak RSS (VmHWM) is its own, not this script's.
//
// docker push is bound by the daemon's gzip (one core), which hides the proxy's own cost, so a
// second part uploads a SIZE MiB blob over raw HTTP (POST, one streamed PATCH, PUT) through the
// sandbox and directly, as fast as this process can send it.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { buildRandomImage, option, requireBuilt, root, run } from './common.mjs';

const SIZE_MIB = option('size-mib', 256);
const ROUNDS = option('rounds', 3);
const MiB = 1024 * 1024;

requireBuilt();
// The sandbox runs with the flags `sandbox up` gives its daemon.
const { DAEMON_NODE_FLAGS } = await import(path.join(root, 'dist/src/util/daemon.js'));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ecrwb-bench-'));
const dockerEnv = { ...process.env, DOCKER_CONFIG: path.join(work, 'docker') };
fs.mkdirSync(dockerEnv.DOCKER_CONFIG, { recursive: true });
const images = new Set();

function startSandbox() {
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, path.join(root, 'test/fixtures/sandbox-child.mjs'), path.join(work, 'sandbox')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve({ child, info: JSON.parse(out.split('\n')[0]) });
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited (${code}) before it was ready`)));
  });
}

/** kB figures of /proc/<pid>/status: VmRSS now, VmHWM the peak so far. */
function memory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

async function buildImage(tag) {
  images.add(tag);
  await buildRandomImage(tag, SIZE_MIB, work, dockerEnv);
}

async function timedPush(source, target) {
  images.add(target);
  await run('docker', ['tag', source, target], { env: dockerEnv });
  const start = process.hrtime.bigint();
  await run('docker', ['push', target], { env: dockerEnv, maxBuffer: 16 * MiB });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, mibPerSecond: SIZE_MIB / seconds };
}

/** Uploads SIZE MiB as one streamed PATCH, as docker does, and returns the seconds it took. */
async function rawUpload(base, name, authorization) {
  const block = crypto.randomBytes(4 * MiB);
  const hash = crypto.createHash('sha256');
  for (let i = 0; i < SIZE_MIB / 4; i++) hash.update(block);
  const digest = `sha256:${hash.digest('hex')}`;
  const request = (method, url, body) =>
    new Promise((resolve, reject) => {
      const req = http.request(new URL(url, base), { method, headers: authorization ? { authorization } : {} }, (res) => {
        res.resume();
        res.on('end', () => resolve(res));
      });
      req.on('error', reject);
      if (!body) return req.end();
      let sent = 0;
      const write = () => {
        while (sent < SIZE_MIB / 4) {
          sent++;
          if (!req.write(block)) return req.once('drain', write);
        }
        req.end();
      };
      write();
    });
  const start = process.hrtime.bigint();
  const started = await request('POST', `/v2/${name}/blobs/uploads/`);
  const patched = await request('PATCH', started.headers.location, true);
  const location = patched.headers.location;
  const done = await request('PUT', `${location}${location.includes('?') ? '&' : '?'}digest=${digest}`);
  if (done.statusCode !== 201) throw new Error(`raw upload to ${base}: ${done.statusCode}`);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, mibPerSecond: SIZE_MIB / seconds };
}

/** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Runs one proxied transfer and notes the CPU the sandbox spent on it. */
async function withSandboxCpu(pid, transfer) {
  const before = cpuSeconds(pid);
  const result = await transfer();
  return { ...result, sandboxCpuSeconds: cpuSeconds(pid) - before };
}

/** Runs a round's two transfers back to back, the sandbox first in even rounds and last in odd ones. */
async function inTurn(round, viaSandbox, straight) {
  if (round % 2 === 0) {
    const first = await viaSandbox();
    return { viaSandbox: first, straight: await straight() };
  }
  const first = await straight();
  return { viaSandbox: await viaSandbox(), straight: first };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const { child, info } = await startSandbox();
// The sandbox's RSS is sampled every 20 ms and its maximum kept per phase.
const peakRss = { dockerPushes: 0, rawUploads: 0 };
let phase;
const sampler = setInterval(() => {
  try {
    if (phase) peakRss[phase] = Math.max(peakRss[phase], memory(child.pid).rss);
  } catch {
    /* exited */
  }
}, 20);

try {
  const ecr = new ECRClient({ endpoint: info.endpoint, region: info.region, credentials: info.credentials });
  const token = await ecr.send(new GetAuthorizationTokenCommand({}));
  const password = Buffer.from(token.authorizationData[0].authorizationToken, 'base64').toString('utf8').slice(4);
  const dockerLogin = (host, username, secret) =>
    new Promise((resolve, reject) => {
      const login = spawn('docker', ['login', '--username', username, '--password-stdin', host], { env: dockerEnv, stdio: ['pipe', 'ignore', 'inherit'] });
      login.stdin.end(secret);
      login.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker login exited ${code}`))));
    });
  await dockerLogin(info.registryHost, 'AWS', password);
  // The registry container takes only the sandbox's own credentials: the direct pushes use them too.
  await dockerLogin(`127.0.0.1:${info.registry.publishedPort}`, info.registry.username, info.registry.password);
  const startupHwm = memory(child.pid).hwm;
  phase = 'dockerPushes';

  const proxied = [];
  const direct = [];
  for (let round = 0; round < ROUNDS; round++) {
    const id = `${process.pid}-${round}-${crypto.randomBytes(2).toString('hex')}`;
    const source = `ecrwb-bench/push-${id}:latest`;
    process.stderr.write(`round ${round + 1}/${ROUNDS}: building a ${SIZE_MIB} MiB image… `);
    await buildImage(source);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: `bench/proxied-${id}` }));
    const viaSandbox = () => withSandboxCpu(child.pid, () => timedPush(source, `${info.registryHost}/bench/proxied-${id}:1`));
    const straight = () => timedPush(source, `127.0.0.1:${info.registry.publishedPort}/bench/direct-${id}:1`);
    const pair = await inTurn(round, viaSandbox, straight);
    proxied.push(pair.viaSandbox);
    direct.push(pair.straight);
    process.stderr.write(`through the sandbox ${proxied.at(-1).mibPerSecond.toFixed(1)} MiB/s, direct ${direct.at(-1).mibPerSecond.toFixed(1)} MiB/s\n`);
    await run('docker', ['rmi', '-f', source], { env: dockerEnv });
  }

  phase = 'rawUploads';
  const rawProxied = [];
  const rawDirect = [];
  for (let round = 0; round < ROUNDS; round++) {
    const name = `bench/raw-${process.pid}-${round}`;
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const viaSandbox = () => withSandboxCpu(child.pid, () => rawUpload(info.endpoint, name, `Basic ${token.authorizationData[0].authorizationToken}`));
    const straight = () => rawUpload(`http://127.0.0.1:${info.registry.publishedPort}`, `${name}-direct`, info.registry.authorization);
    const pair = await inTurn(round, viaSandbox, straight);
    rawProxied.push(pair.viaSandbox);
    rawDirect.push(pair.straight);
    process.stderr.write(`raw upload ${round + 1}/${ROUNDS}: through the sandbox ${rawProxied.at(-1).mibPerSecond.toFixed(1)} MiB/s, direct ${rawDirect.at(-1).mibPerSecond.toFixed(1)} MiB/s\n`);
  }
  phase = undefined;
  ecr.destroy();
  const rp = median(rawProxied.map((r) => r.mibPerSecond));
  const rd = median(rawDirect.map((r) => r.mibPerSecond));

  const p = median(proxied.map((r) => r.mibPerSecond));
  const d = median(direct.map((r) => r.mibPerSecond));
  // Each round's two pushes run back to back, so their ratio is less exposed to load that drifts
  // between rounds (other work on the machine) than the ratio of the medians.
  const paired = median(proxied.map((r, i) => direct[i].seconds / r.seconds));
  const { hwm } = memory(child.pid);
  console.log(
    JSON.stringify(
      {
        imageMiB: SIZE_MIB,
        rounds: ROUNDS,
        throughSandboxMiBps: Number(p.toFixed(1)),
        directMiBps: Number(d.toFixed(1)),
        ratio: Number((p / d).toFixed(3)),
        pairedRatioMedian: Number(paired.toFixed(3)),
        sandboxCpuSecondsPerPush: Number(median(proxied.map((r) => r.sandboxCpuSeconds)).toFixed(2)),
        // This machine's noise shows here: the same direct push can vary by a third between rounds.
        perRound: proxied.map((r, i) => ({
          sandboxSeconds: Number(r.seconds.toFixed(2)),
          directSeconds: Number(direct[i].seconds.toFixed(2)),
          ratio: Number((direct[i].seconds / r.seconds).toFixed(3)),
          sandboxCpuSeconds: Number(r.sandboxCpuSeconds.toFixed(2)),
        })),
        rawUpload: {
          throughSandboxMiBps: Number(rp.toFixed(1)),
          directMiBps: Number(rd.toFixed(1)),
          ratio: Number((rp / rd).toFixed(3)),
          pairedRatioMedian: Number(median(rawProxied.map((r, i) => rawDirect[i].seconds / r.seconds)).toFixed(3)),
          sandboxCpuSecondsPerUpload: Number(median(rawProxied.map((r) => r.sandboxCpuSeconds)).toFixed(2)),
        },
        sandboxMemoryMiB: {
          peakRssDuringDockerPushes: Number((peakRss.dockerPushes / 1024).toFixed(1)),
          peakRssDuringRawUploads: Number((peakRss.rawUploads / 1024).toFixed(1)),
          lifetimeHighWaterMark: Number((hwm / 1024).toFixed(1)),
          highWaterMarkAtStartup: Number((startupHwm / 1024).toFixed(1)),
        },
      },
      null,
      2,
    ),
  );
} finally {
  clearInterval(sampler);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  await run('docker', ['rmi', '-f', ...images], { env: dockerEnv }).catch(() => undefined);
  fs.rmSync(work, { recursive: true, force: true });
}
