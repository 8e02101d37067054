import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { createRegistryProxy } from '../../src/sandbox/registry/proxy.js';
import { ecrClient, type CredentialOverrides } from './sandbox.js';

/** sha256 digest of some bytes, as registries name blobs and manifests. */
export function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;
}

/** `Basic <token>` from the sandbox's GetAuthorizationToken (optionally signed for another region, or as another identity). */
export async function registryAuthorization(sandbox: Pick<RunningSandbox, 'endpoint' | 'region' | 'credentials'>, region?: string, as: CredentialOverrides = {}): Promise<string> {
  const client = ecrClient(sandbox, { ...as, ...(region ? { region } : {}) });
  try {
    const out = await client.send(new GetAuthorizationTokenCommand({}));
    return `Basic ${out.authorizationData![0]!.authorizationToken!}`;
  } finally {
    client.destroy();
  }
}

export interface PushedImage {
  digest: string;
  manifest: string;
  mediaType: string;
  layers: Array<{ digest: string; size: number }>;
  configDigest: string;
}

/** A registry API client over fetch: the raw HTTP docker speaks, for tests that look at every answer. */
export class RegistryHttp {
  constructor(
    readonly baseUrl: string,
    public authorization?: string,
  ) {}

  request(method: string, path: string, init: { headers?: Record<string, string>; body?: RequestInit['body']; auth?: string | null } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    const auth = init.auth === undefined ? this.authorization : init.auth;
    if (auth) headers.authorization = auth;
    return fetch(new URL(path, this.baseUrl), { method, headers, body: init.body, redirect: 'manual', duplex: 'half' } as RequestInit);
  }

  /** Uploads a blob monolithically (POST, then PUT ?digest=) and returns its digest. */
  async pushBlob(name: string, bytes: Uint8Array): Promise<string> {
    const digest = sha256Digest(bytes);
    const start = await this.request('POST', `/v2/${name}/blobs/uploads/`);
    if (start.status !== 202) throw new Error(`upload start: ${start.status} ${await start.text()}`);
    const location = start.headers.get('location')!;
    const sep = location.includes('?') ? '&' : '?';
    const done = await this.request('PUT', `${location}${sep}digest=${encodeURIComponent(digest)}`, {
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    if (done.status !== 201) throw new Error(`upload finish: ${done.status} ${await done.text()}`);
    return digest;
  }

  putManifest(name: string, reference: string, manifest: string, mediaType: string): Promise<Response> {
    return this.request('PUT', `/v2/${name}/manifests/${reference}`, { headers: { 'content-type': mediaType }, body: manifest });
  }

  /**
   * Pushes a small image: random layers of the given sizes, a config, and a manifest (Docker
   * schema 2 by default, OCI on request) to `reference` (null: by its digest, untagged, as buildx
   * pushes the children of a multi-arch image). Throws unless the manifest PUT is 201.
   */
  async pushImage(name: string, reference: string | null, layerSizes: number[] = [1000], oci = false): Promise<PushedImage> {
    const layers: Array<{ digest: string; size: number }> = [];
    for (const size of layerSizes) {
      const bytes = crypto.randomBytes(size);
      layers.push({ digest: await this.pushBlob(name, bytes), size });
    }
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) }, nonce: crypto.randomUUID() }));
    const configDigest = await this.pushBlob(name, config);
    const mediaType = oci ? 'application/vnd.oci.image.manifest.v1+json' : 'application/vnd.docker.distribution.manifest.v2+json';
    const layerType = oci ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.docker.image.rootfs.diff.tar.gzip';
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
      layers: layers.map((l) => ({ mediaType: layerType, size: l.size, digest: l.digest })),
    });
    const res = await this.putManifest(name, reference ?? sha256Digest(manifest), manifest, mediaType);
    if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${await res.text()}`);
    return { digest: sha256Digest(manifest), manifest, mediaType, layers, configDigest };
  }
}

/** The `errors[0]` of a registry error answer. */
export async function registryErrorOf(res: Response): Promise<{ code: string; message: string }> {
  const body = (await res.json()) as { errors: Array<{ code: string; message: string }> };
  return body.errors[0]!;
}

/**
 * The sandbox's registry proxy in front of a stub registry (no Docker needed): 201 for manifest
 * PUTs, 202 with a Location for upload starts, a dropped connection for blob GETs, 404 otherwise.
 * `seen` lists the requests that reached the stub (`METHOD path`), to tell what the proxy let by.
 */
const STUB_REALM = 'stub-registry-realm';

export async function stubRegistryProxy(sandbox: RunningSandbox): Promise<{ baseUrl: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const listen = (server: http.Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  const stub = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = req.url ?? '';
      if (!req.headers.authorization) {
        // The sandbox's proof that this is its own registry: an anonymous request is challenged in its realm.
        res.writeHead(401, { 'WWW-Authenticate': `Basic realm="${STUB_REALM}"`, 'Content-Length': 0 });
        res.end();
        return;
      }
      seen.push(`${req.method} ${url}`);
      if (req.method === 'GET' && url.includes('/blobs/uploads/')) {
        // An upload's status: ten bytes so far.
        res.writeHead(204, { Range: '0-9', 'Content-Length': 0 });
        res.end();
      } else if (req.method === 'PUT' && url.includes('/manifests/')) {
        const digest = url.slice(url.lastIndexOf('/') + 1);
        res.writeHead(201, { 'Docker-Content-Digest': digest, Location: url, 'Content-Length': 0 });
        res.end();
      } else if (req.method === 'POST' && url.includes('/blobs/uploads/')) {
        res.writeHead(202, { Location: `${url.split('?')[0]}stub-upload`, 'Content-Length': 0 });
        res.end();
      } else if (url.includes('/blobs/sha256:')) {
        req.socket.destroy();
      } else {
        res.writeHead(404, { 'Content-Length': 0 });
        res.end();
      }
    });
  });
  const proxy = createRegistryProxy({
    backends: [sandbox.backend, sandbox.secondBackend],
    iam: sandbox.iam,
    authorizer: sandbox.authorizer,
    upstream: { host: '127.0.0.1', port: await listen(stub), username: 'stub', password: 'stub-password', realm: STUB_REALM },
    upstreamTimeouts: { connectMs: 2_000, idleMs: 60_000, watchMs: 0 },
    region: sandbox.region,
  });
  const front = http.createServer((req, res) => proxy.handle(req, res));
  const port = await listen(front);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    seen,
    async close() {
      await proxy.close();
      await new Promise((resolve) => front.close(resolve));
      await new Promise((resolve) => stub.close(resolve));
    },
  };
}
