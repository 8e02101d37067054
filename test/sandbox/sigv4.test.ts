import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { verifySigV4, type SignedRequest } from '../../src/sandbox/auth/sigv4.js';
import { signPost } from './api-helpers.js';

/**
 * verifySigV4 on its own, with a fixed clock. Requests are signed by the tests' own SigV4
 * signer (written from the spec), so the verifier is checked against an independent
 * implementation; the API tests check it against the AWS SDK's signer too.
 */

const KEY = 'AKIASANDBOXTESTKEY01';
const SECRET = 'sandbox-test-secret-0123456789abcdefghij';
const NOW = new Date('2026-11-22T19:15:00Z');
const HOST = 'localhost:4566';
const BODY = JSON.stringify({ repositoryName: 'app' });
const lookup = (akid: string) => (akid === KEY ? SECRET : undefined);

function request(
  options: { date?: Date; secret?: string; key?: string; region?: string; service?: string; body?: string; signedBody?: string; scopeDay?: string } = {},
): SignedRequest {
  const headers = signPost(
    HOST,
    { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.CreateRepository' },
    options.signedBody ?? BODY,
    {
      accessKeyId: options.key ?? KEY,
      secretAccessKey: options.secret ?? SECRET,
      region: options.region ?? 'us-east-1',
      service: options.service ?? 'ecr',
      date: options.date ?? NOW,
      scopeDay: options.scopeDay,
    },
  );
  const lower: IncomingHttpHeaders = { host: HOST };
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return { method: 'POST', url: '/', headers: lower, body: Buffer.from(options.body ?? BODY) };
}

describe('verifySigV4', () => {
  it('accepts a correctly signed request and reports its key, region and service', () => {
    expect(verifySigV4(request(), 'ecr', lookup, NOW)).toEqual({ ok: true, accessKeyId: KEY, region: 'us-east-1', service: 'ecr' });
  });

  it('takes the region from the credential scope (repositories are kept per region)', () => {
    expect(verifySigV4(request({ region: 'ap-southeast-2' }), 'ecr', lookup, NOW)).toMatchObject({ ok: true, region: 'ap-southeast-2' });
  });

  it('unknown-key for an access key the sandbox never issued', () => {
    expect(verifySigV4(request({ key: 'AKIAIOSFODNN7EXAMPLE' }), 'ecr', lookup, NOW)).toEqual({
      ok: false,
      kind: 'unknown-key',
      message: 'The security token included in the request is invalid.',
    });
  });

  it('bad-signature for the wrong secret', () => {
    expect(verifySigV4(request({ secret: 'not-the-secret' }), 'ecr', lookup, NOW)).toMatchObject({
      ok: false,
      kind: 'bad-signature',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    });
  });

  it('bad-signature for a body changed after signing', () => {
    const tampered = request({ signedBody: BODY, body: JSON.stringify({ repositoryName: 'evil' }) });
    expect(verifySigV4(tampered, 'ecr', lookup, NOW)).toMatchObject({ ok: false, kind: 'bad-signature' });
  });

  it('bad-signature for a tampered body even when x-amz-content-sha256 claims the original hash', () => {
    const original = request();
    const claimed = crypto.createHash('sha256').update(BODY).digest('hex');
    const tampered: SignedRequest = {
      ...original,
      headers: { ...original.headers, 'x-amz-content-sha256': claimed },
      body: Buffer.from(JSON.stringify({ repositoryName: 'evil' })),
    };
    expect(verifySigV4(tampered, 'ecr', lookup, NOW)).toMatchObject({ ok: false, kind: 'bad-signature' });
  });

  it('bad-signature when a signed header was changed in transit', () => {
    const req = request();
    req.headers['x-amz-target'] = 'AmazonEC2ContainerRegistry_V20150921.DeleteRepository';
    expect(verifySigV4(req, 'ecr', lookup, NOW)).toMatchObject({ ok: false, kind: 'bad-signature' });
  });

  it('accepts a clock skew just under 15 minutes', () => {
    expect(verifySigV4(request({ date: new Date(NOW.getTime() - 14 * 60 * 1000) }), 'ecr', lookup, NOW)).toMatchObject({ ok: true });
    expect(verifySigV4(request({ date: new Date(NOW.getTime() + 14 * 60 * 1000) }), 'ecr', lookup, NOW)).toMatchObject({ ok: true });
  });

  it('expired for a request signed more than 15 minutes ago, in AWS words', () => {
    const result = verifySigV4(request({ date: new Date('2026-11-22T18:55:00Z') }), 'ecr', lookup, NOW);
    expect(result).toEqual({
      ok: false,
      kind: 'expired',
      message: 'Signature expired: 20261122T185500Z is now earlier than 20261122T190000Z (20261122T191500Z - 15 min.)',
    });
  });

  it('"not yet current" for a request signed more than 15 minutes ahead', () => {
    const result = verifySigV4(request({ date: new Date('2026-11-22T19:40:00Z') }), 'ecr', lookup, NOW);
    expect(result).toEqual({
      ok: false,
      kind: 'expired',
      message: 'Signature not yet current: 20261122T194000Z is still later than 20261122T193000Z (20261122T191500Z + 15 min.)',
    });
  });

  it('wrong-service for credentials scoped to another service', () => {
    expect(verifySigV4(request({ service: 'sts' }), 'ecr', lookup, NOW)).toEqual({
      ok: false,
      kind: 'wrong-service',
      message: "Credential should be scoped to correct service: 'ecr'.",
    });
  });

  it('missing without an Authorization header', () => {
    const req = request();
    delete req.headers.authorization;
    expect(verifySigV4(req, 'ecr', lookup, NOW)).toEqual({ ok: false, kind: 'missing', message: 'Missing Authentication Token' });
  });

  it('malformed for an Authorization header without Signature, or another algorithm', () => {
    const req = request();
    req.headers.authorization = String(req.headers.authorization).replace(/, Signature=[0-9a-f]+/, '');
    expect(verifySigV4(req, 'ecr', lookup, NOW)).toEqual({
      ok: false,
      kind: 'malformed',
      message: "Authorization header requires 'Signature' parameter.",
    });
    const v2 = request();
    v2.headers.authorization = 'AWS AKIA:abc';
    expect(verifySigV4(v2, 'ecr', lookup, NOW)).toMatchObject({ ok: false, kind: 'malformed' });
  });

  it('malformed for a credential scope that is not a region', () => {
    expect(verifySigV4(request({ region: 'nowhere' }), 'ecr', lookup, NOW)).toEqual({
      ok: false,
      kind: 'malformed',
      message: "Credential should be scoped to a valid region, not 'nowhere'.",
    });
  });

  it('scope-date when the credential scope names another day than X-Amz-Date, in AWS words', () => {
    // Correctly signed with the scope's day: only the date rule can refuse it.
    expect(verifySigV4(request({ scopeDay: '20261121' }), 'ecr', lookup, NOW)).toEqual({
      ok: false,
      kind: 'scope-date',
      message:
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261121' != '20261122', from '20261122T191500Z'.",
    });
  });

  it('unknown-region for a region AWS does not have, naming the nearest real one and what AWS does', () => {
    const result = verifySigV4(request({ region: 'us-esat-1' }), 'ecr', lookup, NOW);
    expect(result).toMatchObject({ ok: false, kind: 'unknown-region' });
    const message = (result as { message: string }).message;
    expect(message).toMatch(/^Credential should be scoped to a valid region, not 'us-esat-1'\. AWS has no region 'us-esat-1' \(did you mean 'us-east-1'\?\)/);
    expect(message).toContain('Could not connect to the endpoint URL: https://api.ecr.us-esat-1.amazonaws.com/');
    expect(message).toContain('--region us-east-1');
    expect(verifySigV4(request({ region: 'us-esat-1', service: 'sts' }), 'sts', lookup, NOW)).toMatchObject({
      message: expect.stringContaining('https://sts.us-esat-1.amazonaws.com/'),
    });
  });
});
