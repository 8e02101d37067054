import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateRepositoryCommand, DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { containerLabel, SANDBOX_LABEL } from '../../src/sandbox/registry/container.js';
import { ecrClient, freePort, installedAwsClis, isolatedCliEnv, scratchBuildContext, tempDir } from '../helpers/sandbox.js';
import { retryBuildRace } from '../helpers/docker.js';

/**
 * A sandbox killed with SIGKILL right after a push, then started again on the same folder and
 * port: the image pulls, DescribeImages answers as before, and the killed sandbox's registry
 * container does not outlive the restart. Runs the built sandbox (dist/) in a child process.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHILD = path.join(root, 'test/fixtures/sandbox-child.mjs');

interface ChildInfo {
  pid: number;
  port: number;
  endpoint: string;
  registryHost: string;
  region: string;
  accountId: string;
  credentials: RunningSandbox['credentials'];
  registry: { host: string; port: number; containerId: string };
}

interface Child {
  process: ChildProcess;
  info: ChildInfo;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();
const localImages = new Set<string>();

/** Fails early, with the fix, when dist/ predates the registry sources this test exercises. */
function assertBuilt(): void {
  const sources = [
    ...fs.readdirSync(path.join(root, 'src/sandbox/registry')).map((f) => `src/sandbox/registry/${f}`),
    'src/sandbox/backend/images.ts',
    'src/sandbox/index.ts',
  ].filter((f) => f.endsWith('.ts'));
  for (const source of sources) {
    const built = path.join(root, 'dist', source.replace(/\.ts$/, '.js'));
    if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < fs.statSync(path.join(root, source)).mtimeMs) {
      throw new Error(`${path.relative(root, built)} is missing or older than ${source}: run \`npm run build\` first (npm test does).`);
    }
  }
}

function startChild(dir: string, port: number): Promise<Child> {
  const child = spawn(process.execPath, [CHILD, dir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    children.delete(child);
    resolve(code);
  }));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) resolve({ process: child, info: JSON.parse(line) as ChildInfo, exited });
    });
    void exited.then((code) => reject(new Error(`sandbox child exited (${code}) before it was ready:\n${stderr}`)));
  });
}

async function labelledContainers(dir: string): Promise<string[]> {
  const { stdout } = await execa('docker', ['ps', '-a', '--no-trunc', '--filter', `label=${SANDBOX_LABEL}=${containerLabel(path.join(dir, 'registry'))}`, '--format', '{{.ID}}']);
  return stdout.split('\n').filter(Boolean);
}

async function describeImages(info: ChildInfo, name: string) {
  const client = ecrClient(info);
  try {
    return (await client.send(new DescribeImagesCommand({ repositoryName: name }))).imageDetails;
  } finally {
    client.destroy();
  }
}

async function ok(file: string, args: string[], env: NodeJS.ProcessEnv, shell = false): Promise<string> {
  const result = shell
    ? await execa('bash', ['-c', `set -euo pipefail\n${file}`], { env, extendEnv: false, reject: false, all: true })
    : await execa(file, args, { env, extendEnv: false, reject: false, all: true });
  if (result.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} failed:\n${result.all}`);
  return result.all ?? '';
}

beforeAll(() => {
  assertBuilt();
});

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, children.size > 0 ? 3_000 : 0));
  if (localImages.size > 0) await execa('docker', ['rmi', '-f', ...localImages], { reject: false });
});

describe('sandbox restart', () => {
  it('survives SIGKILL right after a push: pull works, DescribeImages unchanged, no container leaks', async () => {
    const dir = tempDir('ecrwb-restart-');
    const port = await freePort();
    const name = `restart/app-${crypto.randomBytes(3).toString('hex')}`;

    const first = await startChild(dir, port);
    const info = first.info;
    const env = isolatedCliEnv(info);
    const client = ecrClient(info);
    await client.send(new CreateRepositoryCommand({ repositoryName: name }));
    client.destroy();

    const uri = `${info.registryHost}/${name}:v1`;
    const local = `ecrwb-test/restart-${crypto.randomBytes(3).toString('hex')}:latest`;
    localImages.add(local).add(uri);
    const cli = installedAwsClis()[0]!;
    await ok(`'${cli.path}' ecr get-login-password --endpoint-url '${info.endpoint}' | docker login --username AWS --password-stdin '${info.registryHost}'`, [], env, true);
    const context = scratchBuildContext(path.join(dir, '..', `${path.basename(dir)}-ctx`), `restart ${crypto.randomUUID()}\n`);
    await retryBuildRace(() => ok('docker', ['build', '-q', '-t', local, context], env));
    await ok('docker', ['tag', local, uri], env);
    const pushed = await ok('docker', ['push', uri], env);
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)![1];
    const described = await describeImages(info, name);
    expect(described).toHaveLength(1);
    expect(described![0]).toMatchObject({ imageDigest: digest, imageTags: ['v1'] });
    expect(described![0]!.imageSizeInBytes).toBeGreaterThan(0);

    // Killed without warning: nothing gets a chance to flush.
    first.process.kill('SIGKILL');
    await first.exited;
    const before = await labelledContainers(dir);
    expect(before).toEqual([info.registry.containerId]); // the orphan, still running

    const second = await startChild(dir, port);
    try {
      const after = await labelledContainers(dir);
      expect(after).toHaveLength(1);
      expect(after[0]).not.toBe(info.registry.containerId);
      expect(after[0]).toBe(second.info.registry.containerId);

      expect(await describeImages(second.info, name)).toEqual(described);

      await ok('docker', ['rmi', uri], env);
      const pulled = await ok('docker', ['pull', uri], env);
      expect(pulled).toContain(`Digest: ${digest}`);
      // The pull itself is recorded (lastRecordedPullTime); nothing else moves.
      const afterPull = await describeImages(second.info, name);
      expect({ ...afterPull![0], lastRecordedPullTime: undefined }).toEqual({ ...described![0], lastRecordedPullTime: undefined });
    } finally {
      second.process.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
    expect(await labelledContainers(dir)).toEqual([]);
  }, 240_000);
});
