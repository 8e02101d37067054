import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasPodman, podmanLeftovers } from '../helpers/docker.js';
import { removeRepositoryImages } from '../../src/docker/cli.js';
import { localReferences, retryBuildRace, uniqueName } from '../helpers/docker.js';
import { scratchBuildContext, tempDir } from '../helpers/sandbox.js';

// What the replays, the drills and the tests use to leave a daemon as they found it: every name
// of one repository goes, and so do the images only those names kept, parents of rebuilds too.
const repository = `localhost:1/ecrwb-test/${uniqueName('remove')}`;
const other = `ecrwb-test/${uniqueName('kept')}:v1`;
const built: string[] = [];
const docker = (...args: string[]) => spawnSync('docker', args, { encoding: 'utf8' });
const exists = (id: string) => docker('image', 'inspect', id).status === 0;

async function build(tag: string, dockerfile?: string): Promise<string> {
  const context = scratchBuildContext(path.join(tempDir('ecrwb-remove-'), 'ctx'), `remove ${crypto.randomUUID()}\n`);
  const args = dockerfile ? ['build', '-q', '-t', tag, '-'] : ['build', '-q', '-t', tag, context];
  const r = await retryBuildRace(async () => spawnSync('docker', args, { encoding: 'utf8', input: dockerfile }), (r) => r.stderr);
  expect(r.status, r.stderr).toBe(0);
  const id = r.stdout.trim().split('\n').pop()!;
  built.push(id);
  return id;
}

afterAll(() => {
  docker('rmi', '-f', other, ...built);
});

describe('removeRepositoryImages', () => {
  it('removes every tag of the repository, and the parent a rebuild on top of it had kept nameless', async () => {
    const first = await build(`${repository}:v1`);
    expect(docker('tag', `${repository}:v1`, `${repository}:v1-first`).status).toBe(0);
    const rebuilt = await build(`${repository}:v1`, `FROM ${repository}:v1\nLABEL rebuilt=1\n`);
    const kept = await build(other);

    const removed = await removeRepositoryImages(repository, { client: 'docker', env: process.env });
    expect(removed.sort()).toEqual([`${repository}:v1`, `${repository}:v1-first`]);
    expect(localReferences(repository)).toEqual([]);
    expect(exists(rebuilt)).toBe(false);
    expect(exists(first)).toBe(false);
    // Another repository's image is not touched.
    expect(exists(kept)).toBe(true);
  });

  it('leaves an image another name still holds', async () => {
    const shared = await build(`${repository}:v2`);
    expect(docker('tag', `${repository}:v2`, other).status).toBe(0);
    await removeRepositoryImages(repository, { client: 'docker', env: process.env });
    expect(localReferences(repository)).toEqual([]);
    expect(exists(shared)).toBe(true);
    expect(docker('image', 'inspect', '--format', '{{json .RepoTags}}', shared).stdout.trim()).toBe(JSON.stringify([other]));
  });
});

describe.runIf(hasPodman || process.env.CI)('removeRepositoryImages with podman', () => {
  const podman = (...args: string[]) => spawnSync('podman', args, { encoding: 'utf8' });
  const name = `localhost:1/ecrwb-test/${uniqueName('podman-remove')}`;
  afterAll(() => {
    podman('rmi', '-f', `${name}:v1`);
  });

  it('removes the builds a moved tag left without any name (podman keeps them only in their names history)', async () => {
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const context = scratchBuildContext(path.join(tempDir('ecrwb-premove-'), 'ctx'), `podman remove ${n} ${crypto.randomUUID()}\n`);
      const r = podman('build', '-q', '-t', `${name}:v1`, context);
      expect(r.status, r.stderr).toBe(0);
      ids.push(r.stdout.trim().split('\n').pop()!);
    }
    expect(podmanLeftovers(name)).toHaveLength(1);
    await removeRepositoryImages(name, { client: 'podman', env: process.env });
    expect(podmanLeftovers(name)).toEqual([]);
    for (const id of ids) expect(podman('image', 'exists', id).status).not.toBe(0);
  });
});
