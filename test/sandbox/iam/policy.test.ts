import { describe, expect, it, vi } from 'vitest';
import {
  canonicalPolicyText,
  parseDateValue,
  parseOperator,
  parsePolicy,
  policySize,
  POLICY_LIMITS,
  PolicyError,
  type PolicyKind,
} from '../../../src/sandbox/iam/policy.js';

const statement = (s: object) => JSON.stringify({ Version: '2012-10-17', Statement: [s] });
const allowPull = { Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: '*' };
const repoAllow = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'ecr:BatchGetImage' };
const trustAllow = { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' };

function malformed(text: string, kind: PolicyKind, options = {}): string {
  try {
    parsePolicy(text, kind, options);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).code).toBe('MalformedPolicyDocument');
    return (error as PolicyError).message;
  }
  throw new Error(`accepted: ${text}`);
}

const SYNTAX = 'Syntax errors in policy.';

describe('parsePolicy: syntax errors', () => {
  it.each([
    ['not JSON', '{"Version": "2012-10-17", '],
    ['a JSON array', '[]'],
    ['a JSON string', '"policy"'],
    ['an unknown top-level element', JSON.stringify({ Version: '2012-10-17', Statement: [allowPull], Extra: 1 })],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' })],
    ['an empty Statement list', JSON.stringify({ Version: '2012-10-17', Statement: [] })],
    ['a Statement that is a string', JSON.stringify({ Version: '2012-10-17', Statement: 'allow all' })],
    ['a statement that is not an object', JSON.stringify({ Version: '2012-10-17', Statement: ['x'] })],
    ['an unknown Version', JSON.stringify({ Version: '2013-01-01', Statement: [allowPull] })],
    ['an Id that is not a string', JSON.stringify({ Version: '2012-10-17', Id: 7, Statement: [allowPull] })],
    ['an unknown statement element', statement({ ...allowPull, Actions: 'ecr:*' })],
    ['both Action and NotAction', statement({ ...allowPull, NotAction: 'iam:*' })],
    ['both Resource and NotResource', statement({ ...allowPull, NotResource: 'x' })],
    ['an Effect that is neither', statement({ ...allowPull, Effect: 'Permit' })],
    ['no Effect', statement({ Action: 'ecr:*', Resource: '*' })],
    ['an Action that is a number', statement({ ...allowPull, Action: 7 })],
    ['a Resource list holding a number', statement({ ...allowPull, Resource: ['*', 7] })],
    ['a Sid that is not a string', statement({ ...allowPull, Sid: 1 })],
    ['a Condition that is a list', statement({ ...allowPull, Condition: [] })],
    ['a Condition block that is a string', statement({ ...allowPull, Condition: { StringEquals: 'x' } })],
    ['a condition value that is an object', statement({ ...allowPull, Condition: { StringEquals: { 'aws:username': { a: 1 } } } })],
    ['an unknown condition operator', statement({ ...allowPull, Condition: { StringMatches: { 'aws:username': 'x' } } })],
    ['NullIfExists (IAM has no such operator)', statement({ ...allowPull, Condition: { NullIfExists: { 'aws:username': 'true' } } })],
  ])('%s', (_name, text) => {
    expect(malformed(text, 'identity')).toBe(SYNTAX);
  });

  it.each([
    ['a Principal string other than "*"', { ...repoAllow, Principal: 'arn:aws:iam::123456789012:root' }],
    ['an unknown principal type', { ...repoAllow, Principal: { User: 'bob' } }],
    ['an empty principal object', { ...repoAllow, Principal: {} }],
    ['an empty principal list', { ...repoAllow, Principal: { AWS: [] } }],
    ['both Principal and NotPrincipal', { ...repoAllow, NotPrincipal: { AWS: '*' } }],
  ])('%s', (_name, s) => {
    expect(malformed(statement(s), 'resource')).toBe(SYNTAX);
  });

  it('an unknown operator with an empty block is let through, as IAM does', () => {
    expect(parsePolicy(statement({ ...allowPull, Condition: { StringMatches: {} } }), 'identity').Statement).toHaveLength(1);
  });

  it('a 3000-level nested Condition is a clean syntax error, not a stack overflow', () => {
    const deep = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
    const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*","Condition":{"StringEquals":${deep}}}]}`;
    expect(malformed(text, 'identity')).toBe(SYNTAX);
    const arrays = `{"Version":"2012-10-17","Statement":${'['.repeat(3000)}${']'.repeat(3000)}}`;
    expect(malformed(arrays, 'identity')).toBe(SYNTAX);
  });

  it('nesting is counted outside strings only', () => {
    const braces = '{['.repeat(100);
    expect(parsePolicy(statement({ ...allowPull, Sid: undefined, Condition: { StringEquals: { 'aws:username': braces } } }), 'identity').Statement[0]!.Condition).toEqual({
      StringEquals: { 'aws:username': [braces] },
    });
    expect(POLICY_LIMITS.maxDepth).toBeLessThan(100);
  });

  it('a document longer than the bound, or nested deeper, is refused without being parsed', () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      expect(malformed(statement({ ...allowPull, Sid: 'x'.repeat(POLICY_LIMITS.maxLength) }), 'resource')).toBe(SYNTAX);
      const deep = `${'['.repeat(POLICY_LIMITS.maxDepth)}${']'.repeat(POLICY_LIMITS.maxDepth)}`;
      expect(malformed(statement({ ...allowPull, Condition: { StringEquals: { 'aws:username': 'x' } } }).replace('"x"', deep), 'identity')).toBe(SYNTAX);
      expect(parse).not.toHaveBeenCalled();
      // One level less is parsed (and refused for its shape).
      const shallower = `${'['.repeat(POLICY_LIMITS.maxDepth - 7)}${']'.repeat(POLICY_LIMITS.maxDepth - 7)}`;
      expect(malformed(statement({ ...allowPull, Condition: { StringEquals: { 'aws:username': 'x' } } }).replace('"x"', shallower), 'identity')).toBe(SYNTAX);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });
});

describe('parsePolicy: IAM\'s other MalformedPolicyDocument messages', () => {
  it.each<[string, string, PolicyKind, string]>([
    ['an identity policy without Version', JSON.stringify({ Statement: [allowPull] }), 'identity', 'Policy document must be version 2012-10-17 or greater.'],
    ['an identity policy of Version 2008-10-17', JSON.stringify({ Version: '2008-10-17', Statement: [allowPull] }), 'identity', 'Policy document must be version 2012-10-17 or greater.'],
    ['Effect in the wrong case', statement({ ...allowPull, Effect: 'allow' }), 'identity', 'The policy failed legacy parsing'],
    ['a date IAM cannot read', statement({ ...allowPull, Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }), 'identity', 'The policy failed legacy parsing'],
    ['an impossible month', statement({ ...allowPull, Condition: { DateLessThan: { 'aws:CurrentTime': '2026-13-01' } } }), 'identity', 'The policy failed legacy parsing'],
    ['an ARN with too few parts', statement({ ...allowPull, Resource: 'arn:aws:s3::bucket' }), 'identity', 'The policy failed legacy parsing'],
    ['two statements with one Sid', JSON.stringify({ Version: '2012-10-17', Statement: [{ ...allowPull, Sid: 'A' }, { ...allowPull, Sid: 'A' }] }), 'identity', 'Statement IDs (SID) in a single policy must be unique.'],
    ['a Sid with an underscore', statement({ ...allowPull, Sid: 'Atomic_Red_Team' }), 'identity', 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*'],
    ['a Sid with a space in a trust policy', statement({ ...trustAllow, Sid: 'ECS tasks' }), 'trust', 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*'],
    ['no Action', statement({ Effect: 'Allow', Resource: '*' }), 'identity', 'Policy statement must contain actions.'],
    ['an empty Action list', statement({ ...allowPull, Action: [] }), 'identity', 'Policy statement must contain actions.'],
    ['an identity policy without Resource', statement({ Effect: 'Allow', Action: 'ecr:*' }), 'identity', 'Policy statement must contain resources.'],
    ['an empty Resource list', statement({ ...allowPull, Resource: [] }), 'identity', 'Policy statement must contain resources.'],
    ['a Principal in an identity policy', statement({ ...allowPull, Principal: '*' }), 'identity', 'Policy document should not specify a principal.'],
    ['a NotPrincipal in an identity policy', statement({ ...allowPull, NotPrincipal: { AWS: '*' } }), 'identity', 'Policy document should not specify a principal.'],
    ['a repository policy without Principal', statement({ Effect: 'Allow', Action: 'ecr:*' }), 'resource', 'Missing required field Principal'],
    ['a trust policy without Principal', statement({ Effect: 'Allow', Action: 'sts:AssumeRole' }), 'trust', 'Missing required field Principal'],
    ['a Resource in a trust policy', statement({ ...trustAllow, Resource: '*' }), 'trust', 'Has prohibited field Resource'],
    ['a NotResource in a trust policy', statement({ ...trustAllow, NotResource: '*' }), 'trust', 'Has prohibited field NotResource'],
    ['a NotPrincipal in a trust policy', statement({ Effect: 'Deny', NotPrincipal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' }), 'trust', 'Has prohibited field NotPrincipal'],
    ['a trust policy granting an ECR action', statement({ ...trustAllow, Action: ['sts:AssumeRole', 'ecr:BatchGetImage'] }), 'trust', 'Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity'],
    ['a registry URI as Resource', statement({ ...allowPull, Resource: '174313347505.dkr.ecr.us-west-2.amazonaws.com/mhart-experimental' }), 'identity', 'Resource 174313347505.dkr.ecr.us-west-2.amazonaws.com/mhart-experimental must be in ARN format or "*".'],
    ['an unknown partition', statement({ ...allowPull, Resource: 'arn:foo:s3:::bucket' }), 'identity', 'Partition "foo" is not valid for resource "arn:foo:s3:::bucket".'],
    ['an unknown partition, parts missing', statement({ ...allowPull, Resource: 'arn:foo' }), 'identity', 'Partition "foo" is not valid for resource "arn:foo:*:*:*:*".'],
    ['an ARN without a service', statement({ ...allowPull, Resource: 'arn:aws' }), 'identity', 'Resource vendor must be fully qualified and cannot contain regexes.'],
    ['an IAM ARN with a region', statement({ ...allowPull, Resource: 'arn:aws:iam:us-east-1:123456789012:user/bob' }), 'identity', 'IAM resource arn:aws:iam:us-east-1:123456789012:user/bob cannot contain region information.'],
    ['an IAM ARN of no IAM resource type', statement({ ...allowPull, Resource: 'arn:aws:iam::123456789012:bucket/x' }), 'identity', 'IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.'],
    ['an action without a vendor', statement({ ...allowPull, Action: 'PutImage' }), 'identity', 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
    ['a NotAction without a vendor', statement({ Effect: 'Allow', NotAction: 'PutImage', Resource: '*' }), 'identity', 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
    ['a condition key without a vendor', statement({ ...allowPull, Condition: { StringEquals: { username: 'bob' } } }), 'identity', 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
    ['an action with two colons', statement({ ...allowPull, Action: 'ecr:Put:Image' }), 'identity', 'Actions/Condition can contain only one colon.'],
    ['an action whose vendor has a space', statement({ ...allowPull, Action: 'ec r:PutImage' }), 'identity', 'Vendor ec r is not valid'],
    ['a wildcard user principal', statement({ ...repoAllow, Principal: { AWS: 'arn:aws:iam::123456789012:user/*' } }), 'resource', 'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/*"'],
    ['a wildcard session principal', statement({ ...trustAllow, Principal: { AWS: 'arn:aws:sts::123456789012:assumed-role/204503-PowerUser/*' } }), 'trust', 'Invalid principal in policy: "AWS":"arn:aws:sts::123456789012:assumed-role/204503-PowerUser/*"'],
    ['a bare user name as principal', statement({ ...repoAllow, Principal: { AWS: 'bob' } }), 'resource', 'Invalid principal in policy: "AWS":"bob"'],
    ['a service principal with a space', statement({ ...trustAllow, Principal: { Service: 'ecs tasks' } }), 'trust', 'Invalid principal in policy: "SERVICE":"ecs tasks"'],
  ])('%s', (_name, text, kind, message) => {
    expect(malformed(text, kind)).toBe(message);
  });

  it('checks in IAM\'s order: syntax before version before Sid before resources', () => {
    const text = JSON.stringify({ Statement: [{ Sid: 'A', Effect: 'Allow', Action: 'ecr:*' }, { Sid: 'A', Effect: 'Allow', Action: 'ecr:*', Extra: 1 }] });
    expect(malformed(text, 'identity')).toBe(SYNTAX);
    expect(malformed(JSON.stringify({ Statement: [{ Sid: 'A', Effect: 'Allow', Action: 'ecr:*' }, { Sid: 'A', Effect: 'Allow', Action: 'ecr:*' }] }), 'identity')).toBe(
      'Policy document must be version 2012-10-17 or greater.',
    );
    expect(malformed(JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'A', Effect: 'Allow', Action: 'ecr:*' }, { Sid: 'A', Effect: 'Allow', Action: 'ecr:*' }] }), 'identity')).toBe(
      'Statement IDs (SID) in a single policy must be unique.',
    );
  });

  it('asks the caller whether a named principal exists (IAM resolves them on save)', () => {
    const asked: string[] = [];
    const principalExists = (arn: string) => {
      asked.push(arn);
      return arn.endsWith('/deployer');
    };
    const doc = (aws: string | string[]) => statement({ ...trustAllow, Principal: { AWS: aws } });
    expect(malformed(doc('arn:aws:iam::123456789012:role/NonExistent'), 'trust', { principalExists })).toBe(
      'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/NonExistent"',
    );
    expect(parsePolicy(doc(['arn:aws:iam::123456789012:role/deployer', '123456789012', 'arn:aws:iam::123456789012:root', '*']), 'trust', { principalExists }).Statement).toHaveLength(1);
    expect(asked).toEqual(['arn:aws:iam::123456789012:role/NonExistent', 'arn:aws:iam::123456789012:role/deployer']);
  });
});

describe('parsePolicy: what it accepts', () => {
  it('ECR\'s own repository policies: Version 2008-10-17, Sids with dashes, no Resource', () => {
    const text = JSON.stringify({
      Version: '2008-10-17',
      Statement: [{ Sid: 'AllowPull-2', Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::444455556666:root', '444455556666'] }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }],
    });
    expect(parsePolicy(text, 'resource').Version).toBe('2008-10-17');
  });

  it('trust policies of Version 2008-10-17 and without Version (older AWS examples use them)', () => {
    expect(parsePolicy(JSON.stringify({ Version: '2008-10-17', Statement: [trustAllow] }), 'trust').Statement).toHaveLength(1);
    expect(parsePolicy(JSON.stringify({ Statement: trustAllow }), 'trust').Version).toBeUndefined();
  });

  it('principals IAM accepts: *, account ids, root, users, roles, sessions, unique ids', () => {
    const aws = [
      '*',
      '123456789012',
      'arn:aws:iam::123456789012:root',
      'arn:aws:iam::123456789012:user/path/bob',
      'arn:aws:iam::123456789012:role/deployer',
      'arn:aws:sts::123456789012:assumed-role/deployer/build-42',
      'AIDAJQABLZS4A3QDU576Q',
    ];
    expect(parsePolicy(statement({ ...repoAllow, Principal: { AWS: aws } }), 'resource').Statement[0]!.Principal).toEqual({ AWS: aws });
  });

  it('normalizes every list to an array and every condition value to a string', () => {
    const text = JSON.stringify({
      Version: '2012-10-17',
      Id: 'doc',
      Statement: {
        Sid: 'One',
        Effect: 'Deny',
        NotPrincipal: { AWS: '123456789012', Service: 'ecs-tasks.amazonaws.com' },
        NotAction: 'ecr:PutImage',
        NotResource: 'arn:aws:ecr:*:*:repository/x',
        Condition: { Bool: { 'aws:SecureTransport': false }, NumericLessThan: { 's3:max-keys': [10, '20'] } },
      },
    });
    expect(parsePolicy(text, 'resource')).toEqual({
      Version: '2012-10-17',
      Id: 'doc',
      Statement: [
        {
          Sid: 'One',
          Effect: 'Deny',
          NotPrincipal: { AWS: ['123456789012'], Service: ['ecs-tasks.amazonaws.com'] },
          NotAction: ['ecr:PutImage'],
          NotResource: ['arn:aws:ecr:*:*:repository/x'],
          Condition: { Bool: { 'aws:SecureTransport': ['false'] }, NumericLessThan: { 's3:max-keys': ['10', '20'] } },
        },
      ],
    });
  });

  it('keeps Principal "*" as "*"', () => {
    expect(parsePolicy(statement({ ...repoAllow, Principal: '*' }), 'resource').Statement[0]!.Principal).toBe('*');
  });
});

describe('canonicalPolicyText and policySize', () => {
  it('writes compact JSON in IAM\'s element order', () => {
    const doc = parsePolicy(JSON.stringify({ Statement: [{ Resource: '*', Action: 'ecr:*', Effect: 'Allow', Sid: 'S' }], Version: '2012-10-17' }), 'identity');
    expect(canonicalPolicyText(doc)).toBe('{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow","Action":["ecr:*"],"Resource":["*"]}]}');
    expect(parsePolicy(canonicalPolicyText(doc), 'identity')).toEqual(doc);
  });

  it('counts a policy as IAM\'s quotas do: white space outside strings is free', () => {
    expect(policySize('{ "a" : "b c" ,\n\t"d":"\\"" }')).toBe('{"a":"b c","d":"\\""}'.length);
  });
});

describe('parseOperator and parseDateValue', () => {
  it.each([
    ['StringEquals', { base: 'StringEquals', ifExists: false }],
    ['ForAnyValue:StringLikeIfExists', { set: 'ForAnyValue', base: 'StringLike', ifExists: true }],
    ['ForAllValues:ArnNotLike', { set: 'ForAllValues', base: 'ArnNotLike', ifExists: false }],
    ['Null', { base: 'Null', ifExists: false }],
    ['NullIfExists', undefined],
    ['IfExists', undefined],
    ['ForSomeValues:StringEquals', undefined],
  ])('%s', (name, parsed) => {
    expect(parseOperator(name)).toEqual(parsed);
  });

  it.each([
    ['1767225600', 1_767_225_600_000],
    ['2026-01-01', Date.UTC(2026, 0, 1)],
    ['2026-01-01T00:00:00Z', Date.UTC(2026, 0, 1)],
    ['2026-01-01T01:00:00+01:00', Date.UTC(2026, 0, 1)],
    ['2026-01-01T01:00:00+0100', Date.UTC(2026, 0, 1)],
    ['2026-01-01T00:00:00.500Z', Date.UTC(2026, 0, 1) + 500],
    // IAM checks the day against 1–31 only (moto's legacy parser), so February 30 passes.
    ['2026-02-30', Date.UTC(2026, 1, 30)],
    ['2026-02-32', undefined],
    ['2026-01-01T24:00:00Z', undefined],
    ['soon', undefined],
  ])('%s', (text, ms) => {
    expect(parseDateValue(text)).toBe(ms);
  });
});
