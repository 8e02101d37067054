import type { ServerResponse } from 'node:http';
import { userArn } from './config.js';
import type { IssuedCredentials } from './backend/types.js';

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

function xmlEscape(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

function sendXml(res: ServerResponse, status: number, requestId: string, xml: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/xml',
    'Content-Length': Buffer.byteLength(xml),
    'x-amzn-RequestId': requestId,
  });
  res.end(xml);
}

/** A stable AIDA… user id derived from the access key, so repeated calls agree. */
function userIdFor(credentials: IssuedCredentials): string {
  return `AIDA${credentials.accessKeyId.slice(4, 20)}`.slice(0, 21);
}

/** STS GetCallerIdentity's XML answer for the sandbox's issued user. */
export function sendCallerIdentity(res: ServerResponse, requestId: string, accountId: string, credentials: IssuedCredentials): void {
  sendXml(
    res,
    200,
    requestId,
    `<GetCallerIdentityResponse xmlns="${STS_NS}">
  <GetCallerIdentityResult>
    <Arn>${xmlEscape(userArn(accountId, credentials.userName))}</Arn>
    <UserId>${xmlEscape(userIdFor(credentials))}</UserId>
    <Account>${xmlEscape(accountId)}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>${requestId}</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`,
  );
}

/** An STS (awsQuery) error: `ErrorResponse/Error/{Type,Code,Message}` plus RequestId. */
export function sendStsError(
  res: ServerResponse,
  requestId: string,
  status: number,
  code: string,
  message: string,
  type: 'Sender' | 'Receiver' = 'Sender',
): void {
  sendXml(
    res,
    status,
    requestId,
    `<ErrorResponse xmlns="${STS_NS}">
  <Error>
    <Type>${type}</Type>
    <Code>${xmlEscape(code)}</Code>
    <Message>${xmlEscape(message)}</Message>
  </Error>
  <RequestId>${requestId}</RequestId>
</ErrorResponse>
`,
  );
}
