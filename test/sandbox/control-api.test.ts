import { CreateRepositoryCommand, PutLifecyclePolicyCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { CreateAccessKeyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { signSigV4 } from '../../src/sandbox/auth/sigv4.js';
import { ControlApiError, ControlClient } from '../../src/sandbox/control-api/client.js';
import { controlOperations, type AuthorizationTokenOutput, type ClockOutput, type RefusalsOutput, type TagArrivalsOutput } from '../../src/sandbox/control-api/operations.js';
import { verifyToken } from '../../src/sandbox/auth/token.js';
import { iamClient, type TestSandbox } from '../helpers/sandbox.js';
import { rawEcr, repoName, seedImage, signPost, withApiSandbox } from './api-helpers.js';

const TARGET = 'EcrWorkbookSandbox_20261201';
let sandbox: TestSandbox;
let ecr: ECRClient;
let control: ControlClient;
withApiSandbox((s, e) => {
  sandbox = s;
  ecr = e;
  control = new ControlClient({ endpoint: s.endpoint, region: s.region, credentials: s.credentials });
});

/** The error a control call fails with. */
async function refusal(call: Promise<unknown>): Promise<ControlApiError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ControlApiError);
  return error as ControlApiError;
}

describe('the sandbox control API', () => {
  it('signs exactly as an independent SigV4 signer does', () => {
    const body = Buffer.from('{"seconds":60}');
    const date = new Date('2026-12-01T10:00:00Z');
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${TARGET}.AdvanceClock` };
    const credentials = { accessKeyId: 'AKIAEXAMPLEEXAMPLE12', secretAccessKey: 'secret/example+key' };
    const ours = signSigV4({ method: 'POST', url: '/', host: 'localhost:5123', headers, body }, credentials, 'eu-west-1', 'ecr-workbook', date);
    const theirs = signPost('localhost:5123', headers, body, { ...credentials, region: 'eu-west-1', service: 'ecr-workbook', date });
    expect(ours.authorization).toBe(theirs.authorization);
  });

  it('moves the clock forward and back, and every backend timestamp follows', async () => {
    const before = await control.call<ClockOutput>('DescribeClock');
    expect(before.offsetSeconds).toBe(0);
    expect(Math.abs(before.now - Date.now() / 1000)).toBeLessThan(5);
    const moved = await control.call<ClockOutput>('AdvanceClock', { seconds: 15 * 86_400 });
    expect(moved.offsetSeconds).toBe(15 * 86_400);
    expect(moved.now - moved.realNow).toBe(15 * 86_400);
    const twice = await control.call<ClockOutput>('AdvanceClock', { seconds: 3600 });
    expect(twice.offsetSeconds).toBe(15 * 86_400 + 3600);
    const name = repoName('clock');
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    expect(repository!.createdAt!.getTime() / 1000 - Date.now() / 1000).toBeGreaterThan(15 * 86_400);
    expect(sandbox.store.state.clockOffsetSeconds).toBe(15 * 86_400 + 3600);
    const reset = await control.call<ClockOutput>('ResetClock');
    expect(reset.offsetSeconds).toBe(0);
    expect(sandbox.store.state.clockOffsetSeconds).toBeUndefined();
  });

  it('refuses a clock moved backwards or by a non-number, with the member named', async () => {
    const back = await refusal(control.call('AdvanceClock', { seconds: -60 }));
    expect(back.code).toBe('InvalidParameterException');
    expect(back.message).toBe("Invalid parameter at 'seconds' failed to satisfy constraint: 'Member must have value greater than or equal to 1'");
    expect((await refusal(control.call('AdvanceClock', { seconds: '1d' }))).code).toBe('SerializationException');
    expect((await refusal(control.call('AdvanceClock', {}))).message).toContain('must not be null');
  });

  it('names its operations when asked for one it does not have', async () => {
    const error = await refusal(control.call('TimeTravel'));
    expect(error.code).toBe('UnknownOperationException');
    expect(error.message).toContain(Object.keys(controlOperations).join(', '));
  });

  it('tells how each tag arrived, and what ECR refused for a repository since', async () => {
    const name = repoName('arrivals');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const image = seedImage(sandbox, name, { seed: name, tags: ['v1', 'prod'] });
    image.tagArrivals = { v1: { via: 'registry', at: 100 }, prod: { via: 'put-image', at: 200 } };
    seedImage(sandbox, name, { seed: `${name}-old`, tags: ['old'] });
    const arrivals = await control.call<TagArrivalsOutput>('DescribeTagArrivals', { repositoryName: name });
    expect(arrivals.tags).toEqual(
      expect.arrayContaining([
        { imageTag: 'v1', imageDigest: image.digest, via: 'registry', arrivedAt: 100 },
        { imageTag: 'prod', imageDigest: image.digest, via: 'put-image', arrivedAt: 200 },
        expect.objectContaining({ imageTag: 'old', via: 'unknown' }),
      ]),
    );

    const bad = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 0 }, action: { type: 'expire' } }] });
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: bad })).catch(() => undefined);
    const refused = await control.call<RefusalsOutput>('DescribeRecentRefusals', { repositoryName: name });
    expect(refused.refusals).toEqual([
      expect.objectContaining({ operation: 'PutLifecyclePolicy', code: 'InvalidParameterException', message: expect.stringContaining('numeric instance is lower than the required minimum') }),
    ]);
    // A later success of the same operation clears it.
    const good = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } }] });
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: good }));
    expect((await control.call<RefusalsOutput>('DescribeRecentRefusals', { repositoryName: name })).refusals).toEqual([]);
    const missing = await refusal(control.call('DescribeTagArrivals', { repositoryName: 'never-made' }));
    expect(missing.code).toBe('RepositoryNotFoundException');
  });

  it('issues a login token for one of its access keys that lasts as long as asked, carrying that key', async () => {
    const iam = iamClient(sandbox);
    await iam.send(new CreateUserCommand({ UserName: 'token-user' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'token-user' }));
    iam.destroy();
    const issued = await control.call<AuthorizationTokenOutput>('IssueAuthorizationToken', { accessKeyId: AccessKey!.AccessKeyId!, validForSeconds: 2 });
    const now = sandbox.store.now();
    expect(issued.expiresAt - now).toBeGreaterThan(0);
    expect(issued.expiresAt - now).toBeLessThanOrEqual(2);
    expect(Buffer.from(issued.authorizationToken, 'base64').toString()).toBe(`AWS:${issued.password}`);
    const check = verifyToken(sandbox.store.state.tokenSecret, issued.password, now);
    expect(check).toMatchObject({ ok: true, claims: { accessKeyId: AccessKey!.AccessKeyId, region: sandbox.region, accountId: sandbox.accountId } });
    expect(verifyToken(sandbox.store.state.tokenSecret, issued.password, issued.expiresAt)).toMatchObject({ ok: false, reason: 'expired' });
    // Without validForSeconds: ECR's twelve hours.
    const full = await control.call<AuthorizationTokenOutput>('IssueAuthorizationToken', { accessKeyId: AccessKey!.AccessKeyId! });
    expect(full.expiresAt - sandbox.store.now()).toBeGreaterThan(12 * 3600 - 5);
  });

  it('refuses a token for a key it does not have, or a life beyond 12 hours', async () => {
    const unknown = await refusal(control.call('IssueAuthorizationToken', { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }));
    expect(unknown.code).toBe('InvalidParameterException');
    expect(unknown.message).toContain("The sandbox has no active access key 'AKIAIOSFODNN7EXAMPLE'");
    const long = await refusal(control.call('IssueAuthorizationToken', { accessKeyId: sandbox.credentials.accessKeyId, validForSeconds: 12 * 3600 + 1 }));
    expect(long.code).toBe('InvalidParameterException');
    expect(long.message).toContain('validForSeconds');
  });

  describe('answers the sandbox’s own key only', () => {
    const raw = (headers: Record<string, string>, body = '{}') => fetch(`${sandbox.endpoint}/`, { method: 'POST', headers, body });
    const base = () => ({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${TARGET}.AdvanceClock` });
    const body = '{"seconds":86400}';
    const sign = (overrides: Partial<{ accessKeyId: string; secretAccessKey: string; service: string }>) =>
      signPost(`localhost:${sandbox.port}`, base(), body, {
        accessKeyId: sandbox.credentials.accessKeyId,
        secretAccessKey: sandbox.credentials.secretAccessKey,
        region: sandbox.region,
        service: 'ecr-workbook',
        ...overrides,
      });
    const expectRefused = async (res: Response, code: string) => {
      expect(res.status).toBe(400);
      expect(((await res.json()) as { __type: string }).__type).toBe(code);
      expect(sandbox.store.state.clockOffsetSeconds ?? 0).toBe(0);
    };

    it('an unsigned request', async () => {
      await expectRefused(await raw(base(), body), 'MissingAuthenticationTokenException');
    });

    it('another access key', async () => {
      await expectRefused(await raw(sign({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }), body), 'UnrecognizedClientException');
    });

    it('the right key with a wrong secret', async () => {
      await expectRefused(await raw(sign({ secretAccessKey: 'not-the-secret' }), body), 'InvalidSignatureException');
    });

    it('a request signed for ECR rather than for the control API', async () => {
      await expectRefused(await raw(sign({ service: 'ecr' }), body), 'InvalidSignatureException');
    });

    it('an ECR client cannot reach it through the ECR target either', async () => {
      const res = await rawEcr(sandbox, `AmazonEC2ContainerRegistry_V20150921.AdvanceClock`, body);
      expect(res.json?.__type).toBe('UnknownOperationException');
      expect(sandbox.store.state.clockOffsetSeconds ?? 0).toBe(0);
    });
  });
});
