import { QueryError } from './protocol.js';

/**
 * Errors every query-protocol service answers the same way (IAM and STS share AWS's
 * authentication layer), as one table: wire code, HTTP status, message. The wording is AWS's
 * (docs/shared/ecr-facts.md §1, STS captures), except where marked as the sandbox's.
 */

interface ErrorEntry<Args extends unknown[]> {
  code: string;
  status: number;
  message: (...args: Args) => string;
  type?: 'Sender' | 'Receiver';
}

/** One table entry (used by query/errors.ts, iam/errors.ts and sts/errors.ts alike). */
export function entry<Args extends unknown[]>(
  code: string,
  status: number,
  message: (...args: Args) => string,
  type?: 'Sender' | 'Receiver',
): ErrorEntry<Args> {
  return { code, status, message, type };
}

/** Builds `table[name]` with its message arguments. */
export function fromTable<T extends Record<string, ErrorEntry<never[]>>, N extends keyof T>(
  table: T,
  name: N,
  ...args: Parameters<T[N]['message']>
): QueryError {
  const spec = table[name] as unknown as ErrorEntry<Parameters<T[N]['message']>>;
  return new QueryError(spec.code, spec.status, spec.message(...args), spec.type);
}

export const QUERY_ERRORS = {
  missingAuthenticationToken: entry('MissingAuthenticationToken', 403, () => 'Request is missing Authentication Token'),
  /** An unknown key, a deleted or Inactive one, or a session token that does not match its key. */
  invalidClientTokenId: entry('InvalidClientTokenId', 403, () => 'The security token included in the request is invalid.'),
  expiredToken: entry('ExpiredToken', 403, () => 'The security token included in the request is expired'),
  incompleteSignature: entry('IncompleteSignature', 400, (message: string) => message),
  signatureDoesNotMatch: entry('SignatureDoesNotMatch', 403, (message: string) => message),
  /** AWS's words for an action the service does not have at all. */
  invalidAction: entry('InvalidAction', 400, (action: string, version: string) => `Could not find operation ${action} for version ${version}`),
  missingAction: entry('InvalidAction', 400, () => 'Could not find operation: the Action parameter is missing.'),
  /** Sandbox wording: a real operation of the service that the sandbox does not implement. */
  notImplemented: entry(
    'InvalidAction',
    400,
    (service: string, action: string) =>
      `The ECR sandbox's ${service} does not implement ${action}. It is a real ${service} action: try it against real AWS, or see README.md for what the sandbox supports.`,
  ),
  requestTooLarge: entry('RequestEntityTooLarge', 413, () => 'The request body is too large.'),
  internal: entry('ServiceFailure', 500, (reason: string) => `The ECR sandbox failed to handle the request: ${reason}`, 'Receiver'),
} as const;

export const queryError = <N extends keyof typeof QUERY_ERRORS>(name: N, ...args: Parameters<(typeof QUERY_ERRORS)[N]['message']>) =>
  fromTable(QUERY_ERRORS, name, ...args);
