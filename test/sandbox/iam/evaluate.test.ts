import { describe, expect, it } from 'vitest';
import {
  accessDeniedMessage,
  conditionContext,
  evalDecisionName,
  evaluate,
  type AuthzRequest,
  type Decision,
} from '../../../src/sandbox/iam/evaluate.js';
import { parsePolicy } from '../../../src/sandbox/iam/policy.js';
import { ACCOUNT, EVALUATION_TABLE, NOW, OTHER, repo, session, user } from './evaluation-table.js';
import { casePolicies, decide } from './table-helpers.js';

describe('the evaluation table (AWS documented examples)', () => {
  it('has at least 40 cases, every one named after its documentation page', () => {
    expect(EVALUATION_TABLE.length).toBeGreaterThanOrEqual(40);
    expect(new Set(EVALUATION_TABLE.map((c) => c.name)).size).toBe(EVALUATION_TABLE.length);
  });

  for (const c of EVALUATION_TABLE) {
    it(`${c.name} [${c.source}]`, () => {
      const decision = decide(c);
      expect({ decision: decision.decision, reason: decision.reason }).toEqual({ decision: c.expect.decision, reason: c.expect.reason });
      if (c.expect.statement) {
        expect(decision.statement).toMatchObject(c.expect.statement);
      } else {
        expect(decision.statement).toBeUndefined();
      }
    });
  }
});

const identity = (doc: object, id = 'inline') => ({ id, type: 'identity' as const, document: parsePolicy(JSON.stringify(doc), 'identity') });
const resourcePolicy = (doc: object) => ({ id: 'repository', type: 'resource' as const, document: parsePolicy(JSON.stringify(doc), 'resource') });
const ciReader = user('ci-reader');
const pushRequest: AuthzRequest = { principal: ciReader, action: 'ecr:PutImage', resource: repo('demo-app'), resourceAccount: ACCOUNT, now: NOW };

describe('accessDeniedMessage: AWS wording', () => {
  it('no identity-based policy allows (the issue\'s own example)', () => {
    const decision = evaluate(pushRequest, []);
    expect(accessDeniedMessage(pushRequest, decision)).toBe(
      'User: arn:aws:iam::123456789012:user/ci-reader is not authorized to perform: ecr:PutImage on resource: arn:aws:ecr:us-east-1:123456789012:repository/demo-app because no identity-based policy allows the ecr:PutImage action',
    );
  });

  it('an explicit deny in an identity-based policy', () => {
    const decision = evaluate(pushRequest, [identity({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'ecr:PutImage', Resource: '*' }] })]);
    expect(accessDeniedMessage(pushRequest, decision)).toBe(
      'User: arn:aws:iam::123456789012:user/ci-reader is not authorized to perform: ecr:PutImage on resource: arn:aws:ecr:us-east-1:123456789012:repository/demo-app with an explicit deny in an identity-based policy',
    );
  });

  it('an explicit deny in a resource-based policy', () => {
    const decision = evaluate(
      pushRequest,
      [identity({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] })],
      resourcePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'ecr:PutImage' }] }),
    );
    expect(accessDeniedMessage(pushRequest, decision)).toBe(
      'User: arn:aws:iam::123456789012:user/ci-reader is not authorized to perform: ecr:PutImage on resource: arn:aws:ecr:us-east-1:123456789012:repository/demo-app with an explicit deny in a resource-based policy',
    );
  });

  it('cross account: no resource-based policy allows', () => {
    const request: AuthzRequest = { principal: user('carol', OTHER), action: 'ecr:BatchGetImage', resource: repo('demo-app'), resourceAccount: ACCOUNT, now: NOW };
    const decision = evaluate(request, [identity({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] })]);
    expect(accessDeniedMessage(request, decision)).toBe(
      'User: arn:aws:iam::444455556666:user/carol is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:123456789012:repository/demo-app because no resource-based policy allows the ecr:BatchGetImage action',
    );
  });

  it('an assumed role is named by its session ARN, and login is on resource "*"', () => {
    const request: AuthzRequest = { principal: session('deployer', 'build-42'), action: 'ecr:GetAuthorizationToken', resource: '*', now: NOW };
    expect(accessDeniedMessage(request, evaluate(request, []))).toBe(
      'User: arn:aws:sts::123456789012:assumed-role/deployer/build-42 is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action',
    );
  });

  it('refuses to word an allowed request as a denial', () => {
    const decision = evaluate(pushRequest, [identity({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] })]);
    expect(() => accessDeniedMessage(pushRequest, decision)).toThrow(/was allowed/);
  });
});

describe('evalDecisionName: SimulatePrincipalPolicy EvalDecision', () => {
  const named = (decision: Pick<Decision, 'decision' | 'reason'>) => evalDecisionName({ ...decision, matched: [], missingContextValues: [] });
  it.each([
    [{ decision: 'allow', reason: 'allowed-by-identity' }, 'allowed'],
    [{ decision: 'allow', reason: 'allowed-by-resource' }, 'allowed'],
    [{ decision: 'deny', reason: 'explicit-deny-identity' }, 'explicitDeny'],
    [{ decision: 'deny', reason: 'explicit-deny-resource' }, 'explicitDeny'],
    [{ decision: 'deny', reason: 'no-identity-allow' }, 'implicitDeny'],
    [{ decision: 'deny', reason: 'no-resource-allow' }, 'implicitDeny'],
  ] as const)('%o is %s', (decision, name) => {
    expect(named(decision)).toBe(name);
  });
});

describe('evaluate: what the decision reports', () => {
  it('lists every matching statement, Allow and Deny, with its policy, index and Sid', () => {
    const decision = evaluate(
      pushRequest,
      [
        identity({ Version: '2012-10-17', Statement: [{ Sid: 'Read', Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: '*' }, { Sid: 'All', Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] }, 'p1'),
        identity({ Version: '2012-10-17', Statement: [{ Sid: 'NoPush', Effect: 'Deny', Action: 'ecr:PutImage', Resource: '*' }] }, 'p2'),
      ],
      resourcePolicy({ Version: '2012-10-17', Statement: [{ Sid: 'Team', Effect: 'Allow', Principal: { AWS: ciReader.arn }, Action: 'ecr:*' }] }),
    );
    expect(decision.statement).toEqual({ policyId: 'p2', policyType: 'identity', index: 0, sid: 'NoPush' });
    expect(decision.matched).toEqual([
      { policyId: 'p1', policyType: 'identity', index: 1, sid: 'All', effect: 'Allow' },
      { policyId: 'p2', policyType: 'identity', index: 0, sid: 'NoPush', effect: 'Deny' },
      { policyId: 'repository', policyType: 'resource', index: 0, sid: 'Team', effect: 'Allow' },
    ]);
  });

  it('names the condition keys a matching statement asked about that the request lacked', () => {
    const decision = evaluate(pushRequest, [
      identity({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'ecr:PutImage', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/env': 'x', 'aws:username': 'ci-reader' }, Null: { 'aws:SourceVpc': 'true' } } },
          { Effect: 'Allow', Action: 'iam:*', Resource: '*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } } },
        ],
      }),
    ]);
    expect(decision.missingContextValues).toEqual(['aws:RequestTag/env']);
  });

  it('a service is judged by the resource policy alone: its would-be identity policies are ignored', () => {
    const request: AuthzRequest = {
      principal: { arn: 'ecs-tasks.amazonaws.com', accountId: '', service: 'ecs-tasks.amazonaws.com' },
      action: 'sts:AssumeRole',
      resource: `arn:aws:iam::${ACCOUNT}:role/r`,
      resourceAccount: ACCOUNT,
    };
    const deny = identity({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] });
    const trust = { id: 't', type: 'resource' as const, document: parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] }), 'trust') };
    expect(evaluate(request, [deny], trust).decision).toBe('allow');
  });

  it('reads a resource policy as a trust policy for sts:AssumeRole even unmarked', () => {
    const request: AuthzRequest = { principal: ciReader, action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/r`, resourceAccount: ACCOUNT };
    const allow = identity({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] });
    const trustsNobody = { id: 't', type: 'resource' as const, document: parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }), 'trust') };
    expect(evaluate(request, [allow], trustsNobody).reason).toBe('no-resource-allow');
  });

  it('takes variables literally in a policy of Version 2008-10-17', () => {
    const old = {
      id: 'old',
      type: 'resource' as const,
      document: parsePolicy(JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'ecr:*', Resource: repo('${aws:username}') }] }), 'resource'),
    };
    const modern = { ...old, document: { ...old.document, Version: '2012-10-17' } };
    const mine: AuthzRequest = { ...pushRequest, resource: repo('ci-reader') };
    const literal: AuthzRequest = { ...pushRequest, resource: repo('${aws:username}') };
    expect(evaluate(mine, [], old).decision).toBe('deny');
    expect(evaluate(literal, [], old).decision).toBe('allow');
    expect(evaluate(mine, [], modern).decision).toBe('allow');
  });

  it('a resolved variable is text: a * in a user name is no wildcard', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { StringLike: { 'aws:ResourceTag/owner': '${aws:username}' } } }] };
    const request = (owner: string): AuthzRequest => ({ ...pushRequest, principal: user('a*'), resourceTags: { owner } });
    expect(evaluate(request('a*'), [identity(doc)]).decision).toBe('allow');
    expect(evaluate(request('abc'), [identity(doc)]).decision).toBe('deny');
  });

  it('a variable without a value fails a negated operator too: the Deny cannot apply through it', () => {
    const allow = identity({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] }, 'allow');
    const guard = identity(
      { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'ecr:PutImage', Resource: '*', Condition: { StringNotEquals: { 'aws:ResourceTag/owner': '${aws:username}' } } }] },
      'guard',
    );
    const asSession = { ...pushRequest, principal: session('deployer', 'build-42'), resourceTags: { owner: 'ci-reader' } };
    expect(evaluate(asSession, [allow, guard]).decision).toBe('allow');
    expect(evaluate({ ...pushRequest, resourceTags: { owner: 'someone' } }, [allow, guard]).reason).toBe('explicit-deny-identity');
    expect(evaluate({ ...pushRequest, resourceTags: { owner: 'ci-reader' } }, [allow, guard]).decision).toBe('allow');
  });

  it('NotPrincipal: the root user is excluded by its account alone; "*" excludes everyone', () => {
    const denyAllBut = (notPrincipal: object) =>
      resourcePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', NotPrincipal: notPrincipal, Action: 'ecr:*' }, { Effect: 'Allow', Principal: '*', Action: 'ecr:*' }] });
    const asRoot: AuthzRequest = { ...pushRequest, principal: { arn: `arn:aws:iam::${OTHER}:root`, accountId: OTHER, isRoot: true } };
    expect(evaluate(asRoot, [], denyAllBut({ AWS: OTHER })).decision).toBe('allow');
    expect(evaluate({ ...pushRequest, principal: user('carol', OTHER) }, [], denyAllBut({ AWS: OTHER })).reason).toBe('explicit-deny-resource');
    expect(evaluate(pushRequest, [], denyAllBut({ AWS: '*' })).decision).toBe('allow');
  });

  it('a multivalued key cannot stand in for a variable', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: repo('${aws:TagKeys}') }] };
    expect(evaluate({ ...pushRequest, resource: repo('env'), context: { 'aws:TagKeys': ['env'] } }, [identity(doc)]).decision).toBe('deny');
    expect(evaluate({ ...pushRequest, resource: repo('env'), context: { 'aws:TagKeys': 'env' } }, [identity(doc)]).decision).toBe('allow');
  });

  it('${*}, ${?} and ${$} stand for the literal characters', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: repo('odd${*}${?}${$}') }] };
    expect(evaluate({ ...pushRequest, resource: repo('odd*?$') }, [identity(doc)]).decision).toBe('allow');
    expect(evaluate({ ...pushRequest, resource: repo('oddXY$') }, [identity(doc)]).decision).toBe('deny');
  });

  it('a short ARN ending in * reaches over the parts it leaves out; one without does not', () => {
    const allowOn = (resource: string) => identity({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: resource }] });
    expect(evaluate(pushRequest, [allowOn('arn:aws:ecr:*')]).decision).toBe('allow');
    expect(evaluate(pushRequest, [allowOn('arn:aws:s3:*')]).decision).toBe('deny');
    expect(evaluate(pushRequest, [allowOn('arn:aws:ecr:us-east-1')]).decision).toBe('deny');
  });

  it('wildcards inside the ARN parts: each part is matched on its own', () => {
    const allowOn = (resource: string) => identity({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: resource }] });
    expect(evaluate(pushRequest, [allowOn('arn:aws:ecr:us-*:*2:repository/demo-app')]).decision).toBe('allow');
    expect(evaluate(pushRequest, [allowOn('arn:aws:ecr:eu-*:*:repository/demo-app')]).decision).toBe('deny');
    expect(evaluate(pushRequest, [allowOn('arn:aws:ecr:us-east-?:????????????:repository/demo-*')]).decision).toBe('allow');
  });

  it('condition keys are not case-sensitive', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { StringEquals: { 'AWS:USERNAME': 'ci-reader' } } }] };
    expect(evaluate(pushRequest, [identity(doc)]).decision).toBe('allow');
  });

  it.each([
    ['NumericEquals', '3', '3', true],
    ['NumericNotEquals', '3', '3', false],
    ['NumericGreaterThan', '4', '3', true],
    ['NumericGreaterThanEquals', '3', '3', true],
    ['NumericLessThan', '3', '3', false],
    ['NumericEquals', 'three', '3', false],
    ['DateEquals', '2026-01-01T00:00:00Z', '1767225600', true],
    ['DateNotEquals', '2026-01-01', '2026-01-02', true],
    ['DateLessThanEquals', '2026-01-01T00:00:00+01:00', '2025-12-31T23:00:00Z', true],
    ['DateGreaterThanEquals', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', false],
    ['ArnNotLike', 'arn:aws:iam::123456789012:user/x', 'arn:aws:iam::*:user/*', false],
    ['StringNotEqualsIgnoreCase', 'ABC', 'abc', false],
    ['BinaryEquals', 'QmluYXJ5', 'QmluYXJ5', true],
    ['NotIpAddress', '10.0.0.1', '10.0.0.0/8', false],
    ['IpAddress', '2001:db8::1', '2001:db8::/32', true],
    ['IpAddress', '2001:db9::1', '2001:db8::/32', false],
    ['IpAddress', '::ffff:10.1.2.3', '::ffff:10.0.0.0/104', true],
    ['IpAddress', '10.0.0.1', '2001:db8::/32', false],
  ])('%s: request %s against policy %s is %s', (operator, requestValue, policyValue, holds) => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { [operator]: { 'test:Key': policyValue } } }] };
    const decision = evaluate({ ...pushRequest, context: { 'test:Key': requestValue } }, [identity(doc)]);
    expect(decision.decision).toBe(holds ? 'allow' : 'deny');
  });
});

describe('conditionContext: the keys evaluate derives', () => {
  it('for a user', () => {
    const ctx = conditionContext({ ...pushRequest, principal: user('ci-reader', ACCOUNT, { team: 'eng' }), resourceTags: { env: 'prod' } });
    expect(ctx).toEqual({
      'aws:principalarn': 'arn:aws:iam::123456789012:user/ci-reader',
      'aws:principalaccount': ACCOUNT,
      'aws:principaltype': 'User',
      'aws:username': 'ci-reader',
      'aws:principaltag/team': 'eng',
      'aws:resourcetag/env': 'prod',
      'ecr:resourcetag/env': 'prod',
      'aws:currenttime': '2026-01-01T00:00:00Z',
      'aws:epochtime': String(NOW),
      'aws:securetransport': 'false',
    });
  });

  it('for a role session: the role is the principal ARN, and there is no user name', () => {
    const ctx = conditionContext({ ...pushRequest, principal: session('deployer', 'build-42') });
    expect(ctx['aws:principalarn']).toBe('arn:aws:iam::123456789012:role/deployer');
    expect(ctx['aws:principaltype']).toBe('AssumedRole');
    expect(ctx['aws:username']).toBeUndefined();
  });

  it('for the root user and for a service', () => {
    expect(conditionContext({ ...pushRequest, principal: { arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, isRoot: true } })).toMatchObject({
      'aws:principalarn': `arn:aws:iam::${ACCOUNT}:root`,
      'aws:principaltype': 'Account',
      'aws:userid': ACCOUNT,
    });
    const svc = conditionContext({ ...pushRequest, principal: { arn: 'ecs-tasks.amazonaws.com', accountId: '', service: 'ecs-tasks.amazonaws.com' } });
    expect(svc['aws:principalservicename']).toBe('ecs-tasks.amazonaws.com');
    expect(svc['aws:principalarn']).toBeUndefined();
  });

  it('the request\'s own keys win over derived ones; arrays stay multivalued', () => {
    const ctx = conditionContext({ ...pushRequest, context: { 'aws:SecureTransport': true, 'aws:TagKeys': ['a', 'b'] } });
    expect(ctx['aws:securetransport']).toBe('true');
    expect(ctx['aws:tagkeys']).toEqual(['a', 'b']);
  });

  it('without a clock in the request there is no current time', () => {
    const { now: _now, ...untimed } = pushRequest;
    expect(conditionContext(untimed)['aws:currenttime']).toBeUndefined();
  });
});

describe('table helpers', () => {
  it('parse every table policy as IAM would store it', () => {
    for (const c of EVALUATION_TABLE) expect(() => casePolicies(c)).not.toThrow();
  });
});
