import { describe, expect, it } from 'vitest';
import { LOGIN_ACTION, REPOSITORY_ACTIONS, coursePolicy, type IamPolicy } from '../../src/aws/iam-policy.js';
import { tempDir } from '../helpers/sandbox.js';
import { cli } from './helpers.js';

// `ecr-workbook iam-policy`: the least-privilege policy for the course, as JSON that IAM accepts.

/** What the course's commands and the workbook's own calls need, per lesson. */
const NEEDED = [
  'ecr:CreateRepository',
  'ecr:TagResource',
  'ecr:DescribeRepositories',
  'ecr:BatchCheckLayerAvailability',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
  'ecr:DescribeImages',
  'ecr:ListImages',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchDeleteImage',
  'ecr:DeleteRepository',
  'ecr:ListTagsForResource',
];

async function printed(...args: string[]): Promise<IamPolicy> {
  const home = tempDir('ecrwb-iam-');
  process.env.ECR_WORKBOOK_HOME = home;
  try {
    const result = await cli(...args, 'iam-policy');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as IamPolicy;
  } finally {
    delete process.env.ECR_WORKBOOK_HOME;
  }
}

describe('ecr-workbook iam-policy', () => {
  it('prints valid JSON: GetAuthorizationToken on *, everything else on the course repository only', async () => {
    const policy = await printed();
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement).toHaveLength(2);
    const [login, repo] = policy.Statement;
    expect(login).toEqual({ Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' });
    expect(repo!.Resource).toBe('arn:aws:ecr:*:*:repository/demo-app');
    expect(repo!.Effect).toBe('Allow');
    expect([...repo!.Action].sort()).toEqual(expect.arrayContaining([...NEEDED].sort()));
  });

  it('is least privilege: no wildcard action, nothing beyond ECR, login is the only action on *', () => {
    const policy = coursePolicy('alice/demo-app');
    const actions = policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    for (const action of actions) expect(action).toMatch(/^ecr:[A-Z][A-Za-z]+$/);
    expect(new Set(actions).size).toBe(actions.length);
    expect(policy.Statement.filter((s) => s.Resource === '*').flatMap((s) => s.Action)).toEqual([LOGIN_ACTION]);
    // Nothing the course never does: no policies, lifecycle, replication, registry settings.
    for (const broad of ['ecr:*', 'ecr:SetRepositoryPolicy', 'ecr:PutLifecyclePolicy', 'ecr:PutReplicationConfiguration', 'ecr:PutRegistryPolicy', 'sts:GetCallerIdentity']) {
      expect(actions).not.toContain(broad);
    }
    expect(Object.keys(REPOSITORY_ACTIONS).every((a) => actions.includes(a))).toBe(true);
  });

  it('scopes to the learner prefix, and to the partition of a China or GovCloud region', async () => {
    expect((await printed('--learner', 'alice')).Statement[1]!.Resource).toBe('arn:aws:ecr:*:*:repository/alice/demo-app');
    expect((await printed('--learner', 'bob', '--repo', 'shop', '--region', 'cn-north-1')).Statement[1]!.Resource).toBe('arn:aws-cn:ecr:*:*:repository/bob/shop');
  });
});
