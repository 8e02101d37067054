import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planCleanup } from '../../src/aws/cleanup.js';
import { explainAwsError } from '../../src/aws/errors.js';
import { classifyAwsError, deniedAction, unknownRegionIn } from '../../src/check/aws-errors.js';
import { resultForError } from '../../src/check/common.js';
import { runCheck } from '../../src/check/registry.js';
import { checkContext } from '../../src/targets/index.js';
import { revokeFromLearner } from '../helpers/iam.js';
import { ecrClient } from '../helpers/sandbox.js';
import { awsOnSandbox, cli, type AwsOnSandbox } from './helpers.js';

// Errors that teach: an AccessDenied names the IAM action and points to `ecr-workbook
// iam-policy`; an expired SSO session, a region that does not exist and a network that is down
// are told apart; throttling is retried, then explained.

describe('AccessDenied, from a sandbox whose learner lost two permissions (AWS wording)', () => {
  let t: AwsOnSandbox;
  beforeAll(async () => {
    t = await awsOnSandbox();
    await revokeFromLearner(t.sandbox, ['ecr:DescribeRepositories', 'ecr:DeleteRepository']);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('a check names the missing action and the iam-policy command', async () => {
    const resolved = await t.resolve({ learner: 'alice' });
    const result = await runCheck('repository-configured', checkContext(resolved), { scanOnPush: true, imageTagMutability: 'IMMUTABLE' });
    expect(result.status).toBe('fail');
    expect(result.diagnosis?.id).toBe('access-denied');
    expect(result.diagnosis?.mistake).toContain('Your IAM identity is not allowed ecr:DescribeRepositories');
    expect(result.diagnosis?.mistake).toContain(`User: arn:aws:iam::${t.sandbox.accountId}:user/ecr-learner is not authorized to perform: ecr:DescribeRepositories`);
    expect(result.diagnosis?.fix).toContain('needs ecr:DescribeRepositories on arn:aws:ecr:us-east-1:');
    expect(result.diagnosis?.fix).toContain('`ecr-workbook iam-policy`');
  });

  it('cleanup explains a denied DescribeRepositories instead of guessing', async () => {
    await ecrClient(t.sandbox).send(new CreateRepositoryCommand({ repositoryName: 'demo-app', tags: [{ Key: 'created-by', Value: 'ecr-workbook' }] }));
    // DescribeRepositories is denied outright here, so even the course's own name cannot be
    // looked up: cleanup says what AWS refused instead of guessing.
    const listed = await cli('--target', 'aws', '--yes', 'cleanup', '--dry-run');
    expect(listed.code).toBe(2);
    expect(listed.stderr).toContain('ecr:DescribeRepositories');
    expect(listed.stderr).toContain('ecr-workbook iam-policy');
  });
});

describe('the least-privilege policy (DescribeRepositories on the course repository only)', () => {
  let t: AwsOnSandbox;
  let proxy: http.Server;
  beforeAll(async () => {
    t = await awsOnSandbox();
    // In front of the sandbox: listing every repository is denied, as under `iam-policy`'s
    // policy; naming a repository is allowed. Everything else passes through, signature intact.
    proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const listing = String(req.headers['x-amz-target']).endsWith('.DescribeRepositories') && !JSON.parse(body.toString() || '{}').repositoryNames;
        if (listing) {
          const message = `User: arn:aws:iam::${t.sandbox.accountId}:user/ecr-learner is not authorized to perform: ecr:DescribeRepositories on resource: arn:aws:ecr:us-east-1:${t.sandbox.accountId}:repository/* because no identity-based policy allows the ecr:DescribeRepositories action`;
          res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'AccessDeniedException', message }));
          return;
        }
        const upstream = http.request({ host: '127.0.0.1', port: t.sandbox.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        upstream.end(body);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  }, 120_000);
  afterAll(async () => {
    proxy?.close();
    await t?.stop();
  });

  it('cleanup looks up the names it knows instead of listing, and says so', async () => {
    await ecrClient(t.sandbox).send(new CreateRepositoryCommand({ repositoryName: 'alice/demo-app', tags: [{ Key: 'created-by', Value: 'ecr-workbook' }] }));
    await ecrClient(t.sandbox).send(new CreateRepositoryCommand({ repositoryName: 'someone-else', tags: [{ Key: 'created-by', Value: 'ecr-workbook' }] }));
    const resolved = await t.resolve({ learner: 'alice', endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    const plan = await planCleanup(resolved, { progress: { steps: {} } });
    expect(plan.listedAll).toBe(false);
    expect(plan.owned.map((r) => r.name)).toEqual(['alice/demo-app']);
  });
});

describe('a denied delete', () => {
  let t: AwsOnSandbox;
  beforeAll(async () => {
    t = await awsOnSandbox();
    await revokeFromLearner(t.sandbox, ['ecr:DeleteRepository']);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('is reported with the action to add, exit 1, and the repository stays', async () => {
    await ecrClient(t.sandbox).send(new CreateRepositoryCommand({ repositoryName: 'demo-app', tags: [{ Key: 'created-by', Value: 'ecr-workbook' }] }));
    const done = await cli('--target', 'aws', 'cleanup', '--yes');
    expect(done.code).toBe(1);
    expect(done.stdout).toContain('Could not delete demo-app (us-east-1): Your IAM identity is not allowed ecr:DeleteRepository');
    expect(done.stdout).toContain('`ecr-workbook iam-policy`');
    const after = await cli('cleanup', '--dry-run', '--json');
    expect(JSON.parse(after.stdout).repositories).toMatchObject([{ name: 'demo-app', action: 'would-delete' }]);
  });
});

describe('telling problems apart', () => {
  const who = { profile: 'ecr-workbook', solutionOf: () => undefined, env: {} };
  const enotfound = (host: string) => Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });

  it('a region that does not exist is not the network', () => {
    expect(unknownRegionIn(enotfound('api.ecr.us-est-1.amazonaws.com'))).toBe('us-est-1');
    expect(classifyAwsError(enotfound('api.ecr.us-est-1.amazonaws.com'))).toBe('unknown-region');
    const result = resultForError(enotfound('sts.eu-wset-2.amazonaws.com'), 'STS', who);
    expect(result.status).toBe('fail');
    expect(result.diagnosis?.id).toBe('unknown-region');
    expect(result.diagnosis?.mistake).toContain("'eu-wset-2' is not an AWS region");
    expect(result.diagnosis?.command).toBe('aws configure set region eu-west-2 --profile ecr-workbook');
  });

  it('a real region out of reach is the network (could not check, exit 2)', () => {
    expect(classifyAwsError(enotfound('api.ecr.eu-west-2.amazonaws.com'))).toBe('network');
    expect(classifyAwsError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }))).toBe('network');
    const result = resultForError(enotfound('api.ecr.eu-west-2.amazonaws.com'), 'ECR', who);
    expect(result.status).toBe('error');
    expect(result.diagnosis?.id).toBe('unreachable');
  });

  it('an expired SSO session says aws sso login (not "no credentials")', () => {
    const sso = Object.assign(new Error('The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.'), {
      name: 'CredentialsProviderError',
    });
    expect(classifyAwsError(sso)).toBe('sso-expired');
    expect(explainAwsError(sso, 'STS')).toContain('aws sso login --profile');
    const missing = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(classifyAwsError(missing)).toBe('no-credentials');
  });

  it('throttling after the SDK retried says so', () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400, attempts: 3 } });
    const result = resultForError(throttled, 'ECR', who);
    expect(result.status).toBe('error');
    expect(result.diagnosis?.id).toBe('throttled');
    expect(result.diagnosis?.mistake).toContain('after 3 tries');
  });

  it('reads the denied action and resource out of AWS wording', () => {
    expect(
      deniedAction(
        'User: arn:aws:iam::111122223333:user/alice is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-1:111122223333:repository/app because no identity-based policy allows the ecr:InitiateLayerUpload action',
      ),
    ).toEqual({ action: 'ecr:InitiateLayerUpload', resource: 'arn:aws:ecr:eu-west-1:111122223333:repository/app' });
    expect(deniedAction('User: arn:aws:iam::1:user/u is not authorized to perform: ecr:GetAuthorizationToken on resource: *')).toEqual({
      action: 'ecr:GetAuthorizationToken',
      resource: '*',
    });
    expect(deniedAction('Access denied')).toBeUndefined();
  });
});
