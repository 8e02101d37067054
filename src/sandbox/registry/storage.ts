import { StorageError, type RegistryStorage } from '../backend/storage.js';
import type { Upstream } from './upstream.js';

/**
 * The backend's RegistryStorage over the registry container's HTTP API, through the proxy's own
 * Upstream client: uploads are distribution's chunked uploads (POST, PATCH per part, PUT with the
 * digest), manifests go in by digest as the proxy stores docker's. The handle of an upload is the
 * registry's relative upload URL, which changes after every part.
 */
export function registryStorage(upstream: Upstream): RegistryStorage {
  const fail = (what: string, answer: { status: number; body: Buffer }) =>
    new StorageError(`the registry answered ${answer.status} to ${what}: ${answer.body.toString('utf8').slice(0, 200)}`);
  const location = (what: string, answer: { status: number; headers: Record<string, unknown>; body: Buffer }) => {
    const value = answer.headers.location;
    if (typeof value !== 'string') throw fail(`${what} (no Location)`, answer);
    return value;
  };
  const withQuery = (url: string, query: string) => `${url}${url.includes('?') ? '&' : '?'}${query}`;

  return {
    async blobSize(repository, digest) {
      const answer = await upstream.request('HEAD', `/v2/${repository}/blobs/${digest}`);
      if (answer.status === 404) return undefined;
      if (answer.status !== 200) throw fail('a blob check', answer);
      return Number(answer.headers['content-length'] ?? 0);
    },
    async startUpload(repository) {
      const answer = await upstream.request('POST', `/v2/${repository}/blobs/uploads/`, { 'content-length': '0' });
      if (answer.status !== 202) throw fail('an upload start', answer);
      const handle = location('an upload start', answer);
      const uuid = answer.headers['docker-upload-uuid'];
      return { uploadId: typeof uuid === 'string' ? uuid : (handle.split('?')[0]!.split('/').pop() ?? ''), handle };
    },
    async uploadPart(_repository, handle, bytes) {
      const answer = await upstream.request('PATCH', handle, { 'content-type': 'application/octet-stream' }, bytes);
      if (answer.status !== 202) throw fail('an upload part', answer);
      return location('an upload part', answer);
    },
    async completeUpload(_repository, handle, digest) {
      const answer = await upstream.request('PUT', withQuery(handle, `digest=${encodeURIComponent(digest)}`), { 'content-length': '0' });
      if (answer.status === 201) return 'ok';
      if (answer.status === 400 && answer.body.toString('utf8').includes('DIGEST_INVALID')) return 'digest-mismatch';
      throw fail('an upload completion', answer);
    },
    async cancelUpload(_repository, handle) {
      await upstream.request('DELETE', handle).catch(() => undefined);
    },
    async putManifest(repository, digest, mediaType, bytes) {
      const answer = await upstream.request('PUT', `/v2/${repository}/manifests/${digest}`, { 'content-type': mediaType }, bytes);
      if (answer.status === 201) return 'ok';
      if (answer.status === 400 && /BLOB_UNKNOWN|MANIFEST_BLOB_UNKNOWN/.test(answer.body.toString('utf8'))) return 'blob-unknown';
      throw fail('a manifest store', answer);
    },
  };
}
