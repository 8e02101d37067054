import fs from 'node:fs/promises';
import path from 'node:path';
import { isValidRepositoryName } from '../api/validate.js';
import type { EcrBackend } from '../backend/ecr.js';
import { ANY_MANIFEST_ACCEPT, manifestDigest, parseManifest, type ParsedManifest } from '../backend/images.js';
import { Upstream, UPSTREAM_TIMEOUTS, type UpstreamTarget } from './upstream.js';

/** What re-adoption found: repositories added to the books, images added, and what it could not read. */
export interface AdoptionReport {
  repositories: string[];
  images: number;
  unreadable: string[];
}

/** A manifest the registry's storage holds: its digest and when it was stored (its link's mtime). */
interface StoredManifest {
  digest: string;
  storedAt: number;
}

/**
 * The manifests stored for one repository. The registry API lists repositories and tags, but the
 * sandbox stores manifests by digest only (tags live in its books), so the revisions are read
 * from the storage folder; their content is then read through the registry.
 */
async function storedManifests(storageDir: string, name: string): Promise<StoredManifest[]> {
  const revisions = path.join(storageDir, 'docker', 'registry', 'v2', 'repositories', name, '_manifests', 'revisions');
  const found: StoredManifest[] = [];
  for (const algorithm of await fs.readdir(revisions).catch(() => [])) {
    for (const hex of await fs.readdir(path.join(revisions, algorithm)).catch(() => [])) {
      const link = await fs.stat(path.join(revisions, algorithm, hex, 'link')).catch(() => undefined);
      if (link) found.push({ digest: `${algorithm}:${hex}`, storedAt: link.mtimeMs / 1000 });
    }
  }
  return found;
}

/** Every repository the registry lists, page by page. */
async function catalog(upstream: Upstream): Promise<string[]> {
  const names: string[] = [];
  let next: string | undefined = '/v2/_catalog?n=1000';
  while (next) {
    const answer = await upstream.request('GET', next);
    if (answer.status !== 200) throw new Error(`the registry's catalog answered ${answer.status}`);
    names.push(...((JSON.parse(answer.body.toString('utf8')) as { repositories?: string[] }).repositories ?? []));
    next = /<([^>]+)>;\s*rel="next"/.exec(String(answer.headers.link ?? ''))?.[1];
  }
  return names;
}

/**
 * Takes back into the books the repositories and images the registry's storage still holds but
 * the books lack, after the state file was lost or could not be read. Listed through the registry
 * (its catalog, each manifest fetched and its digest checked), recorded by the backend.
 */
export async function adoptRegistryContent(options: {
  backend: EcrBackend;
  region: string;
  registry: UpstreamTarget;
  storageDir: string;
}): Promise<AdoptionReport> {
  const { backend, region } = options;
  const report: AdoptionReport = { repositories: [], images: 0, unreadable: [] };
  const upstream = new Upstream(options.registry, { ...UPSTREAM_TIMEOUTS, watchMs: 0 });
  try {
    for (const name of await catalog(upstream)) {
      if (!isValidRepositoryName(name)) {
        report.unreadable.push(name);
        continue;
      }
      const known = backend.findRepository(region, name)?.images ?? {};
      const images: Array<{ digest: string; manifest: string; parsed: ParsedManifest; pushedAt: number }> = [];
      for (const { digest, storedAt } of await storedManifests(options.storageDir, name)) {
        if (known[digest]) continue;
        const answer = await upstream.request('GET', `/v2/${name}/manifests/${digest}`, { accept: ANY_MANIFEST_ACCEPT });
        try {
          if (answer.status !== 200 || manifestDigest(answer.body) !== digest) throw new Error('not readable');
          const manifest = answer.body.toString('utf8');
          images.push({ digest, manifest, parsed: parseManifest(manifest, answer.headers['content-type']), pushedAt: storedAt });
        } catch {
          report.unreadable.push(`${name}@${digest}`);
        }
      }
      if (images.length === 0) continue;
      const added = await backend.adoptImages(region, name, images);
      if (added.repositoryAdded) report.repositories.push(name);
      report.images += added.imagesAdded;
    }
  } finally {
    upstream.close();
  }
  return report;
}
