#!/usr/bin/env node
// The sandbox killed mid-push, again and again: nothing that completed is ever lost.
//
//   npm run build && ECR_WORKBOOK_REGISTRY_IMAGE=ecr-workbook/registry:local node bench/fault-loop.mjs [--rounds 10] [--size-mib 24]
//
// A first push, uninterrupted, measures how long one takes. Then each round builds a fresh FROM-scratch image (SIZE MiB of random bytes, so no layer was pushed
// before), starts `docker push`, SIGKILLs the sandbox daemon at a random moment within that time, and runs
// `ecr-workbook sandbox up` at once, as a learner would. docker retries what failed; its push
// either completes (exit 0) or gives up. Then every image whose push completed, in this round or
// any before, must be in DescribeImages under its tag and digest, and its manifest must be served;
// at the end each is pulled back with docker. The learner's docker login from the first round must
// keep working throughout (the token secret survives). Prints the figures; exits 1 if anything
// completed was lost.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeImagesCommand, ECRClient, CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { buildRandomImage, option, requireBuilt, root, run } from './common.mjs';

const ROUNDS = option('rounds', 10);
const SIZE_MIB = option('size-mib', 24);
const REPO = 'fault/loop';

requireBuilt();

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ecrwb-fault-'));
const env = {
  ...process.env,
  HOME: home,
  ECR_WORKBOOK_HOME: path.join(home, 'state'),
  DOCKER_CONFIG: path.join(home, 'docker'),
  AWS_CONFIG_FILE: path.join(home, 'aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'aws-credentials'),
  NO_COLOR: '1',
};
fs.mkdirSync(env.DOCKER_CONFIG, { recursive: true });
const cli = (...a) => run(process.execPath, [path.join(root, 'bin/ecr-workbook.js'), ...a], { env, maxBuffer: 16 << 20 });
const docker = (...a) => run('docker', a, { env, maxBuffer: 64 << 20 });
const images = new Set();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (ms) => (ms / 1000).toFixed(2);

async function status() {
  return JSON.parse((await cli('sandbox', 'status', '--json').catch((e) => e)).stdout);
}

/** The first start takes any free port (5123 may be another sandbox's); a restart takes the last one, as a learner's `sandbox up` does. */
async function up(first = false) {
  const started = Date.now();
  const { stdout } = await cli('sandbox', 'up', ...(first ? ['--port', '0'] : []), '--json');
  return { runtime: JSON.parse(stdout), ms: Date.now() - started };
}

async function buildImage(tag) {
  images.add(tag);
  await buildRandomImage(tag, SIZE_MIB, home, env);
}

/** docker push, resolving with its exit code, the digest it printed and its output. */
function push(tag) {
  return new Promise((resolve) => {
    const child = spawn('docker', ['push', tag], { env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, digest: /digest: (sha256:[0-9a-f]{64})/.exec(out)?.[1], out }));
  });
}

async function main() {
  let { runtime } = await up(true);
  const registryHost = runtime.registryHost;
  const vars = JSON.parse((await cli('sandbox', 'env', '--json')).stdout);
  const ecr = () =>
    new ECRClient({
      endpoint: runtime.endpoint,
      region: vars.AWS_REGION,
      credentials: { accessKeyId: vars.AWS_ACCESS_KEY_ID, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY },
      maxAttempts: 1,
    });
  await ecr().send(new CreateRepositoryCommand({ repositoryName: REPO }));
  // One login for the whole run: it must survive every kill and restart.
  const token = (await run('bash', ['-c', `eval "$(node ${path.join(root, 'bin/ecr-workbook.js')} sandbox env)" && aws ecr get-login-password --endpoint-url "$AWS_ENDPOINT_URL_ECR"`], { env })).stdout.trim();
  const login = spawn('docker', ['login', '--username', 'AWS', '--password-stdin', registryHost], { env, stdio: ['pipe', 'ignore', 'inherit'] });
  login.stdin.end(token);
  if ((await new Promise((resolve) => login.on('exit', resolve))) !== 0) throw new Error('docker login failed');

  const completed = new Map(); // tag -> digest
  const rounds = [];
  // A first push, not interrupted, measures how long one takes: the kills land within that time.
  const warmUp = `${registryHost}/${REPO}:v0`;
  await buildImage(warmUp);
  const warmStart = Date.now();
  const first = await push(warmUp);
  const pushMs = Date.now() - warmStart;
  if (first.code !== 0 || !first.digest) throw new Error(`the first push failed:\n${first.out}`);
  completed.set('v0', first.digest);
  for (let round = 1; round <= ROUNDS; round++) {
    const tag = `v${round}`;
    const uri = `${registryHost}/${REPO}:${tag}`;
    await buildImage(uri);
    const pid = (await status()).pid;
    let finishedFirst = false;
    const pushing = push(uri).then((result) => ((finishedFirst = true), result));
    const killAfterMs = Math.round(Math.random() * pushMs);
    await new Promise((resolve) => setTimeout(resolve, killAfterMs));
    const midPush = !finishedFirst;
    process.kill(pid, 'SIGKILL');
    const restart = await up();
    runtime = restart.runtime;
    // docker's login and tags name host:port: a restart elsewhere would send the next pushes to whatever holds the old port.
    if (runtime.registryHost !== registryHost) throw new Error(`round ${round}: the sandbox came back on ${runtime.registryHost}, not ${registryHost} (was the port taken meanwhile?)`);
    const result = await pushing;
    if (result.code === 0 && result.digest) completed.set(tag, result.digest);

    // Every completed push so far: listed under its tag and digest, and its manifest served.
    const { imageDetails } = await ecr().send(new DescribeImagesCommand({ repositoryName: REPO }));
    const described = new Map(imageDetails.flatMap((d) => (d.imageTags ?? []).map((t) => [t, d.imageDigest])));
    let lost = 0;
    for (const [t, digest] of completed) {
      const manifest = await fetch(`${runtime.endpoint}/v2/${REPO}/manifests/${t}`, {
        method: 'HEAD',
        headers: { authorization: `Basic ${Buffer.from(`AWS:${token}`).toString('base64')}`, accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      });
      if (described.get(t) !== digest || manifest.status !== 200 || manifest.headers.get('docker-content-digest') !== digest) lost++;
    }
    rounds.push({ round, killAfterMs, midPush, pushed: result.code === 0, restartMs: restart.ms, verified: completed.size, lost });
    console.log(
      `round ${String(round).padStart(2)}: killed ${String(killAfterMs).padStart(4)} ms into the push${midPush ? '' : ' (after it finished)'}; restart ${seconds(restart.ms)} s; push ${result.code === 0 ? 'completed' : `gave up (exit ${result.code})`}; ` +
        `completed images verified ${completed.size - lost}/${completed.size}`,
    );
  }

  // Finally, each completed image pulled back by docker, digest for digest.
  let pulledBack = 0;
  for (const [tag, digest] of completed) {
    const uri = `${registryHost}/${REPO}:${tag}`;
    await docker('rmi', uri).catch(() => undefined);
    const { stdout } = await docker('pull', uri);
    if (stdout.includes(`Digest: ${digest}`)) pulledBack++;
  }
  const lost = rounds.at(-1).lost + (completed.size - pulledBack);
  console.log('');
  console.log(
    `rounds:                      ${ROUNDS} (image ${SIZE_MIB} MiB each; an uninterrupted push took ${seconds(pushMs)} s; SIGKILL at a random moment of that; it landed mid-push ${rounds.filter((r) => r.midPush).length} times)`,
  );
  console.log(`pushes completed:            ${completed.size - 1} of ${ROUNDS} (docker retried across the restart), plus the first one`);
  console.log(`completed images lost:       ${lost} (checked after every round; pulled back at the end: ${pulledBack}/${completed.size})`);
  console.log(`restart (sandbox up) after SIGKILL: median ${seconds(median(rounds.map((r) => r.restartMs)))} s, max ${seconds(Math.max(...rounds.map((r) => r.restartMs)))} s`);
  console.log(`docker login from the first round still valid: ${pulledBack === completed.size ? 'yes' : 'no'}`);
  return lost === 0 ? 0 : 1;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(error);
} finally {
  await cli('sandbox', 'down').catch(() => undefined);
  if (images.size > 0) await docker('rmi', '-f', ...images).catch(() => undefined);
  fs.rmSync(home, { recursive: true, force: true });
}
process.exit(exitCode);
