#!/usr/bin/env node
// The cost of authorization on the sandbox's real request path: the authorizer's time per
// request (p50/p95/max), timed inside the running server around each decision, and the whole
// request's latency beside it, for ECR API calls and registry (/v2/) requests made as a CI user
// (AmazonEC2ContainerRegistryReadOnly and an inline Deny) against a repository with a policy.
//
//   npm run build && ECR_WORKBOOK_REGISTRY_IMAGE=ecr-workbook/registry:local node bench/authz-http.mjs [requests]
//
// The sandbox runs in this process (so its authorizer can be timed) with its registry container.
// Target: authorization p95 ≤ 100 µs per request, a few percent of the request at most.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { requireBuilt } from './common.mjs';

requireBuilt();
const { startSandbox } = await import('../dist/src/sandbox/index.js');
const REQUESTS = Number(process.argv[2] ?? 2000);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecrwb-authz-bench-'));
const sandbox = await startSandbox({ dir, region: 'us-east-1' });
const policy = (...Statement) => JSON.stringify({ Version: '2012-10-17', Statement });
const client = (Client, credentials) => new Client({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });

/** Times every call of an authorizer method (in microseconds) into `into`. */
function timeMethod(name, into) {
  const original = sandbox.authorizer[name].bind(sandbox.authorizer);
  sandbox.authorizer[name] = (...args) => {
    const start = process.hrtime.bigint();
    try {
      return original(...args);
    } finally {
      into.push(Number(process.hrtime.bigint() - start) / 1000);
    }
  };
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const report = (label, authz, total) =>
  console.log(
    `${label.padEnd(34)} authorization p50 ${percentile(authz, 50).toFixed(1)} µs, p95 ${percentile(authz, 95).toFixed(1)} µs, max ${Math.max(...authz).toFixed(0)} µs` +
      ` | request p50 ${percentile(total, 50).toFixed(2)} ms, p95 ${percentile(total, 95).toFixed(2)} ms` +
      ` | authorization ${((percentile(authz, 50) / 1000 / percentile(total, 50)) * 100).toFixed(1)}% of the median request`,
  );

try {
  const admin = { accessKeyId: sandbox.credentials.accessKeyId, secretAccessKey: sandbox.credentials.secretAccessKey };
  const iam = client(IAMClient, admin);
  const ecr = client(ECRClient, admin);
  const repo = 'bench/app';
  await ecr.send(new CreateRepositoryCommand({ repositoryName: repo, tags: [{ Key: 'env', Value: 'dev' }] }));
  await ecr.send(
    new SetRepositoryPolicyCommand({
      repositoryName: repo,
      policyText: policy(
        { Sid: 'PartnerPulls', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] },
        { Sid: 'NoDeletes', Effect: 'Deny', Principal: '*', Action: 'ecr:DeleteRepository' },
      ),
    }),
  );
  await iam.send(new CreateUserCommand({ UserName: 'ci-reader' }));
  await iam.send(new AttachUserPolicyCommand({ UserName: 'ci-reader', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'ci-reader',
      PolicyName: 'guard',
      PolicyDocument: policy({ Effect: 'Deny', Action: 'ecr:*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'prod' } } }),
    }),
  );
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'ci-reader' }));
  const reader = { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };

  // One small image, pushed by the admin over the registry API.
  const token = async (credentials) => {
    const out = await client(ECRClient, credentials).send(new GetAuthorizationTokenCommand({}));
    return `Basic ${out.authorizationData[0].authorizationToken}`;
  };
  const base = `http://${sandbox.registryHost}`;
  const adminAuth = await token(admin);
  const layer = crypto.randomBytes(1024);
  const digest = (bytes) => `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;
  const put = async (bytes) => {
    const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: { authorization: adminAuth } });
    const location = start.headers.get('location');
    const done = await fetch(`${new URL(location, base)}${location.includes('?') ? '&' : '?'}digest=${digest(bytes)}`, { method: 'PUT', headers: { authorization: adminAuth }, body: bytes });
    if (done.status !== 201) throw new Error(`blob upload: ${done.status}`);
  };
  const config = Buffer.from('{}');
  await put(layer);
  await put(config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: config.length, digest: digest(config) },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', size: layer.length, digest: digest(layer) }],
  });
  const pushed = await fetch(`${base}/v2/${repo}/manifests/v1`, { method: 'PUT', headers: { authorization: adminAuth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: manifest });
  if (pushed.status !== 201) throw new Error(`manifest push: ${pushed.status}`);

  const readerEcr = client(ECRClient, reader);
  const readerAuth = await token(reader);
  const registryRequests = [
    ['HEAD', `/v2/${repo}/manifests/v1`, { accept: 'application/vnd.oci.image.manifest.v1+json' }],
    ['HEAD', `/v2/${repo}/blobs/${digest(layer)}`, {}],
    ['GET', `/v2/${repo}/blobs/${digest(layer)}`, {}],
  ];
  // Warm both paths before timing.
  for (let i = 0; i < 50; i++) {
    await readerEcr.send(new DescribeImagesCommand({ repositoryName: repo }));
    for (const [method, url, headers] of registryRequests) await (await fetch(`${base}${url}`, { method, headers: { ...headers, authorization: readerAuth } })).arrayBuffer();
  }

  const apiAuthz = [];
  const apiTotal = [];
  timeMethod('ecr', apiAuthz);
  for (let i = 0; i < REQUESTS / 2; i++) {
    const start = performance.now();
    await readerEcr.send(new DescribeImagesCommand({ repositoryName: repo }));
    apiTotal.push(performance.now() - start);
  }

  const registryAuthz = [];
  const registryTotal = [];
  timeMethod('registry', registryAuthz);
  for (let i = 0; i < REQUESTS; i++) {
    const [method, url, headers] = registryRequests[i % registryRequests.length];
    const start = performance.now();
    const res = await fetch(`${base}${url}`, { method, headers: { ...headers, authorization: readerAuth } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${method} ${url}: ${res.status}`);
    registryTotal.push(performance.now() - start);
  }

  // The same decision in a tight loop (warm caches, no I/O between): the floor of the figures above.
  const identity = sandbox.iam.identityForKey(reader.accessKeyId);
  const loop = [];
  for (let i = 0; i < 20_000; i++) {
    const start = process.hrtime.bigint();
    sandbox.authorizer.registry(identity, sandbox.accountId, 'us-east-1', repo, 'ecr:BatchGetImage');
    loop.push(Number(process.hrtime.bigint() - start) / 1000);
  }

  console.log(`authorization on the request path, as ci-reader (${REQUESTS / 2} API calls, ${REQUESTS} registry requests):`);
  report('ECR API DescribeImages', apiAuthz, apiTotal);
  report('registry HEAD/GET manifest and blob', registryAuthz, registryTotal);
  console.log(`the same decision in a tight loop (20000): p50 ${percentile(loop, 50).toFixed(1)} µs, p95 ${percentile(loop, 95).toFixed(1)} µs`);
  for (const c of [iam, ecr, readerEcr]) c.destroy();
} finally {
  await sandbox.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
