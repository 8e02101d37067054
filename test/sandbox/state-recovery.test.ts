import fs from 'node:fs';
import path from 'node:path';
import { DescribeImagesCommand, DescribeRepositoriesCommand, CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { execa } from 'execa';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { lockDir, lockOwnerFile, SandboxLockedError } from '../../src/sandbox/lock.js';
import { containerLabel, SANDBOX_LABEL } from '../../src/sandbox/registry/container.js';
import { processAlive } from '../../src/util/daemon.js';
import { RegistryHttp, registryAuthorization, type PushedImage } from '../helpers/registry-http.js';
import { BIN, ecrClient, freePort, learnerHome, startTestSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';

/**
 * One sandbox per state folder, and a lost or broken state file recovered from, never silently
 * reset: the credentials stay, whole records are kept, and what the registry's storage holds
 * comes back into the books, with a report of what was recovered and what was not.
 */

const running = new Set<TestSandbox>();
afterEach(async () => {
  for (const sandbox of running) await sandbox.stop();
  running.clear();
});

async function start(dir?: string, warnings: string[] = []): Promise<TestSandbox> {
  const sandbox = await startTestSandbox({ ...(dir ? { dir } : {}), onWarning: (message) => warnings.push(message) });
  running.add(sandbox);
  return sandbox;
}

async function stop(sandbox: TestSandbox): Promise<void> {
  await sandbox.stop();
  running.delete(sandbox);
}

async function labelled(dir: string): Promise<string[]> {
  const { stdout } = await execa('docker', ['ps', '-a', '--no-trunc', '--filter', `label=${SANDBOX_LABEL}=${containerLabel(path.join(dir, 'registry'))}`, '--format', '{{.ID}}']);
  return stdout.split('\n').filter(Boolean);
}

/** A sandbox holding two repositories: app (v1, v2; immutable) and tools/cli (latest). */
async function populated(): Promise<{ sandbox: TestSandbox; images: Record<string, PushedImage>; login: string }> {
  const sandbox = await start();
  const client = ecrClient(sandbox);
  await client.send(new CreateRepositoryCommand({ repositoryName: 'app', imageTagMutability: 'IMMUTABLE' }));
  await client.send(new CreateRepositoryCommand({ repositoryName: 'tools/cli' }));
  client.destroy();
  const login = await registryAuthorization(sandbox);
  const registry = new RegistryHttp(sandbox.endpoint, login);
  const images = {
    v1: await registry.pushImage('app', 'v1', [2000]),
    v2: await registry.pushImage('app', 'v2', [3000]),
    cli: await registry.pushImage('tools/cli', 'latest', [1000], true),
  };
  return { sandbox, images, login };
}

async function describeDigests(sandbox: TestSandbox, repositoryName: string) {
  const client = ecrClient(sandbox);
  try {
    const { imageDetails } = await client.send(new DescribeImagesCommand({ repositoryName }));
    return Object.fromEntries(imageDetails!.map((d) => [d.imageDigest!, d.imageTags ?? []]));
  } finally {
    client.destroy();
  }
}

describe('one sandbox per state folder', () => {
  it('a second sandbox on a folder in use is refused at once, naming the one that holds it', async () => {
    const first = await startTestSandbox({ withoutRegistry: true });
    running.add(first);
    await expect(startTestSandbox({ dir: first.dir, withoutRegistry: true })).rejects.toBeInstanceOf(SandboxLockedError);
    await expect(startTestSandbox({ dir: first.dir, withoutRegistry: true })).rejects.toThrow(`(pid ${process.pid}) is already running on the state folder ${first.dir}`);
    await stop(first);
    // Released by a clean stop: the folder can be served again at once.
    const again = await startTestSandbox({ dir: first.dir, withoutRegistry: true });
    running.add(again);
    expect(again.credentials).toEqual(first.credentials);
  });

  it('a lock taken away: the sandbox says so and stops, leaving the folder (its tasks, state and lock) to the new owner', async () => {
    const warnings: string[] = [];
    const sandbox = await startTestSandbox({ withoutRegistry: true, onWarning: (message) => warnings.push(message) });
    running.add(sandbox);
    const stopTasks = vi.spyOn(sandbox.ecs, 'stopAll');
    const client = ecrClient(sandbox);
    await client.send(new CreateRepositoryCommand({ repositoryName: 'lock-lost' }));
    client.destroy();
    const state = fs.readFileSync(path.join(sandbox.dir, 'state.json'), 'utf8');
    // Another process's lock in its place (as after this one stalled past the stale time).
    fs.rmSync(lockDir(sandbox.dir), { recursive: true });
    fs.mkdirSync(lockDir(sandbox.dir));
    fs.writeFileSync(lockOwnerFile(sandbox.dir), JSON.stringify({ pid: 1 }));
    await vi.waitFor(() => expect(warnings.join('\n')).toContain("Another process took over the state folder's lock"), { timeout: 10_000, interval: 100 });
    await stop(sandbox);
    // The label on task containers is the folder's: stopping them would remove the new owner's.
    expect(stopTasks).not.toHaveBeenCalled();
    expect(fs.readFileSync(path.join(sandbox.dir, 'state.json'), 'utf8')).toBe(state);
    expect(fs.existsSync(lockDir(sandbox.dir))).toBe(true);
    expect(JSON.parse(fs.readFileSync(lockOwnerFile(sandbox.dir), 'utf8'))).toEqual({ pid: 1 });
  });

  describe('with the CLI', () => {
    const home = tempDir('ecrwb-lock-');
    const env: NodeJS.ProcessEnv = { ...process.env, ...learnerHome(home), NO_COLOR: '1' };
    const stateDir = path.join(home, 'state', 'sandbox');
    const cli = (...args: string[]) => execa(process.execPath, [BIN, ...args], { env, reject: false, timeout: 180_000 });
    afterAll(async () => {
      await cli('sandbox', 'down');
    });

    it('two `sandbox up` at once: one daemon, one container, both report it', async () => {
      const port = await freePort();
      const [a, b] = await Promise.all([cli('sandbox', 'up', '--port', String(port), '--json'), cli('sandbox', 'up', '--port', String(port), '--json')]);
      expect(a.exitCode, a.stderr).toBe(0);
      expect(b.exitCode, b.stderr).toBe(0);
      const [ra, rb] = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
      expect(ra.pid).toBe(rb.pid);
      expect([ra.alreadyRunning, rb.alreadyRunning].sort()).toEqual([false, true]);
      expect(await labelled(stateDir)).toEqual([ra.containerId]);
    }, 120_000);

    it('an unreadable runtime.json: a second `sandbox up` refuses with the fix and leaves the running one alone; down still stops it', async () => {
      const { pid, containerId } = JSON.parse((await cli('sandbox', 'status', '--json')).stdout);
      fs.writeFileSync(path.join(stateDir, 'runtime.json'), '{"pid": garbage');
      const again = await cli('sandbox', 'up');
      expect(again.exitCode).toBe(2);
      expect(again.stderr).toContain(
        `Another ecr-workbook sandbox (pid ${pid}) holds the state folder ${stateDir}, but this command cannot reach it (its runtime.json is unreadable, or it did not become ready). Stop it with \`ecr-workbook sandbox down\`, then run \`ecr-workbook sandbox up\` again.`,
      );
      expect(processAlive(pid)).toBe(true);
      expect(await labelled(stateDir)).toEqual([containerId]);
      const down = await cli('sandbox', 'down', '--json');
      expect(JSON.parse(down.stdout)).toMatchObject({ stopped: true, orphansRemoved: 0 });
      expect(processAlive(pid)).toBe(false);
      expect(await labelled(stateDir)).toEqual([]);
    }, 120_000);
  });
});

describe('a lost or broken state file is recovered from, not reset', () => {
  it('a corrupt state.json: same credentials and docker login, images back from the registry storage, with a report', async () => {
    const { sandbox, images, login } = await populated();
    const { dir, credentials } = sandbox;
    await stop(sandbox);
    fs.writeFileSync(path.join(dir, 'state.json'), fs.readFileSync(path.join(dir, 'state.json'), 'utf8').slice(0, 200));

    const warnings: string[] = [];
    const again = await start(dir, warnings);
    expect(again.credentials).toEqual(credentials);
    // The login docker stored before still works: the token secret was kept.
    expect((await new RegistryHttp(again.endpoint, login).request('GET', '/v2/')).status).toBe(200);
    expect(warnings[0]).toMatch(/^The sandbox state file was unreadable \(it is not valid JSON .*\); it was moved to .*state\.json\.corrupt-.*\. Kept from it: 0 repositories and 0 images\.$/);
    expect(warnings).toContain(
      "Recovered from the registry's storage: 3 images in 2 repositories (app, tools/cli). Their tags, repository settings and policies were only in the state file: the images are untagged now (push them again with their tags; no layer is sent twice), and recreated repositories have the default settings.",
    );
    expect(await describeDigests(again, 'app')).toEqual({ [images.v1!.digest]: [], [images.v2!.digest]: [] });
    expect(await describeDigests(again, 'tools/cli')).toEqual({ [images.cli!.digest]: [] });
    // Pullable by digest; pushing a tag again restores it without sending a layer.
    const registry = new RegistryHttp(again.endpoint, login);
    expect((await registry.request('GET', `/v2/app/manifests/${images.v1!.digest}`, { headers: { accept: images.v1!.mediaType } })).status).toBe(200);
    expect((await registry.putManifest('app', 'v1', images.v1!.manifest, images.v1!.mediaType)).status).toBe(201);
    expect(await describeDigests(again, 'app')).toEqual({ [images.v1!.digest]: ['v1'], [images.v2!.digest]: [] });
  });

  it('a state.json with one broken record keeps every whole one, tags and settings included', async () => {
    const { sandbox, images } = await populated();
    const { dir } = sandbox;
    await stop(sandbox);
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
    state.regions['us-east-1'].repositories.app.images[images.v2!.digest].manifest = 42;
    fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ ...state, version: 'mangled' }));

    const warnings: string[] = [];
    const again = await start(dir, warnings);
    expect(warnings[0]).toMatch(/Kept from it: 2 repositories and 2 images; not readable: us-east-1\/app@sha256:[0-9a-f]{64}\.$/);
    expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^Recovered from the registry's storage: 1 image\. /)]));
    expect(await describeDigests(again, 'app')).toEqual({ [images.v1!.digest]: ['v1'], [images.v2!.digest]: [] });
    expect(await describeDigests(again, 'tools/cli')).toEqual({ [images.cli!.digest]: ['latest'] });
    const client = ecrClient(again);
    const { repositories } = await client.send(new DescribeRepositoriesCommand({ repositoryNames: ['app'] }));
    client.destroy();
    expect(repositories![0]!.imageTagMutability).toBe('IMMUTABLE');
  });

  it('a missing state.json beside a registry that holds images: warns, keeps the credentials, and takes the images back', async () => {
    const { sandbox, images } = await populated();
    const { dir, credentials } = sandbox;
    await stop(sandbox);
    fs.rmSync(path.join(dir, 'state.json'));

    const warnings: string[] = [];
    const again = await start(dir, warnings);
    expect(again.credentials).toEqual(credentials);
    expect(warnings[0]).toMatch(/^The sandbox state file \(state\.json\) was missing\. Your access key and docker login stay valid \(credentials\.json\)/);
    expect(warnings[1]).toMatch(/^Recovered from the registry's storage: 3 images in 2 repositories/);
    expect(Object.keys(await describeDigests(again, 'app')).sort()).toEqual([images.v1!.digest, images.v2!.digest].sort());
  });

  it('with credentials.json gone too, it still never starts silently empty, and says the login must be redone', async () => {
    const { sandbox } = await populated();
    const { dir, credentials } = sandbox;
    await stop(sandbox);
    fs.rmSync(path.join(dir, 'state.json'));
    fs.rmSync(path.join(dir, 'credentials.json'));

    const warnings: string[] = [];
    const again = await start(dir, warnings);
    expect(again.credentials.accessKeyId).not.toBe(credentials.accessKeyId);
    expect(warnings).toEqual([
      "The sandbox state file (state.json) was missing, but the registry's storage holds images: the sandbox takes them back instead of starting empty.",
      'The sandbox\'s access key and login secret were lost too, so new ones were made: run `eval "$(ecr-workbook sandbox env)"` and log docker in again.',
      expect.stringMatching(/^Recovered from the registry's storage: 3 images in 2 repositories \(app, tools\/cli\)/),
    ]);
  });

  it('a first start says nothing, and keeps its credentials in their own file', async () => {
    const warnings: string[] = [];
    const sandbox = await start(undefined, warnings);
    expect(warnings).toEqual([]);
    const identity = JSON.parse(fs.readFileSync(path.join(sandbox.dir, 'credentials.json'), 'utf8'));
    expect(identity).toEqual({ version: 1, credentials: sandbox.credentials, tokenSecret: sandbox.store.state.tokenSecret });
    expect(fs.statSync(path.join(sandbox.dir, 'credentials.json')).mode & 0o777).toBe(0o600);
  });
});
