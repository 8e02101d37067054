import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidRepositoryName } from '../api/validate.js';
import { registryAction, type Authorizer } from '../authz/authorizer.js';
import type { EcrBackend } from '../backend/ecr.js';
import {
  ANY_MANIFEST_ACCEPT,
  blobsInUse,
  findImageByTag,
  isDigestReference,
  ManifestParseError,
  manifestDigest,
  parseManifest,
  recordManifestPush,
  referencedBlobs,
  referrersOf,
  tagPushRefusal,
  type ParsedManifest,
} from '../backend/images.js';
import { parseDownloadPath, type DownloadRefusal } from '../backend/layers.js';
import type { RepositoryRecord } from '../backend/types.js';
import { MAX_MANIFEST_BYTES } from '../config.js';
import type { IamBackend } from '../iam/backend.js';
import type { Identity } from '../iam/types.js';
import type { RegistryFrontend } from '../server.js';
import { checkRegistryCredentials } from './auth.js';
import { API_VERSION_HEADER, RegistryError, registryError, sendRegistryError } from './errors.js';
import { isValidDigest, parseRoute } from './routes.js';
import { registryStorage } from './storage.js';
import {
  relay,
  Upstream,
  UpstreamError,
  UpstreamRedirectError,
  upstreamRequestHeaders,
  type UpstreamTarget,
  type UpstreamTimeouts,
} from './upstream.js';

export interface RegistryProxyOptions {
  /**
   * Every hosted account's registry, each addressed by its own host (`localhost:PORT`,
   * `127.0.0.1:PORT`): the first, the main account's, also answers any other host name.
   */
  backends: EcrBackend[];
  /** Who a login token's access key belongs to now. */
  iam: IamBackend;
  /** Decides every request, as the identity the login token carries. */
  authorizer: Authorizer;
  /** The sandbox's own registry container, and how it proves itself. */
  upstream: UpstreamTarget;
  upstreamTimeouts?: UpstreamTimeouts;
  /** The region whose registry this is (the sandbox's region). */
  region: string;
}

export interface RegistryProxy extends RegistryFrontend {
  /** Why the registry container is gone, or undefined while it serves. */
  registryGone(): string | undefined;
  /** Waits for queued clean-up, then closes the registry connections. */
  close(): Promise<void>;
}

/** The OCI image index media type: the shape of a referrers answer. */
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** Docker's tag grammar (distribution's reference.TagRegexp). */
const TAG_PATTERN = /^[\w][\w.-]{0,127}$/;

/** Reads a manifest body, refusing more than ECR's 4 MiB without reading the rest. */
function readManifestBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(registryError('manifestTooLarge', limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        reject(registryError('manifestTooLarge', limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The registry API with ECR's rules in front of a plain distribution registry: Basic auth with
 * ECR tokens on every request, each request authorized as the identity its token carries,
 * repositories only as created through the API, immutable tags, and the sandbox state as the
 * source of truth for tags and images (the registry behind it is only content-addressed
 * storage: manifests go in by digest, tags never reach it). Blobs and uploads stream through
 * untouched; authorization is one decision per request, never per chunk. Also installs each
 * backend's onImagesRemoved hook, so images deleted through the API are deleted from the
 * registry too.
 *
 * Every account's repositories share the registry's storage under their own names: what an
 * account can see is decided by its own state (a manifest only resolves through the account's
 * images), and clean-up keeps what any account's same-named repository still uses.
 */
export function createRegistryProxy(options: RegistryProxyOptions): RegistryProxy {
  const { backends, region } = options;
  const main = backends[0]!;
  const upstream = new Upstream(options.upstream, options.upstreamTimeouts);
  // Shared with PutImage, so a docker push and an API push of one repository never interleave.
  const queue = main.repositoryQueue;
  const pending = new Set<Promise<void>>();

  /** The registry a Host header addresses (the main account's for any host not another's). */
  function backendFor(host: string | undefined): EcrBackend {
    const wanted = (host ?? '').toLowerCase();
    return backends.find((b) => b.env.registryHost().toLowerCase() === wanted) ?? main;
  }

  function requireRepository(backend: EcrBackend, name: string): RepositoryRecord {
    if (!isValidRepositoryName(name)) throw registryError('nameInvalid', name);
    const repo = backend.findRepository(region, name);
    if (!repo) throw registryError('nameUnknown', name, backend.accountId);
    return repo;
  }

  function sendJson(res: ServerResponse, head: boolean, value: unknown, extra: Record<string, string> = {}): void {
    const body = JSON.stringify(value);
    res.writeHead(200, { ...API_VERSION_HEADER, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...extra });
    res.end(head ? undefined : body);
  }

  /** tags/list and _catalog pagination (`n`, `last`), as distribution pages them. */
  function page(items: string[], url: URL, path: string): { items: string[]; link?: string } {
    const last = url.searchParams.get('last');
    const n = Number(url.searchParams.get('n'));
    let rest = [...items].sort();
    if (last) rest = rest.filter((item) => item > last);
    if (!Number.isInteger(n) || n <= 0 || rest.length <= n) return { items: rest };
    const shown = rest.slice(0, n);
    return { items: shown, link: `<${path}?last=${encodeURIComponent(shown[shown.length - 1]!)}&n=${n}>; rel="next"` };
  }

  async function getManifest(req: IncomingMessage, res: ServerResponse, backend: EcrBackend, identity: Identity, name: string, reference: string): Promise<void> {
    const repo = requireRepository(backend, name);
    // Tags resolve through the sandbox state, never the registry: a deleted or moved tag is gone at once.
    const image = isDigestReference(reference) ? repo.images[reference] : findImageByTag(repo, reference);
    if (!image) throw registryError('manifestUnknown');
    const headers = upstreamRequestHeaders(req.headers);
    headers.accept ??= image.manifestMediaType;
    await upstream.forward(req, res, `/v2/${name}/manifests/${image.digest}`, headers, { repository: name });
    // ECR's lastRecordedPullTime. A client that already holds the image resolves the tag with a
    // HEAD (containerd, podman) or a conditional GET answered 304, and fetches nothing more: that
    // is still a pull (the same image pulled from a second repository must count).
    if ((req.method === 'GET' || req.method === 'HEAD') && (res.statusCode === 200 || res.statusCode === 304)) {
      // A lost update costs nothing, so the answer does not wait for it.
      image.lastPulledAt = backend.store.now();
      backend.store.save().catch(() => undefined);
      backend.noteRegistryEvent(region, name, { kind: 'pull', principalArn: identity.arn, action: 'ecr:BatchGetImage', imageDigest: image.digest });
    }
  }

  async function putManifest(req: IncomingMessage, res: ServerResponse, backend: EcrBackend, name: string, reference: string, pusher: Identity): Promise<void> {
    requireRepository(backend, name);
    const body = await readManifestBody(req, MAX_MANIFEST_BYTES);
    const text = body.toString('utf8');
    let parsed: ParsedManifest;
    try {
      parsed = parseManifest(text, req.headers['content-type']);
    } catch (error) {
      if (error instanceof ManifestParseError) throw registryError('manifestNotJson', error.message);
      throw error;
    }
    const digest = manifestDigest(body);
    const tag = isDigestReference(reference) ? undefined : reference;
    // The registry gets the manifest by digest, so it never sees (nor checks) the tag.
    if (tag !== undefined && !TAG_PATTERN.test(tag)) throw registryError('tagNameInvalid', tag);
    if (tag === undefined && !isValidDigest(reference)) throw registryError('digestInvalid', reference);
    if (tag === undefined && reference !== digest) throw registryError('manifestDigestMismatch', reference, digest);
    await queue.run(name, async () => {
      // Checked again inside the queue: a concurrent push or delete may have changed the repository.
      if (tagPushRefusal(requireRepository(backend, name), tag)) throw registryError('tagInvalid', tag!, name);
      const answer = await upstream.request(
        'PUT',
        `/v2/${name}/manifests/${digest}`,
        { 'content-type': req.headers['content-type'] ?? parsed.mediaType },
        body,
      );
      if (answer.status !== 201) {
        relay(res, answer);
        return;
      }
      const repo = backend.findRepository(region, name);
      if (!repo) {
        // Deleted while the registry stored it: take the manifest back out.
        removeFromRegistry(name, [digest]);
        throw registryError('nameUnknown', name, backend.accountId);
      }
      const before = structuredClone(repo.images);
      recordManifestPush(repo, { digest, tag, manifest: text, parsed, via: 'registry', by: pusher.arn }, backend.store.now());
      try {
        // Durable before docker hears 201: a push it was told succeeded survives a SIGKILL.
        await backend.store.save();
      } catch (error) {
        // Not recorded, so not pushed: a retry must not meet its own tag as immutable.
        repo.images = before;
        throw registryError('stateNotSaved', (error as Error).message);
      }
      // OCI 1.1: a registry with the referrers API says so on the PUT of a manifest with a subject.
      if (parsed.subject) res.setHeader('OCI-Subject', parsed.subject.digest);
      relay(res, answer);
    });
  }

  /**
   * `DELETE /v2/<name>/manifests/<digest>`: ECR deletes the image as BatchDeleteImage does (the
   * same backend path, so the books and the storage agree), and answers 202.
   */
  async function deleteManifest(res: ServerResponse, backend: EcrBackend, name: string, reference: string): Promise<void> {
    requireRepository(backend, name);
    if (!isDigestReference(reference)) throw registryError('deleteByTagUnsupported', reference);
    if (!isValidDigest(reference)) throw registryError('digestInvalid', reference);
    const { failures } = await backend.batchDeleteImage({ region, operation: 'BatchDeleteImage' }, { repositoryName: name, imageIds: [{ imageDigest: reference }] });
    const failure = failures[0];
    if (failure?.failureCode === 'ImageReferencedByManifestList') {
      throw registryError('manifestReferenced', /\[(.*)\]/.exec(failure.failureReason)?.[1]?.split(', ') ?? []);
    }
    if (failure) throw registryError('manifestUnknown');
    res.writeHead(202, { ...API_VERSION_HEADER, 'Content-Length': 0 });
    res.end();
  }

  /**
   * `GET /v2/<name>/referrers/<digest>[?artifactType=…]` (OCI 1.1, which ECR supports): an image
   * index of the manifests whose subject is `digest`, from the books. An unknown digest has no
   * referrers (200 with none), as the spec asks.
   */
  function listReferrers(res: ServerResponse, head: boolean, backend: EcrBackend, name: string, digest: string, url: URL): void {
    const repo = requireRepository(backend, name);
    if (!isValidDigest(digest)) throw registryError('digestInvalid', digest);
    const artifactType = url.searchParams.get('artifactType') ?? undefined;
    const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: referrersOf(repo, digest, artifactType) });
    res.writeHead(200, {
      ...API_VERSION_HEADER,
      'Content-Type': OCI_INDEX,
      'Content-Length': Buffer.byteLength(body),
      ...(artifactType !== undefined ? { 'OCI-Filters-Applied': 'artifactType' } : {}),
    });
    res.end(head ? undefined : body);
  }

  /**
   * A chunk (`PATCH` with Content-Range) must start where the upload ends, or the distribution
   * spec's 416. The registry behind the sandbox ignores Content-Range and would append the chunk
   * anywhere, so the sandbox asks it for the upload's size first. Its `Range: 0-<last byte>` says
   * `0-0` both for an empty upload and for one of a single byte; the sandbox accepts either start then.
   */
  async function checkChunkRange(req: IncomingMessage, url: URL): Promise<void> {
    const range = req.headers['content-range'];
    if (req.method !== 'PATCH' || range === undefined) return;
    const status = await upstream.request('GET', url.pathname + url.search);
    // An unknown upload: the PATCH itself gets the registry's BLOB_UPLOAD_UNKNOWN.
    if (status.status !== 204) return;
    const last = Number(/^0-(\d+)$/.exec(String(status.headers.range ?? ''))?.[1] ?? -1);
    const starts = last === 0 ? [0, 1] : [last + 1];
    const chunk = /^(?:bytes )?(\d+)-(\d+)$/.exec(range.trim());
    if (!chunk || !starts.includes(Number(chunk[1])) || Number(chunk[2]) < Number(chunk[1])) throw registryError('rangeInvalid', range, starts[0]!);
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse, backend: EcrBackend): Promise<void> {
    const method = req.method ?? 'GET';
    const head = method === 'HEAD';
    const url = new URL(req.url ?? '/v2/', 'http://sandbox.invalid');
    for (const [name, value] of Object.entries(API_VERSION_HEADER)) res.setHeader(name, value);
    const credentials = checkRegistryCredentials(req.headers.authorization, {
      tokenSecret: backend.store.state.tokenSecret,
      region,
      registryHost: backend.env.registryHost(),
      now: backend.store.now(),
    });
    if (!credentials.ok) throw credentials.error;
    const identity = options.iam.identityForKey(credentials.claims.accessKeyId);
    if (!identity) throw registryError('credentialsRevoked');

    const route = parseRoute(url.pathname);
    const action = registryAction(route.kind, method);
    if (action) {
      const denial = options.authorizer.registry(identity, backend.accountId, region, 'name' in route ? route.name : '*', action);
      if (denial) {
        if ('name' in route) backend.noteRegistryEvent(region, route.name, { kind: 'denied', principalArn: identity.arn, action, message: denial.message });
        throw registryError('accessDenied', denial.message);
      }
    }
    switch (route.kind) {
      case 'base':
        sendJson(res, head, {});
        return;
      case 'catalog': {
        if (method !== 'GET' && !head) throw registryError('methodUnsupported', method, url.pathname);
        const names = backend.listRepositories(region).map((repo) => repo.name);
        const { items, link } = page(names, url, '/v2/_catalog');
        sendJson(res, head, { repositories: items }, link ? { Link: link } : {});
        return;
      }
      case 'tags': {
        const repo = requireRepository(backend, route.name);
        if (method !== 'GET' && !head) throw registryError('methodUnsupported', method, url.pathname);
        const { items, link } = page(
          Object.values(repo.images).flatMap((image) => image.tags),
          url,
          `/v2/${route.name}/tags/list`,
        );
        sendJson(res, head, { name: route.name, tags: items }, link ? { Link: link } : {});
        return;
      }
      case 'manifest':
        if (method === 'GET' || head) return getManifest(req, res, backend, identity, route.name, route.reference);
        if (method === 'PUT') return putManifest(req, res, backend, route.name, route.reference, identity);
        if (method === 'DELETE') return deleteManifest(res, backend, route.name, route.reference);
        requireRepository(backend, route.name);
        throw registryError('methodUnsupported', method, url.pathname);
      case 'blob':
        requireRepository(backend, route.name);
        if (!isValidDigest(route.digest)) throw registryError('digestInvalid', route.digest);
        // Rebuilt from checked parts: the registry never sees a path the sandbox did not route.
        if (method === 'GET' || head) return upstream.forward(req, res, `/v2/${route.name}/blobs/${route.digest}`, undefined, { repository: route.name });
        throw method === 'DELETE' ? registryError('deleteUnsupported') : registryError('methodUnsupported', method, url.pathname);
      case 'upload': {
        requireRepository(backend, route.name);
        const from = url.searchParams.get('from');
        const mountable =
          from !== null &&
          backend.findRepository(region, from) !== undefined &&
          !options.authorizer.registry(identity, backend.accountId, region, from, 'ecr:GetDownloadUrlForLayer');
        if (from !== null && !mountable) {
          // A mount from a repository the sandbox does not know (deleted, or never created) would
          // reach content ECR no longer has, and one the caller may not read would hand it layers
          // it cannot pull: start a plain upload instead, as a failed mount does.
          url.searchParams.delete('mount');
          url.searchParams.delete('from');
        }
        await checkChunkRange(req, url);
        return upstream.forward(req, res, url.pathname + url.search, undefined, { repository: route.name });
      }
      case 'referrers':
        if (method !== 'GET' && !head) throw registryError('methodUnsupported', method, url.pathname);
        return listReferrers(res, head, backend, route.name, route.digest, url);
      case 'unknown':
        throw registryError('notFound', url.pathname);
    }
  }

  /** Deletes images from the registry: manifests, then layer links no remaining image uses. Best effort. */
  function removeFromRegistry(name: string, digests: string[]): void {
    const task = queue.run(name, async () => {
      const blobs = new Set<string>();
      const sameNamed = () => backends.map((b) => b.findRepository(region, name));
      for (const digest of digests) {
        // Pushed again since it was removed (or held by another account's same-named repository): it stays.
        if (sameNamed().some((repo) => repo?.images[digest])) continue;
        const manifest = await upstream.request('GET', `/v2/${name}/manifests/${digest}`, { accept: ANY_MANIFEST_ACCEPT });
        if (manifest.status === 200) {
          try {
            const contentType = manifest.headers['content-type'];
            for (const blob of referencedBlobs(parseManifest(manifest.body.toString('utf8'), contentType))) blobs.add(blob);
          } catch {
            /* unreadable: delete the manifest alone */
          }
        }
        await upstream.request('DELETE', `/v2/${name}/manifests/${digest}`);
      }
      const inUse = new Set(sameNamed().flatMap((repo) => [...blobsInUse(repo)]));
      for (const blob of blobs) {
        if (!inUse.has(blob)) await upstream.request('DELETE', `/v2/${name}/blobs/${blob}`);
      }
      // Deleting unlinks; the bytes go at the next garbage collection (see startSandbox).
      if (!main.store.state.registryGcPending) {
        main.store.state.registryGcPending = true;
        await main.store.save();
      }
    });
    const tracked: Promise<void> = task.catch(() => undefined).finally(() => pending.delete(tracked));
    pending.add(tracked);
  }

  for (const backend of backends) {
    // PutImage and the layer API store content through the same client.
    backend.attachStorage(region, registryStorage(upstream));
    backend.onImagesRemoved = (removedRegion, name, digests) => {
      if (removedRegion === region && digests.length > 0) removeFromRegistry(name, digests);
    };
  }

  async function settled(): Promise<void> {
    while (pending.size > 0) await Promise.all([...pending]);
  }

  /** Why no account's registry serves a download URL (the main account's reason), or undefined when one does. */
  function downloadRefusal(query: Parameters<EcrBackend['layers']['checkDownload']>[0]): DownloadRefusal | undefined {
    const refusals = backends.map((b) => b.layers.checkDownload(query));
    return refusals.includes(undefined) ? undefined : refusals[0];
  }

  /**
   * A layer by the URL GetDownloadUrlForLayer handed out: no credentials but the URL's own
   * signature, as with ECR's pre-signed S3 URLs, and S3's XML errors when it is refused.
   */
  async function serveLayerDownload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const target = parseDownloadPath(url.pathname);
    const q = (name: string) => url.searchParams.get(name) ?? '';
    const refusal: DownloadRefusal | undefined =
      !target || target.region !== region
        ? { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' }
        : downloadRefusal({ ...target, date: q('X-Amz-Date'), expires: q('X-Amz-Expires'), signature: q('X-Amz-Signature') });
    if (refusal || !target) {
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal!.code}</Code><Message>${refusal!.message}</Message></Error>\n`;
      res.writeHead(refusal!.status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    await upstream.forward(req, res, `/v2/${target.repositoryName}/blobs/${target.digest}`, { accept: '*/*' });
  }

  return {
    serveLayerDownload(req, res) {
      serveLayerDownload(req, res).catch((error: unknown) => {
        if (res.headersSent) res.destroy();
        else sendRegistryError(res, registryError('registryUnavailable', (error as Error).message), { registryHost: main.env.registryHost(), head: req.method === 'HEAD' });
      });
    },
    handle(req, res) {
      const backend = backendFor(req.headers.host);
      handleRequest(req, res, backend).catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        // A refused upload's unread body must not be read to its end (it may be gigabytes).
        if (!req.complete) res.setHeader('Connection', 'close');
        let answer: RegistryError;
        if (error instanceof RegistryError) answer = error;
        else if (error instanceof UpstreamRedirectError) answer = registryError('internalError', error.message);
        else if (error instanceof UpstreamError) answer = registryError('registryUnavailable', error.message);
        else {
          console.error('[sandbox] registry request failed', error);
          answer = registryError('internalError', error instanceof Error ? error.message : String(error));
        }
        sendRegistryError(res, answer, { registryHost: backend.env.registryHost(), head: req.method === 'HEAD' });
      });
    },
    registryGone: () => upstream.gone,
    async close() {
      for (const backend of backends) backend.attachStorage(region, undefined);
      await settled();
      upstream.close();
    },
  };
}
