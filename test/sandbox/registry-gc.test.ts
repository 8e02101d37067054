import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { BatchDeleteImageCommand, CreateRepositoryCommand, DeleteRepositoryCommand } from '@aws-sdk/client-ecr';
import { afterAll, describe, expect, it } from 'vitest';
import { ecrClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { RegistryHttp, registryAuthorization } from '../helpers/registry-http.js';

type Sandbox = TestSandbox;

/** Where the registry keeps a blob's bytes, under the sandbox's state folder. */
function blobData(dir: string, digest: string): string {
  const hex = digest.replace('sha256:', '');
  return path.join(dir, 'registry', 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
}

function savedState(dir: string): { registryGcPending?: boolean } {
  return JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
}

describe('deleted images free their disk space', () => {
  let sandbox: Sandbox | undefined;
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('a clean stop collects the layers no remaining image uses; kept images still pull after a restart', async () => {
    sandbox = await startTestSandbox();
    const dir = sandbox.dir;
    const client = ecrClient(sandbox);
    await client.send(new CreateRepositoryCommand({ repositoryName: 'gc/app' }));
    await client.send(new CreateRepositoryCommand({ repositoryName: 'gc/gone' }));
    const registry = new RegistryHttp(sandbox.endpoint, await registryAuthorization(sandbox));
    const deleted = await registry.pushImage('gc/app', 'old', [4096, 2048]);
    const kept = await registry.pushImage('gc/app', 'new', [1024]);
    const inRemovedRepo = await registry.pushImage('gc/gone', 'v1', [3000]);
    for (const layer of [...deleted.layers, ...kept.layers, ...inRemovedRepo.layers]) expect(fs.existsSync(blobData(dir, layer.digest))).toBe(true);
    expect(savedState(dir).registryGcPending).toBeFalsy();

    const out = await client.send(new BatchDeleteImageCommand({ repositoryName: 'gc/app', imageIds: [{ imageTag: 'old' }] }));
    expect(out.failures ?? []).toEqual([]);
    await client.send(new DeleteRepositoryCommand({ repositoryName: 'gc/gone', force: true }));
    client.destroy();
    await sandbox.stop();

    // The bytes are gone from disk, and the state says nothing is pending any more.
    for (const layer of [...deleted.layers, ...inRemovedRepo.layers]) expect(fs.existsSync(blobData(dir, layer.digest)), layer.digest).toBe(false);
    expect(fs.existsSync(blobData(dir, kept.layers[0]!.digest))).toBe(true);
    expect(fs.existsSync(blobData(dir, kept.configDigest))).toBe(true);
    expect(savedState(dir).registryGcPending).toBe(false);

    sandbox = await startTestSandbox({ dir });
    const again = new RegistryHttp(sandbox.endpoint, await registryAuthorization(sandbox));
    const manifest = await again.request('GET', '/v2/gc/app/manifests/new', { headers: { accept: kept.mediaType } });
    expect(manifest.status).toBe(200);
    expect(await manifest.text()).toBe(kept.manifest);
    const layer = await again.request('GET', `/v2/gc/app/blobs/${kept.layers[0]!.digest}`);
    expect(layer.status).toBe(200);
    expect((await layer.arrayBuffer()).byteLength).toBe(1024);
  });

  it('a sandbox killed before it could collect does so when it starts again', async () => {
    await sandbox?.stop();
    const dir = sandbox!.dir;
    // As a SIGKILL after a delete leaves it: the flag on disk, nothing collected yet.
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ ...state, registryGcPending: true }));
    sandbox = await startTestSandbox({ dir });
    expect(sandbox.store.state.registryGcPending).toBe(false);
    expect(savedState(dir).registryGcPending).toBe(false);
  });

  it('partial uploads left for over an hour are purged at the next start; recent ones stay; the registry purges them too while it serves', async () => {
    await sandbox?.stop();
    sandbox = await startTestSandbox();
    const dir = sandbox.dir;
    const client = ecrClient(sandbox);
    await client.send(new CreateRepositoryCommand({ repositoryName: 'gc/uploads' }));
    client.destroy();
    const registry = new RegistryHttp(sandbox.endpoint, await registryAuthorization(sandbox));
    /** An interrupted push: an upload started, one chunk sent, never finished. Returns its folder. */
    const interrupted = async () => {
      const start = await registry.request('POST', '/v2/gc/uploads/blobs/uploads/');
      expect(start.status).toBe(202);
      const patch = await registry.request('PATCH', start.headers.get('location')!, { headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(4096, 7) });
      expect(patch.status).toBe(202);
      return path.join(dir, 'registry', 'docker', 'registry', 'v2', 'repositories', 'gc', 'uploads', '_uploads', start.headers.get('docker-upload-uuid')!);
    };
    const old = await interrupted();
    const recent = await interrupted();
    const { stdout } = await execa('docker', ['inspect', '-f', '{{json .Config.Env}}', sandbox.registry!.containerId]);
    expect(JSON.parse(stdout)).toContain('REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING={enabled: true, age: 60m, interval: 1h, dryrun: false}');
    await sandbox.stop();

    expect(fs.existsSync(path.join(old, 'data'))).toBe(true);
    fs.writeFileSync(path.join(old, 'startedat'), new Date(Date.now() - 2 * 60 * 60 * 1000).toISOString());
    sandbox = await startTestSandbox({ dir });
    expect(fs.existsSync(old)).toBe(false);
    expect(fs.existsSync(path.join(recent, 'data'))).toBe(true);
  });
});
