import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryParams, queryResponse, validationError, xmlElement } from '../../src/sandbox/query/protocol.js';
import { MAX_API_BODY_BYTES } from '../../src/sandbox/config.js';
import { createUser, type TestUser } from '../helpers/iam.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { signPost } from './api-helpers.js';

/**
 * IAM's wire protocol on the sandbox's port: form-encoded POSTs told apart from STS by the SigV4
 * credential scope, answers in IAM's XML namespace, IAM's error XML and statuses.
 */

let sandbox: TestSandbox;
let reader: TestUser;
const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const NS = 'xmlns="https://iam.amazonaws.com/doc/2010-05-08/"';

beforeAll(async () => {
  sandbox = await startTestSandbox({ withoutRegistry: true });
  reader = await createUser(sandbox, 'reader', { managed: ['AmazonEC2ContainerRegistryReadOnly'] });
});
afterAll(async () => {
  await sandbox?.stop();
});

/** A signed query call with any body, for the service the credential scope names. */
async function query(body: string, service: 'iam' | 'sts' = 'iam', keys: { accessKeyId: string; secretAccessKey: string } = sandbox.credentials) {
  const headers = signPost(`localhost:${sandbox.port}`, { 'content-type': FORM }, body, { ...keys, region: 'us-east-1', service });
  const res = await fetch(`${sandbox.endpoint}/`, { method: 'POST', headers, body });
  return { status: res.status, contentType: res.headers.get('content-type'), requestId: res.headers.get('x-amzn-requestid'), text: await res.text() };
}

describe('IAM over the query protocol', () => {
  it('answers ActionResponse/ActionResult in its namespace, timestamps in ISO 8601 seconds, and the request id', async () => {
    const res = await query('Action=CreateUser&Version=2010-05-08&UserName=xml-user&Tags.member.1.Key=team&Tags.member.1.Value=a%2Bb');
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('text/xml');
    expect(res.text).toMatch(
      new RegExp(
        `^<CreateUserResponse ${NS}>\\s*<CreateUserResult>\\s*<User>\\s*<Path>/</Path>\\s*<UserName>xml-user</UserName>\\s*<UserId>AIDA\\w{17}</UserId>\\s*<Arn>arn:aws:iam::123456789012:user/xml-user</Arn>\\s*<CreateDate>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ</CreateDate>\\s*<Tags>\\s*<member>\\s*<Key>team</Key>\\s*<Value>a\\+b</Value>\\s*</member>\\s*</Tags>\\s*</User>\\s*</CreateUserResult>\\s*<ResponseMetadata>\\s*<RequestId>${res.requestId}</RequestId>\\s*</ResponseMetadata>\\s*</CreateUserResponse>\\s*$`,
      ),
    );
  });

  it('an operation with no output answers without a Result element; an empty list is an empty element', async () => {
    expect((await query('Action=ListUserPolicies&Version=2010-05-08&UserName=xml-user')).text).toMatch(/<ListUserPoliciesResult>\s*<PolicyNames\/>\s*<IsTruncated>false<\/IsTruncated>/);
    const res = await query('Action=DeleteUser&Version=2010-05-08&UserName=xml-user');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(new RegExp(`^<DeleteUserResponse ${NS}>\\s*<ResponseMetadata>\\s*<RequestId>[0-9a-f-]{36}</RequestId>\\s*</ResponseMetadata>\\s*</DeleteUserResponse>`));
  });

  it('errors are IAM error XML with the code, the status and the message', async () => {
    const res = await query('Action=GetUser&Version=2010-05-08&UserName=ghost');
    expect(res.status).toBe(404);
    expect(res.text).toMatch(
      new RegExp(
        `^<ErrorResponse ${NS}>\\s*<Error>\\s*<Type>Sender</Type>\\s*<Code>NoSuchEntity</Code>\\s*<Message>The user with name ghost cannot be found.</Message>\\s*</Error>\\s*<RequestId>[0-9a-f-]{36}</RequestId>\\s*</ErrorResponse>`,
      ),
    );
  });

  it('AccessDenied (403) for an IAM action the caller may not take, in AWS words', async () => {
    const res = await query('Action=ListUsers&Version=2010-05-08', 'iam', reader);
    expect(res.status).toBe(403);
    expect(res.text).toContain('<Code>AccessDenied</Code>');
    expect(res.text).toContain(
      `<Message>User: ${reader.arn} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::123456789012:user/ because no identity-based policy allows the iam:ListUsers action</Message>`,
    );
  });

  it('tells IAM from STS by the signing name: GetCallerIdentity is no IAM action', async () => {
    const asIam = await query('Action=GetCallerIdentity&Version=2011-06-15');
    expect(asIam.status).toBe(400);
    expect(asIam.text).toContain(`<ErrorResponse ${NS}>`);
    expect(asIam.text).toContain('<Message>Could not find operation GetCallerIdentity for version 2010-05-08</Message>');
    const asSts = await query('Action=GetCallerIdentity&Version=2011-06-15', 'sts');
    expect(asSts.status).toBe(200);
    expect(asSts.text).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
  });

  it('says which real IAM actions the sandbox does not implement; a missing Action is InvalidAction', async () => {
    const groups = await query('Action=CreateGroup&Version=2010-05-08&GroupName=devs');
    expect(groups.status).toBe(400);
    expect(groups.text).toContain(
      '<Message>The ECR sandbox&apos;s IAM does not implement CreateGroup. It is a real IAM action: try it against real AWS, or see README.md for what the sandbox supports.</Message>',
    );
    const missing = await query('Version=2010-05-08');
    expect(missing.text).toContain('<Code>InvalidAction</Code>');
  });

  it('a body over the limit is RequestEntityTooLarge (413) in IAM XML', async () => {
    const res = await query(`Action=CreateUser&Version=2010-05-08&UserName=${'x'.repeat(MAX_API_BODY_BYTES)}`);
    expect(res.status).toBe(413);
    expect(res.text).toContain(`<ErrorResponse ${NS}>`);
    expect(res.text).toContain('<Code>RequestEntityTooLarge</Code>');
  });
});

describe('the query protocol pieces', () => {
  it('reads list members (`Name.member.N`, with structures), an empty list, and refuses by the model rules', () => {
    const params = QueryParams.parse(Buffer.from('Action=X&Names.member.1=a&Names.member.2=b&Empty=&Tags.member.1.Key=k&Tags.member.1.Value=v&Count=7&Flag=true'));
    expect(params.action).toBe('X');
    expect(params.stringList('Names')).toEqual(['a', 'b']);
    expect(params.stringList('Empty')).toEqual([]);
    expect(params.stringList('Absent')).toBeUndefined();
    expect(params.list('Tags', (p) => [params.get(`${p}.Key`), params.get(`${p}.Value`)])).toEqual([['k', 'v']]);
    expect(params.optionalInteger('Count', 1, 10)).toBe(7);
    expect(params.optionalBoolean('Flag')).toBe(true);
    expect(() => params.optionalInteger('Count', 8)).toThrow("1 validation error detected: Value '7' at 'count' failed to satisfy constraint: Member must have value greater than or equal to 8");
    expect(() => params.requiredString('Missing')).toThrow("1 validation error detected: Value null at 'missing' failed to satisfy constraint: Member must not be null");
    expect(() => params.requiredEnum('Action', ['Y', 'Z'])).toThrow("Value 'X' at 'action' failed to satisfy constraint: Member must satisfy enum value set: [Y, Z]");
    expect(() => params.stringList('Names', {}, 1)).toThrow('Member must have length less than or equal to 1');
    expect(validationError('UserName', 'a b', 'c').code).toBe('ValidationError');
  });

  it('writes XML: escaped text, members in order, empty lists and structures as empty elements, whole-second dates', () => {
    expect(xmlElement('A', { B: '<&>', C: [], D: {}, E: undefined, F: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), G: true, H: 3 })).toBe(
      '<A>\n  <B>&lt;&amp;&gt;</B>\n  <C/>\n  <D/>\n  <F>2024-01-02T03:04:05Z</F>\n  <G>true</G>\n  <H>3</H>\n</A>\n',
    );
    expect(queryResponse('urn:x', 'Op', {}, 'id')).toBe('<OpResponse xmlns="urn:x">\n  <OpResult/>\n  <ResponseMetadata>\n    <RequestId>id</RequestId>\n  </ResponseMetadata>\n</OpResponse>\n');
  });
});
