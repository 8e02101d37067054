import { CreateUserCommand, type IAMClient, SimulateCustomPolicyCommand, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementSpans } from '../../src/sandbox/iam/simulate.js';
import { createUser, policyText } from '../helpers/iam.js';
import { iamClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { expectAwsError } from './api-helpers.js';

/** The policy simulator, as lesson checks use it: decisions, the statements behind them and where they are. */

let sandbox: TestSandbox;
let iam: IAMClient;
const REPO = 'arn:aws:ecr:us-east-1:123456789012:repository/demo-app';

beforeAll(async () => {
  sandbox = await startTestSandbox({ withoutRegistry: true });
  iam = iamClient(sandbox);
  await createUser(sandbox, 'ci-reader', {
    managed: ['AmazonEC2ContainerRegistryReadOnly'],
    inline: { 'no-tags': policyText({ Sid: 'NoTagging', Effect: 'Deny', Action: 'ecr:TagResource', Resource: '*' }) },
  });
});
afterAll(async () => {
  iam?.destroy();
  await sandbox?.stop();
});

describe('SimulatePrincipalPolicy', () => {
  it('a read-only user can pull the repository and cannot push: allowed, implicitDeny, explicitDeny, with the deciding statements', async () => {
    const out = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: 'arn:aws:iam::123456789012:user/ci-reader',
        ActionNames: ['ecr:BatchGetImage', 'ecr:PutImage', 'ecr:TagResource'],
        ResourceArns: [REPO],
      }),
    );
    expect(out.IsTruncated).toBe(false);
    expect(out.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision])).toEqual([
      ['ecr:BatchGetImage', REPO, 'allowed'],
      ['ecr:PutImage', REPO, 'implicitDeny'],
      ['ecr:TagResource', REPO, 'explicitDeny'],
    ]);
    const [pull, push, tag] = out.EvaluationResults!;
    expect(pull!.MatchedStatements).toEqual([
      { SourcePolicyId: 'AmazonEC2ContainerRegistryReadOnly', SourcePolicyType: 'aws-managed', StartPosition: expect.any(Object), EndPosition: expect.any(Object) },
    ]);
    expect(push!.MatchedStatements).toEqual([]);
    expect(tag!.MatchedStatements).toEqual([{ SourcePolicyId: 'no-tags', SourcePolicyType: 'user', StartPosition: { Line: 1, Column: 39 }, EndPosition: { Line: 1, Column: 115 } }]);
    expect(pull!.MissingContextValues).toEqual([]);
  });

  it('without ResourceArns, the resource is `*`; PolicyInputList adds policies to the principal\'s', async () => {
    const out = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: 'arn:aws:iam::123456789012:user/ci-reader',
        ActionNames: ['ecr:PutImage'],
        PolicyInputList: [policyText({ Effect: 'Allow', Action: 'ecr:PutImage', Resource: '*' })],
      }),
    );
    expect(out.EvaluationResults).toEqual([
      expect.objectContaining({ EvalActionName: 'ecr:PutImage', EvalResourceName: '*', EvalDecision: 'allowed', MatchedStatements: [expect.objectContaining({ SourcePolicyId: 'PolicyInputList.1' })] }),
    ]);
  });

  it('a resource policy is weighed only when given: across accounts the caller needs it', async () => {
    const repoPolicy = policyText({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'ecr:BatchGetImage' });
    const ask = (ResourcePolicy?: string) =>
      iam.send(
        new SimulateCustomPolicyCommand({
          PolicyInputList: [policyText({ Effect: 'Allow', Action: 'ecr:*', Resource: '*' })],
          ActionNames: ['ecr:BatchGetImage', 'ecr:PutImage'],
          ResourceArns: [REPO],
          CallerArn: 'arn:aws:iam::111122223333:user/partner-admin',
          ResourceOwner: 'arn:aws:iam::123456789012:root',
          ...(ResourcePolicy ? { ResourcePolicy } : {}),
        }),
      );
    expect((await ask(repoPolicy)).EvaluationResults!.map((r) => r.EvalDecision)).toEqual(['allowed', 'implicitDeny']);
    const shared = (await ask(repoPolicy)).EvaluationResults![0]!;
    expect(shared.MatchedStatements!.map((m) => m.SourcePolicyType)).toEqual(['none', 'resource']);
  });

  it('names the user or role it could not find, and refuses a resource simulation without a caller for a role', async () => {
    await expectAwsError(
      iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: 'arn:aws:iam::123456789012:user/ghost', ActionNames: ['ecr:PutImage'] })),
      'NoSuchEntityException',
      'The user with name ghost cannot be found.',
      404,
    );
  });
});

describe('SimulateCustomPolicy', () => {
  // The AWS CLI reference's own example, with the positions it documents.
  const datePolicy =
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';

  it("reproduces the CLI reference's example: allowed, statement at line 1, columns 38 to 167", async () => {
    const out = await iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [datePolicy],
        ActionNames: ['dynamodb:CreateBackup'],
        ContextEntries: [{ ContextKeyName: 'aws:CurrentTime', ContextKeyValues: ['2019-04-25T11:00:00Z'], ContextKeyType: 'date' }],
      }),
    );
    expect(out.EvaluationResults).toEqual([
      {
        EvalActionName: 'dynamodb:CreateBackup',
        EvalResourceName: '*',
        EvalDecision: 'allowed',
        MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'none', StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 167 } }],
        MissingContextValues: [],
      },
    ]);
    const earlier = await iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [datePolicy],
        ActionNames: ['dynamodb:CreateBackup'],
        ContextEntries: [{ ContextKeyName: 'aws:CurrentTime', ContextKeyValues: ['2014-04-25T11:00:00Z'], ContextKeyType: 'date' }],
      }),
    );
    expect(earlier.EvaluationResults![0]).toMatchObject({ EvalDecision: 'implicitDeny', MatchedStatements: [] });
  });

  it('lists the context keys a policy asks about that the simulation was not given', async () => {
    const out = await iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [policyText({ Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })],
        ActionNames: ['ecr:PutImage'],
      }),
    );
    expect(out.EvaluationResults![0]).toMatchObject({ EvalDecision: 'implicitDeny', MissingContextValues: ['aws:SourceIp'] });
  });

  it('a resource policy needs a CallerArn; malformed input policies are MalformedPolicyDocument', async () => {
    await expectAwsError(
      iam.send(
        new SimulateCustomPolicyCommand({
          PolicyInputList: [policyText({ Effect: 'Allow', Action: 'ecr:*', Resource: '*' })],
          ActionNames: ['ecr:PutImage'],
          ResourcePolicy: policyText({ Effect: 'Allow', Principal: '*', Action: 'ecr:*' }),
        }),
      ),
      'InvalidInputException',
      /CallerArn must be specified/,
    );
    await expectAwsError(iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: ['{'], ActionNames: ['ecr:PutImage'] })), 'MalformedPolicyDocumentException', 'Syntax errors in policy.');
  });

  it('pages its results with MaxItems and Marker', async () => {
    const ask = (Marker?: string) =>
      iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [datePolicy], ActionNames: ['dynamodb:A', 'dynamodb:B', 'dynamodb:C'], MaxItems: 2, Marker }));
    const first = await ask();
    expect(first.EvaluationResults!.map((r) => r.EvalActionName)).toEqual(['dynamodb:A', 'dynamodb:B']);
    expect(first.IsTruncated).toBe(true);
    expect((await ask(first.Marker)).EvaluationResults!.map((r) => r.EvalActionName)).toEqual(['dynamodb:C']);
  });
});

describe('statement positions', () => {
  it('finds each statement of an array, across lines, past strings that hold braces', () => {
    const text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Sid": "A{", "Effect": "Allow", "Action": "x:y", "Resource": "*"},\n    {\n      "Effect": "Deny", "Action": "x:z", "Resource": "*"\n    }\n  ]\n}';
    expect(statementSpans(text)).toEqual([
      { start: { Line: 4, Column: 6 }, end: { Line: 4, Column: 71 } },
      { start: { Line: 5, Column: 6 }, end: { Line: 7, Column: 6 } },
    ]);
  });

  it('ignores objects that are not statements (conditions, other top-level members)', () => {
    expect(statementSpans('{"Id":{"x":{}},"Statement":{"Condition":{"a":{}}}}')).toEqual([{ start: { Line: 1, Column: 29 }, end: { Line: 1, Column: 50 } }]);
  });
});

describe('who may simulate', () => {
  it('SimulatePrincipalPolicy needs iam:SimulatePrincipalPolicy on the principal', async () => {
    const user = await createUser(sandbox, 'curious');
    const client = iamClient(sandbox, user);
    try {
      await expectAwsError(
        client.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: 'arn:aws:iam::123456789012:user/ci-reader', ActionNames: ['ecr:PutImage'] })),
        'AccessDenied',
        `User: ${user.arn} is not authorized to perform: iam:SimulatePrincipalPolicy on resource: arn:aws:iam::123456789012:user/ci-reader because no identity-based policy allows the iam:SimulatePrincipalPolicy action`,
        403,
      );
      await expectAwsError(client.send(new CreateUserCommand({ UserName: 'mine' })), 'AccessDenied', /iam:CreateUser on resource: arn:aws:iam::123456789012:user\/mine because/, 403);
    } finally {
      client.destroy();
    }
  });
});
