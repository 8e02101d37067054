import http from 'node:http';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, GetAuthorizationTokenCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { revokeFromLearner } from '../helpers/iam.js';
import { ecrClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { digestOf, expectAwsError, rawEcr, repoName, seedImage, target, withApiSandbox } from './api-helpers.js';

/**
 * The wire protocol: AWS JSON 1.1 in and out, AWS-shaped errors for every kind of bad input,
 * SigV4 failures as AWS words them, and a server that keeps serving after each.
 */

let sandbox: TestSandbox;
let ecr: ECRClient;
withApiSandbox((s, e) => {
  sandbox = s;
  ecr = e;
});

/** A normal SDK call: proves the server is still healthy after a bad request. */
async function stillServes(): Promise<void> {
  const name = repoName('after');
  const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
  expect(repository!.repositoryName).toBe(name);
}

describe('ECR JSON 1.1 wire format', () => {
  it('answers with the JSON 1.1 content type, a request id and epoch-second numbers', async () => {
    const name = repoName();
    const res = await rawEcr(sandbox, target('CreateRepository'), JSON.stringify({ repositoryName: name }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const repository = res.json!.repository as Record<string, unknown>;
    expect(typeof repository.createdAt).toBe('number');
  });

  it('treats an empty body as {} (GetAuthorizationToken sends no parameters)', async () => {
    const res = await rawEcr(sandbox, target('DescribeRepositories'), '');
    expect(res.status).toBe(200);
    expect(Array.isArray(res.json!.repositories)).toBe(true);
  });
});

describe('bad input gets AWS-shaped errors, and the server keeps serving', () => {
  it('SerializationException for malformed JSON', async () => {
    const res = await rawEcr(sandbox, target('CreateRepository'), '{"repositoryName": "x"');
    expect(res.status).toBe(400);
    expect(res.json!.__type).toBe('SerializationException');
    expect(res.json!.message).toMatch(/^The request body is not valid JSON: /);
    expect(res.headers.get('x-amzn-errortype')).toBe('SerializationException:');
    await stillServes();
  });

  it('SerializationException for a body that is not a JSON object', async () => {
    const res = await rawEcr(sandbox, target('CreateRepository'), '["repositoryName"]');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ __type: 'SerializationException', message: 'The request body must be a JSON object.' });
  });

  it('SerializationException for a member of the wrong JSON type', async () => {
    const res = await rawEcr(sandbox, target('DescribeRepositories'), JSON.stringify({ maxResults: '5' }));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ __type: 'SerializationException', message: "STRING_VALUE can not be converted to an Integer (at 'maxResults')" });
  });

  it('UnknownOperationException for a target ECR does not have', async () => {
    for (const t of [target('MakeCoffee'), 'SomethingElse_20200101.CreateRepository']) {
      const res = await rawEcr(sandbox, t, '{}');
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ __type: 'UnknownOperationException', message: `The operation '${t}' is not a known ECR operation.` });
    }
    await stillServes();
  });

  it('UnknownOperationException in JSON (not a plain-text 404) for a signed POST without X-Amz-Target', async () => {
    const res = await rawEcr(sandbox, undefined, '{}');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(res.json).toEqual({
      __type: 'UnknownOperationException',
      message:
        "The request has no X-Amz-Target header, so it names no operation: send 'X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>' with Content-Type application/x-amz-json-1.1.",
    });
    await stillServes();
  });

  it('UnsupportedOperationException naming a real ECR operation the sandbox does not implement', async () => {
    const res = await rawEcr(sandbox, target('PutReplicationConfiguration'), '{}');
    expect(res.status).toBe(400);
    expect(res.json!.__type).toBe('UnsupportedOperationException');
    expect(res.json!.message).toBe(
      "The ECR sandbox does not implement PutReplicationConfiguration. It is a real ECR operation: try it against real AWS (--target aws), or see the sandbox's list of supported operations in README.md.",
    );
  });

  it('413 RequestEntityTooLargeException for a 2 MiB body, then serves the next request', async () => {
    const body = JSON.stringify({ repositoryName: 'big', padding: 'x'.repeat(2 * 1024 * 1024) });
    const res = await rawEcr(sandbox, target('CreateRepository'), body);
    expect(res.status).toBe(413);
    expect(res.json).toEqual({
      __type: 'RequestEntityTooLargeException',
      message: 'The request body is larger than the 1048576 bytes the ECR API accepts.',
    });
    await stillServes();
  });

  /** A raw POST through node:http: `chunks` pieces of 256 KiB, or only a declared Content-Length. */
  function rawPost(options: { chunks?: number; contentLength?: number }): Promise<{ status: number; body: string; connection?: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { host: `localhost:${sandbox.port}`, 'x-amz-target': target('CreateRepository') };
      if (options.contentLength !== undefined) headers['content-length'] = options.contentLength;
      const req = http.request({ host: '127.0.0.1', port: sandbox.port, method: 'POST', path: '/', headers }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, connection: res.headers.connection }));
      });
      req.on('error', reject);
      if (options.contentLength !== undefined) {
        // Headers only, never the body: the answer must not wait for it.
        req.flushHeaders();
        return;
      }
      const chunk = Buffer.alloc(256 * 1024, 'x');
      let sent = 0;
      const pump = () => {
        while (sent < (options.chunks ?? 0)) {
          sent += 1;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
  }

  it('413 also for a chunked body without Content-Length that grows past 1 MiB', async () => {
    const res = await rawPost({ chunks: 8 });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).__type).toBe('RequestEntityTooLargeException');
    await stillServes();
  });

  it('413 at once, closing the connection, for a declared body far over the limit', async () => {
    const res = await rawPost({ contentLength: 64 * 1024 * 1024 });
    expect(res.status).toBe(413);
    expect(res.connection).toBe('close');
    expect(JSON.parse(res.body).__type).toBe('RequestEntityTooLargeException');
    await stillServes();
  });

  it.each([
    ['a name with ..', 'a..b', "must satisfy regular expression '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*'"],
    ['an uppercase name', 'MyApp', "must satisfy regular expression '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*'"],
    ['a missing name', undefined, 'must not be null'],
  ])('InvalidParameterException for %s', async (_label, repositoryName, rule) => {
    const res = await rawEcr(sandbox, target('CreateRepository'), JSON.stringify({ repositoryName }));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      __type: 'InvalidParameterException',
      message: `Invalid parameter at 'repositoryName' failed to satisfy constraint: '${rule}'`,
    });
    await stillServes();
  });

  it('InvalidImageDigest failure (not a call failure) for a malformed digest in BatchDeleteImage', async () => {
    const name = repoName();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const image = seedImage(sandbox, name, { seed: name, tags: ['v1'] });
    const res = await rawEcr(
      sandbox,
      target('BatchDeleteImage'),
      JSON.stringify({ repositoryName: name, imageIds: [{ imageDigest: 'sha256:not-hex!' }, { imageDigest: 'nocolon' }] }),
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      imageIds: [],
      failures: ['sha256:not-hex!', 'nocolon'].map((imageDigest) => ({
        imageId: { imageDigest },
        failureCode: 'InvalidImageDigest',
        failureReason: "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
      })),
    });
    expect(sandbox.store.state.regions['us-east-1']!.repositories[name]!.images[image.digest]).toBeDefined();
  });

  it('InvalidParameterException for a malformed digest in DescribeImages', async () => {
    const name = repoName();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const res = await rawEcr(sandbox, target('DescribeImages'), JSON.stringify({ repositoryName: name, imageIds: [{ imageDigest: 'latest' }] }));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      __type: 'InvalidParameterException',
      message: "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
    });
    await stillServes();
  });

  it('a ServerException is a 500 and says the sandbox failed', async () => {
    const original = sandbox.backend.listRepositories.bind(sandbox.backend);
    sandbox.backend.listRepositories = () => {
      throw new Error('disk on fire');
    };
    try {
      const res = await rawEcr(sandbox, target('DescribeRepositories'), '{}');
      expect(res.status).toBe(500);
      expect(res.json).toEqual({ __type: 'ServerException', message: 'The ECR sandbox failed unexpectedly: disk on fire' });
    } finally {
      sandbox.backend.listRepositories = original;
    }
    await stillServes();
  });
});

describe('SigV4 failures', () => {
  it('UnrecognizedClientException for an access key the sandbox never issued', async () => {
    const stranger = ecrClient(sandbox, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
    try {
      await expectAwsError(stranger.send(new DescribeRepositoriesCommand({})), 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    } finally {
      stranger.destroy();
    }
  });

  it('InvalidSignatureException for the right key with the wrong secret', async () => {
    const wrong = ecrClient(sandbox, { secretAccessKey: 'x'.repeat(40) });
    try {
      await expectAwsError(
        wrong.send(new DescribeRepositoriesCommand({})),
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
    } finally {
      wrong.destroy();
    }
  });

  it('InvalidSignatureException for a body changed after signing', async () => {
    const res = await rawEcr(sandbox, target('CreateRepository'), JSON.stringify({ repositoryName: 'tampered' }), {
      signedBody: JSON.stringify({ repositoryName: 'original' }),
    });
    expect(res.status).toBe(400);
    expect(res.json!.__type).toBe('InvalidSignatureException');
    expect(sandbox.store.state.regions['us-east-1']!.repositories.tampered).toBeUndefined();
  });

  it('InvalidSignatureException "Signature expired" for a request signed 20 minutes ago', async () => {
    const res = await rawEcr(sandbox, target('DescribeRepositories'), '{}', { date: new Date(Date.now() - 20 * 60 * 1000) });
    expect(res.status).toBe(400);
    expect(res.json!.__type).toBe('InvalidSignatureException');
    expect(res.json!.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
  });

  it('MissingAuthenticationTokenException for an unsigned request', async () => {
    const res = await fetch(`${sandbox.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target('DescribeRepositories') },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });

  it('InvalidSignatureException when the credential scope names another day than X-Amz-Date', async () => {
    const now = new Date();
    const yesterday = new Date(now.getTime() - 24 * 60 * 60 * 1000).toISOString().slice(0, 10).replace(/-/g, '');
    const res = await rawEcr(sandbox, target('DescribeRepositories'), '{}', { date: now, scopeDay: yesterday });
    expect(res.status).toBe(400);
    const stamp = res.json && /from '(\d{8}T\d{6}Z)'/.exec(String(res.json.message))?.[1];
    expect(res.json).toEqual({
      __type: 'InvalidSignatureException',
      message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${yesterday}' != '${stamp!.slice(0, 8)}', from '${stamp}'.`,
    });
  });

  it('InvalidSignatureException for a region AWS does not have', async () => {
    const res = await rawEcr(sandbox, target('CreateRepository'), JSON.stringify({ repositoryName: repoName() }), { region: 'eu-wset-1' });
    expect(res.status).toBe(400);
    expect(res.json!.__type).toBe('InvalidSignatureException');
    expect(res.json!.message).toMatch(/^Credential should be scoped to a valid region, not 'eu-wset-1'\. AWS has no region 'eu-wset-1' \(did you mean 'eu-west-1'\?\)/);
    expect(sandbox.store.state.regions['eu-wset-1']).toBeUndefined();
  });

  it('InvalidSignatureException for credentials scoped to another service', async () => {
    const res = await rawEcr(sandbox, target('DescribeRepositories'), '{}', { region: 'us-east-1', service: 's3' });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ __type: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'ecr'." });
  });
});

describe('GetAuthorizationToken', () => {
  it('issues a 12-hour token that decodes to AWS:<password> with exactly one colon', async () => {
    const before = Date.now() / 1000;
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    expect(authorizationData).toHaveLength(1);
    const data = authorizationData![0]!;
    expect(data.proxyEndpoint).toBe(`http://localhost:${sandbox.port}`);
    const decoded = Buffer.from(data.authorizationToken!, 'base64').toString('utf8');
    expect(decoded.split(':')).toHaveLength(2);
    expect(decoded.startsWith('AWS:')).toBe(true);
    const ttl = data.expiresAt!.getTime() / 1000 - before;
    expect(ttl).toBeGreaterThan(12 * 3600 - 5);
    expect(ttl).toBeLessThanOrEqual(12 * 3600 + 1);
  });

  it('InvalidParameterException for a registryId that is not 12 digits', async () => {
    await expectAwsError(
      ecr.send(new GetAuthorizationTokenCommand({ registryIds: ['12345678901'] })),
      'InvalidParameterException',
      "Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]{12}]'",
    );
  });

  it('AccessDeniedException, in AWS words, once the learner no longer has the permission', async () => {
    const denied = await startTestSandbox({ withoutRegistry: true });
    const client = ecrClient(denied);
    try {
      await revokeFromLearner(denied, ['ecr:GetAuthorizationToken']);
      await expectAwsError(
        client.send(new GetAuthorizationTokenCommand({})),
        'AccessDeniedException',
        'User: arn:aws:iam::123456789012:user/ecr-learner is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action',
      );
    } finally {
      client.destroy();
      await denied.stop();
    }
  });
});

describe('state on disk', () => {
  it('survives a restart: repositories, tags and images are still there', async () => {
    const first = await startTestSandbox({ withoutRegistry: true });
    const name = 'persisted';
    let client = ecrClient(first);
    await client.send(new CreateRepositoryCommand({ repositoryName: name, tags: [{ Key: 'k', Value: 'v' }] }));
    const image = seedImage(first, name, { seed: 'persisted', tags: ['v1'] });
    await first.store.save();
    client.destroy();
    await first.stop();
    const second = await startTestSandbox({ withoutRegistry: true, dir: first.dir });
    client = ecrClient(second);
    try {
      const { repositories } = await client.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
      expect(repositories![0]!.repositoryName).toBe(name);
      expect(second.store.state.regions['us-east-1']!.repositories[name]!.images[image.digest]!.tags).toEqual(['v1']);
      expect(digestOf('x')).toMatch(/^sha256:[0-9a-f]{64}$/);
    } finally {
      client.destroy();
      await second.stop();
    }
  });
});
