import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, stsClient, type TestSandbox } from '../helpers/sandbox.js';
import { expectAwsError, signPost } from './api-helpers.js';

/** STS GetCallerIdentity (awsQuery): XML answers, XML errors with STS's codes and 403s. */

let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ withoutRegistry: true });
});
afterAll(async () => {
  await sandbox?.stop();
});

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

/** A signed STS query call with any body. */
async function rawSts(body: string, overrides: { secretAccessKey?: string; accessKeyId?: string } = {}) {
  const headers = signPost(`localhost:${sandbox.port}`, { 'content-type': FORM }, body, {
    accessKeyId: overrides.accessKeyId ?? sandbox.credentials.accessKeyId,
    secretAccessKey: overrides.secretAccessKey ?? sandbox.credentials.secretAccessKey,
    region: sandbox.region,
    service: 'sts',
  });
  const res = await fetch(`${sandbox.endpoint}/`, { method: 'POST', headers, body });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

describe('STS GetCallerIdentity', () => {
  it('answers with the sandbox account, the learner user ARN and an AIDA user id', async () => {
    const sts = stsClient(sandbox);
    try {
      const out = await sts.send(new GetCallerIdentityCommand({}));
      expect(out.Account).toBe('123456789012');
      expect(out.Arn).toBe('arn:aws:iam::123456789012:user/ecr-learner');
      expect(out.UserId).toMatch(/^AIDA[A-Z2-7]{16,17}$/);
      // Stable across calls.
      expect((await sts.send(new GetCallerIdentityCommand({}))).UserId).toBe(out.UserId);
    } finally {
      sts.destroy();
    }
  });

  it('answers in STS XML: GetCallerIdentityResponse/GetCallerIdentityResult and a RequestId', async () => {
    const res = await rawSts('Action=GetCallerIdentity&Version=2011-06-15');
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('text/xml');
    expect(res.text).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(res.text).toMatch(
      /<GetCallerIdentityResult>\s*<Arn>arn:aws:iam::123456789012:user\/ecr-learner<\/Arn>\s*<UserId>AIDA\w+<\/UserId>\s*<Account>123456789012<\/Account>\s*<\/GetCallerIdentityResult>/,
    );
    expect(res.text).toMatch(/<ResponseMetadata>\s*<RequestId>[0-9a-f-]{36}<\/RequestId>\s*<\/ResponseMetadata>/);
  });

  it('InvalidClientTokenId (403) for an access key the sandbox never issued', async () => {
    const sts = stsClient(sandbox, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
    try {
      await expectAwsError(sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
    } finally {
      sts.destroy();
    }
  });

  it('SignatureDoesNotMatch (403) for the wrong secret', async () => {
    const sts = stsClient(sandbox, { secretAccessKey: 'y'.repeat(40) });
    try {
      await expectAwsError(
        sts.send(new GetCallerIdentityCommand({})),
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        403,
      );
    } finally {
      sts.destroy();
    }
  });

  it('errors are STS XML: ErrorResponse/Error/{Type,Code,Message} and RequestId', async () => {
    const res = await rawSts('Action=GetCallerIdentity&Version=2011-06-15', { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
    expect(res.status).toBe(403);
    expect(res.text).toMatch(
      /<ErrorResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/">\s*<Error>\s*<Type>Sender<\/Type>\s*<Code>InvalidClientTokenId<\/Code>\s*<Message>The security token included in the request is invalid.<\/Message>\s*<\/Error>\s*<RequestId>[0-9a-f-]{36}<\/RequestId>\s*<\/ErrorResponse>/,
    );
  });

  it('MissingAuthenticationToken (403) for an unsigned request', async () => {
    const res = await fetch(`${sandbox.endpoint}/`, { method: 'POST', headers: { 'content-type': FORM }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  it('InvalidAction (400) for an STS action the sandbox does not implement, saying so, and AWS words for one STS does not have', async () => {
    const res = await rawSts('Action=GetSessionToken&Version=2011-06-15');
    expect(res.status).toBe(400);
    expect(res.text).toContain('<Code>InvalidAction</Code>');
    expect(res.text).toContain(
      '<Message>The ECR sandbox&apos;s STS does not implement GetSessionToken. It is a real STS action: try it against real AWS, or see README.md for what the sandbox supports.</Message>',
    );
    const made = await rawSts('Action=GetEverything&Version=2011-06-15');
    expect(made.status).toBe(400);
    expect(made.text).toContain('<Message>Could not find operation GetEverything for version 2011-06-15</Message>');
  });
});
