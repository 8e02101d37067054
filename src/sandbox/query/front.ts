import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestId } from '../api/protocol.js';
import { authenticate, type AuthenticationFailure } from '../auth/authenticate.js';
import type { Authorizer } from '../authz/authorizer.js';
import type { IamBackend } from '../iam/backend.js';
import { iamError } from '../iam/errors.js';
import { IAM_ACTIONS, IAM_NAMESPACE, IAM_OPERATIONS, IAM_VERSION } from '../iam/operations.js';
import { STS_ACTIONS, STS_NAMESPACE, STS_OPERATIONS, STS_VERSION } from '../sts/operations.js';
import { queryError } from './errors.js';
import { QueryError, QueryParams, queryErrorBody, queryResponse, sendXml, type XmlValue } from './protocol.js';

/**
 * The query-protocol services on the sandbox's one port: IAM and STS. Both arrive as form POSTs
 * to `/`; the SigV4 credential scope's service (`iam` or `sts`) says which. Each request is
 * authenticated, then authorized (IAM actions here, AssumeRole by its handler through the same
 * authorizer), then handed to its operation.
 */
export interface QueryFrontOptions {
  iam: IamBackend;
  authorizer: Authorizer;
}

interface Service {
  name: 'IAM' | 'STS';
  signingName: 'iam' | 'sts';
  namespace: string;
  version: string;
}

const IAM: Service = { name: 'IAM', signingName: 'iam', namespace: IAM_NAMESPACE, version: IAM_VERSION };
const STS: Service = { name: 'STS', signingName: 'sts', namespace: STS_NAMESPACE, version: STS_VERSION };

/** The service a request was signed for: IAM when its credential scope says `iam`, else STS. */
export function queryService(req: IncomingMessage): Service {
  const authorization = String(req.headers.authorization ?? '');
  return /Credential=[^/,\s]+\/\d{8}\/[^/]+\/iam\/aws4_request/.test(authorization) ? IAM : STS;
}

function authenticationError(failure: AuthenticationFailure): QueryError {
  switch (failure.kind) {
    case 'missing':
      return queryError('missingAuthenticationToken');
    case 'unknown-key':
      return queryError('invalidClientTokenId');
    case 'expired-token':
      return queryError('expiredToken');
    case 'malformed':
      return queryError('incompleteSignature', failure.message);
    case 'bad-signature':
    case 'expired':
    case 'wrong-service':
    case 'scope-date':
    case 'unknown-region':
      return queryError('signatureDoesNotMatch', failure.message);
  }
}

/** Answers one IAM or STS request whose body has been read. */
export async function handleQuery(req: IncomingMessage, res: ServerResponse, body: Buffer, options: QueryFrontOptions): Promise<void> {
  const id = requestId();
  const service = queryService(req);
  try {
    const params = QueryParams.parse(body);
    const auth = authenticate({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, service.signingName, options.iam);
    if (!auth.ok) throw authenticationError(auth.failure);
    const action = params.action;
    if (!action) throw queryError('missingAction');
    let result: Record<string, XmlValue> | undefined;
    if (service === IAM) {
      const operation = IAM_OPERATIONS[action];
      if (!operation) throw IAM_ACTIONS.has(action) ? queryError('notImplemented', 'IAM', action) : queryError('invalidAction', action, service.version);
      const resource = options.authorizer.iamResource(auth.identity, operation.resource, params);
      const denial = options.authorizer.iamAction(auth.identity, action, resource);
      if (denial) throw iamError('accessDenied', denial.message);
      result = await operation.handler({ iam: options.iam, identity: auth.identity, accountId: auth.identity.accountId, params });
    } else {
      const handler = STS_OPERATIONS[action];
      if (!handler) throw STS_ACTIONS.has(action) ? queryError('notImplemented', 'STS', action) : queryError('invalidAction', action, service.version);
      result = await handler({ iam: options.iam, authorizer: options.authorizer, identity: auth.identity, params });
    }
    sendXml(res, 200, id, queryResponse(service.namespace, action, result, id));
  } catch (error) {
    let answer: QueryError;
    if (error instanceof QueryError) answer = error;
    else {
      console.error(`[sandbox] ${service.name} request failed`, error);
      answer = queryError('internal', (error as Error)?.message ?? String(error));
    }
    sendXml(res, answer.status, id, queryErrorBody(service.namespace, answer, id));
  }
}

/** The answer to a body over the size limit, in the service's XML. */
export function sendQueryTooLarge(req: IncomingMessage, res: ServerResponse): void {
  const id = requestId();
  sendXml(res, 413, id, queryErrorBody(queryService(req).namespace, queryError('requestTooLarge'), id));
}
