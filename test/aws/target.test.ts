import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAws } from '../../src/targets/aws.js';
import { checkContext, TargetError } from '../../src/targets/index.js';
import { runCheck } from '../../src/check/registry.js';
import { freePort } from '../helpers/sandbox.js';
import { awsOnSandbox, type AwsOnSandbox } from './helpers.js';

// The aws target's own code (credentials chain, region, STS identity, errors), run against a
// sandbox through the endpoint override: this machine has no route to AWS.

let t: AwsOnSandbox;
beforeAll(async () => {
  t = await awsOnSandbox();
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('resolveAws', () => {
  it('finds the account, the caller ARN and the region, and renders the real registry host', async () => {
    const resolved = await t.resolve();
    expect(resolved).toMatchObject({
      target: 'aws',
      region: 'us-east-1',
      accountId: t.sandbox.accountId,
      callerArn: `arn:aws:iam::${t.sandbox.accountId}:user/ecr-learner`,
      registryHost: `${t.sandbox.accountId}.dkr.ecr.us-east-1.amazonaws.com`,
      repositoryName: 'demo-app',
      endpoint: t.sandbox.endpoint,
    });
    expect(resolved.identityProblem).toBeUndefined();
  });

  it('gives each learner a prefix on a shared account', async () => {
    expect((await t.resolve({ learner: 'alice' })).repositoryName).toBe('alice/demo-app');
    expect((await t.resolve({ learner: 'bob', repo: 'shop' })).repositoryName).toBe('bob/shop');
  });

  it('takes the region from --region, then AWS_REGION, then the profile', async () => {
    // The sandbox serves any region a request is signed for.
    expect((await t.resolve()).region).toBe('us-east-1');
    expect((await t.resolve({ env: { ...process.env, AWS_REGION: 'eu-west-1' } })).region).toBe('eu-west-1');
    expect((await t.resolve({ region: 'ap-south-1', env: { ...process.env, AWS_REGION: 'eu-west-1' } })).region).toBe('ap-south-1');
  });

  it('says how to set a region when there is none anywhere', async () => {
    const error = await resolveAws({ profile: 'no-such-profile', env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as Error).message).toContain('--region');
    expect((error as Error).message).toContain('AWS_REGION');
  });

  it('refuses a region name that cannot be one, before calling anything', async () => {
    const error = await t.resolve({ region: 'useast1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as Error).message).toContain("'useast1' is not a region name");
  });

  it('still resolves without credentials (before lesson 02), saying why; the check then diagnoses it', async () => {
    const resolved = await t.resolve({ profile: 'not-configured-yet', region: 'us-east-1' });
    expect(resolved.callerArn).toBeUndefined();
    expect(resolved.accountId).toBe('aws_account_id');
    expect(resolved.identityProblem).toMatch(/No AWS credentials/);
    const result = await runCheck('caller-identity', checkContext(resolved), {});
    expect(result.diagnosis?.id).toBe('no-credentials');
  });

  it('tells an expired SSO session apart: aws sso login', async () => {
    // An SSO profile whose cached token expired yesterday: the SDK never reaches the network.
    const startUrl = 'https://example.awsapps.com/start';
    fs.appendFileSync(
      process.env.AWS_CONFIG_FILE!,
      `\n[profile sso-learner]\nsso_start_url = ${startUrl}\nsso_region = us-east-1\nsso_account_id = ${t.sandbox.accountId}\nsso_role_name = Learner\nregion = us-east-1\n`,
    );
    const cache = path.join(t.home, '.aws', 'sso', 'cache');
    fs.mkdirSync(cache, { recursive: true });
    const { createHash } = await import('node:crypto');
    fs.writeFileSync(
      path.join(cache, `${createHash('sha1').update(startUrl).digest('hex')}.json`),
      JSON.stringify({ startUrl, region: 'us-east-1', accessToken: 'expired', expiresAt: new Date(Date.now() - 86_400_000).toISOString() }),
    );
    const resolved = await t.resolve({ profile: 'sso-learner', region: 'us-east-1' });
    expect(resolved.callerArn).toBeUndefined();
    expect(resolved.identityProblem).toContain('aws sso login');
    const result = await runCheck('caller-identity', checkContext(resolved), {});
    expect(result.status).toBe('fail');
    expect(result.diagnosis?.id).toBe('sso-expired');
    expect(result.diagnosis?.fix).toContain('aws sso login');
  });

  it('tells no network apart: it says it could not reach AWS', async () => {
    const closed = await freePort();
    const error = await t.resolve({ endpoint: `http://127.0.0.1:${closed}` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as Error).message).toMatch(/Could not use AWS: Could not reach AWS STS in us-east-1: .*ECONNREFUSED/);
    expect((error as Error).message).toContain('Check your network');
  });

  it('retries throttling (the SDK, maxAttempts), then explains it', async () => {
    let calls = 0;
    const server = http.createServer((req, res) => {
      calls++;
      req.resume();
      const body = '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>';
      res.writeHead(400, { 'Content-Type': 'text/xml' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const error = await t.resolve({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }).catch((e: unknown) => e);
      expect(calls).toBe(3);
      expect(error).toBeInstanceOf(TargetError);
      expect((error as Error).message).toContain('AWS is throttling requests');
      expect((error as Error).message).toContain('after 3 tries');
    } finally {
      server.close();
    }
  }, 30_000);
});
