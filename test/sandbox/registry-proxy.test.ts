import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BatchDeleteImageCommand, CreateRepositoryCommand, DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/sandbox/auth/token.js';
import { ecrClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { RegistryHttp, registryAuthorization, registryErrorOf, sha256Digest } from '../helpers/registry-http.js';
import { repoName } from './api-helpers.js';

type Sandbox = TestSandbox;

let sandbox: Sandbox;
let registry: RegistryHttp;
/** The registry container itself, bypassing the sandbox: to see what really is stored. */
let direct: RegistryHttp;
async function createRepository(name: string, imageTagMutability?: 'MUTABLE' | 'IMMUTABLE'): Promise<void> {
  const client = ecrClient(sandbox);
  try {
    await client.send(new CreateRepositoryCommand({ repositoryName: name, imageTagMutability }));
  } finally {
    client.destroy();
  }
}

async function batchDelete(name: string, digests: string[]): Promise<void> {
  const client = ecrClient(sandbox);
  try {
    const out = await client.send(new BatchDeleteImageCommand({ repositoryName: name, imageIds: digests.map((imageDigest) => ({ imageDigest })) }));
    expect(out.failures ?? []).toEqual([]);
  } finally {
    client.destroy();
  }
}

function repo(name: string) {
  return sandbox.backend.findRepository(sandbox.region, name)!;
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  registry = new RegistryHttp(sandbox.endpoint, await registryAuthorization(sandbox));
  direct = new RegistryHttp(`http://${sandbox.registry!.host}:${sandbox.registry!.port}`, sandbox.registry!.authorization);
});

afterAll(async () => {
  await sandbox?.stop();
});

describe('registry auth', () => {
  it('answers an unauthenticated request with 401, the Basic challenge and UNAUTHORIZED', async () => {
    const res = await registry.request('GET', '/v2/', { auth: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Basic realm="http://localhost:${sandbox.port}/",service="ecr.amazonaws.com"`);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect((await registryErrorOf(res)).code).toBe('UNAUTHORIZED');
  });

  it('accepts user AWS with a GetAuthorizationToken password', async () => {
    const res = await registry.request('GET', '/v2/');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
  });

  it('refuses another user name with 401', async () => {
    const password = Buffer.from(registry.authorization!.slice(6), 'base64').toString('utf8').split(':')[1];
    const res = await registry.request('GET', '/v2/', { auth: `Basic ${Buffer.from(`ecr-learner:${password}`).toString('base64')}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('refuses a password the sandbox did not sign with 401', async () => {
    const res = await registry.request('GET', '/v2/', { auth: `Basic ${Buffer.from('AWS:bm90LWEtdG9rZW4=').toString('base64')}` });
    expect(res.status).toBe(401);
  });

  it('refuses an expired token with 403 DENIED and no challenge, on every request', async () => {
    const state = sandbox.store.state;
    const old = issueToken(state.tokenSecret, { region: sandbox.region, accessKeyId: state.credentials.accessKeyId, accountId: state.accountId }, 60, Date.now() / 1000 - 3600);
    for (const [method, p] of [['GET', '/v2/'], ['POST', '/v2/whatever/blobs/uploads/'], ['HEAD', '/v2/whatever/manifests/latest']] as const) {
      const res = await registry.request(method, p, { auth: `Basic ${old.authorizationToken}` });
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toBeNull();
      if (method !== 'HEAD') {
        expect(await res.json()).toEqual({
          errors: [{ code: 'DENIED', message: 'Your authorization token has expired. Reauthenticate and try again.' }],
        });
      }
    }
  });

  it('refuses a token issued in another region with 400', async () => {
    const res = await registry.request('GET', '/v2/', { auth: await registryAuthorization(sandbox, 'eu-west-1') });
    expect(res.status).toBe(400);
    expect((await registryErrorOf(res)).message).toContain("'eu-west-1'");
  });
});

describe('repositories', () => {
  it('answers a push into a repository never created with NAME_UNKNOWN', async () => {
    const res = await registry.request('POST', '/v2/team/not-created/blobs/uploads/');
    expect(res.status).toBe(404);
    expect(await registryErrorOf(res)).toEqual({
      code: 'NAME_UNKNOWN',
      message: "The repository with name 'team/not-created' does not exist in the registry with id '123456789012'",
    });
  });

  it('answers an invalid name with NAME_INVALID', async () => {
    const res = await registry.request('GET', '/v2/Bad__Name/tags/list');
    expect(res.status).toBe(400);
    expect((await registryErrorOf(res)).code).toBe('NAME_INVALID');
  });

  it('lists only repositories of its region in _catalog, sorted, with paging', async () => {
    const names = [repoName('cat-b'), repoName('cat-a')];
    for (const name of names) await createRepository(name);
    const all = (await (await registry.request('GET', '/v2/_catalog')).json()) as { repositories: string[] };
    expect(all.repositories).toEqual([...all.repositories].sort());
    expect(all.repositories).toEqual(expect.arrayContaining(names));
    const first = await registry.request('GET', '/v2/_catalog?n=1');
    expect(((await first.json()) as { repositories: string[] }).repositories).toHaveLength(1);
    expect(first.headers.get('link')).toMatch(/^<\/v2\/_catalog\?last=.+&n=1>; rel="next"$/);
  });
});

describe('manifest push', () => {
  it('records the image with digest, size, media types and push time, durably before answering 201', async () => {
    const name = repoName('team/push');
    await createRepository(name);
    const before = Date.now() / 1000;
    const image = await registry.pushImage(name, 'v1', [1000, 2345]);
    const record = repo(name).images[image.digest]!;
    expect(record).toMatchObject({
      digest: image.digest,
      tags: ['v1'],
      sizeInBytes: 3345,
      manifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
      manifest: image.manifest,
    });
    expect(record.pushedAt).toBeGreaterThanOrEqual(before - 1);
    // Already on disk: a SIGKILL now would not lose it.
    const onDisk = JSON.parse(fs.readFileSync(path.join(sandbox.dir, 'state.json'), 'utf8'));
    expect(onDisk.regions[sandbox.region].repositories[name].images[image.digest].tags).toEqual(['v1']);
  });

  it('answers with the digest docker prints and a relative Location', async () => {
    const name = repoName('headers');
    await createRepository(name);
    const layer = await registry.pushBlob(name, crypto.randomBytes(10));
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: layer, size: 10 }, layers: [] });
    const res = await registry.putManifest(name, 'v1', manifest, 'application/vnd.oci.image.manifest.v1+json');
    expect(res.status).toBe(201);
    expect(res.headers.get('docker-content-digest')).toBe(sha256Digest(manifest));
    expect(res.headers.get('location')).toBe(`/v2/${name}/manifests/${sha256Digest(manifest)}`);
  });

  it('keeps tags out of the registry behind it: manifests are stored by digest only', async () => {
    const name = repoName('bydigest');
    await createRepository(name);
    const image = await registry.pushImage(name, 'v1');
    expect((await direct.request('GET', `/v2/${name}/manifests/${image.digest}`, { headers: { accept: image.mediaType } })).status).toBe(200);
    expect((await direct.request('GET', `/v2/${name}/manifests/v1`, { headers: { accept: image.mediaType } })).status).toBe(404);
  });

  it('moves a pushed tag off the older image, which stays untagged', async () => {
    const name = repoName('move');
    await createRepository(name);
    const first = await registry.pushImage(name, 'latest');
    await registry.pushImage(name, 'v1', [10]);
    const second = await registry.pushImage(name, 'latest', [20]);
    expect(repo(name).images[first.digest]!.tags).toEqual([]);
    expect(repo(name).images[second.digest]!.tags).toEqual(['latest']);
    const tags = (await (await registry.request('GET', `/v2/${name}/tags/list`)).json()) as { tags: string[] };
    expect(tags).toEqual({ name, tags: ['latest', 'v1'] });
  });

  it('adds a tag to an image already pushed without changing its push time', async () => {
    const name = repoName('retag');
    await createRepository(name);
    const image = await registry.pushImage(name, 'v1');
    const pushedAt = repo(name).images[image.digest]!.pushedAt;
    const res = await registry.putManifest(name, 'stable', image.manifest, image.mediaType);
    expect(res.status).toBe(201);
    expect(repo(name).images[image.digest]).toMatchObject({ tags: ['v1', 'stable'], pushedAt });
  });

  it('refuses to overwrite a tag of an IMMUTABLE repository, even with the same image, before the registry sees it', async () => {
    const name = repoName('immutable');
    await createRepository(name, 'IMMUTABLE');
    const image = await registry.pushImage(name, 'v1');
    const res = await registry.putManifest(name, 'v1', image.manifest, image.mediaType);
    expect(res.status).toBe(400);
    expect(await registryErrorOf(res)).toEqual({
      code: 'TAG_INVALID',
      message: `The image tag 'v1' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`,
    });
    await expect(registry.pushImage(name, 'v1', [99])).rejects.toThrow(/TAG_INVALID/);
    // A new tag is fine.
    await registry.pushImage(name, 'v2', [98]);
    expect(Object.values(repo(name).images).map((i) => i.tags).sort()).toEqual([['v1'], ['v2']]);
  });

  it('lets only one of two concurrent pushes of an immutable tag through', async () => {
    const name = repoName('race');
    await createRepository(name, 'IMMUTABLE');
    const config = await registry.pushBlob(name, Buffer.from('{}'));
    const manifest = (n: number) =>
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 }, layers: [], annotations: { n: String(n) } });
    const answers = await Promise.all([1, 2, 3].map((n) => registry.putManifest(name, 'v1', manifest(n), 'application/vnd.oci.image.manifest.v1+json')));
    expect(answers.map((r) => r.status).sort()).toEqual([201, 400, 400]);
    expect(Object.values(repo(name).images).map((i) => i.tags)).toEqual([['v1']]);
  });

  it('applies IMMUTABLE_WITH_EXCLUSION filters: matching tags stay movable', async () => {
    const name = repoName('exclusion');
    const client = ecrClient(sandbox);
    await client.send(
      new CreateRepositoryCommand({
        repositoryName: name,
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev-*' }],
      }),
    );
    client.destroy();
    await registry.pushImage(name, 'dev-1');
    await registry.pushImage(name, 'dev-1', [5]);
    await registry.pushImage(name, 'release-1');
    await expect(registry.pushImage(name, 'release-1', [6])).rejects.toThrow(/TAG_INVALID/);
  });

  it('records an OCI index with the size of its largest child', async () => {
    const name = repoName('index');
    await createRepository(name);
    const a = await registry.pushImage(name, null, [100, 200], true);
    const b = await registry.pushImage(name, null, [1000], true);
    expect(repo(name).images[a.digest]!.tags).toEqual([]);
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: a.mediaType, digest: a.digest, size: a.manifest.length, platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: b.mediaType, digest: b.digest, size: b.manifest.length, platform: { architecture: 'arm64', os: 'linux' } },
      ],
    });
    const res = await registry.putManifest(name, 'multi', index, 'application/vnd.oci.image.index.v1+json');
    expect(res.status).toBe(201);
    expect(repo(name).images[sha256Digest(index)]).toMatchObject({ tags: ['multi'], sizeInBytes: 1000, manifestMediaType: 'application/vnd.oci.image.index.v1+json' });
  });

  it('refuses a manifest over 4 MiB', async () => {
    const name = repoName('huge');
    await createRepository(name);
    const res = await registry.putManifest(name, 'v1', JSON.stringify({ pad: 'x'.repeat(4 * 1024 * 1024) }), 'application/vnd.oci.image.manifest.v1+json');
    expect(res.status).toBe(400);
    expect((await registryErrorOf(res)).code).toBe('MANIFEST_INVALID');
  });

  it('passes the registry own errors through (a manifest naming a blob never pushed)', async () => {
    const name = repoName('blobunknown');
    await createRepository(name);
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Digest('nope'), size: 4 }, layers: [] });
    const res = await registry.putManifest(name, 'v1', manifest, 'application/vnd.oci.image.manifest.v1+json');
    expect(res.status).toBe(400);
    expect((await registryErrorOf(res)).code).toBe('MANIFEST_BLOB_UNKNOWN');
    expect(repo(name).images).toEqual({});
  });
});

describe('manifest pull', () => {
  it('resolves tags from the sandbox state and fetches by digest', async () => {
    const name = repoName('pull');
    await createRepository(name);
    const image = await registry.pushImage(name, 'v1');
    const res = await registry.request('GET', `/v2/${name}/manifests/v1`, { headers: { accept: image.mediaType } });
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(image.digest);
    expect(await res.text()).toBe(image.manifest);
    expect(repo(name).images[image.digest]!.lastPulledAt).toBeGreaterThan(0);
    const head = await registry.request('HEAD', `/v2/${name}/manifests/${image.digest}`, { headers: { accept: image.mediaType } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(image.manifest)));
    // Without an Accept header the stored type is asked for, so curl gets the manifest too.
    expect((await registry.request('GET', `/v2/${name}/manifests/v1`)).status).toBe(200);
  });

  it('answers an unknown tag with MANIFEST_UNKNOWN "Requested image not found"', async () => {
    const name = repoName('notag');
    await createRepository(name);
    const res = await registry.request('GET', `/v2/${name}/manifests/nope`);
    expect(res.status).toBe(404);
    expect(await registryErrorOf(res)).toEqual({ code: 'MANIFEST_UNKNOWN', message: 'Requested image not found' });
    const head = await registry.request('HEAD', `/v2/${name}/manifests/nope`);
    expect(head.status).toBe(404);
  });

  it('does not serve an image deleted through the API, by tag or by digest, at once', async () => {
    const name = repoName('gone');
    await createRepository(name);
    const image = await registry.pushImage(name, 'v1');
    await batchDelete(name, [image.digest]);
    expect((await registry.request('GET', `/v2/${name}/manifests/v1`)).status).toBe(404);
    expect((await registry.request('GET', `/v2/${name}/manifests/${image.digest}`)).status).toBe(404);
  });

  it('DELETE of a manifest by digest: 202, and the image leaves DescribeImages and the storage, as BatchDeleteImage does', async () => {
    const name = repoName('regdelete');
    await createRepository(name);
    const image = await registry.pushImage(name, 'v1');
    const kept = await registry.pushImage(name, 'v2');
    const res = await registry.request('DELETE', `/v2/${name}/manifests/${image.digest}`);
    expect(res.status).toBe(202);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    const client = ecrClient(sandbox);
    try {
      const { imageDetails } = await client.send(new DescribeImagesCommand({ repositoryName: name }));
      expect(imageDetails!.map((d) => d.imageDigest)).toEqual([kept.digest]);
    } finally {
      client.destroy();
    }
    expect((await registry.request('GET', `/v2/${name}/manifests/v1`)).status).toBe(404);
    await expect.poll(async () => (await direct.request('HEAD', `/v2/${name}/manifests/${image.digest}`, { headers: { accept: image.mediaType } })).status).toBe(404);
    // Gone, so a second DELETE finds nothing.
    const again = await registry.request('DELETE', `/v2/${name}/manifests/${image.digest}`);
    expect(again.status).toBe(404);
    expect((await registryErrorOf(again)).code).toBe('MANIFEST_UNKNOWN');
  });

  it('refuses DELETE by tag (405 UNSUPPORTED, ECR deletes by digest) and of a layer; the image stays', async () => {
    const name = repoName('nodelete');
    await createRepository(name);
    const image = await registry.pushImage(name, 'v1');
    const byTag = await registry.request('DELETE', `/v2/${name}/manifests/v1`);
    expect(byTag.status).toBe(405);
    expect(await registryErrorOf(byTag)).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining("'aws ecr batch-delete-image --image-ids imageTag=v1'") });
    const blob = await registry.request('DELETE', `/v2/${name}/blobs/${image.layers[0]!.digest}`);
    expect(blob.status).toBe(405);
    expect(repo(name).images[image.digest]!.tags).toEqual(['v1']);
  });
});

describe('OCI 1.1 referrers', () => {
  const EMPTY = Buffer.from('{}');
  /** An artifact (an SBOM, a signature) that refers to `subject`, pushed by digest as oras does. */
  async function pushReferrer(name: string, subject: { digest: string; mediaType: string; manifest: string }, artifactType: string, note: string) {
    await registry.pushBlob(name, EMPTY);
    const layer = await registry.pushBlob(name, Buffer.from(note));
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest(EMPTY), size: 2 },
      layers: [{ mediaType: 'text/plain', digest: layer, size: note.length }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: Buffer.byteLength(subject.manifest) },
      annotations: { 'org.example.note': note },
    });
    const res = await registry.putManifest(name, sha256Digest(manifest), manifest, 'application/vnd.oci.image.manifest.v1+json');
    expect(res.status).toBe(201);
    return { res, digest: sha256Digest(manifest), manifest };
  }

  it('a manifest PUT with a subject answers OCI-Subject; the referrers list comes from the books, filtered by artifactType', async () => {
    const name = repoName('referrers');
    await createRepository(name);
    const subject = await registry.pushImage(name, 'v1', [500], true);
    const sbom = await pushReferrer(name, subject, 'application/spdx+json', 'sbom');
    expect(sbom.res.headers.get('oci-subject')).toBe(subject.digest);
    const signature = await pushReferrer(name, subject, 'application/vnd.cncf.notary.signature', 'signature');
    // A plain image push has no subject, and no OCI-Subject header.
    const plain = await registry.putManifest(name, 'v2', subject.manifest, subject.mediaType);
    expect(plain.headers.get('oci-subject')).toBeNull();

    const all = await registry.request('GET', `/v2/${name}/referrers/${subject.digest}`);
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toBe('application/vnd.oci.image.index.v1+json');
    expect(all.headers.get('oci-filters-applied')).toBeNull();
    const descriptor = (referrer: { digest: string; manifest: string }, artifactType: string, note: string) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: referrer.digest,
      size: Buffer.byteLength(referrer.manifest),
      artifactType,
      annotations: { 'org.example.note': note },
    });
    expect(await all.json()).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [descriptor(sbom, 'application/spdx+json', 'sbom'), descriptor(signature, 'application/vnd.cncf.notary.signature', 'signature')],
    });

    const filtered = await registry.request('GET', `/v2/${name}/referrers/${subject.digest}?artifactType=${encodeURIComponent('application/vnd.cncf.notary.signature')}`);
    expect(filtered.headers.get('oci-filters-applied')).toBe('artifactType');
    expect(((await filtered.json()) as { manifests: unknown[] }).manifests).toEqual([descriptor(signature, 'application/vnd.cncf.notary.signature', 'signature')]);

    // A digest nothing refers to has no referrers; a malformed one is refused.
    expect(((await (await registry.request('GET', `/v2/${name}/referrers/${sha256Digest('nothing')}`)).json()) as { manifests: unknown[] }).manifests).toEqual([]);
    const bad = await registry.request('GET', `/v2/${name}/referrers/sha256:nothex`);
    expect(bad.status).toBe(400);
    expect((await registryErrorOf(bad)).code).toBe('DIGEST_INVALID');
    // The artifact is an image of the repository, as in ECR, with its artifactType.
    expect(repo(name).images[sbom.digest]).toMatchObject({ tags: [], artifactMediaType: 'application/spdx+json' });
  });
});

describe('paths the registry must never see', () => {
  it('a blob reference that is not a digest: 400 DIGEST_INVALID in JSON, not the registry plain-text 404', async () => {
    const name = repoName('badblob');
    await createRepository(name);
    const res = await registry.request('GET', `/v2/${name}/blobs/notadigest`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await registryErrorOf(res)).toEqual({ code: 'DIGEST_INVALID', message: expect.stringContaining("Invalid digest 'notadigest'") });
  });

  it('a digest holding %2f.. never redirects into another repository', async () => {
    const name = repoName('escape');
    const other = repoName('victim');
    await createRepository(name);
    await createRepository(other);
    const secret = await registry.pushImage(other, 'v1', [700]);
    const escape = `/v2/${name}/blobs/${secret.layers[0]!.digest}%2f..%2f..%2f..%2f${other}%2fblobs%2f${secret.layers[0]!.digest}`;
    for (const method of ['GET', 'HEAD']) {
      const res = await registry.request(method, escape);
      expect(res.status, method).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it('an upload chunk whose Content-Range does not continue the upload: 416, and the upload stays intact', async () => {
    const name = repoName('chunks');
    await createRepository(name);
    const bytes = crypto.randomBytes(30);
    const start = await registry.request('POST', `/v2/${name}/blobs/uploads/`);
    expect(start.status).toBe(202);
    const chunk = async (location: string, from: number, to: number) =>
      registry.request('PATCH', location, { headers: { 'content-type': 'application/octet-stream', 'content-range': `${from}-${to}` }, body: bytes.subarray(from, to + 1) });
    const first = await chunk(start.headers.get('location')!, 0, 9);
    expect(first.status).toBe(202);
    const skipped = await chunk(first.headers.get('location')!, 20, 29);
    expect(skipped.status).toBe(416);
    expect(await registryErrorOf(skipped)).toEqual({ code: 'RANGE_INVALID', message: expect.stringContaining('its next chunk starts at byte 10') });
    const repeated = await chunk(first.headers.get('location')!, 0, 9);
    expect(repeated.status).toBe(416);
    const second = await chunk(first.headers.get('location')!, 10, 19);
    expect(second.status).toBe(202);
    const third = await chunk(second.headers.get('location')!, 20, 29);
    expect(third.status).toBe(202);
    const location = third.headers.get('location')!;
    const done = await registry.request('PUT', `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(sha256Digest(bytes))}`);
    expect(done.status).toBe(201);
    const back = await registry.request('GET', `/v2/${name}/blobs/${sha256Digest(bytes)}`);
    expect(Buffer.from(await back.arrayBuffer())).toEqual(bytes);
  });
});

describe('blobs', () => {
  it('streams a chunked upload and the download back byte for byte', async () => {
    const name = repoName('stream');
    await createRepository(name);
    const size = 24 * 1024 * 1024;
    const hash = crypto.createHash('sha256');
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= size) return controller.close();
        const chunk = crypto.randomBytes(Math.min(1024 * 1024, size - sent));
        hash.update(chunk);
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const start = await registry.request('POST', `/v2/${name}/blobs/uploads/`);
    expect(start.status).toBe(202);
    const location = start.headers.get('location')!;
    expect(location.startsWith('/v2/')).toBe(true);
    const patch = await registry.request('PATCH', location, { headers: { 'content-type': 'application/octet-stream' }, body });
    expect(patch.status).toBe(202);
    const digest = `sha256:${hash.digest('hex')}`;
    const next = patch.headers.get('location')!;
    const put = await registry.request('PUT', `${next}${next.includes('?') ? '&' : '?'}digest=${digest}`);
    expect(put.status).toBe(201);
    const got = await registry.request('GET', `/v2/${name}/blobs/${digest}`);
    expect(got.status).toBe(200);
    const back = crypto.createHash('sha256');
    for await (const chunk of got.body as unknown as AsyncIterable<Uint8Array>) back.update(chunk);
    expect(`sha256:${back.digest('hex')}`).toBe(digest);
  });

  it("does not stall on docker's paced uploads: 32 KiB pieces, one per turn, 32 MiB each, three in a row", async () => {
    // An upload whose pieces arrive as slowly as docker's compressor makes them used to stop for
    // good halfway (the registry request's 'drain' was missed): each must now complete.
    const name = repoName('paced');
    await createRepository(name);
    const piece = crypto.randomBytes(32 * 1024);
    for (let round = 0; round < 3; round++) {
      const start = await registry.request('POST', `/v2/${name}/blobs/uploads/`);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await new Promise((resolve) => setImmediate(resolve));
          if (sent++ >= 1024) controller.close();
          else controller.enqueue(piece);
        },
      });
      const patch = await registry.request('PATCH', start.headers.get('location')!, { headers: { 'content-type': 'application/octet-stream' }, body });
      expect(patch.status).toBe(202);
      expect(patch.headers.get('range')).toBe(`0-${1024 * piece.length - 1}`);
    }
  }, 60_000);

  it('mounts a blob from another repository of the sandbox, as docker does for a shared layer', async () => {
    const from = repoName('mount-from');
    const to = repoName('mount-to');
    await createRepository(from);
    await createRepository(to);
    const digest = await registry.pushBlob(from, crypto.randomBytes(64));
    const res = await registry.request('POST', `/v2/${to}/blobs/uploads/?mount=${digest}&from=${from}`);
    expect(res.status).toBe(201);
    expect((await registry.request('HEAD', `/v2/${to}/blobs/${digest}`)).status).toBe(200);
  });

  it('turns a mount from a repository the sandbox does not know into a plain upload', async () => {
    const name = repoName('mount');
    await createRepository(name);
    const res = await registry.request('POST', `/v2/${name}/blobs/uploads/?mount=${sha256Digest('x')}&from=deleted-repo`);
    expect(res.status).toBe(202);
  });
});

describe('images removed through the API', () => {
  it('deletes their manifests and the layer links no remaining image uses', async () => {
    const name = repoName('cleanup');
    await createRepository(name);
    const keep = await registry.pushImage(name, 'keep', [300]);
    const drop = await registry.pushImage(name, 'drop', [400]);
    // The shared layer: a second manifest that reuses keep's layer.
    const sharedManifest = JSON.stringify({
      ...JSON.parse(drop.manifest),
      layers: [...JSON.parse(drop.manifest).layers, JSON.parse(keep.manifest).layers[0]],
    });
    expect((await registry.putManifest(name, 'shared', sharedManifest, drop.mediaType)).status).toBe(201);
    const sharedDigest = sha256Digest(sharedManifest);

    await batchDelete(name, [drop.digest, sharedDigest]);
    await expect.poll(async () => (await direct.request('HEAD', `/v2/${name}/manifests/${drop.digest}`, { headers: { accept: drop.mediaType } })).status).toBe(404);
    await expect.poll(async () => (await direct.request('HEAD', `/v2/${name}/blobs/${drop.layers[0]!.digest}`)).status).toBe(404);
    expect((await direct.request('HEAD', `/v2/${name}/manifests/${sharedDigest}`, { headers: { accept: drop.mediaType } })).status).toBe(404);
    // keep's layer is still used by keep, so it stays; keep itself still pulls.
    expect((await direct.request('HEAD', `/v2/${name}/blobs/${keep.layers[0]!.digest}`)).status).toBe(200);
    expect((await registry.request('GET', `/v2/${name}/manifests/keep`, { headers: { accept: keep.mediaType } })).status).toBe(200);
  });
});
