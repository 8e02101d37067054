#!/usr/bin/env node
// The IAM evaluator's cost per authorization: p50/p95/max of evaluate() over many requests
// against a realistic policy set (a CI user with AmazonEC2ContainerRegistryReadOnly, an inline
// Deny with a condition, and a repository policy with a cross-account pull, a push guard and a
// policy variable), and the one-off cost of parsing the policies.
// Usage: node bench/authz-cost.mjs [evaluations]   (build first: npm run build). Target: p95 ≤ 50 µs.
import { evaluate } from '../dist/src/sandbox/iam/evaluate.js';
import { MANAGED_POLICIES } from '../dist/src/sandbox/iam/managed.js';
import { parsePolicy } from '../dist/src/sandbox/iam/policy.js';

const evaluations = Number(process.argv[2] ?? 200_000);
const ACCOUNT = '123456789012';
const OTHER = '444455556666';
const repo = (name, account = ACCOUNT) => `arn:aws:ecr:us-east-1:${account}:repository/${name}`;

const inlineDeny = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'NoDeletes', Effect: 'Deny', Action: ['ecr:DeleteRepository', 'ecr:BatchDeleteImage'], Resource: '*' },
    {
      Sid: 'ProdIsReadOnly',
      Effect: 'Deny',
      NotAction: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:GetAuthorizationToken'],
      Resource: 'arn:aws:ecr:*:*:repository/*',
      Condition: { StringEquals: { 'aws:ResourceTag/env': 'prod' } },
    },
  ],
});
const repositoryPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'CrossAccountPull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'] },
    { Sid: 'PushOnlyFromCi', Effect: 'Deny', Principal: '*', Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'], Condition: { ArnNotLike: { 'aws:PrincipalArn': [`arn:aws:iam::${ACCOUNT}:role/ci-*`, `arn:aws:iam::${ACCOUNT}:user/admin`] } } },
    { Sid: 'OwnTeam', Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'ecr:*', Resource: repo('${aws:PrincipalTag/team}/*') },
  ],
});

const t0 = performance.now();
const parseRuns = 2_000;
let identity;
let resource;
for (let i = 0; i < parseRuns; i++) {
  identity = [
    { id: 'managed', type: 'identity', document: MANAGED_POLICIES.get('arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly').document },
    { id: 'inline', type: 'identity', document: parsePolicy(inlineDeny, 'identity') },
  ];
  resource = { id: 'repository', type: 'resource', document: parsePolicy(repositoryPolicy, 'resource') };
}
const parseUs = ((performance.now() - t0) * 1000) / parseRuns;

const ciReader = { arn: `arn:aws:iam::${ACCOUNT}:user/ci-reader`, accountId: ACCOUNT, userName: 'ci-reader', tags: { team: 'payments' } };
const carol = { arn: `arn:aws:iam::${OTHER}:user/carol`, accountId: OTHER, userName: 'carol' };
const ciRole = { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ci-builder/run-7`, accountId: ACCOUNT, roleArn: `arn:aws:iam::${ACCOUNT}:role/ci-builder` };
const requests = [];
for (const principal of [ciReader, carol, ciRole]) {
  for (const action of ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:DeleteRepository']) {
    for (const [name, tags] of [['demo-app', { env: 'prod' }], ['payments/api', {}], ['other', { env: 'dev' }]]) {
      const resourceArn = action === 'ecr:GetAuthorizationToken' ? '*' : repo(name);
      requests.push({ principal, action, resource: resourceArn, resourceAccount: resourceArn === '*' ? undefined : ACCOUNT, resourceTags: tags, now: 1_767_225_600 });
    }
  }
}

const decisions = { allow: 0, deny: 0 };
for (let i = 0; i < 20_000; i++) evaluate(requests[i % requests.length], identity, resource); // warm up
const times = new Float64Array(evaluations);
for (let i = 0; i < evaluations; i++) {
  const request = requests[i % requests.length];
  const start = performance.now();
  const decision = evaluate(request, identity, resource);
  times[i] = performance.now() - start;
  decisions[decision.decision]++;
}
times.sort();
const us = (q) => (times[Math.min(times.length - 1, Math.floor(q * times.length))] * 1000).toFixed(1);
console.log(`evaluate(): p50 ${us(0.5)} µs  p95 ${us(0.95)} µs  p99 ${us(0.99)} µs  max ${us(1)} µs  (${evaluations} evaluations of ${requests.length} distinct requests; ${decisions.allow} allowed, ${decisions.deny} denied; target p95 ≤ 50 µs)`);
console.log(`parsePolicy(): ${parseUs.toFixed(1)} µs for the inline and repository policies together (done once per policy change, not per request)`);
