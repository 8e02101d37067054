import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryAction } from '../../src/sandbox/authz/authorizer.js';
import { parseRoute } from '../../src/sandbox/registry/routes.js';
import { createUser, policyText } from '../helpers/iam.js';
import { registryAuthorization, registryErrorOf, RegistryHttp, sha256Digest, stubRegistryProxy } from '../helpers/registry-http.js';
import { ecrClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Which ECR action each registry request needs, request by request: a user allowed everything
 * but one action is refused exactly the requests that need it, with that action in the denial.
 * The registry behind the proxy is a stub, so this runs without Docker.
 */

let sandbox: TestSandbox;
let stub: Awaited<ReturnType<typeof stubRegistryProxy>>;
const REPO = 'authz/app';
const blob = sha256Digest('layer');

beforeAll(async () => {
  sandbox = await startTestSandbox({ withoutRegistry: true });
  stub = await stubRegistryProxy(sandbox);
  const ecr = ecrClient(sandbox);
  await ecr.send(new CreateRepositoryCommand({ repositoryName: REPO }));
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'authz/source' }));
  ecr.destroy();
});
afterAll(async () => {
  await stub?.close();
  await sandbox?.stop();
});

/** The requests docker and crane make, and the action ECR authorizes each on. */
const REQUESTS: Array<[method: string, path: string, action: string]> = [
  ['GET', `/v2/${REPO}/manifests/v1`, 'ecr:BatchGetImage'],
  ['HEAD', `/v2/${REPO}/manifests/v1`, 'ecr:BatchGetImage'],
  ['PUT', `/v2/${REPO}/manifests/v2`, 'ecr:PutImage'],
  ['GET', `/v2/${REPO}/blobs/${blob}`, 'ecr:GetDownloadUrlForLayer'],
  ['HEAD', `/v2/${REPO}/blobs/${blob}`, 'ecr:BatchCheckLayerAvailability'],
  ['POST', `/v2/${REPO}/blobs/uploads/`, 'ecr:InitiateLayerUpload'],
  ['PATCH', `/v2/${REPO}/blobs/uploads/some-upload`, 'ecr:UploadLayerPart'],
  ['PUT', `/v2/${REPO}/blobs/uploads/some-upload?digest=${blob}`, 'ecr:CompleteLayerUpload'],
  ['GET', `/v2/${REPO}/tags/list`, 'ecr:ListImages'],
  ['GET', '/v2/_catalog', 'ecr:DescribeRepositories'],
];

describe('registry requests and the ECR actions they need', () => {
  it.each(REQUESTS)('%s %s needs %s', async (method, path, action) => {
    const user = await createUser(sandbox, `all-but-${method.toLowerCase()}-${action.slice(4).toLowerCase()}-${path.length}`, {
      inline: { 'all-but': policyText({ Effect: 'Allow', NotAction: action, Resource: '*' }) },
    });
    const registry = new RegistryHttp(stub.baseUrl, await registryAuthorization(sandbox, undefined, user));
    const res = await registry.request(method, path, method === 'PUT' || method === 'PATCH' ? { body: '{}' } : {});
    expect(res.status).toBe(403);
    const resource = path === '/v2/_catalog' ? `arn:aws:ecr:us-east-1:${sandbox.accountId}:repository/*` : `arn:aws:ecr:us-east-1:${sandbox.accountId}:repository/${REPO}`;
    if (method !== 'HEAD') {
      expect(await registryErrorOf(res)).toEqual({
        code: 'DENIED',
        message: `User: ${user.arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
      });
    }
    // Every other request of the table gets past the authorizer.
    for (const [otherMethod, otherPath, otherAction] of REQUESTS) {
      if (otherAction === action) continue;
      const other = await registry.request(otherMethod, otherPath, otherMethod === 'PUT' || otherMethod === 'PATCH' ? { body: '{}' } : {});
      expect(other.status, `${otherMethod} ${otherPath}`).not.toBe(403);
    }
  });

  it('the base /v2/ needs only a valid login (any identity that could get a token)', async () => {
    const loginOnly = await createUser(sandbox, 'login-only', { inline: { login: policyText({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }) } });
    const registry = new RegistryHttp(stub.baseUrl, await registryAuthorization(sandbox, undefined, loginOnly));
    expect((await registry.request('GET', '/v2/')).status).toBe(200);
    expect((await registry.request('GET', `/v2/${REPO}/tags/list`)).status).toBe(403);
    expect(registryAction(parseRoute('/v2/').kind, 'GET')).toBeUndefined();
  });

  it('a cross-repository mount from a repository the caller may not read becomes a plain upload', async () => {
    const user = await createUser(sandbox, 'no-source', {
      inline: {
        push: policyText(
          { Effect: 'Allow', Action: 'ecr:*', Resource: '*' },
          { Effect: 'Deny', Action: 'ecr:GetDownloadUrlForLayer', Resource: `arn:aws:ecr:us-east-1:${sandbox.accountId}:repository/authz/source` },
        ),
      },
    });
    const registry = new RegistryHttp(stub.baseUrl, await registryAuthorization(sandbox, undefined, user));
    stub.seen.length = 0;
    const res = await registry.request('POST', `/v2/${REPO}/blobs/uploads/?mount=${blob}&from=authz/source`);
    expect(res.status).toBe(202);
    expect(stub.seen).toEqual([`POST /v2/${REPO}/blobs/uploads/`]);
    const learner = new RegistryHttp(stub.baseUrl, await registryAuthorization(sandbox));
    stub.seen.length = 0;
    await learner.request('POST', `/v2/${REPO}/blobs/uploads/?mount=${blob}&from=authz/source`);
    expect(stub.seen).toEqual([`POST /v2/${REPO}/blobs/uploads/?mount=${blob}&from=authz/source`]);
  });
});
