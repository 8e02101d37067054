import crypto from 'node:crypto';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../src/util/daemon.js';
import { containerLabel, SANDBOX_LABEL } from '../../src/sandbox/registry/container.js';
import { RegistryHttp, registryErrorOf } from '../helpers/registry-http.js';
import { BIN, freePort, learnerHome, scratchBuildContext, tempDir } from '../helpers/sandbox.js';

/**
 * A sandbox writes to its own registry container and nowhere else, as a learner runs it (the
 * CLI's background sandbox, real docker): the raw registry refuses everyone without the
 * sandbox's secret; when its container dies and Docker gives its bridge address to another
 * registry, a push through the sandbox fails with 503 and the other registry stays empty;
 * `sandbox status` says so; `sandbox up` brings a new container on the same storage; and after
 * a crash `sandbox down` removes the container left behind.
 */

const home = tempDir('ecrwb-isolation-');
const env: NodeJS.ProcessEnv = { ...process.env, ...learnerHome(home), NO_COLOR: '1' };
const stateDir = path.join(home, 'state', 'sandbox');
const cli = (...args: string[]) => execa(process.execPath, [BIN, ...args], { env, reject: false, timeout: 180_000 });
const containers = new Set<string>();
const localImages = new Set<string>();
let port: number;
let uri: string;
let digest: string;
let containerId: string;
let bridgeIp: string;

async function sh(script: string): Promise<string> {
  const result = await execa('bash', ['-c', `set -euo pipefail\n${script}`], { env, reject: false, all: true, timeout: 180_000 });
  if (result.exitCode !== 0) throw new Error(`failed (${result.exitCode}):\n${script}\n${result.all}`);
  return result.all ?? '';
}

async function status(): Promise<{ exitCode: number; stdout: string; json: Record<string, unknown> }> {
  const text = await cli('sandbox', 'status');
  const json = JSON.parse((await cli('sandbox', 'status', '--json')).stdout) as Record<string, unknown>;
  return { exitCode: text.exitCode ?? -1, stdout: text.stdout, json };
}

async function ipOf(id: string): Promise<string> {
  return (await execa('docker', ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', id])).stdout.trim();
}

/** The running container that holds `ip` on docker's default bridge now, if any. */
async function bridgeHolder(ip: string): Promise<string | undefined> {
  const { stdout } = await execa('docker', ['network', 'inspect', 'bridge', '--format', '{{range $id, $c := .Containers}}{{$id}} {{$c.IPv4Address}}\n{{end}}']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(' '))
    .find(([, address]) => address?.split('/')[0] === ip)?.[0];
}

async function labelled(): Promise<string[]> {
  const { stdout } = await execa('docker', ['ps', '-a', '--no-trunc', '--filter', `label=${SANDBOX_LABEL}=${containerLabel(path.join(stateDir, 'registry'))}`, '--format', '{{.ID}}']);
  return stdout.split('\n').filter(Boolean);
}

/** The sandbox's registry API with a fresh ECR login token, as docker would call it (localhost: 127.0.0.1 is the second account's registry). */
async function throughSandbox(): Promise<RegistryHttp> {
  const password = (await sh('eval "$(node "$BIN" sandbox env)"; aws ecr get-login-password --endpoint-url "$AWS_ENDPOINT_URL_ECR"')).trim();
  return new RegistryHttp(`http://localhost:${port}`, `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`);
}

beforeAll(async () => {
  env.BIN = BIN;
  port = await freePort();
  const up = await cli('sandbox', 'up', '--port', String(port), '--json');
  expect(up.exitCode, up.stderr).toBe(0);
  containerId = (JSON.parse(up.stdout) as { containerId: string }).containerId;
  bridgeIp = await ipOf(containerId);
  const name = `isolation/app-${crypto.randomBytes(3).toString('hex')}`;
  uri = `localhost:${port}/${name}:v1`;
  const context = scratchBuildContext(path.join(home, 'ctx'), `isolation ${crypto.randomUUID()}\n`);
  localImages.add(uri);
  const pushed = await sh(
    [
      'eval "$(node "$BIN" sandbox env)"',
      `aws ecr create-repository --repository-name ${name} --endpoint-url "$AWS_ENDPOINT_URL_ECR" >/dev/null`,
      `aws ecr get-login-password --endpoint-url "$AWS_ENDPOINT_URL_ECR" | docker login --username AWS --password-stdin localhost:${port} >/dev/null`,
      `docker build -q -t ${uri} ${context} >/dev/null`,
      `docker push ${uri}`,
    ].join('\n'),
  );
  digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)![1]!;
}, 240_000);

afterAll(async () => {
  await cli('sandbox', 'down');
  if (containers.size > 0) await execa('docker', ['rm', '-f', ...containers], { reject: false });
  if (localImages.size > 0) await execa('docker', ['rmi', '-f', ...localImages], { reject: false });
}, 60_000);

describe('the raw registry is the sandbox alone', () => {
  it('refuses anonymous clients on the bridge address and the published port: no read, no DELETE', async () => {
    const published = (await execa('docker', ['port', containerId, '5000'])).stdout.trim().split('\n')[0]!;
    expect(published).toMatch(/^127\.0\.0\.1:\d+$/);
    for (const base of [`http://${bridgeIp}:5000`, `http://${published}`]) {
      const catalog = await fetch(`${base}/v2/_catalog`);
      expect(catalog.status, base).toBe(401);
      const [repository] = uri.slice(uri.indexOf('/') + 1).split(':');
      const deleted = await fetch(`${base}/v2/${repository}/manifests/${digest}`, { method: 'DELETE' });
      expect(deleted.status, base).toBe(401);
      const pushed = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
      expect(pushed.status, base).toBe(401);
    }
    // Nothing was deleted behind the sandbox's back: the image still pulls through it.
    const registry = await throughSandbox();
    const manifest = await registry.request('GET', `/v2/${uri.slice(uri.indexOf('/') + 1).replace(':v1', '')}/manifests/v1`, {
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(manifest.status).toBe(200);
  });
});

describe('its container gone, nothing reaches another registry at its address', () => {
  it('answers 503 UNAVAILABLE, naming the fix, within 2 s; the registry now at its bridge address gets nothing', async () => {
    const registry = await throughSandbox();
    const repository = uri.slice(uri.indexOf('/') + 1).replace(':v1', '');
    await execa('docker', ['rm', '-f', containerId]);
    const started = Date.now();
    const refused = await registry.request('POST', `/v2/${repository}/blobs/uploads/`);
    const elapsed = Date.now() - started;
    expect(refused.status).toBe(503);
    expect(await registryErrorOf(refused)).toEqual({ code: 'UNAVAILABLE', message: expect.stringContaining("Run 'ecr-workbook sandbox up' to start a new one on the same storage") });
    expect(elapsed).toBeLessThan(2_000);

    // Another registry, without auth, as `docker run registry:2` starts one: Docker hands out the
    // lowest free address, so it takes the one the sandbox's container had, unless a container of
    // another test on this shared daemon took it first: then that one is the other registry there.
    let intruder: string | undefined;
    for (let attempt = 0; attempt < 10 && !intruder && !(await bridgeHolder(bridgeIp)); attempt++) {
      const id = (await execa('docker', ['run', '-d', '--label', 'io.ecr-workbook.test=isolation', process.env.ECR_WORKBOOK_REGISTRY_IMAGE ?? 'registry:2'])).stdout.trim();
      containers.add(id);
      if ((await ipOf(id)) === bridgeIp) intruder = id;
    }
    const holder = intruder ?? (await bridgeHolder(bridgeIp));
    expect(holder, `no container got ${bridgeIp} again`).toBeDefined();
    if (intruder) await expect.poll(async () => (await fetch(`http://${bridgeIp}:5000/v2/`).catch(() => undefined))?.status, { timeout: 10_000 }).toBe(200);
    else console.info(`registry-isolation: another container (${holder!.slice(0, 12)}) took ${bridgeIp} first; the requests below must not reach it either`);

    for (const attempt of [
      () => registry.request('POST', `/v2/${repository}/blobs/uploads/`),
      () => registry.putManifest(repository, 'v2', '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}', 'application/vnd.oci.image.manifest.v1+json'),
      () => registry.request('GET', `/v2/${repository}/manifests/v1`),
    ]) {
      const res = await attempt();
      expect(res.status).toBe(503);
      expect((await registryErrorOf(res)).code).toBe('UNAVAILABLE');
    }
    // Ours, it holds nothing; another test's, it is not ours to read.
    if (intruder) expect(await (await fetch(`http://${bridgeIp}:5000/v2/_catalog`)).json()).toEqual({ repositories: [] });
  });

  it('sandbox status says the registry is down, with exit 1', async () => {
    // Noticed within a watch tick and a connect timeout of the container's death, whatever took its address.
    await expect.poll(async () => (await status()).exitCode, { timeout: 5_000, interval: 250 }).toBe(1);
    const { exitCode, stdout, json } = await status();
    expect(exitCode, stdout).toBe(1);
    expect(stdout).toMatch(/Registry container: {3}DOWN: /);
    expect(stdout).toContain('Start a new one on the same storage with: ecr-workbook sandbox up');
    expect(json).toMatchObject({ running: true, registry: 'down' });
  });

  it('sandbox up starts a new container on the same storage: every repository and image is still there and pulls', async () => {
    const up = await cli('sandbox', 'up');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toContain("The running sandbox's registry container is gone");
    const { exitCode, json } = await status();
    expect(exitCode).toBe(0);
    expect(json).toMatchObject({ running: true, registry: 'up', port, repositories: 1, images: 1 });
    expect(json.containerId).not.toBe(containerId);
    containerId = json.containerId as string;
    const pulled = await sh(`docker rmi ${uri} >/dev/null\ndocker pull ${uri}`);
    expect(pulled).toContain(`Digest: ${digest}`);
  });
});

describe('after a crash', () => {
  it('sandbox down removes the registry container the killed sandbox left behind', async () => {
    const { json } = await status();
    process.kill(json.pid as number, 'SIGKILL');
    await expect.poll(() => processAlive(json.pid as number)).toBe(false);
    expect(await labelled()).toEqual([containerId]);
    const down = await cli('sandbox', 'down', '--json');
    expect(down.exitCode, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout)).toEqual({ stopped: false, port: null, orphansRemoved: 1 });
    expect(await labelled()).toEqual([]);
  });
});
