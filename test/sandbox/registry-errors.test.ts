import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { DeleteAccessKeyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { issueToken } from '../../src/sandbox/auth/token.js';
import { manifestDigest } from '../../src/sandbox/backend/images.js';
import { MAX_MANIFEST_BYTES } from '../../src/sandbox/config.js';
import { REGISTRY_ERRORS, type RegistryErrorName } from '../../src/sandbox/registry/errors.js';
import { createUser } from '../helpers/iam.js';
import { RegistryHttp, registryAuthorization, stubRegistryProxy } from '../helpers/registry-http.js';
import { ecrClient, iamClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Every entry of the registry error table, each provoked through the proxy over HTTP. The
 * registry behind it is a stub (201 for manifest PUTs, a dropped connection for blob GETs), so
 * this runs without Docker; the real registry is in registry-proxy and docker-cli tests.
 */

type Sandbox = TestSandbox;
type Scenario<N extends RegistryErrorName> = () => Promise<{ res: Response; args: Parameters<(typeof REGISTRY_ERRORS)[N]['message']> }>;

let sandbox: Sandbox;
let stub: Awaited<ReturnType<typeof stubRegistryProxy>>;
let registry: RegistryHttp;
const MUTABLE = 'errors-mutable';
const IMMUTABLE = 'errors-immutable';

const manifest = (n: number) => JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [], n });
const put = (name: string, tag: string, body: string) => registry.putManifest(name, tag, body, 'application/vnd.oci.image.manifest.v1+json');

beforeAll(async () => {
  sandbox = await startTestSandbox({ withoutRegistry: true });
  stub = await stubRegistryProxy(sandbox);
  registry = new RegistryHttp(stub.baseUrl, await registryAuthorization(sandbox));
  const client = ecrClient(sandbox);
  await client.send(new CreateRepositoryCommand({ repositoryName: MUTABLE }));
  await client.send(new CreateRepositoryCommand({ repositoryName: IMMUTABLE, imageTagMutability: 'IMMUTABLE' }));
  client.destroy();
});

afterAll(async () => {
  await stub?.close();
  await sandbox?.stop();
});

const scenarios: { [N in RegistryErrorName]: Scenario<N> } = {
  noCredentials: async () => ({ res: await registry.request('GET', '/v2/', { auth: null }), args: [sandbox.registryHost] }),
  wrongUserName: async () => {
    const password = Buffer.from(registry.authorization!.slice('Basic '.length), 'base64').toString('utf8').slice('AWS:'.length);
    return { res: await registry.request('GET', '/v2/', { auth: `Basic ${Buffer.from(`dockerhub-user:${password}`).toString('base64')}` }), args: ['dockerhub-user'] };
  },
  badPassword: async () => ({ res: await registry.request('GET', '/v2/', { auth: `Basic ${Buffer.from('AWS:hunter2').toString('base64')}` }), args: [] }),
  tokenExpired: async () => {
    const s = sandbox.store.state;
    const old = issueToken(s.tokenSecret, { region: sandbox.region, accessKeyId: s.credentials.accessKeyId, accountId: s.accountId }, 10, Date.now() / 1000 - 100);
    return { res: await registry.request('GET', `/v2/${MUTABLE}/tags/list`, { auth: `Basic ${old.authorizationToken}` }), args: [] };
  },
  credentialsRevoked: async () => {
    const user = await createUser(sandbox, 'leaver', { managed: ['AmazonEC2ContainerRegistryReadOnly'] });
    const auth = await registryAuthorization(sandbox, undefined, user);
    expect((await registry.request('GET', `/v2/${MUTABLE}/tags/list`, { auth })).status).toBe(200);
    const iam = iamClient(sandbox);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'leaver', AccessKeyId: user.accessKeyId }));
    iam.destroy();
    return { res: await registry.request('GET', `/v2/${MUTABLE}/tags/list`, { auth }), args: [] };
  },
  accessDenied: async () => {
    const reader = await createUser(sandbox, 'reader', { managed: ['AmazonEC2ContainerRegistryReadOnly'] });
    const auth = await registryAuthorization(sandbox, undefined, reader);
    return {
      res: await registry.request('POST', `/v2/${MUTABLE}/blobs/uploads/`, { auth }),
      args: [
        `User: ${reader.arn} is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:${sandbox.region}:${sandbox.accountId}:repository/${MUTABLE} because no identity-based policy allows the ecr:InitiateLayerUpload action`,
      ],
    };
  },
  tokenForOtherRegion: async () => ({
    res: await registry.request('GET', '/v2/', { auth: await registryAuthorization(sandbox, 'ap-southeast-2') }),
    args: ['ap-southeast-2', sandbox.region],
  }),
  nameUnknown: async () => ({ res: await registry.request('POST', '/v2/team/never-created/blobs/uploads/'), args: ['team/never-created', sandbox.accountId] }),
  nameInvalid: async () => ({ res: await registry.request('GET', '/v2/a___b/tags/list'), args: ['a___b'] }),
  manifestUnknown: async () => ({ res: await registry.request('GET', `/v2/${MUTABLE}/manifests/never-pushed`), args: [] }),
  tagInvalid: async () => {
    expect((await put(IMMUTABLE, 'v1', manifest(1))).status).toBe(201);
    return { res: await put(IMMUTABLE, 'v1', manifest(2)), args: ['v1', IMMUTABLE] };
  },
  tagNameInvalid: async () => ({ res: await put(MUTABLE, '-dash', manifest(4)), args: ['-dash'] }),
  manifestTooLarge: async () => ({ res: await put(MUTABLE, 'big', 'x'.repeat(MAX_MANIFEST_BYTES + 1)), args: [MAX_MANIFEST_BYTES] }),
  manifestNotJson: async () => {
    let reason = '';
    try {
      JSON.parse('{oops');
    } catch (error) {
      reason = (error as Error).message;
    }
    return { res: await put(MUTABLE, 'broken', '{oops'), args: [reason] };
  },
  deleteUnsupported: async () => ({ res: await registry.request('DELETE', `/v2/${MUTABLE}/blobs/${manifestDigest('x')}`), args: [] }),
  deleteByTagUnsupported: async () => ({ res: await registry.request('DELETE', `/v2/${MUTABLE}/manifests/latest`), args: ['latest'] }),
  manifestReferenced: async () => {
    const child = manifest(5);
    expect((await put(MUTABLE, 'child', child)).status).toBe(201);
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest(child), size: child.length }],
    });
    expect((await registry.putManifest(MUTABLE, 'index', index, 'application/vnd.oci.image.index.v1+json')).status).toBe(201);
    return { res: await registry.request('DELETE', `/v2/${MUTABLE}/manifests/${manifestDigest(child)}`), args: [[manifestDigest(index)]] };
  },
  digestInvalid: async () => ({ res: await registry.request('GET', `/v2/${MUTABLE}/blobs/notadigest`), args: ['notadigest'] }),
  manifestDigestMismatch: async () => ({ res: await put(MUTABLE, manifestDigest('other'), manifest(6)), args: [manifestDigest('other'), manifestDigest(manifest(6))] }),
  rangeInvalid: async () => ({
    res: await registry.request('PATCH', `/v2/${MUTABLE}/blobs/uploads/4f0a7c1e-0d7c-4a55-9a5e-1f7f3c2b9a10`, {
      headers: { 'content-range': '20-29', 'content-type': 'application/octet-stream' },
      body: 'x'.repeat(10),
    }),
    args: ['20-29', 10],
  }),
  registryStarting: async () => ({ res: await new RegistryHttp(sandbox.endpoint, registry.authorization).request('GET', '/v2/'), args: [] }),
  methodUnsupported: async () => ({ res: await registry.request('POST', `/v2/${MUTABLE}/manifests/v1`), args: ['POST', `/v2/${MUTABLE}/manifests/v1`] }),
  notFound: async () => ({ res: await registry.request('GET', `/v2/${MUTABLE}/referrers`), args: [`/v2/${MUTABLE}/referrers`] }),
  registryUnavailable: async () => ({ res: await registry.request('GET', `/v2/${MUTABLE}/blobs/${manifestDigest('y')}`), args: ['socket hang up'] }),
  stateNotSaved: async () => {
    const store = sandbox.store;
    const save = store.save;
    store.save = () => Promise.reject(new Error('disk full'));
    try {
      return { res: await put(MUTABLE, 'unsaved', manifest(3)), args: ['disk full'] };
    } finally {
      store.save = save;
      // Refused, so not recorded either.
      expect(sandbox.backend.findRepository(sandbox.region, MUTABLE)!.images[manifestDigest(manifest(3))]).toBeUndefined();
    }
  },
  internalError: async () => {
    const backend = sandbox.backend;
    const find = backend.findRepository;
    // The proxy logs unexpected failures; this one is on purpose.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    backend.findRepository = () => {
      throw new Error('state is broken');
    };
    try {
      return { res: await registry.request('GET', `/v2/${MUTABLE}/tags/list`), args: ['state is broken'] };
    } finally {
      backend.findRepository = find;
      expect(logged).toHaveBeenCalledOnce();
      logged.mockRestore();
    }
  },
};

describe('registry error table', () => {
  it.each(Object.keys(REGISTRY_ERRORS) as RegistryErrorName[])('%s: answered with its code, status and message', async (name) => {
    const entry = REGISTRY_ERRORS[name];
    const { res, args } = await (scenarios[name] as Scenario<typeof name>)();
    expect(res.status).toBe(entry.status);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    // The Basic challenge goes with every 401 and nothing else (an expired token gets none).
    if (entry.status === 401) {
      expect(res.headers.get('www-authenticate')).toBe(`Basic realm="http://${sandbox.registryHost}/",service="ecr.amazonaws.com"`);
    } else {
      expect(res.headers.get('www-authenticate')).toBeNull();
    }
    const message = (entry.message as (...a: unknown[]) => string)(...args);
    expect(await res.json()).toEqual({ errors: [{ code: entry.code, message }] });
  });

  it('uses only codes docker knows, so it prints "<code>: <message>"', () => {
    // distribution's registered error codes (registry/api/errcode and api/v2/errors.go), plus
    // NOT_FOUND, which docker reports as "unknown"; it is only reachable with curl.
    const known = new Set([
      'UNAUTHORIZED',
      'DENIED',
      'NAME_UNKNOWN',
      'NAME_INVALID',
      'MANIFEST_UNKNOWN',
      'MANIFEST_INVALID',
      'TAG_INVALID',
      'DIGEST_INVALID',
      'RANGE_INVALID',
      'UNSUPPORTED',
      'UNAVAILABLE',
      'UNKNOWN',
      'NOT_FOUND',
    ]);
    for (const entry of Object.values(REGISTRY_ERRORS)) expect(known).toContain(entry.code);
  });

  it('answers HEAD with the status and headers only', async () => {
    const res = await registry.request('HEAD', `/v2/${MUTABLE}/manifests/never-pushed`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
  });
});
