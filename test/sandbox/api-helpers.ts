import crypto from 'node:crypto';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, expect } from 'vitest';
import { SANDBOX_ACCOUNT_ID } from '../../src/sandbox/config.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import type { ImageRecord } from '../../src/sandbox/backend/types.js';
import { ecrClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Helpers for the ECR API tests: a SigV4 signer written from the spec (independent of the
 * sandbox's verifier, so the two check each other), raw signed requests for input the SDK
 * would never send, and image seeding (the registry writes ImageRecords for real pushes).
 */

const sha256Hex = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');
const hmac = (key: crypto.BinaryLike, data: string) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();

/** `20261122T191500Z` for a date. */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export interface SignOptions {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
  date?: Date;
  /** Sign this body but send another (tampering). */
  signedBody?: string | Buffer;
  /** The credential scope's day (YYYYMMDD), when it should differ from the request's date. */
  scopeDay?: string;
}

/** SigV4 headers for a POST / with the given headers and body. */
export function signPost(host: string, headers: Record<string, string>, body: string | Buffer, options: SignOptions): Record<string, string> {
  const date = options.date ?? new Date();
  const stamp = amzDate(date);
  const day = options.scopeDay ?? stamp.slice(0, 8);
  const all: Record<string, string> = { ...headers, host, 'x-amz-date': stamp };
  const names = Object.keys(all)
    .map((n) => n.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v]));
  const canonicalHeaders = names.map((n) => `${n}:${String(lower[n]).trim()}\n`).join('');
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, names.join(';'), sha256Hex(options.signedBody ?? body)].join('\n');
  const scope = `${day}/${options.region}/${options.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${options.secretAccessKey}`, day), options.region), options.service), 'aws4_request');
  const signature = crypto.createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return {
    ...headers,
    'x-amz-date': stamp,
    authorization: `AWS4-HMAC-SHA256 Credential=${options.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | undefined;
}

/** A signed ECR JSON 1.1 call with any body, the way the SDK would send it (no X-Amz-Target when `target` is undefined). */
export async function rawEcr(
  sandbox: RunningSandbox,
  target: string | undefined,
  body: string | Buffer,
  overrides: Partial<SignOptions> = {},
): Promise<RawResponse> {
  const headers = signPost(
    `localhost:${sandbox.port}`,
    { 'content-type': 'application/x-amz-json-1.1', ...(target === undefined ? {} : { 'x-amz-target': target }) },
    body,
    {
      accessKeyId: sandbox.credentials.accessKeyId,
      secretAccessKey: sandbox.credentials.secretAccessKey,
      region: sandbox.region,
      service: 'ecr',
      ...overrides,
    },
  );
  const res = await fetch(`${sandbox.endpoint}/`, { method: 'POST', headers, body });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** `AmazonEC2ContainerRegistry_V20150921.<op>`. */
export const target = (operation: string) => `AmazonEC2ContainerRegistry_V20150921.${operation}`;

/** Asserts an SDK call fails with this AWS error code, exact message and status. */
export async function expectAwsError(call: Promise<unknown>, name: string, message: string | RegExp, status = 400): Promise<void> {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  expect(error, `expected ${name}`).toBeDefined();
  expect(error!.name).toBe(name);
  if (typeof message === 'string') expect(error!.message).toBe(message);
  else expect(error!.message).toMatch(message);
  expect(error!.$metadata?.httpStatusCode).toBe(status);
}

/** A fake digest: `sha256:` + 64 hex characters derived from a seed. */
export function digestOf(seed: string): string {
  return `sha256:${sha256Hex(seed)}`;
}

/** A small docker v2 manifest (its digest is computed, as the registry would). */
export function manifestFor(seed: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 100, digest: digestOf(`${seed}-config`) },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 1000, digest: digestOf(`${seed}-layer`) }],
  });
}

/** Writes an ImageRecord straight into the sandbox's state, as a push through the registry would. */
export function seedImage(
  sandbox: RunningSandbox,
  repositoryName: string,
  image: Partial<ImageRecord> & { seed: string },
  region = sandbox.region,
): ImageRecord {
  const repo = sandbox.store.state.regions[region]?.repositories[repositoryName];
  if (!repo) throw new Error(`seedImage: no repository ${repositoryName} in ${region}`);
  const manifest = image.manifest ?? manifestFor(image.seed);
  const record: ImageRecord = {
    digest: image.digest ?? `sha256:${sha256Hex(manifest)}`,
    tags: image.tags ?? [],
    pushedAt: image.pushedAt ?? 1_700_000_000.5,
    sizeInBytes: image.sizeInBytes ?? 1100,
    manifestMediaType: image.manifestMediaType ?? 'application/vnd.docker.distribution.manifest.v2+json',
    manifest,
    ...(image.artifactMediaType ? { artifactMediaType: image.artifactMediaType } : {}),
    ...(image.lastPulledAt !== undefined ? { lastPulledAt: image.lastPulledAt } : {}),
  };
  repo.images[record.digest] = record;
  return record;
}

/** A unique repository name per test, so tests in one file never collide. */
let counter = 0;
export function repoName(prefix = 'repo'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** ECR's RepositoryNotFoundException message for the sandbox account. */
export const notFound = (name: string) => `The repository with name '${name}' does not exist in the registry with id '${SANDBOX_ACCOUNT_ID}'`;

/**
 * One API-only sandbox (no registry container) and an SDK client for a test file: started
 * before its tests, handed to `use`, stopped after them.
 */
export function withApiSandbox(use: (sandbox: TestSandbox, ecr: ECRClient) => void): void {
  let sandbox: TestSandbox | undefined;
  let ecr: ECRClient | undefined;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ withoutRegistry: true });
    ecr = ecrClient(sandbox);
    use(sandbox, ecr);
  });
  afterAll(async () => {
    ecr?.destroy();
    await sandbox?.stop();
  });
}
