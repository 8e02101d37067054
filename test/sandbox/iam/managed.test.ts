import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, type AuthzRequest } from '../../../src/sandbox/iam/evaluate.js';
import { MANAGED_POLICIES, managedPolicyFrom } from '../../../src/sandbox/iam/managed.js';
import { PolicyError } from '../../../src/sandbox/iam/policy.js';
import { ACCOUNT, NOW, repo, user } from './evaluation-table.js';

const ARN = (name: string) => `arn:aws:iam::aws:policy/${name}`;
const policy = (name: string) => {
  const found = MANAGED_POLICIES.get(ARN(name));
  if (!found) throw new Error(`no managed policy ${name}`);
  return found;
};
const decide = (name: string, action: string, resource = repo('demo-app')) => {
  const request: AuthzRequest = { principal: user('ci-reader'), action, resource, ...(resource === '*' ? {} : { resourceAccount: ACCOUNT }), now: NOW };
  return evaluate(request, [{ id: ARN(name), type: 'identity', document: policy(name).document }]).decision;
};

const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const PUSH = ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'];

describe('the built-in AWS managed policies', () => {
  it('are the six the lessons use, each by its ARN, path and current version', () => {
    expect([...MANAGED_POLICIES.values()].map((p) => [p.arn, p.path, p.versionId])).toEqual([
      [ARN('AmazonEC2ContainerRegistryReadOnly'), '/', 'v3'],
      [ARN('AmazonEC2ContainerRegistryPullOnly'), '/', 'v1'],
      [ARN('AmazonEC2ContainerRegistryPowerUser'), '/', 'v3'],
      [ARN('AmazonEC2ContainerRegistryFullAccess'), '/', 'v3'],
      [ARN('service-role/AmazonECSTaskExecutionRolePolicy'), '/service-role/', 'v1'],
      [ARN('AdministratorAccess'), '/', 'v1'],
    ]);
  });

  it('each names the reference page it was copied from, a description and its dates', () => {
    for (const p of MANAGED_POLICIES.values()) {
      expect(p.source).toBe(`https://docs.aws.amazon.com/aws-managed-policy/latest/reference/${p.name}.html`);
      expect(p.description.length).toBeGreaterThan(10);
      expect(Date.parse(p.created)).toBeLessThanOrEqual(Date.parse(p.updated));
      expect(p.updated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
  });

  it('hand out their document as text that parses back to the document', () => {
    for (const p of MANAGED_POLICIES.values()) {
      expect(JSON.parse(p.documentText)).toMatchObject({ Version: '2012-10-17' });
      expect(p.documentText).toContain('\n    "Statement"');
    }
  });

  it('ReadOnly allows pulls and reads, not pushes or deletes', () => {
    for (const action of [...PULL, 'ecr:DescribeRepositories', 'ecr:ListImages', 'ecr:DescribeImages', 'ecr:GetRepositoryPolicy']) {
      expect(decide('AmazonEC2ContainerRegistryReadOnly', action)).toBe('allow');
    }
    expect(decide('AmazonEC2ContainerRegistryReadOnly', 'ecr:GetAuthorizationToken', '*')).toBe('allow');
    for (const action of [...PUSH, 'ecr:DeleteRepository', 'ecr:SetRepositoryPolicy']) {
      expect(decide('AmazonEC2ContainerRegistryReadOnly', action)).toBe('deny');
    }
  });

  it('PullOnly allows login and the manifest and layer pulls, and nothing to list or push (not even BatchCheckLayerAvailability)', () => {
    expect(decide('AmazonEC2ContainerRegistryPullOnly', 'ecr:GetAuthorizationToken', '*')).toBe('allow');
    for (const action of ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchImportUpstreamImage']) {
      expect(decide('AmazonEC2ContainerRegistryPullOnly', action)).toBe('allow');
    }
    for (const action of ['ecr:BatchCheckLayerAvailability', 'ecr:DescribeRepositories', 'ecr:ListImages', ...PUSH]) {
      expect(decide('AmazonEC2ContainerRegistryPullOnly', action)).toBe('deny');
    }
  });

  it('PowerUser allows push and pull but not creating or deleting repositories or changing their policy', () => {
    for (const action of [...PULL, ...PUSH]) expect(decide('AmazonEC2ContainerRegistryPowerUser', action)).toBe('allow');
    for (const action of ['ecr:CreateRepository', 'ecr:DeleteRepository', 'ecr:SetRepositoryPolicy', 'ecr:PutLifecyclePolicy', 'ecr:BatchDeleteImage']) {
      expect(decide('AmazonEC2ContainerRegistryPowerUser', action)).toBe('deny');
    }
  });

  it('FullAccess allows every ECR action, cloudtrail:LookupEvents, and the replication service-linked role only', () => {
    for (const action of [...PULL, ...PUSH, 'ecr:CreateRepository', 'ecr:DeleteRepository', 'ecr:SetRepositoryPolicy', 'ecr:SomeFutureAction']) {
      expect(decide('AmazonEC2ContainerRegistryFullAccess', action)).toBe('allow');
    }
    expect(decide('AmazonEC2ContainerRegistryFullAccess', 'cloudtrail:LookupEvents', '*')).toBe('allow');
    expect(decide('AmazonEC2ContainerRegistryFullAccess', 'iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/x`)).toBe('deny');
    const slr = (serviceName: string) =>
      evaluate(
        { principal: user('ci-reader'), action: 'iam:CreateServiceLinkedRole', resource: '*', context: { 'iam:AWSServiceName': serviceName } },
        [{ id: 'full', type: 'identity', document: policy('AmazonEC2ContainerRegistryFullAccess').document }],
      ).decision;
    expect(slr('replication.ecr.amazonaws.com')).toBe('allow');
    expect(slr('ecs.amazonaws.com')).toBe('deny');
  });

  it('the ECS task execution policy allows the pull actions and writing logs, not pushing', () => {
    const name = 'service-role/AmazonECSTaskExecutionRolePolicy';
    for (const action of PULL) expect(decide(name, action)).toBe('allow');
    expect(decide(name, 'ecr:GetAuthorizationToken', '*')).toBe('allow');
    expect(decide(name, 'logs:CreateLogStream', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/app:*`)).toBe('allow');
    expect(decide(name, 'logs:PutLogEvents', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/app:log-stream:x`)).toBe('allow');
    expect(decide(name, 'ecr:PutImage')).toBe('deny');
    expect(decide(name, 'logs:DeleteLogGroup', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/app`)).toBe('deny');
  });

  it('AdministratorAccess allows everything', () => {
    for (const action of [...PUSH, 'ecr:DeleteRepository', 'iam:CreateUser', 's3:DeleteBucket', 'sts:AssumeRole']) {
      expect(decide('AdministratorAccess', action)).toBe('allow');
    }
  });

  it('a managed policy file with a broken document is refused when loaded', () => {
    expect(() =>
      managedPolicyFrom({
        name: 'Broken',
        path: '/',
        versionId: 'v1',
        description: 'x',
        created: '2020-01-01T00:00:00Z',
        updated: '2020-01-01T00:00:00Z',
        source: 'x',
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'PutImage', Resource: '*' }] },
      }),
    ).toThrow(PolicyError);
  });
});

describe('the managed policy files ship with the package', () => {
  const root = path.resolve(import.meta.dirname, '../../..');
  const names = fs.readdirSync(path.join(root, 'src/sandbox/iam/managed'));

  it('dist/ (what the package runs) holds a copy of every file, as the build writes it', () => {
    expect(names).toHaveLength(MANAGED_POLICIES.size);
    for (const name of names) {
      const built = path.join(root, 'dist/src/sandbox/iam/managed', name);
      expect(fs.existsSync(built), `${built} (run npm run build)`).toBe(true);
      expect(JSON.parse(fs.readFileSync(built, 'utf8'))).toEqual(JSON.parse(fs.readFileSync(path.join(root, 'src/sandbox/iam/managed', name), 'utf8')));
    }
  });

  it('the package\'s files include dist/', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('dist');
  });
});
