import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateRepositoryCommand, DescribeImagesCommand, DescribeRepositoriesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { beforeEach, describe, expect, it } from 'vitest';
import { findStep, loadCourse } from '../../src/course/load.js';
import { renderSolution } from '../../src/course/render.js';
import { REPOSITORY_NAME_PATTERN } from '../../src/sandbox/api/validate.js';
import { consoleAssetsDir, loadAssets } from '../../src/sandbox/console/assets.js';
import { pushCommandsContext } from '../../src/sandbox/console/push-commands.js';
import { pageText } from '../../src/sandbox/console/messages.js';
import { DeleteUserPolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { policyText } from '../helpers/iam.js';
import { iamClient, tempDir, type TestSandbox } from '../helpers/sandbox.js';
import { rawEcr, repoName, seedImage, target, withApiSandbox } from '../sandbox/api-helpers.js';

/**
 * The console's server side: the page and its files, the JSON endpoints (the ECR handlers'
 * results and errors, unchanged), and the guards (same-origin changes, loopback Host).
 */

type Sandbox = TestSandbox;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let sandbox: Sandbox;
let ecr: ECRClient;
let removed: Array<[string, string, string[]]>;

withApiSandbox((started, client) => {
  sandbox = started;
  ecr = client;
});
beforeEach(() => {
  removed = [];
  sandbox.backend.onImagesRemoved = (region, repositoryName, digests) => removed.push([region, repositoryName, digests]);
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** A console request as its own page sends it: same Origin on changes. */
async function consoleCall(method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${sandbox.endpoint}${urlPath}`, {
    method,
    headers: {
      ...(method === 'GET' || method === 'HEAD' ? {} : { origin: sandbox.endpoint }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

const repoPath = (name: string, ...rest: string[]) => ['/console/api/repositories', encodeURIComponent(name), ...rest].join('/');

/** The same input straight to the ECR API (signed), for comparing answers. */
async function apiCall(operation: string, input: unknown): Promise<{ status: number; json: any }> {
  const r = await rawEcr(sandbox, target(operation), JSON.stringify(input));
  return { status: r.status, json: r.json };
}

/** A raw HTTP request with any Host header (fetch will not send a foreign one). */
function rawRequest(options: { method: string; path: string; host: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: sandbox.port, method: options.method, path: options.path, headers: { host: options.host, ...options.headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const snapshot = () => JSON.stringify(sandbox.store.state.regions);

describe('the page and its files', () => {
  it.each(['/', '/repositories', '/create-repository', '/repositories/team/demo-app'])('GET %s serves the console page', async (urlPath) => {
    const res = await consoleCall('GET', urlPath);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.text).toContain('<script type="module" src="/console/assets/console.js"></script>');
    // No CDN: every script and stylesheet is the sandbox's own.
    expect(res.text).not.toMatch(/(src|href)="https?:/);
    const data = JSON.parse(/<script type="application\/json" id="console-data">(.*?)<\/script>/s.exec(res.text)![1]!);
    expect(data).toMatchObject({
      region: 'us-east-1',
      accountId: sandbox.accountId,
      registryHost: sandbox.registryHost,
      repositoryNamePattern: REPOSITORY_NAME_PATTERN,
    });
    expect(data.text.list.heading).toBe(pageText.list.heading);
  });

  it('keeps /health as JSON for the CLI, and 404s paths that are not pages', async () => {
    const health = await consoleCall('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ ok: true, accountId: sandbox.accountId });
    expect((await consoleCall('GET', '/nope')).status).toBe(404);
  });

  it('serves console.js, dom.js and console.css from the package, and nothing else under /console/assets/', async () => {
    const files = loadAssets();
    for (const name of ['console.js', 'dom.js']) {
      const js = await consoleCall('GET', `/console/assets/${name}`);
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(js.text).toBe(files.get(name)!.body.toString('utf8'));
    }
    const css = await consoleCall('GET', '/console/assets/console.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    for (const bad of ['/console/assets/index.ts', '/console/assets/../index.ts', '/console/assets/%2e%2e%2fmessages.ts', '/console/assets/']) {
      const res = await consoleCall('GET', bad);
      expect(res.status, bad).toBe(404);
      expect(res.json.__type).toBe('NotFoundException');
    }
  });

  it('finds its files from dist/src/sandbox/console (tsc copies no .js/.css), and says so when they are missing', () => {
    const assets = path.join(ROOT, 'src', 'sandbox', 'console', 'assets');
    expect(consoleAssetsDir(path.join(ROOT, 'src', 'sandbox', 'console'))).toBe(assets);
    expect(consoleAssetsDir(path.join(ROOT, 'dist', 'src', 'sandbox', 'console'))).toBe(assets);
    const elsewhere = tempDir('ecrwb-no-assets-');
    expect(() => consoleAssetsDir(elsewhere)).toThrow(/console's files are missing/);
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });
});

describe('repositories', () => {
  it('creates a repository with the API input, and the API then describes exactly that', async () => {
    const name = repoName('console/create');
    const res = await consoleCall('POST', '/console/api/repositories', {
      repositoryName: name,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
    expect(res.status).toBe(200);
    expect(res.json.repository).toMatchObject({ repositoryName: name, repositoryUri: `${sandbox.registryHost}/${name}` });
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    expect(repositories![0]).toMatchObject({
      repositoryName: name,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
  });

  it.each([
    ['an invalid name', { repositoryName: 'Bad..Name' }],
    ['a one-character name', { repositoryName: 'a' }],
    ['no name', {}],
    ['an unknown mutability', { repositoryName: 'fine-name', imageTagMutability: 'SOMETIMES' }],
    ['a wrong type', { repositoryName: 'fine-name', imageScanningConfiguration: { scanOnPush: 'yes' } }],
    ['a KMS key with AES256', { repositoryName: 'fine-name', encryptionConfiguration: { encryptionType: 'AES256', kmsKey: 'k' } }],
  ])('refuses %s with the API’s own error', async (_what, input) => {
    const before = snapshot();
    const res = await consoleCall('POST', '/console/api/repositories', input);
    const api = await apiCall('CreateRepository', input);
    expect(api.status).toBe(400);
    expect(res.status).toBe(api.status);
    expect(res.json).toEqual(api.json);
    expect(Object.keys(res.json)).toEqual(['__type', 'message']);
    expect(snapshot()).toBe(before);
  });

  it('answers a duplicate with RepositoryAlreadyExistsException, as the API does', async () => {
    const name = repoName('console/dup');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const res = await consoleCall('POST', '/console/api/repositories', { repositoryName: name });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      __type: 'RepositoryAlreadyExistsException',
      message: `The repository with name '${name}' already exists in the registry with id '${sandbox.accountId}'`,
    });
  });

  it('refuses a body that is not a JSON object with SerializationException', async () => {
    const res = await consoleCall('POST', '/console/api/repositories', '{not json');
    expect(res.status).toBe(400);
    expect(res.json.__type).toBe('SerializationException');
    const list = await consoleCall('POST', '/console/api/repositories', '[1]');
    expect(list.json).toEqual({ __type: 'SerializationException', message: 'The request body must be a JSON object.' });
  });

  it('lists every repository of the region, past one API page, in the API’s shape', async () => {
    const region = sandbox.store.region(sandbox.region);
    const names: string[] = [];
    for (let i = 0; i < 1005; i++) {
      const name = `console-many-${process.pid}/r${String(i).padStart(4, '0')}`;
      names.push(name);
      region.repositories[name] = {
        name,
        createdAt: 1_700_000_000 + i,
        imageTagMutability: 'MUTABLE',
        scanOnPush: false,
        encryption: { encryptionType: 'AES256' },
        tags: [],
        images: {},
      };
    }
    try {
      const res = await consoleCall('GET', '/console/api/repositories');
      expect(res.status).toBe(200);
      const listed = (res.json.repositories as Array<{ repositoryName: string }>).map((r) => r.repositoryName);
      expect(listed).toEqual(expect.arrayContaining(names));
      const api = await apiCall('DescribeRepositories', { repositoryNames: [names[7]] });
      expect(res.json.repositories.find((r: { repositoryName: string }) => r.repositoryName === names[7])).toEqual(api.json.repositories[0]);
    } finally {
      for (const name of names) delete region.repositories[name];
    }
  });

  it('describes one repository, and names a missing or invalid one as the API does', async () => {
    const name = repoName('console/one');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const one = await consoleCall('GET', repoPath(name));
    expect(one.status).toBe(200);
    expect(one.json.repository).toEqual((await apiCall('DescribeRepositories', { repositoryNames: [name] })).json.repositories[0]);

    const missing = await consoleCall('GET', repoPath('no-such-repo'));
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual((await apiCall('DescribeRepositories', { repositoryNames: ['no-such-repo'] })).json);
    expect(missing.json.__type).toBe('RepositoryNotFoundException');

    const invalid = await consoleCall('GET', repoPath('Bad..Name'));
    expect(invalid.json).toEqual((await apiCall('DescribeRepositories', { repositoryNames: ['Bad..Name'] })).json);
  });

  it('deletes a repository with its images (force), through the backend hook the API uses', async () => {
    const name = repoName('console/del');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const image = seedImage(sandbox, name, { seed: `${name}-img`, tags: ['v1'] });

    const refused = await consoleCall('DELETE', repoPath(name));
    expect(refused.status).toBe(400);
    expect(refused.json.__type).toBe('RepositoryNotEmptyException');

    const res = await consoleCall('DELETE', repoPath(name), { force: true });
    expect(res.status).toBe(200);
    expect(res.json.repository.repositoryName).toBe(name);
    expect(removed).toEqual([[sandbox.region, name, [image.digest]]]);
    await expect(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });

  it("is the learner at the console: the learner's IAM policies apply to it as to the CLI", async () => {
    const name = repoName('console/kept');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const iam = iamClient(sandbox);
    const rule = policyText({ Effect: 'Deny', Action: 'ecr:DeleteRepository', Resource: `arn:aws:ecr:us-east-1:${sandbox.accountId}:repository/${name}` });
    await iam.send(new PutUserPolicyCommand({ UserName: 'ecr-learner', PolicyName: 'keep', PolicyDocument: rule }));
    try {
      const refused = await consoleCall('DELETE', repoPath(name), { force: true });
      expect(refused.json).toEqual({
        __type: 'AccessDeniedException',
        message: `User: arn:aws:iam::${sandbox.accountId}:user/ecr-learner is not authorized to perform: ecr:DeleteRepository on resource: arn:aws:ecr:us-east-1:${sandbox.accountId}:repository/${name} with an explicit deny in an identity-based policy`,
      });
      expect(refused.json).toEqual((await apiCall('DeleteRepository', { repositoryName: name, force: true })).json);
    } finally {
      await iam.send(new DeleteUserPolicyCommand({ UserName: 'ecr-learner', PolicyName: 'keep' }));
      iam.destroy();
    }
  });
});

describe('images', () => {
  async function repoWithImages() {
    const name = repoName('console/img');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name, imageScanningConfiguration: { scanOnPush: true } }));
    const tagged = seedImage(sandbox, name, { seed: `${name}-a`, tags: ['v1', 'latest'], pushedAt: 1_700_000_000, sizeInBytes: 3 * 1024 * 1024 });
    const untagged = seedImage(sandbox, name, { seed: `${name}-b`, pushedAt: 1_700_000_100 });
    return { name, tagged, untagged };
  }

  it('lists image details exactly as DescribeImages does', async () => {
    const { name, tagged, untagged } = await repoWithImages();
    const res = await consoleCall('GET', repoPath(name, 'images'));
    expect(res.status).toBe(200);
    expect(res.json.imageDetails).toEqual((await apiCall('DescribeImages', { repositoryName: name })).json.imageDetails);
    expect(res.json.imageDetails.map((d: { imageDigest: string }) => d.imageDigest)).toEqual([tagged.digest, untagged.digest]);
    expect(res.json.imageDetails[0]).toMatchObject({ imageTags: ['v1', 'latest'], imageSizeInBytes: 3 * 1024 * 1024 });
    expect(res.json.imageDetails[0].imageScanStatus.status).toBe('FINDINGS_UNAVAILABLE');

    const missing = await consoleCall('GET', repoPath('no-such-repo', 'images'));
    expect(missing.json.__type).toBe('RepositoryNotFoundException');
  });

  it('deletes selected images with BatchDeleteImage, calling the registry hook, and reports failures in the API’s shape', async () => {
    const { name, tagged, untagged } = await repoWithImages();
    const unknown = `sha256:${'0'.repeat(64)}`;
    const res = await consoleCall('POST', repoPath(name, 'images', 'batch-delete'), {
      imageIds: [{ imageDigest: tagged.digest }, { imageDigest: unknown }],
    });
    expect(res.status).toBe(200);
    expect(res.json.imageIds).toEqual([
      { imageDigest: tagged.digest, imageTag: 'v1' },
      { imageDigest: tagged.digest, imageTag: 'latest' },
    ]);
    expect(res.json.failures).toEqual([{ imageId: { imageDigest: unknown }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);
    expect(removed).toEqual([[sandbox.region, name, [tagged.digest]]]);
    const left = await ecr.send(new DescribeImagesCommand({ repositoryName: name }));
    expect(left.imageDetails!.map((d) => d.imageDigest)).toEqual([untagged.digest]);

    const empty = await consoleCall('POST', repoPath(name, 'images', 'batch-delete'), { imageIds: [] });
    expect(empty.json).toEqual((await apiCall('BatchDeleteImage', { repositoryName: name, imageIds: [] })).json);
    expect(empty.json.__type).toBe('InvalidParameterException');
  });
});

describe('push commands', () => {
  it('are the course’s reference solutions for this repository, the way lesson 07 renders them', async () => {
    const name = repoName('console/push');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const res = await consoleCall('GET', repoPath(name, 'push-commands'));
    expect(res.status).toBe(200);
    const course = await loadCourse();
    const ctx = pushCommandsContext(course, {
      region: sandbox.region,
      accountId: sandbox.accountId,
      registryHost: sandbox.registryHost,
      endpoint: sandbox.endpoint,
      repositoryName: name,
    });
    const expected = ['docker-login', 'build-image', 'tag-image', 'push-image'].map((id) => renderSolution(findStep(course, id)!, ctx));
    expect(res.json.unix.map((s: { commands: string[] }) => s.commands)).toEqual(expected);
    expect(res.json.unix.map((s: { key: string }) => s.key)).toEqual(['login', 'build', 'tag', 'push']);
    expect(res.json.unix[3].lesson).toEqual({ number: 7, title: 'Push the image' });
    expect(res.json.unix[3].commands).toEqual([`docker push ${sandbox.registryHost}/${name}:v1`]);
    expect(res.json.windows).toHaveLength(4);
    expect(res.json.repositoryUri).toBe(`${sandbox.registryHost}/${name}`);
  });

  it('are refused for a repository that does not exist', async () => {
    const res = await consoleCall('GET', repoPath('no-such-repo', 'push-commands'));
    expect(res.status).toBe(400);
    expect(res.json.__type).toBe('RepositoryNotFoundException');
  });
});

describe('endpoints the console does not have', () => {
  it('answers unknown paths 404 and wrong methods 405, in the API’s error shape', async () => {
    const unknown = await consoleCall('GET', '/console/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ __type: 'NotFoundException', message: expect.stringContaining('/console/api/nothing-here') });
    const bad = await consoleCall('GET', '/console/api/repositories/%E0%A4%A');
    expect(bad.status).toBe(404);
    const wrong = await consoleCall('PUT', '/console/api/repositories', {});
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
    expect(wrong.json.__type).toBe('MethodNotAllowedException');
  });

  it('refuses a body over the API’s limit with 413', async () => {
    const res = await consoleCall('POST', '/console/api/repositories', JSON.stringify({ repositoryName: 'x'.repeat(2 * 1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.json.__type).toBe('RequestEntityTooLargeException');
  });
});

describe('guards', () => {
  it.each([
    ['another site’s Origin', { origin: 'http://evil.example' }],
    ['another port of localhost', { origin: 'http://localhost:1' }],
    ['an opaque Origin', { origin: 'null' }],
    ['a cross-site Origin that claims same-origin fetch', { origin: 'http://evil.example', 'sec-fetch-site': 'same-origin' }],
    ['no Origin at all', {}],
    ['no Origin, cross-site fetch', { 'sec-fetch-site': 'cross-site' }],
  ])('refuses a change with %s (403), and nothing changes', async (_what, headers) => {
    const name = repoName('console/csrf');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const image = seedImage(sandbox, name, { seed: `${name}-img`, tags: ['v1'] });
    const before = snapshot();
    const send = (method: string, urlPath: string, body: unknown) =>
      fetch(`${sandbox.endpoint}${urlPath}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

    const calls = [
      await send('POST', '/console/api/repositories', { repositoryName: `${name}-new` }),
      await send('DELETE', repoPath(name), { force: true }),
      await send('POST', repoPath(name, 'images', 'batch-delete'), { imageIds: [{ imageDigest: image.digest }] }),
    ];
    for (const res of calls) {
      expect(res.status).toBe(403);
      const json = (await res.json()) as { __type: string; message: string };
      expect(json.__type).toBe('AccessDeniedException');
      expect(json.message).toContain('accepts changes only from its own page');
    }
    expect(snapshot()).toBe(before);
    expect(removed).toEqual([]);
  });

  it('accepts a change from its own origin under either loopback name, or with Sec-Fetch-Site: same-origin', async () => {
    const viaIp = await rawRequest({
      method: 'POST',
      path: '/console/api/repositories',
      host: `127.0.0.1:${sandbox.port}`,
      headers: { origin: `http://127.0.0.1:${sandbox.port}`, 'content-type': 'application/json' },
      body: JSON.stringify({ repositoryName: repoName('console/ip') }),
    });
    expect(viaIp.status).toBe(200);
    const fetchMetadata = await fetch(`${sandbox.endpoint}/console/api/repositories`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ repositoryName: repoName('console/sfs') }),
    });
    expect(fetchMetadata.status).toBe(200);
  });

  it('refuses a foreign Host header (403) on pages and changes, and nothing changes', async () => {
    const before = snapshot();
    const page = await rawRequest({ method: 'GET', path: '/', host: 'evil.example' });
    expect(page.status).toBe(403);
    expect(page.text).not.toContain('console-data');
    const post = await rawRequest({
      method: 'POST',
      path: '/console/api/repositories',
      host: `evil.example:${sandbox.port}`,
      headers: { origin: `http://evil.example:${sandbox.port}`, 'content-type': 'application/json' },
      body: JSON.stringify({ repositoryName: repoName('console/rebind') }),
    });
    expect(post.status).toBe(403);
    expect(snapshot()).toBe(before);
  });
});
