import {
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryPolicyCommand,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
  PutLifecyclePolicyCommand,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { jacksonPretty } from '../../src/sandbox/backend/repository-policy.js';
import type { TestSandbox } from '../helpers/sandbox.js';
import { expectAwsError, notFound, repoName, withApiSandbox } from './api-helpers.js';

const ACCOUNT = '123456789012';

let sandbox: TestSandbox;
let ecr: ECRClient;
withApiSandbox((s, e) => {
  sandbox = s;
  ecr = e;
});

async function newRepo(tags?: Array<{ Key: string; Value: string }>): Promise<{ name: string; arn: string }> {
  const name = repoName();
  const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: name, tags }));
  return { name, arn: repository!.repositoryArn! };
}

describe('TagResource / UntagResource / ListTagsForResource', () => {
  it('tags, overwrites an existing key, lists and untags', async () => {
    const { arn } = await newRepo([{ Key: 'team', Value: 'a' }]);
    await ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'team', Value: 'b' }, { Key: 'env', Value: 'dev' }] }));
    expect((await ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([
      { Key: 'team', Value: 'b' },
      { Key: 'env', Value: 'dev' },
    ]);
    await ecr.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team', 'not-there'] }));
    expect((await ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([{ Key: 'env', Value: 'dev' }]);
  });

  it.each(['not-an-arn', `arn:aws:s3:::bucket`, `arn:aws:ecr:us-east-1:${ACCOUNT}:cluster/x`, 'arn:aws:ecr:us-east-1:12:repository/x'])(
    'InvalidParameterException for the malformed ARN %s',
    async (resourceArn) => {
      await expectAwsError(
        ecr.send(new ListTagsForResourceCommand({ resourceArn })),
        'InvalidParameterException',
        "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'",
      );
    },
  );

  it('RepositoryNotFoundException for a repository ARN that does not exist, or lives in another region', async () => {
    await expectAwsError(
      ecr.send(new TagResourceCommand({ resourceArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/ghost`, tags: [{ Key: 'a', Value: 'b' }] })),
      'RepositoryNotFoundException',
      notFound('ghost'),
    );
    const { name } = await newRepo();
    await expectAwsError(
      ecr.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/${name}` })),
      'RepositoryNotFoundException',
      notFound(name),
    );
  });

  it('AccessDeniedException for another account\'s repository', async () => {
    await expectAwsError(
      ecr.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecr:us-east-1:999999999999:repository/app' })),
      'AccessDeniedException',
      `User: arn:aws:iam::${ACCOUNT}:user/ecr-learner is not authorized to perform: ecr:ListTagsForResource on resource: arn:aws:ecr:us-east-1:999999999999:repository/app because no resource-based policy allows the ecr:ListTagsForResource action`,
    );
  });

  it('TooManyTagsException when the total would pass 50, leaving the tags as they were', async () => {
    const { arn } = await newRepo(Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })));
    await ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'k0', Value: 'overwritten' }, { Key: 'k49', Value: 'v' }] }));
    await expectAwsError(
      ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'k50', Value: 'v' }] })),
      'TooManyTagsException',
      'The list of tags on the repository is over the limit. The maximum number of tags that can be applied to a repository is 50.',
    );
    const { tags } = await ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    expect(tags).toHaveLength(50);
    expect(tags![0]).toEqual({ Key: 'k0', Value: 'overwritten' });
  });

  it('InvalidTagParameterException for the aws: prefix, in TagResource and UntagResource', async () => {
    const { arn } = await newRepo();
    await expectAwsError(
      ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'AWS:x', Value: 'v' }] })),
      'InvalidTagParameterException',
      "Invalid tag key 'AWS:x': the 'aws:' prefix is reserved for use by AWS.",
    );
    await expectAwsError(
      ecr.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['aws:cloudformation:stack-name'] })),
      'InvalidTagParameterException',
      "Invalid tag key 'aws:cloudformation:stack-name': the 'aws:' prefix is reserved for use by AWS.",
    );
  });
});

const POLICY = {
  Version: '2008-10-17',
  Statement: [
    {
      Sid: 'allow public pull',
      Effect: 'Allow',
      Principal: '*',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
    },
  ],
};
// Exactly what the aws CLI example shows ECR answering for this policy.
const POLICY_AS_ECR_ECHOES_IT =
  '{\n  "Version" : "2008-10-17",\n  "Statement" : [ {\n    "Sid" : "allow public pull",\n    "Effect" : "Allow",\n    "Principal" : "*",\n    "Action" : [ "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ]\n  } ]\n}';

describe('SetRepositoryPolicy / GetRepositoryPolicy / DeleteRepositoryPolicy', () => {
  it('sets, gets and deletes a policy, echoing it the way ECR reformats it', async () => {
    const { name } = await newRepo();
    const set = await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: JSON.stringify(POLICY) }));
    expect(set).toMatchObject({ registryId: ACCOUNT, repositoryName: name, policyText: POLICY_AS_ECR_ECHOES_IT });
    const got = await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name }));
    expect(got.policyText).toBe(POLICY_AS_ECR_ECHOES_IT);
    const deleted = await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: name }));
    expect(deleted).toMatchObject({ registryId: ACCOUNT, repositoryName: name, policyText: POLICY_AS_ECR_ECHOES_IT });
    await expectAwsError(
      ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name })),
      'RepositoryPolicyNotFoundException',
      `Repository policy does not exist for the repository with name '${name}' in the registry with id '${ACCOUNT}'`,
    );
  });

  it('pretty-prints empty containers and nested objects as Jackson does', () => {
    expect(jacksonPretty({ a: [], b: {}, c: { d: 1 } })).toBe('{\n  "a" : [ ],\n  "b" : { },\n  "c" : {\n    "d" : 1\n  }\n}');
  });

  it.each([
    ['not JSON', 'this is not json'],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' })],
    ['no Version', JSON.stringify({ Statement: POLICY.Statement })],
    ['an unknown Version', JSON.stringify({ ...POLICY, Version: '2020-01-01' })],
    ['a statement without Principal', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*' }] })],
    ['a bad Effect', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Principal: '*', Action: 'ecr:*' }] })],
  ])('InvalidParameterException for %s', async (_label, policyText) => {
    const { name } = await newRepo();
    await expectAwsError(
      ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText })),
      'InvalidParameterException',
      "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'",
    );
  });

  const withCondition = (condition: unknown) =>
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage', Condition: condition }] });

  it.each([
    // Once a 500 "Maximum call stack size exceeded" from the pretty-printer.
    ['3000 levels of lists in a Condition (6 KB)', withCondition({ StringEquals: { 'aws:PrincipalTag/team': JSON.parse(`${'['.repeat(3000)}"x"${']'.repeat(3000)}`) } })],
    // Once stored and echoed as 5.6 MB of indentation.
    ['1,680 nested objects in a Condition (10 KB)', withCondition(JSON.parse(`${'{"a":'.repeat(1680)}1${'}'.repeat(1680)}`))],
    ['a Condition value that is an object', withCondition({ StringEquals: { 'aws:PrincipalTag/team': { nested: 'x' } } })],
  ])('InvalidParameterException, not a 500, for %s', async (_label, policyText) => {
    expect(policyText.length).toBeLessThanOrEqual(10240);
    const { name } = await newRepo();
    await expectAwsError(
      ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText })),
      'InvalidParameterException',
      "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'",
    );
  });

  it('stores a 10 KB policy of many conditions at a bounded size, and echoes it back', async () => {
    const keys = Object.fromEntries(Array.from({ length: 330 }, (_, i) => [`aws:PrincipalTag/k${i}`, `v${i}`]));
    const policyText = withCondition({ StringEquals: keys });
    expect(policyText.length).toBeGreaterThan(9000);
    expect(policyText.length).toBeLessThanOrEqual(10240);
    const { name } = await newRepo();
    const set = await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText }));
    expect(JSON.parse(set.policyText!)).toEqual(JSON.parse(policyText));
    expect(set.policyText!.length).toBeLessThan(policyText.length * 3);
  });

  it('InvalidParameterException for a policy over 10240 characters', async () => {
    const { name } = await newRepo();
    await expectAwsError(
      ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: ' '.repeat(10241) })),
      'InvalidParameterException',
      "Invalid parameter at 'policyText' failed to satisfy constraint: 'Member must have length less than or equal to 10240'",
    );
  });

  it('RepositoryPolicyNotFoundException when deleting a policy that was never set', async () => {
    const { name } = await newRepo();
    await expectAwsError(
      ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: name })),
      'RepositoryPolicyNotFoundException',
      `Repository policy does not exist for the repository with name '${name}' in the registry with id '${ACCOUNT}'`,
    );
  });

  it('RepositoryNotFoundException for a missing repository', async () => {
    await expectAwsError(
      ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'no-such-repo', policyText: JSON.stringify(POLICY) })),
      'RepositoryNotFoundException',
      notFound('no-such-repo'),
    );
  });
});

const rule = (priority: number, selection: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  rulePriority: priority,
  description: `rule ${priority} of a lifecycle policy used in the sandbox tests`,
  selection,
  action: { type: 'expire' },
  ...extra,
});
const untagged14Days = { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 };
const policyText = (...rules: unknown[]) => JSON.stringify({ rules }, null, 2);
const failure = (detail: string) => `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${detail}'`;

describe('PutLifecyclePolicy / GetLifecyclePolicy / DeleteLifecyclePolicy', () => {
  it('puts a policy (echoed as compact JSON), gets it with lastEvaluatedAt, deletes it', async () => {
    const { name } = await newRepo();
    const text = policyText(
      rule(1, untagged14Days),
      rule(2, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 10 }),
      rule(3, { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'imageCountMoreThan', countNumber: 5 }),
      rule(10, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 }),
    );
    const compact = JSON.stringify(JSON.parse(text));
    const before = Date.now() / 1000;
    const put = await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: text }));
    expect(put).toMatchObject({ registryId: ACCOUNT, repositoryName: name, lifecyclePolicyText: compact });
    const got = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name }));
    expect(got).toMatchObject({ registryId: ACCOUNT, repositoryName: name, lifecyclePolicyText: compact });
    expect(got.lastEvaluatedAt).toBeInstanceOf(Date);
    expect(got.lastEvaluatedAt!.getTime() / 1000).toBeGreaterThanOrEqual(before - 1);
    const deleted = await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: name }));
    expect(deleted.lifecyclePolicyText).toBe(compact);
    await expectAwsError(
      ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name })),
      'LifecyclePolicyNotFoundException',
      `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${ACCOUNT}'`,
    );
  });

  const invalid: Array<[string, string, string]> = [
    ['not JSON', `${'x'.repeat(120)}`, 'Could not map policyString into LifecyclePolicy.'],
    ['no rules', JSON.stringify({ rulez: [], padding: 'p'.repeat(100) }), 'object has missing required properties (["rules"])'],
    [
      'a rule missing action and selection',
      policyText({ rulePriority: 1, description: 'd'.repeat(100) }),
      'object has missing required properties (["action","selection"])',
    ],
    [
      'an unknown rule property',
      policyText(rule(1, untagged14Days, { color: 'blue' })),
      'object instance has properties which are not allowed by the schema: (["color"])',
    ],
    [
      'countNumber 0',
      policyText(rule(1, { ...untagged14Days, countNumber: 0 })),
      'numeric instance is lower than the required minimum (minimum: 1, found: 0)',
    ],
    [
      'a bad tagStatus',
      policyText(rule(1, { ...untagged14Days, tagStatus: 'TAGGED' })),
      'instance value ("TAGGED") not found in enum (possible values: ["any","tagged","untagged"])',
    ],
    [
      'a bad action type',
      policyText(rule(1, untagged14Days, { action: { type: 'delete' } })),
      'instance value ("delete") not found in enum (possible values: ["expire","transition"])',
    ],
    [
      'two untagged rules',
      policyText(rule(1, untagged14Days), rule(2, { ...untagged14Days, countNumber: 30 })),
      'Only one rule can select Untagged images.',
    ],
    [
      'duplicate priorities',
      policyText(rule(1, untagged14Days), rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 3 })),
      'The rulePriority 1 is used by more than one rule; each rule needs a unique rulePriority.',
    ],
    [
      "'any' not the highest priority",
      policyText(rule(5, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 3 }), rule(6, untagged14Days)),
      "The rule with tagStatus 'any' must have the highest rulePriority (rule 5 is lower than 6).",
    ],
    [
      'tagged without a prefix or pattern list',
      policyText(rule(1, { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 3 })),
      "Rule 1: tagPrefixList or tagPatternList is required when tagStatus is 'tagged'.",
    ],
    [
      'untagged with a prefix list',
      policyText(rule(1, { ...untagged14Days, tagPrefixList: ['v'] })),
      "Rule 1: tagPrefixList and tagPatternList can be used only when tagStatus is 'tagged'.",
    ],
    [
      'more than 4 wildcards in a pattern',
      policyText(rule(1, { tagStatus: 'tagged', tagPatternList: ['*a*b*c*d*'], countType: 'imageCountMoreThan', countNumber: 3 })),
      "Rule 1: the tagPatternList entry '*a*b*c*d*' has more than 4 wildcards (*).",
    ],
    [
      'countUnit with imageCountMoreThan',
      policyText(rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countUnit: 'days', countNumber: 3 })),
      "Rule 1: countUnit cannot be used when countType is 'imageCountMoreThan'.",
    ],
    [
      'sinceImagePushed without countUnit',
      policyText(rule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 3 })),
      "Rule 1: countUnit is required when countType is 'sinceImagePushed'.",
    ],
  ];
  it.each(invalid)('InvalidParameterException for %s', async (_label, lifecyclePolicyText, detail) => {
    const { name } = await newRepo();
    await expectAwsError(
      ecr.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText })),
      'InvalidParameterException',
      failure(detail),
    );
    await expectAwsError(ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name })), 'LifecyclePolicyNotFoundException', /Lifecycle policy does not exist/);
  });

  it('InvalidParameterException for a policy shorter than 100 characters (the model minimum)', async () => {
    const { name } = await newRepo();
    await expectAwsError(
      ecr.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: '{"rules":[]}' })),
      'InvalidParameterException',
      "Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: 'Member must have length greater than or equal to 100'",
    );
  });

  it('RepositoryNotFoundException for a missing repository', async () => {
    await expectAwsError(
      ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'no-such-repo', lifecyclePolicyText: policyText(rule(1, untagged14Days)) })),
      'RepositoryNotFoundException',
      notFound('no-such-repo'),
    );
  });
});
